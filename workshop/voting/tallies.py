"""Pure tallies for every voting method a Step can use.

Each method has one function that turns plain votes (the frozen dataclasses below) into a
result the UI can show, and, where the method has rules a ballot must keep, a ``validate_*``
function that raises :class:`~workshop.errors.InvalidInput` with an ``error.vote.*`` key.
Nothing here reads or writes the database: ``voting.py`` loads the rows, calls these functions
and caches the result per change.

Ids of ideas, statements, candidates and participants are ``int`` or ``str``. Wherever order
matters and the votes don't decide it (ties), the documented rule is applied so that the same
votes always give the same result.

Methods:

- dot voting: :func:`tally_dots`, :func:`validate_dot_allocation`;
- agree / disagree / pass on statements (Pol.is style): :func:`tally_statements`;
- pairwise comparison with "I can't decide" (All Our Ideas): :func:`tally_pairwise`,
  :func:`tally_bradley_terry`, :func:`choose_next_pair`;
- two-axis scoring (impact × feasibility): :func:`tally_two_axis`, :func:`quadrant_for`;
- ranked choice: :func:`tally_ranked` (Schulze by default, instant-runoff as an option),
  :func:`validate_ranking`;
- consent on a proposal: :func:`check_consent`, :func:`validate_consent_vote`.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import TypeAlias, TypeVar

import numpy as np

from workshop.errors import InvalidInput

Id: TypeAlias = int | str
IdT = TypeVar("IdT", bound=int | str)  # for mappings keyed by ids, which are invariant in the key


def id_order(value: Id) -> tuple[int, int, str]:
    """Sort key for ids that may mix ``int`` and ``str``: ints numerically, then strings."""
    if isinstance(value, int):
        return (0, value, "")
    return (1, 0, value)


def _ordered_ids(given: Iterable[Id], seen: Iterable[Id]) -> list[Id]:
    """The ids to report on: ``given`` in its own order, or else ``seen`` sorted by id."""
    ordered = list(dict.fromkeys(given))
    if ordered:
        return ordered
    return sorted(set(seen), key=id_order)


def _competition_ranks(values: Sequence[float]) -> list[int]:
    """Ranks for values sorted best first, equal values sharing a rank ("1, 2, 2, 4")."""
    ranks: list[int] = []
    for position, value in enumerate(values):
        if position and value == values[position - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks


# --------------------------------------------------------------------------------------------
# Dot voting


@dataclass(frozen=True)
class DotVote:
    """Dots one participant put on one idea; several rows for the same pair add up."""

    participant_id: Id
    idea_id: Id
    dots: int = 1


@dataclass(frozen=True)
class IdeaDots:
    """One idea's line in a dot-voting result."""

    idea_id: Id
    dots: int
    voters: int  # distinct participants who put at least one dot on the idea
    rank: int  # 1 = most dots; equal totals share a rank


@dataclass(frozen=True)
class DotTally:
    """Dot-voting result: ideas with most dots first, equal totals in the given idea order."""

    ideas: tuple[IdeaDots, ...]
    dots_cast: int
    participants: int

    def dots_for(self, idea_id: Id) -> int:
        return next((line.dots for line in self.ideas if line.idea_id == idea_id), 0)


def validate_dot_allocation(
    allocation: Mapping[IdT, int],
    *,
    dots_per_participant: int,
    max_per_idea: int | None = None,
    idea_ids: Collection[IdT] | None = None,
) -> None:
    """Check one participant's dots (idea id → dots) against the step's rules.

    A participant may leave dots unused; what they may not do is spend more than
    ``dots_per_participant``, put more than ``max_per_idea`` on one idea (the cap that keeps a
    single voice from deciding alone), use negative dots or vote for an idea not on the board.
    """
    if dots_per_participant < 1:
        raise InvalidInput("error.vote.dot_budget_invalid", dots=dots_per_participant)
    if max_per_idea is not None and max_per_idea < 1:
        raise InvalidInput("error.vote.dot_budget_invalid", dots=max_per_idea)
    for idea_id, dots in allocation.items():
        if dots < 0:
            raise InvalidInput("error.vote.negative_dots", dots=dots)
        if idea_ids is not None and idea_id not in idea_ids:
            raise InvalidInput("error.vote.unknown_idea", idea_id=idea_id)
        if max_per_idea is not None and dots > max_per_idea:
            raise InvalidInput("error.vote.too_many_dots_on_idea", dots=dots, cap=max_per_idea)
    used = sum(allocation.values())
    if used > dots_per_participant:
        raise InvalidInput("error.vote.too_many_dots", used=used, allowed=dots_per_participant)


