"""Compare the fair (leximin) draw with the greedy draw used before, on seeded pools.

For each pool it prints the smallest and largest selection probability of any applicant, the
Gini coefficient of the probabilities, the number of applicants below 1 %, and the time:

* **greedy (before)**: :func:`workshop.committees.sortition.legacy_greedy_draw`. Its
  probabilities are not computed by the method, so they are estimated from ``--draws`` seeded
  draws (seeds "bench 0", "bench 1", …); the time is the mean per draw.
* **leximin (now)**: :func:`workshop.committees.sortition.draw_panel`, whose probabilities are exact
  (the published distribution); the time is one whole draw, lottery included.

Pools (seeded, the same on every run):

* ``200 → 10 easy``: an even pool with loose quotas.
* ``200 → 10 hard``: a skewed pool with tight quotas: few aged 65+, few women, one small
  district, each with a minimum.
* ``500 → 15``: a larger pool with quotas on gender, age and district.

Run: ``python benchmarks/bench_sortition.py [--draws 1000]`` (target: 500 → 15 in ≤ 10 s on
the 2-core development machine).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Sequence

from workshop.committees.sortition import Applicant, Quota, draw_panel, legacy_greedy_draw


def gini(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    total = sum(ordered)
    if total == 0:
        return 0.0
    weighted = sum((2 * (i + 1) - n - 1) * v for i, v in enumerate(ordered))
    return weighted / (n * total)


def pool(size: int, *, seed: int, weights: dict[str, dict[str, float]]) -> list[Applicant]:
    rng = random.Random(seed)
    return [
        Applicant(
            i + 1,
            {
                attribute: rng.choices(list(shares), weights=list(shares.values()))[0]
                for attribute, shares in weights.items()
            },
        )
        for i in range(size)
    ]


EVEN = {
    "gender": {"woman": 0.5, "man": 0.5},
    "age_band": {"under_25": 0.2, "25_39": 0.3, "40_64": 0.3, "65_plus": 0.2},
    "district": {"Nord": 0.34, "Syd": 0.33, "Øst": 0.33},
}
SKEWED = {
    "gender": {"woman": 0.15, "man": 0.85},
    "age_band": {"under_25": 0.15, "25_39": 0.35, "40_64": 0.44, "65_plus": 0.06},
    "district": {"Nord": 0.55, "Syd": 0.40, "Vest": 0.05},
}

CASES: list[tuple[str, list[Applicant], int, list[Quota]]] = [
    (
        "200 → 10 easy",
        pool(200, seed=1, weights=EVEN),
        10,
        [
            Quota("gender", "woman", 4, 6),
            Quota("gender", "man", 4, 6),
            Quota("age_band", "under_25", 1, None),
            Quota("district", "Nord", 2, 5),
        ],
    ),
    (
        "200 → 10 hard",
        pool(200, seed=2, weights=SKEWED),
        10,
        [
            Quota("gender", "woman", 4, 6),
            Quota("gender", "man", 4, 6),
            Quota("age_band", "65_plus", 2, None),
            Quota("age_band", "under_25", 2, None),
            Quota("district", "Vest", 2, None),
            Quota("district", "Nord", 0, 5),
        ],
    ),
    (
        "500 → 15",
        pool(500, seed=3, weights=SKEWED),
        15,
        [
            Quota("gender", "woman", 6, 9),
            Quota("gender", "man", 6, 9),
            Quota("age_band", "under_25", 2, 5),
            Quota("age_band", "25_39", 2, 6),
            Quota("age_band", "40_64", 2, 6),
            Quota("age_band", "65_plus", 2, 4),
            Quota("district", "Nord", 3, 7),
            Quota("district", "Syd", 3, 7),
            Quota("district", "Vest", 2, 4),
        ],
    ),
]


def row(name: str, method: str, probabilities: list[float], seconds: float) -> str:
    low = sum(p < 0.01 for p in probabilities)
    return (
        f"| {name} | {method} | {min(probabilities):.4f} | {max(probabilities):.4f}"
        f" | {gini(probabilities):.3f} | {low} | {seconds:.3f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--draws", type=int, default=1000, help="greedy draws per pool")
    args = parser.parse_args()
    print("| pool | method | min p | max p | Gini | below 1 % | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, applicants, seats, quotas in CASES:
        counts: Counter[object] = Counter()
        started = time.perf_counter()
        for s in range(args.draws):
            counts.update(
                legacy_greedy_draw(
                    applicants, seats=seats, seed=f"bench {s}", quotas=quotas
                ).selected
            )
        per_draw = (time.perf_counter() - started) / args.draws
        greedy = [counts[a.id] / args.draws for a in applicants]
        print(row(name, f"greedy (before, {args.draws} draws)", greedy, per_draw))
        started = time.perf_counter()
        draw = draw_panel(applicants, seats=seats, seed="bench", quotas=quotas)
        seconds = time.perf_counter() - started
        fair = [p for _, p in draw.distribution.probabilities]
        print(row(name, "leximin (now, exact)", fair, seconds))


if __name__ == "__main__":
    main()
