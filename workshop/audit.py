"""The audit log: every facilitator and admin action, append-only (triggers forbid edits)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from sqlite_utils import Database

from workshop import spreadsheets
from workshop.db import Store
from workshop.model import User, utcnow


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def record(
    db: Database,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, before, after)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            utcnow(),
            actor.id if actor else None,
            actor.username if actor else "system",
            action,
            entity,
            entity_id,
            _json(before),
            _json(after),
        ],
    )


def list_entries(store: Store, *, limit: int = 500) -> list[dict[str, Any]]:
    return store.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])


# -- reading and exporting ----------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "at",
    "user_id",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
)


def query_entries(
    store: Store,
    *,
    since: str | None = None,
    until: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Entries oldest first, filtered by time (ISO prefixes work: ``2026-11``), actor, action."""
    sql = "SELECT * FROM audit_log WHERE 1 = 1"
    params: list[Any] = []
    if since:
        sql += " AND at >= ?"
        params.append(since)
    if until:
        # "2026-11-22" includes that whole day.
        sql += " AND at < ?"
        params.append(until + "\uffff" if len(until) < 20 else until)
    if actor:
        sql += " AND actor = ?"
        params.append(actor)
    if action:
        sql += " AND action = ?"
        params.append(action)
    sql += " ORDER BY id"
    if limit is not None:
        sql = f"SELECT * FROM ({sql.replace(' ORDER BY id', ' ORDER BY id DESC')} LIMIT ?)"
        sql += " ORDER BY id"
        params.append(limit)
    return store.query(sql, params)


def list_actions(store: Store) -> list[str]:
    return [r["action"] for r in store.query("SELECT DISTINCT action FROM audit_log ORDER BY 1")]


def list_actors(store: Store) -> list[str]:
    return [r["actor"] for r in store.query("SELECT DISTINCT actor FROM audit_log ORDER BY 1")]


def readable(entries: list[dict[str, Any]], lang: str = "da") -> list[dict[str, Any]]:
    """Entries for a table on screen: local time to the second, in the reader's style."""
    from workshop.i18n import formats

    return [
        {**entry, "at": formats.datetime_text(entry["at"], lang, seconds=True)} for entry in entries
    ]


def to_csv(entries: list[dict[str, Any]]) -> str:
    """CSV for a spreadsheet; cells that would run as formulas are neutralised by the one
    function every export uses (``workshop.spreadsheets``, ``workshop.text.spreadsheet_cell``)."""
    rows = [[entry.get(column) for column in EXPORT_COLUMNS] for entry in entries]
    return spreadsheets.csv_text(EXPORT_COLUMNS, rows, lineterminator="\n")


def to_json(entries: list[dict[str, Any]]) -> str:
    """JSON lines would be smaller; one array with decoded before/after reads better."""
    decoded = []
    for entry in entries:
        item: dict[str, Any] = {column: entry.get(column) for column in EXPORT_COLUMNS}
        for side in ("before", "after"):
            raw = item[side]
            if isinstance(raw, str):
                with contextlib.suppress(ValueError):
                    item[side] = json.loads(raw)
        decoded.append(item)
    return json.dumps(decoded, ensure_ascii=False, indent=2)
