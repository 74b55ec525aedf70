"""Stratified random draw (sortition) of a panel, reproducible by anyone from a published seed.

A committee's seats are drawn among applicants so that the panel looks like the community:
quotas give a minimum and/or maximum number of seats per attribute value (e.g. at least 2 and
at most 4 from district "Nord"). The draw must be checkable, so the method is fixed and public:

1. **Publish before the draw**: the applicant list (its SHA-256, ``applicants_digest``, is in
   the result), the quotas, the number of seats and a seed string (e.g. the numbers of a
   public lottery drawn after the application deadline).
2. **Order**: applicants are sorted by id (integer ids numerically, then text ids), so the
   order in which they were entered doesn't matter.
3. **Random numbers**: ``random.Random`` (Mersenne Twister) seeded with the integer value of
   SHA-256(seed, UTF-8), big-endian. Every draw is ``randrange(pool_size)``: the position of
   the chosen applicant in the pool, the pool keeping the sorted order.
4. **Minimums first**: quotas are taken in order of (attribute, value). While a quota's
   minimum is not reached, one applicant is drawn from those remaining with that value.
5. **Then the rest**: each remaining seat is drawn from all remaining applicants.
6. **Never break a rule**: a pool only holds applicants whose selection keeps every maximum.
   If the drawn applicant would still make the quotas impossible to meet with the seats left
   (checked exactly, as a small integer program over groups of applicants who share the same
   quota values), that applicant and everyone with the same quota values is set aside for this
   seat and the draw is repeated on the smaller pool. Such a step is logged with
   ``accepted=False``. Because the quotas are checked to be satisfiable before the first draw
   and every accepted applicant keeps them satisfiable, the draw always completes.

``Draw.steps`` logs every ``randrange`` call (seat, phase, stratum, pool size, drawn position,
applicant, accepted), so anyone can replay the draw by hand or with :func:`draw_panel` and
compare. Same seed and inputs ⇒ same panel, in the same order.
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
from scipy.optimize import Bounds, LinearConstraint, milp

from workshop.errors import InvalidInput
from workshop.tallies import Id, id_order


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


class DrawPhase(StrEnum):
    MINIMUM = "minimum"  # filling a quota's minimum
    FILL = "fill"  # filling the remaining seats

    @property
    def label_key(self) -> str:
        return f"sortition.phase.{self.value}"


@dataclass(frozen=True)
class DrawStep:
    """One ``randrange`` call of the draw."""

    seat: int  # 1-based seat being filled
    phase: DrawPhase
    stratum: tuple[str, str] | None  # (attribute, value) whose minimum is being filled
    pool_size: int
    position: int  # randrange(pool_size): index into the pool, which is sorted by id
    applicant_id: Id
    accepted: bool  # False: would make the quotas impossible, set aside for this seat


@dataclass(frozen=True)
class Draw:
    seed: str
    seed_digest: str  # SHA-256 of the seed, hex; its integer value seeds the generator
    applicants_digest: str  # SHA-256 of the canonical applicant list, hex: publish it
    seats: int
    quotas: tuple[Quota, ...]  # in the order their minimums were filled
    selected: tuple[Id, ...]  # in draw order
    steps: tuple[DrawStep, ...]


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
    """Draw ``seats`` applicants by the method in the module docstring."""
    pool = sorted(applicants, key=lambda a: id_order(a.id))
    rules = sorted(quotas, key=lambda q: (q.attribute, q.value))
    _validate(pool, rules, seats, seed)
    digest = hashlib.sha256(seed.encode("utf-8")).hexdigest()
    rng = random.Random(int(digest, 16))
    checker = _QuotaChecker(pool, rules)
    if not checker.can_complete(selected=[], seats_left=seats):
        raise InvalidInput("error.sortition.infeasible", seats=seats, applicants=len(pool))

    selected: list[Applicant] = []
    steps: list[DrawStep] = []

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
                DrawStep(
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

    return Draw(
        seed=seed,
        seed_digest=digest,
        applicants_digest=applicants_digest(pool),
        seats=seats,
        quotas=tuple(rules),
        selected=tuple(a.id for a in selected),
        steps=tuple(steps),
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
