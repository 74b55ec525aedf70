"""Staff accounts: admins, facilitators and politicians. Citizens have no account.

Passwords are hashed with Argon2id (argon2-cffi, the maintained binding of the Password
Hashing Competition winner). There is no default password anywhere: the first admin is made
with ``samskab create-user --role admin`` (see the README).
"""

from __future__ import annotations

import math
import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from workshop import audit, ratelimit
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from workshop.model import ACCOUNT_ROLES, Role, User, utcnow
from workshop.text import clean_text

MIN_PASSWORD_CHARS = 10
# Failed logins are counted per (username, network): a stranger guessing from elsewhere slows
# down only their own network, never the real user's. After LOGIN_FAILURES_ALLOWED failures
# each further one costs a wait that doubles (1 s, 2 s, 4 s …) up to LOGIN_MAX_WAIT_S;
# failures are forgotten LOGIN_MEMORY_S after they happened, or at a successful login.
LOGIN_FAILURES_ALLOWED = 5
LOGIN_MAX_WAIT_S = 900
LOGIN_MEMORY_S = 86_400
# Failed logins per network address, across usernames (password spraying). Staff sit behind
# one town-hall NAT, so the limit is well above what people mistyping ever reach.
LOGIN_FAILURES_PER_NETWORK = 50
LOGIN_WINDOW_S = 300
# Typed usernames are stored in rate_events only this long (a typed novel is cut).
_SUBJECT_CHARS = 120

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
# Verifying against this keeps the timing of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def _user(row: dict[str, Any]) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
    )


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput("error.account.password_short", min=MIN_PASSWORD_CHARS)


def _staff_role(role: Role | str | None) -> Role:
    """``role`` as a staff role (admin, facilitator, politician), or a clear refusal."""
    if role is None:
        raise InvalidInput("error.account.bad_role")
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput("error.account.bad_role") from None
    if parsed not in ACCOUNT_ROLES:
        raise InvalidInput("error.account.bad_role")
    return parsed


def create_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str | None,
    display_name: str = "",
    *,
    actor: User | None = None,
) -> User:
    username = clean_text(username).lower()
    role = _staff_role(role)
    if not _USERNAME.match(username):
        raise InvalidInput("error.account.bad_username")
    validate_password(password)
    display_name = clean_text(display_name)[:80] or username
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InvalidInput("error.account.username_taken", username=username)
        cursor = db.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [username, display_name, role.value, _hasher.hash(password), utcnow()],
        )
        user_id = cursor.fetchall()[0][0]
        assert user_id is not None
        audit.record(
            db, actor, "create_user", "users", user_id, after={"username": username, "role": role}
        )
    return User(user_id, username, display_name, role)


def _throttled(seconds: int) -> RateLimited:
    """The refusal for a throttled login, in seconds or (from two minutes) whole minutes."""
    if seconds < 120:
        return RateLimited("error.login.wait_seconds", seconds=seconds)
    return RateLimited("error.login.wait_minutes", seconds=seconds, minutes=math.ceil(seconds / 60))


def authenticate(
    store: Store,
    username: str,
    password: str,
    *,
    network: str | None = None,
    now: float | None = None,
) -> User:
    """Return the user, or raise the same message for any failure (no account enumeration).

    Failures are counted per (username, network) with growing waits, and per network across
    usernames. A throttled attempt is refused before the password is looked at, and is not
    counted again. A successful login is written to the audit log.
    """
    username = clean_text(username).lower()
    pair = f"{network or '-'}|{username}"[:_SUBJECT_CHARS]
    if network:
        ratelimit.check(
            store,
            "login_network",
            network,
            limit=LOGIN_FAILURES_PER_NETWORK,
            window_s=LOGIN_WINDOW_S,
            now=now,
        )
    wait = ratelimit.seconds_to_wait(
        store,
        "login",
        pair,
        free=LOGIN_FAILURES_ALLOWED,
        cap_s=LOGIN_MAX_WAIT_S,
        memory_s=LOGIN_MEMORY_S,
        now=now,
    )
    if wait > 0:
        raise _throttled(wait)
    row = store.query_one("SELECT * FROM users WHERE username = ? AND active = 1", [username])
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        if row is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        ratelimit.record_failure(store, "login", pair, now=now)
        if network:
            ratelimit.record_failure(store, "login_network", network, now=now)
        raise InvalidInput("error.login.failed") from None
    ratelimit.clear(store, "login", pair)
    user = _user(row)
    with store.transaction() as db:
        if _hasher.check_needs_rehash(row["password_hash"]):
            db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                [_hasher.hash(password), row["id"]],
            )
        audit.record(db, user, "log_in", "users", user.id)
    return user


