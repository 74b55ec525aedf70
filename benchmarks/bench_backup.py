"""Online backup of a busy database: how long it takes, and whether phones notice.

Builds a database with a realistic year of use (by default 200 meetings × 300 participants ×
3 ideas = 180,000 ideas), then takes ``samskab backup`` (SQLite's backup API) while a writer
thread keeps posting ideas, and prints the backup time, its size, and the writer's worst
latency during the backup.

    python benchmarks/bench_backup.py [--meetings 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop import backup, committees
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import utcnow


def build(db_path: Path, n_meetings: int) -> tuple[int, int]:
    store = open_store(db_path)
    committee = committees.create_committee(store, "Bench", "Backup", actor=None)
    meeting = meetings.create_meeting(store, committee.id, "Live", actor=None)
    meetings.next_step(store, meeting.id, actor=None)
    now = utcnow()
    with store.transaction() as db:
        for m in range(n_meetings):
            mid = db.execute(
                "INSERT INTO meetings (committee_id, title, kind, join_code, screen_token,"
                " created_at) VALUES (?, ?, 'dialogue_session', ?, ?, ?)",
                [committee.id, f"Meeting {m}", f"B{m:05d}", f"screen-{m}", now],
            ).lastrowid
            for p in range(300):
                pid = db.execute(
                    "INSERT INTO participants (meeting_id, token, display_name, joined_at)"
                    " VALUES (?, ?, ?, ?)",
                    [mid, f"t-{m}-{p}", f"Person {p}", now],
                ).lastrowid
                for i in range(3):
                    db.execute(
                        "INSERT INTO ideas (meeting_id, participant_id, author_name, text, seq,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [mid, pid, f"Person {p}", f"Idea {i} about the harbour " * 4, i, now, now],
                    )
    store.close()
    return meeting.id, meeting.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        started = time.perf_counter()
        live_meeting, _ = build(db_path, args.meetings)
        print(f"built {args.meetings * 900:,} ideas in {time.perf_counter() - started:.1f} s")
        writer = open_store(db_path)
        person = meetings.join_meeting(writer, meetings.get_meeting(writer, live_meeting).join_code)
        latencies: list[float] = []
        stop = threading.Event()

        def phone() -> None:
            n = 0
            while not stop.is_set() and n < 1_000_000:
                t0 = time.perf_counter()
                ideas.submit_idea(writer, person, f"live idea {n}", per_minute=10**9)
                latencies.append(time.perf_counter() - t0)
                n += 1
                time.sleep(0.005)

        thread = threading.Thread(target=phone)
        thread.start()
        time.sleep(0.5)
        before = len(latencies)
        report = backup.backup(db_path, Path(tmp) / "backup.db")
        during = latencies[before:]
        stop.set()
        thread.join()
        print(
            f"backup: {report.bytes / 1e6:.1f} MB in {report.seconds:.2f} s"
            f" (incl. integrity check), {report.tables['ideas']:,} ideas"
        )
        if during:
            print(
                f"writes during the backup: {len(during)}, median"
                f" {statistics.median(during) * 1e3:.1f} ms, worst {max(during) * 1e3:.1f} ms"
            )


if __name__ == "__main__":
    main()
