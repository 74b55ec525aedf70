"""Time opinion groups on a synthetic conversation the size of Bowling Green 2018.

Bowling Green's Pol.is conversation had 2,026 participants, 609 statements and 225,460 votes
(``shared/docs/peers.md`` §c). This script plants a few opinion camps and a few consensus
statements in a data set of that size (seeded, so every run sees the same votes), then prints
how long :func:`workshop.voting.opinion_groups.compute_opinion_groups` takes: best of 3 and median,
from scratch and (as the app computes) from the previous computation's memory.
The target is ≤ 3 s on the 2-core development machine.

Run: ``python benchmarks/bench_opinion_groups.py [--repeat 3] [--seed 2018]``
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from workshop.voting.opinion_groups import (
    GroupMemory,
    VoteMatrix,
    build_vote_matrix,
    compute_opinion_groups,
)

PARTICIPANTS = 2_000
STATEMENTS = 600
VOTES = 225_000
CAMP_SHARES = (0.45, 0.35, 0.20)
CONSENSUS_STATEMENTS = 5
PASS_RATE = 0.15


def synthetic_conversation(seed: int) -> tuple[VoteMatrix, np.ndarray]:
    """A seeded vote matrix with planted camps, and each participant's camp."""
    rng = np.random.default_rng(seed)
    camps = rng.choice(len(CAMP_SHARES), size=PARTICIPANTS, p=CAMP_SHARES)
    # Each camp agrees with a statement with its own probability; consensus statements are
    # agreed by everyone.
    agree_probability = rng.choice([0.1, 0.5, 0.9], size=(len(CAMP_SHARES), STATEMENTS))
    agree_probability[:, :CONSENSUS_STATEMENTS] = 0.92
    # Activity is skewed like real conversations: a few people vote on hundreds of statements,
    # many on a couple of dozen; statement popularity is skewed too (early ones are seen more).
    activity = rng.lognormal(mean=0.0, sigma=0.8, size=PARTICIPANTS)
    # 10 % extra before clipping at the number of statements, then trimmed to exactly VOTES.
    per_participant = np.clip(np.round(activity / activity.sum() * VOTES * 1.1), 1, STATEMENTS)
    per_participant = per_participant.astype(np.int64)
    popularity = rng.lognormal(mean=0.0, sigma=0.5, size=STATEMENTS)
    popularity /= popularity.sum()
    participant_idx, statement_idx = [], []
    for participant, count in enumerate(per_participant):
        seen = rng.choice(STATEMENTS, size=count, replace=False, p=popularity)
        participant_idx.append(np.full(count, participant))
        statement_idx.append(seen)
    participants = np.concatenate(participant_idx)
    statements = np.concatenate(statement_idx)
    order = rng.permutation(len(participants))[:VOTES]  # exactly the anchor's size
    participants, statements = participants[order], statements[order]
    agree = rng.random(len(participants)) < agree_probability[camps[participants], statements]
    values = np.where(agree, 1, -1)
    values[rng.random(len(participants)) < PASS_RATE] = 0
    matrix = VoteMatrix(
        participant_idx=participants,
        statement_idx=statements,
        values=values,
        participant_ids=tuple(range(PARTICIPANTS)),
        statement_ids=tuple(range(STATEMENTS)),
    )
    return matrix, camps


def purity(labels: np.ndarray, truth: np.ndarray) -> float:
    """Share of participants whose group's majority camp is their own camp."""
    agreeing = sum(np.bincount(truth[labels == g]).max() for g in np.unique(labels))
    return float(agreeing / len(labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()

    matrix, camps = synthetic_conversation(args.seed)
    print(
        f"data: {matrix.shape[0]:,} participants × {matrix.shape[1]:,} statements, "
        f"{matrix.n_votes:,} votes, {len(CAMP_SHARES)} planted camps"
    )

    triples = list(
        zip(
            matrix.participant_idx.tolist(),
            matrix.statement_idx.tolist(),
            matrix.values.tolist(),
            strict=True,
        )
    )
    started = time.perf_counter()
    build_vote_matrix(triples)
    print(
        f"build_vote_matrix from {len(triples):,} id triples: {time.perf_counter() - started:.3f} s"
    )

    compute_opinion_groups(matrix)  # warm-up: first calls load BLAS and OpenMP thread pools
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = compute_opinion_groups(matrix)
        timings.append(time.perf_counter() - started)

    grouped_camps = camps[np.asarray(result.participant_ids, dtype=np.int64)]
    print(
        f"compute_opinion_groups: best of {args.repeat} {min(timings):.3f} s, "
        f"median {statistics.median(timings):.3f} s"
    )
    # As the app computes: from the previous computation's memory, read back from its JSON.
    remembered = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        memory = GroupMemory.from_json(result.memory.to_json()) if result.memory else None
        again = compute_opinion_groups(matrix, previous=memory)
        stored = again.memory.to_json() if again.memory else ""
        remembered.append(time.perf_counter() - started)
    print(
        f"with the previous memory (JSON {len(stored) / 1000:.0f} kB read and written): "
        f"best of {args.repeat} {min(remembered):.3f} s, "
        f"median {statistics.median(remembered):.3f} s"
    )
    print(
        f"status: {result.status.value}; groups found: {len(result.groups)} "
        f"(sizes {[group.size for group in result.groups]}); "
        f"grouped participants: {len(result.participant_ids):,}"
    )
    print(f"silhouette by k: {[(k, round(s, 3)) for k, s in result.silhouette_by_k]}")
    if result.has_groups:
        print(f"purity against planted camps: {purity(result.labels, grouped_camps):.3f}")
    print(f"consensus (agree): {[c.statement_id for c in result.consensus_agree]}")


if __name__ == "__main__":
    main()
