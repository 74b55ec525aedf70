"""Agenda templates and the shape of an agenda: what a new meeting starts with (pure).

A template is a named list of steps that a facilitator picks in the new-meeting form (or
applies in the console before the meeting starts) instead of adding and moving steps one by
one. The services that write an agenda (``workshop.meetings.core``: ``create_meeting``,
``apply_agenda_template``, ``insert_step``, ``duplicate_step``) take their steps from here.

No I/O: no database, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workshop.model import StepKind


@dataclass(frozen=True)
class StepSpec:
    """A step to be written to an agenda: its kind, prompt, time box and settings."""

    kind: StepKind
    prompt: str = ""
    time_box_minutes: int = 10
    settings: dict[str, int] = field(default_factory=dict)


class AgendaTemplate(StrEnum):
    """The agendas the new-meeting form offers (labels: ``agenda.template.<value>``)."""

    SHORT = "short"  # brainstorm → dot vote → wrap-up: the agenda a meeting had before
    DIALOGUE = "dialogue"  # welcome, brainstorm, themes, dot vote, wrap-up
    CITIZENS_MEETING = "citizens_meeting"  # the ten-step citizens' meeting of the trial
    PRIORITISATION = "prioritisation"  # compare several methods on the same ideas


TEMPLATE_KINDS: dict[AgendaTemplate, tuple[StepKind, ...]] = {
    AgendaTemplate.SHORT: (StepKind.BRAINSTORM, StepKind.DOT_VOTE, StepKind.WRAP_UP),
    AgendaTemplate.DIALOGUE: (
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.CLUSTERING,
        StepKind.DOT_VOTE,
        StepKind.WRAP_UP,
    ),
    AgendaTemplate.CITIZENS_MEETING: (
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
    ),
    AgendaTemplate.PRIORITISATION: (
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.CLUSTERING,
        StepKind.DOT_VOTE,
        StepKind.PAIRWISE,
        StepKind.TWO_AXIS,
        StepKind.RANKED,
        StepKind.WRAP_UP,
    ),
}
# The short agenda keeps the time boxes it always had (a longer brainstorm than default).
SHORT_MINUTES = {StepKind.BRAINSTORM: 15, StepKind.DOT_VOTE: 5, StepKind.WRAP_UP: 5}


def template_agenda(template: AgendaTemplate | str, prompt: str = "") -> list[StepSpec]:
    """The steps of ``template``; ``prompt`` (the meeting's question) goes on every step that
    collects ideas. An unknown template raises ``ValueError``."""
    template = AgendaTemplate(template)
    minutes = SHORT_MINUTES if template is AgendaTemplate.SHORT else {}
    return [
        StepSpec(
            kind,
            prompt if kind.takes_ideas else "",
            minutes.get(kind, kind.traits.default_minutes),
        )
        for kind in TEMPLATE_KINDS[template]
    ]


def insertion_order(ids: list[int], new_id: int, position: int) -> list[int]:
    """``ids`` (the agenda in order) with ``new_id`` placed at 1-based ``position``.

    ``position`` runs from 1 (first) to ``len(ids) + 1`` (last); anything else raises
    ``ValueError``.
    """
    if not 1 <= position <= len(ids) + 1:
        raise ValueError(f"position {position} outside 1..{len(ids) + 1}")
    return [*ids[: position - 1], new_id, *ids[position - 1 :]]
