"""What FULL costs per commit: the same writes with SAMSKAB_SQLITE_SYNCHRONOUS=NORMAL and FULL.

One process, one phone posting ideas (each one transaction through ``ideas.submit_idea``,
as the app does) into a fresh database on the disk under the temporary directory, both
settings alternated in rounds so the machine's load hits both alike. Prints p50/p95/max
per commit and commits per second.

    python benchmarks/bench_synchronous.py [--commits 400] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.meetings import ideas


def run(level: str, commits: int, workdir: Path, n: int) -> list[float]:
    os.environ["SAMSKAB_SQLITE_SYNCHRONOUS"] = level
    store = open_store(workdir / f"{level}-{n}.db")
    assert store.scalar("PRAGMA synchronous") == {"NORMAL": 1, "FULL": 2}[level]
    meeting = make_meeting(store)
    start(store, meeting)
    phone = join(store, meeting, "Anna")
    times = []
    for i in range(commits):
        began = time.perf_counter()
        ideas.submit_idea(store, phone, f"idé {i}", per_minute=10**6)
        times.append((time.perf_counter() - began) * 1000)
    store.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="samskab-sync-"))
    results: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    for n in range(args.rounds):
        for level in results:
            results[level] += run(level, args.commits, workdir, n)
    for level, times in results.items():
        times.sort()
        p95 = times[int(len(times) * 0.95)]
        print(
            f"{level:<6} {len(times)} commits: p50 {statistics.median(times):.2f} ms,"
            f" p95 {p95:.2f} ms, max {times[-1]:.2f} ms,"
            f" {1000 * len(times) / sum(times):.0f} commits/s"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
