"""Staff sessions that survive a reload: a random token in an HttpOnly cookie, hashed in the DB.

A Streamlit session lives as long as one websocket, so a login kept only in session state is
gone after a reload, in a second tab or on a typed URL. Instead, a successful login makes a
**login ticket** (random, single use, valid ``TICKET_LIFETIME``) and the browser is sent to
``/auth/session?ticket=…`` (``workshop.ui.auth_routes``), which redeems the ticket for a
**staff session** and sets the session token as a cookie. Every page load then resolves the
cookie here.

Only SHA-256 hashes of tickets and tokens are stored: a copy of the database opens no
browser's session. Tokens carry ``TOKEN_BYTES`` (256 bits) from ``secrets``.

A session ends when the staff member logs out, after ``IDLE_TIMEOUT`` without a page run,
``ABSOLUTE_LIFETIME`` after the login whatever happens, and at once when an administrator
deactivates the account or the password changes (triggers on ``users``, so no code path can
forget it). Rows are deleted ``RETENTION`` after they ended (``purge_ended``, run at each
login).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlite_utils import Database, Migrations

from workshop import audit
from workshop.db import Store, run_sql
from workshop.errors import InvalidInput
from workshop.link_secrets import hash_secret  # one digest for every secret at rest
from workshop.model import Role, User

migrations = Migrations("samskab.staff_sessions")

COOKIE_NAME = "samskab_staff"
TOKEN_BYTES = 32  # 256 bits from secrets.token_urlsafe
# A town hall runs an evening; a session left alone half a day is over.
IDLE_TIMEOUT = timedelta(hours=12)
# Whatever the activity, log in again once a week.
ABSOLUTE_LIFETIME = timedelta(days=7)
# The login page hands the browser a ticket it redeems within a second; a minute is plenty.
TICKET_LIFETIME = timedelta(seconds=60)
# last_seen_at is written at most this often per session (not at every rerun).
TOUCH_INTERVAL = timedelta(minutes=1)
# Ended sessions and used tickets are kept this long (who was logged in when), then deleted.
RETENTION = timedelta(days=30)

# Reasons a session ended, as stored in staff_sessions.ended_reason.
LOGOUT = "logout"
PASSWORD_CHANGED = "password_changed"
DEACTIVATED = "deactivated"


@migrations(name="m001_staff_sessions")
def m001_staff_sessions(db: Database) -> None:
    run_sql(
        db,
        """
-- One row per browser a staff member logged in from. Only the token's SHA-256 is stored.
CREATE TABLE staff_sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT,
    ended_reason TEXT CHECK (ended_reason IN ('logout', 'password_changed', 'deactivated')),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id, ended_at);

-- Single-use tickets a logged-in page hands to /auth/session to get the cookie.
CREATE TABLE staff_login_tickets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    ticket_hash TEXT NOT NULL UNIQUE CHECK (length(ticket_hash) = 64),
    next_path TEXT NOT NULL DEFAULT '/',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- A new password or a deactivated account ends every session and unused ticket at once.
CREATE TRIGGER users_password_ends_staff_sessions
AFTER UPDATE OF password_hash ON users
WHEN NEW.password_hash IS NOT OLD.password_hash
BEGIN
    UPDATE staff_sessions
       SET ended_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), ended_reason = 'password_changed'
     WHERE user_id = NEW.id AND ended_at IS NULL;
    UPDATE staff_login_tickets SET used_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
     WHERE user_id = NEW.id AND used_at IS NULL;
END;

CREATE TRIGGER users_deactivation_ends_staff_sessions
AFTER UPDATE OF active ON users
WHEN NEW.active = 0 AND OLD.active <> 0
BEGIN
    UPDATE staff_sessions
       SET ended_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), ended_reason = 'deactivated'
     WHERE user_id = NEW.id AND ended_at IS NULL;
    UPDATE staff_login_tickets SET used_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
     WHERE user_id = NEW.id AND used_at IS NULL;
