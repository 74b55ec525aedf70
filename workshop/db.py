"""The one way into SQLite.

``open_store(path)`` opens the database through sqlite-utils in WAL mode with foreign keys on
and a busy timeout, applies the named migrations in ``workshop.schema``, and returns a
:class:`Store`.

Why a lock: Streamlit runs every rerun on a new thread, and all sessions of a process share
one connection. sqlite-utils wraps writes in SAVEPOINTs, so two threads interleaving on one
connection corrupt each other's transactions (stack-notes §0.7). A process-wide ``RLock``
makes each transaction, and each read, run alone on the connection. Several processes on one
file are safe too: writes start with ``BEGIN IMMEDIATE`` so they queue on SQLite's write lock
(with ``busy_timeout``) instead of failing when a deferred transaction tries to upgrade.

Several reads that must agree with each other (an export of many tables) go inside
``with store.snapshot() as db:``: it holds the lock, so no other thread of this process writes
in between, and a read transaction, so no other process's commit shows up half-way (WAL).

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


class Store:
    """A shared sqlite-utils database with a lock and a transaction helper."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._reading = False

    # -- writes ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One atomic write. Nested calls become savepoints of the outer transaction."""
        with self._lock:
            if self._reading:
                raise RuntimeError("store.snapshot() is read-only: write outside it")
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

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one write statement in its own transaction (or the current one)."""
        with self.transaction() as db:
            return db.execute(sql, params)

    # -- reads ----------------------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[sqlite_utils.Database]:
        """Several reads that see one state of the database, for read models that must add up.

        Holds the lock (no other thread of this process reads or writes on the connection
        meanwhile) and a read transaction (``BEGIN``: in WAL mode, commits by other processes
        stay invisible until it ends). Inside a write transaction it reads that transaction's
        state. Writing inside a snapshot raises RuntimeError. ``query``/``scalar`` may be used
        inside it as well as the yielded database.
        """
        with self._lock:
            if self._depth or self._reading or self.conn.in_transaction:
                yield self.db
                return
            self.conn.execute("BEGIN")
            self._reading = True
            try:
                yield self.db
            finally:
                self._reading = False
                if self.conn.in_transaction:
                    self.conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, params))

    def query_one(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def close(self) -> None:
        with self._lock:
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
