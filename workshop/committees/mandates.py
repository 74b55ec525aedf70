"""The mandate (kommissorium): versioned, comparable, approved by a political body.

Every save is a new version (the table forbids UPDATE and DELETE); the earlier versions stay
with who wrote them and when. Saving over an approved version needs ``new_version=True``: the
facilitator must say that they mean to replace an approved mandate, which then needs approval
again. ``based_on`` is the version the editor started from: if someone else saved in the
meantime, nothing is written and the editor keeps their text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

from workshop import audit
from workshop.committees.core import check_composition, iso_date, require
from workshop.committees.model import MANDATE_FIELDS, MANDATE_TEXT_FIELDS, Action, Mandate
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.model import User, utcnow
from workshop.text import clean_text, require_text

FIELD_MAX = 6000
BODY_MAX = 200
NOTE_MAX = 500

_SELECT = """
SELECT v.*, COALESCE(u.display_name, '') AS created_by_name,
       a.body AS approved_by_body, a.approved_on
FROM mandate_versions v
LEFT JOIN users u ON u.id = v.created_by
LEFT JOIN mandate_approvals a ON a.mandate_version_id = v.id
"""


def _mandate(row: dict[str, Any]) -> Mandate:
    return Mandate(**{f: row[f] for f in Mandate.__dataclass_fields__})


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(MANDATE_FIELDS)
    if unknown:
        raise InvalidInput("error.mandate.unknown_field", field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    for name in MANDATE_TEXT_FIELDS:
        text = clean_text(fields.get(name, ""))
        if len(text) > FIELD_MAX:
            raise InvalidInput("error.text.too_long", field=name, max=FIELD_MAX, length=len(text))
        cleaned[name] = text
    if not cleaned["purpose"]:
        raise InvalidInput("error.mandate.purpose_missing")
    try:
        cleaned["politicians_target"] = int(fields.get("politicians_target", 5))
        cleaned["citizens_target"] = int(fields.get("citizens_target", 10))
    except (TypeError, ValueError):
        raise InvalidInput("error.committee.bad_composition") from None
    check_composition(cleaned["politicians_target"], cleaned["citizens_target"])
    return cleaned


def save_mandate(
    store: Store,
    committee_id: int,
    fields: dict[str, Any],
    *,
    based_on: int | None,
    actor: User,
    change_note: str = "",
    new_version: bool = False,
) -> Mandate:
    """Save the mandate as a new version; return it.

    ``based_on``: the version number the editor showed (None for the first draft).
    ``new_version``: required when the latest version is approved.
    """
    cleaned = _clean_fields(fields)
    note = clean_text(change_note)
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            "error.text.too_long", field="change_note", max=NOTE_MAX, length=len(note)
        )
    with store.transaction() as db:
        require(db, committee_id, Action.EDIT_MANDATE)
        latest = db.execute(
            "SELECT v.id, v.version, a.id FROM mandate_versions v"
            " LEFT JOIN mandate_approvals a ON a.mandate_version_id = v.id"
            " WHERE v.committee_id = ? ORDER BY v.version DESC LIMIT 1",
            [committee_id],
        ).fetchone()
        latest_version = latest[1] if latest else None
        if latest_version != based_on:
            raise NotAllowed("error.mandate.changed_meanwhile", version=latest_version or 0)
        if latest is not None:
            previous = get_mandate(store, committee_id, latest_version)
            if all(getattr(previous, f) == cleaned[f] for f in MANDATE_FIELDS):
                raise InvalidInput("error.mandate.unchanged")
            if latest[2] is not None and not new_version:
                raise NotAllowed("error.mandate.approved_needs_new_version", version=latest_version)
            if latest[2] is not None and not note:
                raise InvalidInput("error.mandate.note_required")
        version = (latest_version or 0) + 1
        columns = list(MANDATE_FIELDS)
        version_id = db.execute(
            f"INSERT INTO mandate_versions (committee_id, version, {', '.join(columns)},"
            f" change_note, created_by, created_at)"
            f" VALUES (?, ?, {', '.join('?' for _ in columns)}, ?, ?, ?) RETURNING id",
            [committee_id, version, *(cleaned[c] for c in columns), note, actor.id, utcnow()],
        ).fetchall()[0][0]
        # The committee's own composition target follows its mandate.
        db.execute(
            "UPDATE committees SET politicians_target = ?, citizens_target = ? WHERE id = ?",
            [cleaned["politicians_target"], cleaned["citizens_target"], committee_id],
        )
        audit.record(
            db,
            actor,
            "save_mandate",
            "mandate_versions",
            version_id,
            before={"version": latest_version},
            after={"version": version, "note": note},
        )
    return get_mandate(store, committee_id, version)


def approve_mandate(
    store: Store,
    committee_id: int,
    version: int,
    *,
    body: str,
    approved_on: date | str,
    actor: User,
) -> Mandate:
    """Record that ``body`` (e.g. the council) approved ``version`` on ``approved_on``."""
    body = require_text(body, max_chars=BODY_MAX, field="body")
    day = iso_date(approved_on)
    with store.transaction() as db:
        require(db, committee_id, Action.APPROVE_MANDATE)
        row = db.execute(
            "SELECT v.id, (SELECT MAX(version) FROM mandate_versions WHERE committee_id = ?),"
            " a.id FROM mandate_versions v"
            " LEFT JOIN mandate_approvals a ON a.mandate_version_id = v.id"
            " WHERE v.committee_id = ? AND v.version = ?",
            [committee_id, committee_id, version],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if row[1] != version:
            raise NotAllowed("error.mandate.approve_latest_only", version=row[1])
        if row[2] is not None:
            raise NotAllowed("error.mandate.already_approved", version=version)
        db.execute(
            "INSERT INTO mandate_approvals (mandate_version_id, body, approved_on, recorded_by,"
            " recorded_at) VALUES (?, ?, ?, ?, ?)",
            [row[0], body, day, actor.id, utcnow()],
        )
        audit.record(
            db,
            actor,
            "approve_mandate",
            "mandate_versions",
            row[0],
            after={"version": version, "body": body, "approved_on": day},
        )
    return get_mandate(store, committee_id, version)


def get_mandate(store: Store, committee_id: int, version: int | None = None) -> Mandate:
    """A version of the mandate (the latest when ``version`` is None)."""
    if version is None:
        row = store.query_one(
            _SELECT + " WHERE v.committee_id = ? ORDER BY v.version DESC LIMIT 1", [committee_id]
        )
    else:
        row = store.query_one(
            _SELECT + " WHERE v.committee_id = ? AND v.version = ?", [committee_id, version]
        )
    if row is None:
        raise NotFound("error.mandate.none")
    return _mandate(row)


def find_mandate(store: Store, committee_id: int) -> Mandate | None:
    try:
        return get_mandate(store, committee_id)
    except NotFound:
        return None


def approved_mandate(store: Store, committee_id: int) -> Mandate | None:
    """The latest approved version (what the public page shows first)."""
    row = store.query_one(
        _SELECT + " WHERE v.committee_id = ? AND a.id IS NOT NULL ORDER BY v.version DESC LIMIT 1",
        [committee_id],
    )
    return _mandate(row) if row else None


def list_versions(store: Store, committee_id: int) -> list[Mandate]:
    """All versions, newest first."""
    rows = store.query(
        _SELECT + " WHERE v.committee_id = ? ORDER BY v.version DESC", [committee_id]
    )
    return [_mandate(r) for r in rows]


@dataclass(frozen=True)
class MandateChange:
    field: str
    old: str
    new: str
    diff: tuple[str, ...]  # unified diff lines, without headers


def compare_versions(store: Store, committee_id: int, old: int, new: int) -> list[MandateChange]:
    """The fields that differ between two versions, with a line diff for each."""
    first = get_mandate(store, committee_id, old)
    second = get_mandate(store, committee_id, new)
    changes = []
    for name in MANDATE_FIELDS:
        before, after = str(getattr(first, name)), str(getattr(second, name))
        if before != after:
            lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=1)
            body = tuple(line for line in lines if not line.startswith(("---", "+++", "@@")))
            changes.append(MandateChange(name, before, after, body))
    return changes
