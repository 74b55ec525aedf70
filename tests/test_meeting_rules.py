"""When a facilitator may move a meeting on, go back, add time or open a round.

The ``can_*`` predicates are pure; the services ask the same predicates inside their
transaction, so a direct call that the console's button would not allow is refused with the
same reason, and nothing changes.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from tests.factories import start
from workshop.errors import InvalidInput, NotAllowed
from workshop.i18n import LANGUAGES, catalogue
from workshop.meetings import core as meetings
from workshop.meetings import rules as meeting_rules
from workshop.meetings.rules import (
    EXTEND_MINUTES,
    TIME_BOX_MAX,
    can_extend_timer,
    can_go_back,
    can_go_to_step,
    can_move_to_next_step,
    can_open_round,
)
from workshop.model import MeetingState, MeetingStatus, Step, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

KINDS = (StepKind.BRAINSTORM, StepKind.DOT_VOTE, StepKind.WRAP_UP)


def agenda(*kinds: StepKind) -> list[Step]:
    return [
        Step(id=10 + n, meeting_id=1, position=n + 1, kind=k, prompt="", time_box_minutes=10,
             intake_open=False, started_at=None)
        for n, k in enumerate(kinds or KINDS)
    ]  # fmt: skip


def at(status: MeetingStatus, current: int | None = None) -> MeetingState:
    return MeetingState(status, current, change_seq=1, vote_seq=1)


# -- the predicates ----------------------------------------------------------------------------


def test_next_step_starts_a_ready_meeting_and_stops_at_the_last_step() -> None:
    steps = agenda()
    assert can_move_to_next_step(at(MeetingStatus.READY), steps)
    assert can_move_to_next_step(at(MeetingStatus.RUNNING, 10), steps)
    assert can_move_to_next_step(at(MeetingStatus.RUNNING, 11), steps)
    last = can_move_to_next_step(at(MeetingStatus.RUNNING, 12), steps)
    assert not last and last.reason == "error.step.no_next"
    closed = can_move_to_next_step(at(MeetingStatus.CLOSED, 11), steps)
    assert not closed and closed.reason == "error.meeting.closed"


def test_going_back_needs_a_step_before_the_current_one() -> None:
    steps = agenda()
    assert can_go_back(at(MeetingStatus.RUNNING, 11), steps)
    assert can_go_back(at(MeetingStatus.RUNNING, 10), steps).reason == "error.step.no_previous"
    assert can_go_back(at(MeetingStatus.READY), steps).reason == "error.meeting.not_started"
    assert can_go_back(at(MeetingStatus.CLOSED, 12), steps).reason == "error.meeting.closed"


def test_jumping_to_a_step_needs_another_step_of_an_open_meeting() -> None:
    steps = agenda()
    assert can_go_to_step(at(MeetingStatus.READY), steps, 12)
    assert can_go_to_step(at(MeetingStatus.RUNNING, 12), steps, 10)
    running = can_go_to_step(at(MeetingStatus.RUNNING, 11), steps, 11)
    assert running.reason == "error.step.already_current"
    assert can_go_to_step(at(MeetingStatus.RUNNING, 11), steps, 99).reason == "error.not_found"
    assert can_go_to_step(at(MeetingStatus.CLOSED, 11), steps, 10).reason == "error.meeting.closed"


def test_the_timer_grows_up_to_the_cap_and_no_further() -> None:
    steps = agenda()
    running = at(MeetingStatus.RUNNING, 10)
    assert can_extend_timer(running, steps[0])
    full = replace(steps[0], time_box_minutes=TIME_BOX_MAX - EXTEND_MINUTES + 1)
    refused = can_extend_timer(running, full)
    assert not refused and refused.reason == "error.step.time_box_full"
    exact = replace(steps[0], time_box_minutes=TIME_BOX_MAX - EXTEND_MINUTES)
    assert can_extend_timer(running, exact)
    assert can_extend_timer(at(MeetingStatus.READY), None).reason == "error.meeting.not_started"
    assert can_extend_timer(running, steps[1]).reason == "error.step.not_current"


def test_a_round_opens_only_in_the_running_vote_step() -> None:
    steps = agenda()
    assert can_open_round(at(MeetingStatus.RUNNING, 11), steps[1])
    brainstorm = can_open_round(at(MeetingStatus.RUNNING, 10), steps[0])
    assert brainstorm.reason == "error.round.not_a_vote_step"
    assert can_open_round(at(MeetingStatus.RUNNING, 10), steps[1]).reason == (
        "error.step.not_current"
    )
    assert can_open_round(at(MeetingStatus.READY), steps[1]).reason == "error.meeting.not_started"
    assert can_open_round(at(MeetingStatus.CLOSED, 11), steps[1]).reason == "error.meeting.closed"


def test_every_reason_the_rules_give_is_in_every_language() -> None:
    source = Path(meeting_rules.__file__).read_text(encoding="utf-8")
    reasons = {
        node.args[0].value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "refused"
        and isinstance(node.args[0], ast.Constant)
    }
    assert len(reasons) >= 8
    for lang in LANGUAGES:
        assert reasons <= set(catalogue(lang)), lang


# -- the services enforce them -----------------------------------------------------------------


def test_moving_past_the_last_step_is_refused_and_changes_nothing(store, meeting) -> None:
    start(store, meeting)
    meetings.next_step(store, meeting.id, actor=None)
    last = meetings.next_step(store, meeting.id, actor=None)
    before = meetings.meeting_state(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        meetings.next_step(store, meeting.id, actor=None)
    assert raised.value.key == "error.step.no_next"
    assert meetings.meeting_state(store, meeting.id) == before
    assert meetings.current_step(store, meeting.id) == last


def test_previous_step_goes_back_and_not_before_the_first(store, meeting, facilitator) -> None:
    start(store, meeting)
    brainstorm, vote, _ = meetings.list_steps(store, meeting.id)
    meetings.next_step(store, meeting.id, actor=facilitator)
    back = meetings.previous_step(store, meeting.id, actor=facilitator)
    assert back.id == brainstorm.id and back.intake_open  # the brainstorm takes ideas again
    assert meetings.get_step(store, vote.id).ended_at is not None
    before = meetings.meeting_state(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        meetings.previous_step(store, meeting.id, actor=facilitator)
    assert raised.value.key == "error.step.no_previous"
    assert meetings.meeting_state(store, meeting.id) == before


def test_going_to_the_running_step_or_in_a_closed_meeting_is_refused(store, meeting) -> None:
    start(store, meeting)
    brainstorm = meetings.current_step(store, meeting.id)
    meetings.set_intake(store, brainstorm.id, False, actor=None)
    with pytest.raises(NotAllowed) as raised:
        meetings.go_to_step(store, meeting.id, brainstorm.id, actor=None)
    assert raised.value.key == "error.step.already_current"
    assert not meetings.get_step(store, brainstorm.id).intake_open  # not reopened behind a back
    meetings.close_meeting(store, meeting.id, actor=None)
    for move in (meetings.next_step, meetings.previous_step):
        with pytest.raises(NotAllowed) as raised:
            move(store, meeting.id, actor=None)
        assert raised.value.key == "error.meeting.closed"


def test_extending_the_timer_adds_minutes_up_to_the_cap(store, meeting, facilitator) -> None:
    start(store, meeting)
    step = meetings.current_step(store, meeting.id)
    longer = meetings.extend_step_timer(store, meeting.id, actor=facilitator)
    assert longer.time_box_minutes == step.time_box_minutes + EXTEND_MINUTES
    meetings.update_step(store, step.id, time_box_minutes=TIME_BOX_MAX - 2, actor=facilitator)
    before = meetings.meeting_state(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        meetings.extend_step_timer(store, meeting.id, actor=facilitator)
    assert raised.value.key == "error.step.time_box_full"
    assert meetings.get_step(store, step.id).time_box_minutes == TIME_BOX_MAX - 2
    assert meetings.meeting_state(store, meeting.id) == before
    assert meetings.extend_step_timer(store, meeting.id, 2, actor=facilitator).time_box_minutes == (
        TIME_BOX_MAX
    )
    for bad in (0, -5, True):
        with pytest.raises(InvalidInput):
            meetings.extend_step_timer(store, meeting.id, bad, actor=facilitator)
    actions = [r["action"] for r in store.query("SELECT action FROM audit_log")]
    assert actions.count("extend_step_timer") == 2


def test_the_timer_of_a_meeting_that_has_not_started_stays(store, meeting) -> None:
    with pytest.raises(NotAllowed) as raised:
        meetings.extend_step_timer(store, meeting.id, actor=None)
    assert raised.value.key == "error.meeting.not_started"


def test_a_new_round_opens_only_in_the_running_vote_step(store, meeting, facilitator) -> None:
    start(store, meeting)
    with pytest.raises(NotAllowed) as raised:
        vote_methods.open_next_round(store, meeting.id, actor=facilitator)
    assert raised.value.key == "error.round.not_a_vote_step"
    meetings.next_step(store, meeting.id, actor=facilitator)
    first = voting.current_round(store, meeting.id)
    round_id = vote_methods.open_next_round(store, meeting.id, actor=facilitator)
    second = voting.current_round(store, meeting.id)
    assert second is not None and second.id == round_id and second.number == first.number + 1
    assert second.method == StepKind.DOT_VOTE
    meetings.close_meeting(store, meeting.id, actor=facilitator)
    vote = meetings.list_steps(store, meeting.id)[1]
    for opening in (
        lambda: vote_methods.open_next_round(store, meeting.id, actor=facilitator),
        lambda: vote_methods.open_round(store, vote.id, StepKind.DOT_VOTE, actor=facilitator),
    ):
        with pytest.raises(NotAllowed) as raised:
            opening()
        assert raised.value.key == "error.meeting.closed"
    assert voting.latest_round(store, meeting.id).id == round_id


def test_no_round_on_a_step_that_is_not_a_vote(store, meeting) -> None:
    brainstorm = meetings.list_steps(store, meeting.id)[0]
    with pytest.raises(NotAllowed) as raised:
        vote_methods.open_round(store, brainstorm.id, StepKind.DOT_VOTE, actor=None)
    assert raised.value.key == "error.round.not_a_vote_step"
