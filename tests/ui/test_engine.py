"""Page tests run on the run's engine: ``app_store`` is SQLite, or PostgreSQL when
``SAMSKAB_TEST_DATABASE=postgresql`` (``scripts/test`` runs them on both), and says which in
each test's id."""

from __future__ import annotations

import pytest

from workshop.config import load_settings


def test_the_app_store_is_on_the_runs_engine_and_says_so(
    app_store, engine: str, request: pytest.FixtureRequest
) -> None:
    assert app_store.engine == engine
    assert request.node.name.endswith(f"[{engine}]")
    # the app script opens the same database the test writes into
    assert str(load_settings().database) in (app_store.path, getattr(app_store, "url", ""))
