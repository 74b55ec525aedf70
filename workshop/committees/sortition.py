"""Fair random draw (sortition) of a panel, reproducible by anyone from a published record.

A committee's seats are drawn among applicants so that the panel looks like the community:
quotas give a minimum and/or maximum number of seats per attribute value (e.g. at least 2 and
at most 4 from district "Nord"). The method follows Flanigan et al., "Fair algorithms for
selecting citizens' assemblies" (Nature 596, 2021):

1. **Publish before the draw**: the applicant list (its SHA-256, ``applicants_digest``), the
   quotas, the number of seats and a seed string (e.g. the numbers of a public lottery drawn
   after the application deadline).
2. **Groups**: applicants who match the same quotas (the same *profile*) are interchangeable
   for the quotas. Groups are ordered by profile, members by id.
3. **A fair lottery over panels** (leximin): among all probability distributions over panels
   that meet every quota, take the one that makes the smallest selection probability of any
   applicant as large as possible (maximin), then the next smallest, and so on. A panel is
   described by its *composition*, the number of seats from each group; within a group every
   member is equally likely, so each applicant's probability is the expected number of seats
   of their group divided by its size. The linear programmes are solved by column generation
   with HiGHS (scipy): the master LP maximises the minimum probability over the compositions
   found so far, and a small integer programme (pricing) finds the composition with the
   largest dual weight that meets the quotas, until none improves the optimum. Applicants
   whose group cannot get a seat in any quota-meeting panel have probability 0.
4. **Canonical**: compositions with probability below 1e-9 are dropped, the rest are rounded
   to 1e-9, renormalised and sorted by composition, so the published distribution is exact
   text that a replay can compare.
5. **Random numbers** come from SHA-256, not from a library generator:
   ``number(k) = SHA-256("seed|applicants_digest|quotas JSON|seats|k")`` as an integer.
   ``u = (first 8 bytes of number(0)) / 2**64`` picks the composition whose cumulative
   probability interval (in canonical order) contains ``u``. Then the seats of each group,
   group by group, are drawn without replacement: draw ``k = 1, 2, …`` takes the member at
   position ``number(k) mod (members left)`` of the group's remaining members, sorted by id.

``Draw.steps`` logs every within-group draw, ``Draw.distribution`` the lottery, so anyone can
replay the draw with :func:`draw_panel` or :func:`sample_panel` and compare. Same seed and
inputs ⇒ same distribution and same panel. :func:`legacy_greedy_draw` is the method used
before (kept to replay draws recorded with it, and for ``benchmarks/bench_sortition.py``).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from workshop.errors import InvalidInput
from workshop.voting.tallies import Id, id_order

ROUNDING = 1e-9  # published probabilities are multiples of this
TOLERANCE = 1e-9  # a new composition must improve the dual bound by more than this
TIGHT = 1e-7  # dual weight above which a group's probability is fixed in the leximin step
MAX_ROUNDS = 500  # column-generation rounds per leximin level (a fixed count, not a time)


@dataclass(frozen=True)
class Applicant:
    id: Id
    attributes: Mapping[str, str]  # e.g. {"age_band": "25-34", "district": "Nord"}


@dataclass(frozen=True)
class Quota:
    """Seats for one attribute value: at least ``minimum``, at most ``maximum`` (None = no cap)."""

    attribute: str
    value: str
    minimum: int = 0
    maximum: int | None = None

    @classmethod
    def exactly(cls, attribute: str, value: str, seats: int) -> Quota:
        """A target count: exactly ``seats`` seats for this value."""
        return cls(attribute, value, seats, seats)

    def matches(self, applicant: Applicant) -> bool:
        return applicant.attributes.get(self.attribute) == self.value


class QuotaConflict(InvalidInput):
    """No panel meets the quotas; ``conflicts`` is a smallest set of quotas that clash."""

    def __init__(self, conflicts: Sequence[Quota], *, seats: int, applicants: int) -> None:
        super().__init__(
            "error.sortition.quota_conflict",
            seats=seats,
            applicants=applicants,
            quotas="; ".join(quota_text(q) for q in conflicts),
        )
        self.conflicts = tuple(conflicts)


def quota_text(quota: Quota, value_label: str | None = None) -> str:
    """``district = Nord: 2–3`` (or ``≥ 2``, ``≤ 3``) for messages and records."""
    value = value_label if value_label is not None else quota.value
    if quota.maximum is None:
        span = f"≥ {quota.minimum}"
    elif quota.minimum == 0:
        span = f"≤ {quota.maximum}"
    elif quota.minimum == quota.maximum:
        span = f"= {quota.minimum}"
    else:
        span = f"{quota.minimum}–{quota.maximum}"
    return f"{quota.attribute} {value}: {span}"


def canonical_quotas(quotas: Iterable[Quota]) -> list[dict[str, object]]:
    return [
        {"attribute": q.attribute, "value": q.value, "minimum": q.minimum, "maximum": q.maximum}
        for q in sorted(quotas, key=lambda q: (q.attribute, q.value))
    ]


def quotas_json(quotas: Iterable[Quota]) -> str:
    return json.dumps(
        canonical_quotas(quotas), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def random_number(seed: str, fingerprint: str, quotas: str, seats: int, k: int) -> int:
    """SHA-256 of ``seed|fingerprint|quotas|seats|k`` as a 256-bit integer."""
    text = f"{seed}|{fingerprint}|{quotas}|{seats}|{k}"
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)


def uniform(seed: str, fingerprint: str, quotas: str, seats: int) -> float:
    """A number in [0, 1): the first 8 bytes of ``random_number(..., 0)`` over 2**64."""
    return (random_number(seed, fingerprint, quotas, seats, 0) >> 192) / 2**64


@dataclass(frozen=True)
class Distribution:
    """The fair lottery: compositions (seats per group) with their probabilities."""

    method: str  # "leximin"
    groups: tuple[tuple[Id, ...], ...]  # members of each group, sorted by id
    profiles: tuple[tuple[bool, ...], ...]  # which quotas each group matches
    compositions: tuple[tuple[tuple[int, ...], float], ...]  # canonical order
    probabilities: tuple[tuple[Id, float], ...]  # every applicant, sorted by id

    @property
    def minimum(self) -> float:
        return min(p for _, p in self.probabilities)

    @property
    def maximum(self) -> float:
        return max(p for _, p in self.probabilities)

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "groups": [list(g) for g in self.groups],
            "profiles": [list(p) for p in self.profiles],
            "compositions": [[list(c), p] for c, p in self.compositions],
            "probabilities": [[i, p] for i, p in self.probabilities],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Distribution:
        return cls(
            method=str(data["method"]),
            groups=tuple(tuple(g) for g in data["groups"]),  # type: ignore[attr-defined]
            profiles=tuple(tuple(p) for p in data["profiles"]),  # type: ignore[attr-defined]
            compositions=tuple(
                (tuple(c), float(p))
                for c, p in data["compositions"]  # type: ignore[attr-defined]
            ),
            probabilities=tuple(
                (i, float(p))
                for i, p in data["probabilities"]  # type: ignore[attr-defined]
            ),
        )


@dataclass(frozen=True)
class DrawStep:
    """One draw within a group: position ``number(k) mod pool_size`` among those left."""

    seat: int  # 1-based seat being filled
    group: int  # index of the group in the distribution
    pool_size: int
    position: int
    applicant_id: Id


@dataclass(frozen=True)
class Draw:
    seed: str
    seed_digest: str  # SHA-256 of the seed, hex
    applicants_digest: str  # SHA-256 of the canonical applicant list, hex: publish it
    seats: int
    quotas: tuple[Quota, ...]  # sorted by (attribute, value)
    distribution: Distribution
    uniform: float  # the number in [0, 1) that picked the composition
    composition: int  # index into distribution.compositions
    selected: tuple[Id, ...]  # in draw order
    steps: tuple[DrawStep, ...]

    def probability(self, applicant_id: Id) -> float:
        return dict(self.distribution.probabilities)[applicant_id]


def applicants_digest(applicants: Iterable[Applicant]) -> str:
    """SHA-256 (hex) of the applicants as canonical JSON, sorted by id, keys sorted."""
    canonical = [
        [applicant.id, dict(sorted(applicant.attributes.items()))]
        for applicant in sorted(applicants, key=lambda a: id_order(a.id))
    ]
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw_panel(
    applicants: Iterable[Applicant],
    *,
    seats: int,
    seed: str,
    quotas: Iterable[Quota] = (),
) -> Draw:
    """Compute the fair lottery and draw one panel from it (module docstring)."""
    pool = sorted(applicants, key=lambda a: id_order(a.id))
    rules = sorted(quotas, key=lambda q: (q.attribute, q.value))
    _validate(pool, rules, seats, seed)
    distribution = fair_distribution(pool, rules, seats)
    return sample_panel(
        distribution,
        seed=seed,
        fingerprint=applicants_digest(pool),
        quotas=rules,
        seats=seats,
    )


def sample_panel(
    distribution: Distribution,
    *,
    seed: str,
    fingerprint: str,
    quotas: Sequence[Quota],
    seats: int,
) -> Draw:
    """Draw one panel from a (published) distribution with SHA-256 randomness."""
    rules = tuple(sorted(quotas, key=lambda q: (q.attribute, q.value)))
    text = quotas_json(rules)
    u = uniform(seed, fingerprint, text, seats)
    cumulative = 0.0
    chosen = len(distribution.compositions) - 1
    for index, (_, probability) in enumerate(distribution.compositions):
        cumulative += probability
        if u < cumulative:
            chosen = index
            break
    counts = distribution.compositions[chosen][0]
    selected: list[Id] = []
    steps: list[DrawStep] = []
    k = 0
    for group, (members, count) in enumerate(zip(distribution.groups, counts, strict=True)):
        left = list(members)
        for _ in range(count):
            k += 1
            position = random_number(seed, fingerprint, text, seats, k) % len(left)
            applicant_id = left.pop(position)
            selected.append(applicant_id)
            steps.append(
                DrawStep(
                    seat=len(selected),
                    group=group,
                    pool_size=len(left) + 1,
                    position=position,
                    applicant_id=applicant_id,
                )
            )
    return Draw(
        seed=seed,
        seed_digest=hashlib.sha256(seed.encode("utf-8")).hexdigest(),
        applicants_digest=fingerprint,
        seats=seats,
        quotas=rules,
        distribution=distribution,
        uniform=u,
        composition=chosen,
        selected=tuple(selected),
        steps=tuple(steps),
    )


RECORD_FORMAT = "samskab-draw/1"
# What a replay from the record alone checks, in this order. The seed, the applicants'
# fingerprint, the quotas and the seats are what it draws from (a change to any of them shows
# as a different lottery, "u", composition or panel); the draw's number and time label it.
RECORD_CHECKED = (
    "method",
    "seed_digest",
    "applicants",
    "lottery",
    "uniform",
    "composition",
    "selected",
)


@dataclass(frozen=True)
class RecordReplay:
    """What replaying a published draw record (``RECORD_FORMAT``) showed."""

    lottery_matches: bool  # the lottery computed again from groups and quotas = the published one
    largest_difference: float  # largest difference of an applicant's probability
    selected: tuple[Id, ...]  # the panel drawn again with the seed, in draw order
    panel_matches: bool
    # Every published value that the replay does not reproduce, by its name in the record
    # (RECORD_CHECKED); empty when the whole record holds.
    differences: tuple[str, ...] = ()

    @property
    def matches(self) -> bool:
        return not self.differences


def replay_record(record: Mapping[str, object]) -> RecordReplay:
    """Replay a draw from its published record alone (no names, no database).

    The record gives each group's application numbers and which quotas it matches, so the
    lottery can be computed again (applicants stand in with just the quota answers that
    decide their group), and the seed, fingerprint, quotas and seats draw the panel again.
    """
    if record.get("format") != RECORD_FORMAT:
        raise InvalidInput("error.draw.record_format", format=str(record.get("format"))[:40])
    rules = sorted(
        (Quota(**q) for q in record["quotas"]),  # type: ignore[attr-defined]
        key=lambda q: (q.attribute, q.value),
    )
    published = Distribution.from_json(record["lottery"])  # type: ignore[arg-type]
    pool = sorted(
        (
            Applicant(
                id=member,
                attributes={
                    q.attribute: q.value for q, hit in zip(rules, profile, strict=True) if hit
                },
            )
            for members, profile in zip(published.groups, published.profiles, strict=True)
            for member in members
        ),
        key=lambda a: id_order(a.id),
    )
    seats = int(record["seats"])  # type: ignore[call-overload]
    again = fair_distribution(pool, rules, seats)
    old = dict(published.probabilities)
    difference = max(abs(p - old.get(i, -1.0)) for i, p in again.probabilities)
    sampled = sample_panel(
        again,
        seed=str(record["seed"]),
        fingerprint=str(record["applicants_digest"]),
        quotas=rules,
        seats=seats,
    )
    members = sorted((m for group in published.groups for m in group), key=id_order)
    listed = sorted(record["applicants"], key=id_order)  # type: ignore[call-overload]
    checks = {
        "method": record.get("method") == "leximin",
        "seed_digest": record.get("seed_digest") == sampled.seed_digest,
        "applicants": listed == members,
        "lottery": again == published,
        "uniform": record.get("uniform") == sampled.uniform,
        "composition": record.get("composition") == sampled.composition,
        "selected": list(sampled.selected) == list(record["selected"]),  # type: ignore[call-overload]
    }
    return RecordReplay(
        lottery_matches=checks["lottery"],
        largest_difference=difference,
        selected=sampled.selected,
        panel_matches=checks["selected"],
        differences=tuple(name for name in RECORD_CHECKED if not checks[name]),
    )


# -- the lottery ---------------------------------------------------------------------------------


class _Groups:
    """Applicants grouped by profile, and the integer programmes over compositions."""

    def __init__(self, pool: Sequence[Applicant], rules: Sequence[Quota]) -> None:
        self.rules = list(rules)
        by_profile: dict[tuple[bool, ...], list[Id]] = {}
        for applicant in pool:
            profile = tuple(q.matches(applicant) for q in self.rules)
            by_profile.setdefault(profile, []).append(applicant.id)
        self.profiles = sorted(by_profile)
        self.members = [tuple(sorted(by_profile[p], key=id_order)) for p in self.profiles]
        self.sizes = np.array([len(m) for m in self.members], dtype=float)

    def constraints(self, seats: int) -> LinearConstraint:
        rows = [np.ones(len(self.profiles))]
        lower: list[float] = [seats]
        upper: list[float] = [seats]
        for index, quota in enumerate(self.rules):
            rows.append(np.array([p[index] for p in self.profiles], dtype=float))
            lower.append(quota.minimum)
            upper.append(np.inf if quota.maximum is None else quota.maximum)
        return LinearConstraint(np.vstack(rows), lower, upper)

    def best(self, weights: np.ndarray, seats: int) -> tuple[int, ...] | None:
        """The composition that meets the quotas with the largest ``weights · x``."""
        result = milp(
            c=-np.asarray(weights, dtype=float),
            constraints=self.constraints(seats),
            integrality=np.ones(len(self.profiles)),
            bounds=Bounds(0, self.sizes),
        )
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise RuntimeError(f"composition search did not finish: {result.message}")
        return tuple(int(np.rint(v)) for v in result.x)


def feasible(pool: Sequence[Applicant], rules: Sequence[Quota], seats: int) -> bool:
    """Is there a panel of ``seats`` applicants that meets every quota?"""
    if seats > len(pool):
        return False
    groups = _Groups(pool, rules)
    return groups.best(np.zeros(len(groups.profiles)), seats) is not None


def conflicting_quotas(
    pool: Sequence[Applicant], rules: Sequence[Quota], seats: int
) -> list[Quota]:
    """A smallest-by-deletion set of quotas that no panel can meet together (empty if some
    panel meets them all): each quota is left out in turn and stays out if the rest still
    clash."""
    if feasible(pool, rules, seats):
        return []
    kept = list(rules)
    for quota in list(rules):
        rest = [q for q in kept if q is not quota]
        if not feasible(pool, rest, seats):
            kept = rest
    return kept


def fair_distribution(
    pool: Sequence[Applicant], rules: Sequence[Quota], seats: int
) -> Distribution:
    """The leximin lottery over quota-meeting compositions (module docstring, step 3)."""
    groups = _Groups(pool, rules)
    count = len(groups.profiles)
    columns: list[tuple[int, ...]] = []
    reachable = []
    for index in range(count):
        weights = np.zeros(count)
        weights[index] = 1.0
        best = groups.best(weights, seats)
        if best is None:
            raise QuotaConflict(
                conflicting_quotas(pool, rules, seats), seats=seats, applicants=len(pool)
            )
        if best not in columns:
            columns.append(best)
        if best[index] > 0:
            reachable.append(index)
    fixed: dict[int, float] = {i: 0.0 for i in range(count) if i not in reachable}
    active = list(reachable)
    weights_of_columns = None
    while active:
        level, weights_of_columns, duals = _maximin_level(groups, seats, columns, active, fixed)
        tight = [i for i in active if duals[i] > TIGHT]
        if not tight:  # numerically flat duals: fix the groups at the level
            shares = _shares(groups, columns, weights_of_columns)
            tight = [i for i in active if shares[i] <= level + TIGHT]
        for i in tight:
            fixed[i] = max(0.0, level - TOLERANCE)
        active = [i for i in active if i not in tight]
    if weights_of_columns is None:  # nobody can get a seat: a quota-meeting panel exists,
        weights_of_columns = np.zeros(len(columns))  # so this only happens with 0 groups
        weights_of_columns[0] = 1.0
    return _canonical(groups, columns, weights_of_columns, pool)


def _shares(groups: _Groups, columns: list[tuple[int, ...]], weights: np.ndarray) -> np.ndarray:
    matrix = np.array(columns, dtype=float)  # columns × groups
    return np.asarray(weights @ matrix / groups.sizes)


def _maximin_level(
    groups: _Groups,
    seats: int,
    columns: list[tuple[int, ...]],
    active: list[int],
    fixed: Mapping[int, float],
) -> tuple[float, np.ndarray, np.ndarray]:
    """Maximise the smallest probability of the ``active`` groups, keeping the ``fixed``
    ones at least at their level: (level, weights of the columns, dual weight per group)."""
    count = len(groups.profiles)
    for _ in range(MAX_ROUNDS):
        k = len(columns)
        share = np.array(columns, dtype=float).T / groups.sizes[:, None]  # groups × columns
        rows = []
        bounds_ub = []
        order = []
        for i in range(count):
            if i in fixed:
                rows.append(np.append(-share[i], 0.0))
                bounds_ub.append(-fixed[i])
            elif i in active:
                rows.append(np.append(-share[i], 1.0))
                bounds_ub.append(0.0)
            else:
                continue
            order.append(i)
        objective = np.zeros(k + 1)
        objective[-1] = -1.0
        result = linprog(
            objective,
            A_ub=np.array(rows),
            b_ub=np.array(bounds_ub),
            A_eq=np.append(np.ones(k), 0.0)[None, :],
            b_eq=[1.0],
            bounds=[(0, None)] * k + [(0, 1)],
            method="highs",
        )
        if result.status != 0:
            raise RuntimeError(f"fair lottery did not finish: {result.message}")
        duals = np.zeros(count)
        for row, i in enumerate(order):
            duals[i] = -result.ineqlin.marginals[row]
        threshold = -result.eqlin.marginals[0]
        candidate = groups.best(duals / groups.sizes, seats)
        assert candidate is not None  # the quotas were checked to be satisfiable
        value = float(np.dot(duals / groups.sizes, candidate))
        if value <= threshold + TOLERANCE or candidate in columns:
            return float(result.x[-1]), np.asarray(result.x[:k]), duals
        columns.append(candidate)
    raise RuntimeError("fair lottery did not converge")


def _canonical(
    groups: _Groups,
    columns: list[tuple[int, ...]],
    weights: np.ndarray,
    pool: Sequence[Applicant],
) -> Distribution:
    kept = {
        column: float(weight)
        for column, weight in zip(columns, weights, strict=True)
        if weight >= ROUNDING
    }
    total = sum(kept.values())
    rounded = {c: round(w / total / ROUNDING) * ROUNDING for c, w in kept.items()}
    rounded = {c: w for c, w in rounded.items() if w > 0}
    total = sum(rounded.values())
    compositions = tuple((column, round(rounded[column] / total, 9)) for column in sorted(rounded))
    share = np.zeros(len(groups.profiles))
    for column, probability in compositions:
        share += np.array(column, dtype=float) * probability
    share /= groups.sizes
    by_id = {
        member: round(float(share[index]), 9)
        for index, members in enumerate(groups.members)
        for member in members
    }
    return Distribution(
        method="leximin",
        groups=tuple(groups.members),
        profiles=tuple(groups.profiles),
        compositions=compositions,
        probabilities=tuple((a.id, by_id[a.id]) for a in pool),
    )


def _validate(pool: Sequence[Applicant], rules: Sequence[Quota], seats: int, seed: str) -> None:
    if not seed.strip():
        raise InvalidInput("error.sortition.seed_missing")
    if seats < 1:
        raise InvalidInput("error.sortition.seats_invalid", seats=seats)
    if seats > len(pool):
        raise InvalidInput(
            "error.sortition.not_enough_applicants", seats=seats, applicants=len(pool)
        )
    for previous, current in pairwise(a.id for a in pool):
        if previous == current:
            raise InvalidInput("error.sortition.duplicate_applicant", applicant_id=current)
    seen: set[tuple[str, str]] = set()
    for quota in rules:
        if (quota.attribute, quota.value) in seen:
            raise InvalidInput(
                "error.sortition.duplicate_quota", attribute=quota.attribute, value=quota.value
            )
        seen.add((quota.attribute, quota.value))
        if quota.minimum < 0 or (quota.maximum is not None and quota.maximum < quota.minimum):
            raise InvalidInput(
                "error.sortition.quota_invalid",
                attribute=quota.attribute,
                value=quota.value,
                minimum=quota.minimum,
                maximum=quota.maximum,
            )


# -- the method used before -------------------------------------------------------------------


class DrawPhase(StrEnum):
    MINIMUM = "minimum"  # filling a quota's minimum
    FILL = "fill"  # filling the remaining seats

    @property
    def label_key(self) -> str:
        return f"sortition.phase.{self.value}"


@dataclass(frozen=True)
class LegacyStep:
    """One ``randrange`` call of the draw."""

    seat: int  # 1-based seat being filled
    phase: DrawPhase
    stratum: tuple[str, str] | None  # (attribute, value) whose minimum is being filled
    pool_size: int
    position: int  # randrange(pool_size): index into the pool, which is sorted by id
    applicant_id: Id
    accepted: bool  # False: would make the quotas impossible, set aside for this seat


@dataclass(frozen=True)
class LegacyDraw:
    seed: str
    seed_digest: str  # SHA-256 of the seed, hex; its integer value seeds the generator
    applicants_digest: str  # SHA-256 of the canonical applicant list, hex: publish it
    seats: int
    quotas: tuple[Quota, ...]  # in the order their minimums were filled
    selected: tuple[Id, ...]  # in draw order
    steps: tuple[LegacyStep, ...]


def legacy_greedy_draw(
    applicants: Iterable[Applicant],
    *,
    seats: int,
    seed: str,
    quotas: Iterable[Quota] = (),
) -> LegacyDraw:
    """The draw used before maximin (kept to replay old draws and for the benchmark).

    Greedy: minimums first, then the rest, each seat uniformly among those who keep the
    quotas satisfiable. It meets every quota but gives some applicants almost no chance.
    """
    pool = sorted(applicants, key=lambda a: id_order(a.id))
    rules = sorted(quotas, key=lambda q: (q.attribute, q.value))
    _validate(pool, rules, seats, seed)
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    rng = random.Random(int(digest, 16))
    checker = _QuotaChecker(pool, rules)
    if not checker.can_complete(selected=[], seats_left=seats):
        raise InvalidInput("error.sortition.infeasible", seats=seats, applicants=len(pool))

    selected: list[Applicant] = []
    steps: list[LegacyStep] = []

    def draw_seat(phase: DrawPhase, quota: Quota | None) -> None:
        seat = len(selected) + 1
        taken = {a.id for a in selected}
        candidates = [
            a
            for a in pool
            if a.id not in taken
            and (quota is None or quota.matches(a))
            and checker.keeps_maximums(selected, a)
        ]
        while candidates:
            position = rng.randrange(len(candidates))
            applicant = candidates[position]
            accepted = checker.can_complete([*selected, applicant], seats - seat)
            steps.append(
                LegacyStep(
                    seat=seat,
                    phase=phase,
                    stratum=(quota.attribute, quota.value) if quota else None,
                    pool_size=len(candidates),
                    position=position,
                    applicant_id=applicant.id,
                    accepted=accepted,
                )
            )
            if accepted:
                selected.append(applicant)
                return
            profile = checker.profile(applicant)
            candidates = [a for a in candidates if checker.profile(a) != profile]
        # Unreachable while can_complete is exact: a satisfiable state always has a next seat.
        raise InvalidInput("error.sortition.infeasible", seats=seats, applicants=len(pool))

    for quota in rules:
        while sum(quota.matches(a) for a in selected) < quota.minimum:
            draw_seat(DrawPhase.MINIMUM, quota)
    while len(selected) < seats:
        draw_seat(DrawPhase.FILL, None)

    return LegacyDraw(
        seed=seed,
        seed_digest=digest,
        applicants_digest=applicants_digest(pool),
        seats=seats,
        quotas=tuple(rules),
        selected=tuple(a.id for a in selected),
        steps=tuple(steps),
    )


class _QuotaChecker:
    """Answers "can the quotas still be met?" exactly.

    Applicants who match the same set of quotas (the same *profile*) are interchangeable for
    the quotas, so the question is an integer program over profiles: choose x_p applicants of
    profile p (0 ≤ x_p ≤ remaining of p) with sum x_p = seats left and, for every quota,
    minimum ≤ already selected + sum of matching x_p ≤ maximum. With a few attributes there
    are a few dozen profiles and HiGHS answers in about a millisecond. Yes/no is a fact about
    the numbers, not about the solver, so the draw stays reproducible.
    """

    def __init__(self, pool: Sequence[Applicant], rules: Sequence[Quota]) -> None:
        self.pool = pool
        self.rules = rules
        self.profiles = sorted({self.profile(a) for a in pool})

    def profile(self, applicant: Applicant) -> tuple[bool, ...]:
        return tuple(quota.matches(applicant) for quota in self.rules)

    def keeps_maximums(self, selected: Sequence[Applicant], applicant: Applicant) -> bool:
        return all(
            quota.maximum is None
            or not quota.matches(applicant)
            or sum(quota.matches(a) for a in selected) < quota.maximum
            for quota in self.rules
        )

    def can_complete(self, selected: Sequence[Applicant], seats_left: int) -> bool:
        taken = {a.id for a in selected}
        available = {profile: 0 for profile in self.profiles}
        for applicant in self.pool:
            if applicant.id not in taken:
                available[self.profile(applicant)] += 1
        have = [sum(q.matches(a) for a in selected) for q in self.rules]
        if any(
            h > q.maximum for h, q in zip(have, self.rules, strict=True) if q.maximum is not None
        ):
            return False
        if not self.rules:
            return seats_left <= sum(available.values())
        membership = np.array(self.profiles, dtype=float).T  # quotas × profiles
        matrix = np.vstack([np.ones(len(self.profiles)), membership])
        lower = [seats_left] + [q.minimum - h for q, h in zip(self.rules, have, strict=True)]
        upper = [seats_left] + [
            np.inf if q.maximum is None else q.maximum - h
            for q, h in zip(self.rules, have, strict=True)
        ]
        result = milp(
            c=np.zeros(len(self.profiles)),
            constraints=LinearConstraint(matrix, lower, upper),
            integrality=np.ones(len(self.profiles)),
            bounds=Bounds(0, [available[p] for p in self.profiles]),
        )
        if result.status == 0:
            return True
        if result.status == 2:
            return False
        raise RuntimeError(f"quota check did not finish: {result.message}")
