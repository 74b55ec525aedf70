"""A new idea reaches the other phones by push without a Streamlit run: phone A posts, phone B
shows it within 2 s although B's timed refresh is a minute, and B's server ran no script for
it (B's page counts every run the server begins: ``WATCH_RUNS`` in ``conftest.py``). The idea
is written as text (HTML in it shows as typed); an idea held for personal data never reaches
B's page, and an idea the facilitator hides leaves it, still without a run.

Screenshots go to ``artifacts/screenshots/test_a_new_idea_*``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PASSWORD, PHONE, Server, context, idea_box, serving, settle
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import moderation
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "Hvad savner du på havnen?"
FIRST = "Flere bænke ved vandet"
HTML = "<b>Fed</b> skrift & <img src=x onerror=alert(1)> skal stå som tekst"
HELD = "Ring til mig på tlf 28934512 om havnen"
AFTER_HELD = "Skygge ved legepladsen"
LONG = " ".join(["Flere træer og bænke langs havnepromenaden, så man kan sidde i skygge"] * 6)

# Every text on the page, with the open shadow roots the push component draws in.
ALL_TEXT = """
() => {
  const texts = [];
  const walk = (root) => {
    texts.push(root.textContent || "");
    for (const element of root.querySelectorAll("*")) {
      if (element.shadowRoot) walk(element.shadowRoot);
    }
  };
  walk(document.body);
  return texts.join("\\n");
}
"""
LIVE = "() => Object.values(window.__samskabPush || {})[0]"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, list[str]]]:
    """A brainstorm with two phones; their timed refresh is a minute, so only push can explain
    an idea on B within 2 s."""
    db_path = tmp_path_factory.mktemp("pushstream") / "push.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Havneudvalget", "Havnen", actor=fie)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde",
        agenda=[meetings.StepSpec(StepKind.BRAINSTORM, QUESTION, 10)],
        actor=fie,
    )
    meetings.next_step(store, meeting.id, actor=fie)
    code = meetings.get_meeting(store, meeting.id).join_code
    tokens = [meetings.join_meeting(store, code, name).token for name in ("Anna", "Bo")]
    store.close()
    with serving(db_path, env={"SAMSKAB_CITIZEN_REFRESH_SECONDS": "60"}) as running:
        yield running, meeting.id, tokens


def _open(browser: Browser, server: Server, token: str) -> Page:
    page = context(browser, PHONE).new_page()
    page.goto(f"{server.url}/participate?p={token}")
    expect(page.get_by_text(QUESTION).first).to_be_visible()
    settle(page)
    page.wait_for_function(f"() => ({LIVE})() && ({LIVE})().source.readyState === 1")
    return page


def _hide(server, text: str, reason: str) -> None:
    """The facilitator hides the idea with ``text`` (as the console does)."""
    store = open_store(server.db_path)
    try:
        fie = accounts.get_user_by_username(store, "fie")
        found = store.query_one("SELECT id FROM ideas WHERE text = ?", [text])
        assert found is not None
        moderation.hide_idea(store, found["id"], reason, actor=fie)
    finally:
        store.close()


def _post(page: Page, text: str) -> float:
    box = idea_box(page)
    box.fill(text)
    box.press("Enter")
    posted = time.monotonic()
    expect(page.locator(".composer")).to_have_attribute("data-state", "sent", timeout=30_000)
    return posted


def _runs(page: Page) -> int:
    return int(page.evaluate("window.__samskabRuns"))


def test_a_new_idea_reaches_the_other_phone_without_a_run_and_held_ideas_never_do(
    browser: Browser, room, shots
) -> None:
    server, _, (anna_token, bo_token) = room
    bo = _open(browser, server, bo_token)
    anna = _open(browser, server, anna_token)
    none_yet = bo.get_by_text(translate("da", "participate.no_ideas_yet"))
    expect(none_yet).to_be_visible()
    runs = _runs(bo)

    # Anna posts; Bo's phone shows it by push within 2 s, with no script run on Bo's server.
    posted = _post(anna, FIRST)
    pushed = bo.locator("li.idea").filter(has_text=FIRST)
    expect(pushed).to_be_visible(timeout=2_000)
    assert time.monotonic() - posted < 2.0
    expect(pushed).to_contain_text("Anna")
    expect(none_yet).to_be_hidden()  # no stale "no ideas yet" above the first idea
    expect(pushed).to_have_attribute("aria-label", translate("da", "frontend.chat_other"))
    new_ideas = translate("da", "push.new_ideas")
    expect(bo.locator("ul.ideas")).to_have_attribute("aria-label", new_ideas)
    # Anna's own page drew it herself (her submit's run), so it is hers there, not pushed twice.
    expect(anna.get_by_text(FIRST)).to_have_count(1)

    # HTML in an idea is text on Bo's phone: the tags show as typed and make no element.
    _post(anna, HTML)
    expect(bo.locator("li.idea").filter(has_text=HTML)).to_be_visible(timeout=2_000)
    assert bo.locator("li.idea b, li.idea img").count() == 0

    # A held idea (personal data) never reaches Bo, though a later idea does.
    _post(anna, HELD)
    expect(anna.get_by_text(HELD)).to_be_visible()  # its author sees it, held for her
    _post(anna, AFTER_HELD)
    expect(bo.locator("li.idea").filter(has_text=AFTER_HELD)).to_be_visible(timeout=2_000)
    everything = bo.evaluate(ALL_TEXT)
    assert "28934512" not in everything and HELD not in everything
    # Screen readers hear the new ideas in a polite status line, not one by one.
    status = bo.locator("[role='status'][aria-live='polite']")
    expect(status).to_have_text(translate("da", "push.announce_many", count=2), timeout=8_000)
    shots(bo, "bo-pushed-ideas")

    # The facilitator hides one: it leaves Bo's list, again without a run.
    _hide(server, FIRST, "Gentaget")
    expect(bo.locator("li.idea").filter(has_text=FIRST)).to_have_count(0, timeout=2_000)
    assert _runs(bo) == runs, "Bo's page ran a script for ideas it was pushed"
    live = bo.evaluate(f"() => {{ const l = ({LIVE})(); return [l.reruns, l.drawnHere]; }}")
    assert live == [0, 3]  # three ideas drawn by the component, no rerun asked for
    shots(bo, "bo-after-hide")

    # A long idea is read out as its beginning (up to a word, within 120 characters), not
    # its 500 characters each time.
    _post(anna, LONG)
    expect(bo.locator("li.idea").filter(has_text=LONG[:60])).to_be_visible(timeout=2_000)
    beginning = LONG[:120].rsplit(" ", 1)[0] + "…"
    said = translate("da", "push.announce_one", name="Anna", text=beginning)
    expect(status).to_have_text(said, timeout=8_000)
    # Hidden (it might hold a phone number): it leaves the status line a screen reader reads.
    _hide(server, LONG, "Personoplysninger")
    expect(bo.locator("li.idea").filter(has_text=LONG[:60])).to_have_count(0, timeout=2_000)
    expect(status).to_have_text("")
    shots(anna, "anna-own-ideas")
    anna.context.close()
    bo.context.close()
