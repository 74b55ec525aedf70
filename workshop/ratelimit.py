"""Sliding-window limits on failed logins and failed join-code attempts, and on joins.

Failed codes and passwords are counted as failures (``check`` / ``record_failure``): 300
phones behind one venue NAT that type the right code are never slowed down by them, while
someone guessing is. Successful joins are counted by ``take`` with limits generous enough
for a whole venue on one address and tight for one browser session.
"""

from __future__ import annotations

import time

from sqlite_utils import Database

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


def take(db: Database, kind: str, subject: str, *, limit: int, window_s: float, key: str) -> None:
    """Count one event for ``subject`` inside the caller's write transaction, or refuse it.

    For limits on *successful* actions (joins): the count and the new event are written in
    the same ``BEGIN IMMEDIATE`` transaction as the action itself, so concurrent sessions
    cannot both slip under the limit. Raises RateLimited(``key``) without recording anything
    (the caller's transaction rolls back) when ``limit`` events are already in the window.
    """
    now = time.time()
    rows = db.execute(
        "SELECT at FROM rate_events WHERE kind = ? AND subject = ? AND at > ? ORDER BY at LIMIT ?",
        [kind, subject, now - window_s, limit],
    ).fetchall()
    if len(rows) >= limit:
        wait = int(rows[0][0] + window_s - now) + 1
        raise RateLimited(key, seconds=max(wait, 1))
    db.execute("INSERT INTO rate_events (kind, subject, at) VALUES (?, ?, ?)", [kind, subject, now])
    # Old events of this subject are useless (the index makes this cheap).
    db.execute(
        "DELETE FROM rate_events WHERE kind = ? AND subject = ? AND at < ?",
        [kind, subject, now - 86_400],
    )
