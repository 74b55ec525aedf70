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
   silhouette wins the first computation. After that the groups have a memory
   (:class:`GroupMemory`, handed from one computation to the next; the app keeps it in the
   database), so that a room watching the projector sees stable groups:

   - k-means for the current number of groups starts from the previous groups (their centres
     recomputed in the new projection, which may have turned or mirrored);
   - the number of groups changes only once another k has had the best silhouette in
     ``K_SWITCH_UPDATES`` (4) updates in a row, as Pol.is waits;
   - new clusters take the letters of the previous groups they share most members with
     (an assignment on overlap, the Hungarian method); a new group gets a free letter;
   - a participant whose votes have not changed since the previous computation keeps their
     letter while the number of groups stays the same: only their own votes move them.
     (Without this, other people's votes shift the map and a voter on a border flips back and
     forth: 170 letter swaps for unmoved voters in the replay of ``tests/group_replay.py``.)
4. **Representative statements** of a group: statements on which the group agrees (or
   disagrees) significantly more than everyone else (two-proportion z-test, 90 %, one-sided)
   *and* on which a majority of the group holds that view (one-proportion test, 90 %). They
   are ranked by Pol.is's metric (ratio × its z × probability × its z); the top 5 are shown,
   agree before disagree.
5. **Consensus statements**: over every voter (as Pol.is counts them, not only the grouped
   ones), smoothed p = (A+1)/(S+2) > 0.5 with a significant one-proportion z; the top 5 agree
   and top 5 disagree.
6. **Group-aware consensus** of a statement: the product over groups of (A+1)/(S+2), which is
   high only when every group agrees (and likewise for disagree).

Votes are +1 agree, -1 disagree, 0 pass; a statement a participant never voted on is "not
seen", which is different from a pass. Every random step uses a fixed ``random_state``, so the
same votes always give the same groups. When there is too little data the result says so in
``status`` instead of raising, because "not yet" is a normal state of a live meeting.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
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
K_SWITCH_UPDATES = 4  # updates in a row another k must fit best before the groups change number


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


def vote_matrix_from_ids(
    participant_ids: np.ndarray, statement_ids: np.ndarray, values: np.ndarray
) -> VoteMatrix:
    """:func:`build_vote_matrix` for integer ids in three parallel arrays (as
    ``Store.integers`` reads them): the same matrix, without a Python object per vote."""
    participants, participant_idx = np.unique(np.asarray(participant_ids), return_inverse=True)
    statements, statement_idx = np.unique(np.asarray(statement_ids), return_inverse=True)
    return VoteMatrix(
        participant_idx=participant_idx.ravel(),
        statement_idx=statement_idx.ravel(),
        values=np.asarray(values),
        participant_ids=tuple(participants.tolist()),
        statement_ids=tuple(statements.tolist()),
    )


def vote_fingerprints(matrix: VoteMatrix) -> np.ndarray:
    """One 64-bit number per participant that changes whenever any of their votes changes.

    The sum (mod 2**64) of a hash of each (statement id, vote) they hold: it doesn't depend on
    the order of statements in the matrix, so it compares across computations.
    """
    n_participants, n_statements = matrix.shape
    table = np.array(
        [
            [
                int.from_bytes(
                    hashlib.blake2b(repr((s, v)).encode(), digest_size=8).digest(), "little"
                )
                for v in (-1, 0, 1)
            ]
            for s in matrix.statement_ids
        ],
        dtype=np.uint64,
    ).reshape(n_statements, 3)
    sums = np.zeros(n_participants, dtype=np.uint64)
    np.add.at(sums, matrix.participant_idx, table[matrix.statement_idx, matrix.values + 1])
    return sums


