"""An existing database opens unchanged: no migration is applied twice, no schema moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workshop import barometer
from workshop.app import migration_sets, open_store


def read(path: Path, sql: str) -> list[dict[str, Any]]:
    """Open the database the way the app does (migrating it), read, and close it."""
    store = open_store(path)
    try:
        return store.query(sql)
    finally:
        store.close()


def applied_rows(path: Path) -> list[dict[str, Any]]:
    return read(path, "SELECT * FROM _sqlite_migrations ORDER BY id")


def schema(path: Path) -> list[dict[str, Any]]:
    return read(path, "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")


def test_reopening_a_database_applies_no_migration_again(tmp_path: Path) -> None:
    path = tmp_path / "existing.db"
    first = applied_rows(path)
    assert first, "a new database records the migrations it applied"
    tables = schema(path)
    for _ in range(2):
        assert applied_rows(path) == first  # same rows, same ids, same applied_at
    assert schema(path) == tables


def test_every_registered_migration_is_recorded_once_under_its_set(tmp_path: Path) -> None:
    path = tmp_path / "existing.db"
    rows = applied_rows(path)
    recorded = [(row["migration_set"], row["name"]) for row in rows]
    assert len(recorded) == len(set(recorded))
    store = open_store(path)
    try:
        sets = migration_sets()
        assert all(not migration_set.pending(store.db) for migration_set in sets)
        # Sets apply in the registered order, each set's migrations together.
        assert [name for name, _ in recorded] == [
            migration_set.name for migration_set in sets for _ in migration_set.applied(store.db)
        ]
    finally:
        store.close()


def test_outcome_tables_accept_every_barometer_key(tmp_path: Path) -> None:
    """The outcome schema's CHECK constraints are built from the barometer's keys: the keys the
    package exports are the keys an existing database accepts."""
    rows = read(
        tmp_path / "existing.db",
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name LIKE 'outcome%'",
    )
    sql = " ".join(row["sql"] for row in rows)
    for dimension in (
        barometer.Value,
        barometer.Novelty,
        barometer.Evaluated,
        barometer.PromoteHinderFactor,
        barometer.PromoteHinderScale,
    ):
        for member in dimension:
            assert f"'{member.value}'" in sql, (dimension.__name__, member.value)
