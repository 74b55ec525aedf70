"""What anyone may see of a committee, without logging in: the read model of its public page.

Mandate (the approved version, else the latest draft, marked), members by role, minutes the
committee has approved, recommendations that have reached a decision with both decision
levels and their reasons, and the outcomes being followed up.

Names: politicians, chair, vice chair, experts and the secretariat act in a public capacity
and are named. Citizen members and observers are shown by role only: the application form
asks consent for the diversity questions, not for publishing a name, so no citizen has
agreed to be named on a public page. No contact data is ever part of this model.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop.committees import mandates, members, recommendations
from workshop.committees.core import get_state
from workshop.committees.model import (
    Decision,
    Mandate,
    MeetingPlan,
    MemberRole,
    Phase,
)
from workshop.db import Store
from workshop.i18n import formats
from workshop.outcomes.records import list_outcomes

NAMED_ROLES = frozenset(
    {
        MemberRole.CHAIR,
        MemberRole.VICE_CHAIR,
        MemberRole.POLITICIAN,
        MemberRole.STAKEHOLDER_EXPERT,
        MemberRole.SECRETARIAT_FACILITATOR,
    }
)


@dataclass(frozen=True)
class PublicMember:
    role: MemberRole
    name: str | None  # None: shown by role only


@dataclass(frozen=True)
class PublicRecommendation:
    title: str
    body: str
    stage: str
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class PublicOutcome:
    title: str
    status: str
    progress: int


@dataclass(frozen=True)
class PublicCommittee:
    phase: Phase
    mandate: Mandate | None
    members: tuple[PublicMember, ...]
    minutes: tuple[MeetingPlan, ...]
    recommendations: tuple[PublicRecommendation, ...]
    outcomes: tuple[PublicOutcome, ...]


def committee_page(store: Store, committee_id: int, *, today: str | None = None) -> PublicCommittee:
    on = today or formats.today().isoformat()
    shown = mandates.approved_mandate(store, committee_id) or mandates.find_mandate(
        store, committee_id
    )
    people = tuple(
        PublicMember(m.role, m.name if m.role in NAMED_ROLES else None)
        for m in members.list_members(store, committee_id)
        if m.is_active(on)
    )
    minutes = tuple(
        plan for plan in members.list_meeting_plans(store, committee_id) if plan.minutes_public
    )
    decided = tuple(
        PublicRecommendation(r.title, r.body, r.stage, r.decisions)
        for r in recommendations.list_recommendations(store, committee_id)
        if r.decisions
    )
    followed = tuple(
        PublicOutcome(o.title, o.status.value, o.progress)
        for o in list_outcomes(store, committee_id)
    )
    return PublicCommittee(
        phase=get_state(store, committee_id).phase,
        mandate=shown,
        members=people,
        minutes=minutes,
        recommendations=decided,
        outcomes=followed,
    )
