"""The committees feature's vocabulary: phases, roles, statuses and frozen records (no I/O).

Stable keys are stored in the database; labels come from the i18n catalogues
(``phase.<key>``, ``member.role.<key>``, ``application.status.<key>``, ``decision.outcome.<key>``,
``decision.body.<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """A committee's lifecycle, in order (domain.md §1.4)."""

    MANDATE = "mandate"
    RECRUITMENT = "recruitment"
    COMMITTEE_WORK = "committee_work"
    RECOMMENDATIONS = "recommendations"
    POLITICAL_DECISION = "political_decision"
    IMPLEMENTATION = "implementation"
    EVALUATION = "evaluation"

    @property
    def position(self) -> int:
        return list(Phase).index(self)

    @property
    def next(self) -> Phase | None:
        phases = list(Phase)
        return phases[self.position + 1] if self.position + 1 < len(phases) else None

    @property
    def previous(self) -> Phase | None:
        return list(Phase)[self.position - 1] if self.position > 0 else None


class Action(StrEnum):
    """What may happen in a committee; each phase allows a fixed set (``ALLOWED``)."""

    EDIT_MANDATE = "edit_mandate"
    APPROVE_MANDATE = "approve_mandate"
    SET_TARGETS = "set_targets"
    APPLY = "apply"
    REVIEW_APPLICATIONS = "review_applications"
    DRAW = "draw"
    ADD_MEMBER = "add_member"
    PLAN_MEETING = "plan_meeting"
    KEEP_MINUTES = "keep_minutes"
    DRAFT_RECOMMENDATION = "draft_recommendation"
    RECORD_DECISION = "record_decision"


_WORK = {Action.ADD_MEMBER, Action.PLAN_MEETING, Action.KEEP_MINUTES}
ALLOWED: dict[Phase, frozenset[Action]] = {
    Phase.MANDATE: frozenset(
        {Action.EDIT_MANDATE, Action.APPROVE_MANDATE, Action.SET_TARGETS, Action.ADD_MEMBER}
    ),
    Phase.RECRUITMENT: frozenset(
        {
            Action.EDIT_MANDATE,
            Action.APPROVE_MANDATE,
            Action.SET_TARGETS,
            Action.APPLY,
            Action.REVIEW_APPLICATIONS,
            Action.DRAW,
            Action.ADD_MEMBER,
            Action.PLAN_MEETING,
            Action.KEEP_MINUTES,
        }
    ),
    Phase.COMMITTEE_WORK: frozenset(
        {Action.EDIT_MANDATE, Action.APPROVE_MANDATE, Action.DRAFT_RECOMMENDATION, *_WORK}
    ),
    Phase.RECOMMENDATIONS: frozenset({Action.DRAFT_RECOMMENDATION, *_WORK}),
    Phase.POLITICAL_DECISION: frozenset({Action.RECORD_DECISION, Action.KEEP_MINUTES}),
    Phase.IMPLEMENTATION: frozenset({Action.RECORD_DECISION, Action.KEEP_MINUTES}),
    Phase.EVALUATION: frozenset({Action.KEEP_MINUTES}),
}