def tally_dots(votes: Iterable[DotVote], idea_ids: Sequence[Id] = ()) -> DotTally:
    """Total dots per idea.

    ``idea_ids`` lists the ideas on the board, in the order that breaks ties (e.g. submission
    order); ideas without dots then appear with 0, and a vote for an idea not listed raises.
    Without ``idea_ids`` the ideas are those voted for, ties ordered by id.
    """
    listed = set(idea_ids)
    totals: dict[Id, int] = {}
    voters: dict[Id, set[Id]] = {}
    participants: set[Id] = set()
    for vote in votes:
        if vote.dots < 0:
            raise InvalidInput("error.vote.negative_dots", dots=vote.dots)
        if listed and vote.idea_id not in listed:
            raise InvalidInput("error.vote.unknown_idea", idea_id=vote.idea_id)
        totals[vote.idea_id] = totals.get(vote.idea_id, 0) + vote.dots
        if vote.dots:
            voters.setdefault(vote.idea_id, set()).add(vote.participant_id)
            participants.add(vote.participant_id)
    ordered = _ordered_ids(idea_ids, totals)
    # sorted() is stable, so equal totals keep the tie-breaking order of ``ordered``.
    ordered.sort(key=lambda idea: -totals.get(idea, 0))
    dots = [totals.get(idea, 0) for idea in ordered]
    ranks = _competition_ranks(dots)
    lines = tuple(
        IdeaDots(idea, total, len(voters.get(idea, ())), rank)
        for idea, total, rank in zip(ordered, dots, ranks, strict=True)
    )
    return DotTally(ideas=lines, dots_cast=sum(dots), participants=len(participants))


# --------------------------------------------------------------------------------------------
# Agree / disagree / pass on statements


class Stance(IntEnum):
    """A vote on a statement, with Pol.is's numeric values (also used by opinion_groups)."""

    AGREE = 1
    DISAGREE = -1
    PASS = 0

    @property
    def label_key(self) -> str:
        return f"tally.stance.{self.name.lower()}"


def _stance(value: int) -> Stance:
    try:
        return Stance(value)
    except ValueError:
        raise InvalidInput("error.vote.invalid_stance", value=value) from None


@dataclass(frozen=True)
class StatementVote:
    participant_id: Id
    statement_id: Id
    stance: Stance | int


@dataclass(frozen=True)
class StatementTally:
    """Counts for one statement; shares are of the participants who saw it (passes included)."""

    statement_id: Id
    agree: int
    disagree: int
    passed: int

    @property
    def seen(self) -> int:
        return self.agree + self.disagree + self.passed

    @property
    def agree_share(self) -> float:
        return self.agree / self.seen if self.seen else 0.0

    @property
    def disagree_share(self) -> float:
        return self.disagree / self.seen if self.seen else 0.0

    @property
    def pass_share(self) -> float:
        return self.passed / self.seen if self.seen else 0.0


def tally_statements(
    votes: Iterable[StatementVote], statement_ids: Sequence[Id] = ()
) -> tuple[StatementTally, ...]:
    """Agree / disagree / pass counts per statement, in ``statement_ids`` order (else by id).

    A participant who votes twice on a statement changed their mind: the later vote counts.
    """
    latest: dict[tuple[Id, Id], Stance] = {}
    for vote in votes:
        latest[(vote.participant_id, vote.statement_id)] = _stance(vote.stance)
    counts: dict[Id, list[int]] = {}
    for (_, statement_id), stance in latest.items():
        line = counts.setdefault(statement_id, [0, 0, 0])
        line[(Stance.AGREE, Stance.DISAGREE, Stance.PASS).index(stance)] += 1
    return tuple(
        StatementTally(statement_id, *counts.get(statement_id, (0, 0, 0)))
        for statement_id in _ordered_ids(statement_ids, counts)
    )


# --------------------------------------------------------------------------------------------
# Pairwise comparison (All Our Ideas)


@dataclass(frozen=True)
class PairwiseVote:
    """One judgement between two ideas shown side by side; no winner means "I can't decide"."""

    left_id: Id
    right_id: Id
    winner_id: Id | None = None


