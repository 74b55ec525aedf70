"""The same feature services on SQLite and on PostgreSQL: what one write and one read cost.

One process, one phone: it posts ideas (``ideas.submit_idea``, one transaction each) and then
places and takes back dots (``ballots.place_dot``/``remove_dot``); between writes it reads the
newest ideas as a phone's refresh does (``ideas.ideas_changed_since``). SQLite is a fresh file
in the temporary directory (WAL, synchronous FULL, the default); PostgreSQL a fresh database on the
server at ``--url`` (default: the one ``bash scripts/postgres`` starts). Both engines alternate
in rounds so the machine's load hits both alike. Prints p50/p95/max in ms per operation.

    python benchmarks/bench_engines.py [--writes 300] [--rounds 2] [--url postgresql://…]
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
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.voting import ballots

DEFAULT_URL = "postgresql://samskab@127.0.0.1:55432/samskab"


def _fresh_postgres(admin_url: str, n: int) -> str:
    import psycopg

    name = f"samskab_bench_{os.getpid()}_{n}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return admin_url.rpartition("/")[0] + "/" + name


def _drop_postgres(admin_url: str, url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {url.rpartition('/')[2]} WITH (FORCE)")


def run(target: str, writes: int) -> dict[str, list[float]]:
    store = open_store(target)
    times: dict[str, list[float]] = {"submit idea": [], "read changes": [], "dot": []}

    def timed(name: str, call, *args, **kwargs):  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        result = call(*args, **kwargs)
        times[name].append((time.perf_counter() - began) * 1000)
        return result

    try:
        meeting = make_meeting(store)
        start(store, meeting)
        phone = join(store, meeting, "Anna")
        posted = []
        for i in range(writes):
            posted.append(
                timed("submit idea", ideas.submit_idea, store, phone, f"idé {i}", per_minute=10**6)
            )
            timed("read changes", ideas.ideas_changed_since, store, meeting.id, max(0, i - 5))
        meetings.next_step(store, meeting.id, actor=None)
        vote_round = ballots.current_round(store, meeting.id)
        assert vote_round is not None
        voter = join(store, meeting, "Bo")
        for i in range(writes // 2):
            idea = posted[i % len(posted)]
            timed("dot", ballots.place_dot, store, voter, vote_round.id, idea.id)
            timed("dot", ballots.remove_dot, store, voter, vote_round.id, idea.id)
    finally:
        store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--url", default=os.environ.get("SAMSKAB_TEST_POSTGRES_URL", DEFAULT_URL))
    args = parser.parse_args()
    os.environ.setdefault("SAMSKAB_SECRET_KEY", "benchmark key")
    results: dict[str, dict[str, list[float]]] = {"sqlite": {}, "postgresql": {}}
    with tempfile.TemporaryDirectory() as workdir:
        for n in range(args.rounds):
            for engine in ("sqlite", "postgresql"):
                if engine == "sqlite":
                    target = str(Path(workdir) / f"bench-{n}.db")
                else:
                    target = _fresh_postgres(args.url, n)
                try:
                    for name, values in run(target, args.writes).items():
                        results[engine].setdefault(name, []).extend(values)
                finally:
                    if engine == "postgresql":
                        _drop_postgres(args.url, target)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("| operation | SQLite p50/p95/max ms | PostgreSQL p50/p95/max ms | n |")
    print("|---|---|---|---|")
    for name in results["sqlite"]:
        cells = []
        for engine in ("sqlite", "postgresql"):
            values = sorted(results[engine][name])
            p95 = values[int(0.95 * (len(values) - 1))]
            cells.append(f"{statistics.median(values):.2f}/{p95:.2f}/{values[-1]:.1f}")
        print(f"| {name} | {cells[0]} | {cells[1]} | {len(results['sqlite'][name])} |")


if __name__ == "__main__":
    main()
