"""Dot voting: limits held by the service and by the database itself."""

from __future__ import annotations

import sqlite3

import pytest

from tests.factories import join, start
from workshop.errors import InvalidInput, NotAllowed
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.voting import ballots as voting


@pytest.fixture
def vote(store, meeting):
    """A meeting in its dot-vote step with three ideas; returns (round, ideas)."""
    start(store, meeting)
    author = join(store, meeting, "Author")
    posted = [ideas.submit_idea(store, author, text) for text in ("a", "b", "c")]
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None and vote_round.is_open
    return vote_round, posted


def test_place_dots_until_none_are_left(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    assert voting.place_dot(store, anna, vote_round.id, posted[0].id) == 2
    assert voting.place_dot(store, anna, vote_round.id, posted[0].id) == 1
    assert voting.place_dot(store, anna, vote_round.id, posted[1].id) == 0
    with pytest.raises(InvalidInput) as raised:
        voting.place_dot(store, anna, vote_round.id, posted[2].id)
    assert raised.value.key == "error.vote.no_dots_left"
    assert voting.my_dots(store, vote_round.id, anna.id) == {posted[0].id: 2, posted[1].id: 1}


def test_taking_a_dot_back_frees_it(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    voting.place_dot(store, anna, vote_round.id, posted[0].id)
    assert voting.remove_dot(store, anna, vote_round.id, posted[0].id) == 3
    with pytest.raises(InvalidInput):
        voting.remove_dot(store, anna, vote_round.id, posted[0].id)


def test_the_database_refuses_dots_beyond_the_limit(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    voting.place_dot(store, anna, vote_round.id, posted[0].id)
    ballot = store.scalar("SELECT id FROM ballots WHERE participant_id = ?", [anna.id])
    with pytest.raises(sqlite3.IntegrityError, match="dot_limit"):
        store.execute("UPDATE ballot_entries SET value = 99 WHERE ballot_id = ?", [ballot])
    with pytest.raises(sqlite3.IntegrityError, match="dot_limit"):
        store.execute(
            "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 5)",
            [ballot, posted[1].id],
        )


def test_one_ballot_per_participant_per_round_is_a_constraint(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    voting.place_dot(store, anna, vote_round.id, posted[0].id)
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
            " VALUES (?, ?, '', '')",
            [vote_round.id, anna.id],
        )


def test_no_votes_in_a_closed_round_or_on_hidden_ideas(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    store.execute("UPDATE ideas SET hidden = 1 WHERE id = ?", [posted[2].id])
    with pytest.raises(NotAllowed) as raised:
        voting.place_dot(store, anna, vote_round.id, posted[2].id)
    assert raised.value.key == "error.vote.idea_hidden"
    meetings.next_step(store, meeting.id, actor=None)  # leaving the step closes its round
    with pytest.raises(NotAllowed) as raised:
        voting.place_dot(store, anna, vote_round.id, posted[0].id)
    assert raised.value.key == "error.vote.round_closed"
    assert voting.my_dots(store, vote_round.id, anna.id) == {}


def test_totals_are_computed_once_per_change(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    voting.place_dot(store, anna, vote_round.id, posted[1].id)
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    before = voting._totals_cache.computations
    for _ in range(300):  # 300 phones asking
        assert voting.dot_totals(store, vote_round.id, seq) == {posted[1].id: 1}
    assert voting._totals_cache.computations == before + 1
    voting.place_dot(store, anna, vote_round.id, posted[1].id)
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    assert voting.dot_totals(store, vote_round.id, seq) == {posted[1].id: 2}


def test_revealing_results_does_not_make_phones_recompute(store, meeting, vote) -> None:
    vote_round, posted = vote
    voting.place_dot(store, join(store, meeting, "Anna"), vote_round.id, posted[0].id)
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    voting.dot_totals(store, vote_round.id, seq)
    before = voting._totals_cache.computations
    voting.reveal_results(store, vote_round.id)
    after_reveal = meetings.meeting_state(store, meeting.id).vote_seq
    for _ in range(300):  # every phone in the room reads the results
        totals = voting.dot_totals(store, vote_round.id, after_reveal)
    assert totals == {posted[0].id: 1}
    assert voting._totals_cache.computations == before


def test_a_vote_after_the_step_ended_is_refused_and_nothing_changes(store, meeting, vote) -> None:
    vote_round, posted = vote
    anna = join(store, meeting, "Anna")
    meetings.next_step(store, meeting.id, actor=None)
    with pytest.raises(NotAllowed) as raised:
        voting.place_dot(store, anna, vote_round.id, posted[0].id)
    assert raised.value.key == "error.vote.round_closed"
    assert voting.my_dots(store, vote_round.id, anna.id) == {}


def test_revealing_and_hiding_results_are_in_the_audit_log(
    store, meeting, vote, facilitator
) -> None:
    """Every staff action is logged (README): showing a round's results to the room, too."""
    vote_round, _ = vote
    voting.reveal_results(store, vote_round.id, actor=facilitator)
    voting.reveal_results(store, vote_round.id, False, actor=facilitator)
    entries = store.query(
        "SELECT actor, action, entity, entity_id FROM audit_log WHERE entity = 'rounds' ORDER BY id"
    )
    assert entries[-2:] == [
        {
            "actor": facilitator.username,
            "action": "reveal_results",
            "entity": "rounds",
            "entity_id": vote_round.id,
        },
        {
            "actor": facilitator.username,
            "action": "hide_results",
            "entity": "rounds",
            "entity_id": vote_round.id,
        },
    ]


def test_showing_results_nobody_voted_for_is_refused_and_nothing_changes(
    store, meeting, vote, facilitator
) -> None:
    vote_round, _ = vote
    voting.reveal_results(store, vote_round.id, False, actor=facilitator)
    seq = meetings.meeting_state(store, meeting.id).change_seq
    with pytest.raises(NotAllowed) as refused:
        voting.reveal_results(store, vote_round.id, actor=facilitator)
    assert refused.value.key == "error.results.no_votes"
    assert store.scalar("SELECT revealed FROM rounds WHERE id = ?", [vote_round.id]) == 0
    assert meetings.meeting_state(store, meeting.id).change_seq == seq
