"""The dot ballot drawn in the phone's browser (workshop/ui/dot_ballot.py), on a phone.

* taps place and take back dots without a single Streamlit run, each answered by the server;
* a ballot of more ideas than fit a page turns its pages with its own buttons and keeps the
  dots placed on another page;
* a tap made without a network is said at once ("not saved"), nothing looks saved that was
  not, and the next tap after the network is back is saved;
* the reader's place: after the last dot the + buttons say they cannot be used but keep the
  focus where it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    WATCH_RUNS,
    Server,
    dot,
    dot_button,
    dot_card,
    idea_box,
    joined_phone,
    park_meeting,
    reruns,
    serving,
    settle,
)
from tests.browser.conftest import join as join_phone
from tests.browser.test_accessibility import AXE, FAILING, RUN_AXE, WCAG_AA
from tests.browser.test_agenda_and_changes_journey import HOLD_PUSH
from tests.factories import join as join_service
from tests.factories import make_meeting, start
from workshop.app import open_store
from workshop.db import Store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.model import Meeting
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TEXTS = [f"Forslag {n}: {word}" for n, word in enumerate("abcdefghijk", start=1)]  # 11 ideas


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, str]]:
    path: Path = tmp_path_factory.mktemp("dot_ballot") / "dots.db"
    store = open_store(path)
    meeting = make_meeting(store, dots=3)
    start(store, meeting)
    for n, text in enumerate(TEXTS):  # several authors: one may post only so many a minute
        ideas.submit_idea(store, join_service(store, meeting, f"Forfatter {n}"), text)
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    store.close()
    with serving(path) as server:
        yield server, meeting.id, meeting.join_code


def my_dots(server: Server, meeting_id: int, token: str) -> dict[str, int]:
    store = open_store(server.db_path)
    try:
        person = meetings.get_participant(store, token)
        vote_round = voting.current_round(store, meeting_id)
        assert vote_round is not None
        texts = {i.id: i.text for i in ideas.list_ideas(store, meeting_id)}
        return {texts[i]: n for i, n in voting.my_dots(store, vote_round.id, person.id).items()}
    finally:
        store.close()


def test_a_phone_votes_on_every_page_without_a_page_run_and_a_lost_tap_is_said(
    room, browser, shots
) -> None:
    server, meeting_id, code = room
    phone = joined_phone(browser, server.url, code)
    ctx = phone.context
    token = phone.url.split("p=", 1)[1].split("&", 1)[0]
    cards = phone.locator(".dots li[data-idea]")
    expect(cards).to_have_count(8)  # one page of 11 ideas
    expect(phone.locator(".dots .where")).to_have_text(da("participate.page", page=1, pages=2))
    settle(phone)
    shots(phone, "01-ballot-page-1")
    first = [int(i) for i in cards.evaluate_all("els => els.map(e => e.dataset.idea)")]

    # Three taps, not one page run: each is a small request the ballot draws the answer of.
    runs_before = reruns(phone)
    answered = []
    for idea_id, sign in ((first[0], "plus"), (first[0], "plus"), (first[0], "minus")):
        tapped = time.monotonic()
        dot(phone, idea_id, sign)
        answered.append(time.monotonic() - tapped)
    print(f"\ntap to the server's answer on the phone: {[round(s * 1000) for s in answered]} ms")
    assert reruns(phone) == runs_before
    expect(dot_card(phone, first[0])).to_contain_text(da("a11y.dots_here", placed=1, left=2))
    expect(phone.get_by_text("Du har 2 af 3 prikker tilbage", exact=False)).to_be_visible()

    # The next page, by the keyboard: its own ideas, the focus on its first idea and its
    # number said; a dot there; back again, the first page's dot is kept.
    phone.locator('.dots [data-key="next"]').focus()
    phone.keyboard.press("Enter")
    expect(cards).to_have_count(3, timeout=15_000)
    expect(phone.locator(".dots .where")).to_have_text(da("participate.page", page=2, pages=2))
    settle(phone)
    expect(phone.locator(".dots [role='status']")).to_have_text(
        da("participate.page", page=2, pages=2)
    )
    focused = phone.evaluate("() => document.activeElement.shadowRoot?.activeElement?.dataset.key")
    assert focused and focused.startswith("minus-"), focused  # the first idea's first button
    second = [int(i) for i in cards.evaluate_all("els => els.map(e => e.dataset.idea)")]
    assert not set(second) & set(first)
    dot(phone, second[0])
    expect(phone.get_by_text("Du har 1 af 3 prikker tilbage", exact=False)).to_be_visible()
    shots(phone, "02-ballot-page-2")
    phone.locator('.dots [data-key="prev"]').click()
    expect(cards).to_have_count(8, timeout=15_000)
    settle(phone)
    expect(dot_card(phone, first[0])).to_contain_text(da("a11y.dots_here", placed=1, left=1))

    # No network: the tap is said not saved at once, and the dots shown are the saved ones.
    saved = my_dots(server, meeting_id, token)
    ctx.set_offline(True)
    dot_button(phone, first[1]).click()
    note = dot_card(phone, first[1]).locator("[role='alert']")  # in the card tapped
    expect(note).to_have_text(da("dot_ballot.failed"))
    expect(phone.locator(".dots")).to_have_attribute("data-pending", "0")
    expect(dot_card(phone, first[1])).to_contain_text(da("a11y.dots_here", placed=0, left=1))
    assert my_dots(server, meeting_id, token) == saved
    shots(phone, "03-a-tap-without-network")
    ctx.set_offline(False)
    dot(phone, first[2])  # a new tap, saved; the message goes
    expect(note).to_be_empty()
    now = my_dots(server, meeting_id, token)
    assert sorted(now.values()) == [1, 1, 1] and set(saved) < set(now), (saved, now)

    # No dots left: every + says it cannot be used, and the focus stays on the one pressed.
    expect(phone.get_by_text("Du har brugt alle 3 prikker", exact=False)).to_be_visible()
    for idea_id in first:
        expect(dot_button(phone, idea_id)).to_have_attribute("aria-disabled", "true")
    dot_button(phone, first[3]).focus()
    phone.keyboard.press("Enter")
    expect(dot_card(phone, first[3]).locator("[role='alert']")).to_have_text(
        da("error.vote.no_dots_left", dots=3)
    )
    assert (
        phone.evaluate("() => document.activeElement.shadowRoot?.activeElement?.dataset.key")
        == f"plus-{first[3]}"
    )
    assert sum(my_dots(server, meeting_id, token).values()) == 3
    shots(phone, "04-no-dots-left")


def test_a_step_change_runs_the_phones_page_once(tmp_path, browser, shots) -> None:
    """When the facilitator moves on, the push connection runs the whole page at once (the
    step component), not the fragment that follows the room first, only for it to find the
    page must run: one run a phone, 300 phones at once (README, "Live updates")."""
    path = tmp_path / "step.db"
    store = open_store(path)
    meeting = make_meeting(store, dots=3)
    start(store, meeting)
    ideas.submit_idea(store, join_service(store, meeting, "Forfatter"), "Bænke i parken")
    store.close()
    with serving(path) as server:
        phone = joined_phone(browser, server.url, meeting.join_code)
        expect(phone.get_by_text("Bænke i parken").first).to_be_visible()
        settle(phone)
        runs, asked = phone.evaluate("window.__samskabRuns"), reruns(phone)
        store = open_store(path)
        meetings.next_step(store, meeting.id, actor=None)  # the dot vote
        store.close()
        expect(phone.get_by_text("Du har 3 af 3 prikker tilbage", exact=False)).to_be_visible(
            timeout=15_000
        )
        settle(phone)
        assert (phone.evaluate("window.__samskabRuns") - runs, reruns(phone) - asked) == (1, 1)
        shots(phone, "01-ballot-after-one-run")


# The fewest ballot cards drawn in any frame (the early ballot's or the page's, each in a
# component's shadow root) from now until __samskabCardsStop() is called.
WATCH_CARDS = """() => {
  let fewest = Infinity, on = true;
  const count = () => {
    let n = 0;
    for (const el of document.querySelectorAll("*")) {
      if (el.shadowRoot) {
        n += [...el.shadowRoot.querySelectorAll("li.card")].filter(
          (c) => c.getClientRects().length > 0).length;
      }
    }
    return n;
  };
  const frame = () => {
    if (!on) return;
    fewest = Math.min(fewest, count());
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__samskabCardsStop = () => { on = false; return fewest; };
}"""


# What the server sends the page over Streamlit's connection, held back while
# window.__samskabHold is true and handed to the page, in order, by __samskabRelease(). Added
# before the suite's own watch (WATCH_RUNS), so that a held message is not counted as seen.
# (Playwright's routing of the websocket let the first message through now and then, and
# sent it again at the release: the page drew a run twice.)
HOLD_RUNS = """
(() => {
  const Native = window.WebSocket;
  const held = [];
  window.__samskabHold = false;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      const streamlit = String(args[0]).includes("/_stcore/stream");
      this.addEventListener("message", (event) => {
        if (!streamlit || event.__samskabReplayed || !window.__samskabHold) return;
        event.stopImmediatePropagation();  // ours is the first listener: no other sees it
        held.push([this, event.data]);
      });
    }
  };
  window.__samskabRelease = () => {
    window.__samskabHold = false;
    for (const [socket, data] of held.splice(0)) {
      const event = new MessageEvent("message", { data });
      event.__samskabReplayed = true;
      socket.dispatchEvent(event);
    }
  };
})();
"""


class HeldRuns:
    """The page's Streamlit connection, with what the server sends held back between
    ``hold()`` and ``release()`` (a run that takes seconds, as at 500 phones): the page's own
    runs wait; its small requests (the ballot route, the taps) do not."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def hold(self) -> None:
        self.page.evaluate("window.__samskabHold = true")

    def release(self) -> None:
        self.page.evaluate("window.__samskabRelease()")