@dataclass(frozen=True)
class PairwiseScore:
    """An idea's pairwise record and its score, 0..100 (50 = no evidence either way)."""

    idea_id: Id
    wins: int
    losses: int
    cant_decide: int
    score: float


def validate_pairwise_vote(vote: PairwiseVote) -> None:
    """A pair shows two different ideas, and the winner, if any, is one of them."""
    if vote.left_id == vote.right_id or vote.winner_id not in (None, vote.left_id, vote.right_id):
        raise InvalidInput("error.vote.pair_invalid")


def _pair_records(
    votes: Iterable[PairwiseVote], ideas: Sequence[Id]
) -> tuple[np.ndarray, np.ndarray]:
    """Win matrix ``wins[i, j]`` (i beat j) and can't-decide counts per idea.

    Votes that involve an idea outside ``ideas`` (e.g. one withdrawn by a moderator) are left
    out, so that scores always describe the ideas still in the running.
    """
    index = {idea: position for position, idea in enumerate(ideas)}
    wins = np.zeros((len(ideas), len(ideas)), dtype=np.int64)
    cant_decide = np.zeros(len(ideas), dtype=np.int64)
    for vote in votes:
        validate_pairwise_vote(vote)
        left, right = index.get(vote.left_id), index.get(vote.right_id)
        if left is None or right is None:
            continue
        if vote.winner_id is None:
            cant_decide[[left, right]] += 1
        elif vote.winner_id == vote.left_id:
            wins[left, right] += 1
        else:
            wins[right, left] += 1
    return wins, cant_decide


def _pairwise_result(
    ideas: Sequence[Id], wins: np.ndarray, cant_decide: np.ndarray, scores: np.ndarray
) -> tuple[PairwiseScore, ...]:
    won, lost = wins.sum(axis=1), wins.sum(axis=0)
    lines = [
        PairwiseScore(idea, int(won[i]), int(lost[i]), int(cant_decide[i]), float(scores[i]))
        for i, idea in enumerate(ideas)
    ]
    # Stable sort: equal scores keep the order of ``ideas``.
    return tuple(sorted(lines, key=lambda line: -line.score))


def tally_pairwise(
    votes: Iterable[PairwiseVote], idea_ids: Sequence[Id]
) -> tuple[PairwiseScore, ...]:
    """All Our Ideas' stored score per idea, best first: (wins+1)/(wins+losses+2)·100.

    The +1/+2 is a uniform prior, so a new idea starts at 50 and one lucky win doesn't put an
    idea at 100. "I can't decide" is counted for display but doesn't move the score.
    """
    ideas = list(dict.fromkeys(idea_ids))
    wins, cant_decide = _pair_records(votes, ideas)
    scores = (wins.sum(axis=1) + 1) / (wins.sum(axis=1) + wins.sum(axis=0) + 2) * 100
    return _pairwise_result(ideas, wins, cant_decide, scores)


def bradley_terry_strengths(
    wins: np.ndarray,
    *,
    prior: float = 1.0,
    tolerance: float = 1e-10,
    max_iterations: int = 10_000,
) -> np.ndarray:
    """Bradley–Terry strengths from a win matrix by Hunter's (2004) MM algorithm.

    Plain maximum likelihood sends an undefeated idea's strength to infinity. We add ``prior``
    virtual wins and ``prior`` virtual losses for every idea against a fixed reference idea of
    strength 1 (a pseudo-count prior, like AOI's +1/+2), so every strength stays finite and
    positive and the scale is fixed without normalising. The MM update for idea i is
    ``(W_i + prior) / (sum_j n_ij / (p_i + p_j) + 2·prior / (p_i + 1))``.
    """
    if prior <= 0:
        raise ValueError("prior must be positive, or undefeated ideas get infinite strength")
    games = wins + wins.T
    won = wins.sum(axis=1).astype(float)
    strengths = np.ones(len(wins))
    for _ in range(max_iterations):
        pair_sums = strengths[:, None] + strengths[None, :]
        denominator = (games / pair_sums).sum(axis=1) + 2 * prior / (strengths + 1)
        updated = (won + prior) / denominator
        change = np.max(np.abs(np.log(updated) - np.log(strengths))) if len(wins) else 0.0
        strengths = updated
        if change < tolerance:
            break
    return strengths


