"""``samskab migrate-db``: copy a SQLite installation into an empty PostgreSQL database.

The target is migrated to the schema the SQLite file has (``workshop.app`` opens it with every
PostgreSQL migration before calling :func:`copy_to_postgres`), and must hold no rows. The copy
is ONE transaction on the target: every table in foreign-key order (parents before children,
a self-reference such as ``ideas.merged_into_id`` filled in afterwards), every row with its
id, by ``COPY``; then each identity sequence is set past the highest copied id, so the next
row gets a new one. Any error rolls everything back: the target is as empty as before.

The rules the database enforces (append-only logs, "no votes on a hidden idea", "applications
only in recruitment", the trigger that makes an outcome when a council adopts) guard *new*
writes; the historical rows they would refuse or duplicate were accepted when they were
written. So, inside the transaction, the user triggers of each table are switched off
(``ALTER TABLE … DISABLE TRIGGER USER``: the table's owner may do that, no superuser needed,
and it is transactional), and switched on again before the commit. Foreign keys, CHECK,
NOT NULL and UNIQUE constraints stay on: each copied row must pass them.

Before the commit the copy is checked in the same transaction: per table, the row count and
a content checksum (SHA-256 of each row's values in column order, summed over the rows so the
order of reading does not matter) on the SQLite snapshot and on the target. Any difference
rolls the copy back, and the report says which table differs.

The source is read in one read transaction, so an app still writing to it does not tear the
copy; stop the app anyway, or writes made after the snapshot stay behind in the SQLite file.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workshop.db import MIGRATIONS_TABLE, PgStore
from workshop.errors import InvalidInput

SQLITE_MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' record of applied migrations
_CHECKSUM_MODULUS = 2**256
_BATCH = 5000


@dataclass(frozen=True)
class TableCopy:
    """One table's rows and checksum on each side."""

    name: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def same(self) -> bool:
        return (self.source_rows, self.source_checksum) == (self.target_rows, self.target_checksum)


@dataclass(frozen=True)
class CopyReport:
    tables: tuple[TableCopy, ...]
    committed: bool  # False: a difference was found and the copy rolled back
    seconds: float

    @property
    def consistent(self) -> bool:
        return all(t.same for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables)


class _Differs(Exception):
    """Raised inside the target's transaction to roll back a copy that does not add up."""

    def __init__(self, tables: tuple[TableCopy, ...]) -> None:
        super().__init__("the copy differs from its source")
        self.tables = tables


# -- the source -------------------------------------------------------------------------------


