"""Every voting method on a phone (390×844), with the results on the projector and on the
facilitator's console on a phone: every chart's labels drawn whole, inside the chart."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    assert_chart_texts_fit,
    context,
    enter,
    join,
    log_in,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
METHODS = [
    StepKind.STATEMENTS,
    StepKind.PAIRWISE,
    StepKind.TWO_AXIS,
    StepKind.RANKED,
    StepKind.CONSENT,
]
# Wraps into three lines on an axis; short enough (≤ 60 characters) to show whole.
LONG_IDEA = "Et åbent værksted med 3D-printere for alle børn og unge"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    path = tmp_path_factory.mktemp("methods") / "methods.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR)
    committee = committees.create_committee(store, "Biblioteket", "", actor=staff)
    agenda = [StepSpec(StepKind.BRAINSTORM, "Hvad skal biblioteket kunne?")]
    agenda += [
        StepSpec(kind, "Åbent til kl. 22 i weekenden" if kind is StepKind.CONSENT else "")
        for kind in METHODS
    ]
    meeting = meetings.create_meeting(
        store, committee.id, "Metodeværksted", agenda=agenda, actor=staff
    )
    meetings.next_step(store, meeting.id, actor=staff)
    author = meetings.join_meeting(store, meeting.join_code, "Forfatter", client="seed")
    for text in ("Længere åbent", "Stillerum", "Værktøj til udlån", LONG_IDEA):
        ideas.submit_idea(store, author, text)
    store.close()
    with serving(path) as server:
        yield server, meeting.id


def advance(server: Server, meeting_id: int) -> None:
    store = open_store(server.db_path)
    meetings.next_step(store, meeting_id, actor=None)
    store.close()


def results_read_whole(console, projector, shots, name: str, idea: str | None) -> None:
    """The round's chart on the facilitator's phone and on the projector: every label inside
    its chart, none cut short, and the long idea (when the chart names ideas) drawn whole."""
    console.reload()  # the console's results update on its next run
    settle(console)
    # The projector's 20 px type: the rotated axis title's box overhangs by 3.5 px, letters whole.
    for page, where, slack in ((console, "phone console", 3), (projector, "projector", 5)):
        charts = page.get_by_test_id("stVegaLiteChart")
        expect(charts.first).to_be_visible(timeout=15_000)
        charts.first.scroll_into_view_if_needed()
        shots(page, f"{name}-{where.replace(' ', '-')}")
        shown = assert_chart_texts_fit(charts, where, slack=slack)
        if idea is not None:
            assert any(idea in text for text in shown), f"{idea!r} not whole on the {where}"


def test_a_phone_votes_with_every_method(room, browser, shots) -> None:
    server, meeting_id = room
    (code,) = (
        sqlite3.connect(server.db_path)
        .execute("SELECT join_code FROM meetings WHERE id = ?", [meeting_id])
        .fetchone()
    )
    screen = meetings.screen_link_token(open_store(server.db_path), meeting_id)
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    join(phone, "Anna", "Deltag")
    projector = context(browser, LAPTOP).new_page()
    projector.goto(f"{server.url}/?screen={screen}")
    console = context(browser, PHONE).new_page()
    log_in(console, server.url, "fie")
    console.get_by_role("link", name="Åbn styrepult").first.click()
    settle(console)

    advance(server, meeting_id)  # statements
    expect(phone.get_by_text("Enig eller uenig")).to_be_visible(timeout=15_000)
    settle(phone)  # the run that drew the new step is over: its ballot is whole
    expect(phone.get_by_text("Du har svaret på 0 af 4 udsagn")).to_be_visible()
    for answered in range(1, 5):  # four statements, one tap each: a lost tap fails here
        agree = phone.locator("[class*='st-key-ballot_agree_'] button").filter(visible=True)
        tap(phone, agree.first)
        expect(phone.get_by_text(f"Du har svaret på {answered} af 4 udsagn")).to_be_visible()
    expect(phone.get_by_text("Du har svaret på alle udsagn")).to_be_visible()
    shots(phone, "01-statements")
    results_read_whole(console, projector, shots, "01r-statements", LONG_IDEA)
    # One voter: the projector tells the room how many more are needed for opinion groups.
    missing = projector.get_by_text("Der mangler 4 deltagere, før der kan dannes meningsgrupper")
    expect(missing).to_be_visible(timeout=15_000)
    missing.scroll_into_view_if_needed()
    shots(projector, "01g-projector-groups-need-more-voters")

    advance(server, meeting_id)  # pairwise
    expect(phone.get_by_text("Hvilken er bedst?")).to_be_visible(timeout=15_000)
    settle(phone)  # the run that drew the new step is over: its ballot is whole
    tap(phone, phone.locator("[class*='st-key-ballot_pick_'] button").filter(visible=True).first)
    expect(phone.get_by_text("Du har sammenlignet 1 par")).to_be_visible()
    shots(phone, "02-pairwise")
    results_read_whole(console, projector, shots, "02r-pairwise", None)

    advance(server, meeting_id)  # two axes
    expect(phone.get_by_text("Effekt (1 = lille, 5 = stor)").first).to_be_visible(timeout=15_000)
    settle(phone)  # the run that drew the new step is over: its ballot is whole
    shots(phone, "03a-two-axis-empty")
    impact = phone.locator("[class*='st-key-ballot_impact_']").filter(visible=True).first
    tap(phone, impact.locator("button").filter(has_text=re.compile(r"^5$")))
    feasible = phone.locator("[class*='st-key-ballot_feasible_']").filter(visible=True).first
    tap(phone, feasible.locator("button").filter(has_text=re.compile(r"^4$")))
    tap(phone, phone.locator("[class*='st-key-ballot_save_'] button").filter(visible=True).first)
    expect(phone.get_by_text("Gemt: effekt 5, gennemførlighed 4")).to_be_visible()
    shots(phone, "03-two-axis")
    results_read_whole(console, projector, shots, "03r-two-axis", None)

    advance(server, meeting_id)  # ranked
    expect(phone.get_by_text("Vælg idéerne i din prioriterede")).to_be_visible(timeout=15_000)
    settle(phone)  # the run that drew the new step is over: its ballot is whole
    phone.locator(".st-key-ballot_ranking").click()
    phone.get_by_role("option", name="Stillerum").click()
    phone.keyboard.press("Escape")
    settle(phone)
    tap(phone, phone.locator(".st-key-ballot_ranked_save button"))
    expect(phone.get_by_text("Din rangering er gemt")).to_be_visible()
    shots(phone, "04-ranked")
    results_read_whole(console, projector, shots, "04r-ranked", LONG_IDEA)

    advance(server, meeting_id)  # consent
    expect(phone.get_by_text("Åbent til kl. 22 i weekenden")).to_be_visible(timeout=15_000)
    settle(phone)  # the run that drew the new step is over: its ballot is whole
    send = phone.locator(".st-key-ballot_consent_send button")
    choice = phone.locator(".st-key-ballot_consent_response").get_by_text("Blokerer", exact=True)
    tap(phone, choice)  # the radio reruns the ballot, which enables "send"
    expect(send).to_be_enabled()
    # A block without a reason is refused with a toast, which fades: checked while it shows.
    tap(phone, send, shows=phone.get_by_text("hvorfor du blokerer", exact=False))
    phone.locator(".st-key-ballot_consent_reason textarea").fill("For dyrt i personaletimer")
    enter(phone, phone.locator(".st-key-ballot_consent_reason textarea"), "Tab")
    tap(phone, phone.locator(".st-key-ballot_consent_send button"))
    expect(phone.get_by_text("Dit svar er gemt")).to_be_visible()
    shots(phone, "05-consent")
    expect(projector.get_by_text("For dyrt i personaletimer")).to_be_visible(timeout=15_000)
    shots(projector, "06-projector-consent-results")
