"""The wrap-up read model: each vote step's own result, ranked by its own method."""

from __future__ import annotations

import pytest

from tests.factories import join
from workshop import committees
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.meetings.core import StepSpec
from workshop.model import MeetingStatus, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting import tallies, wrapup
from workshop.voting.methods import VoteMethod
from workshop.voting.tallies import Quadrant
from workshop.voting.wrapup import ResultState

SIX = [
    StepKind.DOT_VOTE,
    StepKind.STATEMENTS,
    StepKind.PAIRWISE,
    StepKind.TWO_AXIS,
    StepKind.RANKED,
    StepKind.CONSENT,
]


@pytest.fixture
def room(store, facilitator):
    """Brainstorm, every voting method, the wrap-up; three people, three ideas A, B, C."""
    committee = committees.create_committee(store, "Havnen", "", actor=facilitator)
    agenda = [StepSpec(StepKind.BRAINSTORM, "Hvad savner du?")]
    agenda += [
        StepSpec(kind, "Havnebadet åbner i maj" if kind is StepKind.CONSENT else "") for kind in SIX
    ]
    agenda += [StepSpec(StepKind.WRAP_UP, "")]
    meeting = meetings.create_meeting(
        store, committee.id, "Borgermøde", agenda=agenda, dots_per_participant=3, actor=facilitator
    )
    steps = {s.kind: s for s in meetings.list_steps(store, meeting.id)}
    meetings.next_step(store, meeting.id, actor=None)
    people = [join(store, meeting, name) for name in ("Anna", "Bo", "Cai")]
    a, b, c = (ideas.submit_idea(store, people[0], text).id for text in ("A", "B", "C"))
    return {"store": store, "meeting": meeting, "steps": steps, "people": people, "ids": (a, b, c)}


def go(room, kind: StepKind) -> int:
    meetings.go_to_step(room["store"], room["meeting"].id, room["steps"][kind].id, actor=None)
    found = voting.current_round(room["store"], room["meeting"].id)
    return found.id if found else 0


def results(room) -> dict[StepKind, wrapup.StepResult]:
    seq = meetings.meeting_state(room["store"], room["meeting"].id).vote_seq
    found = wrapup.wrapup_results(room["store"], room["meeting"].id, seq)
    return {r.step.kind: r for r in found}


def vote_everything(room) -> None:
    store, people = room["store"], room["people"]
    a, b, c = room["ids"]
    r = go(room, StepKind.DOT_VOTE)
    for person, idea in ((people[0], b), (people[0], b), (people[1], b), (people[2], a)):
        voting.place_dot(store, person, r, idea)
    r = go(room, StepKind.STATEMENTS)
    for person in people:
        vote_methods.cast_stance(store, person, r, a, 1)
        vote_methods.cast_stance(store, person, r, b, -1)
    vote_methods.cast_stance(store, people[0], r, c, 1)
    vote_methods.cast_stance(store, people[1], r, c, -1)
    r = go(room, StepKind.PAIRWISE)
    for person in people:
        vote_methods.cast_pairwise(store, person, r, a, c, c)
        vote_methods.cast_pairwise(store, person, r, b, c, c)
        vote_methods.cast_pairwise(store, person, r, a, b, b)
    r = go(room, StepKind.TWO_AXIS)
    for person in people:
        vote_methods.cast_scores(store, person, r, a, 5, 5)
        vote_methods.cast_scores(store, person, r, b, 5, 1)
        vote_methods.cast_scores(store, person, r, c, 1, 1)
    r = go(room, StepKind.RANKED)
    for person in people:
        vote_methods.cast_ranking(store, person, r, [b, c, a])
    r = go(room, StepKind.CONSENT)
    vote_methods.cast_consent(store, people[0], r, "agree")
    vote_methods.cast_consent(store, people[1], r, "block", "For koldt i maj")
    go(room, StepKind.WRAP_UP)


def test_each_vote_step_shows_its_own_result_ranked_by_its_own_method(room) -> None:
    vote_everything(room)
    a, b, c = room["ids"]
    found = results(room)
    assert list(found) == SIX  # agenda order, every vote step, the wrap-up itself not a result
    assert all(r.state is ResultState.SHOWN for r in found.values())

    dots = found[StepKind.DOT_VOTE]
    assert [(x.idea_id, x.place, x.value) for x in dots.lines] == [(b, 1, 3), (a, 2, 1)]
    assert dots.method is VoteMethod.DOT_VOTE and dots.voters == 3

    statements = found[StepKind.STATEMENTS]
    assert [(x.idea_id, x.value) for x in statements.lines] == [(a, 1.0), (c, 0.5), (b, 0.0)]

    pairwise = found[StepKind.PAIRWISE]
    assert [x.idea_id for x in pairwise.lines] == [c, b, a]
    assert pairwise.lines[0].value == pytest.approx((6 + 1) / (6 + 2) * 100)

    axes = found[StepKind.TWO_AXIS]
    assert [(x.idea_id, x.quadrant) for x in axes.lines] == [
        (a, Quadrant.QUICK_WIN),
        (b, Quadrant.MAJOR_PROJECT),
        (c, Quadrant.THANKLESS),
    ]
    assert (axes.lines[1].value, axes.lines[1].value2) == (5, 1)

    ranked = found[StepKind.RANKED]
    assert [(x.idea_id, x.place) for x in ranked.lines] == [(b, 1), (c, 2), (a, 3)]

    consent = found[StepKind.CONSENT]
    assert consent.consent is not None and not consent.consent.passed
    assert [v.reason for v in consent.consent.blocks] == ["For koldt i maj"]
    assert consent.lines == () and consent.voters == 2


