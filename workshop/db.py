"""The one way into the database: SQLite, or PostgreSQL (below, "PostgreSQL").

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

import contextlib
import fcntl
import functools
import itertools
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, NamedTuple

import sqlite_utils
from sqlite_utils import Migrations
from sqlite_utils.db import dedupe_keys

from workshop.errors import DatabaseUnavailable, InvalidInput, NotAllowed

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


class WriteScope(NamedTuple):
    """What a narrow write transaction changes: the rows of one participant (their ballots)
    and the counters every write bumps (``UPDATE … SET x = x + 1``, safe under concurrency).

    ``store.transaction(scope=WriteScope.participant(id))``. On SQLite it changes nothing (one
    writer at a time anyway). On PostgreSQL the transaction takes the write lock *shared* and
    a lock of its own on the scope, so narrow writes of different participants run at once,
    while every other write transaction still takes the write lock exclusively: it waits for
    the narrow ones in progress and they wait for it (README "Database engines", "Narrow
    writes"). A narrow transaction must read only what no narrow transaction of another scope
    changes, and may nest only narrow transactions."""

    kind: int  # 1: a participant
    id: int

    @classmethod
    def participant(cls, participant_id: int) -> WriteScope:
        return cls(1, int(participant_id))


def _nested_scope(outer: WriteScope | None, inner: WriteScope | None) -> None:
    """A transaction nested in another one: a write of the whole database cannot run inside a
    narrow one (it would need the exclusive lock the narrow one does not hold)."""
    if outer is not None and inner is None:
        raise RuntimeError(
            "a write of the whole database inside a narrow transaction (WriteScope): "
            "give the inner transaction the scope, or write outside the narrow one"
        )


def finish_with(handle: Any, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """The last writes of a transaction, whose results nobody reads (no RETURNING, no
    rowcount). On PostgreSQL they go to the server together with the COMMIT, in one round
    trip, and a rule they break is raised as the ``with`` block ends (as a failing COMMIT
    would be), nothing of the transaction saved; nothing may run in the transaction after
    them. On SQLite they run now, one after the other."""
    if isinstance(handle, PgDatabase):
        handle.finish(statements)
        return
    for sql, params in statements:
        handle.execute(sql, params)


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
    engine = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.path = path
        self.conn = conn  # the writer
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._writer: int | None = None  # the thread whose write transaction is open
        self._scope: WriteScope | None = None  # the open transaction's, if narrow
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
    def transaction(self, scope: WriteScope | None = None) -> Iterator[sqlite_utils.Database]:
        """One atomic write. Nested calls become savepoints of the outer transaction.

        ``scope``: a narrow write (:class:`WriteScope`); on SQLite the same as any other."""
        if self._snapshot_here() is not None:
            raise RuntimeError("store.snapshot() is read-only: write outside it")
        with self._lock:
            if self._depth:
                _nested_scope(self._scope, scope)
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
            self._scope = scope
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
                self._scope = None

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
            self._begin_snapshot(reader)
            self._local.snapshot = reader
            try:
                yield reader
            finally:
                self._local.snapshot = None
        finally:
            self._readers.give(reader)  # ends the read transaction

    def _begin_snapshot(self, reader: sqlite_utils.Database) -> None:
        """Start a read transaction on ``reader`` now (a deferred BEGIN starts at the first
        read)."""
        reader.conn.execute("BEGIN")
        reader.conn.execute("SELECT COUNT(*) FROM sqlite_schema").fetchall()

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

    def integers(self, sql: str, params: Sequence[int] = ()) -> Any:
        """The rows of a query of integer columns (no NULLs) as one int64 numpy array, rows ×
        columns, in the query's order: for reads of millions of rows (the votes of a national
        dialogue for its opinion groups) without a tuple, let alone a dict, per row kept.
        ``params`` are integers for ``?`` placeholders."""
        import itertools

        import numpy as np

        with self._reading() as db:
            cursor = db.conn.execute(sql, params)
            try:
                width = len(cursor.description)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, len(rows) * width)
        return flat.reshape(len(rows), width)

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

    def listener(self) -> PgListener | None:
        """A connection told of every committed change of a meeting, or None: SQLite tells
        nobody (a watcher looks at the file instead)."""
        return None

    def has_column(self, table: str, column: str) -> bool:
        """Whether ``table`` has ``column`` (either engine)."""
        if self.engine == "postgresql":
            sql = (
                "SELECT 1 FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?"
            )
        else:
            sql = "SELECT 1 FROM pragma_table_info(?) WHERE name = ?"
        return self.scalar(sql, [table, column]) is not None

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


def open_store(
    path: str | Path,
    migration_sets: Sequence[Migrations],
    postgres_sets: Sequence[PgMigrations] = (),
) -> Store:
    """Open (and create or migrate) the database at ``path`` with the given migration sets,
    applied in order. The composition root, ``workshop.app``, knows which sets exist.

    ``path`` is a SQLite file, or a ``postgresql://`` URL: then ``postgres_sets`` are applied
    and a :class:`PgStore` is returned."""
    if is_postgres(path):
        return _pg_open(str(path), postgres_sets)
    if _URL_SCHEME.match(str(path)):
        # Not a file but not a URL Samskab can use (mysql://, PostgreSQL://, postgresql:/x,
        # postgresql+psycopg://): it was opened as a file path, a SQLite database in folders
        # named after the URL, and the app ran on it without a word.
        shown = re.sub(r"(//[^:/@]*):[^@/]*@", r"\1@", str(path))  # never the password
        raise DatabaseUnavailable("error.database.url", url=shown, detail=POSTGRES_SCHEMES[0])
    store = Store(connect(path), str(path))
    with store._lock:  # the Store's own lock: no other thread has it yet
        for migration_set in migration_sets:
            migration_set.apply(store.db)
    return store


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


@functools.lru_cache(maxsize=64)
def _store_key(path: str, cwd: str) -> str:
    """The key of ``path`` in :func:`shared_store`: a file by its resolved path, so that two
    spellings share a Store. Resolved once per spelling and working directory: every page,
    route and push event asks for the store, and resolving walks the path's symlinks each
    time (a sixth of a 300-phone room's server CPU went there, measured with py-spy)."""
    if is_postgres(path) or path == ":memory:":
        return path
    return str(Path(cwd, path).resolve())


def shared_store(
    path: str | Path,
    migration_sets: Sequence[Migrations],
    postgres_sets: Sequence[PgMigrations] = (),
) -> Store:
    """One Store per database (file or URL) per process (every Streamlit session shares it)."""
    key = _store_key(str(path), os.getcwd())
    with _stores_lock:
        if key not in _stores:
            _stores[key] = open_store(path, migration_sets, postgres_sets)
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
def no_app_serving(
    db_path: str | Path, *, force: bool = False, refusal: str = "error.restore.serving"
) -> Iterator[bool]:
    """Hold off app processes on ``db_path`` for the duration (an app that starts meanwhile
    waits). Raises NotAllowed (``refusal``, with ``path``) if one is serving it now, unless
    ``force``; then yields False instead of True."""
    path = serving_lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not force:
                raise NotAllowed(refusal, path=str(db_path)) from None
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# == PostgreSQL ===============================================================================
#
# ``SAMSKAB_DATABASE_URL=postgresql://…`` opens a :class:`PgStore` instead: the same interface
# (transaction, execute, query, query_one, scalar, snapshot, close), so every feature service
# runs unchanged on either engine. README "Database engines" explains the design; in short:
#
# - The write handle (:class:`PgDatabase`) offers the part of sqlite-utils' ``Database`` the
#   features use: ``execute(sql, params)`` returning a cursor (``fetchone``, ``fetchall``,
#   ``rowcount``, ``description``), ``query()``, ``table_names()``. New ids come from
#   ``INSERT … RETURNING id``, which both engines understand (no ``lastrowid``).
# - Placeholders: the features write SQLite's ``?`` and ``:name``. They are rewritten to
#   PostgreSQL's own ``$1, $2, …`` (psycopg's RawCursor, server-side binding: values never
#   enter the SQL text, and repeated statements are prepared once per connection) by a
#   scanner that skips string literals, quoted names and comments. Nothing else in the SQL
#   is translated: SQL that only SQLite understands is rewritten in the feature itself.
# - Writes keep SQLite's one-writer semantics: one writer connection per process behind the
#   same lock, and every write transaction first takes one transaction-scoped advisory lock,
#   so write transactions of all processes run one after the other, as ``BEGIN IMMEDIATE``
#   makes them on SQLite (read-modify-write code such as ``change_seq + 1`` stays correct).
#   The one exception is a *narrow* write (:class:`WriteScope`: a vote on a statement or a
#   two-axis score): it takes that lock shared plus a lock on its participant, so votes of
#   different participants commit at once, and talks to the server in 2 round trips
#   (:meth:`PgDatabase._send`, :func:`finish_with`). README "Database engines", "Narrow writes".
# - A rule the database refuses (a trigger, a constraint) reaches the features as the same
#   ``sqlite3.IntegrityError`` (subclass :class:`PgIntegrityError`) with SQLite's message.

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # what a URL starts with; a path does not
# pg_advisory_xact_lock keys: one for all write transactions, one for migrations.
_WRITE_LOCK = 0x53414D53  # "SAMS"
_MIGRATION_LOCK = 0x4B414231  # "KAB1"
_PREPARED_NAMES = itertools.count(1)  # names of the statements PgDatabase._send prepares
_DEALLOCATES = re.compile(r"^(?:DROP|ALTER|ROLLBACK|DISCARD ALL|DEALLOCATE ALL)\b").match
MIGRATIONS_TABLE = "samskab_migrations"
# The channel a committed change of a meeting that phones follow is NOTIFYed on (payload: the
# meeting's id), by a trigger of ``workshop.schema_pg``; ``PgStore.listener`` LISTENs to it.
MEETING_CHANNEL = "samskab_meeting"


def foreign_keys_to(handle: Any, table: str) -> list[tuple[str, str]]:
    """(table, column) pairs whose foreign key points at ``table``, on either engine (a
    transaction's handle)."""
    if isinstance(handle, PgDatabase):
        rows = handle.execute(
            "SELECT cl.relname, att.attname FROM pg_constraint c"
            " JOIN pg_class cl ON cl.oid = c.conrelid"
            " JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = ANY (c.conkey)"
            " WHERE c.contype = 'f' AND c.confrelid = to_regclass(?)",
            [table],
        ).fetchall()
        return sorted((str(r[0]), str(r[1])) for r in rows)
    pairs = []
    for name in handle.table_names():
        for fk in handle.execute(f'PRAGMA foreign_key_list("{name}")').fetchall():
            if fk[2] == table:
                pairs.append((name, fk[3]))
    return sorted(pairs)


def column_names(handle: Any, table: str) -> list[str]:
    """The columns of ``table`` in order, on either engine (a transaction's handle)."""
    if isinstance(handle, PgDatabase):
        rows = handle.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        return [str(r[0]) for r in rows]
    return [str(c[1]) for c in handle.execute(f'PRAGMA table_info("{table}")').fetchall()]


def column_not_null(handle: Any, table: str, column: str) -> bool:
    """Whether ``table.column`` is NOT NULL, on either engine (a transaction's handle)."""
    if isinstance(handle, PgDatabase):
        row = handle.execute(
            "SELECT is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?",
            [table, column],
        ).fetchone()
        return row is not None and row[0] == "NO"
    info = handle.execute(f'PRAGMA table_info("{table}")').fetchall()
    return any(c[1] == column and c[3] for c in info)


def sql_group_concat(
    engine: str, expression: str, separator: str = ",", *, order_by: str | None = None
) -> str:
    """SQL that joins ``expression`` over the group into one text (NULL for no rows):
    SQLite's ``group_concat``, PostgreSQL's ``string_agg``. The one aggregate whose name
    differs between the engines; ``engine`` is ``store.engine``.

    ``order_by``: the order of the parts on PostgreSQL, whose plan otherwise decides it (a
    database restored from pg_dump joined the same rows in another order). SQLite 3.40 has no
    ORDER BY inside an aggregate; it joins in the order of the index its lookup walks, so name
    that index's order here and both engines agree."""
    quoted = "'" + separator.replace("'", "''") + "'"
    if engine == "postgresql":
        order = f" ORDER BY {order_by}" if order_by else ""
        return f"string_agg(CAST({expression} AS TEXT), {quoted}{order})"
    return f"group_concat({expression}, {quoted})"


def sql_json_array(engine: str, expression: str, *, order_by: str | None = None) -> str:
    """SQL that collects ``expression`` over the group as a JSON array text (``[]`` for no
    rows): SQLite's ``json_group_array``, PostgreSQL's ``json_agg``. ``order_by`` as for
    :func:`sql_group_concat`."""
    if engine == "postgresql":
        order = f" ORDER BY {order_by}" if order_by else ""
        return f"COALESCE(json_agg({expression}{order}), '[]'::json)::text"
    return f"json_group_array({expression})"


def is_postgres(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL database (a URL) rather than a SQLite file."""
    return str(target).startswith(POSTGRES_SCHEMES)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:
        return url.split("@")[-1]
    host, port = str(parts.get("host", "")), str(parts.get("port", ""))
    user, name = str(parts.get("user", "")), str(parts.get("dbname", ""))
    where = f"{host}:{port}" if port else str(host)
    return f"postgresql://{user + '@' if user else ''}{where}/{name}"


class PgIntegrityError(sqlite3.IntegrityError):
    """PostgreSQL refused a write: a trigger's rule or a constraint, with SQLite's message."""


class PgOperationalError(sqlite3.OperationalError):
    """PostgreSQL could not run a statement (read-only snapshot, lost connection, …)."""


class PgDatabaseError(sqlite3.DatabaseError):
    """Any other error PostgreSQL reported."""


_KEY_COLUMNS = re.compile(r"Key \((?P<columns>[^)]*)\)")


def _mapped_error(error: Exception) -> Exception:
    """A psycopg error as the sqlite3 exception (and message) SQLite gives for the same case."""
    from psycopg import errors

    diag = getattr(error, "diag", None)
    table = getattr(diag, "table_name", None) or ""
    message = (getattr(diag, "message_primary", None) or str(error)).strip()
    if isinstance(error, errors.UniqueViolation):
        match = _KEY_COLUMNS.search(getattr(diag, "message_detail", None) or "")
        columns = [c.strip() for c in match["columns"].split(",")] if match else []
        named = ", ".join(f"{table}.{c}" for c in columns) or getattr(diag, "constraint_name", "")
        return PgIntegrityError(f"UNIQUE constraint failed: {named}")
    if isinstance(error, errors.NotNullViolation):
        return PgIntegrityError(
            f"NOT NULL constraint failed: {table}.{getattr(diag, 'column_name', '')}"
        )
    if isinstance(error, errors.CheckViolation):
        return PgIntegrityError(f"CHECK constraint failed: {getattr(diag, 'constraint_name', '')}")
    if isinstance(error, errors.ForeignKeyViolation):
        return PgIntegrityError("FOREIGN KEY constraint failed")
    if isinstance(error, errors.IntegrityError):
        return PgIntegrityError(message)  # a trigger's RAISE: 'dot_limit', 'idea_hidden', …
    if isinstance(error, errors.ReadOnlySqlTransaction):  # SQLite's words first
        return PgOperationalError(f"attempt to write a readonly database ({message})")
    if isinstance(error, errors.OperationalError):
        return PgOperationalError(message)
    return PgDatabaseError(message)


_IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT = _IDENT_START | frozenset("0123456789")


@functools.lru_cache(maxsize=4096)
def _placeholders(sql: str) -> tuple[str, tuple[str | int, ...]]:
    """SQLite's ``?``, ``?N`` and ``:name`` placeholders as ``$1, $2, …``, outside string
    literals, quoted names and comments; and, in order, which parameter each number takes
    (its position for ``?``, its name for ``:name``)."""
    out: list[str] = []
    order: list[str | int] = []
    numbers: dict[str, int] = {}
    highest = 0  # the highest ?N so far
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == c:
                    if end + 1 < n and sql[end + 1] == c:  # '' or "" inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif c == "?":  # ? is one more than the highest number so far; ?N is N (SQLite's rule)
            end = i + 1
            while end < n and sql[end].isdigit():
                end += 1
            number = int(sql[i + 1 : end]) if end > i + 1 else highest + 1
            highest = max(highest, number)
            out.append(f"${number}")
            i = end
        elif c == ":" and sql.startswith("::", i):
            out.append("::")
            i += 2
        elif c == ":" and i + 1 < n and sql[i + 1] in _IDENT_START:
            end = i + 1
            while end < n and sql[end] in _IDENT:
                end += 1
            name = sql[i + 1 : end]
            if name not in numbers:
                order.append(name)
                numbers[name] = len(order)
            out.append(f"${numbers[name]}")
            i = end
        else:
            out.append(c)
            i += 1
    if highest and order:
        raise ValueError("SQL mixes ? and :name placeholders")
    return "".join(out), tuple(order) if order else tuple(range(highest))


def _pg_statement(sql: str, params: Sequence[Any] | dict[str, Any]) -> tuple[str, list[Any] | None]:
    text, order = _placeholders(sql)
    if not order:
        return text, None
    if isinstance(params, dict):
        return text, [params[str(key)] for key in order]
    values = list(params)
    return text, [values[key] if isinstance(key, int) else None for key in order]


class PgCursor:
    """What a feature reads from ``db.execute(...)``: rows as tuples, rowcount, description."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def lastrowid(self) -> int:
        raise AttributeError("lastrowid is SQLite's: write INSERT … RETURNING id (both engines)")

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._cursor.fetchall()) if self._cursor.description else []

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return list(self._cursor.fetchmany(size)) if self._cursor.description else []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._cursor.close()


class _Column(NamedTuple):
    name: str
    type_code: int


class _RawCursor:
    """``PgCursor``'s interface over a result :meth:`PgDatabase._send` returned: rows loaded
    by psycopg's adapters (the connection's, as any cursor's)."""

    def __init__(self, result: Any, conn: Any) -> None:
        from psycopg.adapt import Transformer

        self._rows: list[tuple[Any, ...]] = []
        self.description: list[_Column] | None = None
        if result.nfields:
            adapt = Transformer(conn)
            adapt.set_pgresult(result)
            self._rows = adapt.load_rows(0, result.ntuples, tuple)
            self.description = [
                _Column(result.fname(n).decode(), result.ftype(n)) for n in range(result.nfields)
            ]
        tuples = result.command_tuples
        self.rowcount = -1 if tuples is None else int(tuples)

    @property
    def lastrowid(self) -> int:
        raise AttributeError("lastrowid is SQLite's: write INSERT … RETURNING id (both engines)")

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._rows = []


class PgDatabase:
    """The write (and read) handle over one psycopg connection: the subset of sqlite-utils'
    ``Database`` the features use."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        # A narrow transaction's BEGIN and locks, sent with its first statement; then its
        # last writes (finish_with), sent with the COMMIT.
        self._head: list[tuple[str, list[Any] | None]] = []
        self._queued: list[tuple[str, list[Any] | None]] = []
        self._finished = False  # finish_with was called: only the COMMIT may follow
        self._prepared: dict[str, bytes] = {}  # statement text → its prepared name (_send)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        if self._finished:
            raise RuntimeError("finish_with: nothing may run in the transaction after it")
        text, values = _pg_statement(sql, params)
        if self._head:  # BEGIN, the locks and this statement: one round trip
            head, self._head = self._head, []
            try:
                return _RawCursor(self._send([*head, (text, values)]), self.conn)
            except Exception as error:
                import psycopg

                if isinstance(error, psycopg.Error):
                    raise _mapped_error(error) from error
                raise
        cursor = self.conn.cursor()
        try:
            cursor.execute(text, values)
        except Exception as error:
            import psycopg

            if isinstance(error, psycopg.Error):
                raise _mapped_error(error) from error
            raise
        if self._prepared:
            self.forget_prepared(cursor.statusmessage or "")
        return PgCursor(cursor)

    # -- finish_with: the last writes and the COMMIT in one round trip -----------------------
    def finish(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        if self._finished:
            raise RuntimeError("finish_with: nothing may run in the transaction after it")
        self._queued.extend(_pg_statement(sql, params) for sql, params in statements)
        self._finished = True

    def begin_with_first_statement(self, locks: str, values: list[Any]) -> None:
        """A narrow transaction: BEGIN and ``locks`` go to the server with its first statement."""
        self._head = [("BEGIN", None), (locks, values)]

    def commit(self) -> None:
        """COMMIT, with the queued last writes (and a BEGIN not sent yet) in one round trip;
        nothing at all for a narrow transaction that neither read nor wrote."""
        if self._queued:
            self._send([*self._head, *self._queued, ("COMMIT", None)])
        elif not self._head:
            self.conn.execute("COMMIT")
        self.forget_queued()

    def rollback(self) -> None:
        """ROLLBACK the open transaction: what was queued goes, and psycopg deallocates every
        prepared statement after it (:meth:`forget_prepared`)."""
        self.forget_queued()
        self.conn.execute("ROLLBACK")
        self.forget_prepared()

    def forget_queued(self) -> None:
        self._head = []
        self._queued = []
        self._finished = False

    def _send(self, statements: list[tuple[str, list[Any] | None]]) -> Any:
        """Statements in one pipeline straight through libpq: one round trip, and none of
        psycopg's per-statement work (its pipeline mode cost 0.3 ms of client CPU for four
        statements, libpq's 0.03 ms). Each statement is prepared once per connection (the
        server plans it once); values are dumped, and the last statement's rows loaded, by
        psycopg's own adapters, as text. Returns the last statement's result. The first that
        fails raises (psycopg's error for it); the rest do not run and the transaction is then
        in error. Waiting for the server releases the GIL (``select``), so the process's
        other threads go on meanwhile."""
        import select

        from psycopg import errors, pq
        from psycopg.adapt import PyFormat, Transformer

        conn = self.conn
        pgconn = conn.pgconn
        adapt = Transformer(conn)
        fresh: list[str] = []
        failed: Exception | None = None
        last: Any = None
        with conn.lock:
            pgconn.enter_pipeline_mode()
            try:
                for text, values in statements:
                    name = self._prepared.get(text)
                    if name is None:
                        name = f"samskab_{next(_PREPARED_NAMES)}".encode()
                        pgconn.send_prepare(name, text.encode())
                        self._prepared[text] = name
                        fresh.append(text)
                    params = (
                        None
                        if values is None
                        else adapt.dump_sequence(values, [PyFormat.TEXT] * len(values))
                    )
                    pgconn.send_query_prepared(name, params)
                pgconn.pipeline_sync()
                while pgconn.flush():
                    select.select([], [pgconn.socket], [])
                while True:
                    while pgconn.is_busy():
                        select.select([pgconn.socket], [], [])
                        pgconn.consume_input()
                    result = pgconn.get_result()
                    if result is None:
                        continue
                    if result.status == pq.ExecStatus.PIPELINE_SYNC:
                        break
                    if result.status == pq.ExecStatus.FATAL_ERROR and failed is None:
                        failed = errors.error_from_result(result, encoding=conn.info.encoding)
                    last = result  # the last statement's comes last before the sync
            finally:
                pgconn.exit_pipeline_mode()
        if failed is not None:
            if isinstance(failed, errors.InvalidSqlStatementName):
                self._prepared.clear()  # deallocated behind our back: prepare all again
            for text in fresh:  # may never have been prepared: prepare again under a new name
                self._prepared.pop(text, None)
            raise failed
        return last

    def forget_prepared(self, status: str | None = None) -> None:
        """psycopg deallocates every prepared statement of the connection (``DEALLOCATE ALL``)
        after a command whose status is ROLLBACK, DROP, ALTER, DISCARD ALL or DEALLOCATE ALL
        (its ``_preparing``): ours go with them, so they are prepared again when next used.
        Without ``status``: after a ROLLBACK."""
        if status is None or _DEALLOCATES(status):
            self._prepared.clear()

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        cursor = self.execute(sql, params)
        if cursor.description is None:
            raise ValueError("query() can only be used with SQL that returns rows")
        keys = dedupe_keys(column.name for column in cursor.description)
        for row in cursor.fetchall():
            yield dict(zip(keys, row, strict=True))

    def table_names(self) -> list[str]:
        return [
            row[0]
            for row in self.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                " ORDER BY table_name"
            ).fetchall()
        ]


def _pg_connect(url: str, *, read_only: bool = False, role: str = "") -> Any:
    """One psycopg connection in autocommit mode (the Store says BEGIN itself), with ``?``-free
    server-side binding, SQLite-like numbers (an integral NUMERIC as int, else float) and
    Python's True/False written as 1/0 into the INTEGER columns that hold flags."""
    import psycopg
    from psycopg.adapt import Dumper, Loader

    class _Number(Loader):
        def load(self, data: Any) -> int | float:
            value = Decimal(bytes(data).decode("ascii"))
            return int(value) if value == value.to_integral_value() else float(value)

    class _Flag(Dumper):
        oid = psycopg.adapters.types["int8"].oid

        def dump(self, obj: Any) -> bytes:
            return b"1" if obj else b"0"

    # Named, so that an administrator's pg_stat_activity tells each app process's writer,
    # readers and listener apart (``role``: "write", "read" or "listen").
    role = role or ("read" if read_only else "write")
    conn = psycopg.connect(
        url,
        autocommit=True,
        cursor_factory=psycopg.RawCursor,
        connect_timeout=10,
        application_name=f"samskab {role} pid {os.getpid()}",
    )
    conn.adapters.register_loader("numeric", _Number)
    conn.adapters.register_dumper(bool, _Flag)
    # No JIT compilation: the summary's top ideas at 2,000,000 votes are estimated costly
    # enough to compile (2.2 s of LLVM on every cold summary) and then run in 0.05 s.
    conn.execute("SET jit = off")
    if read_only:
        conn.execute("SET default_transaction_read_only = on")
    else:  # as SQLite's busy_timeout: a write waits this long for another's lock, then fails
        conn.execute(f"SET lock_timeout = '{BUSY_TIMEOUT_MS}ms'")
    return conn


class _PgReaders(_Readers):
    """The bounded pool of read connections, for PostgreSQL (read-only sessions)."""

    def take(self) -> Any:
        with self._changed:
            while True:
                if self._closed:
                    raise PgOperationalError("Cannot operate on a closed database.")
                if self._idle:
                    return self._idle.pop()
                if self._open < self._size:
                    self._open += 1
                    self.opened += 1
                    break
                self._changed.wait()
        try:
            return PgDatabase(_pg_connect(self._file, read_only=True))
        except BaseException:
            with self._changed:
                self._open -= 1
                self._changed.notify()
            raise

    def give(self, reader: Any) -> None:
        from psycopg.pq import TransactionStatus

        conn = reader.conn
        try:
            if conn.info.transaction_status != TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
        except Exception:
            self._discard(reader)
            return
        with self._changed:
            if not self._closed:
                self._idle.append(reader)
                self._changed.notify()
                return
        self._discard(reader)


class PgListener:
    """One connection that LISTENs on ``MEETING_CHANNEL``: the ids of the meetings whose
    change was committed by any process on the database. A dropped connection raises from
    ``wait``/``collect`` (the caller opens a new listener and looks at everything once)."""

    def __init__(self, url: str) -> None:
        self.conn = _pg_connect(url, role="listen")
        self.conn.execute(f"LISTEN {MEETING_CHANNEL}")

    @property
    def pid(self) -> int:
        """The server process of this connection (``pg_terminate_backend`` in tests)."""
        return int(self.conn.info.backend_pid)

    def _ids(self, timeout: float, stop_after: int | None) -> set[int]:
        told: set[int] = set()
        for notify in self.conn.notifies(timeout=max(0.0, timeout), stop_after=stop_after):
            with contextlib.suppress(ValueError):
                told.add(int(notify.payload))
        return told

    def wait(self, timeout: float) -> set[int]:
        """Wait up to ``timeout`` seconds for the first change; return it with every other
        already received (an empty set: nothing in that time)."""
        told = self._ids(timeout, 1)
        if told:
            told |= self._ids(0.0, None)
        return told

    def collect(self, seconds: float) -> set[int]:
        """Every change told within the next ``seconds`` (at least those already received)."""
        return self._ids(seconds, None)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()


class PgStore(Store):
    """The Store on PostgreSQL: one writer connection behind the lock (write transactions of
    every process in turn, through an advisory lock), a bounded pool of read-only
    connections, and ``snapshot()`` as a REPEATABLE READ, READ ONLY transaction."""

    engine = "postgresql"

    def __init__(self, url: str) -> None:  # Store.__init__ is SQLite's: not called
        self.url = url
        self.path = safe_url(url)  # cache keys, link keys, messages: never the password
        self.conn = _pg_connect(url)
        self.db = PgDatabase(self.conn)  # type: ignore[assignment]
        self._lock = threading.RLock()
        self._depth = 0
        self._writer = None
        self._scope = None
        self._local = threading.local()
        self._readers = _PgReaders(url, self.READ_CONNECTIONS)
        self.reconnects = 0  # writer connections opened again after the server dropped one

    @contextmanager
    def transaction(self, scope: WriteScope | None = None) -> Iterator[sqlite_utils.Database]:
        """One atomic write; nested calls become savepoints. Without ``scope``, the write lock
        is taken exclusively (``BEGIN; pg_advisory_xact_lock``): write transactions of all
        processes in turn, as on SQLite. With a :class:`WriteScope`, the lock is taken shared
        plus a lock on the scope: narrow transactions of different scopes run at once; BEGIN
        and the locks go to the server with the transaction's first statement."""
        from psycopg.pq import TransactionStatus

        if self._snapshot_here() is not None:
            raise RuntimeError("store.snapshot() is read-only: write outside it")
        with self._lock:
            if not self._depth:
                self._reconnect_if_lost()
            conn: Any = self.conn
            handle: Any = self.db
            if self._depth:
                _nested_scope(self._scope, scope)
                self._depth += 1
                name = f"samskab_{self._depth}"
                handle.execute(f"SAVEPOINT {name}")
                try:
                    yield handle
                except BaseException:
                    handle.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    raise
                else:
                    handle.execute(f"RELEASE SAVEPOINT {name}")
                finally:
                    self._depth -= 1
                return
            if scope is None:
                try:
                    conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
                except Exception:
                    if not (conn.closed or conn.broken):
                        raise
                    # The server dropped the connection since its last use (a restart, a
                    # failover, an administrator): nothing was sent, so open a new one.
                    self._reconnect_if_lost()
                    conn, handle = self.conn, self.db
                    conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
            else:  # sent with the transaction's first statement (PgDatabase._send)
                handle.begin_with_first_statement(
                    "SELECT pg_advisory_xact_lock_shared($1::bigint),"
                    " pg_advisory_xact_lock($2::int, $3::int)",
                    [_WRITE_LOCK, scope.kind, scope.id % 2_147_483_647],
                )
            self._depth = 1
            self._writer = threading.get_ident()
            self._scope = scope
            try:
                yield handle
            except BaseException:
                handle.forget_queued()
                if conn.info.transaction_status != TransactionStatus.IDLE:
                    handle.rollback()
                raise
            else:
                if conn.info.transaction_status == TransactionStatus.INERROR:
                    # A statement failed and the caller went on: on SQLite only that statement
                    # would be undone; PostgreSQL has undone the whole transaction. Say so.
                    handle.rollback()
                    raise PgOperationalError(
                        "a statement failed inside this transaction: nothing was saved"
                    )
                try:
                    handle.commit()
                except Exception as error:
                    if conn.info.transaction_status != TransactionStatus.IDLE:
                        handle.rollback()  # a queued last write failed: COMMIT never ran
                    raise _mapped_error(error) from error
            finally:
                handle.forget_queued()
                self._depth = 0
                self._writer = None
                self._scope = None

    def _reconnect_if_lost(self) -> None:
        """A new writer connection when the one held was closed or broken by the server (a
        restart, a failover, ``pg_terminate_backend``): without it every later write of this
        process failed, for good. Called under the lock, outside a transaction."""
        held: Any = self.conn
        if held.closed or held.broken:
            with contextlib.suppress(Exception):
                held.close()
            self.conn = _pg_connect(self.url)
            self.db = PgDatabase(self.conn)  # type: ignore[assignment]
            self.reconnects += 1

    def listener(self) -> PgListener:
        return PgListener(self.url)

    def _begin_snapshot(self, reader: Any) -> None:
        """``Store.snapshot`` on PostgreSQL: one read-only state, taken now."""
        reader.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        reader.conn.execute("SELECT 1").fetchall()  # the snapshot starts now

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._reading() as db:
            return list(db.query(sql, params))

    def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        with self._reading() as db:
            row = db.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def integers(self, sql: str, params: Sequence[int] = ()) -> Any:
        """``Store.integers`` on PostgreSQL: the server packs the rows into one ``bytea`` of
        big-endian BIGINTs (``int8send``, ``string_agg``), which numpy reads in one pass.
        2,000,000 rows of three columns: one value of 48 MB instead of 2,000,000 rows through
        the driver (20 s even through COPY, which hands Python one message per row). Without
        parallel workers, so the rows keep the subquery's order. Up to ~40 million values
        (``bytea`` holds 1 GB)."""
        import numpy as np

        with self._reading() as db:
            width = len(db.execute(f"SELECT * FROM ({sql}) AS q LIMIT 0", params).description)
            names = ", ".join(f"c{n}" for n in range(width))
            packed = " || ".join(f"int8send(q.c{n}::bigint)" for n in range(width))
            db.execute("SET max_parallel_workers_per_gather = 0")
            try:
                data = db.execute(
                    f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q ({names})", params
                ).fetchone()[0]
            finally:
                db.execute("RESET max_parallel_workers_per_gather")
        if data is None:
            return np.zeros((0, width), dtype=np.int64)
        return np.frombuffer(bytes(data), dtype=">i8").astype(np.int64).reshape(-1, width)

    def close(self) -> None:
        with self._lock:
            if self._readers is not None:
                self._readers.close()
            self.conn.close()


class PgMigrations:
    """A named, ordered set of PostgreSQL migrations (SQL scripts). Each runs in its own
    transaction with its record in ``samskab_migrations``: one that fails leaves nothing."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.migrations: list[tuple[str, str]] = []

    def add(self, name: str, sql: str) -> None:
        self.migrations.append((name, sql))


def _pg_open(url: str, migration_sets: Sequence[PgMigrations]) -> PgStore:
    """Connect, check the database, apply what is pending; a clear message for every way this
    can go wrong at start, and nothing half-migrated."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    where = safe_url(url)
    try:
        named = conninfo_to_dict(url).get("dbname")
    except Exception as error:  # a URL libpq cannot read: no connection is tried
        raise DatabaseUnavailable(
            "error.database.url", url=where, detail=_first_line(error)
        ) from None
    if not named:  # libpq would take the user's name: a database nobody meant
        raise DatabaseUnavailable("error.database.url", url=where, detail="…/<database>")
    try:
        store = PgStore(url)
    except psycopg.Error as error:
        raise DatabaseUnavailable(
            "error.database.unreachable", url=where, detail=_first_line(error)
        ) from None
    try:
        _pg_migrate(store, migration_sets)
    except BaseException:
        store.close()
        raise
    return store


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _pg_migrate(store: PgStore, migration_sets: Sequence[PgMigrations]) -> None:
    import psycopg
    from psycopg import errors

    conn = store.conn
    where = store.path
    known = {(s.name, name) for s in migration_sets for name, _ in s.migrations}
    with store._lock:
        try:
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            exists = conn.execute(
                "SELECT to_regclass($1) IS NOT NULL", [MIGRATIONS_TABLE]
            ).fetchone()[0]
            if exists:
                applied = {
                    (r[0], r[1])
                    for r in conn.execute(f"SELECT migration_set, name FROM {MIGRATIONS_TABLE}")
                }
            else:
                applied = set()
                others = conn.execute(
                    "SELECT count(*) FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                ).fetchone()[0]
                if others:
                    raise DatabaseUnavailable("error.database.not_samskab", url=where)
            newer = sorted(f"{s}/{n}" for s, n in applied - known)
            if newer:
                raise DatabaseUnavailable(
                    "error.database.newer_schema", url=where, migrations=", ".join(newer)
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        for migration_set in migration_sets:
            for name, sql in migration_set.migrations:
                if (migration_set.name, name) in applied:
                    continue
                try:
                    conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
                    conn.execute(
                        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
                        " id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                        " migration_set TEXT NOT NULL, name TEXT NOT NULL,"
                        " applied_at TEXT NOT NULL, UNIQUE (migration_set, name))"
                    )
                    done = conn.execute(
                        f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE migration_set = $1 AND name = $2",
                        [migration_set.name, name],
                    ).fetchone()
                    if not done:  # another process may have applied it meanwhile
                        conn.execute(sql)
                        conn.execute(
                            f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at)"
                            " VALUES ($1, $2, $3)",
                            [migration_set.name, name, str(datetime.now(UTC))],
                        )
                    conn.execute("COMMIT")
                except psycopg.Error as error:
                    conn.execute("ROLLBACK")
                    raise DatabaseUnavailable(
                        "error.database.privileges"
                        if isinstance(error, errors.InsufficientPrivilege)
                        else "error.database.migration_failed",
                        url=where,
                        migration=f"{migration_set.name}/{name}",
                        detail=_first_line(error),
                    ) from None
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
