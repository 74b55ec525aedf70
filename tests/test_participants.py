"""One person, one voice: limits on successful joins, the room's join rate, and removing a
participant together with their votes in every voting method (issue 14, point 1)."""

from __future__ import annotations

import json

import pytest

from tests.factories import join, start
from workshop.config import load_settings
from workshop.errors import InvalidInput, NotFound, RateLimited
from workshop.meetings import core as meetings
from workshop.meetings import ideas, participants
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod

LIMITS = meetings.JoinLimits(per_session=3, per_network_minute=5)


def count(store, sql: str, *params) -> int:
    return int(store.scalar(sql, list(params)))


def audited(store, action: str) -> dict:
    row = store.query_one("SELECT * FROM audit_log WHERE action = ? ORDER BY id DESC", [action])
    assert row is not None, f"no {action} in the audit log"
    return {
        **row,
        "before": json.loads(row["before"] or "null"),
        "after": json.loads(row["after"] or "null"),
    }


# -- limits on successful joins ----------------------------------------------------------------


def test_one_browser_session_joins_only_a_handful_of_times(store, meeting) -> None:
    for n in range(3):
        meetings.join_meeting(store, meeting.join_code, f"P{n}", client="s1", limits=LIMITS)
    with pytest.raises(RateLimited) as refused:
        meetings.join_meeting(store, meeting.join_code, "P4", client="s1", limits=LIMITS)
    assert refused.value.key == "error.join.too_many_from_browser"
    assert refused.value.params["seconds"] > 0
    assert meetings.count_participants(store, meeting.id) == 3  # the refused join made nobody
    # Another browser session is not slowed down by the first one.
    meetings.join_meeting(store, meeting.join_code, "Q", client="s2", limits=LIMITS)


def test_one_network_joins_at_most_its_limit_per_minute(store, meeting) -> None:
    for n in range(5):
        meetings.join_meeting(
            store, meeting.join_code, "", client=f"s{n}", network="ip:10.0.0.1", limits=LIMITS
        )
    with pytest.raises(RateLimited) as refused:
        meetings.join_meeting(
            store, meeting.join_code, "", client="s9", network="ip:10.0.0.1", limits=LIMITS
        )
    assert refused.value.key == "error.join.too_many_from_network"
    assert meetings.count_participants(store, meeting.id) == 5
    meetings.join_meeting(
        store, meeting.join_code, "", client="s9", network="ip:10.0.0.2", limits=LIMITS
    )


def test_a_failed_join_does_not_use_up_the_browsers_joins(store, meeting) -> None:
    with pytest.raises(InvalidInput):
        meetings.join_meeting(store, meeting.join_code, "x" * 41, client="s1", limits=LIMITS)
    for n in range(3):
        meetings.join_meeting(store, meeting.join_code, f"P{n}", client="s1", limits=LIMITS)


def test_default_limits_let_a_venue_of_500_join_within_a_minute(store, meeting) -> None:
    limits = meetings.JoinLimits.from_settings(load_settings({}))
    assert limits.per_network_minute >= 500
    assert 1 <= limits.per_session <= 5
    for n in range(500):
        meetings.join_meeting(
            store, meeting.join_code, "", client=f"phone{n}", network="ip:venue", limits=limits
        )
    assert meetings.count_participants(store, meeting.id) == 500


def test_join_limit_settings_come_from_the_environment() -> None:
    settings = load_settings(
        {"SAMSKAB_JOINS_PER_SESSION": "2", "SAMSKAB_JOINS_PER_NETWORK_MINUTE": "900"}
    )
    limits = meetings.JoinLimits.from_settings(settings)
    assert (limits.per_session, limits.per_network_minute) == (2, 900)


# -- the room's join rate and expected size ----------------------------------------------------


def test_joins_per_minute_and_the_warning_over_the_expected_size(store, meeting, facilitator):
    watch = participants.join_watch(store, meeting.id)
    assert (watch.participants, watch.joins_last_minute, watch.expected) == (0, 0, None)
    assert not watch.over_expected
    participants.set_expected_participants(store, meeting.id, 2, actor=facilitator)
    for name in ("A", "B", "C"):
        join(store, meeting, name)
    watch = participants.join_watch(store, meeting.id)
    assert (watch.participants, watch.joins_last_minute, watch.expected) == (3, 3, 2)
    assert watch.over_expected
    entry = audited(store, "set_expected_participants")
    assert entry["after"] == {"expected_participants": 2}


@pytest.mark.parametrize("size", [0, -1, 100_001])
def test_a_bad_expected_size_is_refused_and_changes_nothing(store, meeting, size) -> None:
    participants.set_expected_participants(store, meeting.id, 40, actor=None)
    with pytest.raises(InvalidInput):
        participants.set_expected_participants(store, meeting.id, size, actor=None)
    assert participants.join_watch(store, meeting.id).expected == 40


# -- removing a participant with their votes ---------------------------------------------------


