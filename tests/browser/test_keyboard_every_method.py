"""Keyboard only and at 200 % zoom for every voting method (issue 18, point 1).

A citizen votes in every method a phone meets (dots, agree/disagree/pass, pairwise, two axes,
ranking, consent with a block that needs a reason) with Tab, Shift+Tab, Enter, Space and the
arrow keys alone, and every vote is found in the database; a facilitator logs in, moves the
meeting on, opens a round and reveals its results by keyboard; and at 200 % zoom (1920×1080
drawn as 960×540 CSS pixels) every phone step kind and the console's main tab fit without a
sideways scroll, their main action within reach. One server and one meeting per journey.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LAPTOP, PASSWORD, PHONE, Server, context, log_in, serving, settle
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.agenda import AgendaTemplate, template_agenda
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ZOOMED = {"viewport": {"width": 960, "height": 540}, "device_scale_factor": 2}
IDEAS = ("Længere åbent", "Stillerum", "Værktøj til udlån", "Lektiecafé")
PROPOSAL = "Åbent til kl. 22 i weekenden"

# What has the keyboard's focus: its tag, the widget key it sits in, what it says, whether it
# is checked, whether the focus shows (an outline or a ring drawn as a box shadow), the name of
# the group it is in (what a screen reader says on entering a segmented control: "Effekt …:
# Stillerum") and the idea whose two-axis card holds it (the card's first line, as seen).
FOCUSED = """
() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) {
    return {tag: "", key: "", text: "", checked: false, ring: false, group: "", card: ""};
  }
  const keyed = e.closest("[class*='st-key-']");
  // The dot ballot is drawn by the app's own component: its buttons say what they are.
  const key = e.dataset.key ? "dots-" + e.dataset.key
    : keyed ? [...keyed.classList].find(c => c.startsWith("st-key-")).slice(7) : "";
  const label = e.closest("label");
  const text = (e.getAttribute("aria-label") || e.innerText || (label && label.innerText)
                || e.getAttribute("placeholder") || "").trim();
  const style = getComputedStyle(e);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
               || style.boxShadow !== "none";
  const grouped = e.closest("[role='radiogroup'], [role='group']");
  const card = e.closest("[class*='st-key-ballot_scores_']");
  const seen = card && card.querySelector("p");
  return {tag: e.tagName, key, text, checked: e.checked === true, ring,
          group: (grouped && grouped.getAttribute("aria-label")) || "",
          card: seen ? seen.innerText.trim() : ""};
}
"""


def tab_to(
    page: Page, key: str, text: str = "", *, tag: str = "", back: bool = False, most: int = 80
) -> dict[str, Any]:
    """Press Tab (Shift+Tab with ``back``) until the focus is on an element in the widget
    whose key starts with ``key`` and that says ``text`` (a ``tag`` one, if given)."""
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        if (
            focused["key"].startswith(key)
            and text in focused["text"]
            and focused["tag"].startswith(tag)
        ):
            return focused
    raise AssertionError(f"{key} {text!r} not reached by Tab; focus: {page.evaluate(FOCUSED)}")


def press(page: Page, key: str) -> None:
    """Press ``key`` and wait until the run it asks for is over (a lost key fails later)."""
    before = int(page.evaluate("window.__samskabReruns"))
    page.keyboard.press(key)
    page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def activate(page: Page, key: str, text: str = "", *, how: str = "Enter") -> None:
    """Tab to a button and press it (Enter or Space); its focus must show."""
    focused = tab_to(page, key, text, tag="BUTTON")
    assert focused["ring"], f"{key} {text!r}: the keyboard focus does not show"
    press(page, how)


def activate_dot(page: Page, key: str, text: str, *, how: str = "Enter") -> None:
    """Tab to a button of the dot ballot and press it; the ballot sends the tap itself (no
    page run): wait until the server answered, and nothing was lost."""
    focused = tab_to(page, key, text, tag="BUTTON")
    assert focused["ring"], f"{key} {text!r}: the keyboard focus does not show"
    page.keyboard.press(how)
    ballot = page.locator(".dots")
    expect(ballot).to_have_attribute("data-pending", "0", timeout=30_000)
    expect(ballot.locator(".note:not(:empty)")).to_have_count(0)
    # The focus stays where it was: a keyboard user goes on from the button they pressed.
    assert page.evaluate(FOCUSED)["key"] == focused["key"], page.evaluate(FOCUSED)


def arrow_to(page: Page, key: str, text: str, *, arrow: str = "ArrowRight", most: int = 9) -> None:
    """In a group that moves its focus with the arrow keys (a segmented control), press
    ``arrow`` until the focus is on the option that says ``text``."""
    for _ in range(most):
        focused = page.evaluate(FOCUSED)
        if focused["key"].startswith(key) and focused["text"] == text:
            assert focused["ring"], f"{key} {text!r}: the keyboard focus does not show"
            return
        page.keyboard.press(arrow)
    raise AssertionError(f"{key} {text!r} not reached by {arrow}: {page.evaluate(FOCUSED)}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Three meetings on one server: the citizen's, the facilitator's and the zoomed one."""
    path = tmp_path_factory.mktemp("keyboard_methods") / "keyboard.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR)
    committee = committees.create_committee(store, "Biblioteket", "", actor=staff)
    made = {}
    for name, template in (
        ("citizen", AgendaTemplate.CITIZENS_MEETING),
        ("facilitator", AgendaTemplate.SHORT),
        ("zoom", AgendaTemplate.CITIZENS_MEETING),
    ):
        meeting = meetings.create_meeting(
            store,
            committee.id,
            f"Værksted ({name})",
            agenda=template_agenda(template, "Hvad skal biblioteket kunne?"),
            actor=staff,
        )
        steps = {s.kind: s for s in meetings.list_steps(store, meeting.id)}
        if StepKind.CONSENT in steps:
            meetings.update_step(store, steps[StepKind.CONSENT].id, prompt=PROPOSAL, actor=staff)
        meetings.go_to_step(store, meeting.id, steps[StepKind.BRAINSTORM].id, actor=staff)
        author = meetings.join_meeting(store, meeting.join_code, "Forfatter", client="seed")
        for text in IDEAS:
            ideas.submit_idea(store, author, text)
        made[name] = {"meeting": meeting, "steps": steps, "author": author}
    store.close()
    with serving(path) as server:
        yield {"server": server, **made}


