"""What a screen reader hears, in Danish and Norwegian (issue 18, trial findings 3, 4, 10).

Streamlit's frontend writes accessible names by itself (aria-label, title, a live region), in
English; AppTest never sees them. A phone joins a meeting and goes through the brainstorm (chat
bubbles, the send button), a dot vote (the progress bar, the dot buttons), two axes and a
ranking (the multiselect: its list, a chosen idea, its live region); the facilitator's console
on a phone adds select boxes, number inputs and help. On every page every accessible name the
browser gives is read and none may be Streamlit's English; repeated controls name the idea or
step they act on; a long idea in the ranking's list is readable whole on a 390 px phone.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    Server,
    context,
    dot,
    dot_button,
    dot_card,
    join,
    log_in,
    serving,
    settle,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Streamlit 1.67's own English names (static/js: StreamlitMarkdown, index, ChatInput, Selectbox,
# NumberInput, Multiselect, ProgressBar) and react-aria's.
ENGLISH = {
    "Link to heading",
    "Main menu",
    "Chat message from user",
    "Chat message from assistant",
    "Send message",
    "Open",
    "Help",
    "Increment",
    "Decrement",
    "Clear value",
    "progress",
    "Selected values",
    "Clear all",
    "Dismiss",
    "Close",
}
ENGLISH_PATTERNS = re.compile(
    r"^(Help for |Remove |Chat message from )|options? available\.|, selected$"
)
# Two ideas that start alike for 40 characters; the second is long enough to wrap on a phone.
ALIKE = (
    "Lavere fartsgrense i hele sentrum om natten",
    "Lavere fartsgrense i hele sentrum om dagen, også i gatene rundt skolene og barnehagene",
)
SHORT = "Flere benker"

# Every accessible name the page gives by attribute, and the live regions' text.
NAMES = """() => {
  const found = [];
  document.querySelectorAll('[aria-label], [title], [aria-roledescription]').forEach(el => {
    if (el.closest('[data-tag]') && !(el.tagName === 'BUTTON')) return;  // an idea's own text
    for (const attr of ['aria-label', 'title', 'aria-roledescription']) {
      const value = el.getAttribute(attr);
      if (value !== null) found.push(value);
    }
  });
  document.querySelectorAll('[data-live-announcer] div:not(:has(*))').forEach(
    line => found.push(line.textContent));
  return found;
}"""


def english_names(page: Page) -> list[str]:
    settle(page)
    return [n for n in page.evaluate(NAMES) if n in ENGLISH or ENGLISH_PATTERNS.search(n)]


@pytest.fixture(scope="module")
def rooms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, int]]]:
    path = tmp_path_factory.mktemp("names") / "names.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Trafik", "", actor=staff)
    made = {}
    for lang in ("da", "nb"):
        agenda = [
            StepSpec(StepKind.BRAINSTORM, "Hva vil du endre?"),
            StepSpec(StepKind.DOT_VOTE, ""),
            StepSpec(StepKind.TWO_AXIS, ""),
            StepSpec(StepKind.RANKED, ""),
        ]
        meeting = meetings.create_meeting(
            store, committee.id, f"Trafikk {lang}", agenda=agenda, actor=staff
        )
        meetings.next_step(store, meeting.id, actor=staff)
        author = meetings.join_meeting(store, meeting.join_code, "Forfatter", client="seed")
        for text in (*ALIKE, SHORT):
            ideas.submit_idea(store, author, text)
        made[lang] = meeting.id
    store.close()
    with serving(path) as server:
        yield server, made


def advance(server: Server, meeting_id: int) -> None:
    store = open_store(server.db_path)
    meetings.next_step(store, meeting_id, actor=None)
    store.close()


def idea_ids(server: Server, meeting_id: int) -> dict[str, int]:
    rows = sqlite3.connect(server.db_path).execute(
        "SELECT text, id FROM ideas WHERE meeting_id = ?", [meeting_id]
    )
    return dict(rows.fetchall())


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO"])
def test_a_phone_hears_its_own_language_and_what_each_control_acts_on(
    rooms, browser, shots, request, locale
) -> None:
    server, made = rooms
    lang = locale[:2]

    def say(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    meeting_id = made[lang]
    (code,) = (
        sqlite3.connect(server.db_path)
        .execute("SELECT join_code FROM meetings WHERE id = ?", [meeting_id])
        .fetchone()
    )
    ids = idea_ids(server, meeting_id)
    phone = context(browser, PHONE, locale=locale).new_page()
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    assert english_names(phone) == []
    join(phone, "Anna", say("start.join"))

    # The brainstorm: chat bubbles, the idea box and its send button.
    expect(phone.get_by_test_id("stChatMessage").first).to_be_visible()
    assert english_names(phone) == []
    send = phone.locator(".composer button.send")
    expect(send).to_have_attribute("aria-label", say("idea_composer.send"))
    expect(phone.get_by_label(say("idea_composer.label"))).to_be_visible()
    bubble = phone.get_by_test_id("stChatMessageContent").first
    expect(bubble).to_have_attribute("aria-label", re.compile(r"\w"))
    shots(phone, f"01-{lang}-brainstorm")

    # The dot vote: the progress bar, and each dot button named with its whole idea.
    advance(server, meeting_id)
    plus = dot_button(phone, ids[ALIKE[1]])
    expect(plus).to_be_visible(timeout=15_000)
    settle(phone)
    for text in ALIKE:
        named = say("a11y.dot_button_named", plus=say("participate.dot_button"), idea=text)
        expect(dot_button(phone, ids[text])).to_have_attribute("aria-label", named)
        # The name holds the visible label (WCAG 2.5.3): "+ Prik" of "+ Prik: <idea>".
        expect(dot_button(phone, ids[text])).to_have_text(say("participate.dot_button"))
    minus = dot_button(phone, ids[ALIKE[0]], "minus")
    expect(minus).to_have_attribute(
        "aria-label",
        say("a11y.dot_button_named", plus=say("a11y.dot_remove_button"), idea=ALIKE[0]),
    )
    expect(minus).to_have_attribute("aria-disabled", "true")  # no dot there yet, still focusable
    dot(phone, ids[ALIKE[1]])
    # The dots on an idea in words, not only "●○○"; the tap said in a polite status line.
    expect(dot_card(phone, ids[ALIKE[1]])).to_contain_text(say("a11y.dots_here", placed=1, left=2))
    expect(phone.locator(".dots [role='status']")).to_have_text(
        say("dot_ballot.placed", idea=ALIKE[1], left=2)
    )
    assert english_names(phone) == []
    shots(phone, f"02-{lang}-dots")

    # Two axes: each idea's two groups and its save button name the idea.
    advance(server, meeting_id)
    save = phone.locator(f".st-key-ballot_save_{ids[SHORT]} button")
    expect(save).to_be_visible(timeout=15_000)
    settle(phone)
    for text in ALIKE:
        for key, what in (("impact", "ballot.two_axis.impact"), ("save", "ballot.two_axis.save")):
            control = phone.locator(f".st-key-ballot_{key}_{ids[text]}").locator(
                "button, [role='group'], [role='radiogroup']"
            )
            expect(control.first).to_have_attribute(
                "aria-label", say("a11y.for_idea", what=say(what), idea=text)
            )
    assert english_names(phone) == []
    shots(phone, f"03-{lang}-two-axis")

    # The ranking: the multiselect's list, its live region, a chosen idea.
    advance(server, meeting_id)
    ranking = phone.locator(".st-key-ballot_ranking")
    expect(ranking).to_be_visible(timeout=15_000)
    settle(phone)
    ranking.locator("input").click()
    option = phone.get_by_role("option", name=ALIKE[1])
    expect(option).to_be_visible()
    # The long idea is readable whole in the list: no line of it cut, inside the screen.
    cut = option.evaluate(
        """option => [option, ...option.querySelectorAll('*')]
          .filter(el => el.scrollWidth > el.clientWidth + 1
                   && getComputedStyle(el).overflowX !== 'visible')
          .map(el => el.textContent)"""
    )
    assert cut == []
    box = option.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    # The list floats over the page (a full-page picture would close it): the screen as is.
    expect(phone.get_by_test_id("stMultiSelectDropdown")).to_have_css("opacity", "1")
    folder = SCREENSHOTS / request.node.name.replace("[", "_").replace("]", "")
    phone.screenshot(path=str(folder / f"04-{lang}-ranking-list.png"))
    assert english_names(phone) == []
    option.click()
    phone.keyboard.press("Escape")
    settle(phone)
    expect(ranking.locator("[data-tag]")).to_have_count(1)
    assert english_names(phone) == []
    shots(phone, f"05-{lang}-ranking-chosen")


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO"])
def test_the_console_names_each_step_in_the_readers_language(rooms, browser, shots, locale) -> None:
    server, made = rooms
    lang = locale[:2]
    console = context(browser, PHONE, locale=locale).new_page()
    log_in(console, server.url, "fie")
    console.goto(f"{server.url}/console?meeting={made[lang]}")
    settle(console)
    assert english_names(console) == []
    console.get_by_role("tab", name=translate(lang, "console.tab.agenda")).click()
    settle(console)
    assert english_names(console) == []
    # Each step's controls name their step.
    expect(
        console.get_by_role("button", name=translate(lang, "console.save_step_named", position=2))
    ).to_have_count(1)
    # A number input's steppers, a select box's button, a help icon: in the reader's words.
    stepper = console.get_by_test_id("stNumberInputStepUp").filter(visible=True).first
    expect(stepper).to_have_attribute("aria-label", translate(lang, "frontend.increment"))
    down = console.get_by_test_id("stNumberInputStepDown").filter(visible=True).first
    expect(down).to_have_attribute("aria-label", translate(lang, "frontend.decrement"))
    kind = console.locator(".st-key-console_new_step_kind")
    expect(kind.get_by_role("button", name=translate(lang, "frontend.open"))).to_have_count(1)
    helped = translate(lang, "frontend.help_for").split("$1")[0]
    expect(console.locator(f"[aria-label^='{helped}']").first).to_be_attached()
    shots(console, f"01-{lang}-console-agenda")
    console.get_by_role("tab", name=translate(lang, "identity.tab")).click()
    settle(console)
    assert english_names(console) == []
    # The moderation tab's rows: each short "Vælg" is heard with the idea it picks, and no
    # button is named by "Vælg" alone.
    console.get_by_role("tab", name=translate(lang, "console.tab.moderate")).click()
    settle(console)
    pick = translate(lang, "moderation_scale.pick")
    for text, idea_id in idea_ids(server, made[lang]).items():
        named = translate(
            lang, "moderation_scale.pick_named", pick=pick, idea=f"#{idea_id}", text=text
        )
        expect(console.get_by_role("button", name=named, exact=True)).to_have_count(1)
    expect(console.get_by_role("button", name=pick, exact=True)).to_have_count(0)
    assert english_names(console) == []