@pytest.fixture
def voted(store, meeting):
    """Anna and a bot both vote in every method; the bot also posted an idea."""
    start(store, meeting)
    author = join(store, meeting, "Author")
    a, b, c = (ideas.submit_idea(store, author, text).id for text in ("a", "b", "c"))
    anna, bot = join(store, meeting, "Anna"), join(store, meeting, "Bot")
    spam = ideas.submit_idea(store, bot, "spam spam")
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote opens
    dots = voting.current_round(store, meeting.id)
    assert dots is not None
    voting.place_dot(store, anna, dots.id, a)
    for _ in range(3):
        voting.place_dot(store, bot, dots.id, b)
    step = meetings.list_steps(store, meeting.id)[1]
    rounds = {VoteMethod.DOT_VOTE: dots.id}
    for method in (
        VoteMethod.STATEMENTS,
        VoteMethod.PAIRWISE,
        VoteMethod.TWO_AXIS,
        VoteMethod.RANKED,
        VoteMethod.CONSENT,
    ):
        round_id = vote_methods.open_round(store, step.id, method, actor=None)
        rounds[method] = round_id
        for person in (anna, bot):
            if method is VoteMethod.STATEMENTS:
                vote_methods.cast_stance(store, person, round_id, a, 1 if person is anna else -1)
            elif method is VoteMethod.PAIRWISE:
                vote_methods.cast_pairwise(
                    store, person, round_id, a, b, a if person is anna else b
                )
            elif method is VoteMethod.TWO_AXIS:
                score = 5 if person is anna else 1
                vote_methods.cast_scores(store, person, round_id, a, score, score)
            elif method is VoteMethod.RANKED:
                vote_methods.cast_ranking(
                    store, person, round_id, [a, b] if person is anna else [b, a]
                )
            else:
                if person is anna:
                    vote_methods.cast_consent(store, person, round_id, "agree")
                else:
                    vote_methods.cast_consent(store, person, round_id, "block", "nej")
    return {"anna": anna, "bot": bot, "ideas": (a, b, c), "spam": spam, "rounds": rounds}


def results(store, meeting, round_id):
    seq = meetings.meeting_state(store, meeting.id).vote_seq
    return vote_methods.round_results(store, round_id, seq)


def test_removing_a_participant_removes_their_votes_in_every_method(
    store, meeting, facilitator, voted
) -> None:
    bot, anna, rounds = voted["bot"], voted["anna"], voted["rounds"]
    a, b, _ = voted["ideas"]
    seq_before = meetings.meeting_state(store, meeting.id).vote_seq
    assert not results(store, meeting, rounds[VoteMethod.CONSENT]).passed  # the bot blocks

    report = participants.remove_participant(
        store, meeting.id, bot.id, reason="Script", actor=facilitator
    )

    assert (report.ballots, report.pairwise_choices, report.ideas_hidden) == (6, 1, 1)
    assert count(store, "SELECT COUNT(*) FROM participants WHERE id = ?", bot.id) == 0
    assert count(store, "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", bot.id) == 0
    assert (
        count(store, "SELECT COUNT(*) FROM pairwise_choices WHERE participant_id = ?", bot.id) == 0
    )
    orphans = "SELECT COUNT(*) FROM ballot_entries WHERE ballot_id NOT IN (SELECT id FROM ballots)"
    assert count(store, orphans) == 0
    # Every cached tally is read again, and the counts are Anna's alone.
    state = meetings.meeting_state(store, meeting.id)
    assert state.vote_seq > seq_before
    assert voting.dot_totals(store, rounds[VoteMethod.DOT_VOTE], state.vote_seq) == {a: 1}
    stance = {s.statement_id: s for s in results(store, meeting, rounds[VoteMethod.STATEMENTS])}
    assert (stance[a].agree, stance[a].disagree) == (1, 0)
    pair = {s.idea_id: s for s in results(store, meeting, rounds[VoteMethod.PAIRWISE])}
    assert (pair[a].wins, pair[b].wins) == (1, 0)
    axis = {p.idea_id: p for p in results(store, meeting, rounds[VoteMethod.TWO_AXIS])}
    assert (axis[a].impact, axis[a].n) == (5, 1)
    assert results(store, meeting, rounds[VoteMethod.RANKED]).winner == a
    assert results(store, meeting, rounds[VoteMethod.CONSENT]).passed
    # Anna's votes are untouched.
    assert count(store, "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", anna.id) == 6
    # The bot's idea is hidden as from a removed participant, with nobody's name on it.
    spam = ideas.get_idea(store, voted["spam"].id)
    assert spam.hidden and spam.hide_reason == "Script" and spam.participant_id is None
    # The link and the phone are dead, and the removal is in the audit log.
    with pytest.raises(NotFound):
        meetings.get_participant(store, bot.token)
    entry = audited(store, "remove_participant")
    assert entry["entity_id"] == bot.id and entry["actor"] == facilitator.username
    assert entry["before"]["ballots"] == 6 and entry["before"]["ideas_hidden"] == 1


def test_a_removed_phone_cannot_vote_or_post(store, meeting, voted) -> None:
    bot, rounds = voted["bot"], voted["rounds"]
    participants.remove_participant(store, meeting.id, bot.id, reason="Script", actor=None)
    with pytest.raises(NotFound) as refused:
        vote_methods.cast_consent(store, bot, rounds[VoteMethod.CONSENT], "agree")
    assert refused.value.key == "error.participant.unknown"
    assert count(store, "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", bot.id) == 0
    with pytest.raises(NotFound) as refused:
        ideas.submit_idea(store, bot, "one more")
    assert refused.value.key == "error.participant.unknown"


def test_removing_needs_a_reason_and_the_right_meeting(store, meeting, voted) -> None:
    bot = voted["bot"]
    with pytest.raises(InvalidInput):
        participants.remove_participant(store, meeting.id, bot.id, reason="  ", actor=None)
    with pytest.raises(NotFound):
        participants.remove_participant(store, meeting.id + 99, bot.id, reason="x", actor=None)
    assert meetings.get_participant(store, bot.token).id == bot.id
    assert count(store, "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", bot.id) == 6