def brainstorm_of(path: Path, texts: Sequence[str]) -> tuple[Store, Meeting, list[int]]:
    """A meeting (3 dots each) in its brainstorm with ``texts`` posted, each by an author of
    its own; the open store, the meeting and the ideas' ids."""
    store = open_store(path)
    meeting = make_meeting(store, dots=3)
    start(store, meeting)
    posted = [
        ideas.submit_idea(store, join_service(store, meeting, f"F{n}"), text).id
        for n, text in enumerate(texts)
    ]
    return store, meeting, posted


def held_phone(browser, server: Server, code: str) -> tuple[Page, HeldRuns, str]:
    """A phone that joined the meeting of ``code`` as Anna, whose page's Streamlit messages
    can be held back; and its link secret."""
    device = browser.new_context(locale="da-DK", **PHONE)
    device.set_default_timeout(40_000)
    device.add_init_script(HOLD_RUNS)
    device.add_init_script(WATCH_RUNS)
    phone = device.new_page()
    runs = HeldRuns(phone)
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    token = join_phone(phone, "Anna", "Deltag")
    # Its push connection has heard the room once: the next step is told by push (a phone
    # whose connection opens after the step change learns it from its page's run instead).
    phone.wait_for_function(
        "() => Object.values(window.__samskabPush || {}).some((live) => live.step !== null)"
    )
    return phone, runs, token


