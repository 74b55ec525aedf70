"""Fixtures: a real database per test (no mocks), and small factories.

Every test gets its own database file in WAL mode, as the app has. Running every migration
set for each test cost about half a second a test; instead each test process (each xdist
worker) migrates one template database once, and each test starts from a file copy of it.

The engine: SQLite unless ``SAMSKAB_TEST_DATABASE=postgresql`` (then ``store`` is a fresh
PostgreSQL database per test, made with ``CREATE DATABASE … TEMPLATE`` from one migrated
template per test process, on the server at ``SAMSKAB_TEST_POSTGRES_URL``, by default the
one ``bash scripts/postgres --fast`` starts). A test that uses ``store`` carries the engine in
its id: ``test_dot_limit[sqlite]``, ``test_dot_limit[postgresql]``.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.factories import make_meeting
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.model import Meeting, Role, User

# Hypothesis tests what is true of any input, not how fast: its default 200 ms deadline per
# example failed a test that touches the database when a loaded 2-core machine paused it once
# (504 ms, then 5 ms on the retry). Speed is measured in benchmarks/.
settings.register_profile("samskab", deadline=None)
settings.load_profile("samskab")


@pytest.fixture(autouse=True)
def outbox_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that sends feedback with the default sender writes to its own folder, never to
    the checkout's data/ (a helper once committed such a file). Tests that pick a sender set
    SAMSKAB_FEEDBACK_SENDER themselves and override this."""
    monkeypatch.setenv("SAMSKAB_FEEDBACK_SENDER", f"file:{tmp_path / 'feedback-outbox.txt'}")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with every migration applied, closed (its WAL folded into the file)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    open_store(path).close()  # the last connection to close checkpoints and removes the WAL
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture
def fresh_db(migrated_template: Path) -> Callable[[Path], Path]:
    """Copy the migrated template to ``path`` (which must not exist yet) and return it."""

    def copy(path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(migrated_template, path))

    return copy


ENGINE = (os.environ.get("SAMSKAB_TEST_DATABASE") or "sqlite").strip().lower()
ENGINES = ("sqlite", "postgresql")
if ENGINE not in ENGINES:
    raise pytest.UsageError(f"SAMSKAB_TEST_DATABASE must be one of {ENGINES}, not {ENGINE!r}")
POSTGRES_URL = os.environ.get(
    "SAMSKAB_TEST_POSTGRES_URL", "postgresql://samskab@127.0.0.1:55432/samskab"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses ``engine`` (through ``store``) carries the engine in its id."""
    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", [ENGINE], ids=[ENGINE], indirect=True, scope="session")


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> str:
    """The engine this run's stores are on (a fixture asked for at run time gets it too)."""
    return str(getattr(request, "param", ENGINE))


def postgres_url(database: str) -> str:
    """The test server's URL with another database name."""
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{database}"


def _postgres_up() -> bool:
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The test PostgreSQL's URL, for tests of PostgreSQL itself: they fail without one on a
    PostgreSQL run and are skipped on a SQLite run without one."""
    if not _postgres_up():
        if ENGINE == "postgresql":
            pytest.fail(f"no PostgreSQL at {POSTGRES_URL}: bash scripts/postgres --fast")
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL} (bash scripts/postgres --fast)")
    return POSTGRES_URL


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """One migrated PostgreSQL database per test process, the template of every test's."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"samskab_template_{worker}_{os.getpid()}"
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    open_store(postgres_url(name)).close()
    yield name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_databases = itertools.count(1)


@pytest.fixture
def fresh_postgres(request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """Make fresh PostgreSQL databases (copies of the template) for this test; dropped after."""
    made: list[str] = []

    def make() -> str:
        template = request.getfixturevalue("postgres_template")
        name = f"{template}_t{next(_databases)}"
        _admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY WAL_LOG")
        made.append(name)
        return postgres_url(name)

    yield make
    for name in made:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_only(engine: str) -> None:
    """For a test of what only a SQLite file has (worker processes that open the file)."""
    if engine != "sqlite":
        pytest.skip("SQLite only: report workers open the SQLite file (README Database engines)")


@pytest.fixture
def store(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    if engine == "postgresql":
        # Link secrets are derived with the server key; a PostgreSQL store has no file beside
        # which a generated key could live, so tests set one (as every app host must).
        monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
        url = request.getfixturevalue("fresh_postgres")()
        db = open_store(url)
    else:
        # open_store finds nothing pending in the copy: no migration runs.
        db = open_store(request.getfixturevalue("fresh_db")(tmp_path / "test.db"))
    yield db
    db.close()


@pytest.fixture
def facilitator(store: Store) -> User:
    return accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR, "Fie")


@pytest.fixture
def meeting(store: Store, facilitator: User) -> Meeting:
    return make_meeting(store, facilitator)
