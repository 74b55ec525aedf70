"""Shared vocabulary: stable keys for roles, kinds and statuses, and small frozen records.

No I/O here. Keys are stored in the database and never translated; labels come from the
i18n catalogues (``enum.<Enum>.<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


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


@dataclass(frozen=True)
class StepTraits:
    """What a kind of step does. A new kind of step is one enum member plus one row here.

    ``takes_ideas``: phones may post ideas while intake is open. ``is_vote``: the step holds
    voting rounds. ``shows_ideas``: phones and the projector show the idea wall.
    ``shows_themes``: ideas are shown grouped by theme. ``shows_results``: revealed results
    are shown. ``default_minutes``: the time box a new step of this kind gets.
    """

    takes_ideas: bool = False
    is_vote: bool = False
    shows_ideas: bool = False
    shows_themes: bool = False
    shows_results: bool = False
    default_minutes: int = 10


class StepKind(StrEnum):
    WELCOME = "welcome"  # welcome and the meeting's agreement: what we do with the input
    BRAINSTORM = "brainstorm"
    CLUSTERING = "clustering"
    DOT_VOTE = "dot_vote"
    # The other voting methods (workshop.voting.methods); a round's method is its step's kind.
    STATEMENTS = "statements"
    PAIRWISE = "pairwise"
    TWO_AXIS = "two_axis"
    RANKED = "ranked"
    CONSENT = "consent"
    WRAP_UP = "wrap_up"

    @property
    def traits(self) -> StepTraits:
        return STEP_TRAITS[self]

    @property
    def takes_ideas(self) -> bool:
        return self.traits.takes_ideas

    @property
    def is_vote(self) -> bool:
        return self.traits.is_vote

    @property
    def shows_ideas(self) -> bool:
        return self.traits.shows_ideas

    @property
    def shows_themes(self) -> bool:
        return self.traits.shows_themes

    @property
    def shows_results(self) -> bool:
        return self.traits.shows_results


STEP_TRAITS: dict[StepKind, StepTraits] = {
    StepKind.WELCOME: StepTraits(default_minutes=5),
    StepKind.BRAINSTORM: StepTraits(takes_ideas=True, shows_ideas=True, default_minutes=15),
    StepKind.CLUSTERING: StepTraits(shows_ideas=True, shows_themes=True, default_minutes=10),
    StepKind.DOT_VOTE: StepTraits(
        is_vote=True, shows_ideas=True, shows_results=True, default_minutes=5
    ),
    StepKind.STATEMENTS: StepTraits(
        is_vote=True, shows_ideas=True, shows_results=True, default_minutes=10
    ),
    StepKind.PAIRWISE: StepTraits(
        is_vote=True, shows_ideas=True, shows_results=True, default_minutes=10
    ),
    StepKind.TWO_AXIS: StepTraits(
        is_vote=True, shows_ideas=True, shows_results=True, default_minutes=10
    ),
    StepKind.RANKED: StepTraits(
        is_vote=True, shows_ideas=True, shows_results=True, default_minutes=5
    ),
    # A consent check is about one proposal (the step's prompt), not the ideas.
    StepKind.CONSENT: StepTraits(is_vote=True, shows_results=True, default_minutes=5),
    StepKind.WRAP_UP: StepTraits(shows_ideas=True, shows_results=True, default_minutes=5),
}


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
    # No screen link here: its secret is derived on demand (meetings.screen_link_token).
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
    ended_at: str | None = None
    # Per-step settings (JSON in ``steps.settings``), read by the step's kind; for example
    # a brainstorm's ``ideas_per_minute``. Kinds added later keep their options here.
    settings: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Participant:
    id: int
    meeting_id: int
    token: str  # the plaintext secret of the link it was found by (stored only as SHA-256)
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
    theme_id: int | None = None
    merged_into_id: int | None = None  # merged into this idea: its credit and votes moved there
    edited: bool = False
    # Held for the facilitator before the wall (also ``hidden``, so no read path shows it);
    # ``flags``: the kinds of personal data found in it (workshop.meetings.personal_data).
    held: bool = False
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Theme:
    id: int
    meeting_id: int
    name: str
    position: int


@dataclass(frozen=True)
class MeetingState:
    """The few numbers a phone polls to learn whether anything changed."""

    status: MeetingStatus
    current_step_id: int | None
    change_seq: int
    vote_seq: int
    intake_open: bool = False  # whether the current step takes ideas right now
