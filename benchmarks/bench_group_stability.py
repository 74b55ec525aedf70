"""Replay a room voting on statements and count how often opinion groups flicker.

A deterministic stream of about 1,500 votes from 80 participants in three latent camps
(``tests/group_replay.py``) is replayed; the opinion groups are recomputed at every 2 % of
the votes, as the projector does while the room votes. Per update the script prints the
number of groups (k), whether it changed, how many participants changed letter, and how many
of those had not changed a single vote since the previous update ("unmoved voters": their
letter should stay). Totals at the end; the time per computation is printed too.

``--memoryless`` computes every update from scratch (the behaviour before issue 16: no
memory between runs, letters by size); the default carries the groups' memory from one update
to the next, as the app does through the database.

Run: ``python benchmarks/bench_group_stability.py [--seed 16] [--memoryless] [--quiet]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.group_replay import growing_stream, replay
from workshop.voting import opinion_groups


def memoryless(matrix: Any, memory: Any) -> tuple[opinion_groups.OpinionGroups, Any]:
    return opinion_groups.compute_opinion_groups(matrix), None


def remembering(matrix: Any, memory: Any) -> tuple[opinion_groups.OpinionGroups, Any]:
    result = opinion_groups.compute_opinion_groups(matrix, previous=memory)  # type: ignore[call-arg]
    return result, result.memory  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--memoryless", action="store_true", help="no memory between updates")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args()

    stream = growing_stream(seed=args.seed)
    participants = len({p for p, _, _ in stream})
    print(
        f"stream: {len(stream):,} votes from {participants} participants; "
        f"{'no memory between updates' if args.memoryless else 'groups remembered'}"
    )
    started = time.perf_counter()
    figures = replay(stream, memoryless if args.memoryless else remembering)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        print("update  votes  k  k-change  compared  letter-changes  unmoved  unmoved-swaps")
        for u in figures.updates:
            print(
                f"{u.update:6d} {u.votes:6d} {u.k:2d}  {'yes' if u.k_changed else '   ':8s}"
                f" {u.compared:8d} {u.letter_changes:15d} {u.unmoved:8d} {u.swaps_unmoved:14d}"
            )
    print(f"k per update: {figures.k_sequence}")
    print(
        f"updates compared: {figures.compared_updates}; k changes: {figures.k_changes}; "
        f"letter changes: {figures.letter_changes}; "
        f"swaps for unmoved voters: {figures.swaps_unmoved} "
        f"(+ {figures.swaps_unmoved_at_k_change} at k changes)"
    )
    print(f"time: {elapsed:.2f} s for {len(figures.updates)} computations")


if __name__ == "__main__":
    main()