def tally_bradley_terry(
    votes: Iterable[PairwiseVote], idea_ids: Sequence[Id], *, prior: float = 1.0
) -> tuple[PairwiseScore, ...]:
    """Bradley–Terry score per idea, best first, reported as All Our Ideas does.

    The score is the estimated chance, 0..100, that the idea beats a randomly chosen other
    idea: the mean of p_i / (p_i + p_j) over all other ideas j. Unlike the stored AOI score it
    credits a win against a strong idea more than a win against a weak one.
    """
    ideas = list(dict.fromkeys(idea_ids))
    wins, cant_decide = _pair_records(votes, ideas)
    strengths = bradley_terry_strengths(wins, prior=prior)
    if len(ideas) < 2:
        scores = np.full(len(ideas), 50.0)
    else:
        beat = strengths[:, None] / (strengths[:, None] + strengths[None, :])
        np.fill_diagonal(beat, 0.0)
        scores = beat.sum(axis=1) / (len(ideas) - 1) * 100
    return _pairwise_result(ideas, wins, cant_decide, scores)


def choose_next_pair(
    idea_ids: Iterable[Id],
    votes: Iterable[PairwiseVote],
    rng: random.Random,
    *,
    seen_by_participant: Iterable[PairwiseVote] = (),
) -> tuple[Id, Id] | None:
    """The next pair (left, right) to show a participant, or None with fewer than two ideas.

    Preference: pairs this participant hasn't judged yet, then pairs with the fewest judgements
    overall (so new ideas catch up quickly); among equals ``rng`` picks uniformly, and also
    which idea goes on the left, against position bias. Ideas are first sorted by id, so the
    choice depends only on the ideas, the votes and the state of ``rng``.
    """
    ideas = sorted(set(idea_ids), key=id_order)
    if len(ideas) < 2:
        return None
    index = {idea: position for position, idea in enumerate(ideas)}

    def pair_counts(judgements: Iterable[PairwiseVote]) -> np.ndarray:
        counts = np.zeros((len(ideas), len(ideas)), dtype=np.int64)
        for vote in judgements:
            left, right = index.get(vote.left_id), index.get(vote.right_id)
            if left is not None and right is not None and left != right:
                counts[left, right] += 1
                counts[right, left] += 1
        return counts

    overall = pair_counts(votes)
    mine = pair_counts(seen_by_participant) > 0
    upper = np.triu_indices(len(ideas), k=1)
    # One number per pair: unseen-by-me pairs beat seen ones, whatever the overall counts.
    cost = mine[upper] * (int(overall.max()) + 1) + overall[upper]
    candidates = np.flatnonzero(cost == cost.min())
    chosen = int(candidates[rng.randrange(len(candidates))])
    first, second = ideas[upper[0][chosen]], ideas[upper[1][chosen]]
    return (second, first) if rng.random() < 0.5 else (first, second)


# --------------------------------------------------------------------------------------------
# Two-axis scoring (impact × feasibility)


class Quadrant(StrEnum):
    """Where an idea lands on the impact × feasibility chart."""

    QUICK_WIN = "quick_win"  # high impact, high feasibility
    MAJOR_PROJECT = "major_project"  # high impact, low feasibility
    FILL_IN = "fill_in"  # low impact, high feasibility
    THANKLESS = "thankless"  # low impact, low feasibility

    @property
    def label_key(self) -> str:
        return f"tally.quadrant.{self.value}"


@dataclass(frozen=True)
class AxisScore:
    """One participant's scores for one idea on both axes."""

    participant_id: Id
    idea_id: Id
    impact: float
    feasibility: float


@dataclass(frozen=True)
class IdeaPosition:
    """Mean scores of one idea; means and quadrant are None when nobody scored it."""

    idea_id: Id
    n: int
    impact: float | None
    feasibility: float | None
    quadrant: Quadrant | None


def quadrant_for(impact: float, feasibility: float, *, midpoint: float) -> Quadrant:
    """The quadrant of a point; a mean exactly on the midpoint counts as high."""
    if impact >= midpoint:
        return Quadrant.QUICK_WIN if feasibility >= midpoint else Quadrant.MAJOR_PROJECT
    return Quadrant.FILL_IN if feasibility >= midpoint else Quadrant.THANKLESS


