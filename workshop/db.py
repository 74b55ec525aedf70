"""The one way into SQLite.

``open_store(path, migration_sets)`` opens the database through sqlite-utils in WAL mode with
foreign keys on and a busy timeout, applies the named migration sets it is given, and returns a
:class:`Store`. This module is the ground floor: it imports no feature. ``workshop.app`` (the
composition root) knows every feature's migration set and is what the app, the CLI and the
tests open a database through.

Writes: one connection behind a lock. Streamlit runs every rerun on a new thread, and all
sessions of a process share one Store. sqlite-utils wraps writes in SAVEPOINTs, so two threads
interleaving on one connection corrupt each other's transactions (stack-notes §0.7). A
process-wide ``RLock`` makes each write transaction (``transaction()``, ``execute()``) run
alone on the *writer* connection. Several processes on one file are safe too: writes start
with ``BEGIN IMMEDIATE`` so they queue on SQLite's write lock (with ``busy_timeout``) instead
of failing when a deferred transaction tries to upgrade.

Reads beside writes: ``query``, ``query_one``, ``scalar`` and ``snapshot`` run on *read*
connections (same pragmas, plus ``PRAGMA query_only=ON``: a read can never write) and take
no lock. In WAL mode a reader sees the last committed state and neither waits for the writer
nor holds it up, so a phone's poll no longer queues behind an export or a cold summary.
``benchmarks/bench_read_lock.py`` (10,000 ideas, 200,000 votes, one process, a machine at
load average 5–17): a poll while an export and a cold summary run took p50 1.9–6.8 s, max
4.6–8.7 s behind the one lock; on read connections p50 0.4 ms (its idle median), p95 4–8 ms,
max 164–262 ms. What remains is the GIL, held by the other threads (pandas building a
200,000-row DataFrame holds it for up to ~300 ms), not the store: README "Reads beside
writes". Two exceptions:

- a thread inside its own write transaction reads on the writer connection (under the lock
  it already holds), so it sees its own uncommitted rows;
- a database that cannot be shared between connections (``":memory:"``, or a file that is not
  in WAL mode) keeps the single-connection behaviour: every read and write on the writer,
  under the lock.

Why a bounded pool, not one connection per thread: Streamlit starts a new thread for every
script run, so a ``threading.local`` connection would be opened for almost every rerun and
live until the garbage collector finds the dead thread. The pool keeps at most
``Store.READ_CONNECTIONS`` (8) connections, opened lazily and reused warm (their page caches
stay filled); a read checks one out for the length of one query (or one snapshot) and gives
it back. When all are in use (eight long snapshots at once), a read waits for the first to
come back. A thread holds at most one at a time (reads inside a snapshot use the snapshot's
connection), so that wait cannot deadlock. ``close()`` closes all of them.

Several reads that must agree with each other (an export of many tables) go inside
``with store.snapshot() as db:``: a read transaction (``BEGIN`` on one read connection,
started at once), so no commit by any thread or process shows up half-way, and no lock, so
writers go on meanwhile. ``query``/``scalar`` on the same thread inside it read the same
snapshot. Writing inside a snapshot raises RuntimeError (``store.transaction()``) or
``sqlite3.OperationalError`` (through the yielded database, which is read-only).

Durability: ``SAMSKAB_SQLITE_SYNCHRONOUS`` is ``FULL`` (the default) or ``NORMAL``. In WAL mode,
both never lose a committed transaction when the *process* dies (``kill -9``, a crash) and
never corrupt the file. On a *power loss* or kernel crash, NORMAL may lose the last
transactions acknowledged since the last WAL sync; FULL syncs the WAL at every commit, so no
acknowledged write is lost. The 300-phone room benchmark could not tell them apart; README
"Durability" has the figures.

A serving app holds a shared ``flock`` on ``<database>.serving`` for its whole life
(:func:`hold_serving_lock`, from ``streamlit_app.py``); :func:`no_app_serving` takes it
exclusively, so ``samskab restore`` can tell that an app still has the database open. The
operating system drops the lock when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import sqlite_utils
from sqlite_utils import Migrations
from sqlite_utils.db import dedupe_keys

from workshop.errors import InvalidInput, NotAllowed

BUSY_TIMEOUT_MS = 10_000
SYNCHRONOUS_ENV = "SAMSKAB_SQLITE_SYNCHRONOUS"
SYNCHRONOUS_LEVELS = ("NORMAL", "FULL")


def synchronous_level() -> str:
    """``FULL`` or ``NORMAL`` from ``SAMSKAB_SQLITE_SYNCHRONOUS`` (default FULL)."""
    value = os.environ.get(SYNCHRONOUS_ENV, "")
    level = value.strip().upper() or "FULL"
    if level not in SYNCHRONOUS_LEVELS:
        raise InvalidInput("error.settings.sqlite_synchronous", value=value)
    return level


class _Readers:
    """A bounded pool of query-only connections to one database file."""

    def __init__(self, file: str, size: int) -> None:
        self._file = file
        self._size = size
        self._idle: list[sqlite_utils.Database] = []
        self._open = 0
        self._closed = False
        self._changed = threading.Condition()
        self.opened = 0  # connections opened over the pool's life

    def take(self) -> sqlite_utils.Database:
        with self._changed:
            while True:
                if self._closed:
                    raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
                if self._idle:
                    return self._idle.pop()
                if self._open < self._size:
                    self._open += 1
                    self.opened += 1
                    break
                self._changed.wait()
        try:  # opened outside the pool's lock: other reads go on meanwhile
            conn = connect(self._file)
            conn.execute("PRAGMA query_only=ON")
            return sqlite_utils.Database(conn)
        except BaseException:
            with self._changed:
                self._open -= 1
                self._changed.notify()
            raise

    def give(self, reader: sqlite_utils.Database) -> None:
        conn = reader.conn
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            self._discard(reader)
            return
        with self._changed:
            if not self._closed:
                self._idle.append(reader)
                self._changed.notify()
                return
        self._discard(reader)  # the store was closed while this read ran

    def _discard(self, reader: sqlite_utils.Database) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify()
        reader.conn.close()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._changed.notify_all()
        for reader in idle:
            reader.conn.close()


class Store:
    """A shared database: one writer connection with a lock and a transaction helper, and a
    pool of read connections that take no lock (see the module docstring)."""

    READ_CONNECTIONS = 8

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.path = path
        self.conn = conn  # the writer
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._writer: int | None = None  # the thread whose write transaction is open
        self._local = threading.local()  # .snapshot: this thread's open snapshot, if any
        self._readers: _Readers | None = None
        file = conn.execute("PRAGMA database_list").fetchone()[2]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if file and str(journal).lower() == "wal":
            self._readers = _Readers(file, self.READ_CONNECTIONS)

    @property
    def shareable(self) -> bool:
        """Whether other connections (other threads, other processes) can read this database
        beside the writer: a file in WAL mode, not ``":memory:"``."""
        return self._readers is not None

    @property
    def read_connections_opened(self) -> int:
        """How many read connections this store has opened (at most ``READ_CONNECTIONS``)."""
        return self._readers.opened if self._readers else 0

    def _snapshot_here(self) -> sqlite_utils.Database | None:
        return getattr(self._local, "snapshot", None)

    def _writing_here(self) -> bool:
        return self._writer == threading.get_ident()

    # -- writes ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write. Nested calls become savepoints of the outer transaction."""
        if self._snapshot_here() is not None:
            raise RuntimeError("store.snapshot() is read-only: write outside it")
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    with self.db.atomic():
                        yield self.db
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._writer = threading.get_ident()
            try:
                yield self.db
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._depth = 0
                self._writer = None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one write statement in its own transaction (or the current one)."""
        with self.transaction() as db:
            return db.execute(sql, params)

    # -- reads ----------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[sqlite_utils.Database]:
        """The database one read runs on: this thread's snapshot, the writer (inside this
        thread's transaction, or when connections cannot share the database), or a pooled
        read connection."""
        held = self._snapshot_here()
        if held is not None:
            yield held
        elif self._readers is None or self._writing_here():
            with self._lock:
                yield self.db
        else:
            reader = self._readers.take()
            try:
                yield reader
            finally:
                self._readers.give(reader)

    @contextmanager
    def snapshot(self) -> Iterator[sqlite_utils.Database]:
        """Several reads that see one state of the database, for read models that must add up.

        A read transaction on one read connection, started on entry: commits by other
        threads or processes stay invisible until it ends, and they do not wait for it.
        Inside a write transaction it reads that transaction's state. Writing inside a
        snapshot raises (RuntimeError from ``transaction()``; sqlite3.OperationalError through
        the yielded database). ``query``/``scalar`` may be used inside it as well as the
        yielded database.
        """
        held = self._snapshot_here()
        if held is not None:
            yield held
            return
        if self._writing_here():
            with self._lock:
                yield self.db
            return
        if self._readers is None:
            with self._single_connection_snapshot() as db:
                yield db
            return
        reader = self._readers.take()
        try:
            reader.conn.execute("BEGIN")
            reader.conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchall()  # start it now
            self._local.snapshot = reader
            try:
                yield reader
            finally:
                self._local.snapshot = None
        finally:
            self._readers.give(reader)  # ends the read transaction

    @contextmanager
    def _single_connection_snapshot(self) -> Iterator[sqlite_utils.Database]:
        """``:memory:``: the snapshot holds the lock, and the writer is query-only meanwhile."""
        with self._lock:
            if self._depth or self.conn.in_transaction:
                yield self.db
                return
            self.conn.execute("BEGIN")
            self.conn.execute("PRAGMA query_only=ON")
            self._local.snapshot = self.db
            try:
                yield self.db
            finally:
                self._local.snapshot = None
                self.conn.execute("PRAGMA query_only=OFF")
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._reading() as db:
            if db is self.db:  # the writer: sqlite-utils undoes a statement that returns no rows
                return list(db.query(sql, params))
            # A read connection is query-only, so sqlite-utils' SAVEPOINT guard around every
            # query is not needed: one statement instead of three (a poll is ~3× faster).
            cursor = db.conn.execute(sql, params)
            try:
                if cursor.description is None:
                    raise ValueError("query() can only be used with SQL that returns rows")
                keys = dedupe_keys(column[0] for column in cursor.description)
                return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
            finally:
                cursor.close()

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._reading() as db:
            cursor = db.conn.execute(sql, params)
            try:
                row = cursor.fetchone()
            finally:
                cursor.close()  # ends the statement, and with it the read
        return None if row is None else row[0]

    def close(self) -> None:
        with self._lock:
            if self._readers is not None:
                self._readers.close()
            self.conn.close()


def connect(path: str | Path) -> sqlite3.Connection:
    path = str(path)
    synchronous = synchronous_level()  # a wrong setting stops here, before any file is made
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: Python opens no implicit transactions; we say BEGIN ourselves.
    conn = sqlite3.connect(
        path, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
    )
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: every commit is on disk before it is acknowledged, power loss included.
        # NORMAL (WAL) loses nothing on a process crash, but on power loss the last commits.
        conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def open_store(path: str | Path, migration_sets: Sequence[Migrations]) -> Store:
    """Open (and create or migrate) the database at ``path`` with the given migration sets,
    applied in order. The composition root, ``workshop.app``, knows which sets exist."""
    store = Store(connect(path), str(path))
    with store._lock:  # the Store's own lock: no other thread has it yet
        for migration_set in migration_sets:
            migration_set.apply(store.db)
    return store


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def shared_store(path: str | Path, migration_sets: Sequence[Migrations]) -> Store:
    """One Store per database file per process (every Streamlit session shares it)."""
    key = str(Path(path).resolve()) if str(path) != ":memory:" else ":memory:"
    with _stores_lock:
        if key not in _stores:
            _stores[key] = open_store(path, migration_sets)
        return _stores[key]


def run_sql(db: sqlite_utils.Database, script: str) -> None:
    """Execute a multi-statement script inside the current transaction (for migrations).

    (``executescript`` would COMMIT first, breaking the migration's transaction.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            if statement.strip():
                db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement[:80]}")


# -- "is an app serving this database?" -------------------------------------------------------

_serving: dict[str, IO[str]] = {}
_serving_lock = threading.Lock()


def serving_lock_path(db_path: str | Path) -> Path:
    path = Path(db_path)
    return path.with_name(path.name + ".serving")


def hold_serving_lock(db_path: str | Path) -> None:
    """Mark this process as serving ``db_path`` until it ends (a shared ``flock``; several app
    processes may hold it at once). Waits while a restore is writing the database."""
    key = str(Path(db_path).resolve())
    with _serving_lock:
        if key in _serving:
            return
        path = serving_lock_path(db_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+")
        fcntl.flock(handle, fcntl.LOCK_SH)
        _serving[key] = handle  # kept open (and locked) for the life of the process


@contextmanager
def no_app_serving(db_path: str | Path, *, force: bool = False) -> Iterator[bool]:
    """Hold off app processes on ``db_path`` for the duration (an app that starts meanwhile
    waits). Raises NotAllowed (``error.restore.serving``) if one is serving it now, unless
    ``force``; then yields False instead of True."""
    path = serving_lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not force:
                raise NotAllowed("error.restore.serving", path=str(db_path)) from None
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
