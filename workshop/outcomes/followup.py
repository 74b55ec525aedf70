"""Follow-up of outcomes: an owner, a status and progress, and review dates.

A review is planned for a date (never in the past) and completed with a note. Reviews whose
date has passed are *overdue*; those within ``DUE_SOON_DAYS`` are *due*. Facilitators and
politicians see both lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from workshop import audit
from workshop.db import Store
from workshop.errors import InvalidInput, NotFound
from workshop.i18n import formats
from workshop.model import User, utcnow
from workshop.outcomes.records import Outcome, OutcomeStatus, get_outcome, touch
from workshop.text import clean_text

DUE_SOON_DAYS = 14
OWNER_MAX = 200
NOTE_MAX = 4000


class ReviewState(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    DONE = "done"


@dataclass(frozen=True)
class Review:
    id: int
    outcome_id: int
    outcome_title: str
    committee_id: int
    owner: str
    due_on: date
    done_at: str | None
    note: str
    state: ReviewState


def review_state(due_on: date, done_at: str | None, today: date) -> ReviewState:
    if done_at:
        return ReviewState.DONE
    if due_on < today:
        return ReviewState.OVERDUE
    if due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return ReviewState.DUE
    return ReviewState.UPCOMING


def update_follow_up(
    store: Store,
    outcome_id: int,
    *,
    owner: str,
    status: str,
    progress: int,
    actor: User | None,
) -> Outcome:
    """Who owns the outcome, where it stands, and how far it has come (0–100 %)."""
    owner = clean_text(owner)
    if len(owner) > OWNER_MAX:
        raise InvalidInput("error.text.too_long", field="owner", max=OWNER_MAX, length=len(owner))
    try:
        status_key = OutcomeStatus(status)
    except ValueError:
        raise InvalidInput("error.outcomes.unknown_status", status=str(status)) from None
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput("error.outcomes.progress_range")
    if status_key is OutcomeStatus.DONE:
        progress = 100
    with store.transaction() as db:
        before = touch(db, outcome_id)
        db.execute(
            "UPDATE outcomes SET owner = ?, status = ?, progress = ? WHERE id = ?",
            [owner, status_key.value, progress, outcome_id],
        )
        audit.record(
            db,
            actor,
            "update_follow_up",
            "outcomes",
            outcome_id,
            before={k: before[k] for k in ("owner", "status", "progress")},
            after={"owner": owner, "status": status_key.value, "progress": progress},
        )
    return get_outcome(store, outcome_id)


def schedule_review(
    store: Store,
    outcome_id: int,
    due_on: date | None,
    *,
    actor: User | None,
    today: date | None = None,
) -> int:
    """Plan a review of the outcome; a date in the past is refused."""
    today = today or formats.today()
    if not isinstance(due_on, date):
        raise InvalidInput("error.outcomes.review_date")
    if due_on < today:
        raise InvalidInput("error.outcomes.review_in_past", date=due_on.isoformat())
    with store.transaction() as db:
        touch(db, outcome_id)
        cursor = db.execute(
            "INSERT INTO outcome_reviews (outcome_id, due_on, created_by, created_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [outcome_id, due_on.isoformat(), actor.id if actor else None, utcnow()],
        )
        review_id = cursor.fetchall()[0][0]
        assert review_id is not None
        audit.record(
            db,
            actor,
            "schedule_review",
            "outcome_reviews",
            review_id,
            after={"outcome_id": outcome_id, "due_on": due_on.isoformat()},
        )
    return review_id


def complete_review(store: Store, review_id: int, note: str, *, actor: User | None) -> None:
    """Mark a review held, with what was found (a note is required)."""
    text = clean_text(note)
    if not text:
        raise InvalidInput("error.outcomes.review_note_required")
    if len(text) > NOTE_MAX:
        raise InvalidInput("error.text.too_long", field="note", max=NOTE_MAX, length=len(text))
    with store.transaction() as db:
        row = db.execute(
            "SELECT outcome_id, done_at FROM outcome_reviews WHERE id = ?", [review_id]
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if row[1]:
            raise InvalidInput("error.outcomes.review_done")
        touch(db, row[0])
        db.execute(
            "UPDATE outcome_reviews SET done_at = ?, note = ?, completed_by = ? WHERE id = ?",
            [utcnow(), text, actor.id if actor else None, review_id],
        )
        audit.record(
            db, actor, "complete_review", "outcome_reviews", review_id, after={"note": text}
        )


def _review(row: dict[str, Any], today: date) -> Review:
    due = date.fromisoformat(row["due_on"])
    return Review(
        id=row["id"],
        outcome_id=row["outcome_id"],
        outcome_title=row["title"],
        committee_id=row["committee_id"],
        owner=row["owner"],
        due_on=due,
        done_at=row["done_at"],
        note=row["note"],
        state=review_state(due, row["done_at"], today),
    )


def list_reviews(
    store: Store,
    *,
    committee_id: int | None = None,
    outcome_id: int | None = None,
    open_only: bool = False,
    today: date | None = None,
) -> list[Review]:
    """Reviews, earliest first; ``open_only`` leaves out the completed ones."""
    today = today or formats.today()
    clauses, params = [], []
    if committee_id is not None:
        clauses.append("o.committee_id = ?")
        params.append(committee_id)
    if outcome_id is not None:
        clauses.append("r.outcome_id = ?")
        params.append(outcome_id)
    if open_only:
        clauses.append("r.done_at IS NULL")
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = store.query(
        "SELECT r.*, o.title, o.committee_id, o.owner FROM outcome_reviews r"
        f" JOIN outcomes o ON o.id = r.outcome_id {where} ORDER BY r.due_on, r.id",
        params,
    )
    return [_review(row, today) for row in rows]


def list_due_reviews(
    store: Store, *, committee_id: int | None = None, today: date | None = None
) -> list[Review]:
    """Overdue and due-soon reviews: what someone must do something about."""
    return [
        review
        for review in list_reviews(store, committee_id=committee_id, open_only=True, today=today)
        if review.state in (ReviewState.OVERDUE, ReviewState.DUE)
    ]
