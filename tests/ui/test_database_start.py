"""A database that cannot be opened at start: the visitor reads it in their language."""

from __future__ import annotations

import pytest

from workshop.i18n import translate


def test_an_unreachable_database_is_told_to_the_visitor_in_danish(
    make_app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SAMSKAB_DATABASE_URL", "postgresql://samskab:hemmelig@127.0.0.1:1/samskab")
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    at = make_app()
    at.run()
    assert not at.exception
    shown = [e.value for e in at.error]
    assert shown == [translate("da", "error.database.unavailable")]
    assert "127.0.0.1" not in shown[0] and "hemmelig" not in shown[0]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "postgresql://samskab@127.0.0.1:1/samskab" in logged and "hemmelig" not in logged