def test_the_dot_result_is_the_dot_steps_even_when_a_consent_round_opened_last(room) -> None:
    a, _, _ = room["ids"]
    r = go(room, StepKind.DOT_VOTE)
    voting.place_dot(room["store"], room["people"][0], r, a)
    r = go(room, StepKind.CONSENT)
    vote_methods.cast_consent(room["store"], room["people"][0], r, "agree")
    meetings.close_meeting(room["store"], room["meeting"].id, actor=None)
    found = results(room)
    assert [(x.idea_id, x.value) for x in found[StepKind.DOT_VOTE].lines] == [(a, 1)]
    assert found[StepKind.CONSENT].consent.passed
    # Steps that never ran are not results.
    assert set(found) == {StepKind.DOT_VOTE, StepKind.CONSENT}


def test_a_vote_step_nobody_voted_in_says_no_votes_not_zero(room) -> None:
    go(room, StepKind.DOT_VOTE)
    r = go(room, StepKind.RANKED)
    ballot_round = r
    vote_methods.cast_ranking(room["store"], room["people"][0], ballot_round, [room["ids"][0]])
    found = results(room)
    assert found[StepKind.DOT_VOTE].state is ResultState.NO_VOTES
    assert found[StepKind.DOT_VOTE].lines == () and found[StepKind.DOT_VOTE].voters == 0
    assert found[StepKind.RANKED].state is ResultState.SHOWN


def test_a_dot_taken_back_again_is_no_vote(room) -> None:
    a = room["ids"][0]
    r = go(room, StepKind.DOT_VOTE)
    voting.place_dot(room["store"], room["people"][0], r, a)
    voting.remove_dot(room["store"], room["people"][0], r, a)
    assert results(room)[StepKind.DOT_VOTE].state is ResultState.NO_VOTES


def test_results_not_revealed_stay_hidden_in_the_wrap_up(room) -> None:
    a = room["ids"][0]
    r = go(room, StepKind.DOT_VOTE)
    voting.place_dot(room["store"], room["people"][0], r, a)
    voting.reveal_results(room["store"], r, False)
    hidden = results(room)[StepKind.DOT_VOTE]
    assert hidden.state is ResultState.HIDDEN and hidden.lines == ()


def test_the_latest_round_of_a_step_is_its_result(room) -> None:
    a, b, _ = room["ids"]
    first = go(room, StepKind.DOT_VOTE)
    voting.place_dot(room["store"], room["people"][0], first, a)
    second = vote_methods.open_next_round(room["store"], room["meeting"].id, actor=None)
    voting.place_dot(room["store"], room["people"][0], second, b)
    voting.reveal_results(room["store"], second)
    found = results(room)[StepKind.DOT_VOTE]
    assert found.round_number == 2 and [x.idea_id for x in found.lines] == [b]


def test_a_hidden_idea_drops_out_of_every_result_without_breaking_it(room) -> None:
    vote_everything(room)
    a, b, c = room["ids"]
    moderation.hide_idea(room["store"], b, "Dublet", actor=None)
    found = results(room)
    for kind in SIX[:-1]:
        assert b not in [x.idea_id for x in found[kind].lines], kind
    assert [(x.idea_id, x.value) for x in found[StepKind.DOT_VOTE].lines] == [(a, 1)]
    assert [x.idea_id for x in found[StepKind.RANKED].lines] == [c, a]


def test_statements_mark_what_unites_the_opinion_groups() -> None:
    tally = tallies.tally_statements(
        [
            tallies.StatementVote(p, s, v)
            for p, s, v in [(1, 10, 1), (2, 10, 1), (1, 11, 1), (2, 11, -1)]
        ]
    )
    lines = wrapup.rank_lines(VoteMethod.STATEMENTS, tally, unites={10})
    assert [(x.idea_id, x.place, x.unites) for x in lines] == [(10, 1, True), (11, 2, False)]


def test_ties_share_a_place() -> None:
    tally = tallies.tally_dots(
        [tallies.DotVote(1, 10, 2), tallies.DotVote(2, 11, 2), tallies.DotVote(2, 12, 1)]
    )
    assert [x.place for x in wrapup.rank_lines(VoteMethod.DOT_VOTE, tally)] == [1, 1, 3]


def test_the_wrap_up_shows_in_the_wrap_up_step_and_after_the_meeting() -> None:
    def step(kind: StepKind):
        return type("S", (), {"kind": kind})()

    assert wrapup.shows_wrapup(MeetingStatus.RUNNING, step(StepKind.WRAP_UP))
    assert wrapup.shows_wrapup(MeetingStatus.CLOSED, None)
    assert not wrapup.shows_wrapup(MeetingStatus.RUNNING, step(StepKind.DOT_VOTE))
    assert not wrapup.shows_wrapup(MeetingStatus.RUNNING, step(StepKind.BRAINSTORM))
