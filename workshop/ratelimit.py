"""Limits on failed logins and failed join-code attempts, and on joins.

Failed codes and passwords are counted as failures: 300 phones behind one venue NAT that type
the right code are never slowed down by them, while someone guessing is. Three shapes:

* ``check``: a sliding window — at most ``limit`` failures within ``window_s``.
* ``check_growing``: a few free failures, then a wait after each further failure that doubles
  (1 s, 2 s, 4 s …) up to a cap; failures older than ``memory_s`` are forgotten.
* ``take``: successful joins, counted in the join's own transaction, with limits generous
  enough for a whole venue on one address and tight for one browser session.

Every function takes ``now`` (seconds since the epoch) so tests need no sleeps.
"""

from __future__ import annotations

import math
import time

from sqlite_utils import Database

from workshop.db import Store
from workshop.errors import RateLimited

# Failed attempts are kept this long (record_failure deletes older ones as it goes).
KEEP_S = 86_400


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def check(
    store: Store,
    kind: str,
    subject: str,
    *,
    limit: int,
    window_s: float,
    now: float | None = None,
) -> None:
    """Raise RateLimited if ``subject`` already failed ``limit`` times within the window."""
    moment = _now(now)
    rows = store.query(
        "SELECT at FROM rate_events WHERE kind = ? AND subject = ? AND at > ? ORDER BY at",
        [kind, subject, moment - window_s],
    )
    if len(rows) >= limit:
        wait = int(rows[0]["at"] + window_s - moment) + 1
        raise RateLimited("error.rate_limited", seconds=max(wait, 1))


def growing_wait(failures: int, *, free: int, cap_s: float) -> float:
    """Seconds to wait after ``failures`` failures: 0 for the first ``free``, then 1, 2, 4 …
    up to ``cap_s``."""
    if failures < free:
        return 0
    return min(2.0 ** min(failures - free, 60), cap_s)


def seconds_to_wait(
    store: Store,
    kind: str,
    subject: str,
    *,
    free: int,
    cap_s: float,
    memory_s: float,
    now: float | None = None,
) -> int:
    """Whole seconds ``subject`` must still wait before its next attempt (0: go ahead).

    One indexed read: the number of failures within ``memory_s`` and the time of the last.
    """
    moment = _now(now)
    row = store.query_one(
        "SELECT count(*) AS failures, max(at) AS last FROM rate_events"
        " WHERE kind = ? AND subject = ? AND at > ?",
        [kind, subject, moment - memory_s],
    )
    if row is None or not row["failures"]:
        return 0
    wait = growing_wait(row["failures"], free=free, cap_s=cap_s)
    return max(0, math.ceil(row["last"] + wait - moment))


def record_failure(store: Store, kind: str, subject: str, *, now: float | None = None) -> None:
    moment = _now(now)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO rate_events (kind, subject, at) VALUES (?, ?, ?)", [kind, subject, moment]
        )
        # Old events are useless; drop them as we go so the table stays small.
        db.execute("DELETE FROM rate_events WHERE at < ?", [moment - KEEP_S])


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
