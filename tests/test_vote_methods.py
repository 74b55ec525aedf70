"""Ballots for every method: one per participant per round, replaced while open, refused
when bad, and held by the database itself."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.errors import InvalidInput, NotAllowed
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod


@pytest.fixture
def room(store, meeting):
    """A meeting with three ideas and two more participants; returns (meeting, ideas, people)."""
    start(store, meeting)
    author = join(store, meeting, "Author")
    posted = [ideas.submit_idea(store, author, text) for text in ("a", "b", "c")]
    return meeting, [i.id for i in posted], [join(store, meeting, n) for n in ("Anna", "Bo")]


def open_method(store, meeting, method) -> int:
    step = meetings.list_steps(store, meeting.id)[1]
    return vote_methods.open_round(store, step.id, method, actor=None)


def results(store, meeting, round_id):
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    return vote_methods.round_results(store, round_id, seq)


def test_statements_vote_can_be_changed_while_open(store, room) -> None:
    meeting, idea_ids, (anna, bo) = room
    round_id = open_method(store, meeting, VoteMethod.STATEMENTS)
    vote_methods.cast_stance(store, anna, round_id, idea_ids[0], 1)
    vote_methods.cast_stance(store, anna, round_id, idea_ids[0], -1)  # changed her mind
    vote_methods.cast_stance(store, bo, round_id, idea_ids[0], 0)
    tally = {t.statement_id: t for t in results(store, meeting, round_id)}
    assert (tally[idea_ids[0]].agree, tally[idea_ids[0]].disagree, tally[idea_ids[0]].passed) == (
        0,
        1,
        1,
    )
    assert store.scalar("SELECT COUNT(*) FROM ballots WHERE round_id = ?", [round_id]) == 2


def test_pairwise_choices_and_cant_decide(store, room) -> None:
    meeting, (a, b, c), (anna, bo) = room
    round_id = open_method(store, meeting, VoteMethod.PAIRWISE)
    vote_methods.cast_pairwise(store, anna, round_id, a, b, a)
    vote_methods.cast_pairwise(store, bo, round_id, b, a, a)
    vote_methods.cast_pairwise(store, bo, round_id, b, c, None)
    scores = {s.idea_id: s for s in results(store, meeting, round_id)}
    assert scores[a].wins == 2 and scores[a].score == pytest.approx(75.0)
    assert scores[b].losses == 2 and scores[c].cant_decide == 1
    pair = vote_methods.next_pair(store, round_id, anna)
    assert pair is not None and set(pair) != {a, b}  # she has judged a–b already


def test_two_axis_scores_replace_and_stay_on_the_scale(store, room) -> None:
    meeting, idea_ids, (anna, _) = room
    round_id = open_method(store, meeting, VoteMethod.TWO_AXIS)
    vote_methods.cast_scores(store, anna, round_id, idea_ids[0], 5, 1)
    vote_methods.cast_scores(store, anna, round_id, idea_ids[0], 4, 4)
    with pytest.raises(InvalidInput) as raised:
        vote_methods.cast_scores(store, anna, round_id, idea_ids[1], 9, 1)
    assert raised.value.key == "error.vote.score_out_of_range"
    position = {p.idea_id: p for p in results(store, meeting, round_id)}[idea_ids[0]]
    assert (position.impact, position.feasibility, position.n) == (4, 4, 1)


def test_ranking_replaces_the_whole_ballot_and_refuses_duplicates(store, room) -> None:
    meeting, (a, b, c), (anna, bo) = room
    round_id = open_method(store, meeting, VoteMethod.RANKED)
    vote_methods.cast_ranking(store, anna, round_id, [c, a, b])
    vote_methods.cast_ranking(store, anna, round_id, [a, b])
    vote_methods.cast_ranking(store, bo, round_id, [a, c])
    with pytest.raises(InvalidInput) as raised:
        vote_methods.cast_ranking(store, bo, round_id, [b, b])
    assert raised.value.key == "error.vote.ranking_duplicates"
    assert results(store, meeting, round_id).winner == a
    assert vote_methods.my_ballot(store, round_id, bo.id)["entries"] == {a: (1, None), c: (2, None)}


def test_consent_block_needs_a_reason_and_any_block_fails(store, room) -> None:
    meeting, _, (anna, bo) = room
    round_id = open_method(store, meeting, VoteMethod.CONSENT)
    vote_methods.cast_consent(store, anna, round_id, "agree")
    with pytest.raises(InvalidInput) as raised:
        vote_methods.cast_consent(store, bo, round_id, "block", "   ")
    assert raised.value.key == "error.vote.block_needs_reason"
    assert results(store, meeting, round_id).passed
    vote_methods.cast_consent(store, bo, round_id, "block", "Budgettet rækker ikke")
    outcome = results(store, meeting, round_id)
    assert not outcome.passed and outcome.blocks[0].reason == "Budgettet rækker ikke"


def test_the_database_refuses_bad_ballots_even_without_the_service(store, room) -> None:
    meeting, (a, b, _), (anna, _) = room
    statements = open_method(store, meeting, VoteMethod.STATEMENTS)
    vote_methods.cast_stance(store, anna, statements, a, 1)
    ballot = store.scalar("SELECT id FROM ballots WHERE round_id = ?", [statements])
    with pytest.raises(sqlite3.IntegrityError, match="statement_stance"):
        store.execute(
            "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 7)", [ballot, b]
        )
    with pytest.raises(sqlite3.IntegrityError, match="block_needs_reason"):
        store.execute("UPDATE ballots SET response = 'block', reason = '' WHERE id = ?", [ballot])
    with pytest.raises(sqlite3.IntegrityError):  # one ballot per participant per round
        store.execute(
            "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
            " VALUES (?, ?, '', '')",
            [statements, anna.id],
        )


def test_votes_in_a_closed_round_or_of_the_wrong_method_change_nothing(store, room) -> None:
    meeting, (a, _, _), (anna, _) = room
    round_id = open_method(store, meeting, VoteMethod.STATEMENTS)
    with pytest.raises(NotAllowed) as raised:
        vote_methods.cast_scores(store, anna, round_id, a, 3, 3)
    assert raised.value.key == "error.vote.wrong_method"
    vote_methods.close_round(store, round_id, actor=None)
    with pytest.raises(NotAllowed) as raised:
        vote_methods.cast_stance(store, anna, round_id, a, 1)
    assert raised.value.key == "error.vote.round_closed"
    assert vote_methods.my_ballot(store, round_id, anna.id)["entries"] == {}


def test_a_dot_in_a_round_of_another_method_is_refused(store, room) -> None:
    meeting, (a, _, _), (anna, _) = room
    round_id = open_method(store, meeting, VoteMethod.STATEMENTS)
    for change in (voting.place_dot, voting.remove_dot):
        with pytest.raises(NotAllowed) as raised:
            change(store, anna, round_id, a)
        assert raised.value.key == "error.vote.wrong_method"
    assert vote_methods.my_ballot(store, round_id, anna.id)["entries"] == {}


def test_a_new_round_closes_the_previous_one(store, room) -> None:
    meeting, (a, _, _), (anna, _) = room
    first = open_method(store, meeting, VoteMethod.STATEMENTS)
    second = open_method(store, meeting, VoteMethod.STATEMENTS)
    with pytest.raises(NotAllowed):
        vote_methods.cast_stance(store, anna, first, a, 1)
    vote_methods.cast_stance(store, anna, second, a, 1)


@settings(max_examples=25, deadline=None)
@given(ranking=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=6))
def test_any_ranking_is_stored_exactly_or_refused_whole(tmp_path_factory, ranking) -> None:
    store = open_store(tmp_path_factory.mktemp("rank") / "r.db")
    meeting = make_meeting(store)
    start(store, meeting)
    author = join(store, meeting, "A")
    idea_ids = [ideas.submit_idea(store, author, f"i{n}").id for n in range(4)]
    round_id = open_method(store, meeting, VoteMethod.RANKED)
    wanted = [idea_ids[i] if i < 4 else 10_000 + i for i in ranking]
    try:
        vote_methods.cast_ranking(store, author, round_id, wanted)
    except InvalidInput:
        assert not wanted or len(set(wanted)) < len(wanted) or any(i >= 10_000 for i in wanted)
        assert vote_methods.my_ballot(store, round_id, author.id)["entries"] == {}
    else:
        stored = vote_methods.my_ballot(store, round_id, author.id)["entries"]
        assert sorted(stored, key=lambda i: stored[i][0]) == wanted


def test_opinion_groups_are_computed_off_the_request_path_once_per_change(store, meeting) -> None:
    start(store, meeting)
    people = [join(store, meeting, f"p{n}") for n in range(24)]
    statements = [ideas.submit_idea(store, people[n], f"udsagn {n}").id for n in range(8)]
    round_id = open_method(store, meeting, VoteMethod.STATEMENTS)
    for n, person in enumerate(people):  # two camps that mirror each other
        for k, statement in enumerate(statements):
            stance = 1 if (k < 4) == (n % 2 == 0) else -1
            vote_methods.cast_stance(store, person, round_id, statement, stance if k else 1)
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    first = vote_methods.opinion_groups_snapshot(store, round_id, seq)
    assert first.result is None and not first.up_to_date  # nothing yet, and no waiting
    vote_methods.groups_worker.wait()
    ready = vote_methods.opinion_groups_snapshot(store, round_id, seq)
    assert ready.up_to_date and ready.version == seq
    assert ready.result is not None and len(ready.result.groups) == 2
    assert statements[0] in [s.statement_id for s in ready.result.consensus_agree]


def test_every_vote_step_kind_is_a_voting_method() -> None:
    from workshop.model import StepKind

    assert {k.value for k in StepKind if k.is_vote} == {m.value for m in VoteMethod}


def test_a_method_step_gets_a_round_of_its_own_method(store, facilitator) -> None:
    from workshop.committees import create_committee
    from workshop.meetings.core import StepSpec
    from workshop.model import StepKind

    committee = create_committee(store, "Udvalg", "", actor=facilitator)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Metoder",
        actor=facilitator,
        agenda=[StepSpec(StepKind.BRAINSTORM, "Idéer?"), StepSpec(StepKind.RANKED)],
    )
    start(store, meeting)
    meetings.next_step(store, meeting.id, actor=facilitator)
    from workshop.voting import ballots as voting

    current = voting.current_round(store, meeting.id)
    assert current is not None and current.method == "ranked" and current.is_open
