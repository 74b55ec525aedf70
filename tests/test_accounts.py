"""Staff accounts: hashing, login, limits on guessing."""

from __future__ import annotations

import pytest

from workshop.accounts import users as accounts
from workshop.errors import InvalidInput, RateLimited
from workshop.model import Role


def test_passwords_are_stored_as_argon2_hashes(store) -> None:
    accounts.create_user(store, "anna", "a long passphrase", Role.ADMIN)
    stored = store.scalar("SELECT password_hash FROM users WHERE username = 'anna'")
    assert stored.startswith("$argon2id$")
    assert "a long passphrase" not in stored


def test_login_with_the_right_password(store) -> None:
    made = accounts.create_user(store, "Anna", "a long passphrase", Role.POLITICIAN)
    user = accounts.authenticate(store, "anna", "a long passphrase")
    assert user == made and user.role is Role.POLITICIAN


@pytest.mark.parametrize("username", ["anna", "nobody"])
def test_wrong_password_or_unknown_user_get_the_same_message(store, username) -> None:
    accounts.create_user(store, "anna", "a long passphrase", Role.ADMIN)
    with pytest.raises(InvalidInput) as raised:
        accounts.authenticate(store, username, "wrong password")
    assert raised.value.key == "error.login.failed"


def test_repeated_failures_are_rate_limited_even_with_the_right_password(store) -> None:
    accounts.create_user(store, "anna", "a long passphrase", Role.ADMIN)
    for _ in range(accounts.LOGIN_FAILURES_ALLOWED):
        with pytest.raises(InvalidInput):
            accounts.authenticate(store, "anna", "guess")
    with pytest.raises(RateLimited) as raised:
        accounts.authenticate(store, "anna", "a long passphrase")
    assert raised.value.params["seconds"] > 0


@pytest.mark.parametrize(
    ("username", "password", "key"),
    [
        ("a", "a long passphrase", "error.account.bad_username"),
        ("has space", "a long passphrase", "error.account.bad_username"),
        ("anna", "short", "error.account.password_short"),
    ],
)
def test_bad_account_input_is_refused_and_nothing_is_saved(store, username, password, key) -> None:
    with pytest.raises(InvalidInput) as raised:
        accounts.create_user(store, username, password, Role.FACILITATOR)
    assert raised.value.key == key
    assert accounts.list_users(store) == []


def test_usernames_are_unique_ignoring_case(store) -> None:
    accounts.create_user(store, "anna", "a long passphrase", Role.ADMIN)
    with pytest.raises(InvalidInput) as raised:
        accounts.create_user(store, "ANNA", "another passphrase", Role.FACILITATOR)
    assert raised.value.key == "error.account.username_taken"


def test_a_fresh_database_has_no_admin_and_no_default_password(store) -> None:
    assert not accounts.has_admin(store)
    assert accounts.list_users(store) == []


def test_creating_a_user_is_audited(store) -> None:
    admin = accounts.create_user(store, "root", "a long passphrase", Role.ADMIN)
    accounts.create_user(store, "fie", "another passphrase", Role.FACILITATOR, actor=admin)
    entry = store.query_one(
        "SELECT * FROM audit_log WHERE entity_id != ? ORDER BY id DESC", [admin.id]
    )
    assert entry["actor"] == "root" and entry["action"] == "create_user"
