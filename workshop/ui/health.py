"""The health check says whether the database can be used, and a bad database is said at start.

Streamlit's ``/_stcore/health`` answers "ok" as soon as the server runs. With a database that
cannot be opened (a wrong ``SAMSKAB_DATABASE_URL``, PostgreSQL unreachable, no privileges, a
newer schema) every page says "try again in a few minutes", so nginx, systemd or a load
balancer kept sending phones to a host that could serve none of them, and the operator's
message reached the log only when a first visitor came (fresh-eyes trial). Now:

* :class:`DatabaseHealth` (ASGI middleware) answers the health check with 503 while the
  database cannot be opened; the body says only that (the log has the detail);
* :func:`check_at_start` opens the database once when the server starts, in a thread (the
  server does not wait), and logs the clear message of a failure at once.

The app still starts: a database that comes up later (PostgreSQL started after the app) is
used from the next page on, and the health check turns "ok".
"""

from __future__ import annotations

import logging
import threading

from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from workshop.errors import DatabaseUnavailable
from workshop.i18n import translate_error

log = logging.getLogger("samskab")


def database_problem() -> str | None:
    """Why the configured database cannot be opened (in English, for the log), or None."""
    from workshop.ui import process

    try:
        process.store()
    except DatabaseUnavailable as error:
        return translate_error("en", error)
    return None


def check_at_start() -> None:
    """Open the database in a thread now; log why it cannot be, if it cannot."""

    def check() -> None:
        problem = database_problem()
        if problem is not None:
            log.error("%s", problem)

    threading.Thread(target=check, name="samskab-database-check", daemon=True).start()


class DatabaseHealth:
    """ASGI middleware: ``/_stcore/health`` is 503 while the database cannot be opened."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/_stcore/health"):
            problem = await run_in_threadpool(database_problem)
            if problem is not None:
                answer = PlainTextResponse(
                    "database unavailable", status_code=503, headers={"Cache-Control": "no-store"}
                )
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)
