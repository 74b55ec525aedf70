"""Small factories for tests: real records through the real services."""

from __future__ import annotations

from workshop import committees
from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.model import Meeting, Participant, User


def make_meeting(
    store: Store, actor: User | None = None, *, dots: int = 3, prompt: str = "Hvad nu?"
) -> Meeting:
    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=actor)
    return meetings.create_meeting(
        store, committee.id, "Dialogmøde", prompt=prompt, dots_per_participant=dots, actor=actor
    )


def start(store: Store, meeting: Meeting) -> None:
    """Go to the first step (the brainstorm)."""
    meetings.next_step(store, meeting.id, actor=None)


def join(store: Store, meeting: Meeting, name: str = "") -> Participant:
    return meetings.join_meeting(store, meeting.join_code, name, client=f"test-{name}")