END;
""",
    )


@dataclass(frozen=True)
class StaffSession:
    id: int
    user: User
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the absolute end; the idle end is last_seen_at + IDLE_TIMEOUT

    @property
    def idle_expires_at(self) -> datetime:
        return self.last_seen_at + IDLE_TIMEOUT


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def safe_next(path: str | None, default: str = "/") -> str:
    """``path`` if it is a path on this site (``/console?meeting=3``), else ``default``.

    Refuses anything a browser could read as another site: a scheme or host
    (``https://x``, ``//x``, ``/\\x``), control characters, or no leading slash.
    """
    if not path or len(path) > 500 or not path.startswith("/"):
        return default
    if path.startswith(("//", "/\\")) or "\\" in path:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in path):
        return default
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    if parts.path.startswith("/auth/"):  # never bounce back into the auth routes
        return default
    return path


def create_ticket(
    store: Store, user: User, *, next_path: str = "/", now: datetime | None = None
) -> str:
    """A single-use ticket for ``user``, after a successful login; returns the raw ticket."""
    moment = _now(now)
    ticket = secrets.token_urlsafe(TOKEN_BYTES)
    with store.transaction() as db:
        purge_ended(db, now=moment)
        db.execute(
            "INSERT INTO staff_login_tickets"
            " (user_id, ticket_hash, next_path, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            [
                user.id,
                hash_secret(ticket),
                safe_next(next_path),
                _iso(moment),
                _iso(moment + TICKET_LIFETIME),
            ],
        )
    return ticket


def redeem_ticket(store: Store, ticket: str, *, now: datetime | None = None) -> tuple[str, str]:
    """Spend a ticket: start a staff session. Returns ``(session token, next path)``.

    A ticket works once, within ``TICKET_LIFETIME``, for an active account; anything else
    raises ``InvalidInput("auth.ticket_invalid")``.
    """
    moment = _now(now)
    with store.transaction() as db:
        row = db.execute(
            "SELECT t.id, t.user_id, t.next_path, t.expires_at, t.used_at, u.active"
            " FROM staff_login_tickets t JOIN users u ON u.id = t.user_id"
            " WHERE t.ticket_hash = ?",
            [hash_secret(ticket or "")],
        ).fetchone()
        if row is None:
            raise InvalidInput("auth.ticket_invalid")
        ticket_id, user_id, next_path, expires_at, used_at, active = row
        if used_at is not None or not active or _parse(expires_at) <= moment:
            raise InvalidInput("auth.ticket_invalid")
        # The WHERE makes a second, concurrent redemption of the same ticket change nothing.
        spent = db.execute(
            "UPDATE staff_login_tickets SET used_at = ? WHERE id = ? AND used_at IS NULL",
            [_iso(moment), ticket_id],
        ).rowcount
        if spent != 1:
            raise InvalidInput("auth.ticket_invalid")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        db.execute(
            "INSERT INTO staff_sessions (user_id, token_hash, created_at, last_seen_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                user_id,
                hash_secret(token),
                _iso(moment),
                _iso(moment),
                _iso(moment + ABSOLUTE_LIFETIME),
            ],
        )
    return token, str(next_path)


def resolve_session(
    store: Store, token: str | None, *, now: datetime | None = None
) -> StaffSession | None:
    """The live session the cookie's token names, or None (unknown, ended or expired).

    One indexed read; ``last_seen_at`` is written at most every ``TOUCH_INTERVAL``.
    """
    if not token:
        return None
    moment = _now(now)
    row = store.query_one(
        "SELECT s.id, s.created_at, s.last_seen_at, s.expires_at, s.ended_at,"
        " u.id AS user_id, u.username, u.display_name, u.role, u.active"
        " FROM staff_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [hash_secret(token)],
    )
    if row is None or row["ended_at"] is not None or not row["active"]:
        return None
    last_seen = _parse(row["last_seen_at"])
    expires = _parse(row["expires_at"])
    if moment >= expires or moment >= last_seen + IDLE_TIMEOUT:
        return None
    if moment - last_seen >= TOUCH_INTERVAL:
        with store.transaction() as db:
            db.execute(
                "UPDATE staff_sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL",
                [_iso(moment), row["id"]],
            )
        last_seen = moment
    user = User(row["user_id"], row["username"], row["display_name"], Role(row["role"]))
    return StaffSession(row["id"], user, _parse(row["created_at"]), last_seen, expires)


def is_live(store: Store, token: str | None, *, now: datetime | None = None) -> bool:
    """Does ``token`` name a session that still works? (Read only, no touch.)"""
    if not token:
        return False
    row = store.query_one(
        "SELECT s.last_seen_at, s.expires_at, s.ended_at, u.active"
        " FROM staff_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
        [hash_secret(token)],
    )
    if row is None or row["ended_at"] is not None or not row["active"]:
        return False
    moment = _now(now)
    return moment < _parse(row["expires_at"]) and moment < (
        _parse(row["last_seen_at"]) + IDLE_TIMEOUT
    )


def end_session(
    store: Store, token: str | None, *, actor: User | None, now: datetime | None = None
) -> bool:
    """Log out: end the session ``token`` names and write ``log_out`` to the audit log.

    Returns whether a live session was ended (False for an unknown or already ended one).
    """
    if not token:
        return False
    moment = _now(now)
    with store.transaction() as db:
        row = db.execute(
            "SELECT id, user_id FROM staff_sessions WHERE token_hash = ? AND ended_at IS NULL",
            [hash_secret(token)],
        ).fetchone()
        if row is None:
            return False
        session_id, user_id = row
        db.execute(
            "UPDATE staff_sessions SET ended_at = ?, ended_reason = ? WHERE id = ?",
            [_iso(moment), LOGOUT, session_id],
        )
        audit.record(db, actor, "log_out", "users", user_id, after={"staff_session": session_id})
    return True


def list_live_sessions(store: Store, user_id: int, *, now: datetime | None = None) -> list[dict]:
    """A user's sessions that have not ended and not expired (for reports and tests)."""
    moment = _now(now)
    rows = store.query(
        "SELECT id, created_at, last_seen_at, expires_at FROM staff_sessions"
        " WHERE user_id = ? AND ended_at IS NULL ORDER BY id",
        [user_id],
    )
    return [
        row
        for row in rows
        if moment < _parse(row["expires_at"])
        and moment < _parse(row["last_seen_at"]) + IDLE_TIMEOUT
    ]


def purge_ended(db: Database, *, now: datetime | None = None) -> None:
    """Delete sessions and tickets that ended or expired more than ``RETENTION`` ago.

    Call inside a transaction (``create_ticket`` does, at each login).
    """
    cutoff = _iso(_now(now) - RETENTION)
    idle_cutoff = _iso(_now(now) - RETENTION - IDLE_TIMEOUT)
    db.execute(
        "DELETE FROM staff_sessions WHERE ended_at < ? OR expires_at < ? OR last_seen_at < ?",
        [cutoff, cutoff, idle_cutoff],
    )
    db.execute("DELETE FROM staff_login_tickets WHERE expires_at < ?", [cutoff])
