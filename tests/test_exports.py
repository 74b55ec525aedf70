"""Exports read every table from one snapshot, so the tables agree while others write."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from workshop import committees
from workshop.app import open_store
from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.model import utcnow
from workshop.reports import exports

WRITES = 100


def add_meeting_with_one_idea(store: Store, committee_id: int, n: int) -> None:
    """One transaction: a meeting and its one idea, so that meetings = ideas at every commit."""
    with store.transaction() as db:
        meeting = meetings.create_meeting(
            store, committee_id, f"Møde {n}", prompt="Hvad nu?", actor=None
        )
        now = utcnow()
        db.execute(
            "INSERT INTO ideas (meeting_id, text, seq, created_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?)",
            [meeting.id, f"idé {n}", now, now],
        )


def export_while_writing(store: Store, writer: Callable[[], None]) -> list[exports.Export]:
    """Export again and again while ``writer`` runs on another thread."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            writer()
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    thread = threading.Thread(target=run)
    taken = [exports.export_records(store, None)]
    # Switch threads as often as Python allows, so that the writer gets every chance to commit
    # between two tables of an export (with the default 5 ms it rarely does).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        thread.start()
        while thread.is_alive():
            taken.append(exports.export_records(store, None))
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    taken.append(exports.export_records(store, None))
    assert not failures, failures
    return taken


def assert_consistent(export: exports.Export) -> None:
    meeting_ids = set(export.tables["meetings"]["id"])
    idea_meetings = list(export.tables["ideas"]["meeting_id"])
    assert len(idea_meetings) == len(meeting_ids), "ideas and meetings from different moments"
    assert set(idea_meetings) == meeting_ids
    committee_ids = set(export.tables["committees"]["id"])
    assert set(export.tables["meetings"]["committee_id"]) <= committee_ids


@pytest.fixture
def committee_id(store: Store) -> int:
    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=None)
    add_meeting_with_one_idea(store, committee.id, 0)
    return committee.id


def test_an_export_taken_while_another_thread_writes_is_consistent(
    store: Store, committee_id: int
) -> None:
    def writer() -> None:
        for n in range(1, WRITES + 1):
            add_meeting_with_one_idea(store, committee_id, n)

    taken = export_while_writing(store, writer)
    for export in taken:
        assert_consistent(export)
    assert len(taken[0].tables["meetings"]) == 1
    assert len(taken[-1].tables["meetings"]) == WRITES + 1


def test_an_export_taken_while_another_connection_writes_is_consistent(
    store: Store, committee_id: int, tmp_path: Path
) -> None:
    """A second Store on the same file stands for a second process: only the read transaction
    (not the lock) keeps its commits from landing between two tables of one export."""
    other = open_store(store.path if store.engine == "postgresql" else Path(store.path))

    def writer() -> None:
        for n in range(1, WRITES + 1):
            add_meeting_with_one_idea(other, committee_id, n)

    try:
        taken = export_while_writing(store, writer)
    finally:
        other.close()
    for export in taken:
        assert_consistent(export)
    assert len(taken[-1].tables["meetings"]) == WRITES + 1


def test_a_snapshot_is_read_only_and_nests(store: Store, committee_id: int) -> None:
    with store.snapshot() as db:
        with store.snapshot() as inner:
            assert inner is db
        assert store.scalar("SELECT COUNT(*) FROM meetings") == 1
        with pytest.raises(RuntimeError), store.transaction():
            pass
    # After the snapshot, writes work again and the connection is out of any transaction.
    add_meeting_with_one_idea(store, committee_id, 1)
    if store.engine == "sqlite":
        assert not store.conn.in_transaction
    else:
        assert store.conn.info.transaction_status.name == "IDLE"  # type: ignore[attr-defined]
    assert store.scalar("SELECT COUNT(*) FROM meetings") == 2


def test_a_snapshot_inside_a_transaction_reads_its_uncommitted_rows(
    store: Store, committee_id: int
) -> None:
    with store.transaction():
        add_meeting_with_one_idea(store, committee_id, 1)
        with store.snapshot() as db:
            assert db.execute("SELECT COUNT(*) FROM ideas").fetchone()[0] == 2
        add_meeting_with_one_idea(store, committee_id, 2)
    assert store.scalar("SELECT COUNT(*) FROM ideas") == 3
