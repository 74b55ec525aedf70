"""A national-scale asynchronous dialogue: 20,000 people, 2,000 statements, 2,000,000 votes.

Issue 20, point 5. One statements round (agree / disagree / pass, Pol.is style) of that size on
SQLite and/or PostgreSQL, then three measurements:

(a) **vote writes**: ``--writers`` processes (default 4) cast votes for ``--seconds`` (20)
    through the app's own service, ``voting.methods.cast_stance``: each vote is its own
    transaction, committed before the next (as a phone's would be; nothing is batched). Each
    writer owns a slice of the participants, remembers what it last wrote per (participant,
    statement), and afterwards every acknowledged vote is checked in the database (lost).
(b) **opinion groups** at full size, in a fresh process as the app computes them
    (``compute_remembered_groups``: read the votes, compute, store the memory): wall time
    and peak RSS, first from scratch, then again from the stored memory.
(c) **the politician summary** (``reports.summary.get_summary``, all committees, as the
    summary page asks for it), in a fresh process: cold (nothing cached, groups not yet
    computed), once the opinion groups have finished (the summary is built again, with
    the consensus), and warm (the next viewer).

Seeding is **not** through the services: participants, statements, ballots and votes are
bulk-inserted (``executemany`` in one transaction on SQLite, ``COPY`` on PostgreSQL), so a
run takes minutes, not hours. The meeting, its agenda and the round are made by the services.
The data are realistic in shape: statement popularity is log-normal (early statements are
seen by many, late ones by few), participant activity is log-normal (a few vote on hundreds of
statements, most on a few dozen), and three latent opinion groups (45/35/20 %) agree with
each statement with their own probability; 5 statements are agreed by all; 15 % passes. On
PostgreSQL the user triggers of ``ballot_entries`` are switched off for the COPY and on again
after it (the generated votes obey them: values -1/0/1 on visible statements).

    python benchmarks/national_dialogue.py                      # SQLite, full size
    python benchmarks/national_dialogue.py --database-url postgresql://…/samskab
    python benchmarks/national_dialogue.py --both --database-url postgresql://…/samskab
    python benchmarks/national_dialogue.py --participants 2000 --statements 200 --votes 200000
    python benchmarks/national_dialogue.py --writes-on postgresql://…/nat_<pid>  # (a) only

With a PostgreSQL URL a fresh database ``nat_<pid>`` is created beside the URL's database
and dropped at the end (``--keep`` keeps it, and the SQLite file). Prints one table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

CAMP_SHARES = (0.45, 0.35, 0.20)
CONSENSUS_STATEMENTS = 5
PASS_RATE = 0.15
NOW = "2026-12-06T06:00:00+00:00"


# -- the data --------------------------------------------------------------------------------


def synthetic_votes(
    participants: int, statements: int, votes: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(participant index, statement index, value) of ``votes`` distinct cells, and each
    participant's latent camp."""
    rng = np.random.default_rng(seed)
    camps = rng.choice(len(CAMP_SHARES), size=participants, p=CAMP_SHARES)
    agree_probability = rng.choice([0.1, 0.5, 0.9], size=(len(CAMP_SHARES), statements))
    agree_probability[:, :CONSENSUS_STATEMENTS] = 0.92
    activity = rng.lognormal(0.0, 0.8, size=participants)
    activity /= activity.sum()
    popularity = np.sort(rng.lognormal(0.0, 0.6, size=statements))[::-1].copy()
    popularity /= popularity.sum()
    cells = np.zeros(0, dtype=np.int64)
    while len(cells) < votes:  # draw cells by activity × popularity until enough are distinct
        extra = int((votes - len(cells)) * 1.3) + 1000
        drawn = rng.choice(participants, size=extra, p=activity) * statements + rng.choice(
            statements, size=extra, p=popularity
        )
        cells = np.unique(np.concatenate([cells, drawn]))
    cells = rng.permutation(cells)[:votes]
    who, what = cells // statements, cells % statements
    agree = rng.random(votes) < agree_probability[camps[who], what]
    values = np.where(agree, 1, -1)
    values[rng.random(votes) < PASS_RATE] = 0
    return who, what, values, camps


