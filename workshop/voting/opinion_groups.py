"""Pol.is-style opinion groups from agree / disagree / pass votes on statements.

The method follows Pol.is (``compdemocracy/polis``, ``math/src/polismath/math``), as summarised
in ``shared/docs/peers.md`` §3:

1. **Who is grouped.** A participant is grouped once they have voted on min(7, number of
   statements) statements; if fewer than 15 qualify, the most active voters are added up to 15.
2. **Projection.** Missing votes (statements a participant has not seen) are filled with the
   statement's mean vote, then PCA projects every grouped participant to 2 dimensions. As in
   Pol.is, a participant's point is scaled by sqrt(statements / their votes): mean-filling pulls
   people who voted little towards the middle, and the scaling undoes most of that.
3. **Groups.** k-means first sorts the points into up to 100 base clusters, then the base
   clusters (weighted by size) are grouped for k = 2 .. min(5, 2 + n/12); the k with the best
   silhouette wins. Pol.is also waits until a k has won 4 updates in a row before switching;
   that needs memory across updates and is left to the caller.
4. **Representative statements** of a group: statements on which the group agrees (or
   disagrees) significantly more than everyone else (two-proportion z-test, 90 %, one-sided)
   *and* on which a majority of the group holds that view (one-proportion test, 90 %). They
   are ranked by Pol.is's metric (ratio × its z × probability × its z); the top 5 are shown,
   agree before disagree.
5. **Consensus statements**: over all grouped participants, smoothed p = (A+1)/(S+2) > 0.5 with
   a significant one-proportion z; the top 5 agree and top 5 disagree.
6. **Group-aware consensus** of a statement: the product over groups of (A+1)/(S+2), which is
   high only when every group agrees (and likewise for disagree).

Votes are +1 agree, -1 disagree, 0 pass; a statement a participant never voted on is "not
seen", which is different from a pass. Every random step uses a fixed ``random_state``, so the
same votes always give the same groups. When there is too little data the result says so in
``status`` instead of raising, because "not yet" is a normal state of a live meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.utils.extmath import randomized_svd

from workshop.errors import InvalidInput
from workshop.voting.tallies import Id, Stance, id_order

MIN_VOTES_TO_GROUP = 7  # votes a participant needs before being grouped (capped by statements)
MIN_GROUPED = 15  # if fewer qualify, the most active voters are added up to this many
MIN_PARTICIPANTS = 5  # below this many grouped participants we don't look for groups
MIN_STATEMENTS = 2  # statements with at least one vote needed for a 2-D map
BASE_CLUSTERS = 100
MAX_GROUPS = 5
SILHOUETTE_SAMPLE = 2000  # participants used for the silhouette; more adds time, not insight
Z_90 = 1.2816  # one-sided 90 % critical value of the standard normal distribution
TOP_REPRESENTATIVE = 5
TOP_CONSENSUS = 5


class GroupingStatus(StrEnum):
    OK = "ok"
    NOT_ENOUGH_STATEMENTS = "not_enough_statements"
    NOT_ENOUGH_PARTICIPANTS = "not_enough_participants"
    NO_VARIATION = "no_variation"  # everyone voted alike so far: one camp, no groups

    @property
    def message_key(self) -> str:
        return f"opinion_groups.status.{self.value}"


@dataclass(frozen=True, eq=False)
class VoteMatrix:
    """Votes in compact form: three parallel arrays plus the ids behind the indices.

    ``participant_idx[v]`` and ``statement_idx[v]`` index ``participant_ids`` and
    ``statement_ids``; ``values[v]`` is +1, -1 or 0. A repeated (participant, statement) pair
    is a changed vote: the later one is kept. Construction validates and deduplicates.
    """

    participant_idx: np.ndarray
    statement_idx: np.ndarray
    values: np.ndarray
    participant_ids: tuple[Id, ...]
    statement_ids: tuple[Id, ...]

    def __post_init__(self) -> None:
        participants = np.asarray(self.participant_idx, dtype=np.int64).ravel()
        statements = np.asarray(self.statement_idx, dtype=np.int64).ravel()
        values = np.asarray(self.values, dtype=np.int64).ravel()
        if not len(participants) == len(statements) == len(values):
            raise ValueError("participant_idx, statement_idx and values differ in length")
        n_p, n_s = len(self.participant_ids), len(self.statement_ids)
        if len(values) and (participants.min() < 0 or participants.max() >= n_p):
            raise ValueError("participant index out of range")
        if len(values) and (statements.min() < 0 or statements.max() >= n_s):
            raise ValueError("statement index out of range")
        bad = values[(values < -1) | (values > 1)]
        if len(bad):
            raise InvalidInput("error.vote.invalid_stance", value=int(bad[0]))
        cell = participants * n_s + statements
        # Keep the last vote per cell: unique on the reversed array finds last occurrences.
        _, last_from_end = np.unique(cell[::-1], return_index=True)
        keep = np.sort(len(cell) - 1 - last_from_end)
        for name, array in (
            ("participant_idx", participants[keep]),
            ("statement_idx", statements[keep]),
            ("values", values[keep].astype(np.int8)),
        ):
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.participant_ids), len(self.statement_ids)

    @property
    def n_votes(self) -> int:
        return len(self.values)


def build_vote_matrix(
    votes: Iterable[tuple[Id, Id, int]], *, statement_ids: Sequence[Id] = ()
) -> VoteMatrix:
    """A :class:`VoteMatrix` from (participant_id, statement_id, value) triples with any ids.

    Ids are sorted (ints, then strings), so the result doesn't depend on the order of the
    votes except that a later vote on the same statement replaces an earlier one.
    ``statement_ids`` adds statements nobody has voted on yet.
    """
    triples = list(votes)
    participant_ids = tuple(sorted({p for p, _, _ in triples}, key=id_order))
    statements = tuple(sorted({s for _, s, _ in triples} | set(statement_ids), key=id_order))
    p_index = {p: i for i, p in enumerate(participant_ids)}
    s_index = {s: i for i, s in enumerate(statements)}
    return VoteMatrix(
        participant_idx=np.fromiter((p_index[p] for p, _, _ in triples), np.int64, len(triples)),
        statement_idx=np.fromiter((s_index[s] for _, s, _ in triples), np.int64, len(triples)),
        values=np.fromiter((int(v) for _, _, v in triples), np.int64, len(triples)),
        participant_ids=participant_ids,
        statement_ids=statements,
    )


@dataclass(frozen=True)
class RepresentativeStatement:
    """A statement that sets a group apart, with the numbers behind it."""

    statement_id: Id
    stance: Stance  # AGREE or DISAGREE: how the group leans, more than the rest
    share_in_group: float  # of the group members who saw it, the share voting ``stance``
    share_in_rest: float  # the same share among everyone else grouped
    seen_in_group: int
    z_score: float  # two-proportion z of group vs rest


@dataclass(frozen=True)
class ConsensusStatement:
    statement_id: Id
    stance: Stance
    share: float  # share of those who saw it voting ``stance``
    seen: int
    z_score: float


@dataclass(frozen=True)
class OpinionGroup:
    label: int  # 0, 1, … largest group first; the UI shows A, B, …
    participant_ids: tuple[Id, ...]
    centroid: tuple[float, float]
    representative: tuple[RepresentativeStatement, ...]

    @property
    def size(self) -> int:
        return len(self.participant_ids)


@dataclass(frozen=True, eq=False)
class OpinionGroups:
    """Result of :func:`compute_opinion_groups`.

    ``participant_ids``, ``coordinates`` (n × 2) and ``labels`` (group label, -1 when there are
    no groups) are aligned and cover the grouped participants only. ``group_aware_consensus``
    and ``group_aware_consensus_disagree`` are aligned with ``statement_ids``; they are empty
    unless ``status`` is OK.
    """

    status: GroupingStatus
    statement_ids: tuple[Id, ...]
    participant_ids: tuple[Id, ...] = ()
    coordinates: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    labels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    groups: tuple[OpinionGroup, ...] = ()
    consensus_agree: tuple[ConsensusStatement, ...] = ()
    consensus_disagree: tuple[ConsensusStatement, ...] = ()
    group_aware_consensus: np.ndarray = field(default_factory=lambda: np.zeros(0))
    group_aware_consensus_disagree: np.ndarray = field(default_factory=lambda: np.zeros(0))
    silhouette_by_k: tuple[tuple[int, float], ...] = ()
    participants_voting: int = 0
    statements_voted: int = 0

    @property
    def has_groups(self) -> bool:
        return self.status is GroupingStatus.OK

    @property
    def status_params(self) -> dict[str, int]:
        """Parameters for ``status.message_key``."""
        return {
            "participants": len(self.participant_ids) or self.participants_voting,
            "statements": self.statements_voted,
            "min_participants": MIN_PARTICIPANTS,
            "min_statements": MIN_STATEMENTS,
        }


def compute_opinion_groups(
    matrix: VoteMatrix, *, random_state: int = 0, min_participants: int = MIN_PARTICIPANTS
) -> OpinionGroups:
    """Opinion groups, representative and consensus statements for one conversation."""
    n_participants, n_statements = matrix.shape
    votes_by_participant = np.bincount(matrix.participant_idx, minlength=n_participants)
    votes_by_statement = np.bincount(matrix.statement_idx, minlength=n_statements)
    statements_voted = int(np.count_nonzero(votes_by_statement))
    participants_voting = int(np.count_nonzero(votes_by_participant))
    if statements_voted < MIN_STATEMENTS:
        return OpinionGroups(
            GroupingStatus.NOT_ENOUGH_STATEMENTS,
            matrix.statement_ids,
            participants_voting=participants_voting,
            statements_voted=statements_voted,
        )
    grouped = select_participants(votes_by_participant, n_statements)
    if len(grouped) < min_participants:
        return OpinionGroups(
            GroupingStatus.NOT_ENOUGH_PARTICIPANTS,
            matrix.statement_ids,
            participants_voting=participants_voting,
            statements_voted=statements_voted,
        )

    row_of = np.full(n_participants, -1, dtype=np.int64)
    row_of[grouped] = np.arange(len(grouped))
    in_grouping = row_of[matrix.participant_idx] >= 0
    rows = row_of[matrix.participant_idx[in_grouping]]
    columns = matrix.statement_idx[in_grouping]
    values = matrix.values[in_grouping].astype(np.float64)

    coordinates = project_participants(rows, columns, values, (len(grouped), n_statements))
    coordinates.setflags(write=False)
    participant_ids = tuple(matrix.participant_ids[i] for i in grouped)

    everyone = np.zeros(len(grouped), dtype=np.int64)
    overall = _stance_counts(rows, columns, values, everyone, 1, n_statements)
    consensus_agree, consensus_disagree = _consensus(overall, matrix.statement_ids)

    labels, silhouettes = cluster_points(coordinates, random_state=random_state)
    if labels is None:
        return OpinionGroups(
            GroupingStatus.NO_VARIATION,
            matrix.statement_ids,
            participant_ids=participant_ids,
            coordinates=coordinates,
            labels=_read_only(np.full(len(grouped), -1, dtype=np.int64)),
            consensus_agree=consensus_agree,
            consensus_disagree=consensus_disagree,
            participants_voting=participants_voting,
            statements_voted=statements_voted,
        )

    k = int(labels.max()) + 1
    counts = _stance_counts(rows, columns, values, labels, k, n_statements)
    representative = _representative(counts, matrix.statement_ids)
    agree, disagree, seen = counts
    groups = tuple(
        OpinionGroup(
            label=g,
            participant_ids=tuple(participant_ids[i] for i in np.flatnonzero(labels == g)),
            centroid=(
                float(coordinates[labels == g, 0].mean()),
                float(coordinates[labels == g, 1].mean()),
            ),
            representative=representative[g],
        )
        for g in range(k)
    )
    return OpinionGroups(
        GroupingStatus.OK,
        matrix.statement_ids,
        participant_ids=participant_ids,
        coordinates=coordinates,
        labels=_read_only(labels),
        groups=groups,
        consensus_agree=consensus_agree,
        consensus_disagree=consensus_disagree,
        group_aware_consensus=_read_only(np.prod((agree + 1) / (seen + 2), axis=0)),
        group_aware_consensus_disagree=_read_only(np.prod((disagree + 1) / (seen + 2), axis=0)),
        silhouette_by_k=silhouettes,
        participants_voting=participants_voting,
        statements_voted=statements_voted,
    )


def select_participants(votes_by_participant: np.ndarray, n_statements: int) -> np.ndarray:
    """Indices (ascending) of the participants who enter grouping, by Pol.is's rule."""
    threshold = min(MIN_VOTES_TO_GROUP, n_statements)
    qualified = votes_by_participant >= threshold
    if qualified.sum() < MIN_GROUPED:
        # Most active first; among equals the lower index, so the choice is deterministic.
        by_activity = np.lexsort((np.arange(len(votes_by_participant)), -votes_by_participant))
        active = by_activity[votes_by_participant[by_activity] > 0][:MIN_GROUPED]
        qualified[active] = True
    return np.flatnonzero(qualified)


