"""Sortition: a fair (leximin) lottery over quota-meeting panels, one panel drawn from it with
SHA-256 randomness; reproducible, quotas always kept, conflicting quotas named."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from workshop.committees.sortition import (
    Applicant,
    Draw,
    DrawPhase,
    Quota,
    applicants_digest,
    draw_panel,
    legacy_greedy_draw,
    quotas_json,
    sample_panel,
)
from workshop.errors import InvalidInput

GENDERS = ("F", "M")
DISTRICTS = ("Nord", "Syd", "Øst")
AGES = ("18-29", "30-49", "50+")


def town(n: int, seed: int = 0) -> list[Applicant]:
    rng = random.Random(seed)
    return [
        Applicant(
            f"app-{i:04d}",
            {
                "gender": rng.choice(GENDERS),
                "district": rng.choice(DISTRICTS),
                "age_band": rng.choice(AGES),
            },
        )
        for i in range(n)
    ]


TOWN_QUOTAS = [
    Quota("gender", "F", 5, 7),
    Quota("gender", "M", 5, 7),
    Quota.exactly("district", "Nord", 4),
    Quota("district", "Øst", 3, None),
    Quota("age_band", "18-29", 3, 5),
    Quota("age_band", "50+", 0, 4),
]


def seats_by_value(draw: Draw, applicants: list[Applicant]) -> Counter[tuple[str, str]]:
    by_id = {a.id: a for a in applicants}
    return Counter(
        (attribute, value)
        for i in draw.selected
        for attribute, value in by_id[i].attributes.items()
    )


def keeps_quotas(selected: list[Applicant], quotas: list[Quota]) -> bool:
    for quota in quotas:
        count = sum(quota.matches(a) for a in selected)
        if count < quota.minimum or (quota.maximum is not None and count > quota.maximum):
            return False
    return True


def test_a_town_panel_meets_every_quota() -> None:
    applicants = town(200)
    draw = draw_panel(
        applicants, seats=12, seed="Lotto 2026-11-21: 3 9 14 22 27 31 35", quotas=TOWN_QUOTAS
    )
    assert len(draw.selected) == len(set(draw.selected)) == 12
    seats = seats_by_value(draw, applicants)
    assert 5 <= seats[("gender", "F")] <= 7 and 5 <= seats[("gender", "M")] <= 7
    assert seats[("district", "Nord")] == 4 and seats[("district", "Øst")] >= 3
    assert 3 <= seats[("age_band", "18-29")] <= 5 and seats[("age_band", "50+")] <= 4


def test_same_seed_same_draw_whatever_the_input_order() -> None:
    applicants = town(120, seed=1)
    shuffled = list(applicants)
    random.Random(99).shuffle(shuffled)
    first = draw_panel(applicants, seats=12, seed="public seed", quotas=TOWN_QUOTAS)
    second = draw_panel(shuffled, seats=12, seed="public seed", quotas=list(reversed(TOWN_QUOTAS)))
    assert first == second
    other = draw_panel(applicants, seats=12, seed="another seed", quotas=TOWN_QUOTAS)
    assert other.selected != first.selected


def test_the_legacy_greedy_log_lets_anyone_replay_its_random_numbers() -> None:
    applicants = town(80, seed=2)
    draw = legacy_greedy_draw(applicants, seats=10, seed="2026 lottery", quotas=TOWN_QUOTAS[:4])
    rng = random.Random(int(draw.seed_digest, 16))
    for step in draw.steps:
        assert rng.randrange(step.pool_size) == step.position
    assert [s.applicant_id for s in draw.steps if s.accepted] == list(draw.selected)
    assert [s.seat for s in draw.steps if s.accepted] == list(range(1, 11))
    phases = [s.phase for s in draw.steps if s.accepted]
    assert phases == sorted(phases, key=lambda p: p is DrawPhase.FILL)  # minimums first
    # The first step fills the first quota in (attribute, value) order.
    assert draw.steps[0].stratum == ("district", "Nord")
    assert draw.applicants_digest == applicants_digest(reversed(applicants))


def test_legacy_greedy_draws_that_would_get_stuck_still_complete() -> None:
    # Two seats, one woman, one man, one young, one old. Drawing "young" first and then
    # the other young applicant would leave no seat for "old": that draw is set aside.
    applicants = [
        Applicant("a", {"gender": "F", "age": "young"}),
        Applicant("b", {"gender": "M", "age": "young"}),
        Applicant("c", {"gender": "F", "age": "old"}),
        Applicant("d", {"gender": "M", "age": "old"}),
    ]
    quotas = [Quota("gender", "F", 1), Quota("gender", "M", 1)]
    quotas += [Quota("age", "young", 1), Quota("age", "old", 1)]
    rejected = 0
    for seed in range(40):
        draw = legacy_greedy_draw(applicants, seats=2, seed=f"seed {seed}", quotas=quotas)
        chosen = [a for a in applicants if a.id in draw.selected]
        assert keeps_quotas(chosen, quotas)
        rejected += sum(not step.accepted for step in draw.steps)
    assert rejected > 0


@st.composite
def small_draws(draw: st.DrawFn) -> tuple[list[Applicant], list[Quota], int]:
    n = draw(st.integers(1, 8))
    applicants = [
        Applicant(
            draw(st.one_of(st.just(i), st.just(f"x{i}"))),  # ids may mix ints and strings
            {
                "gender": draw(st.sampled_from(GENDERS)),
                "district": draw(st.sampled_from(DISTRICTS)),
            },
        )
        for i in range(n)
    ]
    strata = draw(
        st.lists(
            st.sampled_from(
                [("gender", g) for g in GENDERS] + [("district", d) for d in DISTRICTS]
            ),
            unique=True,
            max_size=4,
        )
    )
    quotas = []
    for attribute, value in strata:
        minimum = draw(st.integers(0, 3))
        maximum = draw(st.one_of(st.none(), st.integers(minimum, minimum + 3)))
        quotas.append(Quota(attribute, value, minimum, maximum))
    return applicants, quotas, draw(st.integers(1, n))


@given(small_draws(), st.text(min_size=1, max_size=8).filter(str.strip))
@settings(max_examples=150, deadline=None)
def test_quotas_are_kept_or_the_draw_is_refused_as_infeasible(
    case: tuple[list[Applicant], list[Quota], int], seed: str
) -> None:
    applicants, quotas, seats = case
    feasible = any(keeps_quotas(list(panel), quotas) for panel in combinations(applicants, seats))
    if not feasible:
        with pytest.raises(InvalidInput) as error:
            draw_panel(applicants, seats=seats, seed=seed, quotas=quotas)
        assert error.value.key == "error.sortition.quota_conflict"
        return
    result = draw_panel(applicants, seats=seats, seed=seed, quotas=quotas)
    chosen = [a for a in applicants if a.id in result.selected]
    assert len(result.selected) == len(set(result.selected)) == len(chosen) == seats
    assert keeps_quotas(chosen, quotas)
    assert draw_panel(list(reversed(applicants)), seats=seats, seed=seed, quotas=quotas) == result


def test_infeasible_quotas_are_refused() -> None:
    applicants = town(30, seed=3)
    women = sum(a.attributes["gender"] == "F" for a in applicants)
    cases = [
        [Quota("gender", "F", women + 1)],  # more than there are applicants
        [Quota("gender", "F", 4), Quota("gender", "M", 4)],  # minimums above 6 seats
        [Quota("gender", "F", 0, 2), Quota("gender", "M", 0, 2)],  # maximums below 6 seats
        [Quota("district", "Vest", 1)],  # nobody from there applied
    ]
    named = [
        f"gender F: ≥ {women + 1}",
        "gender F: ≥ 4; gender M: ≥ 4",
        "gender F: ≤ 2; gender M: ≤ 2",
        "district Vest: ≥ 1",
    ]
    for quotas, conflict in zip(cases, named, strict=True):
        # A quota that is fine on its own is not named.
        with pytest.raises(InvalidInput) as error:
            draw_panel(
                applicants, seats=6, seed="s", quotas=[*quotas, Quota("age_band", "50+", 0, 5)]
            )
        assert error.value.key == "error.sortition.quota_conflict"
        assert error.value.params == {"seats": 6, "applicants": 30, "quotas": conflict}


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"seats": 3, "seed": "  "}, "error.sortition.seed_missing"),
        ({"seats": 0, "seed": "s"}, "error.sortition.seats_invalid"),
        ({"seats": 31, "seed": "s"}, "error.sortition.not_enough_applicants"),
        (
            {"seats": 3, "seed": "s", "quotas": [Quota("gender", "F", 3, 2)]},
            "error.sortition.quota_invalid",
        ),
        (
            {"seats": 3, "seed": "s", "quotas": [Quota("gender", "F", 1), Quota("gender", "F", 2)]},
            "error.sortition.duplicate_quota",
        ),
    ],
)
def test_invalid_draw_settings_are_refused(kwargs: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidInput) as error:
        draw_panel(town(30), **kwargs)
    assert error.value.key == key


def test_duplicate_applicants_are_refused() -> None:
    applicants = [*town(5), Applicant("app-0003", {"gender": "F"})]
    with pytest.raises(InvalidInput) as error:
        draw_panel(applicants, seats=2, seed="s")
    assert error.value.key == "error.sortition.duplicate_applicant"
    assert error.value.params == {"applicant_id": "app-0003"}


def test_without_quotas_every_applicant_can_be_drawn() -> None:
    applicants = town(10)
    seen = Counter(
        i for s in range(200) for i in draw_panel(applicants, seats=2, seed=str(s)).selected
    )
    assert set(seen) == {a.id for a in applicants}
    assert max(seen.values()) < 3 * min(seen.values())


# -- the fair lottery ---------------------------------------------------------------------------


def brute_force_maximin(
    applicants: list[Applicant], quotas: list[Quota], seats: int
) -> tuple[float, list[tuple[Applicant, ...]]]:
    """Every quota-meeting panel, and the maximin LP over all of them solved directly."""
    panels = [p for p in combinations(applicants, seats) if keeps_quotas(list(p), quotas)]
    reachable = [a for a in applicants if any(a in p for p in panels)]
    k = len(panels)
    rows = [[-(a in p) for p in panels] + [1.0] for a in reachable]
    result = linprog(
        c=[0.0] * k + [-1.0],
        A_ub=np.array(rows, dtype=float),
        b_ub=np.zeros(len(rows)),
        A_eq=np.array([[1.0] * k + [0.0]]),
        b_eq=[1.0],
        bounds=[(0, None)] * k + [(0, 1)],
        method="highs",
    )
    assert result.status == 0
    return float(result.x[-1]), panels


SMALL_CASES = [
    # (applicants, seats, quotas): skewed pools where a uniform draw would not meet quotas
    (town(8, seed=11), 3, [Quota("gender", "F", 1, 2), Quota("district", "Nord", 1, None)]),
    (town(9, seed=12), 4, [Quota("district", "Øst", 2, None), Quota("age_band", "50+", 0, 1)]),
    (
        town(10, seed=13),
        5,
        [Quota("gender", "M", 2, 3), Quota("district", "Syd", 1, 2), Quota("age_band", "18-29", 1)],
    ),
    (town(10, seed=14), 2, [Quota.exactly("gender", "F", 1), Quota.exactly("age_band", "50+", 1)]),
    (town(8, seed=15), 6, []),
]


@pytest.mark.parametrize(("applicants", "seats", "quotas"), SMALL_CASES)
def test_the_smallest_probability_is_the_maximin_optimum_found_by_brute_force(
    applicants: list[Applicant], seats: int, quotas: list[Quota]
) -> None:
    optimum, panels = brute_force_maximin(applicants, quotas, seats)
    draw = draw_panel(applicants, seats=seats, seed="s", quotas=quotas)
    probabilities = dict(draw.distribution.probabilities)
    reachable = {a.id for p in panels for a in p}
    assert min(probabilities[i] for i in reachable) == pytest.approx(optimum, abs=1e-6)
    assert all(probabilities[a.id] == 0 for a in applicants if a.id not in reachable)
    # The probabilities add up to the seats and are those of the published compositions.
    assert sum(probabilities.values()) == pytest.approx(seats, abs=1e-6)
    assert sum(p for _, p in draw.distribution.compositions) == pytest.approx(1, abs=1e-8)
    for group, members in enumerate(draw.distribution.groups):
        expected = sum(c[group] * p for c, p in draw.distribution.compositions) / len(members)
        assert all(probabilities[i] == pytest.approx(expected, abs=1e-8) for i in members)


def test_the_fair_lottery_gives_small_groups_more_than_the_greedy_draw() -> None:
    # One woman aged 50+ among many: a greedy fill almost never draws the others like her.
    applicants = [Applicant(i, {"gender": "M", "age_band": "18-29"}) for i in range(14)]
    applicants += [Applicant(20 + i, {"gender": "F", "age_band": "50+"}) for i in range(4)]
    applicants += [Applicant(30 + i, {"gender": "F", "age_band": "18-29"}) for i in range(2)]
    quotas = [Quota("gender", "F", 1, 2), Quota("age_band", "50+", 1, None)]
    fair = draw_panel(applicants, seats=4, seed="s", quotas=quotas)
    optimum, _ = brute_force_maximin(applicants, quotas, 4)
    assert fair.distribution.minimum == pytest.approx(optimum, abs=1e-6)
    greedy = Counter(
        i
        for s in range(300)
        for i in legacy_greedy_draw(applicants, seats=4, seed=str(s), quotas=quotas).selected
    )
    assert min(greedy[a.id] for a in applicants) / 300 < fair.distribution.minimum - 0.05


@given(small_draws(), st.text(min_size=1, max_size=8).filter(str.strip))
@settings(max_examples=120, deadline=None)
def test_every_panel_in_the_lottery_and_every_drawn_panel_meets_the_quotas(
    case: tuple[list[Applicant], list[Quota], int], seed: str
) -> None:
    applicants, quotas, seats = case
    if not any(keeps_quotas(list(p), quotas) for p in combinations(applicants, seats)):
        return
    draw = draw_panel(applicants, seats=seats, seed=seed, quotas=quotas)
    by_id = {a.id: a for a in applicants}
    assert keeps_quotas([by_id[i] for i in draw.selected], quotas)
    for counts, _ in draw.distribution.compositions:
        # Any panel of this composition: the first members of each group.
        panel = [
            by_id[i]
            for members, n in zip(draw.distribution.groups, counts, strict=True)
            for i in members[:n]
        ]
        assert len(panel) == seats and keeps_quotas(panel, quotas)


def test_many_seeds_every_panel_meets_the_quotas() -> None:
    applicants = town(60, seed=5)
    first = draw_panel(applicants, seats=12, seed="lotto 0", quotas=TOWN_QUOTAS)
    again = draw_panel(list(reversed(applicants)), seats=12, seed="lotto 1", quotas=TOWN_QUOTAS)
    assert again.distribution == first.distribution  # computed the same way every time
    by_id = {a.id: a for a in applicants}
    panels = {
        sample_panel(
            first.distribution,
            seed=f"lotto {s}",
            fingerprint=first.applicants_digest,
            quotas=TOWN_QUOTAS,
            seats=12,
        ).selected
        for s in range(1000)
    }
    assert len(panels) > 900
    for panel in panels:
        assert keeps_quotas([by_id[i] for i in panel], TOWN_QUOTAS)


def test_the_randomness_is_sha256_of_seed_fingerprint_quotas_and_seats() -> None:
    applicants = town(40, seed=6)
    quotas = TOWN_QUOTAS[:3]
    draw = draw_panel(applicants, seats=12, seed="Lotto 3 11 17", quotas=quotas)
    text = quotas_json(quotas)
    assert text == quotas_json(reversed(quotas))  # canonical

    def number(k: int) -> int:
        message = f"Lotto 3 11 17|{draw.applicants_digest}|{text}|12|{k}"
        return int(hashlib.sha256(message.encode()).hexdigest(), 16)

    assert draw.uniform == (number(0) >> 192) / 2**64
    cumulative = np.cumsum([p for _, p in draw.distribution.compositions])
    assert draw.composition == int(np.searchsorted(cumulative, draw.uniform, side="right"))
    for k, step in enumerate(draw.steps, start=1):
        assert number(k) % step.pool_size == step.position
    assert [s.applicant_id for s in draw.steps] == list(draw.selected)
    # Replaying the sampling from the published distribution gives the same draw.
    replay = sample_panel(
        draw.distribution,
        seed="Lotto 3 11 17",
        fingerprint=draw.applicants_digest,
        quotas=quotas,
        seats=12,
    )
    assert replay == draw


def test_a_quota_added_between_two_draws_with_the_same_seed_changes_the_record() -> None:
    applicants = town(40, seed=7)
    before = draw_panel(applicants, seats=12, seed="same", quotas=TOWN_QUOTAS[:1])
    after = draw_panel(applicants, seats=12, seed="same", quotas=TOWN_QUOTAS[:2])
    assert before.applicants_digest == after.applicants_digest
    assert before.quotas != after.quotas  # the quotas in force are in the record
    assert before.uniform != after.uniform  # and in the randomness