def seed_dialogue(target: str, participants: int, statements: int, votes: int) -> dict[str, Any]:
    """Create the meeting and round through the services, bulk-insert everything else."""
    from tests.factories import join, make_meeting, start
    from workshop.app import open_store
    from workshop.meetings import core as meetings
    from workshop.voting import methods as vote_methods
    from workshop.voting.methods import VoteMethod

    began = time.perf_counter()
    store = open_store(target)
    meeting = make_meeting(store, prompt="Hvad skal Danmark prioritere?")
    start(store, meeting)
    first = join(store, meeting, "p0")
    step = meetings.list_steps(store, meeting.id)[1]
    who, what, values, _ = synthetic_votes(participants, statements, votes, seed=2026)
    people = [(meeting.id, secrets.token_hex(16), f"p{n}", NOW) for n in range(1, participants)]
    ideas = [
        (meeting.id, step.id, first.id, f"Udsagn {n + 1}", n + 1, NOW, NOW)
        for n in range(statements)
    ]
    bulk = _bulk_sqlite if store.engine == "sqlite" else _bulk_postgres
    people_columns = ("meeting_id", "token", "display_name", "joined_at")
    bulk(store, target, "participants", people_columns, people)
    bulk(
        store,
        target,
        "ideas",
        ("meeting_id", "step_id", "participant_id", "text", "seq", "created_at", "updated_at"),
        ideas,
    )
    round_id = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    in_meeting = "WHERE meeting_id = ? ORDER BY id"
    person_ids = store.integers(f"SELECT id FROM participants {in_meeting}", [meeting.id])[:, 0]
    idea_ids = store.integers(f"SELECT id FROM ideas {in_meeting}", [meeting.id])[:, 0]
    voters = np.unique(who)
    bulk(
        store,
        target,
        "ballots",
        ("round_id", "participant_id", "cast_at", "updated_at"),
        [(round_id, int(person_ids[p]), NOW, NOW) for p in voters],
    )
    ballot_of = {
        r["participant_id"]: r["id"]
        for r in store.query(
            "SELECT id, participant_id FROM ballots WHERE round_id = ?", [round_id]
        )
    }
    ballot_ids = np.array([ballot_of.get(int(p), 0) for p in person_ids])
    entries = list(
        zip(
            ballot_ids[who].tolist(),
            idea_ids[what].tolist(),
            values.tolist(),
            strict=True,
        )
    )
    bulk(store, target, "ballot_entries", ("ballot_id", "idea_id", "value"), entries)
    store.execute("UPDATE meetings SET vote_seq = vote_seq + 1 WHERE id = ?", [meeting.id])
    if store.engine == "sqlite":
        store.execute("ANALYZE")
    else:
        _pg_autocommit(target, "ANALYZE")
    counted = store.scalar(
        "SELECT COUNT(*) FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
        " WHERE b.round_id = ?",
        [round_id],
    )
    store.close()
    return {
        "meeting_id": meeting.id,
        "round_id": round_id,
        "participants": [int(p) for p in person_ids],
        "statements": [int(s) for s in idea_ids],
        "votes": int(counted),
        "seconds": time.perf_counter() - began,
    }


def _bulk_sqlite(store: Any, target: str, table: str, columns: tuple[str, ...], rows: list) -> None:
    marks = ", ".join("?" for _ in columns)
    with store.transaction() as db:
        db.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _bulk_postgres(
    store: Any, target: str, table: str, columns: tuple[str, ...], rows: list
) -> None:
    import psycopg

    with psycopg.connect(target) as conn:
        if table == "ballot_entries":
            conn.execute("ALTER TABLE ballot_entries DISABLE TRIGGER USER")
        with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if table == "ballot_entries":
            conn.execute("ALTER TABLE ballot_entries ENABLE TRIGGER USER")


