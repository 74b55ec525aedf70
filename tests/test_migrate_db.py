"""``samskab migrate-db``: a SQLite installation copied into an empty PostgreSQL database.

A realistic source (the demo committee with agreements, decisions and outcomes; a live meeting
with ideas, dots on an idea hidden afterwards, an older idea merged into a newer one, and a
statements round) is copied; then the same service reads on both stores must agree, a new row
must get a new id, and the rules must hold again on the copy. Bad input is refused with a
message and leaves the target as it was. Needs the server at ``SAMSKAB_TEST_POSTGRES_URL``
(``bash scripts/postgres --fast``); skipped without one, unless the run is on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import _admin, postgres_url
from tests.factories import join
from workshop import app, audit, demo
from workshop.cli import main
from workshop.db import Store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.reports import summary
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="session")
def server(postgres_server: str) -> str:
    return postgres_server


@pytest.fixture
def target(server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database (no schema at all: migrate-db migrates it), dropped after."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"ops_migrate_{worker}_{os.getpid()}_{request.node.name.lower()}"
    name = "".join(c if c.isalnum() else "_" for c in name)[:60]
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    yield postgres_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(autouse=True)
def server_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
    monkeypatch.setenv("LC_ALL", "C")  # the CLI speaks English


@dataclasses.dataclass
class World:
    path: Path
    meeting_id: int
    dot_round: int
    statements_round: int
    hidden_idea: int


def build_source(path: Path) -> World:
    """The demo seed plus a live meeting, through the real services."""
    store = app.open_store(path)
    try:
        demo.seed_demo(store)
        committee = store.scalar("SELECT MIN(id) FROM committees")
        meeting = meetings.create_meeting(
            store, committee, "Live", prompt="Hvad nu?", dots_per_participant=5, actor=None
        )
        meetings.next_step(store, meeting.id, actor=None)  # the brainstorm
        people = [join(store, meeting, name) for name in ("Anna", "Bo", "Cem", "Dina")]
        posted = [ideas.submit_idea(store, people[n % 4], f"idé {n}") for n in range(8)]
        themes.create_theme(store, meeting.id, "Trafik", actor=None)
        # an older idea merged into a newer one: ideas.merged_into_id points forward
        moderation.merge_ideas(store, posted[6].id, [posted[1].id], actor=None)
        meetings.next_step(store, meeting.id, actor=None)  # the dot vote
        dot_round = voting.current_round(store, meeting.id)
        assert dot_round is not None
        for n, person in enumerate(people):
            for idea in (posted[0], posted[2], posted[3 + n % 2]):
                voting.place_dot(store, person, dot_round.id, idea.id)
        # dots placed, then the idea is hidden: the rule would refuse those dots today
        moderation.hide_idea(store, posted[3].id, "Personoplysninger", actor=None)
        step = meetings.list_steps(store, meeting.id)[1]
        statements = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
        for n, person in enumerate(people):
            for k, idea in enumerate((posted[0], posted[2], posted[5])):
                vote_methods.cast_stance(store, person, statements, idea.id, (n + k) % 3 - 1)
        return World(path, meeting.id, dot_round.id, statements, posted[3].id)
    finally:
        store.close()


def _frames_equal(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
        )
    else:
        assert a == b


def reads(store: Store, world: World) -> dict[str, Any]:
    """The same service reads, for comparing one store with the other."""
    seq = meetings.meeting_state(store, world.meeting_id).vote_seq
    return {
        "summary": summary.build_summary(store, None, today=TODAY),
        "audit": audit.query_entries(store),
        "ideas": ideas.list_ideas(store, world.meeting_id, include_hidden=True),
        "dots": vote_methods.round_results(store, world.dot_round, seq),
        "statements": vote_methods.round_results(store, world.statements_round, seq),
        "log": moderation.list_log(store, world.meeting_id),
    }


def assert_same_reads(left: dict[str, Any], right: dict[str, Any]) -> None:
    for key in left:
        if key == "summary":
            for field in dataclasses.fields(left[key]):
                _frames_equal(getattr(left[key], field.name), getattr(right[key], field.name))
        else:
            assert left[key] == right[key], key


def migrate(path: Path, url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--db", str(path), "migrate-db", "--to", url])
    out = capsys.readouterr()
    return code, out.out, out.err


def row_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                " AND table_type = 'BASE TABLE' AND table_name != 'samskab_migrations'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_source(tmp_path / "source.db")


def test_a_realistic_installation_reads_the_same_after_migrate_db(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = migrate(world.path, target, capsys)
    assert code == 0, err
    assert "Consistency check ok" in out and "DIFFERS" not in out
    counts = row_counts(target)
    for table in ("ideas", "ballot_entries", "audit_log", "agreements", "outcomes", "decisions"):
        assert counts[table] > 0, table
        assert f"  {table} " in out  # the per-table line: name, SQLite, PostgreSQL, check
    source, copied = app.open_store(world.path), app.open_store(target)
    try:
        assert copied.engine == "postgresql"
        # the demo's adopted recommendation made its outcome once, not again on the copy
        assert copied.scalar("SELECT COUNT(*) FROM outcomes") == source.scalar(
            "SELECT COUNT(*) FROM outcomes"
        )
        assert_same_reads(reads(source, world), reads(copied, world))
    finally:
        source.close()
        copied.close()


def test_after_migration_new_rows_get_new_ids_and_the_rules_hold(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(world.path, target, capsys)[0] == 0
    source, copied = app.open_store(world.path), app.open_store(target)
    try:
        for table in ("ideas", "audit_log", "participants", "ballots", "committees"):
            highest = source.scalar(f'SELECT MAX(id) FROM "{table}"')
            assert copied.scalar(f'SELECT MAX(id) FROM "{table}"') == highest
        meeting = meetings.get_meeting(copied, world.meeting_id)
        person = meetings.join_meeting(copied, meeting.join_code, "Ny", client="test-new")
        assert person.id == source.scalar("SELECT MAX(id) FROM participants") + 1
        # the triggers are on again: a dot on the hidden idea is refused by the database
        with (
            pytest.raises(sqlite3.IntegrityError, match="idea_hidden"),
            copied.transaction() as db,
        ):
            ballot = db.execute(
                "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
                " VALUES (?, ?, '2026-12-06', '2026-12-06') RETURNING id",
                [world.dot_round, person.id],
            ).fetchone()[0]
            db.execute(
                "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 1)",
                [ballot, world.hidden_idea],
            )
        with pytest.raises(sqlite3.IntegrityError):  # the audit log is append-only again
            copied.execute("DELETE FROM audit_log")
    finally:
        source.close()
        copied.close()


def test_a_broken_row_rolls_the_whole_copy_back(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(world.path)
    conn.execute("PRAGMA foreign_keys=OFF")  # SQLite lets an orphan in without its check
    conn.execute("UPDATE ideas SET meeting_id = 999999 WHERE id = (SELECT MAX(id) FROM ideas)")
    conn.commit()
    conn.close()
    code, out, err = migrate(world.path, target, capsys)
    assert code == 2 and "rolled back" in err and "ideas" in err, err
    assert out == ""
    assert set(row_counts(target).values()) == {0}  # migrated, and empty: nothing half-copied


def test_a_copy_that_reads_back_differently_is_rolled_back_and_exits_non_zero(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app.open_store(target).close()  # migrated and empty is a target too
    import psycopg

    with psycopg.connect(target, autocommit=True) as conn:  # a column that pads what it gets
        conn.execute("ALTER TABLE themes ALTER COLUMN name TYPE char(40)")
    code, out, err = migrate(world.path, target, capsys)
    assert code == 1
    assert [line.split()[-1] for line in out.splitlines() if line.startswith("  themes ")] == [
        "DIFFERS"
    ]
    assert "themes" in err and "rolled back" in err
    assert set(row_counts(target).values()) == {0}


def _refused(args: list[str], capsys: pytest.CaptureFixture[str], key: str, **params: Any) -> None:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == translate("en", key, **params)
    for lang in ("da", "nb", "en"):
        assert "{" not in translate(lang, key, **params)


def test_a_file_an_app_is_serving_is_refused_and_nothing_is_copied(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An app still serving the SQLite file would write past the copy (fresh-eyes trial: 208
    rows copied without a word while the app ran); refused as ``samskab restore`` is."""
    from workshop.db import serving_lock_path

    with serving_lock_path(world.path).open("a+") as held:  # what a serving app holds
        fcntl.flock(held, fcntl.LOCK_SH)
        code, out, err = migrate(world.path, target, capsys)
        fcntl.flock(held, fcntl.LOCK_UN)
    assert (code, out) == (2, "")
    assert err.strip() == translate("en", "error.migrate.serving", path=str(world.path))
    assert sum(row_counts(target).values()) == 0
    assert migrate(world.path, target, capsys)[0] == 0  # stopped: it copies