def go(server: Server, meeting: Any, step: Any) -> None:
    store = open_store(server.db_path)
    meetings.go_to_step(store, meeting.id, step.id, actor=None)
    store.close()


def ballot(server: Server, meeting_id: int, token: str) -> dict[str, Any]:
    """The participant's ballot in the meeting's latest round, read from the database, with
    the ideas' words for their ids."""
    store = open_store(server.db_path)
    try:
        person = meetings.get_participant(store, token)
        vote_round = voting.latest_round(store, meeting_id)
        assert vote_round is not None
        mine = vote_methods.my_ballot(store, vote_round.id, person.id)
        texts = {i.id: i.text for i in ideas.list_ideas(store, meeting_id)}
        mine["dots"] = {
            texts[i]: n for i, n in voting.my_dots(store, vote_round.id, person.id).items() if n
        }
        mine["by_text"] = {texts[i]: v for i, v in mine["entries"].items()}
        mine["texts"] = texts
        return mine
    finally:
        store.close()


def shows_ballot(page: Page, marker: Locator) -> None:
    expect(marker.first).to_be_visible(timeout=15_000)
    settle(page)


def test_a_citizen_votes_in_every_method_with_the_keyboard_alone(world, browser, shots) -> None:
    server, meeting, steps = world["server"], world["citizen"]["meeting"], world["citizen"]["steps"]
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/?code={meeting.join_code}")
    settle(phone)
    tab_to(phone, "start_name", tag="INPUT")
    phone.keyboard.type("Kim")
    with phone.expect_response(lambda response: "/auth/participant?" in response.url):
        tab_to(phone, "", "Deltag", tag="BUTTON")
        phone.keyboard.press("Enter")
    phone.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(phone)
    token = phone.url.split("p=", 1)[1].split("&", 1)[0]

    # Dots: + on one idea with Enter, − with Space takes it back, + again.
    go(server, meeting, steps[StepKind.DOT_VOTE])
    shows_ballot(phone, phone.get_by_text("prikker tilbage"))
    # Each check waits first for what the run that handled the key draws (a phone's refreshing
    # fragment may run in between): then the database is read once.
    left = phone.get_by_text(re.compile(r"Du har 2 af 3 prikker tilbage"))
    activate_dot(phone, "dots-plus-", "+ Prik: Stillerum")
    expect(left).to_be_visible()
    assert ballot(server, meeting.id, token)["dots"] == {"Stillerum": 1}
    activate_dot(phone, "dots-minus-", "− Prik: Stillerum", how="Space")
    expect(phone.get_by_role("button", name="− Prik: Stillerum")).to_be_disabled()
    assert ballot(server, meeting.id, token)["dots"] == {}
    activate_dot(phone, "dots-plus-", "+ Prik: Værktøj til udlån")
    expect(left).to_be_visible()
    assert ballot(server, meeting.id, token)["dots"] == {"Værktøj til udlån": 1}
    shots(phone, "01-dots")

    # Agree, disagree, pass: one statement at a time, each answer in the database.
    go(server, meeting, steps[StepKind.STATEMENTS])
    shows_ballot(phone, phone.get_by_text("Du har svaret på 0 af 4 udsagn"))
    answers = {}
    for answered, (word, stance, how) in enumerate(
        [("Enig", 1, "Enter"), ("Uenig", -1, "Space"), ("Spring over", 0, "Enter")], start=1
    ):
        statement = phone.locator(".st-key-ballot_statement_card h3").inner_text().strip()
        activate(phone, "ballot_", word, how=how)
        answers[statement] = stance
        expect(phone.get_by_text(f"Du har svaret på {answered} af 4 udsagn")).to_be_visible()
        recorded = ballot(server, meeting.id, token)["by_text"]
        assert {text: value[0] for text, value in recorded.items()} == answers
    shots(phone, "02-statements")

    # Pairwise: the first idea of the pair, with Enter.
    go(server, meeting, steps[StepKind.PAIRWISE])
    shows_ballot(phone, phone.get_by_text("Hvilken er bedst?"))
    focused = tab_to(phone, "ballot_pick_", tag="BUTTON")
    assert focused["ring"], "the pairwise button's focus does not show"
    picked = focused["text"]
    press(phone, "Enter")
    expect(phone.get_by_text("Du har sammenlignet 1 par")).to_be_visible()
    mine = ballot(server, meeting.id, token)
    assert [mine["texts"][p["winner_id"]] for p in mine["pairs"]] == [picked]
    shots(phone, "03-pairwise")

    # Two axes: 5 for impact, 4 for feasibility on the idea the first Tab reaches, then save.
    # Which card that is, is not fixed: it depends on where the focus was when the step
    # changed (the pairwise button that had it is gone) and on how much of the page was drawn
    # then; under load it was the third card of this phone's order. A keyboard user knows the
    # idea by the name the group says, not by the page's first card: so does the test, and
    # that name must be the idea the card shows and the one the vote is stored for.
    go(server, meeting, steps[StepKind.TWO_AXIS])
    shows_ballot(phone, phone.get_by_text("Effekt (1 = lille, 5 = stor)"))
    # A segmented control is one Tab stop: the arrow keys move along it, Space chooses.
    focused = tab_to(phone, "ballot_impact_", tag="BUTTON")
    impact_name = "Effekt (1 = lille, 5 = stor): "
    assert focused["group"].startswith(impact_name), focused
    idea = focused["group"].removeprefix(impact_name)
    assert idea in IDEAS and focused["card"] == idea, focused  # named as seen
    arrow_to(phone, "ballot_impact_", "5")
    press(phone, "Space")
    focused = tab_to(phone, "ballot_feasible_", tag="BUTTON")
    assert focused["group"] == f"Gennemførlighed (1 = svær, 5 = let): {idea}", focused
    assert focused["card"] == idea, focused
    arrow_to(phone, "ballot_feasible_", "4")
    press(phone, "Enter")
    activate(phone, "ballot_save_", f"Gem point: {idea}")
    expect(phone.get_by_text("Gemt: effekt 5, gennemførlighed 4")).to_be_visible()
    assert ballot(server, meeting.id, token)["by_text"] == {idea: (5, 4)}
    shots(phone, "04-two-axis")

    # Ranked: type to find an idea in the list, Enter picks it; two of them, then save.
    go(server, meeting, steps[StepKind.RANKED])
    shows_ballot(phone, phone.get_by_text("Vælg idéerne i din prioriterede"))
    tab_to(phone, "ballot_ranking", tag="INPUT")
    for place, idea in enumerate(("Stillerum", "Lektiecafé"), start=1):
        phone.keyboard.type(idea[:5])
        expect(phone.get_by_role("option", name=idea)).to_be_visible()
        press(phone, "Enter")
        expect(phone.get_by_text(f"{place}. {idea}", exact=True)).to_be_visible()
    phone.keyboard.press("Escape")
    activate(phone, "ballot_ranked_save")
    expect(phone.get_by_text("Din rangering er gemt")).to_be_visible()
    ranking = ballot(server, meeting.id, token)["by_text"]
    assert {text: value[0] for text, value in ranking.items()} == {"Stillerum": 1, "Lektiecafé": 2}
    shots(phone, "05-ranked")

    # Consent: the arrow keys choose "Blokerer"; sent without a reason it is refused and
    # nothing is saved; Shift+Tab back to the reason, type it, Tab on and send.
    go(server, meeting, steps[StepKind.CONSENT])
    shows_ballot(phone, phone.get_by_text(PROPOSAL))
    tab_to(phone, "ballot_consent_response", tag="INPUT")
    for _ in range(3):  # Enig → Afstår → Har forbehold → Blokerer, each one a choice
        press(phone, "ArrowDown")
    focused = phone.evaluate(FOCUSED)
    assert focused["text"] == "Blokerer" and focused["checked"], focused
    activate(phone, "ballot_consent_send")
    expect(phone.get_by_text("hvorfor du blokerer", exact=False)).to_be_visible()
    assert ballot(server, meeting.id, token)["response"] is None
    tab_to(phone, "ballot_consent_reason", tag="TEXTAREA", back=True)
    phone.keyboard.type("For dyrt i personaletimer")
    activate(phone, "ballot_consent_send")
    expect(phone.get_by_text("Dit svar er gemt")).to_be_visible()
    mine = ballot(server, meeting.id, token)
    assert (mine["response"], mine["reason"]) == ("block", "For dyrt i personaletimer")
    shots(phone, "06-consent")


