"""Shared vocabulary: stable keys for roles, kinds and statuses, and small frozen records.

No I/O here. Keys are stored in the database and never translated; labels come from the
i18n catalogues (``enum.<Enum>.<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


def utcnow() -> str:
    """Timestamps are ISO-8601 UTC strings; they sort and compare as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    POLITICIAN = "politician"
    CITIZEN = "citizen"  # no account: a participant token

    @property
    def is_staff(self) -> bool:
        return self in (Role.ADMIN, Role.FACILITATOR)


ACCOUNT_ROLES = (Role.ADMIN, Role.FACILITATOR, Role.POLITICIAN)


class MeetingKind(StrEnum):
    DIALOGUE_SESSION = "dialogue_session"
    COMMITTEE_MEETING = "committee_meeting"
    WORKSHOP = "workshop"
    CITIZENS_MEETING = "citizens_meeting"


class MeetingStatus(StrEnum):
    READY = "ready"  # created, joinable, waiting for the facilitator to start
    RUNNING = "running"
    CLOSED = "closed"


class StepKind(StrEnum):
    WELCOME = "welcome"
    BRAINSTORM = "brainstorm"
    CLUSTERING = "clustering"
    DOT_VOTE = "dot_vote"
    WRAP_UP = "wrap_up"

    @property
    def takes_ideas(self) -> bool:
        return self is StepKind.BRAINSTORM

    @property
    def is_vote(self) -> bool:
        return self is StepKind.DOT_VOTE


class IdeaStatus(StrEnum):
    SUBMITTED = "submitted"
    THEMED = "themed"
    SHORTLISTED = "shortlisted"
    IN_RECOMMENDATION = "in_recommendation"
    DECIDED = "decided"
    IMPLEMENTED = "implemented"
    REJECTED = "rejected"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    task: str
    politicians_target: int
    citizens_target: int
    is_demo: bool
    created_at: str


@dataclass(frozen=True)
class Meeting:
    id: int
    committee_id: int
    title: str
    kind: MeetingKind
    status: MeetingStatus
    join_code: str
    code_expires_at: str | None
    screen_token: str
    current_step_id: int | None
    is_demo: bool
    created_at: str


@dataclass(frozen=True)
class Step:
    id: int
    meeting_id: int
    position: int
    kind: StepKind
    prompt: str
    time_box_minutes: int
    intake_open: bool
    started_at: str | None


@dataclass(frozen=True)
class Participant:
    id: int
    meeting_id: int
    token: str
    display_name: str
    joined_at: str


@dataclass(frozen=True)
class Idea:
    id: int
    meeting_id: int
    step_id: int | None
    participant_id: int | None
    author_name: str
    text: str
    status: IdeaStatus
    hidden: bool
    hide_reason: str | None
    on_behalf: bool
    seq: int
    created_at: str


@dataclass(frozen=True)
class MeetingState:
    """The few numbers a phone polls to learn whether anything changed."""

    status: MeetingStatus
    current_step_id: int | None
    change_seq: int
    vote_seq: int
