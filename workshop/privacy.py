"""Personal data of citizens: what we keep, a copy on request, erasure, and retention.

A citizen has no account. What the app holds about one is the participant row behind the
token in their link (an optional first name, when they joined), the ideas they posted, the
dots they placed, and rows of other features that point at that participant or those ideas.
``docs/data-inventory.md`` lists every field; :data:`PERSONAL_FIELDS` is the same list in code,
and ``tests/test_privacy.py`` fails when a column it names disappears.

Erasure keeps the democratic record honest and the person unfindable:

* the participant row stays as an anonymous shell (no name, a new random token nobody knows,
  no last-seen time), so that counts and ballots of closed rounds do not change after the fact;
* the person's ideas either stay without their name (the default, where the meeting's
  agreement says ideas may stay; see :func:`ideas_stay_anonymised`) or are deleted together
  with everything that points at them (other people's dots on them, status history);
* an ``erasures`` row and an audit entry say that it happened, with counts and no personal data.

Retention: :func:`purge_expired` does the same anonymisation for every participant of meetings
with no activity for ``SAMSKAB_RETENTION_DAYS`` days, and removes rate-limit events (which
hold network addresses) after a day. ``samskab purge`` runs it; run it daily from a timer.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database, Migrations

from workshop import audit, link_secrets
from workshop.db import Store
from workshop.errors import NotFound
from workshop.migrations import run_sql
from workshop.model import Participant, utcnow

migrations = Migrations("samskab.privacy")

DEFAULT_RETENTION_DAYS = 365
RATE_EVENT_HOURS = 24  # failed logins and join codes: network addresses, kept one day
ERASED_TOKEN_PREFIX = "erased-"
REDACTED_TEXT = "—"  # an idea that must stay as a row (append-only records point at it)
REDACTED_REASON = "erased"
# Rows about a participant that are personal data through and through: deleted on erasure.
# (Other rows that point at a participant stay, linked to the anonymous shell.)
DELETE_ON_ERASURE = ("participant_contacts",)

# Every column that can hold personal data about a citizen or a staff member, and why.
# (table, column): purpose. Keep in step with docs/data-inventory.md.
PERSONAL_FIELDS: dict[tuple[str, str], str] = {
    ("participants", "display_name"): "optional first name shown next to ideas",
    ("participants", "token"): "SHA-256 of the secret in the participant's link (pseudonymous id)",
    ("participants", "joined_at"): "when the phone joined",
    ("participants", "last_seen_at"): "last activity of the phone",
    ("ideas", "author_name"): "name shown with an idea (copied from the participant)",
    ("ideas", "text"): "what the person wrote; may contain personal details they typed",
    ("ballots", "participant_id"): "which participant placed dots (pseudonymous)",
    ("rate_events", "subject"): "network address or username behind failed attempts",
    ("users", "username"): "staff login name",
    ("users", "display_name"): "staff name",
    ("audit_log", "actor"): "staff member who made a change",
    ("participant_contacts", "email"): "e-mail for feedback, given with its own consent",
}


@migrations(name="m001_erasures")
def _m001(db: Database) -> None:
    run_sql(
        db,
        """
-- One row per erased participant or retention purge: what happened, never to whom.
CREATE TABLE erasures (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('request', 'retention')),
    meeting_id INTEGER REFERENCES meetings (id),
    participant_id INTEGER REFERENCES participants (id),
    ideas_kept INTEGER NOT NULL DEFAULT 0,
    ideas_deleted INTEGER NOT NULL DEFAULT 0,
    ballots_kept INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX erasures_participant ON erasures (participant_id)
    WHERE participant_id IS NOT NULL;
