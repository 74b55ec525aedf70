"""What happened to an idea: its status and the history of every change.

submitted → themed → shortlisted → in_recommendation → decided → implemented, or rejected at any
point with a reason. Changes are events (who, when, why, from what source); ``ideas.status``
holds the latest. Decisions on recommendations flow here through :func:`apply_decision`, so
nobody copies statuses by hand.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database, Migrations

from workshop import audit
from workshop.db import Store, run_sql
from workshop.errors import InvalidInput, NotFound
from workshop.model import IdeaStatus, User, utcnow
from workshop.text import clean_text

migrations = Migrations("samskab.idea_status")


@migrations(name="m001_idea_status_events")
def _m001(db: Database) -> None:
    run_sql(
        db,
        """
CREATE TABLE idea_status_events (
    id INTEGER PRIMARY KEY,
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    status TEXT NOT NULL,
    reason TEXT,
    source TEXT NOT NULL DEFAULT 'manual',
    source_id INTEGER,
    user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL,
    CHECK (status != 'rejected' OR length(trim(coalesce(reason, ''))) > 0)
);
CREATE INDEX idea_status_events_idea ON idea_status_events (idea_id, id);
""",
    )


ORDER = [
    IdeaStatus.SUBMITTED,
    IdeaStatus.THEMED,
    IdeaStatus.SHORTLISTED,
    IdeaStatus.IN_RECOMMENDATION,
    IdeaStatus.DECIDED,
    IdeaStatus.IMPLEMENTED,
]
# How each decision outcome on a recommendation moves its ideas.
DECISION_STATUS = {
    "adopted": IdeaStatus.DECIDED,
    "adopted_with_changes": IdeaStatus.DECIDED,
    "rejected": IdeaStatus.REJECTED,
    "not_forwarded": IdeaStatus.REJECTED,
}
REASON_MAX = 2000


def set_status(
    db: Database,
    idea_id: int,
    status: IdeaStatus | str,
    *,
    reason: str | None,
    actor: User | None,
    source: str = "manual",
    source_id: int | None = None,
) -> None:
    """Record a status change inside the caller's transaction. Rejection needs a reason."""
    try:
        status = IdeaStatus(status)
    except ValueError:
        raise InvalidInput("error.idea_status.unknown") from None
    reason = clean_text(reason) or None
    if status is IdeaStatus.REJECTED and not reason:
        raise InvalidInput("error.idea_status.reason_required")
    if reason and len(reason) > REASON_MAX:
        raise InvalidInput(
            "error.text.too_long", field="reason", max=REASON_MAX, length=len(reason)
        )
    row = db.execute("SELECT meeting_id, status FROM ideas WHERE id = ?", [idea_id]).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    now = utcnow()
    db.execute(
        "INSERT INTO idea_status_events (idea_id, status, reason, source, source_id, user_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [idea_id, status.value, reason, source, source_id, actor.id if actor else None, now],
    )
    # A phone watching the meeting sees the change with its next refresh.
    seq = db.execute(
        "UPDATE meetings SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq",
        [row[0]],
    ).fetchone()[0]
    db.execute(
        "UPDATE ideas SET status = ?, seq = ?, updated_at = ? WHERE id = ?",
        [status.value, seq, now, idea_id],
    )


def change_status(
    store: Store, idea_id: int, status: IdeaStatus | str, *, reason: str | None, actor: User
) -> None:
    """A facilitator sets an idea's status by hand."""
    with store.transaction() as db:
        before = db.execute("SELECT status FROM ideas WHERE id = ?", [idea_id]).fetchone()
        set_status(db, idea_id, status, reason=reason, actor=actor)
        audit.record(
            db,
            actor,
            "set_idea_status",
            "ideas",
            idea_id,
            before={"status": before[0] if before else None},
            after={"status": str(status), "reason": reason},
        )


def apply_decision(
    db: Database, recommendation_id: int, outcome: str, rationale: str | None, actor: User | None
) -> int:
    """Move the ideas linked to a recommendation after a decision; return how many moved.

    Adopted (with or without changes) → decided; rejected or not forwarded → rejected with the
    decision's rationale as the reason; postponed → unchanged.
    """
    status = DECISION_STATUS.get(outcome)
    if status is None:
        return 0
    ideas = [
        r[0]
        for r in db.execute(
            "SELECT idea_id FROM recommendation_ideas WHERE recommendation_id = ?",
            [recommendation_id],
        ).fetchall()
    ]
    for idea_id in ideas:
        set_status(
            db,
            idea_id,
            status,
            reason=rationale,
            actor=actor,
            source="decision",
            source_id=recommendation_id,
        )
    return len(ideas)


def history(store: Store, idea_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT status, reason, source, source_id, at FROM idea_status_events"
        " WHERE idea_id = ? ORDER BY id",
        [idea_id],
    )
