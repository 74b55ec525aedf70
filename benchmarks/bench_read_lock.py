"""Does a phone's poll wait while an export and a cold summary read the same database?

One process, one shared :class:`~workshop.db.Store` (as in the app: every Streamlit session of
a process shares it). The database has 10,000 ideas and 200,000 votes (the seed of
``bench_summary.py``: 20 committees × 5 meetings × 100 ideas, 200 phones per meeting placing
10 dots; built once and cached under the temp dir, ``--rebuild`` builds it again).

A phone's poll is what the brainstorm stream fragment of ``ui/pages/participate.py`` asks on a
refresh that finds news: ``meetings.meeting_state`` (has the room moved on?) and
``ideas.ideas_changed_since`` (the phone's window of the stream). It is timed

- idle: nothing else runs;
- under load: two other threads loop, one over ``exports.export_records`` for all committees
  (every table, 200,000 votes, in one ``store.snapshot()``), one over a cold
  ``reports.build_summary`` for all committees (the summary cache cleared each time).

Prints p50/p95/max of both, and checks the target: p95 under load ≤ 2 × idle p95 and
max ≤ 50 ms.

The poll's wait under load has three parts: the Store's lock (gone since reads have their own
connections); Python's GIL, which the export and summary threads hold while they build
DataFrames (a thread waiting for it gets it after the switch interval, 5 ms, at each of the
poll's sqlite3 calls); and, on a busy machine, waiting for a core. Under load each poll is
followed by a *control*: no database, only the poll's 8 GIL hand-offs, timed the same way:
what any thread of the process waits anyway. ``--switch-interval`` varies the GIL's (default:
the app's 1 ms, ``workshop.ui.runtime``).

Run: ``python benchmarks/bench_read_lock.py [--seconds 20] [--rebuild] [--switch-interval MS]``
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_summary import seed  # noqa: E402

from workshop import workers  # noqa: E402
from workshop.app import open_store  # noqa: E402
from workshop.db import Store  # noqa: E402
from workshop.meetings import core as meetings  # noqa: E402
from workshop.meetings import ideas  # noqa: E402
from workshop.reports import exports  # noqa: E402
from workshop.reports import summary as reports  # noqa: E402
from workshop.ui import runtime  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "samskab-bench-read-lock" / "10k-ideas-200k-votes.db"
STREAM_WINDOW = 36  # participate.py: STREAM_WINDOW = 3 * STREAM_LENGTH
POLL_EVERY_S = 0.01  # between two polls of the measuring "phone"
# sqlite3 lets go of the GIL around each sqlite3_step: meeting_state steps twice (its row, the
# end), ideas_changed_since six times (five ideas, the end).
GIL_HANDOFFS = 8


def built_database(rebuild: bool) -> Path:
    if CACHE.exists() and not rebuild:
        return CACHE
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = CACHE.with_suffix(".building")
    for leftover in CACHE.parent.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    store = open_store(partial)
    counts = seed(store, random.Random(2026))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    partial.replace(CACHE)
    print(f"built {counts} in {time.perf_counter() - started:.1f} s → {CACHE}")
    return CACHE


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(values: list[float]) -> tuple[float, float, float]:
    return (statistics.median(values), percentile(values, 0.95), max(values))


def poll_loop(
    store: Store, meeting_id: int, seconds: float, count: int | None = None, control: bool = False
) -> tuple[list[float], list[float]]:
    """A phone polling every POLL_EVERY_S; returns each poll's time in ms.

    With ``control``, every poll is followed by a control timed the same way: no database,
    only as many GIL hand-offs as the poll makes (``time.sleep(0)`` lets go of the GIL and
    takes it back, as sqlite3 does around each ``sqlite3_step``). Under load it shows what any
    thread of this process waits anyway: for the GIL, and for a core on a busy machine.
    """
    last_seq = int(store.scalar("SELECT MAX(seq) FROM ideas WHERE meeting_id = ?", [meeting_id]))
    times: list[float] = []
    controls: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline and (count is None or len(times) < count):
        start = time.perf_counter()
        meetings.meeting_state(store, meeting_id)
        ideas.ideas_changed_since(store, meeting_id, last_seq - 5, limit=STREAM_WINDOW)
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(POLL_EVERY_S)
        if control:
            start = time.perf_counter()
            for _ in range(GIL_HANDOFFS):
                time.sleep(0)
            controls.append((time.perf_counter() - start) * 1000)
            time.sleep(POLL_EVERY_S)
    return times, controls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="polling time under load")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=runtime.SWITCH_INTERVAL_S * 1000,
        help="sys.setswitchinterval in ms (default: the app's, workshop.ui.runtime)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help=f"build exports and summaries in this process ({workers.WORKERS_ENV}=0), as before",
    )
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_interval / 1000)
    if args.in_process:
        os.environ[workers.WORKERS_ENV] = "0"

    source = built_database(args.rebuild)
    folder = Path(tempfile.mkdtemp(prefix="bench-read-lock-"))
    path = folder / "bench.db"
    shutil.copyfile(source, path)
    store = open_store(path)
    ideas_n = store.scalar("SELECT COUNT(*) FROM ideas")
    votes_n = store.scalar("SELECT COUNT(*) FROM ballot_entries")
    meeting_id = int(store.scalar("SELECT MAX(id) FROM meetings"))
    count = workers.worker_count()
    where = f"in {count} worker processes" if count else "in this process"
    print(
        f"{ideas_n:,} ideas, {votes_n:,} votes, one shared Store;"
        f" GIL switch interval {sys.getswitchinterval() * 1000:g} ms;"
        f" exports and summaries built {where};"
        f" load average {os.getloadavg()[0]:.1f}"
    )

    poll_loop(store, meeting_id, 1.0, count=50)  # warm the page cache and statement caches
    idle, _ = poll_loop(store, meeting_id, args.seconds, count=1000)

    stop = threading.Event()
    done = {"exports": 0, "summaries": 0}
    spent = {"exports": 0.0, "summaries": 0.0}

    def export_loop() -> None:
        kinds = itertools.cycle(exports.EXPORT_KINDS)
        while not stop.is_set():
            start = time.perf_counter()
            exports.export_file(store, None, next(kinds))
            spent["exports"] += time.perf_counter() - start
            done["exports"] += 1

    def summary_loop() -> None:
        today = date.today()
        while not stop.is_set():
            reports.summary_cache().clear()
            start = time.perf_counter()
            reports.get_summary(store, None, today=today)
            spent["summaries"] += time.perf_counter() - start
            done["summaries"] += 1

    load = [threading.Thread(target=export_loop), threading.Thread(target=summary_loop)]
    for thread in load:
        thread.start()
    try:
        busy, control = poll_loop(store, meeting_id, args.seconds, control=True)
    finally:
        stop.set()
        for thread in load:
            thread.join()
    store.close()
    workers.shutdown()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

    i50, i95, imax = figures(idle)
    b50, b95, bmax = figures(busy)
    print()
    print(f"{'phone poll (ms)':<34}{'polls':>7}{'p50':>9}{'p95':>9}{'max':>9}")
    print(f"{'idle':<34}{len(idle):>7}{i50:>9.2f}{i95:>9.2f}{imax:>9.2f}")
    print(f"{'under export + cold summary':<34}{len(busy):>7}{b50:>9.2f}{b95:>9.2f}{bmax:>9.2f}")
    c50, c95, cmax = figures(control)
    label = f"  control: {GIL_HANDOFFS} GIL hand-offs, no db"
    print(f"{label:<34}{len(control):>7}{c50:>9.2f}{c95:>9.2f}{cmax:>9.2f}")
    for name in ("exports", "summaries"):
        each = spent[name] / done[name] if done[name] else float("nan")
        print(f"  {name} meanwhile: {done[name]} done, {each:.2f} s each")
    p95_ok = b95 <= 2 * i95
    max_ok = bmax <= 50
    print(
        f"target p95 ≤ 2 × idle ({2 * i95:.2f} ms): {'met' if p95_ok else 'MISSED'};"
        f" max ≤ 50 ms: {'met' if max_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
