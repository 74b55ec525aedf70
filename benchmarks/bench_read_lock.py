"""Does a phone's poll wait while an export and a cold summary read the same database?

One process, one shared :class:`~workshop.db.Store` (as in the app: every Streamlit session of
a process shares it). The database has 10,000 ideas and 200,000 votes (the seed of
``bench_summary.py``: 20 committees × 5 meetings × 100 ideas, 200 phones per meeting placing
10 dots; built once and cached under the temp dir, ``--rebuild`` builds it again).

A phone's poll is what the brainstorm stream fragment of ``ui/pages/participate.py`` asks on a
refresh that finds news: ``meetings.meeting_state`` (has the room moved on?) and
``ideas.ideas_changed_since`` (the phone's window of the stream). It is timed

- idle: nothing else runs;
- under load: two other threads loop, one over ``exports.export_file`` for all committees
  (csv, json and xlsx in turn: every table, 200,000 votes, one snapshot each), one over a cold
  ``reports.get_summary`` for all committees (the app's summary cache cleared each time);
  polling goes on until ``--seconds`` have passed *and* ``--min-exports`` exports and
  ``--min-summaries`` summaries have finished inside the window;
- both ways in one run: first with the jobs built in this process (``SAMSKAB_REPORT_WORKERS=0``,
  the control), then in worker processes (``workshop.workers``, started before the window).

Prints p50/p95/max of both, and checks the target: p95 under load ≤ 2 × idle p95 and
max ≤ 50 ms.

The poll's wait under load has three parts: the Store's lock (gone since reads have their own
connections); Python's GIL, which the export and summary threads hold while they build
DataFrames (a thread waiting for it gets it after the switch interval, 5 ms, at each of the
poll's sqlite3 calls); and, on a busy machine, waiting for a core. Under load each poll is
followed by a *control*: no database, only the poll's 8 GIL hand-offs, timed the same way:
what any thread of the process waits anyway. ``--switch-interval`` varies the GIL's (default:
the app's 1 ms, ``workshop.ui.runtime``).

Run: ``python benchmarks/bench_read_lock.py [--seconds 20] [--min-exports 3] [--min-summaries 3]
[--only workers|in-process] [--rebuild] [--switch-interval MS]``
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


def under_load(
    store: Store, meeting_id: int, args: argparse.Namespace
) -> tuple[list[float], list[float], dict[str, list[float]]]:
    """Poll while one thread loops over exports (csv, json, xlsx in turn) and another over
    cold summaries, until ``--seconds`` have passed AND at least ``--min-exports`` exports and
    ``--min-summaries`` summaries have *finished* inside the polling window (at most
    ``--max-seconds``). Returns the polls, the controls and each finished job's seconds."""
    stop = threading.Event()
    finished: dict[str, list[float]] = {"exports": [], "summaries": []}

    def export_loop() -> None:
        kinds = itertools.cycle(exports.EXPORT_KINDS)
        while not stop.is_set():
            start = time.perf_counter()
            exports.export_file(store, None, next(kinds))
            if not stop.is_set():
                finished["exports"].append(time.perf_counter() - start)

    def summary_loop() -> None:
        today = date.today()
        while not stop.is_set():
            reports.summary_cache().clear()
            start = time.perf_counter()
            reports.get_summary(store, None, today=today)
            if not stop.is_set():
                finished["summaries"].append(time.perf_counter() - start)

    load = [threading.Thread(target=export_loop), threading.Thread(target=summary_loop)]
    for thread in load:
        thread.start()
    polls: list[float] = []
    controls: list[float] = []
    began = time.perf_counter()
    try:
        while True:
            busy, control = poll_loop(store, meeting_id, 1.0, control=True)
            polls += busy
            controls += control
            elapsed = time.perf_counter() - began
            enough = (
                elapsed >= args.seconds
                and len(finished["exports"]) >= args.min_exports
                and len(finished["summaries"]) >= args.min_summaries
            )
            if enough or elapsed >= args.max_seconds:
                break
    finally:
        stop.set()  # jobs finishing after this are not counted
        for thread in load:
            thread.join()
    return polls, controls, {name: list(times) for name, times in finished.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="least polling under load")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="most polling under load")
    parser.add_argument("--min-exports", type=int, default=3, help="exports finished meanwhile")
    parser.add_argument("--min-summaries", type=int, default=3, help="summaries finished meanwhile")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=runtime.SWITCH_INTERVAL_S * 1000,
        help="sys.setswitchinterval in ms (default: the app's, workshop.ui.runtime)",
    )
    parser.add_argument(
        "--only",
        choices=("workers", "in-process"),
        help="measure one way only (default: both, in-process first as the control)",
    )
    args = parser.parse_args()
    sys.setswitchinterval(args.switch_interval / 1000)

    source = built_database(args.rebuild)
    folder = Path(tempfile.mkdtemp(prefix="bench-read-lock-"))
    path = folder / "bench.db"
    shutil.copyfile(source, path)
    store = open_store(path)
    ideas_n = store.scalar("SELECT COUNT(*) FROM ideas")
    votes_n = store.scalar("SELECT COUNT(*) FROM ballot_entries")
    meeting_id = int(store.scalar("SELECT MAX(id) FROM meetings"))
    print(
        f"{ideas_n:,} ideas, {votes_n:,} votes, one shared Store;"
        f" GIL switch interval {sys.getswitchinterval() * 1000:g} ms;"
        f" load average {os.getloadavg()[0]:.1f}"
    )

    poll_loop(store, meeting_id, 1.0, count=50)  # warm the page cache and statement caches
    idle, _ = poll_loop(store, meeting_id, args.seconds, count=1000)
    i95 = figures(idle)[1]
    rows = [("idle", idle, None, None)]
    modes = [m for m in ("in-process", "workers") if args.only in (None, m)]
    for mode in modes:
        os.environ[workers.WORKERS_ENV] = "0" if mode == "in-process" else "1"
        if mode == "workers":
            # Start the worker processes before the window: their start is not a poll's wait.
            workers.compute(os.getpid, lane="reports")
            workers.compute(os.getpid, lane="exports")
        busy, control, finished = under_load(store, meeting_id, args)
        rows.append((f"under load, built {mode}", busy, control, finished))
    workers.shutdown()
    store.close()
    shutil.rmtree(folder, ignore_errors=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print()
    print(f"{'phone poll (ms)':<34}{'polls':>7}{'p50':>9}{'p95':>9}{'max':>9}  target")
    for name, polls, control, finished in rows:
        p50, p95, pmax = figures(polls)
        verdict = ""
        if control is not None:
            verdict = (
                f"p95 ≤ {2 * i95:.2f}: {'met' if p95 <= 2 * i95 else 'MISSED'};"
                f" max ≤ 50: {'met' if pmax <= 50 else 'MISSED'}"
            )
        print(f"{name:<34}{len(polls):>7}{p50:>9.2f}{p95:>9.2f}{pmax:>9.2f}  {verdict}")
        if control is not None and finished is not None:
            c50, c95, cmax = figures(control)
            label = f"  control: {GIL_HANDOFFS} GIL hand-offs"
            print(f"{label:<34}{len(control):>7}{c50:>9.2f}{c95:>9.2f}{cmax:>9.2f}")
            for job, times in finished.items():
                each = statistics.median(times) if times else float("nan")
                print(f"  {job} finished inside the window: {len(times)}, median {each:.2f} s")


if __name__ == "__main__":
    main()
