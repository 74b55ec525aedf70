"""The store on PostgreSQL: placeholders, bad input at start, migrations in transactions, the
schema the same as SQLite's, the rules in the database.

Tests that need a server use the one at ``SAMSKAB_TEST_POSTGRES_URL`` (``bash scripts/postgres
--fast`` starts one); without a server they are skipped, unless the run is on PostgreSQL
(``SAMSKAB_TEST_DATABASE=postgresql``), where a missing server fails them.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import _admin, postgres_url
from workshop import app, db
from workshop.errors import InvalidInput
from workshop.i18n import translate

LANGS = ("da", "nb", "en")


@pytest.fixture(scope="session")
def server(postgres_server: str) -> str:
    return postgres_server


@pytest.fixture
def empty_database(server: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database (no Samskab schema), dropped after the test."""
    name = "samskab_empty_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    yield postgres_url(name)
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def migrated(server: str, fresh_postgres: Callable[[], str]) -> str:
    return fresh_postgres()


def _tables(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
    return {r[0] for r in rows}


def _refused(url: str, sets: list[db.PgMigrations] | None = None) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        if sets is None:
            app.open_store(url)
        else:
            db.open_store(url, [], sets)
    for lang in LANGS:  # the message exists in every language and names the database
        message = translate(lang, refused.value.key, **refused.value.params)
        assert "{" not in message
    return refused.value


# -- placeholders (no server needed) --------------------------------------------------------


def test_sqlite_placeholders_become_numbered_ones_outside_literals_and_comments() -> None:
    sql, order = db._placeholders("SELECT ?, 'a ? b', \"c?\" -- ? here\n, ?2, ?, x % 2")
    assert sql == "SELECT $1, 'a ? b', \"c?\" -- ? here\n, $2, $3, x % 2"
    assert order == (0, 1, 2)
    sql, order = db._placeholders("WHERE a = :meeting OR b = :committee OR c = :meeting::int")
    assert sql == "WHERE a = $1 OR b = $2 OR c = $1::int"
    assert order == ("meeting", "committee")
    assert db._pg_statement("SELECT ? + ?1", [5]) == ("SELECT $1 + $1", [5])
    assert db._pg_statement("SELECT :a, :b, :a", {"b": 2, "a": 1}) == ("SELECT $1, $2, $1", [1, 2])
    assert db._pg_statement("SELECT 'it''s ?'", []) == ("SELECT 'it''s ?'", None)


def test_which_engine_a_target_names() -> None:
    assert db.is_postgres("postgresql://u@h:5432/d")
    assert db.is_postgres("postgres://u@h/d")
    assert not db.is_postgres(Path("data/samskab.db"))
    assert not db.is_postgres(":memory:")
    assert db.safe_url("postgresql://anna:hemmelig@db.example:5433/samskab") == (
        "postgresql://anna@db.example:5433/samskab"
    )


# -- bad input at start ----------------------------------------------------------------------


def test_an_unreachable_database_is_a_clear_message_without_the_password() -> None:
    url = "postgresql://samskab:hemmelig@127.0.0.1:1/samskab"  # nothing listens on port 1
    error = _refused(url)
    assert error.key == "error.database.unreachable"
    for lang in LANGS:
        message = translate(lang, error.key, **error.params)
        assert "postgresql://samskab@127.0.0.1:1/samskab" in message
        assert "hemmelig" not in message


def test_a_url_that_is_not_one_is_refused_before_connecting() -> None:
    error = _refused("postgresql://samskab@127.0.0.1:55432/samskab?no_such_option=1")
    assert error.key == "error.database.url"


@pytest.mark.parametrize(
    "url",
    [
        "mysql://samskab:hemmelig@127.0.0.1:3306/samskab",
        "PostgreSQL://samskab@127.0.0.1:55432/samskab",
        "postgresql:/samskab@127.0.0.1:55432/samskab",
        "postgresql+psycopg://samskab@127.0.0.1:55432/samskab",
        "postgresql://samskab@127.0.0.1:55432/",  # no database: libpq would take the user's
    ],
)
def test_a_url_samskab_cannot_use_is_refused_and_no_file_is_made_of_it(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, a URL that was not postgresql://…/<database> was opened as a file path: a SQLite
    database in folders named after the URL, demo accounts in it, exit 0 (fresh-eyes trial)."""
    monkeypatch.chdir(tmp_path)
    error = _refused(url)
    assert error.key == "error.database.url"
    assert list(tmp_path.iterdir()) == []  # no folder, no file
    for lang in LANGS:
        assert "hemmelig" not in translate(lang, error.key, **error.params)


def test_the_cli_says_so_in_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    from workshop import cli

    assert cli.main(["--db", "postgresql://samskab@127.0.0.1:1/x", "remind", "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "postgresql://samskab@127.0.0.1:1/x" in err
    assert "Traceback" not in err


def test_a_database_of_something_else_is_left_alone(empty_database: str) -> None:
    _admin_on(empty_database, "CREATE TABLE invoices (id int)")
    error = _refused(empty_database)
    assert error.key == "error.database.not_samskab"
    assert _tables(empty_database) == {"invoices"}


def test_a_database_from_a_newer_samskab_is_refused_and_left_alone(migrated: str) -> None:
    _admin_on(
        migrated,
        "INSERT INTO samskab_migrations (migration_set, name, applied_at)"
        " VALUES ('samskab.postgresql', 'p999_from_the_future', 'later')",
    )
    before = _tables(migrated)
    error = _refused(migrated)
    assert error.key == "error.database.newer_schema"
    assert "p999_from_the_future" in error.params["migrations"]
    assert _tables(migrated) == before


def test_a_user_without_privileges_gets_a_message_and_nothing_is_created(
    empty_database: str,
) -> None:
    _admin("DROP ROLE IF EXISTS samskab_no_rights")
    _admin("CREATE ROLE samskab_no_rights LOGIN")
    try:
        # PostgreSQL 15: only the database's owner may create in its public schema.
        base, _, name = empty_database.rpartition("/")
        scheme, _, host = base.partition("://")
        host = host.split("@", 1)[-1]
        url = f"{scheme}://samskab_no_rights@{host}/{name}"
        error = _refused(url)
        assert error.key == "error.database.privileges"
        assert error.params["migration"] == "samskab.postgresql/p001_baseline"
        assert _tables(empty_database) == set()
    finally:
        _admin(f"DROP DATABASE IF EXISTS {empty_database.rpartition('/')[2]} WITH (FORCE)")
        _admin("DROP ROLE IF EXISTS samskab_no_rights")


def _admin_on(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


# -- migrations in transactions ------------------------------------------------------------


def _sets(second: str) -> list[db.PgMigrations]:
    migrations = db.PgMigrations("trial")
    migrations.add("p001_first", "CREATE TABLE first_table (id int)")
    migrations.add("p002_second", second)
    return [migrations]


def test_a_failing_migration_leaves_nothing_half_done(empty_database: str) -> None:
    broken = "CREATE TABLE second_table (id int); INSERT INTO no_such_table VALUES (1)"
    error = _refused(empty_database, _sets(broken))
    assert error.key == "error.database.migration_failed"
    assert error.params["migration"] == "trial/p002_second"
    # The first migration stands; of the second, not even its first statement.
    assert _tables(empty_database) == {"first_table", "samskab_migrations"}
    store = db.open_store(empty_database, [], _sets("CREATE TABLE second_table (id int)"))
    try:  # the database at the older schema is brought up to date by the mended migration
        names = [r["name"] for r in store.query("SELECT name FROM samskab_migrations ORDER BY id")]
        assert names == ["p001_first", "p002_second"]
    finally:
        store.close()
    assert _tables(empty_database) == {"first_table", "second_table", "samskab_migrations"}


def test_two_processes_starting_at_once_migrate_once(empty_database: str) -> None:
    stores: list[db.Store] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            stores.append(app.open_store(empty_database))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    try:
        applied = stores[0].scalar("SELECT count(*) FROM samskab_migrations")
        assert applied == sum(len(s.migrations) for s in app.postgres_migration_sets())
    finally:
        for store in stores:
            store.close()


# -- the schema is SQLite's ----------------------------------------------------------------


def _sqlite_schema(path: Path) -> dict[str, set[tuple[str, ...]]]:
    conn = sqlite3.connect(path)
    try:
        objects = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE sql IS NOT NULL"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%sqlite_migrations%'"
        ).fetchall()
        tables = [name for kind, name in objects if kind == "table"]
        columns = {
            (table, row[1])
            for table in tables
            for row in conn.execute(f"PRAGMA table_info({table})")
        }
    finally:
        conn.close()
    return {
        "table": {(n,) for k, n in objects if k == "table"},
        "column": columns,
        "index": {(n,) for k, n in objects if k == "index"},
        "view": {(n,) for k, n in objects if k == "view"},
        "trigger": {(n,) for k, n in objects if k == "trigger"},
    }


def test_postgres_has_every_table_column_index_view_and_trigger_sqlite_has(
    migrated: str, migrated_template: Path
) -> None:
    sqlite = _sqlite_schema(migrated_template)
    store = db.open_store(migrated, [], app.postgres_migration_sets())
    try:
        pg = {
            "table": {
                (r["n"],)
                for r in store.query(
                    "SELECT table_name AS n FROM information_schema.tables"
                    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                    " AND table_name <> 'samskab_migrations'"
                )
            },
            "column": {
                (r["t"], r["c"])
                for r in store.query(
                    "SELECT table_name AS t, column_name AS c FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND table_name <> 'samskab_migrations'"
                    " AND table_name <> 'current_decisions'"
                )
            },
            "index": {
                (r["n"],)
                for r in store.query(
                    "SELECT indexname AS n FROM pg_indexes WHERE schemaname = 'public'"
                )
            },
            "view": {
                (r["n"],)
                for r in store.query(
                    "SELECT table_name AS n FROM information_schema.views"
                    " WHERE table_schema = 'public'"
                )
            },
            "trigger": {
                (r["n"],)
                for r in store.query(
                    "SELECT DISTINCT tgname AS n FROM pg_trigger WHERE NOT tgisinternal"
                )
            },
        }
    finally:
        store.close()
    assert pg["table"] == sqlite["table"]
    assert pg["column"] == sqlite["column"]
    assert pg["view"] == sqlite["view"]
    assert sqlite["index"] <= pg["index"], sqlite["index"] - pg["index"]
    assert sqlite["trigger"] <= pg["trigger"], sqlite["trigger"] - pg["trigger"]


# -- the store ---------------------------------------------------------------------------------


def test_a_swallowed_failure_inside_a_transaction_saves_nothing(migrated: str) -> None:
    """On SQLite a failed statement undoes itself only; PostgreSQL undoes the transaction.
    Code that catches the error and goes on is told, instead of losing its writes silently."""
    store = app.open_store(migrated)
    try:
        with (
            pytest.raises(sqlite3.OperationalError, match="nothing was saved"),
            store.transaction() as handle,
        ):
            handle.execute("INSERT INTO rate_events (kind, subject, at) VALUES ('x', 'y', 1)")
            with contextlib.suppress(sqlite3.IntegrityError):
                handle.execute("INSERT INTO users (id) VALUES (NULL)")
        assert store.scalar("SELECT count(*) FROM rate_events") == 0
    finally:
        store.close()


def test_a_snapshot_is_read_only_and_sees_one_state(migrated: str) -> None:
    store = app.open_store(migrated)
    try:
        store.execute("INSERT INTO rate_events (kind, subject, at) VALUES ('a', 'b', 1)")
        with store.snapshot() as snap:
            store_count = store.scalar("SELECT count(*) FROM rate_events")
            writer = threading.Thread(
                target=store.execute,
                args=("INSERT INTO rate_events (kind, subject, at) VALUES ('a', 'b', 2)",),
            )
            writer.start()
            writer.join()
            assert store.scalar("SELECT count(*) FROM rate_events") == store_count == 1
            with pytest.raises(sqlite3.OperationalError):
                snap.execute("INSERT INTO rate_events (kind, subject, at) VALUES ('a', 'b', 3)")
        assert store.scalar("SELECT count(*) FROM rate_events") == 2
    finally:
        store.close()


def test_numbers_and_flags_come_back_as_on_sqlite(migrated: str) -> None:
    store = app.open_store(migrated)
    try:
        row = store.query_one("SELECT SUM(x) AS s, AVG(x) AS a FROM (VALUES (1), (2)) v(x)")
        assert row == {"s": 3, "a": 1.5}
        assert isinstance(row["s"], int)
        assert store.scalar("SELECT ? + 0", [True]) == 1  # a flag into an INTEGER column
        assert store.scalar("SELECT ? + 0", [False]) == 0
    finally:
        store.close()


# -- rules in the database, under concurrent writers -----------------------------------------


def test_two_writers_outside_the_app_cannot_together_pass_the_dot_limit(
    server: str, fresh_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two connections that bypass the app (no store lock, no advisory lock) each add dots
    to one ballot at once. Each alone stays within the 3 dots; together they would not. The
    trigger locks the ballot row, so the second waits for the first and then refuses."""
    import psycopg

    from tests.factories import join, make_meeting, start
    from workshop.accounts import users as accounts
    from workshop.meetings import core as meetings
    from workshop.meetings import ideas
    from workshop.model import Role
    from workshop.voting import ballots as voting

    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key")
    url = fresh_postgres()
    store = app.open_store(url)
    try:
        fie = accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR)
        meeting = make_meeting(store, fie)
        start(store, meeting)
        author = join(store, meeting, "Author")
        posted = [ideas.submit_idea(store, author, text) for text in ("a", "b")]
        meetings.next_step(store, meeting.id, actor=None)
        vote_round = voting.current_round(store, meeting.id)
        assert vote_round is not None and vote_round.dots_per_participant == 3
        anna = join(store, meeting, "Anna")
        voting.place_dot(store, anna, vote_round.id, posted[0].id)
        voting.remove_dot(store, anna, vote_round.id, posted[0].id)  # a ballot, no dots
        assert store.scalar("SELECT count(*) FROM ballot_entries") == 0
        ballot = store.scalar("SELECT id FROM ballots WHERE participant_id = ?", [anna.id])
    finally:
        store.close()

    first = psycopg.connect(url)
    second = psycopg.connect(url)
    outcome: list[BaseException | None] = []
    try:
        first.execute(
            "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (%s, %s, 2)",
            [ballot, posted[0].id],
        )
        second_pid = second.info.backend_pid

        def other_writer() -> None:
            try:
                second.execute(
                    "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (%s, %s, 2)",
                    [ballot, posted[1].id],
                )
                second.commit()
                outcome.append(None)
            except psycopg.Error as error:
                second.rollback()
                outcome.append(error)

        waiting = threading.Thread(target=other_writer)
        waiting.start()
        with psycopg.connect(url, autocommit=True) as watcher:  # until it waits, or is done
            while waiting.is_alive():
                state = watcher.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid]
                ).fetchone()
                if state and state[0] == "Lock":
                    break
        assert waiting.is_alive(), outcome  # it waits for the first writer's ballot lock
        first.commit()
        waiting.join(timeout=30)
        assert not waiting.is_alive()
    finally:
        first.close()
        second.close()
    assert isinstance(outcome[0], psycopg.errors.IntegrityConstraintViolation)
    assert "dot_limit" in str(outcome[0])
    check = app.open_store(url)
    try:
        assert (
            check.scalar("SELECT SUM(value) FROM ballot_entries WHERE ballot_id = ?", [ballot]) == 2
        )
    finally:
        check.close()
