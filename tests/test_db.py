"""Storage: pragmas, migrations, and many threads (and processes) writing at once."""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.factories import join, make_meeting, start
from workshop.app import open_store, shared_store
from workshop.errors import InvalidInput
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.schema import migrations
from workshop.voting import ballots as voting


def test_database_is_wal_with_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA busy_timeout") >= 5000


@pytest.mark.parametrize(("setting", "level"), [(None, 2), ("NORMAL", 1), ("full", 2), ("FULL", 2)])
def test_synchronous_is_a_setting(tmp_path: Path, monkeypatch, setting, level) -> None:
    """SAMSKAB_SQLITE_SYNCHRONOUS picks FULL (the default: no acknowledged write is lost on
    power loss) or NORMAL for every connection."""
    if setting is None:
        monkeypatch.delenv("SAMSKAB_SQLITE_SYNCHRONOUS", raising=False)
    else:
        monkeypatch.setenv("SAMSKAB_SQLITE_SYNCHRONOUS", setting)
    store = open_store(tmp_path / "a.db")
    assert store.scalar("PRAGMA synchronous") == level
    store.close()


@pytest.mark.parametrize("setting", ["OFF", "2", "fast", "normal; DROP TABLE users"])
def test_an_unknown_synchronous_setting_is_refused_clearly(tmp_path: Path, monkeypatch, setting):
    monkeypatch.setenv("SAMSKAB_SQLITE_SYNCHRONOUS", setting)
    with pytest.raises(InvalidInput) as refused:
        open_store(tmp_path / "a.db")
    assert refused.value.key == "error.settings.sqlite_synchronous"
    assert refused.value.params == {"value": setting}
    assert not (tmp_path / "a.db").exists()  # nothing was created


