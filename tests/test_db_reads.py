"""Reads beside writes: one writer connection behind the lock, reads on their own connections.

A phone's poll must not wait while another session holds a write transaction or reads a big
export; a snapshot still sees one state of the database; a transaction still reads its own rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workshop.app import open_store
from workshop.db import Store

WAIT_S = 5.0  # a read that has not finished in 5 s is waiting on something


def add_committee(db: Any, title: str) -> None:
    db.execute(
        "INSERT INTO committees (title, created_at) VALUES (?, '2026-01-01T00:00:00')", [title]
    )


def count(store: Store, like: str = "%") -> int:
    return int(store.scalar("SELECT COUNT(*) FROM committees WHERE title LIKE ?", [like]))


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run ``work`` on another thread; the dict gets its result or error."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = work()
        except BaseException as error:
            out["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


@pytest.fixture
def held_transaction(store: Store) -> Iterator[threading.Event]:
    """Another thread holds a write transaction open (one uncommitted committee) until the test
    sets the event it yields; then it commits."""
    release = threading.Event()
    opened = threading.Event()

    def writer() -> None:
        with store.transaction() as db:
            add_committee(db, "uncommitted")
            opened.set()
            release.wait(30)

    thread, out = in_thread(writer)
    assert opened.wait(WAIT_S)
    try:
        yield release
    finally:
        release.set()
        thread.join(WAIT_S)
    assert "error" not in out


def _snapshot_count(store: Store) -> int:
    with store.snapshot() as db:
        return int(db.execute("SELECT COUNT(*) FROM committees").fetchone()[0])


READS: dict[str, Callable[[Store], Any]] = {
    "query": lambda store: len(store.query("SELECT * FROM committees")),
    "query_one": lambda store: store.query_one("SELECT COUNT(*) AS n FROM committees")["n"],
    "scalar": lambda store: store.scalar("SELECT COUNT(*) FROM committees"),
    "snapshot": _snapshot_count,
}


@pytest.mark.parametrize("read", READS)
def test_a_read_on_another_thread_does_not_wait_for_an_open_write_transaction(
    store: Store, held_transaction: threading.Event, read: str
) -> None:
    thread, out = in_thread(lambda: READS[read](store))
    thread.join(WAIT_S)
    finished = not thread.is_alive()
    held_transaction.set()  # let the writer commit either way, so the old code's read ends too
    assert finished, f"store.{read}() waited for another thread's write transaction"
    assert out == {"result": 0}  # the last committed state: not the writer's uncommitted row


def test_a_snapshot_keeps_its_state_while_another_thread_commits_between_its_reads(
    store: Store,
) -> None:
    store.execute("INSERT INTO committees (title, created_at) VALUES ('first', '2026')")
    with store.snapshot() as db:
        before = db.execute("SELECT COUNT(*) FROM committees").fetchone()[0]
        thread, out = in_thread(
            lambda: store.execute(
                "INSERT INTO committees (title, created_at) VALUES ('meanwhile', '2026')"
            )
        )
        thread.join(WAIT_S)
        committed = not thread.is_alive()
        # the store's own reads inside the snapshot see the snapshot too
        inside = (
            db.execute("SELECT COUNT(*) FROM committees").fetchone()[0],
            store.scalar("SELECT COUNT(*) FROM committees"),
            len(store.query("SELECT id FROM committees")),
        )
    thread.join(WAIT_S)
    assert committed, "a write on another thread waited for the snapshot to end"
    assert "error" not in out
    assert before == 1
    assert inside == (1, 1, 1)
    assert count(store) == 2  # after the snapshot: the other thread's commit


def test_a_snapshot_started_before_a_commit_does_not_see_it_on_another_table(
    store: Store,
) -> None:
    """Two tables read in one snapshot agree, although a write to both lands in between."""
    started, written = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def reader() -> None:
        with store.snapshot() as db:
            seen["committees"] = db.execute("SELECT COUNT(*) FROM committees").fetchone()[0]
            started.set()
            assert written.wait(WAIT_S)
            seen["meetings"] = db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]

    thread, out = in_thread(reader)
    assert started.wait(WAIT_S)
    with store.transaction() as db:
        add_committee(db, "with a meeting")
        db.execute(
            "INSERT INTO meetings (committee_id, title, kind, join_code, screen_token, created_at)"
            " VALUES ((SELECT MAX(id) FROM committees), 'm', 'dialogue_session', 'CODE1',"
            " 'screen-1', '2026')"
        )
    written.set()
    thread.join(WAIT_S)
    assert "error" not in out, out
    assert seen == {"committees": 0, "meetings": 0}
    assert store.scalar("SELECT COUNT(*) FROM meetings") == 1


def test_a_write_inside_a_snapshot_is_refused_and_saves_nothing(store: Store) -> None:
    with store.snapshot() as db:
        with pytest.raises(RuntimeError, match="read-only"), store.transaction():
            pass
        with pytest.raises(RuntimeError, match="read-only"):
            store.execute("INSERT INTO committees (title, created_at) VALUES ('x', '2026')")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            add_committee(db, "through the snapshot's own database")
        if store.engine == "sqlite":  # sqlite-utils' table API exists on SQLite only
            with pytest.raises(sqlite3.OperationalError, match="readonly"):
                db["committees"].insert({"title": "through sqlite-utils", "created_at": "2026"})
    assert count(store) == 0
    store.execute("INSERT INTO committees (title, created_at) VALUES ('after', '2026')")
    assert count(store) == 1  # the store writes again once the snapshot is over


def test_a_read_never_writes(store: Store) -> None:
    """query/query_one/scalar are reads: a write statement handed to them changes nothing."""
    for read in (store.query, store.query_one, store.scalar):
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            read("INSERT INTO committees (title, created_at) VALUES ('x', '2026') RETURNING id")
    assert count(store) == 0


def test_a_read_inside_a_transaction_sees_its_own_uncommitted_rows(store: Store) -> None:
    with store.transaction() as db:
        add_committee(db, "mine")
        assert store.scalar("SELECT COUNT(*) FROM committees") == 1
        assert [r["title"] for r in store.query("SELECT title FROM committees")] == ["mine"]
        assert store.query_one("SELECT title FROM committees") == {"title": "mine"}
        with store.snapshot() as snap:
            assert snap.execute("SELECT COUNT(*) FROM committees").fetchone()[0] == 1
        # ... while another thread sees only what is committed (and does not wait)
        thread, out = in_thread(lambda: count(store))
        thread.join(WAIT_S)
        assert out == {"result": 0}
    assert count(store) == 1


def test_a_failed_transaction_leaves_nothing_for_other_readers(store: Store) -> None:
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as db:
        add_committee(db, "half-made")
        raise RuntimeError("boom")
    thread, out = in_thread(lambda: count(store))
    thread.join(WAIT_S)
    assert out == {"result": 0}


def test_many_threads_reading_and_writing_lose_nothing_and_read_their_writes(
    store: Store,
) -> None:
    """8 threads × 150 rounds: write a committee and its meeting in one transaction, then read
    them back at once (from any connection) and check a snapshot's two tables agree."""
    threads, rounds = 8, 150
    errors: list[BaseException] = []
    torn: list[tuple[int, int]] = []

    def work(t: int) -> None:
        try:
            for n in range(rounds):
                with store.transaction() as db:
                    add_committee(db, f"t{t}-{n}")
                    db.execute(
                        "INSERT INTO meetings (committee_id, title, kind, join_code, screen_token,"
                        " created_at) VALUES ((SELECT MAX(id) FROM committees), 'm',"
                        " 'dialogue_session', ?, ?, '2026')",
                        [f"C{t}-{n}", f"s{t}-{n}"],
                    )
                # my own committed write is visible to my next read, whichever connection
                assert count(store, f"t{t}-%") == n + 1
                with store.snapshot() as snap:
                    c = snap.execute("SELECT COUNT(*) FROM committees").fetchone()[0]
                    m = snap.execute("SELECT COUNT(*) FROM meetings").fetchone()[0]
                if c != m:
                    torn.append((c, m))
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    assert torn == []
    assert count(store) == threads * rounds
    assert store.scalar("SELECT COUNT(*) FROM meetings") == threads * rounds
    if store.engine == "sqlite":
        assert store.scalar("PRAGMA integrity_check") == "ok"


