"""Time the politician summary at municipal scale: 10,000 ideas, 200,000 votes, 500 outcomes.

Seeds a database file (20 committees × 5 meetings × 100 ideas; 200 phones per meeting, each
placing 10 dots; 300 council adoptions and 200 implemented ideas become 500 outcome records
with expected and realised values and reviews), then prints:

- the read model built cold (``reports.build_summary``): one committee and all committees;
- the same served from the per-change cache (``reports.get_summary``: one version query);
- the summary page rendered by Streamlit's AppTest across all committees: once in a fresh
  process (module imports included), for every further viewer (cached read model), and for
  the first viewer after each change (read model and charts rebuilt).

The target is ≤ 1 s per page render on the 2-core development machine.

Run: ``python benchmarks/bench_summary.py [--repeat 3] [--keep PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workshop import committees  # noqa: E402
from workshop.accounts import users as accounts  # noqa: E402
from workshop.app import open_store  # noqa: E402
from workshop.db import Store  # noqa: E402
from workshop.meetings import core as meetings  # noqa: E402
from workshop.model import Role, StepKind, utcnow  # noqa: E402
from workshop.reports import summary as reports  # noqa: E402

COMMITTEES = 20
MEETINGS_PER_COMMITTEE = 5
IDEAS_PER_MEETING = 100
PHONES_PER_MEETING = 200
DOTS = 10
ADOPTED = 300
IMPLEMENTED = 200
VALUES = [
    "quality",
    "efficiency",
    "citizen_involvement",
    "employee_satisfaction",
    "political_goals",
]
INITIATORS = [
    "employees",
    "nearest_political_leadership",
    "citizens_users",
    "new_legislation_national_requirements",
    "workplace_manager",
]


def seed(store: Store, rng: random.Random) -> dict[str, int]:
    now = utcnow()
    meeting_ids: list[tuple[int, int]] = []
    for c in range(COMMITTEES):
        committee = committees.create_committee(store, f"Udvalg {c + 1}", "Opgave", actor=None)
        for m in range(MEETINGS_PER_COMMITTEE):
            meeting = meetings.create_meeting(
                store, committee.id, f"Dialogmøde {m + 1}", prompt="Hvad nu?", actor=None
            )
            meeting_ids.append((committee.id, meeting.id))
    with store.transaction() as db:
        conn = db.conn
        idea_ids_by_meeting: dict[int, list[int]] = {}
        for _committee_id, meeting_id in meeting_ids:
            step_vote = conn.execute(
                "SELECT id FROM steps WHERE meeting_id = ? AND kind = ?",
                [meeting_id, StepKind.DOT_VOTE.value],
            ).fetchone()[0]
            phones = [
                conn.execute(
                    "INSERT INTO participants (meeting_id, token, display_name, joined_at)"
                    " VALUES (?, ?, '', ?)",
                    [meeting_id, secrets.token_urlsafe(16), now],
                ).lastrowid
                for _ in range(PHONES_PER_MEETING)
            ]
            ideas = []
            for i in range(IDEAS_PER_MEETING):
                ideas.append(
                    conn.execute(
                        "INSERT INTO ideas (meeting_id, participant_id, text, seq, created_at,"
                        " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        [
                            meeting_id,
                            phones[i % len(phones)],
                            f"Idé {i + 1} om et bedre bibliotek for alle aldre",
                            i + 1,
                            now,
                            now,
                        ],
                    ).lastrowid
                )
            idea_ids_by_meeting[meeting_id] = ideas
            round_id = conn.execute(
                "INSERT INTO rounds (step_id, number, method, dots_per_participant, status)"
                " VALUES (?, 1, 'dot_vote', ?, 'closed') ON CONFLICT (step_id, number) DO UPDATE"
                " SET method = 'dot_vote', dots_per_participant = excluded.dots_per_participant,"
                " status = 'closed' RETURNING id",
                [step_vote, DOTS],
            ).fetchone()[0]
            weights = [1 / (rank + 1) for rank in range(len(ideas))]
            for phone in phones:
                ballot = conn.execute(
                    "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
                    " VALUES (?, ?, ?, ?)",
                    [round_id, phone, now, now],
                ).lastrowid
                chosen: set[int] = set()
                while len(chosen) < DOTS:
                    chosen.add(rng.choices(ideas, weights=weights)[0])
                conn.executemany(
                    "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 1)",
                    [(ballot, idea) for idea in chosen],
                )
            conn.execute(
                "UPDATE meetings SET vote_seq = vote_seq + 1, change_seq = change_seq + 1"
                " WHERE id = ?",
                [meeting_id],
            )
        # 300 recommendations adopted by the council, 200 ideas implemented → 500 outcomes
        for r in range(ADOPTED):
            committee_id, meeting_id = meeting_ids[r % len(meeting_ids)]
            rid = conn.execute(
                "INSERT INTO recommendations (committee_id, title, body, created_at, updated_at)"
                " VALUES (?, ?, '', ?, ?)",
                [committee_id, f"Anbefaling {r + 1}", now, now],
            ).lastrowid
            for idea in idea_ids_by_meeting[meeting_id][:3]:
                conn.execute(
                    "INSERT OR IGNORE INTO recommendation_ideas VALUES (?, ?)", [rid, idea]
                )
            for body in ("standing_committee", "council"):
                conn.execute(
                    "INSERT INTO decisions (recommendation_id, body, outcome, decided_at,"
                    " rationale, recorded_at) VALUES (?, ?, 'adopted', ?, '', ?)",
                    [rid, body, now[:10], now],
                )
        for i in range(IMPLEMENTED):
            _, meeting_id = meeting_ids[i % len(meeting_ids)]
            idea = idea_ids_by_meeting[meeting_id][10 + i // len(meeting_ids)]
            conn.execute("UPDATE ideas SET status = 'implemented' WHERE id = ?", [idea])
        outcome_ids = [r[0] for r in conn.execute("SELECT id FROM outcomes").fetchall()]
        for outcome_id in outcome_ids:
            expected = rng.sample(VALUES, rng.randint(1, 3))
            for value in expected:
                conn.execute(
                    "INSERT INTO outcome_values (outcome_id, stage, value, recorded_at)"
                    " VALUES (?, 'expected', ?, ?)",
                    [outcome_id, value, now],
                )
            for value in rng.sample(VALUES, rng.randint(0, 2)):
                conn.execute(
                    "INSERT INTO outcome_values (outcome_id, stage, value, evidence_kind,"
                    " evidence, recorded_at) VALUES (?, 'realised', ?, 'text', 'Målt', ?)",
                    [outcome_id, value, now],
                )
            conn.execute(
                "UPDATE outcomes SET initiators = ? WHERE id = ?",
                [json.dumps(rng.sample(INITIATORS, rng.randint(1, 3))), outcome_id],
            )
            due = date.today() + timedelta(days=rng.randint(-30, 90))
            conn.execute(
                "INSERT INTO outcome_reviews (outcome_id, due_on, created_at) VALUES (?, ?, ?)",
                [outcome_id, due.isoformat(), now],
            )
    return {
        "ideas": store.scalar("SELECT COUNT(*) FROM ideas"),
        "votes": store.scalar("SELECT COUNT(*) FROM ballot_entries"),
        "outcomes": store.scalar("SELECT COUNT(*) FROM outcomes"),
    }


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def show(name: str, times: list[float]) -> None:
    print(f"{name:<58} best {min(times):6.3f} s   median {statistics.median(times):6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the seeded database at this path")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-summary-"))
    path = args.keep or folder / "summary.db"
    started = time.perf_counter()
    store = open_store(path)
    politician = accounts.create_user(
        store, "bench-politician", "bench passphrase 1", Role.POLITICIAN
    )
    counts = seed(store, random.Random(2026))
    print(f"seeded {counts} in {time.perf_counter() - started:.1f} s ({path})")
    committee_id = int(store.scalar("SELECT MIN(id) FROM committees"))
    today = date.today()

    show(
        "read model, one committee, cold (build_summary)",
        timed(lambda: reports.build_summary(store, committee_id, today=today), args.repeat),
    )
    show(
        "read model, all committees, cold (build_summary)",
        timed(lambda: reports.build_summary(store, None, today=today), args.repeat),
    )
    reports.get_summary(store, None)
    show(
        "read model, all committees, cached (get_summary)",
        timed(lambda: reports.get_summary(store, None), args.repeat * 10),
    )
    store.close()

    os.environ["SAMSKAB_DB_PATH"] = str(path)
    os.environ["SAMSKAB_DEMO_DATA"] = "0"
    from streamlit.testing.v1 import AppTest

    def render() -> None:
        at = AppTest.from_file(str(ROOT / "workshop/ui/pages/summary.py"), default_timeout=60)
        at.session_state["user"] = politician
        at.run()
        assert not at.exception, at.exception

    reports.summary_cache().clear()
    show("summary page (AppTest), first run in a fresh process", timed(render, 1))
    show("summary page (AppTest), all committees, next viewers", timed(render, args.repeat))

    def cold_render() -> None:
        reports.summary_cache().clear()
        render()

    show(
        "summary page (AppTest), all committees, after each change", timed(cold_render, args.repeat)
    )
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
