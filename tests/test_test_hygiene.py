"""The tests themselves: honest and fast.

Browser journeys wait on conditions, never on the clock, and never tap again when a tap seems
lost (for a citizen a lost tap is a lost vote: it must fail the journey, and be fixed in the
app). Domain tests start from a migrated database without running a migration.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlite_utils import Migrations

from workshop.app import migration_sets
from workshop.db import Store

BROWSER = Path(__file__).resolve().parent / "browser"
SLEEPS = re.compile(r"\b(?:time\.sleep|sleep|wait_for_timeout)\s*\(")
# What a test does to a page: a loop that does one of these and then leaves early (``break``)
# or swallows an exception is a "try again until it works" loop.
ACTIONS = {"click", "tap", "dblclick", "check", "set_checked", "press", "fill", "select_option"}


def journey_files() -> list[Path]:
    files = sorted(BROWSER.glob("*.py"))
    assert len(files) > 5, files  # the journeys are where this test expects them
    return files


def test_browser_journeys_never_wait_a_fixed_time() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in journey_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SLEEPS.search(line)
    ]
    assert not found, "fixed sleeps in the browser journeys:\n" + "\n".join(found)


def retry_loops(source: str) -> list[int]:
    """Line numbers of loops that act on the page and then ``break`` or catch an exception."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.For | ast.While):
            continue
        inside = list(ast.walk(node))
        acts = any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ACTIONS
            for n in inside
        )
        gives_up = any(isinstance(n, ast.Break | ast.Try) for n in inside)
        if acts and gives_up:
            found.append(node.lineno)
    return found


def test_retry_loops_are_recognised() -> None:
    retry = "for _ in range(3):\n    button.click()\n    if done.is_visible():\n        break\n"
    swallowing = (
        "for _ in range(3):\n"
        "    field.click()\n"
        "    try:\n"
        "        choice.wait_for(timeout=4_000)\n"
        "    except TimeoutError:\n"
        "        pass\n"
    )
    one_tap_each = "for idea in picks:\n    tap(phone, plus(idea))\n"
    assert retry_loops(retry) == [1]
    assert retry_loops(swallowing) == [1]
    assert retry_loops(one_tap_each) == []


def test_browser_journeys_never_tap_again() -> None:
    found = [
        f"{path.name}:{line}"
        for path in journey_files()
        for line in retry_loops(path.read_text(encoding="utf-8"))
    ]
    assert not found, "loops that tap again until it works:\n" + "\n".join(found)


def assert_migrated_without_a_migration(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fixture: str
) -> Store:
    """``fixture`` gives a fully migrated WAL database on which no migration ran."""
    recorded: list[str] = []
    record = Migrations._record_applied

    def spy(self: Migrations, db, name: str) -> None:
        recorded.append(db.execute("PRAGMA database_list").fetchone()[2])
        record(self, db, name)

    monkeypatch.setattr(Migrations, "_record_applied", spy)
    store: Store = request.getfixturevalue(fixture)
    assert Path(store.path) not in {Path(p) for p in recorded if p}
    assert all(not migrations.pending(store.db) for migrations in migration_sets())
    assert store.scalar("PRAGMA journal_mode") == "wal"  # a real file, as the app has
    assert store.scalar("PRAGMA foreign_keys") == 1
    return store


def test_the_store_fixture_starts_migrated_without_running_a_migration(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template database is migrated once per test process; each test gets a copy."""
    if request.getfixturevalue("engine") != "sqlite":
        pytest.skip("the SQLite template's file copy (PostgreSQL copies with CREATE DATABASE)")
    store = assert_migrated_without_a_migration(request, monkeypatch, "store")
    assert store.scalar("SELECT COUNT(*) FROM users") == 0  # a copy: nothing from other tests
