"""Staff accounts: admins, facilitators and politicians. Citizens have no account.

Passwords are hashed with Argon2id (argon2-cffi, the maintained binding of the Password
Hashing Competition winner). There is no default password anywhere: the first admin is made
with ``samskab create-user --role admin`` (see the README).
"""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workshop import audit, ratelimit
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.model import ACCOUNT_ROLES, Role, User, utcnow
from workshop.text import clean_text

MIN_PASSWORD_CHARS = 10
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW_S = 300
# Failed logins per network address, across usernames (password spraying). Staff sit behind
# one town-hall NAT, so the limit is well above what people mistyping ever reach.
LOGIN_FAILURES_PER_NETWORK = 50

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


def create_user(
    store: Store,
    username: str,
    password: str,
    role: Role | str,
    display_name: str = "",
    *,
    actor: User | None = None,
) -> User:
    username = clean_text(username).lower()
    role = Role(role)
    if role not in ACCOUNT_ROLES:
        raise InvalidInput("error.account.bad_role")
    if not _USERNAME.match(username):
        raise InvalidInput("error.account.bad_username")
    validate_password(password)
    display_name = clean_text(display_name)[:80] or username
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
            raise InvalidInput("error.account.username_taken", username=username)
        cursor = db.execute(
            "INSERT INTO users (username, display_name, role, password_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [username, display_name, role.value, _hasher.hash(password), utcnow()],
        )
        user_id = cursor.lastrowid
        assert user_id is not None
        audit.record(
            db, actor, "create_user", "users", user_id, after={"username": username, "role": role}
        )
    return User(user_id, username, display_name, role)


def authenticate(store: Store, username: str, password: str, *, network: str | None = None) -> User:
    """Return the user, or raise the same message for any failure (no account enumeration).

    Failures are limited per username and, when the caller knows it, per network address.
    A successful login is written to the audit log.
    """
    username = clean_text(username).lower()
    limits = [("login", username, LOGIN_FAILURES_ALLOWED)]
    if network:
        limits.append(("login_network", network, LOGIN_FAILURES_PER_NETWORK))
    for kind, subject, limit in limits:
        ratelimit.check(store, kind, subject, limit=limit, window_s=LOGIN_WINDOW_S)
    row = store.query_one("SELECT * FROM users WHERE username = ? AND active = 1", [username])
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
        if row is None:
            raise VerificationError
    except (VerificationError, InvalidHashError):
        for kind, subject, _ in limits:
            ratelimit.record_failure(store, kind, subject)
        raise InvalidInput("error.login.failed") from None
    ratelimit.clear(store, "login", username)
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


def list_users(store: Store) -> list[dict[str, Any]]:
    return store.query(
        "SELECT id, username, display_name, role, active, created_at FROM users ORDER BY username"
    )


def has_admin(store: Store) -> bool:
    return bool(store.scalar("SELECT 1 FROM users WHERE role = 'admin' AND active = 1"))


def set_password(store: Store, user_id: int, password: str, *, actor: User | None) -> None:
    validate_password(password)
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM users WHERE id = ?", [user_id]).fetchone():
            raise NotFound("error.not_found")
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), user_id]
        )
        audit.record(db, actor, "set_password", "users", user_id)


def set_active(store: Store, user_id: int, active: bool, *, actor: User) -> None:
    if actor.id == user_id and not active:
        raise NotAllowed("error.account.cannot_deactivate_self")
    with store.transaction() as db:
        before = db.execute("SELECT active FROM users WHERE id = ?", [user_id]).fetchone()
        if before is None:
            raise NotFound("error.not_found")
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
