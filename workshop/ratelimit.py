"""Sliding-window limits on failed logins and failed join-code attempts.

Only *failures* are counted: 300 phones behind one venue NAT that type the right code are
never slowed down, while someone guessing codes or passwords is.
"""

from __future__ import annotations

import time

from workshop.db import Store
from workshop.errors import RateLimited


def check(store: Store, kind: str, subject: str, *, limit: int, window_s: float) -> None:
    """Raise RateLimited if ``subject`` already failed ``limit`` times within the window."""
    since = time.time() - window_s
    rows = store.query(
        "SELECT at FROM rate_events WHERE kind = ? AND subject = ? AND at > ? ORDER BY at",
        [kind, subject, since],
    )
    if len(rows) >= limit:
        wait = int(rows[0]["at"] + window_s - time.time()) + 1
        raise RateLimited("error.rate_limited", seconds=max(wait, 1))


def record_failure(store: Store, kind: str, subject: str) -> None:
    now = time.time()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO rate_events (kind, subject, at) VALUES (?, ?, ?)", [kind, subject, now]
        )
        # Old events are useless; drop them as we go so the table stays small.
        db.execute("DELETE FROM rate_events WHERE at < ?", [now - 86_400])


def clear(store: Store, kind: str, subject: str) -> None:
    store.execute("DELETE FROM rate_events WHERE kind = ? AND subject = ?", [kind, subject])