def tally_two_axis(
    scores: Iterable[AxisScore],
    idea_ids: Sequence[Id] = (),
    *,
    low: float = 1,
    high: float = 5,
) -> tuple[IdeaPosition, ...]:
    """Mean impact and feasibility per idea on a ``low``..``high`` scale, with its quadrant.

    The quadrants split at the middle of the scale (3 on 1..5), not at the mean of the ideas,
    so that "quick win" means the same thing in every meeting. A participant who scores an
    idea twice changed their mind: the later score counts. Ideas are reported in
    ``idea_ids`` order (unscored ones with n = 0), else by id.
    """
    if not low < high:
        raise InvalidInput("error.vote.scale_invalid", low=low, high=high)
    latest: dict[tuple[Id, Id], AxisScore] = {}
    for score in scores:
        for value in (score.impact, score.feasibility):
            if not low <= value <= high:
                raise InvalidInput("error.vote.score_out_of_range", value=value, low=low, high=high)
        latest[(score.participant_id, score.idea_id)] = score
    per_idea: dict[Id, list[AxisScore]] = {}
    for score in latest.values():
        per_idea.setdefault(score.idea_id, []).append(score)
    midpoint = (low + high) / 2
    positions = []
    for idea in _ordered_ids(idea_ids, per_idea):
        given = per_idea.get(idea, [])
        if not given:
            positions.append(IdeaPosition(idea, 0, None, None, None))
            continue
        impact = sum(score.impact for score in given) / len(given)
        feasibility = sum(score.feasibility for score in given) / len(given)
        quadrant = quadrant_for(impact, feasibility, midpoint=midpoint)
        positions.append(IdeaPosition(idea, len(given), impact, feasibility, quadrant))
    return tuple(positions)


# --------------------------------------------------------------------------------------------
# Ranked choice


class RankedMethod(StrEnum):
    SCHULZE = "schulze"
    INSTANT_RUNOFF = "instant_runoff"

    @property
    def label_key(self) -> str:
        return f"tally.ranked_method.{self.value}"


@dataclass(frozen=True)
class RunoffRound:
    """One round of instant-runoff counting."""

    number: int  # 1-based
    counts: tuple[tuple[Id, int], ...]  # continuing candidates in candidate order
    exhausted: int  # ballots that rank none of the continuing candidates
    majority: Id | None  # a candidate with more than half of the continuing votes, if any
    eliminated: Id | None  # None in the last round
    tie_broken: bool  # the elimination needed the tie-breaking rule


@dataclass(frozen=True)
class RankedResult:
    """Full ranking of a ranked-choice vote plus the detail needed to explain it.

    ``ranking`` is strict (ties broken by the documented rule); ``tiers`` groups candidates
    that the method itself could not separate, best first, so the UI can show shared places.
    ``pairwise[i][j]`` is the number of ballots that rank ``candidates[i]`` above
    ``candidates[j]`` (an unranked candidate counts as below every ranked one);
    ``strongest_paths`` is Schulze's path-strength matrix, ``rounds`` the instant-runoff
    rounds; each is empty for the other method.
    """

    method: RankedMethod
    candidates: tuple[Id, ...]
    ballots: int
    ranking: tuple[Id, ...]
    tiers: tuple[tuple[Id, ...], ...]
    pairwise: tuple[tuple[int, ...], ...]
    strongest_paths: tuple[tuple[int, ...], ...] = ()
    rounds: tuple[RunoffRound, ...] = ()

    @property
    def winner(self) -> Id | None:
        return self.ranking[0] if self.ranking and self.ballots else None


def validate_ranking(
    ranking: Sequence[Id], candidates: Collection[Id], *, complete: bool = False
) -> None:
    """One ballot: candidates best first, each at most once, all on the ballot paper.

    A ballot may rank only some candidates (the rest count as tied below them) unless
    ``complete`` is set.
    """
    if not ranking:
        raise InvalidInput("error.vote.ranking_empty")
    duplicates = sorted((c for c, n in Counter(ranking).items() if n > 1), key=id_order)
    if duplicates:
        raise InvalidInput("error.vote.ranking_duplicates", count=len(duplicates), ids=duplicates)
    unknown = sorted({c for c in ranking if c not in candidates}, key=id_order)
    if unknown:
        raise InvalidInput("error.vote.ranking_unknown", count=len(unknown), ids=unknown)
    if complete and len(ranking) < len(candidates):
        raise InvalidInput(
            "error.vote.ranking_incomplete", ranked=len(ranking), candidates=len(candidates)
        )


