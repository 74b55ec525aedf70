"""Idea status history: every change recorded, rejection only with a reason."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop import idea_status, ideas
from workshop.errors import InvalidInput
from workshop.model import IdeaStatus


@pytest.fixture
def idea(store, meeting):
    start(store, meeting)
    return ideas.submit_idea(store, join(store, meeting, "Anna"), "Bænke ved søen")


def test_status_changes_are_kept_as_history(store, idea, facilitator) -> None:
    idea_status.change_status(
        store, idea.id, IdeaStatus.SHORTLISTED, reason=None, actor=facilitator
    )
    idea_status.change_status(
        store, idea.id, IdeaStatus.IMPLEMENTED, reason="Opsat i maj", actor=facilitator
    )
    assert [e["status"] for e in idea_status.history(store, idea.id)] == [
        "shortlisted",
        "implemented",
    ]
    assert ideas.get_idea(store, idea.id).status is IdeaStatus.IMPLEMENTED


def test_rejection_without_a_reason_is_refused_and_nothing_changes(
    store, idea, facilitator
) -> None:
    with pytest.raises(InvalidInput) as raised:
        idea_status.change_status(
            store, idea.id, IdeaStatus.REJECTED, reason="  ", actor=facilitator
        )
    assert raised.value.key == "error.idea_status.reason_required"
    assert ideas.get_idea(store, idea.id).status is IdeaStatus.SUBMITTED
    assert idea_status.history(store, idea.id) == []


def test_a_status_change_reaches_the_phones(store, meeting, idea, facilitator) -> None:
    from workshop import meetings

    before = meetings.meeting_state(store, meeting.id).change_seq
    idea_status.change_status(store, idea.id, IdeaStatus.THEMED, reason=None, actor=facilitator)
    changed = ideas.ideas_changed_since(store, meeting.id, before)
    assert [(i.id, i.status) for i in changed] == [(idea.id, IdeaStatus.THEMED)]