@pytest.mark.parametrize(
    "prompt",
    ["", "Giv dine prikker til det, der betyder mest for dig"],
    ids=["without-a-prompt", "with-a-prompt"],
)
def test_the_ballot_is_drawn_before_the_pages_run_and_a_dot_placed_there_is_kept(
    tmp_path, browser, shots, prompt
) -> None:
    """At the step change the phone asks the ballot route for its first page and draws it (a
    small request; at 500 phones the pages' runs took 2 s): here with the page's run held back,
    the ballot is there, the brainstorm is not, and a dot placed on it is saved. When the run
    comes, the page's own ballot takes over with that dot, and nothing is drawn twice."""
    path = tmp_path / "early.db"
    store, meeting, posted = brainstorm_of(path, TEXTS[:3])
    if prompt:  # the facilitator's words above the ballot
        [vote_step] = [s for s in meetings.list_steps(store, meeting.id) if s.kind.is_vote]
        meetings.update_step(store, vote_step.id, prompt=prompt, actor=None)
    store.close()
    with serving(path) as server:
        phone, runs, token = held_phone(browser, server, meeting.join_code)
        stream = phone.get_by_test_id("stChatMessage")  # the facilitator's prompt, the ideas
        expect(stream.filter(has_text=TEXTS[0])).to_be_visible()
        settle(phone)
        drawn = phone.evaluate("window.__samskabStepDrawn")
        runs.hold()
        store = open_store(path)
        meetings.next_step(store, meeting.id, actor=None)  # the dot vote
        store.close()
        early = phone.get_by_test_id("ballot-early")
        expect(early.locator("li.card")).to_have_count(3, timeout=15_000)
        expect(early.get_by_role("heading", name=da("step.dot_vote"))).to_be_visible()
        expect(early.get_by_text("Du har 3 af 3 prikker tilbage", exact=False)).to_be_visible()
        if prompt:
            expect(early.get_by_text(prompt)).to_be_visible()
        expect(idea_box(phone)).to_be_hidden()  # the brainstorm's idea box is not offered
        for message in stream.all():  # nor the brainstorm's stream (hidden, not removed)
            expect(message).to_be_hidden()
        # The page's run has not drawn the step: no ballot of its own, the step it drew before
        expect(phone.locator(".dots")).to_have_count(1)
        assert phone.evaluate("window.__samskabStepDrawn") == drawn
        shots(phone, "01-ballot-before-the-run", settled=False)
        phone.add_script_tag(path=str(AXE))  # WCAG 2.1 AA on the early ballot, as drawn
        failing = [v for v in phone.evaluate(RUN_AXE, WCAG_AA) if v["impact"] in FAILING]
        assert failing == [], failing
        dot(phone, posted[1])
        assert my_dots(server, meeting.id, token) == {TEXTS[1]: 1}
        expect(early.get_by_text("Du har 2 af 3 prikker tilbage", exact=False)).to_be_visible()
        # The reader scrolls down to the last idea: the takeover must not scroll it away
        last_card = phone.locator(".dots li.card").last
        last_card.scroll_into_view_if_needed()
        first_card = phone.locator(".dots li.card").first
        said = phone.get_by_text(prompt) if prompt else first_card.locator(".text")
        heading = phone.get_by_role("heading", name=da("step.dot_vote"))
        places = [last_card, heading, said, first_card]
        before = [place.bounding_box()["y"] for place in places]
        phone.evaluate(WATCH_CARDS)  # every frame from here: how many ballot cards are drawn
        runs.release()
        expect(early).to_have_count(0, timeout=15_000)
        settle(phone)
        ballot = phone.locator(".dots")
        expect(ballot).to_have_count(1)  # the page's own, once
        expect(ballot.get_by_text("Du har 2 af 3 prikker tilbage", exact=False)).to_be_visible()
        expect(dot_card(phone, posted[1])).to_contain_text("\u25cf")
        fewest = phone.evaluate("window.__samskabCardsStop()")
        assert fewest == 3, f"a frame with {fewest} of 3 cards while the page's ballot took over"
        # Nothing moves under the reader's thumb when the page's ballot takes over: the last
        # idea where the reader scrolled to, the heading, the prompt (or the first idea)
        moved = [place.bounding_box()["y"] - y for place, y in zip(places, before, strict=True)]
        assert all(abs(d) <= 2 for d in moved), moved
        shots(phone, "02-the-pages-ballot-took-over")
        dot(phone, posted[2])
        assert my_dots(server, meeting.id, token) == {TEXTS[1]: 1, TEXTS[2]: 1}


