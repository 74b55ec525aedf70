"""What a citizen typed is shown as text, never as a link: a bare "https://…", "www.…" or
"name@host" in an idea became a clickable link on other phones and on the console (GitHub-
flavoured markdown links them even when every character is escaped)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    LAPTOP,
    PHONE,
    Server,
    context,
    log_in,
    park_meeting,
    serving,
    settle,
)
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LINKED = "Læs mere på https://example.com/park og www.kommune.dk/park"
# An e-mail address holds the idea for the facilitator: the console's live tab shows it.
MAIL = "Skriv til parken@kommune.dk om bænkene"
# Links out of the app (a heading's own "#anchor" link is Streamlit's, not the citizen's).
ANCHORS = """() => [...document.querySelectorAll(
  "[data-testid='stMarkdownContainer'] a, [data-testid='stCaptionContainer'] a")]
  .filter(a => a.protocol === 'mailto:' || a.origin !== location.origin).map(a => a.href)"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    db_path = tmp_path_factory.mktemp("text") / "text.db"
    store = open_store(db_path)
    _, meeting = park_meeting(store, wrap_up=False)
    anna = meetings.join_meeting(store, meeting.join_code, "Anna", client="anna")
    bo = meetings.join_meeting(store, meeting.join_code, "Bo", client="bo")
    posted = [ideas.submit_idea(store, anna, LINKED), ideas.submit_idea(store, anna, MAIL)]
    store.close()
    with serving(db_path) as running:
        yield running, {"meeting": meeting.id, "bo": bo.token, "posted": posted}


def test_addresses_in_an_idea_are_text_on_a_phone_and_on_the_console(
    browser: Browser, live: tuple[Server, dict], shots
) -> None:
    server, world = live
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/?p={world['bo']}")
    settle(phone)
    shown = [p.text for p in world["posted"] if not p.held]
    assert LINKED in shown, "the test needs the idea with addresses on the wall"
    expect(phone.get_by_text("Læs mere på").first).to_be_visible()
    assert phone.evaluate(ANCHORS) == []
    # Read as typed: the word joiner that breaks the link is invisible and not in the words.
    text = phone.get_by_text("Læs mere på").first.inner_text()
    assert text.replace("\u2060", "").splitlines()[-1] == LINKED
    shots(phone, "01-phone-addresses-as-text")

    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, server.url, "fie")
    laptop.goto(f"{server.url}/console?meeting={world['meeting']}")
    settle(laptop)
    expect(laptop.get_by_text("Læs mere på").first).to_be_visible()
    expect(laptop.get_by_text("Skriv til parken").first).to_be_visible()
    assert laptop.evaluate(ANCHORS) == []
    shots(laptop, "02-console-addresses-as-text")