class MemberRole(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    POLITICIAN = "politician"
    CITIZEN = "citizen"
    STAKEHOLDER_EXPERT = "stakeholder_expert"
    SECRETARIAT_FACILITATOR = "secretariat_facilitator"
    OBSERVER = "observer"


# Roles that take a politician's seat in the composition target (chair and vice chair are
# politicians in Gentofte's model).
POLITICIAN_SEATS = frozenset({MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.POLITICIAN})


class AttendanceStatus(StrEnum):
    """How a member's attendance at a meeting is recorded (labels ``attendance.<key>``)."""

    PRESENT = "present"
    ABSENT = "absent"
    APOLOGIES = "apologies"  # absent with notice: da "afbud", nb "meldt forfall"


class ApplicationStatus(StrEnum):
    INTERESTED = "interested"
    SHORTLISTED = "shortlisted"
    APPOINTED = "appointed"
    RESERVE = "reserve"  # not appointed now; first asked if a seat comes free
    DECLINED = "declined"  # not selected

    @property
    def is_outcome(self) -> bool:
        """A decision the applicant is told about (``recruitment.send_outcomes``)."""
        return self in (
            ApplicationStatus.APPOINTED,
            ApplicationStatus.RESERVE,
            ApplicationStatus.DECLINED,
        )


class DecisionBody(StrEnum):
    STANDING_COMMITTEE = "standing_committee"
    COUNCIL = "council"


class DecisionOutcome(StrEnum):
    """What a political body decided about a recommendation (not to be confused with an
    outcome record, ``workshop.outcomes.records.Outcome``: what an adoption became)."""

    ADOPTED = "adopted"
    ADOPTED_WITH_CHANGES = "adopted_with_changes"
    REJECTED = "rejected"
    POSTPONED = "postponed"
    NOT_FORWARDED = "not_forwarded"

    @property
    def needs_rationale(self) -> bool:
        return self is not DecisionOutcome.ADOPTED

    @property
    def is_adoption(self) -> bool:
        return self in (DecisionOutcome.ADOPTED, DecisionOutcome.ADOPTED_WITH_CHANGES)


OUTCOMES_FOR: dict[DecisionBody, tuple[DecisionOutcome, ...]] = {
    DecisionBody.STANDING_COMMITTEE: tuple(DecisionOutcome),
    DecisionBody.COUNCIL: tuple(
        o for o in DecisionOutcome if o is not DecisionOutcome.NOT_FORWARDED
    ),
}


# Self-reported diversity attributes and their answer keys (labels: ``diversity.<attr>.<key>``).
# Districts are free text: they differ between municipalities.
DIVERSITY_OPTIONS: dict[str, tuple[str, ...]] = {
    "age_band": ("under_25", "25_39", "40_59", "60_74", "75_plus"),
    "gender": ("woman", "man", "other"),
    "hard_to_reach": ("youth", "families_with_children", "vulnerable", "none"),
}
DIVERSITY_ATTRIBUTES = ("age_band", "district", "gender", "hard_to_reach")


@dataclass(frozen=True)
class CommitteeState:
    committee_id: int
    phase: Phase
    # No public link here: its secret is derived on demand (committees.public_link_token).
    phase_started_at: str


@dataclass(frozen=True)
class Deadline:
    phase: Phase
    due_on: str  # ISO date


@dataclass(frozen=True)
class Mandate:
    """One version of a committee's mandate (kommissorium)."""

    id: int
    committee_id: int
    version: int
    background: str
    purpose: str
    deliverables: str
    in_scope: str
    out_of_scope: str
    constraints: str
    budget: str
    politicians_target: int
    citizens_target: int
    competence_profile: str
    decision_path: str
    timeline: str
    recipient: str
    change_note: str
    created_by_name: str
    created_at: str
    approved_by_body: str | None
    approved_on: str | None

    @property
    def is_approved(self) -> bool:
        return self.approved_on is not None

    @property
    def competences(self) -> list[str]:
        return [line.strip() for line in self.competence_profile.splitlines() if line.strip()]


# The mandate's text fields, in the order of the editor and the printable page.
MANDATE_TEXT_FIELDS = (
    "background",
    "purpose",
    "deliverables",
    "in_scope",
    "out_of_scope",
    "constraints",
    "budget",
    "competence_profile",
    "decision_path",
    "timeline",
    "recipient",
)
MANDATE_FIELDS = (*MANDATE_TEXT_FIELDS, "politicians_target", "citizens_target")


@dataclass(frozen=True)
class Application:
    id: int
    committee_id: int
    name: str
    contact: str
    motivation: str
    competences: tuple[str, ...]
    consent_at: str | None
    age_band: str | None
    district: str | None
    gender: str | None
    hard_to_reach: str | None
    status: ApplicationStatus
    rationale: str
    decided_at: str | None
    submitted_at: str
    lang: str = "da"  # the language the applicant applied in: their outcome message's
    rationale_version: int = 1  # 1 + the corrections of the current rationale

    def attribute(self, name: str) -> str | None:
        value = getattr(self, name)
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Target:
    id: int
    attribute: str
    value: str
    minimum: int
    maximum: int | None


@dataclass(frozen=True)
class Member:
    id: int
    committee_id: int
    name: str
    role: MemberRole
    starts_on: str
    ends_on: str | None
    application_id: int | None
    email: str | None = None  # for invitations; never shown publicly

    def is_active(self, on: str) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)