def test_a_page_turned_on_the_early_ballot_is_drawn_at_once_and_keeps_the_keyboard(
    tmp_path, browser, shots
) -> None:
    """A page turned on the early ballot is drawn at once from the route, not when the page's
    run comes; when it comes, the keyboard stays in the ballot."""
    path = tmp_path / "pages.db"
    store, meeting, _ = brainstorm_of(path, TEXTS)  # 11 ideas: two pages
    store.close()
    with serving(path) as server:
        phone, runs, _ = held_phone(browser, server, meeting.join_code)
        runs.hold()
        step_to(path, meeting.id)
        early = phone.get_by_test_id("ballot-early")
        where = early.locator(".where")
        expect(where).to_have_text(da("participate.page", page=1, pages=2), timeout=15_000)
        early.get_by_role("button", name=da("participate.next_page")).click()
        expect(where).to_have_text(da("participate.page", page=2, pages=2))
        expect(early.locator("li.card")).to_have_count(3)
        shots(phone, "01-page-two-turned-early", settled=False)
        runs.release()
        expect(early).to_have_count(0, timeout=15_000)
        settle(phone)
        expect(phone.locator(".dots .where")).to_have_text(da("participate.page", page=2, pages=2))
        expect(phone.locator(".dots li.card button").first).to_be_focused()


