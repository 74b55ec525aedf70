"""The audit log: every facilitator and admin action, append-only (triggers forbid edits)."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

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