@dataclass(frozen=True)
class GroupMemory:
    """What one computation of opinion groups hands the next, so the groups stay stable.

    ``letters``: each grouped participant's group label (0 = A); ``fingerprints``: their
    :func:`vote_fingerprints`, to tell who has voted since; ``k``: the number of groups shown;
    ``pending_k`` / ``pending_count``: another number of groups that fitted best in the last
    ``pending_count`` updates in a row (0 / 0 when none). Stored as JSON (:meth:`to_json`).
    """

    k: int
    letters: Mapping[Id, int]
    fingerprints: Mapping[Id, int]
    pending_k: int = 0
    pending_count: int = 0

    def to_json(self) -> str:
        members = [
            [p, int(letter), str(self.fingerprints[p])] for p, letter in self.letters.items()
        ]
        return json.dumps(
            {
                "k": self.k,
                "pending_k": self.pending_k,
                "pending_count": self.pending_count,
                "members": members,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> GroupMemory:
        data = json.loads(text)
        members = data["members"]
        return cls(
            k=int(data["k"]),
            letters=MappingProxyType({p: int(letter) for p, letter, _ in members}),
            fingerprints=MappingProxyType({p: int(f) for p, _, f in members}),
            pending_k=int(data["pending_k"]),
            pending_count=int(data["pending_count"]),
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
    label: int  # 0, 1, …; the UI shows A, B, … (first computation: largest group first)
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
    unless ``status`` is OK. ``memory`` is what the next computation needs to keep the groups
    stable (:class:`GroupMemory`); without groups it is the memory that was given, unchanged.
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
    min_participants: int = MIN_PARTICIPANTS
    memory: GroupMemory | None = None

    @property
    def has_groups(self) -> bool:
        return self.status is GroupingStatus.OK

    @property
    def status_params(self) -> dict[str, int]:
        """Parameters for ``status.message_key``."""
        return {
            "participants": len(self.participant_ids) or self.participants_voting,
            "statements": self.statements_voted,
            "min_participants": self.min_participants,
            "min_statements": MIN_STATEMENTS,
        }

    @property
    def missing_participants(self) -> int:
        """How many more voters are needed before groups can be formed (0 when enough)."""
        if self.status is not GroupingStatus.NOT_ENOUGH_PARTICIPANTS:
            return 0
        return max(0, self.min_participants - self.participants_voting)


def compute_opinion_groups(
    matrix: VoteMatrix,
    *,
    random_state: int = 0,
    min_participants: int = MIN_PARTICIPANTS,
    previous: GroupMemory | None = None,
) -> OpinionGroups:
    """Opinion groups, representative and consensus statements for one conversation.

    ``previous``: the ``memory`` of the previous computation for the same conversation, so
    that letters, and the number of groups, stay stable (module docstring, step 3).
    """
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
            min_participants=min_participants,
            memory=previous,
        )
    grouped = select_participants(votes_by_participant, n_statements)
    if len(grouped) < min_participants:
        return OpinionGroups(
            GroupingStatus.NOT_ENOUGH_PARTICIPANTS,
            matrix.statement_ids,
            participants_voting=participants_voting,
            statements_voted=statements_voted,
            min_participants=min_participants,
            memory=previous,
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

    # Consensus counts every voter, as Pol.is does (not only those with enough votes to group).
    overall = _stance_counts(
        np.zeros(matrix.n_votes, dtype=np.int64),
        matrix.statement_idx,
        matrix.values.astype(np.float64),
        np.zeros(1, dtype=np.int64),
        1,
        n_statements,
    )
    consensus_agree, consensus_disagree = _consensus(overall, matrix.statement_ids)

    fingerprints = vote_fingerprints(matrix)[grouped]
    clustering = cluster_points(
        coordinates,
        random_state=random_state,
        previous=_previous_of(previous, participant_ids, fingerprints),
    )
    if clustering is None:
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
            min_participants=min_participants,
            memory=previous,
        )

    labels = clustering.labels
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
    memory = GroupMemory(
        k=k,
        letters=MappingProxyType(dict(zip(participant_ids, labels.tolist(), strict=True))),
        fingerprints=MappingProxyType(
            dict(zip(participant_ids, fingerprints.tolist(), strict=True))
        ),
        pending_k=clustering.pending_k,
        pending_count=clustering.pending_count,
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
        silhouette_by_k=clustering.silhouette_by_k,
        participants_voting=participants_voting,
        statements_voted=statements_voted,
        min_participants=min_participants,
        memory=memory,
    )


@dataclass(frozen=True)
class PreviousGroups:
    """The previous computation's groups, aligned with the points being grouped now.

    ``letters[i]``: the label point i had (-1 when it wasn't grouped); ``unmoved[i]``: its
    votes are the same as then; ``k``, ``pending_k``, ``pending_count``: as in
    :class:`GroupMemory`.
    """

    letters: np.ndarray
    unmoved: np.ndarray
    k: int
    pending_k: int = 0
    pending_count: int = 0

    @property
    def anything_new(self) -> bool:
        """Did any vote change, or anybody join the grouping, since the previous computation?"""
        return not bool(np.all(self.unmoved))


def _previous_of(
    memory: GroupMemory | None, participant_ids: Sequence[Id], fingerprints: np.ndarray
) -> PreviousGroups | None:
    if memory is None or memory.k < 2:
        return None
    letters = np.array([memory.letters.get(p, -1) for p in participant_ids], dtype=np.int64)
    unmoved = np.array(
        [
            memory.fingerprints.get(p) == int(f)
            for p, f in zip(participant_ids, fingerprints, strict=True)
        ],
        dtype=bool,
    )
    return PreviousGroups(
        letters, unmoved & (letters >= 0), memory.k, memory.pending_k, memory.pending_count
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
    exactly the missing cells, so the centred matrix is sparse: it is built directly as a
    scipy.sparse matrix holding only the votes (a national dialogue of 20,000 people ×
    2,000 statements would need 320 MB dense, and its products would take seconds). Randomized
    SVD with a fixed seed is fast and deterministic, and does the same arithmetic on the sparse
    matrix as on a dense one; sklearn flips signs to a canonical direction.
    """
    n_rows, n_columns = shape
    totals = np.bincount(columns, weights=values, minlength=n_columns)
    seen = np.bincount(columns, minlength=n_columns)
    means = np.divide(totals, seen, out=np.zeros(n_columns), where=seen > 0)
    centred = sparse.csr_matrix((values - means[columns], (rows, columns)), shape=shape)
    components = min(2, *shape)
    u, s, _ = randomized_svd(centred, components, n_iter=5, random_state=0)
    coordinates = np.zeros((n_rows, 2))
    coordinates[:, :components] = u * s
    votes_by_row = np.bincount(rows, minlength=n_rows)
    coordinates *= np.sqrt(n_columns / np.maximum(votes_by_row, 1))[:, None]
    return coordinates


@dataclass(frozen=True)
class Clustering:
    """Group labels of the points, the silhouette tried per k, and the pending k (memory)."""

    labels: np.ndarray
    silhouette_by_k: tuple[tuple[int, float], ...]
    pending_k: int = 0
    pending_count: int = 0


def cluster_points(
    points: np.ndarray, *, random_state: int = 0, previous: PreviousGroups | None = None
) -> Clustering | None:
    """Group labels for 2-D points and the silhouette tried per k; None without two groups.

    Without ``previous`` the k with the best silhouette wins and the largest group is 0. With
    it, the groups stay stable (module docstring, step 3).
    """
    n = len(points)
    distinct = len(np.unique(points.round(9), axis=0))
    if distinct < 2:
        return None
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
    start = None if previous is None else _previous_centres(points, previous)
    candidates: dict[int, tuple[float, np.ndarray]] = {}
    silhouettes: list[tuple[int, float]] = []
    for k in range(2, max_k + 1):
        if start is not None and len(start) == k:
            # The current number of groups starts from the previous groups.
            grouping = KMeans(k, init=start, n_init=1, random_state=random_state)
        else:
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
        candidates[k] = (score, np.unique(labels, return_inverse=True)[1].ravel())
    if not candidates:
        return None
    # The best silhouette; on a tie the smaller k.
    best_k = max(candidates, key=lambda k: (candidates[k][0], -k))
    if previous is None:
        return Clustering(_relabel_by_size(candidates[best_k][1], points), tuple(silhouettes))
    chosen, pending_k, pending_count = _choose_k(best_k, previous, candidates)
    labels = _match_letters(candidates[chosen][1], previous.letters, points)
    k = int(labels.max()) + 1
    if k == previous.k:
        # Unmoved voters keep their letter: only a voter's own votes move them.
        kept = np.where(previous.unmoved, previous.letters, labels)
        if len(np.unique(kept)) == k:  # (never empties a group)
            labels = kept
    return Clustering(labels, tuple(silhouettes), pending_k, pending_count)


def _choose_k(
    best_k: int, previous: PreviousGroups, candidates: Mapping[int, object]
) -> tuple[int, int, int]:
    """(k to show, pending k, updates it has won): k changes only after winning in a row."""
    if previous.k not in candidates or best_k == previous.k:
        return best_k, 0, 0
    if not previous.anything_new:  # the same votes again: not another update
        return previous.k, previous.pending_k, previous.pending_count
    won = previous.pending_count + 1 if previous.pending_k == best_k else 1
    if won >= K_SWITCH_UPDATES:
        return best_k, 0, 0
    return previous.k, best_k, won


def _previous_centres(points: np.ndarray, previous: PreviousGroups) -> np.ndarray | None:
    """The previous groups' centres in this projection (which may have turned or mirrored)."""
    centres = []
    for letter in range(previous.k):
        members = previous.letters == letter
        if not members.any():
            return None
        centres.append(points[members].mean(axis=0))
    return np.array(centres)


def _size_order(labels: np.ndarray, points: np.ndarray, present: Iterable[int]) -> list[int]:
    """Groups from the largest down; equal sizes by centroid x, then y."""
    return sorted(
        present,
        key=lambda g: (
            -int(np.sum(labels == g)),
            float(points[labels == g, 0].mean()),
            float(points[labels == g, 1].mean()),
        ),
    )


def _match_letters(labels: np.ndarray, previous: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Give clusters 0..k-1 the previous letters they share most members with.

    An assignment maximising the members who keep their letter (the Hungarian method); a
    cluster sharing nobody with a free letter gets one, the largest cluster the first. Letters
    stay 0..k-1, so when a group disappears the letters above it close up.
    """
    k = int(labels.max()) + 1
    overlap = np.zeros((k, k))
    known = (previous >= 0) & (previous < k)
    np.add.at(overlap, (labels[known], previous[known]), 1)
    clusters, letters = linear_sum_assignment(overlap, maximize=True)
    mapping = np.full(k, -1, dtype=np.int64)
    for cluster, letter in zip(clusters, letters, strict=True):
        if overlap[cluster, letter] > 0:
            mapping[cluster] = letter
    free = sorted(set(range(k)) - set(mapping[mapping >= 0].tolist()))
    unmatched = _size_order(labels, points, np.flatnonzero(mapping < 0).tolist())
    mapping[unmatched] = free
    return mapping[labels]


def _relabel_by_size(labels: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Labels 0, 1, … from the largest group down; equal sizes by centroid x, then y."""
    present = np.unique(labels)
    order = _size_order(labels, points, present.tolist())
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