def test_the_early_ballot_says_the_unsent_idea_keeps_the_scroll_and_takes_the_focus(
    tmp_path, browser, shots
) -> None:
    """A reader typing in the idea box when the vote opens: the early ballot says the idea
    was not sent (as the page's run will), the keyboard goes on at the vote's heading (the
    idea box is hidden), and at the page's own heading after the takeover, which moves
    nothing though the reader scrolled down; the text deleted by keyboard leaves the focus
    at the heading."""
    path = tmp_path / "unsent.db"
    store, meeting, _ = brainstorm_of(path, TEXTS[:8])
    store.close()
    with serving(path) as server:
        phone, runs, _ = held_phone(browser, server, meeting.join_code)
        idea_box(phone).fill("Bænke ved søen")  # typed, not sent, when the vote opens
        runs.hold()
        step_to(path, meeting.id)
        early = phone.get_by_test_id("ballot-early")
        heading = early.get_by_role("heading", name=da("step.dot_vote"))
        expect(early.locator("li.card")).to_have_count(8, timeout=15_000)
        expect(heading).to_be_focused()
        unsent = phone.get_by_test_id("idea-unsent")
        expect(unsent).to_contain_text("Bænke ved søen")
        # The reader scrolls to the last idea (by touch: the focus stays on the heading)
        last_card = early.locator("li.card").last
        unscrolled = heading.bounding_box()["y"]
        last_card.scroll_into_view_if_needed()
        heading_at, last_at = heading.bounding_box()["y"], last_card.bounding_box()["y"]
        assert unscrolled - heading_at > 100, "the page should be scrolled down for this check"
        shots(phone, "01-unsent-and-scrolled", settled=False)
        runs.release()
        expect(early).to_have_count(0, timeout=15_000)
        settle(phone)
        own = phone.get_by_role("heading", name=da("step.dot_vote"))
        expect(own).to_be_focused()
        assert abs(own.bounding_box()["y"] - heading_at) <= 2  # the scroll kept
        last = phone.locator(".dots li.card").last
        assert abs(last.bounding_box()["y"] - last_at) <= 2
        expect(unsent).to_contain_text("Bænke ved søen")
        expect(phone.get_by_test_id("stHeading").locator("a")).to_have_count(0)  # no anchor
        shots(phone, "02-taken-over")
        unsent.get_by_role("button", name=da("participate.draft_discard")).focus()
        phone.keyboard.press("Enter")
        expect(unsent).to_have_count(0)
        expect(own).to_be_focused()


def step_to(path: Path, meeting_id: int) -> None:
    """The facilitator moves the meeting on one step (here: to the dot vote)."""
    store = open_store(path)
    meetings.next_step(store, meeting_id, actor=None)
    store.close()