""",
    )


# -- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrivacySettings:
    keep_anonymised_ideas: bool
    retention_days: int  # 0: never purge


def load_privacy_settings(env: Mapping[str, str] | None = None) -> PrivacySettings:
    env = os.environ if env is None else env
    keep = (env.get("SAMSKAB_KEEP_ANONYMISED_IDEAS") or "1").strip().lower()
    days = env.get("SAMSKAB_RETENTION_DAYS") or str(DEFAULT_RETENTION_DAYS)
    return PrivacySettings(
        keep_anonymised_ideas=keep in ("1", "true", "yes", "on"),
        retention_days=max(0, int(days)),
    )


def ideas_stay_anonymised(
    store: Store, meeting_id: int, settings: PrivacySettings | None = None
) -> bool:
    """May a participant's ideas stay (without their name) after erasure?

    The meeting's agreement is meant to say so; until agreements carry that field, the
    documented default policy ``SAMSKAB_KEEP_ANONYMISED_IDEAS`` (1: ideas stay) decides for
    every meeting. This is the one place to change when the field exists.
    """
    del store, meeting_id  # kept in the signature for the agreement field
    return (settings or load_privacy_settings()).keep_anonymised_ideas


# -- access: a copy of everything about one participant ---------------------------------------

# Left out of the copy: the link secret (the file may be forwarded) and which staff member
# did something (their data, not the citizen's).
_NOT_EXPORTED = ("token", "actor", "user_id")


def _referencing(db: Database, table: str) -> list[tuple[str, str]]:
    """(table, column) pairs whose foreign key points at ``table``."""
    pairs = []
    for name in db.table_names():
        for fk in db.execute(f"PRAGMA foreign_key_list([{name}])").fetchall():
            if fk[2] == table:
                pairs.append((name, fk[3]))
    return sorted(pairs)


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def export_participant_data(store: Store, participant: Participant) -> dict[str, Any]:
    """Everything stored about this participant, as plain JSON-ready data.

    Rows of other features that point at the participant or at their ideas are found through
    the schema's foreign keys, so a new feature's data shows up here without changes.
    """
    with store.transaction() as db:  # one consistent snapshot
        row = db.execute(
            "SELECT p.display_name, p.joined_at, p.last_seen_at, m.id, m.title, m.kind,"
            " m.created_at FROM participants p JOIN meetings m ON m.id = p.meeting_id"
            " WHERE p.id = ?",
            [participant.id],
        ).fetchone()
        if row is None:
            raise NotFound("error.participant.unknown")
        ideas = _rows(
            db,
            "SELECT id, text, author_name, status, hidden, created_at, updated_at FROM ideas"
            " WHERE participant_id = ? ORDER BY id",
            [participant.id],
        )
        dots = _rows(
            db,
            "SELECT b.round_id, e.idea_id, i.text AS idea_text, e.value AS dots, b.cast_at"
            " FROM ballots b JOIN ballot_entries e ON e.ballot_id = b.id"
            " JOIN ideas i ON i.id = e.idea_id WHERE b.participant_id = ?"
            " ORDER BY b.round_id, e.idea_id",
            [participant.id],
        )
        idea_ids = [idea["id"] for idea in ideas]
        other: dict[str, list[dict[str, Any]]] = {}
        known = {("ideas", "participant_id")}
        for table, column in _referencing(db, "participants"):
            if (table, column) in known or table == "erasures":
                continue
            found = _rows(db, f"SELECT * FROM [{table}] WHERE [{column}] = ?", [participant.id])
            if found:
                other.setdefault(table, []).extend(found)
        if idea_ids:
            marks = ",".join("?" * len(idea_ids))
            for table, column in _referencing(db, "ideas"):
                if table in ("ballot_entries", "ideas"):
                    continue
                found = _rows(
                    db, f"SELECT * FROM [{table}] WHERE [{column}] IN ({marks})", idea_ids
                )
                if found:
                    other.setdefault(table, []).extend(found)
    for rows in other.values():
        for item in rows:
            for secret_or_staff in _NOT_EXPORTED:
                item.pop(secret_or_staff, None)
    return {
        "exported_at": utcnow(),
        "meeting": {"id": row[3], "title": row[4], "kind": row[5], "created_at": row[6]},
        "participant": {"name": row[0], "joined_at": row[1], "last_seen_at": row[2]},
        "ideas": ideas,
        "dots": dots,
        "other": other,
    }


# -- erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureReport:
    ideas_kept: int
    ideas_deleted: int
    ballots_kept: int


def _remove_ideas(db: Database, idea_ids: list[int]) -> None:
    """Delete ideas with every row that needs them (dots, status history, …).

    Optional links (an outcome's source idea, a merge target) are cleared instead. An idea
    that an append-only record still points at (the moderation log) cannot be deleted; its
    text is replaced and it is hidden, which removes the words and keeps the record whole.
    """
    for idea_id in idea_ids:
        db.execute("SAVEPOINT erase_idea")
        try:
            for table, column in _referencing(db, "ideas"):
                info = db.execute(f"PRAGMA table_info([{table}])").fetchall()
                required = any(c[1] == column and c[3] for c in info)
                if required:
                    db.execute(f"DELETE FROM [{table}] WHERE [{column}] = ?", [idea_id])
                else:
                    db.execute(
                        f"UPDATE [{table}] SET [{column}] = NULL WHERE [{column}] = ?", [idea_id]
                    )
            db.execute("DELETE FROM ideas WHERE id = ?", [idea_id])
        except sqlite3.DatabaseError:
            db.execute("ROLLBACK TO erase_idea")
            db.execute(
                "UPDATE ideas SET text = ?, author_name = '', hidden = 1, hide_reason = ?"
                " WHERE id = ?",
                [REDACTED_TEXT, REDACTED_REASON, idea_id],
            )
        db.execute("RELEASE erase_idea")


def _erase(
    db: Database, participant_id: int, meeting_id: int, *, keep_ideas: bool
) -> ErasureReport:
    from workshop.meetings import bump_change, bump_votes

    idea_ids = [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM ideas WHERE participant_id = ?", [participant_id]
        ).fetchall()
    ]
    if keep_ideas and idea_ids:
        # A new sequence number makes every phone redraw the idea without the name.
        seq = bump_change(db, meeting_id)
        db.execute(
            "UPDATE ideas SET author_name = '', seq = ?, updated_at = ? WHERE participant_id = ?",
            [seq, utcnow(), participant_id],
        )
    elif idea_ids:
        _remove_ideas(db, idea_ids)
        bump_change(db, meeting_id)
        bump_votes(db, meeting_id)
    for table in DELETE_ON_ERASURE:
        if table in db.table_names():
            db.execute(f"DELETE FROM [{table}] WHERE participant_id = ?", [participant_id])
    ballots = db.execute(
        "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", [participant_id]
    ).fetchone()[0]
    db.execute(
        "UPDATE participants SET display_name = '', token = ?, last_seen_at = NULL WHERE id = ?",
        [ERASED_TOKEN_PREFIX + secrets.token_urlsafe(24), participant_id],
    )
    return ErasureReport(
        ideas_kept=len(idea_ids) if keep_ideas else 0,
        ideas_deleted=0 if keep_ideas else len(idea_ids),
        ballots_kept=int(ballots),
    )


def erase_participant(
    store: Store, participant: Participant, *, settings: PrivacySettings | None = None
) -> ErasureReport:
    """Erase what identifies this participant; their link stops working at once."""
    keep = ideas_stay_anonymised(store, participant.meeting_id, settings)
    with store.transaction() as db:
        row = db.execute(
            "SELECT meeting_id, token FROM participants WHERE id = ?", [participant.id]
        ).fetchone()
        if row is None or row[1] != link_secrets.hash_secret(participant.token):
            raise NotFound("error.participant.unknown")
        report = _erase(db, participant.id, row[0], keep_ideas=keep)
        db.execute(
            "INSERT INTO erasures (at, reason, meeting_id, participant_id, ideas_kept,"
            " ideas_deleted, ballots_kept) VALUES (?, 'request', ?, ?, ?, ?, ?)",
            [
                utcnow(),
                row[0],
                participant.id,
                report.ideas_kept,
                report.ideas_deleted,
                report.ballots_kept,
            ],
        )
        audit.record(
            db,
            None,
            "erase_participant",
            "participants",
            participant.id,
            after={
                "reason": "request",
                "ideas_kept": report.ideas_kept,
                "ideas_deleted": report.ideas_deleted,
                "ballots_kept": report.ballots_kept,
            },
        )
    return report


def is_erased(store: Store, participant_id: int) -> bool:
    return bool(store.scalar("SELECT 1 FROM erasures WHERE participant_id = ?", [participant_id]))


# -- retention --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeReport:
    cutoff: str
    meetings: int
    participants: int
    ideas_kept: int
    ideas_deleted: int
    typed_names_removed: int
    rate_events: int
    dry_run: bool


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def expired_meetings(store: Store, cutoff: str) -> list[int]:
    """Meetings whose last sign of life (creation, close, a join, an idea) is before cutoff."""
    rows = store.query(
        """
SELECT m.id FROM meetings m
WHERE max(
    m.created_at,
    CASE WHEN m.status = 'closed' THEN coalesce(m.code_expires_at, '') ELSE '' END,
    coalesce((SELECT max(joined_at) FROM participants p WHERE p.meeting_id = m.id), ''),
    coalesce((SELECT max(last_seen_at) FROM participants p WHERE p.meeting_id = m.id), ''),
    coalesce((SELECT max(created_at) FROM ideas i WHERE i.meeting_id = m.id), '')
) < ?
ORDER BY m.id
""",
        [cutoff],
    )
    return [int(r["id"]) for r in rows]


def purge_expired(
    store: Store,
    *,
    days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    settings: PrivacySettings | None = None,
) -> PurgeReport:
    """Anonymise the participants of meetings idle for ``days`` days; drop old rate events.

    Idempotent: a second run finds nothing left to do. ``dry_run`` counts without writing.
    """
    settings = settings or load_privacy_settings()
    days = settings.retention_days if days is None else days
    now = now or datetime.now(UTC)
    cutoff = _iso(now - timedelta(days=days))
    rate_cutoff = (now - timedelta(hours=RATE_EVENT_HOURS)).timestamp()
    meetings = expired_meetings(store, cutoff) if days > 0 else []
    totals = {"participants": 0, "kept": 0, "deleted": 0, "names": 0, "meetings": 0}
    with store.transaction() as db:
        rate_events = db.execute(
            "SELECT COUNT(*) FROM rate_events WHERE at < ?", [rate_cutoff]
        ).fetchone()[0]
        if not dry_run:
            db.execute("DELETE FROM rate_events WHERE at < ?", [rate_cutoff])
        for meeting_id in meetings:
            keep = ideas_stay_anonymised(store, meeting_id, settings)
            pending = [
                int(r[0])
                for r in db.execute(
                    "SELECT id FROM participants WHERE meeting_id = ? AND token NOT LIKE ?",
                    [meeting_id, ERASED_TOKEN_PREFIX + "%"],
                ).fetchall()
            ]
            names = db.execute(
                "SELECT COUNT(*) FROM ideas WHERE meeting_id = ? AND participant_id IS NULL"
                " AND author_name != ''",
                [meeting_id],
            ).fetchone()[0]
            if not pending and not names:
                continue
            totals["meetings"] += 1
            totals["names"] += int(names)
            kept = deleted = 0
            for participant_id in pending:
                if dry_run:
                    count = db.execute(
                        "SELECT COUNT(*) FROM ideas WHERE participant_id = ?", [participant_id]
                    ).fetchone()[0]
                    report = ErasureReport(count if keep else 0, 0 if keep else count, 0)
                else:
                    report = _erase(db, participant_id, meeting_id, keep_ideas=keep)
                kept += report.ideas_kept
                deleted += report.ideas_deleted
            totals["participants"] += len(pending)
            totals["kept"] += kept
            totals["deleted"] += deleted
            if dry_run:
                continue
            # Names a facilitator typed for people without a phone go the same way.
            db.execute(
                "UPDATE ideas SET author_name = '' WHERE meeting_id = ? AND author_name != ''",
                [meeting_id],
            )
            db.execute(
                "INSERT INTO erasures (at, reason, meeting_id, ideas_kept, ideas_deleted)"
                " VALUES (?, 'retention', ?, ?, ?)",
                [utcnow(), meeting_id, kept, deleted],
            )
        report_data = PurgeReport(
            cutoff=cutoff,
            meetings=totals["meetings"],
            participants=totals["participants"],
            ideas_kept=totals["kept"],
            ideas_deleted=totals["deleted"],
            typed_names_removed=totals["names"],
            rate_events=int(rate_events),
            dry_run=dry_run,
        )
        if not dry_run and (report_data.meetings or report_data.rate_events):
            audit.record(
                db,
                None,
                "retention_purge",
                "meetings",
                None,
                after={
                    "cutoff": cutoff,
                    "meetings": report_data.meetings,
                    "participants": report_data.participants,
                    "ideas_kept": report_data.ideas_kept,
                    "ideas_deleted": report_data.ideas_deleted,
                    "rate_events": report_data.rate_events,
                },
            )
    return report_data
