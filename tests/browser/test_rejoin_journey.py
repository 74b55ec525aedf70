"""Journey: one person, one voice. A citizen joins on a phone, closes the tab, rescans the QR
code, reopens the join link and the bare site in the same browser: always the same participant
("continue as Anna"), one row in the database. "Not you?" deliberately joins someone new; a
phone whose participant was removed is told so in its language and can join again."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
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
from tests.factories import make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import formats, translate
from workshop.meetings import core as meetings
from workshop.meetings import participants
from workshop.model import Meeting, Role
from workshop.ui.participant_routes import cookie_name

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


@pytest.fixture(scope="module")
def rejoin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Meeting]]:
    db_path = tmp_path_factory.mktemp("rejoin") / "rejoin.db"
    store = open_store(db_path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    meeting = make_meeting(store, staff, prompt="Hvad skal der ske med havnen?")
    start(store, meeting)
    store.close()
    with serving(db_path) as running:
        yield running, meeting


def token_of(page: Page) -> str:
    found = re.search(r"[?&]p=([\w-]{32,})", page.url)
    assert found, page.url
    return found.group(1)


def on_own_page(page: Page) -> None:
    """Wait until the browser has been through the cookie route and shows the phone view."""
    page.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(page)
    expect(idea_box(page)).to_be_visible()


def test_rescanning_the_qr_code_in_the_same_browser_stays_one_participant(
    rejoin_server: tuple[Server, Meeting], browser: Browser, shots
) -> None:
    server, meeting = rejoin_server
    store = open_store(server.db_path)
    join_link = f"{server.url}/?code={meeting.join_code}"
    ctx = context(browser, PHONE)

    # -- the first join ------------------------------------------------------------------------
    phone = ctx.new_page()
    phone.goto(join_link)
    settle(phone)
    phone.locator(".st-key-start_name input").fill("Anna")
    phone.get_by_role("button", name=da("start.join"), exact=True).click()
    on_own_page(phone)
    anna = token_of(phone)
    cookie = next(c for c in ctx.cookies() if c["name"] == cookie_name(meeting.id))
    assert cookie["value"] == anna and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shots(phone, "01-joined")
    phone.close()  # the tab is closed

    # -- rescanning the QR code (the join link) in the same browser ------------------------------
    again = ctx.new_page()
    again.goto(join_link)
    settle(again)
    continue_as = again.get_by_role("button", name=da("identity.continue_as", name="Anna"))
    expect(continue_as).to_be_visible()
    expect(again.locator(".st-key-start_name input")).to_have_count(0)  # no second join form
    shots(again, "02-rescan-continue-as-anna")
    continue_as.click()
    on_own_page(again)
    assert token_of(again) == anna
    shots(again, "03-back-as-anna")

    # -- the bare site in the same browser -----------------------------------------------------
    bare = ctx.new_page()
    bare.goto(f"{server.url}/")
    settle(bare)
    expect(bare.get_by_text(meeting.title, exact=False)).to_be_visible()
    bare.get_by_role("button", name=da("identity.continue_as", name="Anna")).click()
    on_own_page(bare)
    assert token_of(bare) == anna
    shots(bare, "04-bare-site-back-as-anna")

    assert (
        store.scalar("SELECT COUNT(*) FROM participants WHERE meeting_id = ?", [meeting.id]) == 1
    ), "rescanning made a second participant"

    # -- "not you?": deliberately someone new ----------------------------------------------------
    shared = ctx.new_page()
    shared.goto(join_link)
    settle(shared)
    shared.get_by_role("button", name=da("identity.not_you")).click()
    settle(shared)
    shared.locator(".st-key-start_name input").fill("Bo")
    shots(shared, "05-not-you-join-form")
    shared.get_by_role("button", name=da("start.join"), exact=True).click()
    on_own_page(shared)
    bo = token_of(shared)
    assert bo != anna
    assert meetings.count_participants(store, meeting.id) == 2

    # -- Bo is removed by the facilitator: his phone is told so, in Danish ------------------------
    removed = meetings.get_participant(store, bo)
    participants.remove_participant(store, meeting.id, removed.id, reason="Test", actor=None)
    shared.reload()
    settle(shared)
    expect(shared.get_by_text(da("identity.vanished_title"))).to_be_visible()
    expect(shared.locator(".st-key-start_code input")).to_be_visible()  # and can join again
    shots(shared, "06-vanished-participant")
    store.close()


def test_facilitator_sees_the_join_rate_warning_and_removes_a_scripted_participant(
    rejoin_server: tuple[Server, Meeting], browser: Browser, shots
) -> None:
    server, meeting = rejoin_server
    store = open_store(server.db_path)
    participants.set_expected_participants(store, meeting.id, 2, actor=None)
    for n in range(3):
        meetings.join_meeting(store, meeting.join_code, f"Bot {n}", client=f"script-{n}")
    bot = participants.list_participants(store, meeting.id)[0]  # the newest
    before = meetings.count_participants(store, meeting.id)

    console = context(browser, LAPTOP).new_page()
    log_in(console, server.url, "fie")
    console.goto(f"{server.url}/console?meeting={meeting.id}")
    settle(console)
    watch = store.scalar("SELECT COUNT(*) FROM participants WHERE meeting_id = ?", [meeting.id])
    expect(console.get_by_text(da("identity.joins_per_minute"))).to_be_visible()
    warning = console.locator(".stAlert").filter(has_text=str(watch))
    expect(warning.first).to_be_visible()
    shots(console, "10-console-join-warning")

    console.get_by_role("tab", name=da("identity.tab")).click()
    settle(console)  # only the open tab runs: the click reruns the page
    choice = da(
        "identity.remove_choice",
        id=bot.id,
        name=bot.display_name,
        time=formats.datetime_text(bot.joined_at, "da", seconds=True),  # local, not UTC
        ideas=0,
        ballots=0,
    )
    field = console.locator(".st-key-console_remove_pick input").first
    field.click()
    field.press_sequentially(f"#{bot.id} ")
    console.get_by_role("option", name=choice).first.click()
    console.locator(".st-key-console_remove_confirm label").click()
    shots(console, "11-console-remove-participant")
    console.locator(".st-key-console_remove_submit button").click()
    settle(console)
    expect(
        console.get_by_text(da("identity.removed", id=bot.id, ballots=0, pairwise=0, ideas=0))
    ).to_be_visible()
    assert meetings.count_participants(store, meeting.id) == before - 1
    assert store.scalar("SELECT COUNT(*) FROM participants WHERE id = ?", [bot.id]) == 0
    store.close()