def project_participants(
    rows: np.ndarray, columns: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """2-D PCA coordinates of each row of a mean-filled vote matrix, sparsity-scaled.

    Filling a missing vote with the column mean and then centring the columns gives 0 for
    exactly the missing cells, so the centred matrix is built directly. Randomized SVD with a
    fixed seed is fast and deterministic; sklearn flips signs to a canonical direction.
    """
    n_rows, n_columns = shape
    totals = np.bincount(columns, weights=values, minlength=n_columns)
    seen = np.bincount(columns, minlength=n_columns)
    means = np.divide(totals, seen, out=np.zeros(n_columns), where=seen > 0)
    centred = np.zeros(shape)
    centred[rows, columns] = values - means[columns]
    components = min(2, *shape)
    u, s, _ = randomized_svd(centred, components, n_iter=5, random_state=0)
    coordinates = np.zeros((n_rows, 2))
    coordinates[:, :components] = u * s
    votes_by_row = np.bincount(rows, minlength=n_rows)
    coordinates *= np.sqrt(n_columns / np.maximum(votes_by_row, 1))[:, None]
    return coordinates


def cluster_points(
    points: np.ndarray, *, random_state: int = 0
) -> tuple[np.ndarray | None, tuple[tuple[int, float], ...]]:
    """Group labels for 2-D points (largest group = 0) and the silhouette tried per k.

    Returns (None, ()) when the points don't spread enough to form two groups.
    """
    n = len(points)
    distinct = len(np.unique(points.round(9), axis=0))
    if distinct < 2:
        return None, ()
    if n > BASE_CLUSTERS and distinct > BASE_CLUSTERS:
        base = KMeans(BASE_CLUSTERS, n_init=1, random_state=random_state).fit(points)
        base_labels = base.labels_
        centres = base.cluster_centers_
        weights = np.bincount(base_labels, minlength=BASE_CLUSTERS).astype(float)
    else:
        base_labels = np.arange(n)
        centres = points
        weights = np.ones(n)
    max_k = min(MAX_GROUPS, 2 + n // 12, distinct)
    sample = min(n, SILHOUETTE_SAMPLE)
    best: tuple[float, np.ndarray] | None = None
    silhouettes: list[tuple[int, float]] = []
    for k in range(2, max_k + 1):
        grouping = KMeans(k, n_init=4, random_state=random_state)
        labels = grouping.fit(centres, sample_weight=weights).labels_[base_labels]
        if len(np.unique(labels)) < 2:
            continue
        score = float(
            silhouette_score(
                points,
                labels,
                sample_size=sample if sample < n else None,
                random_state=random_state,
            )
        )
        silhouettes.append((k, score))
        if best is None or score > best[0]:  # strict: on a tie the smaller k stays
            best = (score, labels)
    if best is None:
        return None, ()
    return _relabel_by_size(best[1], points), tuple(silhouettes)


def _relabel_by_size(labels: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Labels 0, 1, … from the largest group down; equal sizes by centroid x, then y."""
    present = np.unique(labels)
    order = sorted(
        present,
        key=lambda g: (
            -int(np.sum(labels == g)),
            float(points[labels == g, 0].mean()),
            float(points[labels == g, 1].mean()),
        ),
    )
    mapping = np.empty(int(present.max()) + 1, dtype=np.int64)
    mapping[order] = np.arange(len(order))
    return mapping[labels]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _stance_counts(
    rows: np.ndarray,
    columns: np.ndarray,
    values: np.ndarray,
    row_labels: np.ndarray,
    k: int,
    n_statements: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(agree, disagree, seen) counts as k × statements arrays; seen includes passes."""
    cell = row_labels[rows] * n_statements + columns
    size = k * n_statements

    def count(weights: np.ndarray | None) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=size).reshape(k, n_statements)

    return count((values > 0).astype(float)), count((values < 0).astype(float)), count(None)


def _proportion_z(successes: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pol.is's one-proportion test of (successes+1)/(n+1) against 0.5."""
    return 2 * np.sqrt(n + 1) * ((successes + 1) / (n + 1) - 0.5)


def _two_proportion_z(
    successes_in: np.ndarray, n_in: np.ndarray, successes_out: np.ndarray, n_out: np.ndarray
) -> np.ndarray:
    """Pol.is's two-proportion z-test, with one pseudo-count added to every term."""
    s1, n1, s2, n2 = successes_in + 1, n_in + 1, successes_out + 1, n_out + 1
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return np.divide(s1 / n1 - s2 / n2, spread, out=np.zeros_like(spread), where=spread > 0)


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    return np.divide(part, whole, out=np.zeros_like(part, dtype=float), where=whole > 0)


def _representative(
    counts: tuple[np.ndarray, np.ndarray, np.ndarray], statement_ids: Sequence[Id]
) -> list[tuple[RepresentativeStatement, ...]]:
    """Top representative statements per group (see the module docstring, step 4)."""
    agree, disagree, seen = counts
    seen_rest = seen.sum(axis=0) - seen
    candidates: list[list[tuple[float, RepresentativeStatement]]] = [[] for _ in seen]
    for stance, voted in ((Stance.AGREE, agree), (Stance.DISAGREE, disagree)):
        voted_rest = voted.sum(axis=0) - voted
        p_in = (voted + 1) / (seen + 2)
        p_rest = (voted_rest + 1) / (seen_rest + 2)
        z_rest = _two_proportion_z(voted, seen, voted_rest, seen_rest)
        z_in = _proportion_z(voted, seen)
        metric = (p_in / p_rest) * z_rest * p_in * z_in
        significant = (z_rest > Z_90) & (z_in > Z_90) & (seen > 0)
        share_in, share_rest = _share(voted, seen), _share(voted_rest, seen_rest)
        for g, s in zip(*np.nonzero(significant), strict=True):
            statement = RepresentativeStatement(
                statement_id=statement_ids[s],
                stance=stance,
                share_in_group=float(share_in[g, s]),
                share_in_rest=float(share_rest[g, s]),
                seen_in_group=int(seen[g, s]),
                z_score=float(z_rest[g, s]),
            )
            candidates[g].append((float(metric[g, s]), statement))
    chosen = []
    for group_candidates in candidates:
        # A statement can't pass for both stances: two majorities of one group are impossible.
        top = sorted(group_candidates, key=lambda item: -item[0])[:TOP_REPRESENTATIVE]
        agree_first = sorted(top, key=lambda item: item[1].stance is not Stance.AGREE)
        chosen.append(tuple(statement for _, statement in agree_first))
    return chosen


def _consensus(
    counts: tuple[np.ndarray, np.ndarray, np.ndarray], statement_ids: Sequence[Id]
) -> tuple[tuple[ConsensusStatement, ...], tuple[ConsensusStatement, ...]]:
    """Top agree and disagree consensus statements over all grouped participants."""
    agree, disagree, seen = (array[0] for array in counts)
    result = []
    for stance, voted in ((Stance.AGREE, agree), (Stance.DISAGREE, disagree)):
        p = (voted + 1) / (seen + 2)
        z = _proportion_z(voted, seen)
        significant = np.flatnonzero((p > 0.5) & (z > Z_90))
        # Highest p·z first; the statement order breaks ties (stable sort).
        ranked = significant[np.argsort(-(p * z)[significant], kind="stable")][:TOP_CONSENSUS]
        share = _share(voted, seen)
        result.append(
            tuple(
                ConsensusStatement(
                    statement_ids[s], stance, float(share[s]), int(seen[s]), float(z[s])
                )
                for s in ranked
            )
        )
    return result[0], result[1]
