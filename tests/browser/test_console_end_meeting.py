"""A facilitator ends the meeting from the console by the keyboard (a fresh-eyes trial found
one tap ended it for the whole room): "Afslut mødet" opens a question, Escape or "Annullér"
leaves the meeting running, "Ja, afslut mødet" ends it. Checked in the database each time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    Server,
    context,
    log_in,
    park_meeting,
    serving,
    settle,
)
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import MeetingStatus

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    db_path = tmp_path_factory.mktemp("end") / "end.db"
    store = open_store(db_path)
    _, meeting = park_meeting(store)
    meetings.join_meeting(store, meeting.join_code, "Anna", client="anna")
    store.close()
    with serving(db_path) as running:
        yield running, meeting.id


def status(server: Server, meeting_id: int) -> MeetingStatus:
    store = open_store(server.db_path)
    try:
        return meetings.meeting_state(store, meeting_id).status
    finally:
        store.close()


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


def open_question(page: Page) -> None:
    """Reach "Afslut mødet" with the keyboard and press Enter: the question opens, and Tab
    goes on into it."""
    end = page.get_by_role("button", name=da("console.close_meeting"))
    end.focus()
    expect(end).to_be_focused()
    page.keyboard.press("Enter")
    settle(page)
    expect(
        page.get_by_text(da("console.close_question.one", count=1).split("**")[1])
    ).to_be_visible()


def test_ending_the_meeting_asks_first_and_works_from_the_keyboard(
    browser: Browser, live: tuple[Server, int], shots
) -> None:
    server, meeting_id = live
    page = context(browser, LAPTOP).new_page()
    log_in(page, server.url, "fie")
    page.goto(f"{server.url}/console?meeting={meeting_id}")
    settle(page)

    open_question(page)
    shots(page, "end-meeting-question")
    yes = page.get_by_role("button", name=da("console.close_yes"), exact=True)
    cancel = page.get_by_role("button", name=da("console.close_cancel"), exact=True)
    expect(yes).to_be_visible()
    expect(cancel).to_be_visible()
    page.keyboard.press("Escape")  # closes the question, ends nothing
    expect(yes).to_have_count(0)
    assert status(server, meeting_id) == MeetingStatus.RUNNING

    open_question(page)
    # Streamlit's popover puts its content after the console's: from "Afslut mødet" the
    # keyboard passes the on-behalf form's three fields, the tabs and a heading's link first.
    for _ in range(6):
        page.keyboard.press("Tab")
    expect(yes).to_be_focused()
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()
    page.keyboard.press("Enter")
    settle(page)
    expect(yes).to_have_count(0)
    assert status(server, meeting_id) == MeetingStatus.RUNNING

    open_question(page)
    yes.focus()
    page.keyboard.press("Enter")
    settle(page)
    expect(page.get_by_role("button", name=da("console.close_meeting"))).to_have_count(0)
    assert status(server, meeting_id) == MeetingStatus.CLOSED
