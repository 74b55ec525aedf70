"""Changes reach every phone: a merge or hide changes the ballot's ideas, a material change of
the agreement gates the phones at their next action, and a merged idea's author keeps credit."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.agreements import core as agreements
from workshop.errors import NotAllowed
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation


@pytest.fixture
def agreement(store, meeting, facilitator):
    made = agreements.create_agreement(
        store, "dialogue_session", lang="da", meeting_id=meeting.id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    return made


def test_a_merge_or_a_hide_changes_the_ideas_a_ballot_shows(store, meeting, facilitator) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    kept, duplicate, other = (
        ideas.submit_idea(store, anna, text, per_minute=10).id
        for text in ("Flere bænke", "Flere bænke og skygge", "Badezone")
    )
    seq = meetings.meeting_state(store, meeting.id).change_seq
    assert ideas.wall_ids(store, meeting.id, seq) == frozenset({kept, duplicate, other})
    moderation.merge_ideas(store, kept, [duplicate], actor=facilitator)
    seq = meetings.meeting_state(store, meeting.id).change_seq
    assert ideas.wall_ids(store, meeting.id, seq) == frozenset({kept, other})
    moderation.hide_idea(store, other, "Personlige oplysninger", actor=facilitator)
    seq = meetings.meeting_state(store, meeting.id).change_seq
    assert ideas.wall_ids(store, meeting.id, seq) == frozenset({kept})


def test_a_material_change_moves_the_meetings_gate_and_a_wording_fix_does_not(
    store, meeting, facilitator, agreement
) -> None:
    first = meetings.meeting_state(store, meeting.id).change_seq
    stamp = agreements.gate_stamp(store, meeting.id, first)
    agreements.save_version(
        store, agreement.id, {"summary": "Rettet stavefejl."}, material=False, actor=facilitator
    )
    second = meetings.meeting_state(store, meeting.id).change_seq
    assert agreements.gate_stamp(store, meeting.id, second) == stamp
    agreements.save_version(
        store, agreement.id, {"fixed": "Skolen lukker ikke."}, material=True, actor=facilitator
    )
    third = meetings.meeting_state(store, meeting.id).change_seq
    # every phone in the room notices (change_seq), and the gate has moved
    assert third > second
    assert agreements.gate_stamp(store, meeting.id, third) != stamp


def test_a_committee_agreement_change_reaches_every_meeting_of_the_committee(
    store, meeting, facilitator
) -> None:
    made = agreements.create_agreement(
        store, "committee", lang="da", committee_id=meeting.committee_id, actor=facilitator
    )
    before = meetings.meeting_state(store, meeting.id).change_seq
    agreements.publish_agreement(store, made.id, actor=facilitator)
    published = meetings.meeting_state(store, meeting.id).change_seq
    assert published > before
    agreements.save_version(
        store, made.id, {"fixed": "Budgettet er fast."}, material=True, actor=facilitator
    )
    assert meetings.meeting_state(store, meeting.id).change_seq > published


def test_a_material_change_while_the_meeting_runs_needs_a_confirmation(
    store, meeting, facilitator, agreement
) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    agreements.acknowledge_agreement(store, anna, agreement.current.id)
    with pytest.raises(NotAllowed) as raised:
        agreements.save_version(
            store,
            agreement.id,
            {"fixed": "Skolen lukker ikke."},
            material=True,
            confirm_running=False,  # the page asked, and the facilitator did not confirm
            actor=facilitator,
        )
    assert raised.value.key == "error.agreement.confirm_running"
    assert "Dialogmøde" in str(raised.value.params["meetings"])
    # nothing saved: still version 1, and Anna is not asked again
    assert agreements.get_agreement(store, agreement.id).current.version == 1
    assert agreements.pending_agreement(store, anna) is None
    # a wording fix needs no confirmation
    agreements.save_version(
        store,
        agreement.id,
        {"summary": "Rettet stavefejl."},
        material=False,
        confirm_running=False,
        actor=facilitator,
    )
    saved = agreements.save_version(
        store,
        agreement.id,
        {"fixed": "Skolen lukker ikke."},
        material=True,
        confirm_running=True,
        actor=facilitator,
    )
    assert saved.version == 3
    assert agreements.pending_agreement(store, anna) is not None
    assert [m.id for m in agreements.running_meetings(store, agreement.id)] == [meeting.id]


def test_a_merged_ideas_author_sees_what_it_was_merged_with(store, meeting, facilitator) -> None:
    start(store, meeting)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    kept = ideas.submit_idea(store, anna, "Flere bænke og skygge")
    duplicate = ideas.submit_idea(store, bo, "Flere bænke")
    moderation.merge_ideas(store, kept.id, [duplicate.id], actor=facilitator)
    (mine,) = feedback.my_ideas(store, bo.id)
    assert mine.merged_into_text == "Flere bænke og skygge"
    (theirs,) = feedback.my_ideas(store, anna.id)
    assert theirs.merged_into_text is None
    # the phone's stream knows the kept idea's text too
    merged = ideas.get_idea(store, duplicate.id)
    assert ideas.merged_into_texts(store, [merged]) == {duplicate.id: "Flere bænke og skygge"}
