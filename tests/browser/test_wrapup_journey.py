"""A meeting with all six voting methods, then the wrap-up on a 1920×1080 projector: every vote
step's card shows that step's own result (the dot vote its dots, the consent check its
outcome), never the round opened last.

A phone (390×844) places its dots and answers the consent check by tapping; two more people
vote in every step through the services, so that each method has a result to show.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, Server, context, dot, join, serving
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}
SIX = [
    StepKind.DOT_VOTE,
    StepKind.STATEMENTS,
    StepKind.PAIRWISE,
    StepKind.TWO_AXIS,
    StepKind.RANKED,
    StepKind.CONSENT,
]
PROPOSAL = "Biblioteket holder åbent til kl. 22 i weekenden"
IDEAS = ("Længere åbent", "Stillerum", "Værktøj til udlån")
# The smallest text of the wrap-up slide, in CSS pixels: readable from the back of the room.
SMALLEST_TEXT_PX = 24


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    path = tmp_path_factory.mktemp("wrapup") / "wrapup.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", "journey passphrase 2026", Role.FACILITATOR)
    committee = committees.create_committee(store, "Biblioteket", "", actor=staff)
    agenda = [StepSpec(StepKind.BRAINSTORM, "Hvad skal biblioteket kunne?")]
    agenda += [StepSpec(k, PROPOSAL if k is StepKind.CONSENT else "") for k in SIX]
    agenda += [StepSpec(StepKind.WRAP_UP, "")]
    meeting = meetings.create_meeting(
        store, committee.id, "Borgermøde", agenda=agenda, dots_per_participant=3, actor=staff
    )
    meetings.next_step(store, meeting.id, actor=staff)
    author = meetings.join_meeting(store, meeting.join_code, "Forfatter", client="seed")
    for text in IDEAS:
        ideas.submit_idea(store, author, text)
    store.close()
    # Phones refresh every 3 s: fewer redraws under a finger, and a lost tap fails the test.
    with serving(path, env={"SAMSKAB_CITIZEN_REFRESH_SECONDS": "3"}) as server:
        yield server, meeting.id


def idle(page: Page) -> None:
    """Streamlit has finished its run (the condition Streamlit's own e2e suite waits on)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


@pytest.fixture
def shots_dir(request: pytest.FixtureRequest) -> Path:
    """Where the journeys keep their screenshots (``shots`` without its fixed pause)."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shot(page: Page, folder: Path, name: str) -> None:
    idle(page)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_the_wrap_up_shows_each_vote_steps_own_result(room, browser, shots_dir) -> None:
    server, meeting_id = room
    store = open_store(server.db_path)
    code = meetings.get_meeting(store, meeting_id).join_code
    screen = meetings.screen_link_token(store, meeting_id)
    ids = {
        text: idea_id
        for idea_id, text in sqlite3.connect(server.db_path).execute("SELECT id, text FROM ideas")
    }
    longer, quiet, tools = (ids[text] for text in IDEAS)
    bo, cai = (
        meetings.join_meeting(store, code, name, client=f"seed-{name}") for name in ("Bo", "Cai")
    )

    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/?code={code}")
    idle(phone)
    join(phone, "Anna", "Deltag")
    projector = context(browser, PROJECTOR).new_page()
    projector.goto(f"{server.url}/?screen={screen}")
    expect(projector.get_by_test_id("projector-code")).to_be_visible()

    def advance() -> int:
        meetings.next_step(store, meeting_id, actor=None)
        found = voting.current_round(store, meeting_id)
        return found.id if found else 0

    # -- dot vote: Anna taps 2 dots on "Stillerum", 1 on "Længere åbent"; Bo adds 1 -----------
    round_id = advance()
    left = phone.get_by_text("Du har 3 af 3 prikker tilbage", exact=False)
    expect(left).to_be_visible()
    for tapped, idea_id in enumerate((quiet, quiet, longer), start=1):
        idle(phone)
        dot(phone, idea_id)
        # One tap, then the condition: a tap that is lost fails here (a lost tap is a lost vote).
        remaining = f"Du har {3 - tapped} af 3" if tapped < 3 else "Du har brugt alle 3 prikker"
        expect(phone.get_by_text(remaining, exact=False)).to_be_visible()
    voting.place_dot(store, bo, round_id, quiet)
    shot(phone, shots_dir, "01-phone-dots")

    # -- the other methods, voted through the services by Bo and Cai ------------------------
    round_id = advance()  # statements
    for person in (bo, cai):
        vote_methods.cast_stance(store, person, round_id, tools, 1)
        vote_methods.cast_stance(store, person, round_id, longer, -1)
    round_id = advance()  # pairwise
    for person in (bo, cai):
        vote_methods.cast_pairwise(store, person, round_id, longer, tools, tools)
        vote_methods.cast_pairwise(store, person, round_id, quiet, tools, tools)
    round_id = advance()  # two axes
    for person in (bo, cai):
        vote_methods.cast_scores(store, person, round_id, longer, 5, 5)
        vote_methods.cast_scores(store, person, round_id, quiet, 2, 4)
    round_id = advance()  # ranked
    for person in (bo, cai):
        vote_methods.cast_ranking(store, person, round_id, [longer, quiet, tools])

    # -- consent: Anna agrees on her phone, Bo abstains ----------------------------------------
    round_id = advance()
    expect(phone.get_by_text(PROPOSAL)).to_be_visible()
    idle(phone)
    phone.locator(".st-key-ballot_consent_response").get_by_text("Enig", exact=True).click()
    send = phone.locator(".st-key-ballot_consent_send button")
    expect(send).to_be_enabled()
    idle(phone)
    send.click()
    expect(phone.get_by_text("Dit svar er gemt: Enig")).to_be_visible()
    vote_methods.cast_consent(store, bo, round_id, "abstain")
    shot(phone, shots_dir, "02-phone-consent")

    # -- the wrap-up: the consent round is the latest round opened --------------------------
    advance()
    wrapup = projector.get_by_test_id("projector-wrapup")
    expect(wrapup).to_be_visible()
    for kind in SIX:
        expect(projector.get_by_test_id(f"wrapup-{kind.value}")).to_be_visible()
    dots = projector.get_by_test_id("wrapup-dot_vote")
    expect(dots).to_contain_text("1. Stillerum 3 prikker")
    expect(dots).to_contain_text("2. Længere åbent 1 prik")
    expect(dots).not_to_contain_text("0 prikker")
    expect(dots).to_contain_text("2 personer stemte")  # Anna and Bo
    expect(projector.get_by_test_id("wrapup-statements")).to_contain_text(
        "1. Værktøj til udlån 100 % er enige"
    )
    expect(projector.get_by_test_id("wrapup-pairwise")).to_contain_text("1. Værktøj til udlån")
    expect(projector.get_by_test_id("wrapup-two_axis")).to_contain_text(
        "Længere åbent Hurtig gevinst · Effekt 5,0 · gennemførlighed 5,0"
    )
    expect(projector.get_by_test_id("wrapup-ranked")).to_contain_text("1. Længere åbent")
    consent = projector.get_by_test_id("wrapup-consent")
    expect(consent).to_contain_text(PROPOSAL)
    expect(consent).to_contain_text("Vedtaget: ingen blokerede.")
    expect(consent).to_contain_text("Enig 1 · Afstår 1")
    expect(consent).not_to_contain_text("Blokerer")  # no zero counts
    shot(projector, shots_dir, "03-projector-wrapup-1920x1080")

    # Readable from the back row: no text on the slide smaller than 24 px, and it fits.
    smallest = projector.evaluate(
        """() => Math.min(...[...document.querySelectorAll(
            "[data-testid='projector-wrapup'] *")].filter(e => e.childNodes.length &&
            [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .map(e => parseFloat(getComputedStyle(e).fontSize)))"""
    )
    # Streamlit scrolls its main block, not the document: measure that, and the slide's end.
    height, bottom = projector.evaluate(
        """() => [document.querySelector("[data-testid='stMain']").scrollHeight,
                  document.querySelector("[data-testid='projector-wrapup']")
                      .getBoundingClientRect().bottom]"""
    )
    print(
        f"wrap-up at 1920x1080: smallest text {smallest} px, main scrollHeight {height} px,"
        f" slide ends at {bottom:.0f} px"
    )
    assert smallest >= SMALLEST_TEXT_PX, smallest
    assert bottom <= PROJECTOR["viewport"]["height"], bottom
    store.close()
