"""The health check and the start say when the database cannot be used (workshop/ui/health.py).

Streamlit's health check said "ok" with a database nothing could be served from, and the
operator's message reached the log only at a first visit (fresh-eyes trial).
"""

from __future__ import annotations

import logging
import threading

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.asgi import call
from workshop.errors import DatabaseUnavailable
from workshop.i18n import translate
from workshop.ui import health, process

BROKEN = DatabaseUnavailable(
    "error.database.unreachable", url="postgresql://samskab@127.0.0.1:1/x", detail="refused"
)


def _streamlit() -> Starlette:
    async def ok(request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/_stcore/health", ok), Route("/page", ok)])


def _broken(monkeypatch: pytest.MonkeyPatch) -> None:
    def store():
        raise BROKEN

    monkeypatch.setattr(process, "store", store)


def test_the_health_check_is_503_while_the_database_cannot_be_opened(monkeypatch) -> None:
    app = health.DatabaseHealth(_streamlit())
    _broken(monkeypatch)
    answer = call(app, "/_stcore/health")
    assert (answer.status_code, answer.content) == (503, b"database unavailable")
    assert b"127.0.0.1" not in answer.content  # the detail is for the log, not the world
    assert call(app, "/page").status_code == 200  # pages say it themselves, in words
    monkeypatch.undo()
    monkeypatch.setattr(process, "store", lambda: None)  # the database came up
    assert call(app, "/_stcore/health").content == b"ok"


def test_a_database_that_cannot_be_used_is_logged_at_start(monkeypatch, caplog) -> None:
    _broken(monkeypatch)
    with caplog.at_level(logging.ERROR, logger="samskab"):
        health.check_at_start()
        for thread in threading.enumerate():
            if thread.name == "samskab-database-check":
                thread.join(10)
    assert translate("en", BROKEN.key, **BROKEN.params) in caplog.text
