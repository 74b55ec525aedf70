"""Staff sessions: tickets, tokens, expiry and revocation, against real SQLite."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop import audit
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.accounts.sessions import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    TICKET_LIFETIME,
    TOUCH_INTERVAL,
    create_ticket,
    end_session,
    redeem_ticket,
    resolve_session,
    safe_next,
)
from workshop.db import Store
from workshop.errors import InvalidInput
from workshop.model import Role, User

T0 = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)


def log_in(store: Store, user: User, at: datetime = T0, next_path: str = "/console") -> str:
    ticket = create_ticket(store, user, next_path=next_path, now=at)
    token, _ = redeem_ticket(store, ticket, now=at + timedelta(seconds=1))
    return token


def test_a_redeemed_ticket_starts_a_session_for_its_user(store, facilitator) -> None:
    ticket = create_ticket(store, facilitator, next_path="/console?meeting=3", now=T0)
    token, next_path = redeem_ticket(store, ticket, now=T0 + timedelta(seconds=2))
    assert next_path == "/console?meeting=3"
    session = resolve_session(store, token, now=T0 + timedelta(minutes=5))
    assert session is not None
    assert session.user == facilitator
    assert session.expires_at == T0 + timedelta(seconds=2) + ABSOLUTE_LIFETIME


def test_tokens_and_tickets_are_random_long_and_stored_only_hashed(store, facilitator) -> None:
    ticket = create_ticket(store, facilitator, now=T0)
    token, _ = redeem_ticket(store, ticket, now=T0)
    other = log_in(store, facilitator)
    assert token != other and len(token) >= 43  # 32 bytes = 256 bits, url-safe base64
    if store.engine == "sqlite":
        dump = "\n".join(store.db.conn.iterdump())
    else:  # every row of every table, as text
        tables = store.db.table_names()
        dump = "\n".join(str(r) for t in tables for r in store.query(f'SELECT * FROM "{t}"'))
    assert token not in dump and ticket not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump
    assert hashlib.sha256(ticket.encode()).hexdigest() in dump


def test_a_ticket_works_once(store, facilitator) -> None:
    ticket = create_ticket(store, facilitator, now=T0)
    redeem_ticket(store, ticket, now=T0)
    with pytest.raises(InvalidInput) as raised:
        redeem_ticket(store, ticket, now=T0 + timedelta(seconds=1))
    assert raised.value.key == "auth.ticket_invalid"
    assert len(staff_sessions.list_live_sessions(store, facilitator.id, now=T0)) == 1


def test_a_ticket_expires_after_its_lifetime(store, facilitator) -> None:
    ticket = create_ticket(store, facilitator, now=T0)
    with pytest.raises(InvalidInput):
        redeem_ticket(store, ticket, now=T0 + TICKET_LIFETIME)
    fresh = create_ticket(store, facilitator, now=T0)
    redeem_ticket(store, fresh, now=T0 + TICKET_LIFETIME - timedelta(seconds=1))


@pytest.mark.parametrize("ticket", ["", "nonsense", "x" * 500])
def test_unknown_tickets_are_refused(store, facilitator, ticket) -> None:
    with pytest.raises(InvalidInput):
        redeem_ticket(store, ticket, now=T0)


def test_unknown_tokens_resolve_to_nobody(store, facilitator) -> None:
    log_in(store, facilitator)
    assert resolve_session(store, None, now=T0) is None
    assert resolve_session(store, "", now=T0) is None
    assert resolve_session(store, "not-a-token", now=T0) is None


def test_a_session_ends_after_the_idle_timeout(store, facilitator) -> None:
    token = log_in(store, facilitator)
    start = T0 + timedelta(seconds=1)
    assert resolve_session(store, token, now=start + IDLE_TIMEOUT - timedelta(seconds=1))
    assert resolve_session(store, token, now=start + 2 * IDLE_TIMEOUT) is None


def test_activity_keeps_a_session_alive_until_the_absolute_limit(store, facilitator) -> None:
    token = log_in(store, facilitator)
    moment = T0 + timedelta(seconds=1)
    # Used every 6 hours: never idle for long, but a week after login it is over.
    while moment < T0 + ABSOLUTE_LIFETIME - timedelta(hours=6):
        moment += timedelta(hours=6)
        assert resolve_session(store, token, now=moment) is not None, moment
    assert resolve_session(store, token, now=T0 + ABSOLUTE_LIFETIME + timedelta(seconds=1)) is None


def test_last_seen_is_written_at_most_once_per_touch_interval(store, facilitator) -> None:
    token = log_in(store, facilitator)
    start = T0 + timedelta(seconds=1)

    def last_seen() -> str:
        return store.scalar("SELECT last_seen_at FROM staff_sessions")

    first = last_seen()
    resolve_session(store, token, now=start + TOUCH_INTERVAL / 2)
    assert last_seen() == first
    resolve_session(store, token, now=start + TOUCH_INTERVAL)
    assert last_seen() > first


def test_logging_out_ends_only_that_session_and_is_audited(store, facilitator) -> None:
    laptop = log_in(store, facilitator)
    phone = log_in(store, facilitator)
    assert end_session(store, laptop, actor=facilitator, now=T0 + timedelta(minutes=1))
    assert resolve_session(store, laptop, now=T0 + timedelta(minutes=2)) is None
    assert resolve_session(store, phone, now=T0 + timedelta(minutes=2)) is not None
    assert not end_session(store, laptop, actor=facilitator)  # already ended
    entry = audit.list_entries(store)[0]
    assert (entry["action"], entry["actor"], entry["entity_id"]) == (
        "log_out",
        "fie",
        facilitator.id,
    )


def test_login_is_audited_by_authenticate(store, facilitator) -> None:
    accounts.authenticate(store, "fie", "correct horse battery", network="ip:10.0.0.1")
    assert audit.list_entries(store)[0]["action"] == "log_in"


def test_deactivating_an_account_ends_its_sessions_and_tickets(store, facilitator) -> None:
    admin = accounts.create_user(store, "ada", "correct horse battery", Role.ADMIN)
    token = log_in(store, facilitator, at=datetime.now(UTC))
    pending = create_ticket(store, facilitator)
    admins_token = log_in(store, admin, at=datetime.now(UTC))
    accounts.set_active(store, facilitator.id, False, actor=admin)
    assert resolve_session(store, token) is None
    with pytest.raises(InvalidInput):
        redeem_ticket(store, pending)
    assert resolve_session(store, admins_token) is not None
    assert store.scalar(
        "SELECT ended_reason FROM staff_sessions WHERE user_id = ?", [facilitator.id]
    ) == ("deactivated")
    # Reactivating does not bring the old session back.
    accounts.set_active(store, facilitator.id, True, actor=admin)
    assert resolve_session(store, token) is None


def test_a_new_password_ends_every_session_of_that_user(store, facilitator) -> None:
    token = log_in(store, facilitator, at=datetime.now(UTC))
    accounts.set_password(store, facilitator.id, "another long passphrase", actor=None)
    assert resolve_session(store, token) is None
    reason = store.scalar("SELECT ended_reason FROM staff_sessions")
    assert reason == "password_changed"
    # The new password logs in and gets a new session.
    user = accounts.authenticate(store, "fie", "another long passphrase")
    assert resolve_session(store, log_in(store, user, at=datetime.now(UTC))) is not None


def test_even_a_direct_update_of_users_ends_the_sessions(store, facilitator) -> None:
    """The rule is a trigger: a code path that forgets the session table cannot skip it."""
    token = log_in(store, facilitator, at=datetime.now(UTC))
    store.execute("UPDATE users SET active = 0 WHERE id = ?", [facilitator.id])
    assert resolve_session(store, token) is None


def test_ended_sessions_are_deleted_after_the_retention_period(store, facilitator) -> None:
    token = log_in(store, facilitator)
    end_session(store, token, actor=facilitator, now=T0 + timedelta(hours=1))
    create_ticket(store, facilitator, now=T0 + staff_sessions.RETENTION)  # purges nothing yet
    assert store.scalar("SELECT count(*) FROM staff_sessions") == 1
    create_ticket(store, facilitator, now=T0 + staff_sessions.RETENTION + timedelta(hours=2))
    assert store.scalar("SELECT count(*) FROM staff_sessions") == 0
    assert store.scalar("SELECT count(*) FROM staff_login_tickets") == 2  # the two recent ones


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console?meeting=3",
        "/",
        "/samskab/committees",
        "/apply?committee=2&x=%2F",
        "/%0d%0aSet-Cookie:x",  # percent-encoded: an ordinary (odd) path on this site
    ],
)
def test_safe_next_keeps_paths_on_this_site(path) -> None:
    assert safe_next(path) == path


@pytest.mark.parametrize(
    "path",
    [
        None,
        "",
        "console",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
        "/auth/session?ticket=x",
        "/" + "a" * 600,
    ],
)
def test_safe_next_refuses_other_sites_and_odd_paths(path) -> None:
    assert safe_next(path, default="/home") == "/home"


@given(st.text(max_size=80))
def test_safe_next_never_returns_another_origin(path) -> None:
    result = safe_next(path)
    assert result.startswith("/") and not result.startswith(("//", "/\\"))
    assert "\\" not in result and not any(ord(c) < 0x20 for c in result)