def test_a_facilitator_runs_the_meeting_with_the_keyboard_alone(world, browser, shots) -> None:
    server, meeting = world["server"], world["facilitator"]["meeting"]
    console = context(browser, LAPTOP).new_page()
    console.goto(f"{server.url}/login")
    settle(console)
    tab_to(console, "login_username", tag="INPUT")
    console.keyboard.type("fie")
    tab_to(console, "login_password", tag="INPUT")
    console.keyboard.type(PASSWORD)
    console.keyboard.press("Enter")
    console.wait_for_url(lambda url: "/login" not in url and "/auth/" not in url)
    settle(console)
    console.goto(f"{server.url}/console?meeting={meeting.id}")
    settle(console)

    def now() -> tuple[StepKind | None, int, bool]:
        store = open_store(server.db_path)
        try:
            step = meetings.current_step(store, meeting.id)
            vote_round = voting.latest_round(store, meeting.id)
            return (
                step.kind if step else None,
                vote_round.number if vote_round else 0,
                bool(vote_round and vote_round.revealed),
            )
        finally:
            store.close()

    assert now() == (StepKind.BRAINSTORM, 0, False)
    # Each check waits first for what the run that handled the key draws (the console's
    # refreshing parts may run in between): then the database is read once.
    activate(console, "console_next", "Næste trin")
    expect(console.get_by_role("button", name="Ny runde")).to_be_visible()
    assert now()[:2] == (StepKind.DOT_VOTE, 1)  # a dot vote shows its dots as they come
    activate(console, "console_new_round", "Ny runde")
    expect(console.get_by_role("button", name="Vis resultater")).to_be_visible()
    assert now() == (StepKind.DOT_VOTE, 2, False)
    store = open_store(server.db_path)  # a phone votes in the new round: results to reveal
    round_id = voting.latest_round(store, meeting.id).id  # type: ignore[union-attr]
    first_idea = ideas.list_ideas(store, meeting.id)[0].id
    voting.place_dot(store, world["facilitator"]["author"], round_id, first_idea)
    store.close()
    activate(console, "console_reveal", "Vis resultater")
    expect(console.get_by_role("button", name="Skjul resultater")).to_be_visible()
    assert now() == (StepKind.DOT_VOTE, 2, True)
    shots(console, "01-revealed-by-keyboard")


