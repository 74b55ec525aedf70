"""Online backup and restore with SQLite's backup API.

``backup`` copies the live database while the app keeps running: in WAL mode a reader does
not block writers, so one ``Connection.backup(pages=-1)`` call reads a single consistent
snapshot (every transaction committed before it started, none after) while phones go on
posting ideas. The copy is written to a temporary file, checked with
``PRAGMA integrity_check``, switched to a self-contained rollback journal (no ``-wal`` file
to forget) and only then renamed into place, so a half-written backup never has the final name.

``restore`` checks the backup the same way, keeps a safety copy of the current database, and
writes the backup into the database file through the backup API (page by page under SQLite's
locks, never by copying files over a live WAL database). It refuses while an app process is
serving the database (``workshop.db.no_app_serving``): processes that stay up keep in-memory
caches of the old data and sessions of participants the backup may not know. ``force``
restores anyway.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workshop.db import no_app_serving
from workshop.errors import InvalidInput

BUSY_TIMEOUT_S = 30


@dataclass(frozen=True)
class BackupReport:
    path: Path
    bytes: int
    pages: int
    seconds: float
    tables: dict[str, int]


def default_backup_path(db_path: str | Path, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    db_path = Path(db_path)
    return db_path.parent / "backups" / f"{db_path.stem}-{stamp}.db"


def _connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    return conn


def check_database(path: str | Path) -> dict[str, int]:
    """Integrity-check a Samskab database file; return row counts of its main tables.

    Raises InvalidInput with a clear key when the file is missing, not SQLite, damaged, or not
    a Samskab database.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("error.backup.missing", path=str(path))
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if result != [("ok",)]:
                raise InvalidInput("error.backup.damaged", path=str(path))
            if not {"meetings", "participants", "ideas", "audit_log"} <= tables:
                raise InvalidInput("error.backup.not_samskab", path=str(path))
            return {
                name: int(conn.execute(f"SELECT COUNT(*) FROM [{name}]").fetchone()[0])
                for name in ("meetings", "participants", "ideas", "ballots", "audit_log")
                if name in tables
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise InvalidInput("error.backup.damaged", path=str(path)) from error


def backup(db_path: str | Path, destination: str | Path) -> BackupReport:
    """Copy the (possibly live) database at ``db_path`` to ``destination``."""
    db_path, destination = Path(db_path), Path(destination)
    if not db_path.is_file():
        raise InvalidInput("error.backup.missing", path=str(db_path))
    if destination.exists():
        raise InvalidInput("error.backup.exists", path=str(destination))
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    source = _connect(db_path)
    target = _connect(partial)
    try:
        # pages=-1: the whole database in one step, from one read snapshot. (Stepwise copies
        # restart whenever another connection writes, and phones write all the time.)
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")
        pages = int(target.execute("PRAGMA page_count").fetchone()[0])
    finally:
        target.close()
        source.close()
    try:
        tables = check_database(partial)
    except InvalidInput:
        partial.unlink(missing_ok=True)
        raise
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    partial.rename(destination)
    return BackupReport(
        path=destination,
        bytes=destination.stat().st_size,
        pages=pages,
        seconds=time.perf_counter() - started,
        tables=tables,
    )


def restore(
    backup_path: str | Path,
    db_path: str | Path,
    *,
    migrate: Callable[[Path], object],
    force: bool = False,
) -> tuple[dict[str, int], Path | None]:
    """Replace the database at ``db_path`` with the backup; return its counts and the
    safety copy of the database as it was (None when there was none). ``migrate(db_path)``
    then brings an older backup up to the current schema (``workshop.app`` passes it: this
    module knows no feature's migrations).

    Raises NotAllowed while an app serves ``db_path``, unless ``force``."""
    backup_path, db_path = Path(backup_path), Path(db_path)
    tables = check_database(backup_path)
    with no_app_serving(db_path, force=force):
        return tables, _restore(backup_path, db_path, migrate)


def _restore(backup_path: Path, db_path: Path, migrate: Callable[[Path], object]) -> Path | None:
    safety: Path | None = None
    if db_path.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        safety = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}.db")
        backup(db_path, safety)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    source = _connect(backup_path)
    target = _connect(db_path)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        target.close()
        source.close()
    migrate(db_path)  # an older backup gets the migrations that came after it
    return safety