def open_source(path: str | Path, known: Iterable[tuple[str, str]]) -> sqlite3.Connection:
    """The SQLite file at ``path``, query-only, after checking that it is a Samskab database at
    exactly this version's schema (``known``: every (set, name) of ``app.migration_sets()``)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("error.migrate.source_missing", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error:
        raise InvalidInput("error.migrate.source_not_samskab", path=str(path)) from None
    try:
        conn.execute("PRAGMA query_only=ON")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if SQLITE_MIGRATIONS_TABLE not in tables or "meetings" not in tables:
            raise InvalidInput("error.migrate.source_not_samskab", path=str(path))
        applied = {
            (str(r[0]), str(r[1]))
            for r in conn.execute(f"SELECT migration_set, name FROM {SQLITE_MIGRATIONS_TABLE}")
        }
    except sqlite3.DatabaseError:
        conn.close()
        raise InvalidInput("error.migrate.source_not_samskab", path=str(path)) from None
    except BaseException:
        conn.close()
        raise
    known = set(known)
    missing = sorted(f"{s}/{n}" for s, n in known - applied)
    newer = sorted(f"{s}/{n}" for s, n in applied - known)
    if newer:
        conn.close()
        raise InvalidInput(
            "error.migrate.source_newer", path=str(path), migrations=", ".join(newer)
        )
    if missing:
        conn.close()
        raise InvalidInput(
            "error.migrate.source_older",
            path=str(path),
            count=len(missing),
            migrations=", ".join(missing[:3]) + (", …" if len(missing) > 3 else ""),
        )
    return conn


def _source_tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%'"
            " ESCAPE '\\' AND name != ? ORDER BY name",
            [SQLITE_MIGRATIONS_TABLE],
        )
    ]
    return {
        name: [str(c[1]) for c in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
    }


# -- the target -------------------------------------------------------------------------------


def _target_tables(conn: Any) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c"
        " JOIN information_schema.tables t"
        " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        " AND c.table_name != $1 ORDER BY c.table_name, c.ordinal_position",
        [MIGRATIONS_TABLE],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(str(table), []).append(str(column))
    return tables


def _foreign_keys(conn: Any) -> list[tuple[str, str, list[str]]]:
    """(child, parent, child columns) for every foreign key of the current schema."""
    rows = conn.execute(
        "SELECT child.relname, parent.relname,"
        " ARRAY(SELECT att.attname::text FROM unnest(c.conkey) AS k(num)"
        "       JOIN pg_attribute att ON att.attrelid = c.conrelid AND att.attnum = k.num)"
        " FROM pg_constraint c"
        " JOIN pg_class child ON child.oid = c.conrelid"
        " JOIN pg_class parent ON parent.oid = c.confrelid"
        " JOIN pg_namespace ns ON ns.oid = child.relnamespace"
        " WHERE c.contype = 'f' AND ns.nspname = current_schema()"
    ).fetchall()
    return [(str(r[0]), str(r[1]), [str(c) for c in r[2]]) for r in rows]


def _primary_key(conn: Any, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT att.attname FROM pg_index i"
        " JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = ANY (i.indkey)"
        " WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY att.attnum",
        [f'"{table}"'],
    ).fetchall()
    return [str(r[0]) for r in rows]


def dependency_order(
    tables: Iterable[str], foreign_keys: Sequence[tuple[str, str, Any]]
) -> list[str]:
    """The tables with every parent before its children (alphabetical among equals)."""
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent, _ in foreign_keys:
        if child in parents and parent in parents and child != parent:
            parents[child].add(parent)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(parents):
        ready = sorted(t for t in parents if t not in placed and parents[t] <= placed)
        if not ready:  # a cycle between tables: the schema has none; say so if one appears
            raise ValueError(f"foreign keys form a cycle: {sorted(set(parents) - placed)}")
        order.extend(ready)
        placed.update(ready)
    return order


def check_empty(target: PgStore) -> None:
    """Refuse a target that holds any row (its migration record aside)."""
    conn: Any = target.conn
    with target._lock:
        full = [
            table
            for table in sorted(_target_tables(conn))
            if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
        ]
    if full:
        raise InvalidInput(
            "error.migrate.target_not_empty",
            url=target.path,
            tables=", ".join(full[:5]) + (", …" if len(full) > 5 else ""),
        )


# -- checksums --------------------------------------------------------------------------------


def _canonical(value: Any) -> str:
    """One value as text that is the same on both engines for the same stored value."""
    if value is None:
        return "N"
    if isinstance(value, bool):
        return f"i{int(value)}"
    if isinstance(value, int):
        return f"i{value}"
    if isinstance(value, float):
        return f"i{int(value)}" if value.is_integer() else f"f{value!r}"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b" + bytes(value).hex()
    return "s" + str(value)


def row_digest(row: Sequence[Any]) -> int:
    text = "\x1f".join(_canonical(v) for v in row)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), "big")


def checksum(rows: Iterable[Sequence[Any]]) -> tuple[int, str]:
    """(row count, checksum): the sum of the rows' SHA-256 digests modulo 2**256, so the order
    rows are read in does not matter, and a row twice counts twice."""
    count, total = 0, 0
    for row in rows:
        count += 1
        total = (total + row_digest(row)) % _CHECKSUM_MODULUS
    return count, f"{total:064x}"


def _sqlite_rows(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> Iterator[Any]:
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.execute(f'SELECT {names} FROM "{table}"')
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _pg_rows(conn: Any, table: str, columns: Sequence[str]) -> Iterator[Any]:
    names = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor(name=f"samskab_copy_{table}") as cursor:
        cursor.itersize = _BATCH
        cursor.execute(f'SELECT {names} FROM "{table}"')
        yield from cursor


# -- the copy ---------------------------------------------------------------------------------


def copy_to_postgres(source: sqlite3.Connection, target: PgStore) -> CopyReport:
    """Copy every row of ``source`` (checked by :func:`open_source`) into ``target`` (migrated,
    empty: :func:`check_empty`) in one transaction; see the module docstring."""
    import psycopg

    started = time.perf_counter()
    source.execute("BEGIN")  # one snapshot of the source for the copy and its check
    try:
        try:
            with target.transaction():
                tables = _copy(source, target.conn)
        except _Differs as differs:
            return CopyReport(differs.tables, False, time.perf_counter() - started)
        except psycopg.errors.InsufficientPrivilege as error:
            raise InvalidInput(
                "error.migrate.privileges", url=target.path, detail=_first_line(error)
            ) from None
        except psycopg.Error as error:
            raise InvalidInput(
                "error.migrate.copy_failed", url=target.path, detail=_first_line(error)
            ) from None
    finally:
        source.execute("ROLLBACK")
    return CopyReport(tables, True, time.perf_counter() - started)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _copy(source: sqlite3.Connection, conn: Any) -> tuple[TableCopy, ...]:
    source_tables = _source_tables(source)
    target_tables = _target_tables(conn)
    if set(source_tables) != set(target_tables) or any(
        set(source_tables[t]) != set(target_tables[t]) for t in source_tables
    ):
        differ = sorted(
            set(source_tables) ^ set(target_tables)
            | {
                t
                for t in set(source_tables) & set(target_tables)
                if set(source_tables[t]) != set(target_tables[t])
            }
        )
        raise InvalidInput("error.migrate.schema_differs", tables=", ".join(differ[:5]))
    foreign_keys = _foreign_keys(conn)
    order = dependency_order(target_tables, foreign_keys)
    for table in order:
        conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
    for table in order:
        columns = target_tables[table]
        later = sorted(
            {c for child, parent, cols in foreign_keys if child == parent == table for c in cols}
        )
        _copy_table(source, conn, table, columns, later)
    for table in order:
        _advance_identity(conn, table)
        conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
    report = []
    for table in order:
        columns = target_tables[table]
        source_rows, source_sum = checksum(_sqlite_rows(source, table, columns))
        target_rows, target_sum = checksum(_pg_rows(conn, table, columns))
        report.append(TableCopy(table, source_rows, target_rows, source_sum, target_sum))
    copied = tuple(report)
    if not all(t.same for t in copied):
        raise _Differs(copied)
    return copied


def _copy_table(
    source: sqlite3.Connection, conn: Any, table: str, columns: list[str], later: list[str]
) -> None:
    """COPY the rows of ``table``; self-referencing columns (``later``) are NULL at first and
    set once every row is there (a row may point at one copied after it)."""
    names = ", ".join(f'"{c}"' for c in columns)
    positions = [columns.index(c) for c in later]
    pending: list[tuple[Any, ...]] = []
    key = _primary_key(conn, table) if later else []
    key_positions = [columns.index(c) for c in key]
    with conn.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in _sqlite_rows(source, table, columns):
            if positions and any(row[p] is not None for p in positions):
                pending.append(
                    tuple(row[p] for p in positions) + tuple(row[p] for p in key_positions)
                )
                row = tuple(None if i in positions else v for i, v in enumerate(row))
            copy.write_row(row)
    if pending:
        sets = ", ".join(f'"{c}" = ${n}' for n, c in enumerate(later, 1))
        where = " AND ".join(f'"{c}" = ${n}' for n, c in enumerate(key, len(later) + 1))
        with conn.cursor() as cursor:
            cursor.executemany(f'UPDATE "{table}" SET {sets} WHERE {where}', pending)


def _advance_identity(conn: Any, table: str) -> None:
    """Set each identity (or serial) sequence of ``table`` past its highest copied value."""
    columns = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = $1 AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
        [table],
    ).fetchall()
    for (column,) in columns:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2), max_id)"
            f' FROM (SELECT MAX("{column}") AS max_id FROM "{table}") AS m'
            " WHERE max_id IS NOT NULL",
            [f'"{table}"', column],
        )
