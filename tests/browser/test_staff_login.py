"""A facilitator's login survives a reload, a second tab and a typed URL; logout ends it, but
only by pressing the button: opening /logout (as a link from another site would) changes nothing.
An administrator's Users form keeps what was typed after an error, and a deactivation reaches
the facilitator's open console within a refresh.

And a typed address that is not the visitor's page never shows Streamlit's English "Page not
found": an anonymous visitor gets the login form (in their language) and then the page, a
citizen gets a refusal, an unknown address a localized "no such page".

Screenshots: ``artifacts/screenshots/test_staff_login_*``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    JOIN_CODE,
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    idea_box,
    log_in,
    serving,
    settle,
)
from tests.factories import join, make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

STREAMLIT_NOT_FOUND = "Page not found"


@pytest.fixture(scope="module")
def town_hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db_path = tmp_path_factory.mktemp("staff_login") / "staff_login.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada Admin")
    accounts.create_user(store, "bo-fac", PASSWORD, Role.FACILITATOR, "Bo Facilitator")
    meeting = make_meeting(store, fie)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    store.close()
    with serving(db_path) as running:
        yield {"server": running, "meeting": meeting, "anna": anna}


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


def expect_console(page: Page, code: str) -> None:
    expect(page.locator(JOIN_CODE)).to_have_text(f"{code[:3]} {code[3:]}")
    expect(page.locator("[data-testid='stTopNavLink'][href$='/logout']")).to_be_visible()


def test_staff_login_survives_reload_and_second_tab(browser, shots, town_hall) -> None:
    server: Server = town_hall["server"]
    meeting = town_hall["meeting"]
    base = server.url
    ctx = context(browser, LAPTOP)
    laptop = ctx.new_page()
    log_in(laptop, base, "fie")
    expect(laptop.get_by_role("heading", name=da("committees.title"))).to_be_visible()
    cookie = next(c for c in ctx.cookies() if c["name"] == "samskab_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    shots(laptop, "01-logged-in")

    laptop.goto(f"{base}/console?meeting={meeting.id}")
    settle(laptop)
    expect_console(laptop, meeting.join_code)
    laptop.reload()
    settle(laptop)
    expect_console(laptop, meeting.join_code)
    shots(laptop, "02-console-after-reload")

    second = ctx.new_page()
    second.goto(f"{base}/committees")
    settle(second)
    expect(second.get_by_role("heading", name=da("committees.title"))).to_be_visible()
    expect(second.locator("[data-testid='stTopNavLink'][href$='/logout']")).to_be_visible()
    expect(second.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    shots(second, "03-second-tab-committees")

    # A participant link in the same browser opens the phone view, not the staff pages.
    phone_view = ctx.new_page()
    phone_view.goto(f"{base}/participate?p={town_hall['anna'].token}")
    settle(phone_view)
    expect(idea_box(phone_view)).to_be_visible()
    expect(phone_view.locator("[data-testid='stTopNavLink']")).to_have_count(0)
    expect(phone_view.get_by_text(da("access.denied"))).to_have_count(0)
    expect(phone_view.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    shots(phone_view, "03b-participant-link-in-staff-browser")
    phone_view.close()

    # Opening /logout, as a link or redirect from another site would, only asks.
    laptop.goto(f"{base}/logout")
    settle(laptop)
    confirm = laptop.locator(".st-key-logout_confirm button")
    expect(confirm).to_be_visible()
    expect(laptop.locator("[data-testid='stTopNavLink'][href$='/logout']")).to_be_visible()
    shots(laptop, "04-logout-asks-first")
    assert [c for c in ctx.cookies() if c["name"] == "samskab_staff"]
    second.reload()
    settle(second)
    expect(second.get_by_role("heading", name=da("committees.title"))).to_be_visible()

    # The menu's "Log out" opens the same page; its button logs out.
    laptop.goto(f"{base}/committees")
    settle(laptop)
    laptop.locator("[data-testid='stTopNavLink'][href$='/logout']").click()
    expect(confirm).to_be_visible()
    confirm.click()
    laptop.wait_for_url(f"{base}/login")
    settle(laptop)
    expect(laptop.get_by_role("heading", name=da("login.title"))).to_be_visible()
    assert not [c for c in ctx.cookies() if c["name"] == "samskab_staff"]
    laptop.reload()
    settle(laptop)
    expect(laptop.get_by_role("heading", name=da("login.title"))).to_be_visible()
    shots(laptop, "05-after-logout-reload")

    # The other tab's session ended too: at its next full page run /committees asks for a
    # login again.
    second.reload()
    settle(second)
    expect(second.get_by_role("heading", name=da("login.title"))).to_be_visible()
    expect(second.locator("[data-testid='stTopNavLink']")).to_have_count(0)
    expect(second.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    ctx.close()


def test_staff_login_from_a_typed_console_url(browser, shots, town_hall) -> None:
    server: Server = town_hall["server"]
    meeting = town_hall["meeting"]
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    page.goto(f"{server.url}/console?meeting={meeting.id}")
    settle(page)
    expect(page.get_by_role("heading", name=da("login.title"))).to_be_visible()
    expect(page.get_by_text(da("auth.login_to_open", page=da("page.console")))).to_be_visible()
    expect(page.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    shots(page, "01-anonymous-console-asks-for-login")

    page.locator(".st-key-login_username input").fill("fie")
    page.locator(".st-key-login_password input").fill(PASSWORD)
    page.locator(".st-key-login_password input").press("Enter")
    page.wait_for_url(f"{server.url}/console?meeting={meeting.id}")
    settle(page)
    expect_console(page, meeting.join_code)
    shots(page, "02-lands-on-console")
    ctx.close()


@pytest.mark.parametrize("locale", ["nb-NO", "en-GB"])
def test_staff_login_notice_speaks_the_visitors_language(browser, shots, town_hall, locale) -> None:
    lang = "nb" if locale.startswith("nb") else "en"
    ctx = context(browser, LAPTOP, locale=locale)
    page = ctx.new_page()
    page.goto(f"{town_hall['server'].url}/committees")
    settle(page)
    page_title = translate(lang, "page.committees")
    notice = translate(lang, "auth.login_to_open", page=page_title)
    expect(page.get_by_text(notice)).to_be_visible()
    expect(page.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    shots(page, f"committees-{lang}")
    ctx.close()


def test_staff_login_refuses_citizens_and_unknown_addresses(browser, shots, town_hall) -> None:
    base = town_hall["server"].url
    ctx = context(browser, PHONE)
    phone = ctx.new_page()
    phone.goto(f"{base}/console?p={town_hall['anna'].token}")
    settle(phone)
    expect(phone.get_by_text(da("access.denied"))).to_be_visible()
    expect(phone.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    expect(phone.get_by_test_id("stMetricValue")).to_have_count(0)
    expect(phone.locator(".st-key-login_username")).to_have_count(0)
    shots(phone, "01-citizen-typed-console")

    phone.goto(f"{base}/no-such-page")
    settle(phone)
    expect(phone.get_by_role("heading", name=da("auth.not_found_title"))).to_be_visible()
    expect(phone.get_by_text(STREAMLIT_NOT_FOUND)).to_have_count(0)
    shots(phone, "02-unknown-address")
    ctx.close()


def test_users_form_keeps_input_and_a_deactivation_reaches_an_open_console(
    browser, shots, town_hall
) -> None:
    base = town_hall["server"].url
    meeting = town_hall["meeting"]
    # Bo has the console open on one laptop...
    bo_ctx = context(browser, LAPTOP)
    bo = bo_ctx.new_page()
    log_in(bo, base, "bo-fac")
    bo.goto(f"{base}/console?meeting={meeting.id}")
    settle(bo)
    expect_console(bo, meeting.join_code)

    # ...while Ada, an administrator, works on the Users page on another.
    ada_ctx = context(browser, LAPTOP)
    ada = ada_ctx.new_page()
    log_in(ada, base, "ada")
    ada.goto(f"{base}/users")
    settle(ada)
    role = ada.locator(".st-key-users_role")
    combobox = role.get_by_role("combobox")
    # No role is chosen in advance.
    expect(combobox).to_have_value("")
    expect(combobox).to_have_attribute("placeholder", da("staff.choose_role"))
    ada.locator(".st-key-users_username input").fill("ny.kollega")
    ada.locator(".st-key-users_name input").fill("Ny Kollega")
    role.click()
    ada.get_by_role("option", name=da("role.facilitator")).click()
    ada.locator(".st-key-users_password input").fill("kort")
    ada.locator(".st-key-users_create_submit button").click()
    settle(ada)
    short = da("error.account.password_short", min=accounts.MIN_PASSWORD_CHARS)
    expect(ada.get_by_text(short)).to_be_visible()
    expect(ada.locator(".st-key-users_username input")).to_have_value("ny.kollega")
    expect(ada.locator(".st-key-users_name input")).to_have_value("Ny Kollega")
    expect(combobox).to_have_value(da("role.facilitator"))
    shots(ada, "01-form-kept-after-error")

    # Ada deactivates Bo; Bo's open console notices within its next refresh.
    picker = ada.locator(".st-key-users_pick")
    picker.click()
    ada.get_by_role("option", name="bo-fac · Bo Facilitator").click()
    settle(ada)
    ada.locator(".st-key-users_deactivate").get_by_role(
        "button", name=da("staff.deactivate")
    ).click()
    settle(ada)
    expect(ada.get_by_text(da("staff.reactivate"))).to_be_visible()
    shots(ada, "02-bo-deactivated")
    expect(bo.get_by_role("heading", name=da("login.title"))).to_be_visible()
    expect(bo.get_by_test_id("stMetricValue")).to_have_count(0)
    shots(bo, "03-bo-console-after-deactivation")
    bo_ctx.close()
    ada_ctx.close()
