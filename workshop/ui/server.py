"""What the served application is made of: Streamlit plus the app's own HTTP routes and
security headers.

``streamlit run streamlit_app.py`` finds the ``st.App`` that file builds (Streamlit looks for
``app = st.App(...)`` in the script's source, so the call itself stays there) from
:func:`routes` and :func:`middleware`. :func:`take_serving_lock` marks the database as served.
"""

import signal
import threading
from types import FrameType
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from workshop.config import load_settings
from workshop.db import hold_serving_lock
from workshop.ui import (
    auth_routes,
    ballot_routes,
    components,
    dot_routes,
    idea_routes,
    participant_routes,
    push_routes,
)
from workshop.ui.compress import CompressedAssets
from workshop.ui.health import DatabaseHealth, check_at_start
from workshop.ui.http_headers import SecurityHeaders
from workshop.ui.icon_font import IconFontSubset, prepare


def take_serving_lock() -> None:
    """This process serves the database until it ends: `samskab restore` refuses meanwhile.
    (A SQLite file's lock; `samskab restore` is for SQLite files only.)"""
    settings = load_settings()
    if settings.database_url is None:
        hold_serving_lock(settings.db_path)
    check_at_start()  # a database that cannot be used is said in the log now, not at a visit


def end_streams_on_exit() -> None:
    """Chain a handler before the server's own for SIGINT and SIGTERM that ends the phones'
    push streams (``push_routes.end_streams``): uvicorn exits only once every response is
    over, and a push stream is never over by itself. Called as ``streamlit_app.py`` is
    imported, which uvicorn does after it took the signals; elsewhere (not the main thread,
    no handler to chain) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous = signal.getsignal(signum)
        if not callable(previous) or getattr(previous, "ends_streams", False):
            continue

        def handler(number: int, frame: FrameType | None, previous: Any = previous) -> None:
            push_routes.end_streams()
            previous(number, frame)

        handler.ends_streams = True  # type: ignore[attr-defined]
        signal.signal(signum, handler)


def routes() -> list[BaseRoute]:
    """The staff-cookie and participant-cookie routes, the phones' push route, their dot taps
    and their ideas, and the components' JavaScript modules beside Streamlit."""
    return [
        *auth_routes.routes(),
        *participant_routes.routes(),
        *push_routes.routes(),
        *dot_routes.routes(),
        *ballot_routes.routes(),
        *idea_routes.routes(),
        *components.routes(),
    ]


def middleware() -> list[Middleware]:
    """Security headers on every response (workshop/ui/http_headers.py), not only via nginx;
    the health check 503 while the database cannot be opened (workshop/ui/health.py);
    Streamlit's icon font cut to the icons the app draws (workshop/ui/icon_font.py, the cut
    begins now, in a thread); Streamlit's static bundles gzipped once per process
    (workshop/ui/compress.py)."""
    return [
        Middleware(SecurityHeaders),
        Middleware(DatabaseHealth),
        Middleware(IconFontSubset, font=prepare()),
        Middleware(CompressedAssets),
    ]
