"""The Users page administers accounts; a page run notices a deactivated account; logging out
needs a button press (opening /logout changes nothing)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import PAGES, texts
from workshop import ratelimit
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.errors import InvalidInput
from workshop.i18n import translate
from workshop.model import Role, User
from workshop.ui import session, staff_login

PASSWORD = "a long passphrase"


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


def open_page(make_app, user: User | None, page: str) -> AppTest:
    at = make_app(user=user).run()
    at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def usernames(store) -> list[str]:
    return [r["username"] for r in accounts.list_users(store)]


# -- the new-account form ---------------------------------------------------------------------


def test_the_new_account_form_keeps_its_input_after_an_error(world, make_app) -> None:
    admin = world["users"][Role.ADMIN]
    at = open_page(make_app, admin, "users")
    # The browser empties a clear_on_submit form at every submit, also a refused one; the page
    # clears its fields itself, and only after a success.
    forms = at.get("form")
    assert forms and not any(form.proto.form.clear_on_submit for form in forms)
    at.text_input(key="users_username").input("new.person")
    at.text_input(key="users_name").input("Ny Person")
    at.selectbox(key="users_role").select("facilitator")
    at.text_input(key="users_password").input("short")
    button(at, da("users.create")).click().run()
    assert not at.exception
    assert da("error.account.password_short", min=accounts.MIN_PASSWORD_CHARS) in texts(at)
    assert at.text_input(key="users_username").value == "new.person"
    assert at.text_input(key="users_name").value == "Ny Person"
    assert at.selectbox(key="users_role").value == "facilitator"
    assert "new.person" not in usernames(world["store"])


def test_the_new_account_form_has_no_privileged_default(world, make_app) -> None:
    admin = world["users"][Role.ADMIN]
    at = open_page(make_app, admin, "users")
    assert at.selectbox(key="users_role").value is None
    at.text_input(key="users_username").input("oops")
    at.text_input(key="users_password").input("a long enough passphrase")
    button(at, da("users.create")).click().run()
    assert not at.exception
    assert da("error.account.bad_role") in texts(at)
    assert "oops" not in usernames(world["store"])
    assert at.text_input(key="users_username").value == "oops"

    # Choosing a role creates the account, and only then the form empties.
    at.selectbox(key="users_role").select("politician")
    button(at, da("users.create")).click().run()
    assert not at.exception
    made = accounts.get_user_by_username(world["store"], "oops")
    assert made.role is Role.POLITICIAN
    assert at.text_input(key="users_username").value == ""
    assert at.text_input(key="users_password").value == ""
    assert at.selectbox(key="users_role").value is None


# -- administering an account -----------------------------------------------------------------


def pick(at: AppTest, user: User) -> AppTest:
    at.selectbox(key="users_pick").select(user.id).run()
    assert not at.exception, at.exception
    return at


def test_an_admin_deactivates_reactivates_changes_role_and_resets_password(world, make_app) -> None:
    store = world["store"]
    admin = world["users"][Role.ADMIN]
    fie = world["users"][Role.FACILITATOR]
    at = pick(open_page(make_app, admin, "users"), fie)

    button(at, da("staff.deactivate")).click().run()
    assert accounts.active_user(store, fie.id) is None
    button(at, da("staff.reactivate")).click().run()
    assert accounts.active_user(store, fie.id) == fie

    at.selectbox(key=f"users_new_role_{fie.id}").select("politician")
    button(at, da("staff.save_role")).click().run()
    assert accounts.get_user(store, fie.id).role is Role.POLITICIAN

    at.text_input(key="users_new_password").input("short")
    button(at, da("staff.reset_password")).click().run()
    assert da("error.account.password_short", min=accounts.MIN_PASSWORD_CHARS) in texts(at)
    assert accounts.authenticate(store, fie.username, PASSWORD).id == fie.id
    at.text_input(key="users_new_password").input("a fresh new passphrase")
    button(at, da("staff.reset_password")).click().run()
    assert accounts.authenticate(store, fie.username, "a fresh new passphrase").id == fie.id
    assert at.text_input(key="users_new_password").value == ""

    done = store.query("SELECT action, actor FROM audit_log WHERE entity_id = ?", [fie.id])
    assert {(r["action"], r["actor"]) for r in done} >= {
        ("set_active", "admin-user"),
        ("set_role", "admin-user"),
        ("set_password", "admin-user"),
    }


def test_the_last_admin_is_refused_clearly_on_the_page(world, make_app) -> None:
    store = world["store"]
    admin = world["users"][Role.ADMIN]
    at = pick(open_page(make_app, admin, "users"), admin)
    button(at, da("staff.deactivate")).click().run()
    assert da("error.account.cannot_deactivate_self") in texts(at)
    at.selectbox(key=f"users_new_role_{admin.id}").select("facilitator")
    button(at, da("staff.save_role")).click().run()
    assert da("error.account.last_admin") in texts(at)
    assert accounts.active_user(store, admin.id) == admin


# -- a live browser session notices at its next run -------------------------------------------


def test_a_deactivated_users_open_page_stops_at_the_next_run(world, make_app) -> None:
    store = world["store"]
    admin = world["users"][Role.ADMIN]
    fie = world["users"][Role.FACILITATOR]
    at = open_page(make_app, fie, "committees")
    assert da("committees.title") in texts(at)
    accounts.set_active(store, fie.id, False, actor=admin)
    at.run()
    assert not at.exception
    assert da("committees.title") not in texts(at)
    assert "user" not in at.session_state


def test_a_demoted_admin_loses_the_users_page_at_the_next_run(world, make_app) -> None:
    store = world["store"]
    admin = world["users"][Role.ADMIN]
    other = accounts.create_user(store, "second-admin", PASSWORD, Role.ADMIN)
    at = open_page(make_app, admin, "users")
    assert da("users.title") in texts(at)
    accounts.set_role(store, admin.id, Role.FACILITATOR, actor=other)
    at.run()
    assert da("users.title") not in texts(at)


# -- logging out ------------------------------------------------------------------------------


@pytest.fixture
def cookie_session(world, monkeypatch: pytest.MonkeyPatch) -> str:
    """A facilitator's live staff session, sent by 'the browser' as its cookie."""
    fie = world["users"][Role.FACILITATOR]
    moment = datetime.now(UTC)
    ticket = staff_sessions.create_ticket(world["store"], fie, now=moment)
    token, _ = staff_sessions.redeem_ticket(world["store"], ticket, now=moment)
    monkeypatch.setattr(session, "staff_cookie", lambda: token)
    return token