def within_reach(page: Page, target: Locator, where: str) -> None:
    """``target`` can be scrolled to (vertically) and then lies wholly inside the window."""
    target.scroll_into_view_if_needed()
    expect(target).to_be_in_viewport(ratio=1)
    # Measured in the page, which waits for the element: a run that redraws it in between
    # (the wrap-up follows every change) left bounding_box() with nothing to measure.
    box = target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return {x: r.x, width: r.width}; }"
    )
    assert box["x"] >= 0 and box["x"] + box["width"] <= 960, (where, box)


def no_sideways_scroll(page: Page, where: str) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{where}: the page scrolls sideways at 200 % ({widths})"


# Each step kind a phone meets and its main action.
ZOOM_STEPS = (
    (StepKind.BRAINSTORM, ".composer textarea"),
    (StepKind.DOT_VOTE, ".dots button.plus"),
    (StepKind.STATEMENTS, "[class*='st-key-ballot_agree_'] button"),
    (StepKind.PAIRWISE, "[class*='st-key-ballot_pick_'] button"),
    (StepKind.TWO_AXIS, "[class*='st-key-ballot_save_'] button"),
    (StepKind.RANKED, ".st-key-ballot_ranked_save button"),
    (StepKind.CONSENT, ".st-key-ballot_consent_send button"),
    (StepKind.WRAP_UP, "a[href*='my_data']"),
)