def test_a_step_without_a_ballot_draws_nothing_early(tmp_path, browser) -> None:
    """A step change to anything but an open dot vote (here the wrap-up) draws nothing before
    the page's run: the route said there was no ballot, and nothing of the page was hidden."""
    path = tmp_path / "none.db"
    store = open_store(path)
    _, meeting = park_meeting(store)  # brainstorm, then the wrap-up
    ideas.submit_idea(store, join_service(store, meeting, "F"), TEXTS[0])
    store.close()
    with serving(path) as server:
        phone, runs, _ = held_phone(browser, server, meeting.join_code)
        expect(idea_box(phone)).to_be_visible()
        runs.hold()
        with phone.expect_response(lambda r: "/push/ballot" in r.url) as asked:
            store = open_store(path)
            meetings.next_step(store, meeting.id, actor=None)  # the wrap-up
            store.close()
        assert asked.value.json() == {"ballot": None}
        expect(phone.get_by_test_id("ballot-early")).to_have_count(0)
        expect(idea_box(phone)).to_be_visible()  # nothing hidden: the run has not come
        runs.release()
        expect(idea_box(phone)).to_be_hidden(timeout=15_000)
        settle(phone)
        expect(phone.get_by_test_id("ballot-early")).to_have_count(0)


def test_a_dot_on_an_idea_taken_down_is_offered_back(tmp_path, browser, shots) -> None:
    path = tmp_path / "gone.db"
    store, meeting, posted = brainstorm_of(
        path, ("Bænke i parken", "Mit telefonnummer er 12345678")
    )
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    store.close()
    with serving(path) as server:
        phone = joined_phone(browser, server.url, meeting.join_code)
        dot(phone, posted[1])
        store = open_store(path)
        moderation.hide_idea(store, posted[1], "Personoplysninger", actor=None)
        store.close()
        card = dot_card(phone, posted[1])
        expect(card).to_contain_text(da("dot_ballot.gone"), timeout=15_000)  # by push
        expect(card).not_to_contain_text("12345678")
        expect(dot_button(phone, posted[1], "plus")).to_have_count(0)
        settle(phone)
        shots(phone, "01-a-dot-on-an-idea-taken-down")
        dot(phone, posted[1], "minus")
        expect(phone.get_by_text("Du har 3 af 3 prikker tilbage", exact=False)).to_be_visible()
        # The dots are back: the card says so, and no longer asks for them (a fresh-eyes trial)
        expect(card).to_contain_text(da("dot_ballot.gone_back"))
        expect(card).not_to_contain_text(da("dot_ballot.gone"))
        shots(phone, "02-the-dots-are-back")


def test_a_tap_after_the_round_closed_shows_the_vote_closed(tmp_path, browser, shots) -> None:
    """The facilitator closes the round while the phone shows the ballot: the tap answers 409
    and the ballot's fragment runs again. It read the round the page had read, still "open",
    and drew the ballot again, so the tap seemed to do nothing (fresh-eyes trial)."""
    path = tmp_path / "closed.db"
    store = open_store(path)
    meeting = make_meeting(store, dots=3)
    start(store, meeting)
    idea = ideas.submit_idea(store, join_service(store, meeting, "F"), "Bænke i parken").id
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    round_id = voting.current_round(store, meeting.id).id
    store.close()
    with serving(path) as server:
        phone = joined_phone(browser, server.url, meeting.join_code)
        expect(dot_button(phone, idea)).to_be_visible()
        settle(phone)
        phone.evaluate(HOLD_PUSH)  # a phone the push has not reached yet (the race a tap wins)
        store = open_store(path)
        vote_methods.close_round(store, round_id, actor=None)
        store.close()
        dot_button(phone, idea).click()
        expect(phone.get_by_text(da("participate.vote_closed"), exact=True)).to_be_visible(
            timeout=15_000
        )
        expect(phone.locator(".dots")).to_have_count(0)
        settle(phone)
        shots(phone, "01-vote-closed-after-a-tap")