def test_opening_the_logout_page_changes_nothing_until_the_button(
    world, make_app, cookie_session
) -> None:
    store = world["store"]
    at = open_page(make_app, None, "logout")
    assert staff_sessions.is_live(store, cookie_session)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'log_out'") == 0
    at.run()  # and again: still logged in
    assert staff_sessions.is_live(store, cookie_session)

    button(at, da("staff.logout_confirm")).click().run()
    assert not at.exception
    assert not staff_sessions.is_live(store, cookie_session)
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'log_out'") == 1
    assert da("auth.logging_out") in texts(at)


# -- throttled logins ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_a_throttled_login_says_how_long_to_wait_in_the_users_language(
    world, make_app, monkeypatch, lang
) -> None:
    """Ten failures for this username from this browser's network, each after the wait it
    was told: the next try, even with the right password, is told how long to wait (32 s),
    in words the person reads."""
    monkeypatch.setattr(staff_login, "network_id", lambda: "ip:192.0.2.7")
    failures = accounts.LOGIN_FAILURES_ALLOWED + 5
    waits = [
        ratelimit.growing_wait(n, free=accounts.LOGIN_FAILURES_ALLOWED, cap_s=900)
        for n in range(1, failures)
    ]
    moment = time.time() - 0.5 - sum(waits)
    for wait in [0.0, *waits]:
        moment += wait
        with pytest.raises(InvalidInput):
            accounts.authenticate(
                world["store"], "facilitator-user", "wrong!", network="ip:192.0.2.7", now=moment
            )
    at = make_app(script=f"{PAGES}/login.py", query={"lang": lang}).run()
    at.text_input(key="login_username").input("facilitator-user")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[-1].click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    prefix = translate(lang, "error.login.wait_seconds", seconds=7).split("7")[0]
    assert len(errors) == 1 and errors[0].startswith(prefix), errors
    seconds = int(errors[0][len(prefix) :].split()[0])
    assert 1 <= seconds <= 32
    assert world["store"].scalar("SELECT count(*) FROM staff_login_tickets") == 0
