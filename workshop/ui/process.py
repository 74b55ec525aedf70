"""What one server process shares: its settings and its store (with demo data on first start).

The HTTP routes beside Streamlit (``workshop.ui.auth_routes``, ``workshop.ui.participant_routes``)
and every page reach the database through :func:`store`.
"""

from __future__ import annotations

import threading

from workshop import committees, demo
from workshop.app import shared_store
from workshop.config import Settings, load_settings
from workshop.db import Store
from workshop.ui.runtime import once_per_run

_bootstrapped: set[str] = set()
_bootstrap_lock = threading.Lock()


def settings() -> Settings:
    """The installation's settings (read from the environment once per page run)."""
    return once_per_run("settings", load_settings)


def store() -> Store:
    """The process-wide store for the configured database, with demo data on first start
    (found once per page run: a run asks for it dozens of times)."""
    return once_per_run("store", _store)


def _store() -> Store:
    config = settings()
    db = shared_store(config.database)
    if db.path not in _bootstrapped:
        with _bootstrap_lock:
            if db.path not in _bootstrapped:
                if config.demo_data and not committees.has_committees(db):
                    demo.seed_demo(db)
                _bootstrapped.add(db.path)
    return db
