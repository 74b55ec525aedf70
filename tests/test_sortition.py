"""Sortition: reproducible from the seed, quotas always kept, infeasible quotas refused."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.errors import InvalidInput
from workshop.sortition import (
    Applicant,
    Draw,
    DrawPhase,
    Quota,
    applicants_digest,
    draw_panel,
)

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


def test_the_log_lets_anyone_replay_the_random_numbers() -> None:
    applicants = town(80, seed=2)
    draw = draw_panel(applicants, seats=10, seed="2026 lottery", quotas=TOWN_QUOTAS[:4])
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


def test_draws_that_a_greedy_fill_would_get_stuck_on_still_complete() -> None:
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
        draw = draw_panel(applicants, seats=2, seed=f"seed {seed}", quotas=quotas)
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
        assert error.value.key == "error.sortition.infeasible"
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
    for quotas in cases:
        with pytest.raises(InvalidInput) as error:
            draw_panel(applicants, seats=6, seed="s", quotas=quotas)
        assert error.value.key == "error.sortition.infeasible"
        assert error.value.params == {"seats": 6, "applicants": 30}


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