def get_user(store: Store, user_id: int) -> User:
    row = store.query_one("SELECT * FROM users WHERE id = ?", [user_id])
    if row is None:
        raise NotFound("error.not_found")
    return _user(row)


def get_user_by_username(store: Store, username: str) -> User:
    """The account called ``username`` (any case, active or not), or NotFound naming it."""
    name = clean_text(username).lower()
    row = store.query_one("SELECT * FROM users WHERE username = ?", [name])
    if row is None:
        raise NotFound("error.account.unknown_user", username=name)
    return _user(row)


def active_user(store: Store, user_id: int) -> User | None:
    """The account as it is now (role included) if it is still active, else None.

    One primary-key read: cheap enough for every page run of a logged-in browser.
    """
    row = store.query_one(
        "SELECT id, username, display_name, role FROM users WHERE id = ? AND active = 1",
        [user_id],
    )
    return _user(row) if row else None


def list_users(store: Store) -> list[dict[str, Any]]:
    return store.query(
        "SELECT id, username, display_name, role, active, created_at FROM users ORDER BY username"
    )


def has_admin(store: Store) -> bool:
    return bool(store.scalar("SELECT 1 FROM users WHERE role = 'admin' AND active = 1"))


def _is_last_active_admin(db: Database, user_id: int) -> bool:
    """Is ``user_id`` an active admin with no other active admin beside them?"""
    others = db.execute(
        "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?", [user_id]
    ).fetchone()[0]
    me = db.execute(
        "SELECT 1 FROM users WHERE id = ? AND role = 'admin' AND active = 1", [user_id]
    ).fetchone()
    return me is not None and others == 0


def set_password(store: Store, user_id: int, password: str, *, actor: User | None) -> None:
    """A new password (an admin's reset, or the CLI): ends every session of that user."""
    validate_password(password)
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone():
            raise NotFound("error.not_found")
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), user_id]
        )
        audit.record(db, actor, "set_password", "users", user_id)


def set_active(store: Store, user_id: int, active: bool, *, actor: User | None) -> None:
    """Deactivate (ends every session at once) or reactivate an account.

    Refused: deactivating yourself, and deactivating the last active administrator (from the
    CLI there is no acting admin, so that rule is the one that keeps a way in).
    """
    if actor is not None and actor.id == user_id and not active:
        raise NotAllowed("error.account.cannot_deactivate_self")
    with store.transaction() as db:
        before = db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
        if before is None:
            raise NotFound("error.not_found")
        if not active and _is_last_active_admin(db, user_id):
            raise NotAllowed("error.account.last_admin")
        db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])
        audit.record(
            db,
            actor,
            "set_active",
            "users",
            user_id,
            before={"active": bool(before[0])},
            after={"active": active},
        )


def set_role(store: Store, user_id: int, role: Role | str, *, actor: User | None) -> None:
    """Give an account another staff role; open browsers get it at their next page run.

    Refused: a role that is not a staff role, and demoting the last active administrator.
    """
    new_role = _staff_role(role)
    with store.transaction() as db:
        before = db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
        if before is None:
            raise NotFound("error.not_found")
        if before[0] == new_role.value:
            raise NotAllowed("error.account.role_unchanged")  # nothing to change or audit
        if new_role is not Role.ADMIN and _is_last_active_admin(db, user_id):
            raise NotAllowed("error.account.last_admin")
        db.execute("UPDATE users SET role = ? WHERE id = ?", [new_role.value, user_id])
        audit.record(
            db,
            actor,
            "set_role",
            "users",
            user_id,
            before={"role": before[0]},
            after={"role": new_role.value},
        )
