"""Several app processes on one PostgreSQL: each process's watcher learns of a meeting's
change from the database (LISTEN/NOTIFY) instead of looking every 200 ms.

These run when the suite runs on PostgreSQL (``SAMSKAB_TEST_DATABASE=postgresql``); on SQLite
they are skipped (a SQLite watcher looks at the file, ``tests/test_push_watch.py``). Two
stores on one database stand in for two app processes, each with its own watcher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.conftest import _admin
from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.watch import Version, Watcher
from workshop.model import Meeting, User


@pytest.fixture(autouse=True)
def postgres_only(engine: str) -> None:
    if engine != "postgresql":
        pytest.skip("PostgreSQL only: LISTEN/NOTIFY (SAMSKAB_TEST_DATABASE=postgresql)")


class Inbox:
    """What one subscriber was told, in order; ``until`` waits for a version."""

    def __init__(self) -> None:
        self.seen: list[Version] = []
        self.changed = threading.Condition()

    def __call__(self, version: Version) -> None:
        with self.changed:
            self.seen.append(version)
            self.changed.notify_all()

    def until(self, change_seq: int, timeout: float) -> float | None:
        """Seconds until a version at or past ``change_seq`` arrived, or None."""
        began = time.monotonic()
        with self.changed:
            arrived = self.changed.wait_for(
                lambda: any(v.change_seq >= change_seq for v in self.seen), timeout
            )
        return time.monotonic() - began if arrived else None


@pytest.fixture
def host_b(store: Store) -> Iterator[Store]:
    """A second app process's store on the same database."""
    other = open_store(store.url)  # type: ignore[attr-defined]
    yield other
    other.close()


def _listening(watcher: Watcher, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while watcher.listener_pid is None:
        assert time.monotonic() < deadline, "the watcher never listened"
        threading.Event().wait(0.01)


def test_a_write_on_one_host_reaches_the_other_hosts_phone_by_notification(
    store: Store, host_b: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    quiet = make_meeting(store, facilitator)
    start(store, quiet)
    # (no safety look within the test, so that what B reads is what it was told of)
    on_a, on_b = Watcher(store, safety=60.0), Watcher(host_b, safety=60.0)
    phone_a, phone_b, elsewhere = Inbox(), Inbox(), Inbox()
    subscriptions = [
        on_a.subscribe(meeting.id, phone_a),
        on_b.subscribe(meeting.id, phone_b),
        on_b.subscribe(quiet.id, elsewhere),
    ]
    try:
        _listening(on_a)
        _listening(on_b)
        # An idle room costs no look at the database (the old watcher looked 5 times a second).
        reads = on_b.reads
        assert phone_b.until(10**9, 1.5) is None
        assert on_b.reads == reads, "the watcher looked at the database with nothing changed"
        # A phone on host A submits; the phone on host B has it within a second.
        before = phone_b.seen[-1].change_seq
        ideas.submit_idea(store, join(store, meeting, "Anna"), "Flere bænke ved havnen")
        took = phone_b.until(before + 1, 1.0)
        assert took is not None, "host B's phone was not told within 1 s"
        assert phone_a.until(before + 1, 1.0) is not None
        news = phone_b.seen[-1].news
        assert news is not None and [i.text for i in news.ideas] == ["Flere bænke ved havnen"]
        # B looked at the meeting it was told of, not at every meeting it follows.
        assert on_b.looked == [meeting.id]
        assert len(elsewhere.seen) == 1
        # And host B's writes reach host A the same way.
        before = phone_a.seen[-1].change_seq
        ideas.submit_idea(host_b, join(host_b, meeting, "Bo"), "Et tag over cykelparkeringen")
        assert phone_a.until(before + 1, 1.0) is not None, "host A's phone was not told"
    finally:
        for subscription in subscriptions:
            subscription.close()
        assert on_a.stop_when_idle(5) and on_b.stop_when_idle(5)


def test_a_dropped_listening_connection_reconnects_and_catches_up(
    store: Store, host_b: Store, meeting: Meeting
) -> None:
    start(store, meeting)
    watcher = Watcher(host_b, safety=60.0)  # no safety look within the test: the reconnect
    phone = Inbox()
    subscription = watcher.subscribe(meeting.id, phone)
    try:
        _listening(watcher)
        first = watcher.listener_pid
        assert watcher.listens == 1
        # The database server ends the listening connection (a restart, a network cut) ...
        _admin(f"SELECT pg_terminate_backend({first})")
        # ... and a phone on the other host writes meanwhile.
        before = phone.seen[-1].change_seq
        ideas.submit_idea(store, join(store, meeting, "Cille"), "Lys på stien")
        assert phone.until(before + 1, 3.0) is not None, "the write was never told"
        _listening(watcher)
        assert watcher.listens == 2 and watcher.listener_pid != first
        # Listening again: the next write is told by notification, within a second.
        before = phone.seen[-1].change_seq
        ideas.submit_idea(store, join(store, meeting, "Dan"), "Vand i parken")
        assert phone.until(before + 1, 1.0) is not None
    finally:
        subscription.close()
        assert watcher.stop_when_idle(5)


def test_a_meeting_change_notifies_its_id_and_nothing_else(store: Store, meeting: Meeting) -> None:
    """The payload is the meeting's id: no text, no name, no participant."""
    start(store, meeting)
    listener = store.listener()
    assert listener is not None
    try:
        ideas.submit_idea(store, join(store, meeting, "Eva"), "Hemmelig tekst")
        assert listener.wait(2.0) == {meeting.id}
        raw = [n.payload for n in listener.conn.notifies(timeout=0.2)]
        assert all(p == str(meeting.id) for p in raw)
    finally:
        listener.close()


def test_writes_go_on_after_the_server_dropped_the_writer_connection(
    store: Store, meeting: Meeting
) -> None:
    """A PostgreSQL restart, a failover or an administrator ends the process's one writer
    connection: the next write opens a new one (before this, every later write of the
    process failed with "the connection is closed", for good, while pages still loaded)."""
    from workshop.voting import ballots as voting

    start(store, meeting)
    anna = join(store, meeting, "Anna")
    idea = ideas.submit_idea(store, anna, "Bænke ved søen")
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    round_id = voting.current_round(store, meeting.id).id
    for _ in range(2):  # twice: the new connection is as good as the first
        _admin(f"SELECT pg_terminate_backend({store.conn.info.backend_pid})")  # type: ignore[attr-defined]
        assert voting.place_dot(store, anna, round_id, idea.id) >= 0
    assert voting.my_dots(store, round_id, anna.id) == {idea.id: 2}
    assert store.reconnects == 2  # type: ignore[attr-defined]


def test_each_connection_says_which_process_and_what_for(store: Store, meeting: Meeting) -> None:
    """An administrator reading pg_stat_activity tells the app's writer, readers and listener
    apart, and which process holds them (fresh-eyes trial: every connection was nameless)."""
    import os

    import psycopg

    from workshop.meetings.watch import Watcher

    start(store, meeting)
    store.query("SELECT 1")  # a reader from the pool
    watcher = Watcher(store, safety=60.0)
    subscription = watcher.subscribe(meeting.id, Inbox())
    try:
        _listening(watcher)
        with psycopg.connect(store.url) as admin:  # type: ignore[attr-defined]
            names = {
                row[0]
                for row in admin.execute(
                    "SELECT application_name FROM pg_stat_activity"
                    " WHERE datname = current_database()"
                )
            }
        pid = os.getpid()
        assert {f"samskab {r} pid {pid}" for r in ("write", "read", "listen")} <= names, names
    finally:
        subscription.close()
