"""Task committees (opgaveudvalg / oppgaveutvalg), from mandate to council decision.

One package, one room per part of the lifecycle:

- ``core``: committees, their phase on the timeline and the rules each phase sets
- ``mandates``: the versioned mandate (kommissorium) and its approval
- ``recruitment``: the public application form, review, coverage and the sortition draw
- ``members``: members with roles, the meeting plan with agenda and minutes, attendance
- ``recommendations``: recommendations from ideas, and decisions on the path to the council
- ``corrections``: corrections of decisions, dates and rationales as kept versions
- ``schema``: the tables, as the migration set ``samskab.committees``

The names below are the package's public API; callers that only need committees keep using
``committees.create_committee`` and friends.
"""

from workshop.committees.core import (
    TASK_MAX,
    TITLE_MAX,
    advance_phase,
    blockers,
    can,
    correct_deadline,
    create_committee,
    get_committee,
    get_committee_by_token,
    get_overview,
    get_state,
    go_back_phase,
    has_committees,
    is_allowed,
    list_committees,
    list_deadlines,
    list_overviews,
    new_public_link,
    phase_changes,
    phase_history,
    public_link_token,
    set_deadlines,
)
from workshop.committees.model import Action, Phase
from workshop.model import Committee

__all__ = [
    "TASK_MAX",
    "TITLE_MAX",
    "Action",
    "Committee",
    "Phase",
    "advance_phase",
    "blockers",
    "can",
    "correct_deadline",
    "create_committee",
    "get_committee",
    "get_committee_by_token",
    "get_overview",
    "get_state",
    "go_back_phase",
    "has_committees",
    "is_allowed",
    "list_committees",
    "list_deadlines",
    "list_overviews",
    "new_public_link",
    "phase_changes",
    "phase_history",
    "public_link_token",
    "set_deadlines",
]
