"""What a facilitator may do to a live meeting right now: small named predicates.

Each ``can_*`` is a pure function of the meeting's state (``MeetingState``, its agenda, its
current step) and returns a :class:`Verdict`: allowed, or the i18n key saying why not. The
console asks them to enable or disable its buttons; the services in ``workshop.meetings.core`` and
``workshop.voting.methods`` ask the same ones inside their transaction and raise
``NotAllowed`` with the same key, so a direct call cannot do what the button would not.

No I/O here: the committees' phases have ``committees.can``; meetings have these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workshop.errors import NotAllowed
from workshop.model import MeetingState, MeetingStatus, Step, StepKind

TIME_BOX_MAX = 240  # minutes: the longest time box a step can have
EXTEND_MINUTES = 5  # what the console's "+5 minutes" adds to the running step


@dataclass(frozen=True)
class Verdict:
    """Allowed, or not with the reason as an i18n key (and its parameters)."""

    allowed: bool
    reason: str = ""  # an i18n key when refused
    params: tuple[tuple[str, Any], ...] = ()

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Raise ``NotAllowed`` with the reason unless allowed."""
        if not self.allowed:
            raise NotAllowed(self.reason, **dict(self.params))


ALLOW = Verdict(True)


def refused(reason: str, **params: Any) -> Verdict:
    return Verdict(False, reason, tuple(params.items()))


def current_index(state: MeetingState, steps: Sequence[Step]) -> int | None:
    """The index of the current step in the agenda, or None before the start."""
    ids = [s.id for s in steps]
    return ids.index(state.current_step_id) if state.current_step_id in ids else None


def can_move_to_next_step(state: MeetingState, steps: Sequence[Step]) -> Verdict:
    """Start the meeting (its first step), or move on from the current step to the next."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if not steps:
        return refused("error.meeting.empty_agenda")
    index = current_index(state, steps)
    if index is not None and index + 1 >= len(steps):
        return refused("error.step.no_next")
    return can_open(steps, 0 if index is None else index + 1)


def can_open(steps: Sequence[Step], index: int) -> Verdict:
    """Whether the room may be taken to ``steps[index]``: a consent step needs its proposal
    (its text), or phones are asked to consent to an empty card."""
    step = steps[index]
    if step.kind is StepKind.CONSENT and not step.prompt.strip():
        return refused("error.step.consent_without_proposal", number=index + 1)
    return ALLOW


def can_go_back(state: MeetingState, steps: Sequence[Step]) -> Verdict:
    """Go back from the current step to the one before it."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    index = current_index(state, steps)
    if state.status is MeetingStatus.READY or index is None:
        return refused("error.meeting.not_started")
    if index == 0:
        return refused("error.step.no_previous")
    return ALLOW


def can_go_to_step(state: MeetingState, steps: Sequence[Step], step_id: int) -> Verdict:
    """Jump to any other step of the agenda (forwards or back)."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if step_id not in {s.id for s in steps}:
        return refused("error.not_found")
    if step_id == state.current_step_id:
        return refused("error.step.already_current")
    return can_open(steps, [s.id for s in steps].index(step_id))


def can_extend_timer(
    state: MeetingState, step: Step | None, minutes: int = EXTEND_MINUTES
) -> Verdict:
    """Give the running step more time; its time box never goes past ``TIME_BOX_MAX``."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if state.status is not MeetingStatus.RUNNING or step is None:
        return refused("error.meeting.not_started")
    if step.id != state.current_step_id:
        return refused("error.step.not_current")
    if step.time_box_minutes + minutes > TIME_BOX_MAX:
        return refused("error.step.time_box_full", max=TIME_BOX_MAX)
    return ALLOW


def can_open_round(state: MeetingState, step: Step | None) -> Verdict:
    """Open a new voting round in the running step (the console's "New round")."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if state.status is not MeetingStatus.RUNNING or step is None:
        return refused("error.meeting.not_started")
    if not step.kind.is_vote:
        return refused("error.round.not_a_vote_step")
    if step.id != state.current_step_id:
        return refused("error.step.not_current")
    return ALLOW


def can_open_round_on(status: MeetingStatus, step: Step) -> Verdict:
    """The part of :func:`can_open_round` every round needs, whichever step it is on: rounds
    are set up ahead on vote steps too (the demo, tests), but never on a closed meeting."""
    if status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if not step.kind.is_vote:
        return refused("error.round.not_a_vote_step")
    return ALLOW


def can_insert_step(kind: StepKind, kinds_before: Sequence[StepKind]) -> Verdict:
    """Insert a step of ``kind`` after ``kinds_before``: a vote on ideas needs a step before it
    that collects them (a consent check is about the step's own proposal and needs none)."""
    if kind.is_vote and kind.shows_ideas and not any(k.takes_ideas for k in kinds_before):
        return refused("error.agenda.vote_without_ideas")
    return ALLOW


def can_apply_template(state: MeetingState, steps: Sequence[Step]) -> Verdict:
    """Replace the whole agenda with a template: only before the meeting has started."""
    if state.status is MeetingStatus.CLOSED:
        return refused("error.meeting.closed")
    if state.status is not MeetingStatus.READY or any(s.started_at for s in steps):
        return refused("error.agenda.template_running")
    return ALLOW
