"""Fixtures: a real SQLite database per test (no mocks), and small factories.

Every test gets its own database file in WAL mode, as the app has. Running every migration
set for each test cost about half a second a test; instead each test process (each xdist
worker) migrates one template database once, and each test starts from a file copy of it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.factories import make_meeting
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.model import Meeting, Role, User


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


@pytest.fixture
def store(fresh_db: Callable[[Path], Path], tmp_path: Path) -> Iterator[Store]:
    # open_store finds nothing pending in the copy: no migration runs.
    db = open_store(fresh_db(tmp_path / "test.db"))
    yield db
    db.close()


@pytest.fixture
def facilitator(store: Store) -> User:
    return accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR, "Fie")


@pytest.fixture
def meeting(store: Store, facilitator: User) -> Meeting:
    return make_meeting(store, facilitator)