def test_migrations_are_named_and_apply_once(tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.db")
    applied = [m.name for m in migrations.applied(store.db)]
    assert applied[0] == "m001_foundation"
    open_store(tmp_path / "a.db")  # reopening applies nothing twice
    assert [m.name for m in migrations.applied(store.db)] == applied


def test_foreign_keys_are_enforced(store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "INSERT INTO ideas (meeting_id, text, seq, created_at, updated_at)"
            " VALUES (999, 'x', 1, '', '')"
        )


def test_a_failed_transaction_leaves_nothing_behind(store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO committees (title, created_at) VALUES ('half-made', '2026-01-01')")
        raise RuntimeError("boom")
    assert store.scalar("SELECT COUNT(*) FROM committees") == 0


def test_shared_store_is_one_per_file(tmp_path: Path) -> None:
    assert shared_store(tmp_path / "x.db") is shared_store(tmp_path / "x.db")


def test_eight_threads_times_500_mixed_writes_lose_nothing(store) -> None:
    """8 threads × 500 writes (250 ideas + 250 dots each) on one shared Store."""
    threads, per_thread = 8, 500
    brainstorm = make_meeting(store)
    start(store, brainstorm)
    voting_meeting = make_meeting(store, dots=20)
    start(store, voting_meeting)
    voter = join(store, voting_meeting, "seed")
    targets = [ideas.submit_idea(store, voter, f"idé {n}", per_minute=10**6) for n in range(10)]
    meetings.next_step(store, voting_meeting.id, actor=None)
    vote_round = voting.current_round(store, voting_meeting.id)
    assert vote_round is not None and vote_round.is_open

    # Each thread's voters have 13 × 20 = 260 dots: enough for 250 placements.
    writers = [join(store, brainstorm, f"w{t}") for t in range(threads)]
    voters = [[join(store, voting_meeting, f"v{t}-{n}") for n in range(13)] for t in range(threads)]
    errors: list[BaseException] = []

    def work(t: int) -> None:
        rng = random.Random(t)
        placed = {v.id: 0 for v in voters[t]}
        try:
            for n in range(per_thread):
                if n % 2 == 0:
                    ideas.submit_idea(store, writers[t], f"tråd {t} idé {n}", per_minute=10**6)
                else:
                    voter = next(v for v in voters[t] if placed[v.id] < 20)
                    voting.place_dot(store, voter, vote_round.id, rng.choice(targets).id)
                    placed[voter.id] += 1
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert errors == []
    half = threads * per_thread // 2
    assert store.scalar("SELECT COUNT(*) FROM ideas WHERE meeting_id = ?", [brainstorm.id]) == half
    assert (
        sum(
            voting.my_dots(store, vote_round.id, v.id).get(i.id, 0)
            for row in voters
            for v in row
            for i in targets
        )
        == half
    )
    assert (
        store.scalar(
            "SELECT SUM(e.value) FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
            " WHERE b.round_id = ?",
            [vote_round.id],
        )
        == half
    )
    # every idea got its own change number: no two writes interleaved
    seqs = store.query("SELECT seq FROM ideas WHERE meeting_id = ?", [brainstorm.id])
    assert len({r["seq"] for r in seqs}) == half
    if store.engine == "sqlite":
        assert store.scalar("PRAGMA integrity_check") == "ok"


PROCESSES, PER_PROCESS = 4, 200


def _write_from_another_process(
    database: str, brainstorm_code: str, vote_code: str, round_id: int, n: int
) -> None:
    """One app process's share, on its own Store: 100 ideas and 100 dots through the services."""
    import os

    os.environ.setdefault("SAMSKAB_SECRET_KEY", "test key, not for production")
    store = open_store(database)
    try:
        rng = random.Random(n)
        writer = meetings.join_meeting(store, brainstorm_code, f"p{n}", client=f"proc-{n}")
        voters = [meetings.join_meeting(store, vote_code, f"p{n}-{v}") for v in range(5)]
        targets = [i.id for i in ideas.list_ideas(store, voters[0].meeting_id)]
        placed = dict.fromkeys((v.id for v in voters), 0)
        for k in range(PER_PROCESS):
            if k % 2 == 0:
                ideas.submit_idea(store, writer, f"proces {n} idé {k}", per_minute=10**6)
            else:
                voter = next(v for v in voters if placed[v.id] < 20)
                voting.place_dot(store, voter, round_id, rng.choice(targets))
                placed[voter.id] += 1
    finally:
        store.close()


def test_several_processes_writing_at_once_lose_nothing(store) -> None:
    """4 processes × 200 writes (100 ideas, 100 dots each), each with its own Store on the same
    database, as several app processes behind nginx write: nothing lost, no change number
    twice, no ballot twice."""
    brainstorm = make_meeting(store)
    start(store, brainstorm)
    voting_meeting = make_meeting(store, dots=20)
    start(store, voting_meeting)
    seed = join(store, voting_meeting, "seed")
    for n in range(10):
        ideas.submit_idea(store, seed, f"idé {n}", per_minute=10**6)
    meetings.next_step(store, voting_meeting.id, actor=None)
    vote_round = voting.current_round(store, voting_meeting.id)
    assert vote_round is not None and vote_round.is_open
    database = getattr(store, "url", store.path)  # PostgreSQL: the URL with its password
    # fork: a process of its own with its own Store and connections (spawn would import the
    # app four times over, ~10 s each on a loaded 2-core machine)
    context = multiprocessing.get_context("fork")
    codes = (brainstorm.join_code, voting_meeting.join_code)
    workers = [
        context.Process(
            target=_write_from_another_process, args=(database, *codes, vote_round.id, n)
        )
        for n in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    half = PROCESSES * PER_PROCESS // 2
    seqs = store.query("SELECT seq FROM ideas WHERE meeting_id = ?", [brainstorm.id])
    assert len(seqs) == half
    assert len({r["seq"] for r in seqs}) == half  # every idea its own change number
    dots = store.scalar(
        "SELECT SUM(e.value) FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
        " WHERE b.round_id = ?",
        [vote_round.id],
    )
    assert dots == half
    twice = store.scalar(
        "SELECT COUNT(*) FROM (SELECT round_id, participant_id FROM ballots"
        " GROUP BY 1, 2 HAVING COUNT(*) > 1) AS twice"
    )
    assert twice == 0
