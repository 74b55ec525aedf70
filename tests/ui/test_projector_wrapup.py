"""The projector's wrap-up slide: each vote step's own result, never another round's."""

from __future__ import annotations

import re

import pytest

from tests.factories import join
from tests.ui.conftest import open_console, texts
from workshop import committees
from workshop.accounts import users as accounts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods


@pytest.fixture
def room(app_store):
    """Brainstorm, a dot vote, a consent check, the wrap-up: three ideas, two people."""
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Havnen", "Opgave", actor=fie)
    agenda = [
        StepSpec(StepKind.BRAINSTORM, "Hvad savner du ved havnen?"),
        StepSpec(StepKind.DOT_VOTE, ""),
        StepSpec(StepKind.CONSENT, "Vi åbner havnebadet i maj"),
        StepSpec(StepKind.WRAP_UP, ""),
    ]
    meeting = meetings.create_meeting(
        app_store, committee.id, "Borgermøde", agenda=agenda, dots_per_participant=3, actor=fie
    )
    steps = {s.kind: s for s in meetings.list_steps(app_store, meeting.id)}
    meetings.next_step(app_store, meeting.id, actor=fie)
    anna, bo = join(app_store, meeting, "Anna"), join(app_store, meeting, "Bo")
    posted = [ideas.submit_idea(app_store, anna, text) for text in ("Bænke", "Badebro", "Lys")]
    return {
        "store": app_store,
        "fie": fie,
        "meeting": meeting,
        "steps": steps,
        "anna": anna,
        "bo": bo,
        "ideas": {i.text: i for i in posted},
    }


def go(room, kind: StepKind) -> None:
    meetings.go_to_step(room["store"], room["meeting"].id, room["steps"][kind].id, actor=None)


def dot(room, who: str, idea: str, times: int = 1) -> None:
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    for _ in range(times):
        voting.place_dot(room["store"], room[who], vote_round.id, room["ideas"][idea].id)


def consent(room, who: str, response: str) -> None:
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    vote_methods.cast_consent(room["store"], room[who], vote_round.id, response)


def projector_html(room, make_app) -> str:
    screen = meetings.screen_link_token(room["store"], room["meeting"].id)
    at = make_app(query={"screen": screen}).run()
    assert not at.exception, at.exception
    return " ".join(e.proto.body for e in at.get("html"))


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_wrap_up_ranks_by_the_dot_votes_dots_after_a_consent_round(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    dot(room, "anna", "Badebro", 2)
    dot(room, "bo", "Badebro", 1)
    dot(room, "bo", "Lys", 1)
    go(room, StepKind.CONSENT)  # the latest round opened is now the consent round
    consent(room, "anna", "agree")
    consent(room, "bo", "abstain")
    go(room, StepKind.WRAP_UP)

    shown = plain(projector_html(room, make_app))
    three, one = (
        translate("da", "common.dots.other", count=3),
        translate("da", "common.dots.one", count=1),
    )
    assert three in shown and one in shown, shown
    assert translate("da", "common.dots.other", count=0) not in shown, shown
    assert shown.index("Badebro") < shown.index(three) < shown.index("Lys") < shown.index(one)
    # The consent step's own result: its outcome, not dots.
    assert translate("da", "tally.consent.passed") in shown
    assert "Vi åbner havnebadet i maj" in shown


def test_a_vote_step_nobody_voted_in_says_so_not_zero_dots(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    go(room, StepKind.CONSENT)
    consent(room, "anna", "agree")
    go(room, StepKind.WRAP_UP)

    shown = plain(projector_html(room, make_app))
    assert translate("da", "wrapup.no_votes") in shown, shown
    assert translate("da", "common.dots.other", count=0) not in shown


def test_a_dot_vote_step_revisited_after_another_round_shows_its_own_dots(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    dot(room, "anna", "Bænke", 2)
    go(room, StepKind.CONSENT)
    go(room, StepKind.DOT_VOTE)  # back again: its round is older than the consent round

    shown = plain(projector_html(room, make_app))
    assert translate("da", "common.dots.other", count=2) in shown, shown


def dots_then_consent(room) -> None:
    go(room, StepKind.DOT_VOTE)
    dot(room, "anna", "Badebro", 2)
    dot(room, "bo", "Badebro", 1)
    dot(room, "bo", "Lys", 1)
    go(room, StepKind.CONSENT)  # the latest round opened is now the consent round
    consent(room, "anna", "agree")
    consent(room, "bo", "abstain")


def test_the_phones_wrap_up_shows_each_steps_own_result(room, make_app) -> None:
    """A phone's wrap-up showed the newest round's figures as dots (a trial found ranks shown as
    "prikker"): it shows each vote step's own result, as the projector does."""
    dots_then_consent(room)
    go(room, StepKind.WRAP_UP)

    at = make_app(query={"p": room["bo"].token}).run()
    assert not at.exception, at.exception
    shown = plain(" ".join(e.proto.body for e in at.get("html"))) + texts(at)
    three = translate("da", "common.dots.other", count=3)
    assert three in shown, shown
    assert shown.index("Badebro") < shown.index(three)
    assert translate("da", "common.dots.other", count=0) not in shown
    assert translate("da", "tally.consent.passed") in shown


def console(room, make_app):
    return open_console(make_app, room["fie"], room["meeting"].id)


def test_the_consoles_dot_counts_come_from_the_dot_vote(room, make_app) -> None:
    """After a consent round the console's idea list still counts the dot vote's dots."""
    dots_then_consent(room)
    at = console(room, make_app)
    assert translate("da", "common.dots.other", count=3) in texts(at)


def test_back_at_an_earlier_vote_step_the_console_reveals_that_steps_round(room, make_app) -> None:
    """Going back from the consent to the dot vote, "show/hide results" acts on the dot vote's
    round (a trial found it hid the newest round while the room kept seeing the dots)."""
    dots_then_consent(room)
    db = room["store"]
    consent_round = voting.current_round(db, room["meeting"].id)
    go(room, StepKind.DOT_VOTE)
    dot_round = voting.current_round(db, room["meeting"].id)
    before = (voting.get_round(db, dot_round.id).revealed, consent_round.revealed)

    at = console(room, make_app)
    at.button(key="console_reveal").click().run()
    assert not at.exception, at.exception

    after = voting.get_round(db, dot_round.id).revealed
    assert after is not before[0]
    assert voting.get_round(db, consent_round.id).revealed is before[1]
