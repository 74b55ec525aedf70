"""Building a meeting's agenda: templates, inserting a step at a position, duplicating one,
and the refusals that leave the agenda as it was."""

from __future__ import annotations

import pytest

from tests.factories import start
from workshop import audit, committees
from workshop.errors import InvalidInput, NotAllowed
from workshop.meetings import agenda
from workshop.meetings import core as meetings
from workshop.model import StepKind

CITIZENS = [
    StepKind.WELCOME,
    StepKind.BRAINSTORM,
    StepKind.CLUSTERING,
    StepKind.DOT_VOTE,
    StepKind.STATEMENTS,
    StepKind.PAIRWISE,
    StepKind.TWO_AXIS,
    StepKind.RANKED,
    StepKind.CONSENT,
    StepKind.WRAP_UP,
]


def kinds(store, meeting_id: int) -> list[StepKind]:
    return [s.kind for s in meetings.list_steps(store, meeting_id)]


def rounds(store, meeting_id: int) -> list[tuple]:
    return [
        (r["kind"], r["method"], r["dots_per_participant"])
        for r in store.query(
            "SELECT s.kind, r.method, r.dots_per_participant FROM rounds r"
            " JOIN steps s ON s.id = r.step_id WHERE s.meeting_id = ? ORDER BY s.position",
            [meeting_id],
        )
    ]


# -- the templates (pure) ------------------------------------------------------------------------


def test_the_citizens_meeting_template_is_the_ten_step_agenda_of_the_trial() -> None:
    steps = agenda.template_agenda(agenda.AgendaTemplate.CITIZENS_MEETING, "Hvad savner du?")
    assert [s.kind for s in steps] == CITIZENS
    # the question goes on the step that collects ideas, and every step has a time box
    assert [s.prompt for s in steps if s.prompt] == ["Hvad savner du?"]
    assert all(s.time_box_minutes == s.kind.traits.default_minutes for s in steps)


def test_the_prioritisation_template_compares_several_methods() -> None:
    steps = agenda.template_agenda("prioritisation")
    methods = {s.kind for s in steps if s.kind.is_vote}
    assert len(methods) >= 3
    # the ideas are collected before the first vote
    first_vote = next(i for i, s in enumerate(steps) if s.kind.is_vote)
    assert any(s.kind.takes_ideas for s in steps[:first_vote])


def test_the_short_template_is_the_agenda_a_meeting_always_had() -> None:
    steps = agenda.template_agenda(agenda.AgendaTemplate.SHORT, "Hvad nu?")
    assert [(s.kind, s.prompt, s.time_box_minutes) for s in steps] == [
        (StepKind.BRAINSTORM, "Hvad nu?", 15),
        (StepKind.DOT_VOTE, "", 5),
        (StepKind.WRAP_UP, "", 5),
    ]


def test_insertion_order_places_a_step_at_any_position_and_nowhere_else() -> None:
    assert agenda.insertion_order([10, 20, 30], 99, 1) == [99, 10, 20, 30]
    assert agenda.insertion_order([10, 20, 30], 99, 3) == [10, 20, 99, 30]
    assert agenda.insertion_order([10, 20, 30], 99, 4) == [10, 20, 30, 99]
    for outside in (0, 5, -1):
        with pytest.raises(ValueError):
            agenda.insertion_order([10, 20, 30], 99, outside)


# -- a new meeting from a template ----------------------------------------------------------------


def test_a_new_meeting_starts_with_the_template_it_was_made_from(store, facilitator) -> None:
    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    made = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde",
        prompt="Hvad savner du?",
        template=agenda.AgendaTemplate.CITIZENS_MEETING,
        dots_per_participant=4,
        actor=facilitator,
    )
    assert kinds(store, made.id) == CITIZENS
    # every vote step has its round, with the meeting's dots
    assert [(k, d) for k, _, d in rounds(store, made.id)] == [
        (k.value, 4) for k in CITIZENS if k.is_vote
    ]


def test_an_unknown_template_is_refused_and_no_meeting_is_made(store, facilitator) -> None:
    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    with pytest.raises(InvalidInput) as raised:
        meetings.create_meeting(
            store, committee.id, "Borgermøde", template="party", actor=facilitator
        )
    assert raised.value.key == "error.agenda.unknown_template"
    assert meetings.list_meetings(store, committee.id) == []


# -- applying a template to a meeting that has not started ---------------------------------------


def test_a_template_replaces_the_agenda_before_the_start_in_one_audited_change(
    store, meeting, facilitator
) -> None:
    before = meetings.meeting_state(store, meeting.id)
    meetings.apply_agenda_template(
        store, meeting.id, "citizens_meeting", prompt="Hvad savner du?", actor=facilitator
    )
    assert kinds(store, meeting.id) == CITIZENS
    assert [s.position for s in meetings.list_steps(store, meeting.id)] == list(range(1, 11))
    assert len(rounds(store, meeting.id)) == sum(k.is_vote for k in CITIZENS)
    assert meetings.meeting_state(store, meeting.id).change_seq > before.change_seq
    entry = audit.query_entries(store, action="apply_agenda_template")[-1]
    assert entry["entity_id"] == meeting.id