@dataclass(frozen=True)
class MeetingPlan:
    meeting_id: int
    committee_id: int
    title: str
    planned_at: str
    location: str
    agenda: str
    minutes: str
    minutes_at: str | None
    present: int
    recorded: int  # members with attendance recorded
    apologies: int = 0  # absent with notice ("afbud")
    approved_at: str | None = None  # minutes approved (then public)
    approved_at_meeting: int | None = None  # the later meeting that approved them
    approved_at_title: str | None = None

    @property
    def minutes_public(self) -> bool:
        return self.approved_at is not None and bool(self.minutes.strip())


@dataclass(frozen=True)
class Correction:
    """One correction of a recorded value: the version it made, and the value it replaced.

    ``before`` and ``after`` are small dicts (e.g. ``{"rationale": ...}``,
    ``{"due_on": ...}``)."""

    version: int
    before: dict[str, str]
    after: dict[str, str]
    corrected_by_name: str
    corrected_at: str


@dataclass(frozen=True)
class PhaseChange:
    """One entry of a committee's phase history (``reason`` only when it went back)."""

    from_phase: Phase | None
    to_phase: Phase
    changed_by_name: str
    changed_at: str
    reason: str | None

    @property
    def is_back(self) -> bool:
        return self.from_phase is not None and self.to_phase.position < self.from_phase.position


@dataclass(frozen=True)
class Decision:
    id: int
    recommendation_id: int
    body: DecisionBody
    outcome: DecisionOutcome
    decided_at: str
    rationale: str
    recorded_at: str
    version: int = 1  # 1 + the corrections made to it
    corrections: tuple[Correction, ...] = ()  # oldest first


@dataclass(frozen=True)
class SourceIdea:
    id: int
    text: str
    meeting_title: str
    dots: int
    status: str
    theme: str = ""  # the theme it was grouped under in its meeting, if any


@dataclass(frozen=True)
class Recommendation:
    id: int
    committee_id: int
    title: str
    body: str
    theme: str
    created_at: str
    ideas: tuple[SourceIdea, ...]
    decisions: tuple[Decision, ...]

    @property
    def stage(self) -> str:
        """Where it is on the decision path: a key of ``recommendation.stage.<key>``."""
        return decision_stage(self.decisions)


def decision_stage(decisions: tuple[Decision, ...] | list[Decision]) -> str:
    """draft → at_standing_committee → at_council → adopted / rejected / not_forwarded."""
    stage = "at_standing_committee"
    for decision in decisions:
        if decision.body is DecisionBody.STANDING_COMMITTEE:
            if decision.outcome.is_adoption:
                stage = "at_council"
            elif decision.outcome is DecisionOutcome.POSTPONED:
                stage = "at_standing_committee"
            else:
                stage = decision.outcome.value  # rejected or not_forwarded: the path ends
        else:
            if decision.outcome.is_adoption:
                stage = "adopted"
            elif decision.outcome is DecisionOutcome.POSTPONED:
                stage = "at_council"
            else:
                stage = "rejected"
    return stage


FINAL_STAGES = frozenset({"adopted", "rejected", "not_forwarded"})
STAGES = ("at_standing_committee", "at_council", "adopted", "rejected", "not_forwarded")


@dataclass(frozen=True)
class CommitteeOverview:
    """One line of the list of all committees, and the head of a committee's page."""

    id: int
    title: str
    is_demo: bool
    phase: Phase
    next_deadline: Deadline | None
    members: int
    meetings: int
    applications: int
    recommendations: int
