"""Corrections: a recorded value that was wrong is fixed as a new version, never overwritten.

A decision, a deadline, a meeting date or a review rationale can be corrected. Each
correction is one append-only row in ``corrections`` holding the version it made and the
value it replaced, with who corrected it and when; it is in the audit log too. Pages show the
current value with its earlier ones ("corrected on … by …, was: …").

Every correction names the version the staff member saw (``expected_version``): if someone
else corrected the value in the meantime, nothing changes and they are told. A correction
that changes nothing is refused.

Where the value lives: decisions are append-only (a trigger), so a decision's current value
is its latest correction (``workshop.committees.recommendations`` reads them so). A
deadline's, a meeting's date and an application's rationale stay in their own tables as the
current value, which the rest of the app reads; the versions are the rows here.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from workshop import audit
from workshop.committees.model import Correction
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.model import User, utcnow

SUBJECTS = ("decision", "deadline", "meeting_date", "application_rationale")


def version_in(db: Database, subject: str, subject_id: int, part: str = "") -> int:
    """The current version of a value: 1 + its corrections."""
    row = db.execute(
        "SELECT COALESCE(MAX(version), 1) FROM corrections"
        " WHERE subject = ? AND subject_id = ? AND part = ?",
        [subject, subject_id, part],
    ).fetchone()
    return int(row[0])


def record_in(
    db: Database,
    *,
    committee_id: int,
    subject: str,
    subject_id: int,
    part: str = "",
    expected_version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    actor: User,
) -> int:
    """Check and store one correction inside the caller's transaction; return its version.

    Refuses a stale correction (``expected_version`` is not the current one) and one that
    changes nothing.
    """
    assert subject in SUBJECTS
    current = version_in(db, subject, subject_id, part)
    if int(expected_version) != current:
        raise NotAllowed("error.correction.stale", version=current)
    if before == after:
        raise InvalidInput("error.correction.unchanged")
    version = current + 1
    correction_id = db.execute(
        "INSERT INTO corrections (committee_id, subject, subject_id, part, version, before,"
        " after, corrected_by, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            committee_id,
            subject,
            subject_id,
            part,
            version,
            json.dumps(before, ensure_ascii=False),
            json.dumps(after, ensure_ascii=False),
            actor.id,
            utcnow(),
        ],
    ).fetchall()[0][0]
    audit.record(
        db,
        actor,
        f"correct_{subject}",
        "corrections",
        correction_id,
        before={"subject_id": subject_id, "part": part, "version": current, **before},
        after={"subject_id": subject_id, "part": part, "version": version, **after},
    )
    return version


def history(store: Store, subject: str, subject_id: int, part: str = "") -> list[Correction]:
    """The corrections of one value, oldest first."""
    return history_of(store, subject, [subject_id], part).get(subject_id, [])


def history_of(
    store: Store, subject: str, subject_ids: list[int], part: str | None = ""
) -> dict[int, list[Correction]]:
    """The corrections of many values of one kind (``part`` None: every part), oldest first."""
    if not subject_ids:
        return {}
    marks = ", ".join("?" for _ in subject_ids)
    params: list[Any] = [subject, *subject_ids]
    where = ""
    if part is not None:
        where, params = " AND c.part = ?", [*params, part]
    found: dict[int, list[Correction]] = {}
    for r in store.query(
        "SELECT c.*, COALESCE(u.display_name, '') AS by_name FROM corrections c"
        " LEFT JOIN users u ON u.id = c.corrected_by"
        f" WHERE c.subject = ? AND c.subject_id IN ({marks}){where} ORDER BY c.id",
        params,
    ):
        found.setdefault(r["subject_id"], []).append(_correction(r))
    return found


def _correction(row: dict[str, Any]) -> Correction:
    return Correction(
        version=row["version"],
        before=json.loads(row["before"]),
        after=json.loads(row["after"]),
        corrected_by_name=row["by_name"],
        corrected_at=row["corrected_at"],
    )


def deadline_corrections(store: Store, committee_id: int) -> dict[str, list[Correction]]:
    """Corrections of a committee's deadlines, by phase key."""
    found: dict[str, list[Correction]] = {}
    for r in store.query(
        "SELECT c.*, COALESCE(u.display_name, '') AS by_name FROM corrections c"
        " LEFT JOIN users u ON u.id = c.corrected_by"
        " WHERE c.subject = 'deadline' AND c.subject_id = ? ORDER BY c.id",
        [committee_id],
    ):
        found.setdefault(r["part"], []).append(_correction(r))
    return found


# -- meeting dates ------------------------------------------------------------------------------


def iso_minute(value: datetime | str) -> str:
    """A meeting's time as stored: ISO-8601 to the minute; anything else is InvalidInput."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    try:
        return datetime.fromisoformat(str(value)).isoformat(timespec="minutes")
    except ValueError:
        raise InvalidInput("error.date.invalid", value=str(value)) from None


def correct_meeting_date(
    store: Store,
    meeting_id: int,
    planned_at: datetime | str,
    *,
    expected_version: int,
    actor: User,
) -> int:
    """Correct when a committee meeting is (or was) held; returns the new version."""
    new = iso_minute(planned_at)
    with store.transaction() as db:
        row = db.execute(
            "SELECT committee_id, planned_at FROM meeting_plans WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        committee_id, old = row
        version = record_in(
            db,
            committee_id=committee_id,
            subject="meeting_date",
            subject_id=meeting_id,
            expected_version=expected_version,
            before={"planned_at": iso_minute(old)},
            after={"planned_at": new},
            actor=actor,
        )
        db.execute(
            "UPDATE meeting_plans SET planned_at = ? WHERE meeting_id = ?", [new, meeting_id]
        )
    return version
