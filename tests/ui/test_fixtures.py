"""The app's database in page tests: a copy of the migrated template, as for domain tests."""

from __future__ import annotations

import pytest

from tests.test_test_hygiene import assert_migrated_without_a_migration


def test_the_app_store_starts_migrated_without_running_a_migration(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = assert_migrated_without_a_migration(request, monkeypatch, "app_store")
    assert store.scalar("SELECT COUNT(*) FROM users") == 0
