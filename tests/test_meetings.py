"""Meetings: join codes, participant tokens, steps."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from workshop.meetings import core as meetings
from workshop.model import MeetingStatus, StepKind


def test_join_by_code_typed_carelessly(store, meeting) -> None:
    typed = " " + meetings.format_code(meeting.join_code).lower() + " "
    participant = meetings.join_meeting(store, typed, "Anna", client="phone")
    assert participant.meeting_id == meeting.id and participant.display_name == "Anna"


def test_codes_avoid_ambiguous_characters(store, meeting) -> None:
    assert len(meeting.join_code) == meetings.CODE_LENGTH
    assert not set(meeting.join_code) & set("01OIL")


def test_participant_token_is_unguessable_and_brings_the_person_back(store, meeting) -> None:
    first = join(store, meeting, "Anna")
    other = join(store, meeting, "Bo")
    # ≥ 128 bits: 24 random bytes in URL-safe base64
    assert len(first.token) >= 32 and first.token != other.token
    # a reload, a locked screen, a new websocket: only the token from the URL is left
    assert meetings.get_participant(store, first.token) == first


def test_unknown_token_is_not_found(store) -> None:
    with pytest.raises(NotFound):
        meetings.get_participant(store, "not-a-token")


def test_unknown_code_gets_a_clear_message_and_creates_nobody(store, meeting) -> None:
    with pytest.raises(InvalidInput) as raised:
        meetings.join_meeting(store, "ZZZZZZ", client="phone")
    assert raised.value.key == "error.join.unknown_code"
    assert meetings.count_participants(store, meeting.id) == 0


def test_guessing_codes_is_rate_limited_per_session(store, meeting) -> None:
    for _ in range(meetings.JOIN_FAILURES_PER_CLIENT):
        with pytest.raises(InvalidInput):
            meetings.join_meeting(store, "ZZZZZZ", client="guesser")
    with pytest.raises(RateLimited):
        meetings.join_meeting(store, meeting.join_code, client="guesser")
    # another phone in the same room is not affected
    assert meetings.join_meeting(store, meeting.join_code, client="neighbour")


def test_closed_meeting_cannot_be_joined(store, meeting) -> None:
    meetings.close_meeting(store, meeting.id, actor=None)
    with pytest.raises(NotAllowed) as raised:
        meetings.join_meeting(store, meeting.join_code, client="phone")
    assert raised.value.key == "error.join.closed"


def test_expired_code_cannot_be_joined(store, meeting) -> None:
    store.execute("UPDATE meetings SET code_expires_at = '2000-01-01' WHERE id = ?", [meeting.id])
    with pytest.raises(NotAllowed) as raised:
        meetings.join_meeting(store, meeting.join_code, client="phone")
    assert raised.value.key == "error.join.expired"


def test_default_agenda_and_moving_through_it(store, meeting) -> None:
    steps = meetings.list_steps(store, meeting.id)
    assert [s.kind for s in steps] == [StepKind.BRAINSTORM, StepKind.DOT_VOTE, StepKind.WRAP_UP]
    assert steps[0].prompt == "Hvad nu?"
    before = meetings.meeting_state(store, meeting.id)
    assert before.status is MeetingStatus.READY and before.current_step_id is None

    start(store, meeting)
    running = meetings.meeting_state(store, meeting.id)
    assert running.status is MeetingStatus.RUNNING
    assert running.current_step_id == steps[0].id
    assert running.change_seq > before.change_seq
    assert meetings.current_step(store, meeting.id).intake_open

    meetings.next_step(store, meeting.id, actor=None)
    assert meetings.get_step(store, steps[0].id).intake_open is False
    meetings.next_step(store, meeting.id, actor=None)
    with pytest.raises(NotAllowed):  # the end of the agenda
        meetings.next_step(store, meeting.id, actor=None)


def test_intake_cannot_open_on_a_vote_step(store, meeting) -> None:
    vote = meetings.list_steps(store, meeting.id)[1]
    with pytest.raises(NotAllowed):
        meetings.set_intake(store, vote.id, True, actor=None)


def test_facilitator_actions_are_audited(store, meeting, facilitator) -> None:
    meetings.next_step(store, meeting.id, actor=facilitator)
    actions = [r["action"] for r in store.query("SELECT action FROM audit_log WHERE actor = 'fie'")]
    assert "create_meeting" in actions and "go_to_step" in actions


def test_a_full_agenda_has_every_kind_of_step_with_a_time_box(store, facilitator) -> None:
    from workshop import committees

    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    made = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde",
        agenda=meetings.full_agenda("Hvad savner du?"),
        actor=facilitator,
    )
    steps = meetings.list_steps(store, made.id)
    # the session of the issue: welcome and agreement, brainstorm, clustering, vote, wrap-up
    assert [s.kind for s in steps] == [
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.CLUSTERING,
        StepKind.DOT_VOTE,
        StepKind.WRAP_UP,
    ]
    assert all(s.time_box_minutes > 0 for s in steps)
    assert [s.prompt for s in steps if s.kind.takes_ideas] == ["Hvad savner du?"]


def test_the_agenda_can_be_edited_until_a_step_has_run(store, meeting, facilitator) -> None:
    welcome = meetings.add_step(store, meeting.id, StepKind.WELCOME, actor=facilitator)
    meetings.move_step(store, welcome.id, -1, actor=facilitator)
    meetings.move_step(store, welcome.id, -1, actor=facilitator)
    meetings.move_step(store, welcome.id, -1, actor=facilitator)  # already first: no change
    kinds = [s.kind for s in meetings.list_steps(store, meeting.id)]
    assert kinds == [StepKind.WELCOME, StepKind.BRAINSTORM, StepKind.DOT_VOTE, StepKind.WRAP_UP]
    assert [s.position for s in meetings.list_steps(store, meeting.id)] == [1, 2, 3, 4]
    brainstorm = meetings.list_steps(store, meeting.id)[1]
    updated = meetings.update_step(
        store,
        brainstorm.id,
        prompt="Nyt spørgsmål",
        time_box_minutes=20,
        settings={"ideas_per_minute": 2},
        actor=facilitator,
    )
    assert (updated.prompt, updated.time_box_minutes, updated.settings) == (
        "Nyt spørgsmål",
        20,
        {"ideas_per_minute": 2},
    )
    with pytest.raises(InvalidInput):
        meetings.update_step(store, brainstorm.id, time_box_minutes=0, actor=facilitator)
    with pytest.raises(InvalidInput):
        meetings.update_step(store, brainstorm.id, settings={"nonsense": 1}, actor=facilitator)
    meetings.go_to_step(store, meeting.id, welcome.id, actor=facilitator)
    with pytest.raises(NotAllowed) as raised:
        meetings.remove_step(store, welcome.id, actor=facilitator)
    assert raised.value.key == "error.step.already_run"
    wrap_up = meetings.list_steps(store, meeting.id)[-1]
    meetings.remove_step(store, wrap_up.id, actor=facilitator)
    assert len(meetings.list_steps(store, meeting.id)) == 3


def test_an_added_vote_step_gets_a_round(store, meeting, facilitator) -> None:
    from workshop.voting import ballots as voting

    vote = meetings.add_step(store, meeting.id, StepKind.DOT_VOTE, actor=facilitator)
    meetings.go_to_step(store, meeting.id, vote.id, actor=facilitator)
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None and vote_round.is_open


def test_large_rooms_refresh_less_often(store) -> None:
    assert meetings.phone_refresh_seconds(5, 10) == 5
    assert meetings.phone_refresh_seconds(5, 500) > 5
    assert meetings.phone_refresh_seconds(5, 100_000) == meetings.MAX_REFRESH_SECONDS