def tally_ranked(
    ballots: Iterable[Sequence[Id]],
    candidates: Sequence[Id],
    method: RankedMethod | str = RankedMethod.SCHULZE,
) -> RankedResult:
    """Rank ``candidates`` from ballots (each a ranking, best first) by ``method``.

    Schulze is the default because it is Condorcet-consistent: a candidate that beats every
    other one head to head always wins, and it uses the whole ballot. Instant-runoff is
    offered because many people know it. Ties that the method leaves open are broken by the
    order of ``candidates``, earlier first, so pass them in a neutral, published order (e.g.
    submission order); instant-runoff first looks back at earlier rounds (see
    ``_instant_runoff``). Every ballot is checked with :func:`validate_ranking`.
    """
    chosen = RankedMethod(method)
    ordered = tuple(dict.fromkeys(candidates))
    on_ballot = set(ordered)
    checked = []
    for ballot in ballots:
        validate_ranking(ballot, on_ballot)
        checked.append(tuple(ballot))
    if chosen is RankedMethod.SCHULZE:
        return _schulze(checked, ordered)
    return _instant_runoff(checked, ordered)


def _pairwise_preferences(ballots: Sequence[Sequence[Id]], candidates: Sequence[Id]) -> np.ndarray:
    """``d[i, j]`` = ballots that rank candidate i above candidate j."""
    index = {candidate: position for position, candidate in enumerate(candidates)}
    m = len(candidates)
    preferences = np.zeros((m, m), dtype=np.int64)
    unranked = m  # every ranked place is better than this
    for ballot in ballots:
        place = np.full(m, unranked)
        for position, candidate in enumerate(ballot):
            place[index[candidate]] = position
        preferences += place[:, None] < place[None, :]
    return preferences


def _as_rows(matrix: np.ndarray) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(value) for value in row) for row in matrix)


def _schulze(ballots: Sequence[Sequence[Id]], candidates: Sequence[Id]) -> RankedResult:
    """Schulze method (winning votes) on already validated ballots.

    The strength of the direct link a → b is d[a, b] when more ballots prefer a to b, else 0;
    the strongest path from a to b is the widest path (Floyd–Warshall). a is ranked above b
    when its strongest path to b is stronger than b's path back. That relation is a strict
    partial order; the tiers are its successive sets of unbeaten candidates, and within a
    tier candidates keep the order of ``candidates``.
    """
    preferences = _pairwise_preferences(ballots, candidates)
    paths = np.where(preferences > preferences.T, preferences, 0)
    for k in range(len(candidates)):
        paths = np.maximum(paths, np.minimum(paths[:, k][:, None], paths[k, :][None, :]))
        np.fill_diagonal(paths, 0)
    beats = paths > paths.T
    remaining = list(range(len(candidates)))
    tiers: list[tuple[Id, ...]] = []
    while remaining:
        beaten_mask = np.asarray(beats[np.ix_(remaining, remaining)].any(axis=0), dtype=bool)
        beaten = [bool(lost) for lost in beaten_mask]
        tiers.append(
            tuple(candidates[i] for i, lost in zip(remaining, beaten, strict=True) if not lost)
        )
        remaining = [i for i, lost in zip(remaining, beaten, strict=True) if lost]
    return RankedResult(
        method=RankedMethod.SCHULZE,
        candidates=tuple(candidates),
        ballots=len(ballots),
        ranking=tuple(candidate for tier in tiers for candidate in tier),
        tiers=tuple(tiers),
        pairwise=_as_rows(preferences),
        strongest_paths=_as_rows(paths),
    )


