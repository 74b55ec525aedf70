"""The audit log: every facilitator and admin action, append-only (triggers forbid edits)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
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
        sql = (
            f"SELECT * FROM ({sql.replace(' ORDER BY id', ' ORDER BY id DESC')} LIMIT ?) AS newest"
        )
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


# -- what an id in an entry points at ----------------------------------------------------------

# A before/after field holding an id (or a list of ids), and the table the id is a row of.
REFERENCE_FIELDS = {
    "step_id": "steps",
    "round_id": "rounds",
    "idea_id": "ideas",
    "merged_into_id": "ideas",
    "ideas": "ideas",
    "added_ideas": "ideas",
    "theme_id": "themes",
    "user_id": "users",
    "committee_id": "committees",
    "meeting_id": "meetings",
    "recommendation_id": "recommendations",
    "outcome_id": "outcomes",
}
# How a row of each table is known to a person (``name``; a step and a round by their place).
_REFERENCE_SQL = {
    "steps": "SELECT s.id, s.kind,"
    " (SELECT COUNT(*) FROM steps o WHERE o.meeting_id = s.meeting_id AND o.position <= s.position)"
    " AS number FROM steps s WHERE s.id IN ({ids})",
    "rounds": "SELECT r.id, r.number AS round, s.kind,"
    " (SELECT COUNT(*) FROM steps o WHERE o.meeting_id = s.meeting_id AND o.position <= s.position)"
    " AS number FROM rounds r JOIN steps s ON s.id = r.step_id WHERE r.id IN ({ids})",
    "ideas": "SELECT id, text AS name FROM ideas WHERE id IN ({ids})",
    "themes": "SELECT id, name FROM themes WHERE id IN ({ids})",
    "users": "SELECT id, display_name AS name, username FROM users WHERE id IN ({ids})",
    "committees": "SELECT id, title AS name FROM committees WHERE id IN ({ids})",
    "meetings": "SELECT id, title AS name FROM meetings WHERE id IN ({ids})",
    "recommendations": "SELECT id, title AS name FROM recommendations WHERE id IN ({ids})",
    "outcomes": "SELECT id, title AS name FROM outcomes WHERE id IN ({ids})",
}


def _decoded(raw: Any) -> Any:
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            return json.loads(raw)
    return raw


def _ids(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, int) and not isinstance(item, bool)]
    return []


def referenced(store: Store, entries: list[dict[str, Any]]) -> dict[str, dict[int, dict[str, Any]]]:
    """The rows the entries' ids point at, by table and id, with what a person knows them by:
    a step's place in its meeting and kind, an idea's text, a committee's title, a user's name.
    An id whose row is gone (erased) is simply not there: the page then shows the number."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.get("entity") in _REFERENCE_SQL and isinstance(entry.get("entity_id"), int):
            wanted.setdefault(entry["entity"], set()).add(entry["entity_id"])
        for side in ("before", "after"):
            decoded = _decoded(entry.get(side))
            if isinstance(decoded, dict):
                for field, value in decoded.items():
                    if field in REFERENCE_FIELDS:
                        wanted.setdefault(REFERENCE_FIELDS[field], set()).update(_ids(value))
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for table, ids in wanted.items():
        listed = sorted(ids)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            sql = _REFERENCE_SQL[table].format(ids=", ".join("?" * len(chunk)))
            for row in store.query(sql, chunk):
                found.setdefault(table, {})[row["id"]] = row
    return found


def to_csv(entries: list[dict[str, Any]]) -> str:
    """CSV for a spreadsheet; cells that would run as formulas are neutralised by the one
    function every export uses (``workshop.spreadsheets``, ``workshop.text.spreadsheet_cell``)."""
    rows = [[entry.get(column) for column in EXPORT_COLUMNS] for entry in entries]
    return spreadsheets.csv_text(EXPORT_COLUMNS, rows, lineterminator="\n")


def to_json(
    entries: list[dict[str, Any]],
    *,
    local_time: bool = False,
    columns: Sequence[str] = EXPORT_COLUMNS,
) -> str:
    """JSON lines would be smaller; one array with decoded before/after reads better. Times
    carry their offset: UTC as stored, or (``local_time``) the installation's time zone.
    ``columns``: another log's (the moderation log has its own), with ``at``, ``before`` and
    ``after`` among them."""
    from workshop.i18n import formats

    decoded = []
    for entry in entries:
        item: dict[str, Any] = {column: entry.get(column) for column in columns}
        if local_time and item["at"]:
            moment = datetime.fromisoformat(item["at"])
            if moment.tzinfo is None:  # every stored moment is UTC
                moment = moment.replace(tzinfo=UTC)
            item["at"] = moment.astimezone(formats.time_zone()).isoformat(timespec="milliseconds")
        for side in ("before", "after"):
            item[side] = _decoded(item[side])
        decoded.append(item)
    return json.dumps(decoded, ensure_ascii=False, indent=2)
