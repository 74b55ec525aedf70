"""The wrap-up: each vote step's own result, in agenda order.

The rule this module keeps: a vote step's result is the tally of that step's own round (its
latest round that was opened), ranked the way its method ranks — dots by dots, statements
by agreement (marking what unites the opinion groups), pairwise by score, two axes by
quadrant, ranking by Schulze order, consent by its outcome. Never the round opened last in
the meeting, whatever its method. A round nobody voted in says so (``NO_VOTES``); a round
whose results the facilitator has not revealed shows nothing (``HIDDEN``).

:func:`rank_lines` is pure; :func:`wrapup_results` reads the rounds and their tallies
(computed once per change of the votes, shared with every viewer).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.model import MeetingStatus, Step
from workshop.voting import methods as vote_methods
from workshop.voting import tallies
from workshop.voting.methods import VoteMethod
from workshop.voting.opinion_groups import GroupingStatus
from workshop.voting.tallies import Id, Quadrant

QUADRANT_ORDER = (
    Quadrant.QUICK_WIN,
    Quadrant.MAJOR_PROJECT,
    Quadrant.FILL_IN,
    Quadrant.THANKLESS,
)


class ResultState(StrEnum):
    SHOWN = "shown"
    NO_VOTES = "no_votes"  # the round ran, nobody voted
    HIDDEN = "hidden"  # the facilitator has not revealed this round's results

    @property
    def message_key(self) -> str:
        return f"wrapup.{self.value}"


@dataclass(frozen=True)
class ResultLine:
    """One idea's place in a step's result, best first.

    ``value`` is the method's own figure: dots; the share that agrees (0..1); the pairwise
    score (0..100); the mean impact (with ``value2`` the mean feasibility and its
    ``quadrant``); for a ranking, the number of ballots. ``place`` is shared by ties and is
    None where the method does not rank (two axes sort by quadrant).
    """

    idea_id: Id
    place: int | None
    value: float
    value2: float | None = None
    quadrant: Quadrant | None = None
    unites: bool = False  # statements: agreed on across the opinion groups


@dataclass(frozen=True)
class StepResult:
    step: Step
    round_id: int
    round_number: int
    method: VoteMethod
    state: ResultState
    voters: int
    lines: tuple[ResultLine, ...] = ()
    consent: tallies.ConsentResult | None = None
    opinion_groups: int = 0  # statements: groups found (0 while computing or too few voters)


def _places(values: Sequence[float]) -> list[int]:
    places: list[int] = []
    for position, value in enumerate(values):
        places.append(places[-1] if position and value == values[position - 1] else position + 1)
    return places


def rank_lines(
    method: VoteMethod | str, result: Any, *, unites: Collection[Id] = ()
) -> tuple[ResultLine, ...]:
    """A tally as lines best first, by the method's own measure; ideas nobody voted on are
    left out. ``unites``: statements the opinion groups agree on (statements only)."""
    method = VoteMethod(method)
    if method is VoteMethod.DOT_VOTE:
        dots = [line for line in result.ideas if line.dots > 0]
        return tuple(ResultLine(line.idea_id, line.rank, line.dots) for line in dots)
    if method is VoteMethod.STATEMENTS:
        seen = [line for line in result if line.seen]
        # Stable: equal shares keep the statements' order (submission order).
        seen.sort(key=lambda line: (-line.agree_share, -line.agree))
        places = _places([-line.agree_share for line in seen])
        return tuple(
            ResultLine(
                line.statement_id, place, line.agree_share, unites=line.statement_id in unites
            )
            for line, place in zip(seen, places, strict=True)
        )
    if method is VoteMethod.PAIRWISE:
        judged = [line for line in result if line.wins + line.losses + line.cant_decide]
        places = _places([-line.score for line in judged])  # already best first
        return tuple(
            ResultLine(line.idea_id, place, line.score)
            for line, place in zip(judged, places, strict=True)
        )
    if method is VoteMethod.TWO_AXIS:
        scored = [line for line in result if line.n and line.quadrant is not None]
        scored.sort(
            key=lambda line: (
                QUADRANT_ORDER.index(line.quadrant),
                -(line.impact + line.feasibility),
            )
        )
        return tuple(
            ResultLine(line.idea_id, None, line.impact, line.feasibility, line.quadrant)
            for line in scored
        )
    if method is VoteMethod.RANKED:
        if not result.ballots:
            return ()
        place_of: dict[Id, int] = {}
        place = 1
        for tier in result.tiers:
            for idea in tier:
                place_of[idea] = place
            place += len(tier)
        return tuple(
            ResultLine(idea, place_of.get(idea), result.ballots) for idea in result.ranking
        )
    return ()  # consent is about one proposal: its outcome, not lines of ideas


def count_voters(store: Store, round_id: int) -> int:
    """Participants who said something in the round (a ballot emptied again does not count)."""
    row = store.query_one(
        "SELECT COUNT(*) AS n FROM ballots b WHERE b.round_id = ? AND (b.response IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM ballot_entries e WHERE e.ballot_id = b.id)"
        " OR EXISTS (SELECT 1 FROM pairwise_choices p WHERE p.round_id = b.round_id"
        "            AND p.participant_id = b.participant_id))",
        [round_id],
    )
    return int(row["n"]) if row else 0


def wrapup_results(store: Store, meeting_id: int, vote_seq: int) -> tuple[StepResult, ...]:
    """Every vote step that ran, in agenda order, with its own round's result."""
    rounds = {
        r["step_id"]: r
        for r in store.query(
            "SELECT r.id, r.step_id, r.number, r.method, r.revealed FROM rounds r"
            " JOIN steps s ON s.id = r.step_id WHERE s.meeting_id = ?"
            " AND r.opened_at IS NOT NULL ORDER BY r.number",  # the latest opened round wins
            [meeting_id],
        )
    }
    found: list[StepResult] = []
    for step in meetings.list_steps(store, meeting_id):
        row = rounds.get(step.id)
        if not step.kind.is_vote or row is None:
            continue
        method = VoteMethod(row["method"])
        voters = count_voters(store, row["id"])
        if not row["revealed"] or not voters:
            state = ResultState.NO_VOTES if row["revealed"] else ResultState.HIDDEN
            found.append(StepResult(step, row["id"], row["number"], method, state, voters))
            continue
        result = vote_methods.round_results(store, row["id"], vote_seq)
        unites: set[Id] = set()
        groups = 0
        if method is VoteMethod.STATEMENTS:
            snapshot = vote_methods.opinion_groups_snapshot(store, row["id"], vote_seq)
            if snapshot.result is not None and snapshot.result.status is GroupingStatus.OK:
                unites = {s.statement_id for s in snapshot.result.consensus_agree}
                groups = len(snapshot.result.groups)
        found.append(
            StepResult(
                step,
                row["id"],
                row["number"],
                method,
                ResultState.SHOWN,
                voters,
                lines=rank_lines(method, result, unites=unites),
                consent=result if method is VoteMethod.CONSENT else None,
                opinion_groups=groups,
            )
        )
    return tuple(found)


def shows_wrapup(status: MeetingStatus, step: Step | None) -> bool:
    """The room sees the wrap-up: in a step that shows results without being a vote (the
    wrap-up), and once the meeting has closed."""
    if status is MeetingStatus.CLOSED:
        return True
    return step is not None and step.kind.shows_results and not step.kind.is_vote