def test_reads_from_many_short_lived_threads_open_a_bounded_number_of_connections(
    store: Store,
) -> None:
    """Streamlit runs every rerun on a new thread: 200 threads must not mean 200 connections."""
    barrier = threading.Barrier(20)

    def read() -> int:
        barrier.wait(WAIT_S)  # 20 at a time, all reading at once
        return count(store)

    for _ in range(10):
        started = [in_thread(read) for _ in range(20)]
        for thread, out in started:
            thread.join(WAIT_S)
            assert out == {"result": 0}
    assert 1 <= store.read_connections_opened <= store.READ_CONNECTIONS


def test_close_closes_the_read_connections_too(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = open_store(path)
    for thread, out in [in_thread(lambda: count(store)) for _ in range(6)]:
        thread.join(WAIT_S)
        assert out == {"result": 0}
    store.close()
    # The last connection to close checkpoints and removes the WAL: none is left open.
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(sqlite3.ProgrammingError):
        count(store)


def test_an_in_memory_store_still_reads_writes_and_snapshots(tmp_path: Path) -> None:
    """ ":memory:" cannot be shared between connections: one connection does everything."""
    store = open_store(":memory:")
    with store.transaction() as db:
        add_committee(db, "in memory")
        assert count(store) == 1
    thread, out = in_thread(lambda: count(store))
    thread.join(WAIT_S)
    assert out == {"result": 1}
    with store.snapshot() as db:
        assert db.execute("SELECT COUNT(*) FROM committees").fetchone()[0] == 1
        assert store.query("SELECT title FROM committees") == [{"title": "in memory"}]
        with pytest.raises(RuntimeError, match="read-only"), store.transaction():
            pass
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            add_committee(db, "through the snapshot")
    assert store.read_connections_opened == 0
    add_committee(store.db, "after")  # the writer writes again
    assert count(store) == 2
    store.close()


def test_a_read_waits_for_a_free_connection_when_all_are_busy_and_then_runs(
    store: Store,
) -> None:
    """All read connections held by long snapshots: one more read waits for the first to end."""
    size = store.READ_CONNECTIONS
    entered, release = threading.Barrier(size + 1), threading.Event()

    def long_read() -> int:
        with store.snapshot():
            entered.wait(WAIT_S)
            release.wait(WAIT_S)
            return count(store)

    holders = [in_thread(long_read) for _ in range(size)]
    entered.wait(WAIT_S)
    extra, out = in_thread(lambda: count(store))
    extra.join(0.2)
    waiting = extra.is_alive()
    release.set()
    extra.join(WAIT_S)
    for thread, held in holders:
        thread.join(WAIT_S)
        assert held == {"result": 0}
    assert waiting, "a read ran although every read connection was in use"
    assert out == {"result": 0}
    assert store.read_connections_opened == size


# -- many rows of integers at once (the votes of a national dialogue) ---------------------------


def test_integers_reads_rows_of_integer_columns_as_one_array_in_query_order(store: Store) -> None:
    import numpy as np

    with store.transaction() as db:
        db.execute("CREATE TABLE numbers (a BIGINT NOT NULL, b BIGINT NOT NULL)")
        for a in range(300):
            db.execute("INSERT INTO numbers (a, b) VALUES (?, ?)", [a, (a * 7919) % 1000 - 500])
        db.execute("INSERT INTO numbers (a, b) VALUES (?, ?)", [2**40, -(2**40)])
    sql = "SELECT a, b FROM numbers WHERE a >= ? ORDER BY b, a"
    expected = [[r["a"], r["b"]] for r in store.query(sql, [5])]
    got = store.integers(sql, [5])
    assert got.dtype == np.int64 and got.shape == (len(expected), 2)
    assert got.tolist() == expected
    assert store.integers("SELECT a, b FROM numbers WHERE a < ?", [0]).size == 0


def test_postgresql_connections_compile_no_query_with_jit(store: Store, engine: str) -> None:
    """JIT compiling the summary's top ideas took 2.2 s at 2,000,000 votes; running it 0.05 s."""
    if engine != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert store.scalar("SHOW jit") == "off"  # a read connection
    with store.transaction() as db:
        assert db.execute("SHOW jit").fetchone()[0] == "off"  # the writer