def test_every_phone_step_and_the_console_fit_at_200_percent_zoom(world, browser, shots) -> None:
    server, meeting, steps = world["server"], world["zoom"]["meeting"], world["zoom"]["steps"]
    page = context(browser, ZOOMED).new_page()
    page.goto(f"{server.url}/?code={meeting.join_code}")
    settle(page)
    page.locator(".st-key-start_name input").fill("Zoe")
    with page.expect_response(lambda response: "/auth/participant?" in response.url):
        page.get_by_role("button", name="Deltag", exact=True).click()
    page.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(page)
    for number, (kind, action) in enumerate(ZOOM_STEPS, start=1):
        if kind is not StepKind.BRAINSTORM:
            go(server, meeting, steps[kind])
        target = page.locator(action).filter(visible=True).first
        expect(target).to_be_attached(timeout=15_000)
        settle(page)
        no_sideways_scroll(page, kind.value)
        within_reach(page, target, kind.value)
        shots(page, f"{number:02d}-{kind.value}-200")

    go(server, meeting, steps[StepKind.DOT_VOTE])  # a step the console can move on from
    console = context(browser, ZOOMED).new_page()
    log_in(console, server.url, "fie")
    console.goto(f"{server.url}/console?meeting={meeting.id}")
    settle(console)
    no_sideways_scroll(console, "console")
    within_reach(
        console,
        console.locator(".st-key-console_next button").filter(visible=True).first,
        "console",
    )
    shots(console, "09-console-200")