def _instant_runoff(ballots: Sequence[Sequence[Id]], candidates: Sequence[Id]) -> RankedResult:
    """Instant-runoff on already validated ballots, counted to the end for a full ranking.

    Each round every ballot counts for its highest-ranked continuing candidate and the one
    with fewest votes is eliminated. We go on past the round in which someone holds a
    majority (they can never be last, so the winner is unchanged) until one candidate is
    left; the ranking is the last one standing, then the others in reverse order of
    elimination. A tie for fewest votes is broken backwards: the candidate with fewer votes
    in the latest earlier round where the tied candidates differ is eliminated; if they
    never differed, the one latest in ``candidates`` goes.
    """
    grouped: dict[tuple[Id, ...], int] = {}
    for ballot in ballots:
        grouped[tuple(ballot)] = grouped.get(tuple(ballot), 0) + 1
    continuing = list(candidates)
    history: list[dict[Id, int]] = []
    rounds: list[RunoffRound] = []
    eliminated: list[Id] = []
    while continuing:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ballot, weight in grouped.items():
            top = next((candidate for candidate in ballot if candidate in counts), None)
            if top is None:
                exhausted += weight
            else:
                counts[top] += weight
        active = sum(counts.values())
        majority = next((c for c in continuing if 2 * counts[c] > active), None)
        history.append(counts)
        loser: Id | None = None
        tie_broken = False
        if len(continuing) > 1:
            fewest = min(counts.values())
            tied = [c for c in continuing if counts[c] == fewest]
            tie_broken = len(tied) > 1
            for earlier in reversed(history[:-1]):
                if len(tied) == 1:
                    break
                low = min(earlier[c] for c in tied)
                tied = [c for c in tied if earlier[c] == low]
            loser = tied[-1]
        rounds.append(
            RunoffRound(
                number=len(rounds) + 1,
                counts=tuple(counts.items()),
                exhausted=exhausted,
                majority=majority,
                eliminated=loser,
                tie_broken=tie_broken,
            )
        )
        if loser is None:
            break
        continuing.remove(loser)
        eliminated.append(loser)
    ranking = tuple(continuing) + tuple(reversed(eliminated))
    return RankedResult(
        method=RankedMethod.INSTANT_RUNOFF,
        candidates=tuple(candidates),
        ballots=len(ballots),
        ranking=ranking,
        tiers=tuple((candidate,) for candidate in ranking),
        pairwise=_as_rows(_pairwise_preferences(ballots, candidates)),
        rounds=tuple(rounds),
    )


# --------------------------------------------------------------------------------------------
# Consent


class ConsentResponse(StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    CONCERNS = "concerns"  # consents, but wants the concern on record
    BLOCK = "block"  # a principled objection: the proposal does not pass

    @property
    def label_key(self) -> str:
        return f"tally.consent.{self.value}"


@dataclass(frozen=True)
class ConsentVote:
    participant_id: Id
    response: ConsentResponse | str
    reason: str = ""


@dataclass(frozen=True)
class ConsentResult:
    """Outcome of a consent check; ``concerns`` and ``blocks`` keep the reasons for the record."""

    passed: bool
    agree: int
    abstain: int
    concerns: tuple[ConsentVote, ...]
    blocks: tuple[ConsentVote, ...]

    @property
    def responses(self) -> int:
        return self.agree + self.abstain + len(self.concerns) + len(self.blocks)

    @property
    def outcome_key(self) -> str:
        return "tally.consent.passed" if self.passed else "tally.consent.blocked"


def validate_consent_vote(vote: ConsentVote) -> ConsentVote:
    """Check one response and return it normalised (enum response, stripped reason).

    A block stops the group, so it must say why: the reason is what the group works on next.
    """
    try:
        response = ConsentResponse(vote.response)
    except ValueError:
        raise InvalidInput("error.vote.invalid_response", value=vote.response) from None
    reason = vote.reason.strip()
    if response is ConsentResponse.BLOCK and not reason:
        raise InvalidInput("error.vote.block_needs_reason")
    return ConsentVote(vote.participant_id, response, reason)


def check_consent(votes: Iterable[ConsentVote]) -> ConsentResult:
    """Consent on a proposal: it passes if and only if nobody blocks.

    A participant who responds twice changed their mind: the later response counts. Concerns
    and blocks are returned in the order they were given.
    """
    latest: dict[Id, ConsentVote] = {}
    for vote in votes:
        checked = validate_consent_vote(vote)
        latest.pop(checked.participant_id, None)  # re-insert so order follows the latest vote
        latest[checked.participant_id] = checked
    by_response: dict[ConsentResponse, list[ConsentVote]] = {r: [] for r in ConsentResponse}
    for vote in latest.values():
        by_response[ConsentResponse(vote.response)].append(vote)
    blocks = tuple(by_response[ConsentResponse.BLOCK])
    return ConsentResult(
        passed=not blocks,
        agree=len(by_response[ConsentResponse.AGREE]),
        abstain=len(by_response[ConsentResponse.ABSTAIN]),
        concerns=tuple(by_response[ConsentResponse.CONCERNS]),
        blocks=blocks,
    )