def test_a_template_on_a_running_meeting_is_refused_and_nothing_changes(
    store, meeting, facilitator
) -> None:
    start(store, meeting)
    steps_before = meetings.list_steps(store, meeting.id)
    state_before = meetings.meeting_state(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        meetings.apply_agenda_template(store, meeting.id, "citizens_meeting", actor=facilitator)
    assert raised.value.key == "error.agenda.template_running"
    assert meetings.list_steps(store, meeting.id) == steps_before
    assert meetings.meeting_state(store, meeting.id) == state_before


def test_a_template_on_a_closed_meeting_is_refused(store, meeting, facilitator) -> None:
    meetings.close_meeting(store, meeting.id, actor=facilitator)
    with pytest.raises(NotAllowed) as raised:
        meetings.apply_agenda_template(store, meeting.id, "dialogue", actor=facilitator)
    assert raised.value.key == "error.meeting.closed"
    assert kinds(store, meeting.id) == [StepKind.BRAINSTORM, StepKind.DOT_VOTE, StepKind.WRAP_UP]


# -- inserting and duplicating steps -------------------------------------------------------------


def test_a_step_is_inserted_at_the_position_asked_for(store, meeting, facilitator) -> None:
    made = meetings.insert_step(
        store, meeting.id, StepKind.WELCOME, 1, prompt="Velkommen", actor=facilitator
    )
    meetings.insert_step(store, meeting.id, StepKind.PAIRWISE, 4, actor=facilitator)
    assert kinds(store, meeting.id) == [
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.DOT_VOTE,
        StepKind.PAIRWISE,
        StepKind.WRAP_UP,
    ]
    assert made.position == 1 and made.prompt == "Velkommen"
    assert [s.position for s in meetings.list_steps(store, meeting.id)] == [1, 2, 3, 4, 5]
    # the inserted vote step has its round
    assert ("pairwise", "pairwise", meetings.DEFAULT_DOTS) in rounds(store, meeting.id)


def test_a_step_inserted_outside_the_agenda_is_refused_and_nothing_changes(
    store, meeting, facilitator
) -> None:
    before = meetings.list_steps(store, meeting.id)
    for position in (0, 5):
        with pytest.raises(InvalidInput) as raised:
            meetings.insert_step(store, meeting.id, StepKind.WELCOME, position, actor=facilitator)
        assert raised.value.key == "error.agenda.bad_position"
    assert meetings.list_steps(store, meeting.id) == before


def test_a_duplicated_step_follows_its_original_with_the_same_settings(
    store, meeting, facilitator
) -> None:
    vote = meetings.list_steps(store, meeting.id)[1]
    meetings.update_step(
        store, vote.id, prompt="Hvad er vigtigst?", time_box_minutes=7, actor=facilitator
    )
    copy = meetings.duplicate_step(store, vote.id, actor=facilitator)
    steps = meetings.list_steps(store, meeting.id)
    assert [s.kind for s in steps] == [
        StepKind.BRAINSTORM,
        StepKind.DOT_VOTE,
        StepKind.DOT_VOTE,
        StepKind.WRAP_UP,
    ]
    assert steps[2].id == copy.id and copy.prompt == "Hvad er vigtigst?"
    assert copy.time_box_minutes == 7 and copy.started_at is None
    assert [k for k, _, _ in rounds(store, meeting.id)] == ["dot_vote", "dot_vote"]


def test_a_step_of_a_closed_meeting_cannot_be_duplicated_or_inserted(
    store, meeting, facilitator
) -> None:
    first = meetings.list_steps(store, meeting.id)[0]
    meetings.close_meeting(store, meeting.id, actor=facilitator)
    with pytest.raises(NotAllowed):
        meetings.duplicate_step(store, first.id, actor=facilitator)
    with pytest.raises(NotAllowed):
        meetings.insert_step(store, meeting.id, StepKind.WELCOME, 1, actor=facilitator)
    assert len(meetings.list_steps(store, meeting.id)) == 3


# -- a vote step with no ideas --------------------------------------------------------------------


def test_a_vote_step_inserted_where_no_ideas_are_collected_is_refused(
    store, meeting, facilitator
) -> None:
    before = meetings.list_steps(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        meetings.insert_step(store, meeting.id, StepKind.DOT_VOTE, 1, actor=facilitator)
    assert raised.value.key == "error.agenda.vote_without_ideas"
    assert meetings.list_steps(store, meeting.id) == before
    # after the brainstorm it is fine, and a consent check needs no ideas anywhere
    meetings.insert_step(store, meeting.id, StepKind.RANKED, 2, actor=facilitator)
    meetings.insert_step(store, meeting.id, StepKind.CONSENT, 1, actor=facilitator)
    assert kinds(store, meeting.id)[:3] == [
        StepKind.CONSENT,
        StepKind.BRAINSTORM,
        StepKind.RANKED,
    ]
