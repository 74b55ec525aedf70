"""Backup and restore on PostgreSQL (docs/deployment.md, "PostgreSQL").

pg_dump -Fc of a populated database, pg_restore into a fresh one: the restored database reads
the same through the services, takes new rows with new ids and enforces its rules. The app's
own ``backup``/``restore`` (SQLite's backup API) refuse on PostgreSQL and name these tools.
Uses Debian's binaries in /usr/lib/postgresql/*/bin and the server at
``SAMSKAB_TEST_POSTGRES_URL``; skipped without them, unless the run is on PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ENGINE, _admin, postgres_url
from tests.test_migrate_db import assert_same_reads, build_source, reads, row_counts, server
from workshop import app
from workshop.cli import main
from workshop.i18n import translate
from workshop.meetings import core as meetings

__all__ = ["server"]  # the fixture, shared with test_migrate_db


def pg_bin(tool: str) -> str:
    """Debian's newest PostgreSQL binary directory's ``tool`` (not the pg_wrapper in /usr/bin)."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not found:
        if ENGINE == "postgresql":
            pytest.fail(f"no {tool} in /usr/lib/postgresql/*/bin: bash scripts/postgres")
        pytest.skip(f"no {tool} in /usr/lib/postgresql/*/bin (bash scripts/postgres)")
    return found[-1]


@pytest.fixture
def databases(server: str, request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """Two new databases: the live one (empty, migrated by the app) and the restore target."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    stem = f"ops_backup_{worker}_{os.getpid()}"
    names = [f"{stem}_live", f"{stem}_restored"]
    for name in names:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        _admin(f"CREATE DATABASE {name}")
    yield postgres_url(names[0]), postgres_url(names[1])
    for name in names:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def server_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
    monkeypatch.setenv("LC_ALL", "C")


def test_pg_dump_and_pg_restore_give_a_database_that_reads_the_same(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    live, restored = databases
    world = build_source(live)  # type: ignore[arg-type]  # a URL: the services take either
    dump = tmp_path / "samskab.dump"
    # as docs/deployment.md says: custom format, while the app could keep running
    subprocess.run([pg_bin("pg_dump"), "-Fc", "-f", str(dump), live], check=True)
    subprocess.run(
        [
            pg_bin("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            restored,
            str(dump),
        ],
        check=True,
    )
    assert row_counts(restored) == row_counts(live)
    original, copy = app.open_store(live), app.open_store(restored)
    try:
        # open_store found every migration applied: the restored schema is current
        assert copy.scalar("SELECT COUNT(*) FROM samskab_migrations") == original.scalar(
            "SELECT COUNT(*) FROM samskab_migrations"
        )
        world.path = Path("unused")
        assert_same_reads(reads(original, world), reads(copy, world))
        # the sequences came along: a new participant gets the next id, not a taken one
        meeting = meetings.get_meeting(copy, world.meeting_id)
        person = meetings.join_meeting(copy, meeting.join_code, "Ny", client="test-new")
        assert person.id == original.scalar("SELECT MAX(id) FROM participants") + 1
        with pytest.raises(sqlite3.IntegrityError):  # and the triggers: append-only audit log
            copy.execute("DELETE FROM audit_log")
    finally:
        original.close()
        copy.close()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_the_sqlite_backup_commands_refuse_on_postgresql_and_name_pg_dump(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # an old SQLite file is still there; the app runs on PostgreSQL
    stale = tmp_path / "samskab.db"
    app.open_store(stale).close()
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(stale))
    monkeypatch.setenv(
        "SAMSKAB_DATABASE_URL", "postgresql://samskab:secret@db.example:5432/samskab"
    )
    argv = [command] if command == "backup" else [command, str(tmp_path / "x.db"), "--yes"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    url = "postgresql://samskab@db.example:5432/samskab"
    assert err.strip() == translate("en", f"error.{command}.postgresql", url=url)
    assert ("pg_dump" if command == "backup" else "pg_restore") in err
    assert "secret" not in err
    assert not (tmp_path / "backups").exists()  # nothing written
    for lang in ("da", "nb"):
        assert "{" not in translate(lang, f"error.{command}.postgresql", url=url)
