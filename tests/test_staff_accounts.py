"""Administering staff accounts: deactivate, reactivate, change role, reset a password; and
login throttling per (username, network) with growing waits. Real SQLite, no mocks."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest

from workshop import ratelimit
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from workshop.model import Role, User

PASSWORD = "a long passphrase"
NEW_PASSWORD = "another long passphrase"
T0 = 1_800_000_000.0  # a fixed clock for throttling (seconds since the epoch)


@pytest.fixture
def admin(store: Store) -> User:
    return accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada Admin")


@pytest.fixture
def fie(store: Store) -> User:
    return accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie")


def live_token(store: Store, user: User) -> str:
    moment = datetime.now(UTC)
    ticket = staff_sessions.create_ticket(store, user, now=moment)
    token, _ = staff_sessions.redeem_ticket(store, ticket, now=moment)
    return token


def last_audit(store: Store) -> dict:
    entry = store.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert entry is not None
    return entry


def users_snapshot(store: Store) -> list[dict]:
    return store.query("SELECT id, username, role, active, password_hash FROM users ORDER BY id")


# -- deactivate and reactivate ----------------------------------------------------------------


def test_deactivating_ends_sessions_refuses_login_and_is_audited(store, admin, fie) -> None:
    token = live_token(store, fie)
    accounts.set_active(store, fie.id, False, actor=admin)
    assert staff_sessions.resolve_session(store, token) is None
    with pytest.raises(InvalidInput):
        accounts.authenticate(store, "fie", PASSWORD)
    entry = last_audit(store)
    assert (entry["actor"], entry["action"], entry["entity_id"]) == ("ada", "set_active", fie.id)
    assert json.loads(entry["after"]) == {"active": False}

    accounts.set_active(store, fie.id, True, actor=admin)
    entry = last_audit(store)
    assert (entry["action"], json.loads(entry["after"])) == ("set_active", {"active": True})
    assert accounts.authenticate(store, "fie", PASSWORD) == fie


def test_an_admin_cannot_deactivate_themselves(store, admin) -> None:
    accounts.create_user(store, "bob", PASSWORD, Role.ADMIN)
    before = users_snapshot(store)
    with pytest.raises(NotAllowed) as raised:
        accounts.set_active(store, admin.id, False, actor=admin)
    assert raised.value.key == "error.account.cannot_deactivate_self"
    assert users_snapshot(store) == before


def test_the_last_active_admin_cannot_be_deactivated(store, admin, fie) -> None:
    """From the command line there is no acting admin, so 'not yourself' is not enough."""
    before = users_snapshot(store)
    with pytest.raises(NotAllowed) as raised:
        accounts.set_active(store, admin.id, False, actor=None)
    assert raised.value.key == "error.account.last_admin"
    assert users_snapshot(store) == before


def test_a_second_admin_can_deactivate_the_first(store, admin) -> None:
    bo = accounts.create_user(store, "bob", PASSWORD, Role.ADMIN)
    accounts.set_active(store, admin.id, False, actor=bo)
    with pytest.raises(NotAllowed) as raised:  # now bo is the last one
        accounts.set_active(store, bo.id, False, actor=None)
    assert raised.value.key == "error.account.last_admin"


# -- roles ------------------------------------------------------------------------------------


def test_changing_a_role_is_audited_and_takes_effect_in_live_sessions(store, admin, fie) -> None:
    token = live_token(store, fie)
    accounts.set_role(store, fie.id, Role.ADMIN, actor=admin)
    session = staff_sessions.resolve_session(store, token)
    assert session is not None and session.user.role is Role.ADMIN
    entry = last_audit(store)
    assert (entry["action"], entry["entity_id"]) == ("set_role", fie.id)
    assert json.loads(entry["before"]) == {"role": "facilitator"}
    assert json.loads(entry["after"]) == {"role": "admin"}


def test_a_role_change_that_changes_nothing_is_refused_and_not_audited(store, admin, fie) -> None:
    entries = store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(NotAllowed) as raised:
        accounts.set_role(store, fie.id, Role.FACILITATOR, actor=admin)
    assert raised.value.key == "error.account.role_unchanged"
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == entries


def test_the_last_active_admin_cannot_be_demoted(store, admin, fie) -> None:
    before = users_snapshot(store)
    with pytest.raises(NotAllowed) as raised:
        accounts.set_role(store, admin.id, Role.FACILITATOR, actor=admin)
    assert raised.value.key == "error.account.last_admin"
    assert users_snapshot(store) == before


def test_an_inactive_admin_does_not_count_as_another_admin(store, admin) -> None:
    bo = accounts.create_user(store, "bob", PASSWORD, Role.ADMIN)
    accounts.set_active(store, bo.id, False, actor=admin)
    with pytest.raises(NotAllowed):
        accounts.set_role(store, admin.id, Role.POLITICIAN, actor=None)


@pytest.mark.parametrize("role", ["citizen", "superuser", "", None])
def test_a_role_that_is_no_staff_role_is_refused(store, admin, fie, role) -> None:
    before = users_snapshot(store)
    with pytest.raises(InvalidInput) as raised:
        accounts.set_role(store, fie.id, role, actor=admin)  # type: ignore[arg-type]
    assert raised.value.key == "error.account.bad_role"
    assert users_snapshot(store) == before


@pytest.mark.parametrize("role", ["citizen", "", None])
def test_creating_an_account_without_a_staff_role_is_refused(store, role) -> None:
    with pytest.raises(InvalidInput) as raised:
        accounts.create_user(store, "bob", PASSWORD, role)  # type: ignore[arg-type]
    assert raised.value.key == "error.account.bad_role"
    assert accounts.list_users(store) == []


# -- passwords and unknown users --------------------------------------------------------------


def test_an_admin_resets_a_password(store, admin, fie) -> None:
    token = live_token(store, fie)
    accounts.set_password(store, fie.id, NEW_PASSWORD, actor=admin)
    assert staff_sessions.resolve_session(store, token) is None
    assert accounts.authenticate(store, "fie", NEW_PASSWORD) == fie
    entry = store.query_one("SELECT * FROM audit_log WHERE action = 'set_password'")
    assert entry is not None and entry["actor"] == "ada" and entry["entity_id"] == fie.id
    assert NEW_PASSWORD not in json.dumps(store.query("SELECT * FROM audit_log"))


def test_a_weak_new_password_is_refused_and_the_old_one_still_works(store, admin, fie) -> None:
    token = live_token(store, fie)
    with pytest.raises(InvalidInput) as raised:
        accounts.set_password(store, fie.id, "short", actor=admin)
    assert raised.value.key == "error.account.password_short"
    assert staff_sessions.resolve_session(store, token) is not None
    assert accounts.authenticate(store, "fie", PASSWORD) == fie


def test_unknown_users_are_named_in_the_refusal(store, admin) -> None:
    with pytest.raises(NotFound) as raised:
        accounts.get_user_by_username(store, "nobody")
    assert raised.value.key == "error.account.unknown_user"
    assert raised.value.params == {"username": "nobody"}
    assert accounts.get_user_by_username(store, " ADA ") == admin
    for action in (
        lambda: accounts.set_active(store, 999, False, actor=admin),
        lambda: accounts.set_role(store, 999, Role.POLITICIAN, actor=admin),
        lambda: accounts.set_password(store, 999, NEW_PASSWORD, actor=admin),
    ):
        with pytest.raises(NotFound):
            action()


def test_active_user_rereads_role_and_refuses_the_deactivated(store, admin, fie) -> None:
    """The cheap check a cached browser session makes on each run."""
    assert accounts.active_user(store, fie.id) == fie
    accounts.set_role(store, fie.id, Role.POLITICIAN, actor=admin)
    assert accounts.active_user(store, fie.id) == User(fie.id, "fie", "Fie", Role.POLITICIAN)
    accounts.set_active(store, fie.id, False, actor=admin)
    assert accounts.active_user(store, fie.id) is None
    assert accounts.active_user(store, 999) is None


# -- throttling per (username, network) -------------------------------------------------------


def guess(store: Store, network: str, at: float, password: str = "wrong guess!!") -> None:
    accounts.authenticate(store, "fie", password, network=network, now=at)


def test_a_strangers_guesses_do_not_lock_the_user_out_of_their_own_network(store, fie) -> None:
    clock = T0
    waits = []
    wrong = 0
    while wrong < 50:
        try:
            guess(store, "ip:203.0.113.9", clock)
        except RateLimited as limited:
            waits.append(limited.params["seconds"])
            clock += limited.params["seconds"]  # the attacker waits exactly as told
        except InvalidInput:
            wrong += 1
    # The real user, from the town hall's network, logs in at once.
    assert accounts.authenticate(store, "fie", PASSWORD, network="ip:192.0.2.1", now=clock) == fie
    # Network A: free tries first, then waits that double up to the cap.
    assert waits[:6] == [1, 2, 4, 8, 16, 32]
    assert waits == sorted(waits) and max(waits) == accounts.LOGIN_MAX_WAIT_S
    # Throttled attempts are not even checked: the right password from A waits too.
    with pytest.raises(RateLimited) as raised:
        accounts.authenticate(store, "fie", PASSWORD, network="ip:203.0.113.9", now=clock)
    assert raised.value.key in {"error.login.wait_seconds", "error.login.wait_minutes"}
    assert raised.value.params.get("minutes") == accounts.LOGIN_MAX_WAIT_S // 60


def test_the_first_failures_are_free_then_the_wait_grows(store, fie) -> None:
    network = "ip:198.51.100.7"
    for _ in range(accounts.LOGIN_FAILURES_ALLOWED):
        with pytest.raises(InvalidInput):
            guess(store, network, T0)
    with pytest.raises(RateLimited) as raised:
        guess(store, network, T0 + 0.2, PASSWORD)
    assert (raised.value.key, raised.value.params) == ("error.login.wait_seconds", {"seconds": 1})
    # Once the wait is over, the right password works and forgets the failures.
    at = T0 + 1
    assert accounts.authenticate(store, "fie", PASSWORD, network=network, now=at) == fie
    for _ in range(accounts.LOGIN_FAILURES_ALLOWED):
        with pytest.raises(InvalidInput):
            guess(store, network, at)


def test_a_throttled_attempt_is_not_counted_as_another_failure(store, fie) -> None:
    network = "ip:198.51.100.8"
    for n in range(accounts.LOGIN_FAILURES_ALLOWED + 1):
        with contextlib.suppress(InvalidInput):
            guess(store, network, T0 + 10 * n)
    before = store.scalar("SELECT count(*) FROM rate_events")
    for _ in range(20):
        with pytest.raises(RateLimited):
            guess(store, network, T0 + 50.5)
    assert store.scalar("SELECT count(*) FROM rate_events") == before


def test_failures_are_forgotten_after_a_day(store, fie) -> None:
    network = "ip:198.51.100.9"
    for n in range(accounts.LOGIN_FAILURES_ALLOWED):
        with pytest.raises(InvalidInput):
            guess(store, network, T0 + n)
    later = T0 + accounts.LOGIN_MEMORY_S + 10
    assert accounts.authenticate(store, "fie", PASSWORD, network=network, now=later) == fie


def test_password_spraying_from_one_network_is_still_limited(store, fie) -> None:
    network = "ip:203.0.113.50"
    for n in range(accounts.LOGIN_FAILURES_PER_NETWORK):
        with pytest.raises(InvalidInput):
            accounts.authenticate(store, f"user{n}", "wrong guess!!", network=network, now=T0)
    with pytest.raises(RateLimited) as raised:
        accounts.authenticate(store, "fie", PASSWORD, network=network, now=T0 + 1)
    assert raised.value.params["seconds"] > 0


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (14, 512), (15, 900), (10_000, 900)],
)
def test_growing_wait(failures, wait) -> None:
    assert ratelimit.growing_wait(failures, free=5, cap_s=900) == wait
