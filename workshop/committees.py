"""Task committees (opgaveudvalg / oppgaveutvalg): the long-running spaces that host meetings."""

from __future__ import annotations

from typing import Any

from workshop import audit
from workshop.db import Store
from workshop.errors import InvalidInput, NotFound
from workshop.model import Committee, User, utcnow
from workshop.text import clean_text, require_text

TITLE_MAX = 120
TASK_MAX = 4000


def _committee(row: dict[str, Any]) -> Committee:
    return Committee(
        id=row["id"],
        title=row["title"],
        task=row["task"],
        politicians_target=row["politicians_target"],
        citizens_target=row["citizens_target"],
        is_demo=bool(row["is_demo"]),
        created_at=row["created_at"],
    )


def create_committee(
    store: Store,
    title: str,
    task: str,
    *,
    politicians_target: int = 5,
    citizens_target: int = 10,
    actor: User | None,
    is_demo: bool = False,
) -> Committee:
    title = require_text(title, max_chars=TITLE_MAX, field="title")
    task = clean_text(task)
    if len(task) > TASK_MAX:
        raise InvalidInput("error.text.too_long", field="task", max=TASK_MAX, length=len(task))
    if not (0 <= politicians_target <= 50 and 0 <= citizens_target <= 200):
        raise InvalidInput("error.committee.bad_composition")
    if politicians_target + citizens_target == 0:
        raise InvalidInput("error.committee.bad_composition")
    now = utcnow()
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO committees (title, task, politicians_target, citizens_target, is_demo,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                title,
                task,
                politicians_target,
                citizens_target,
                int(is_demo),
                actor.id if actor else None,
                now,
            ],
        )
        committee_id = cursor.lastrowid
        assert committee_id is not None
        audit.record(
            db, actor, "create_committee", "committees", committee_id, after={"title": title}
        )
    return get_committee(store, committee_id)


def get_committee(store: Store, committee_id: int) -> Committee:
    row = store.query_one("SELECT * FROM committees WHERE id = ?", [committee_id])
    if row is None:
        raise NotFound("error.not_found")
    return _committee(row)


def list_committees(store: Store) -> list[Committee]:
    return [_committee(r) for r in store.query("SELECT * FROM committees ORDER BY id DESC")]


def has_committees(store: Store) -> bool:
    return bool(store.scalar("SELECT 1 FROM committees LIMIT 1"))