def _pg_autocommit(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


# -- (a) writers -----------------------------------------------------------------------------


def _writer(
    target: str,
    meeting_id: int,
    round_id: int,
    mine: list[int],
    statements: list[int],
    ready: Any,
    seconds: float,
    seed: int,
) -> dict[str, Any]:
    from workshop.app import open_store
    from workshop.model import Participant
    from workshop.voting import methods as vote_methods

    store = open_store(target)
    people = [Participant(p, meeting_id, "", f"p{p}", NOW) for p in mine]
    rng = random.Random(seed)
    written: dict[tuple[int, int], int] = {}
    times: list[float] = []
    errors: dict[str, int] = {}
    ready.wait()  # every writer has started and opened the store: go together
    deadline = time.time() + seconds
    while time.time() < deadline:
        person = rng.choice(people)
        statement = rng.choice(statements)
        value = rng.choice((1, -1, 0))
        began = time.perf_counter()
        try:
            vote_methods.cast_stance(store, person, round_id, statement, value)
        except Exception as error:  # counted, and the run goes on as a phone would retry
            errors[type(error).__name__ + ": " + str(error)[:60]] = (
                errors.get(type(error).__name__ + ": " + str(error)[:60], 0) + 1
            )
            continue
        times.append(time.perf_counter() - began)
        written[(person.id, statement)] = value
    store.close()
    return {"times": times, "errors": errors, "written": written}


def measure_writes(
    target: str,
    seeded: dict[str, Any],
    writers: int,
    seconds: float,
    environment: dict[str, str] | None = None,
) -> dict:
    saved = {name: os.environ.get(name) for name in environment or {}}
    os.environ.update(environment or {})  # the spawned writers inherit it
    try:
        return _measure_writes(target, seeded, writers, seconds)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _measure_writes(target: str, seeded: dict[str, Any], writers: int, seconds: float) -> dict:
    people = seeded["participants"]
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(writers)
    load = os.getloadavg()[0]
    pipes, processes = [], []
    for w in range(writers):
        receive, send = context.Pipe(duplex=False)
        job = (
            target,
            seeded["meeting_id"],
            seeded["round_id"],
            people[w::writers],
            seeded["statements"],
            ready,
            seconds,
            w,
        )
        process = context.Process(target=_run_and_send, args=(_writer, job, send))
        process.start()
        pipes.append(receive)
        processes.append(process)
    results = [pipe.recv() for pipe in pipes]
    for process in processes:
        process.join()
    times = sorted(t for r in results for t in r["times"])
    errors: dict[str, int] = {}
    for r in results:
        for key, n in r["errors"].items():
            errors[key] = errors.get(key, 0) + n
    from workshop.app import open_store

    store = open_store(target)
    stored = {
        (r["participant_id"], r["idea_id"]): r["value"]
        for r in store.query(
            "SELECT b.participant_id, e.idea_id, e.value FROM ballot_entries e"
            " JOIN ballots b ON b.id = e.ballot_id WHERE b.round_id = ?",
            [seeded["round_id"]],
        )
    }
    store.close()
    written = {cell: v for r in results for cell, v in r["written"].items()}
    lost = sum(1 for cell, v in written.items() if stored.get(cell) != v)
    return {
        "votes": len(times),
        "per_second": len(times) / seconds,
        "p50_ms": 1000 * times[len(times) // 2] if times else float("nan"),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))] if times else float("nan"),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "lost": lost,
        "checked": len(written),
        "load": (load, os.getloadavg()[0]),
    }


def kept_dialogue(target: str) -> dict[str, Any]:
    """What ``seed_dialogue`` returned, read back from a database a ``--keep`` run left: its
    open statements round, its participants and statements."""
    from workshop.app import open_store

    store = open_store(target)
    try:
        row = store.query_one(
            "SELECT r.id AS round_id, s.meeting_id FROM rounds r JOIN steps s ON s.id = r.step_id"
            " WHERE r.method = 'statements' AND r.status = 'open' ORDER BY r.id DESC LIMIT 1"
        )
        if row is None:
            raise SystemExit(f"no open statements round in {target}")
        in_meeting = "WHERE meeting_id = ? ORDER BY id"
        return {
            "meeting_id": row["meeting_id"],
            "round_id": row["round_id"],
            "participants": [
                int(p)
                for p in store.integers(
                    f"SELECT id FROM participants {in_meeting}", [row["meeting_id"]]
                )[:, 0]
            ],
            "statements": [
                int(i)
                for i in store.integers(f"SELECT id FROM ideas {in_meeting}", [row["meeting_id"]])[
                    :, 0
                ]
            ],
        }
    finally:
        store.close()


# -- (b) opinion groups, (c) the summary: each in a fresh process ----------------------------------


def _max_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the parent's peak
    across the fork and exec of a spawned process)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _groups_job(target: str, meeting_id: int, round_id: int) -> dict[str, Any]:
    from workshop.app import open_store
    from workshop.meetings import core as meetings
    from workshop.voting import methods as vote_methods

    store = open_store(target)
    seq = meetings.meeting_state(store, meeting_id).vote_seq
    store.execute("DELETE FROM opinion_group_memory WHERE round_id = ?", [round_id])
    before = _max_rss_mb()
    timings = []
    for n in range(2):  # from scratch, then from the memory the first stored
        began = time.perf_counter()
        result = vote_methods.compute_remembered_groups(store, round_id, seq + n)
        timings.append(time.perf_counter() - began)
    store.close()
    return {
        "scratch_s": timings[0],
        "remembered_s": timings[1],
        "rss_before_mb": before,
        "rss_peak_mb": _max_rss_mb(),
        "groups": [g.size for g in result.groups],
        "grouped": len(result.participant_ids),
    }


def _summary_job(target: str) -> dict[str, Any]:
    from workshop import workers
    from workshop.app import open_store
    from workshop.reports import summary
    from workshop.voting import methods as vote_methods

    store = open_store(target)
    try:
        # A running app has its report worker process already (started by an earlier report):
        # start it here with a small read, so "cold" is the summary's own work, not a process
        # start (spawn + imports: seconds on a loaded machine).
        workers.run(summary.summary_version, store)
        began = time.perf_counter()
        cold = summary.get_summary(store, None)
        cold_s = time.perf_counter() - began
        computing = cold.consensus is not None and cold.consensus.attrs.get("computing")
        waited = time.perf_counter()
        while vote_methods.groups_worker.generation == 0:
            time.sleep(0.05)
        groups_s = time.perf_counter() - waited
        began = time.perf_counter()
        after = summary.get_summary(store, None)
        after_s = time.perf_counter() - began
        warm = []
        for _ in range(5):
            began = time.perf_counter()
            summary.get_summary(store, None)
            warm.append(time.perf_counter() - began)
        return {
            "cold_s": cold_s,
            "cold_computing": bool(computing),
            "groups_wait_s": groups_s,
            "with_groups_s": after_s,
            "consensus_rows": 0 if after.consensus is None else len(after.consensus),
            "votes_counted": after.counts.get("voters"),
            "warm_ms": 1000 * statistics.median(warm),
        }
    finally:
        workers.shutdown()
        store.close()


def _run_and_send(job: Callable[..., dict[str, Any]], args: tuple, conn: Any) -> None:
    conn.send(job(*args))
    conn.close()


def in_fresh_process(job: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """``job(*args)`` in a new process (not a pool's: the summary starts report workers)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run_and_send, args=(job, args, send))
    process.start()
    result = receive.recv()
    process.join()
    return result


# -- one engine --------------------------------------------------------------------------------


def run_engine(target: str, args: argparse.Namespace) -> dict[str, Any]:
    engine = "postgresql" if target.startswith("postgresql") else "sqlite"
    print(
        f"[{engine}] seeding {args.participants:,} participants, {args.statements:,} "
        f"statements, {args.votes:,} votes …",
        flush=True,
    )
    seeded = seed_dialogue(target, args.participants, args.statements, args.votes)
    print(f"[{engine}] seeded {seeded['votes']:,} votes in {seeded['seconds']:.0f} s", flush=True)
    out: dict[str, Any] = {"engine": engine, "seeded": seeded["votes"]}
    load = os.getloadavg()[0]
    out["groups"] = in_fresh_process(_groups_job, target, seeded["meeting_id"], seeded["round_id"])
    out["groups"]["load"] = (load, os.getloadavg()[0])
    print(f"[{engine}] opinion groups: {out['groups']}", flush=True)
    load = os.getloadavg()[0]
    out["summary"] = in_fresh_process(_summary_job, target)
    out["summary"]["load"] = (load, os.getloadavg()[0])
    print(f"[{engine}] summary: {out['summary']}", flush=True)
    out["writes"] = measure_writes(target, seeded, args.writers, args.seconds)
    print(f"[{engine}] writes: {out['writes']}", flush=True)
    if engine == "sqlite" and args.sqlite_normal:
        normal = {"SAMSKAB_SQLITE_SYNCHRONOUS": "NORMAL"}
        out["writes_normal"] = measure_writes(target, seeded, args.writers, args.seconds, normal)
        print(f"[{engine}] writes, synchronous NORMAL: {out['writes_normal']}", flush=True)
    return out


def print_table(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    def cell(r: dict[str, Any], row: str) -> str:
        g, s = r["groups"], r["summary"]
        w = r.get("writes_normal" if row == "writes_normal" else "writes")
        if w is None:
            return "—"
        return {
            "size": f"{r['seeded']:,} votes",
            "groups": f"{g['scratch_s']:.1f} s from scratch, {g['remembered_s']:.1f} s with memory;"
            f" RSS {g['rss_before_mb']:.0f}→{g['rss_peak_mb']:.0f} MB; sizes {g['groups']}"
            f" (load {g['load'][0]:.1f}→{g['load'][1]:.1f})",
            "summary": f"cold {s['cold_s']:.2f} s; with groups {s['with_groups_s']:.2f} s"
            f" (groups ready after {s['groups_wait_s']:.1f} s); warm {s['warm_ms']:.1f} ms"
            f" (load {s['load'][0]:.1f}→{s['load'][1]:.1f})",
            "writes_normal": f"{w['per_second']:,.0f}/s ({w['votes']:,} in {args.seconds:.0f} s)"
            f"; p50/p95 {w['p50_ms']:.1f}/{w['p95_ms']:.1f} ms; {w['errors']} errors;"
            f" {w['lost']} lost (load {w['load'][0]:.1f}→{w['load'][1]:.1f})",
            "writes": f"{w['per_second']:,.0f}/s ({w['votes']:,} in {args.seconds:.0f} s,"
            f" {args.writers} processes); p50/p95 {w['p50_ms']:.1f}/{w['p95_ms']:.1f} ms;"
            f" {w['errors']} errors; {w['lost']} lost of {w['checked']:,} checked"
            f" (load {w['load'][0]:.1f}→{w['load'][1]:.1f})",
        }[row]

    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    print()
    print("| measure | target | " + " | ".join(names[r["engine"]] for r in results) + " |")
    print("|---|---|" + "---|" * len(results))
    for row, label, target in (
        ("size", "seeded", f"{args.participants:,} × {args.statements:,}"),
        ("groups", "opinion groups", "≤ 10 s"),
        ("summary", "politician summary", "≤ 2 s"),
        ("writes", "vote writes through cast_stance", "≥ 1,000/s"),
        ("writes_normal", "the same, SQLite synchronous NORMAL", "≥ 1,000/s"),
    ):
        if row == "writes_normal" and not any("writes_normal" in r for r in results):
            continue
        print(f"| {label} | {target} | " + " | ".join(cell(r, row) for r in results) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="postgresql://… (else SQLite)")
    parser.add_argument("--both", action="store_true", help="SQLite and the PostgreSQL URL")
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=2_000_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument(
        "--sqlite-normal",
        action="store_true",
        help="on SQLite, measure the writes again with SAMSKAB_SQLITE_SYNCHRONOUS=NORMAL",
    )
    parser.add_argument(
        "--writes-on",
        metavar="TARGET",
        default="",
        help="only (a), the vote writes, on a database a --keep run left (its file or URL)",
    )
    args = parser.parse_args()
    if args.votes > args.participants * args.statements:
        parser.error("more votes than participant × statement cells")
    os.environ.setdefault("SAMSKAB_SECRET_KEY", "benchmark key")
    if args.writes_on:
        written = measure_writes(
            args.writes_on, kept_dialogue(args.writes_on), args.writers, args.seconds
        )
        w = written
        print(
            f"{w['per_second']:,.0f}/s ({w['votes']:,} in {args.seconds:.0f} s, {args.writers}"
            f" processes); p50/p95 {w['p50_ms']:.1f}/{w['p95_ms']:.1f} ms; {w['errors']} errors;"
            f" {w['lost']} lost of {w['checked']:,} checked"
            f" (load {w['load'][0]:.1f}→{w['load'][1]:.1f})"
        )
        return
    workdir = Path(tempfile.mkdtemp(prefix="nat_"))
    targets = []
    if args.both or not args.database_url:
        targets.append(str(workdir / "national.db"))
    if args.database_url:
        name = f"nat_{os.getpid()}"
        admin = args.database_url
        _pg_autocommit(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _pg_autocommit(admin, f"CREATE DATABASE {name}")
        targets.append(admin.rpartition("/")[0] + "/" + name)
    results = []
    try:
        for target in targets:
            results.append(run_engine(target, args))
    finally:
        if not args.keep:
            for target in targets:
                if target.startswith("postgresql"):
                    _pg_autocommit(
                        args.database_url,
                        f"DROP DATABASE IF EXISTS {target.rpartition('/')[2]} WITH (FORCE)",
                    )
            for file in workdir.glob("*"):
                file.unlink()
            workdir.rmdir()
        else:
            print("kept:", ", ".join(targets))
    if results:
        print_table(results, args)


if __name__ == "__main__":
    main()