def test_a_target_with_rows_is_refused_and_left_as_it_was(
    world: World, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(world.path, target, capsys)[0] == 0
    before = row_counts(target)
    code, out, err = migrate(world.path, target, capsys)
    assert code == 2 and "already holds data" in err and out == ""
    assert row_counts(target) == before


def test_a_source_at_an_older_schema_is_refused(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    app.open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "DELETE FROM _sqlite_migrations WHERE id = (SELECT MAX(id) FROM _sqlite_migrations)"
    )
    conn.commit()
    conn.close()
    code, _, err = migrate(path, target, capsys)
    assert code == 2 and "older schema" in err and "purge --dry-run" in err, err
    assert row_counts(target) == {}  # the target was not even migrated


def test_a_source_that_is_not_samskab_or_missing_is_refused(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notes.db"
    sqlite3.connect(other).execute("CREATE TABLE notes (x)").connection.close()
    _refused(
        ["--db", str(other), "migrate-db", "--to", target],
        capsys,
        "error.migrate.source_not_samskab",
        path=str(other),
    )
    missing = tmp_path / "nowhere.db"
    _refused(
        ["--db", str(missing), "migrate-db", "--to", target],
        capsys,
        "error.migrate.source_missing",
        path=str(missing),
    )
    assert not missing.exists()


def test_an_unreachable_or_wrong_target_is_refused(
    world: World, capsys: pytest.CaptureFixture[str], server: str
) -> None:
    code, out, err = migrate(world.path, "postgresql://samskab@127.0.0.1:1/nowhere", capsys)
    assert code == 2 and out == ""
    assert "cannot reach the database postgresql://samskab@127.0.0.1:1/nowhere" in err
    _refused(
        ["--db", str(world.path), "migrate-db", "--to", str(world.path)],
        capsys,
        "error.migrate.target_not_postgres",
        url=str(world.path),
    )


def test_checksums_ignore_row_order_but_not_content() -> None:
    from workshop.migrate_db import checksum

    rows = [(1, "a", 0.5, None), (2, "b", 2.0, b"x")]
    assert checksum(rows) == checksum(list(reversed(rows)))
    assert checksum(rows) == checksum([(1, "a", 0.5, None), (2, "b", 2, b"x")])  # 2.0 is 2
    assert checksum(rows)[1] != checksum([(1, "a", 0.5, None), (2, "b ", 2.0, b"x")])[1]
    assert checksum(rows + rows[:1])[0] == 3


def test_dependency_order_puts_parents_first() -> None:
    from workshop.migrate_db import dependency_order

    keys: list[tuple[str, str, Callable[[], None] | None]] = [
        ("ballots", "rounds", None),
        ("rounds", "meetings", None),
        ("ideas", "ideas", None),
        ("ideas", "meetings", None),
    ]
    assert dependency_order(["ideas", "ballots", "rounds", "meetings"], keys) == [
        "meetings",
        "ideas",
        "rounds",
        "ballots",
    ]
