"""Fixtures: a real SQLite database per test (no mocks), and small factories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import make_meeting
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.model import Meeting, Role, User


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    db = open_store(tmp_path / "test.db")
    yield db
    db.close()


@pytest.fixture
def facilitator(store: Store) -> User:
    return accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR, "Fie")


@pytest.fixture
def meeting(store: Store, facilitator: User) -> Meeting:
    return make_meeting(store, facilitator)
