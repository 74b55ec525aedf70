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

import json
import os
import secrets
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database, Migrations

from workshop import audit, link_secrets
from workshop.db import Store, column_not_null, foreign_keys_to, run_sql
from workshop.errors import NotAllowed, NotFound
from workshop.meetings.core import (
    ERASED_IDEA_REASON,
    ERASED_TOKEN_PREFIX,
    bump_change,
    bump_votes,
)
from workshop.model import Participant, utcnow

migrations = Migrations("samskab.privacy")

DEFAULT_RETENTION_DAYS = 365
# Applicants not appointed: kept this many days after the committee's recruitment closed
# (complaints about the selection, a replay of the draw), then anonymised.
DEFAULT_APPLICATION_RETENTION_DAYS = 90
# Committee members (and the application of an appointed one): this many days after the
# membership ended, or, without an end date, after the committee's work ended (it moved on to
# the political decision).
DEFAULT_MEMBER_RETENTION_DAYS = 365
RATE_EVENT_HOURS = 24  # failed logins and join codes: network addresses, kept one day
REDACTED_TEXT = "—"  # an idea that must stay as a row (append-only records point at it)
# Keys of audit/moderation log entries that hold an idea's words.
IDEA_TEXT_KEYS = ("text",)
# Keys that hold an applicant's or member's own data or staff's words about them.
APPLICANT_KEYS = ("name", "contact", "motivation", "rationale", "competences")
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
    ("rate_events", "subject"): "network, browser session or network+username (rate limits)",
    ("users", "username"): "staff login name",
    ("users", "display_name"): "staff name",
    ("audit_log", "actor"): "staff member who made a change",
    ("participant_contacts", "email"): "e-mail for feedback, given with its own consent",
    ("ballots", "reason"): "a consent answer's reason, in the participant's words",
    ("pairwise_choices", "participant_id"): "which participant judged a pair (pseudonymous)",
    ("acknowledgements", "participant_id"): "which participant read the agreement",
    ("feedback_deliveries", "detail"): "a failed e-mail delivery's error, may quote the address",
    ("idea_edits", "before"): "an idea's earlier wording (redacted on erasure)",
    ("moderation_log", "before"): "an idea's words in the moderation record (redacted)",
    ("audit_log", "after"): "a staff action's values: idea words, names (redacted)",
    ("erasures", "link_hash"): "SHA-256 of an erased phone's link",
    ("applications", "name"): "an applicant's name",
    ("applications", "contact"): "an applicant's e-mail or phone",
    ("applications", "motivation"): "why the applicant applied, in their words",
    ("application_reviews", "rationale"): "staff's reason for a decision about an applicant",
    ("corrections", "before"): "a corrected value: may be staff's reason about an applicant",
    ("corrections", "after"): "a correcting value: may be staff's reason about an applicant",
    ("sortition_draws", "applicant_ids"): "the pool of a draw, by application id",
    ("committee_members", "name"): "a committee member's name",
    ("meeting_attendance", "member_id"): "who attended a committee meeting",
    ("committee_members", "email"): "a member's e-mail for meeting invitations",
    ("meeting_invitations", "address"): "where a meeting invitation was sent",
    ("reminders_sent", "owner"): "who a reminder was for (as written on the commitment)",
    ("reminders_sent", "address"): "where a reminder was sent",
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


# The two append-only logs accept exactly one kind of change: a redaction, which replaces a
# person's words in ``before``/``after`` (and nothing that says who did what, when) and
# stamps ``redacted_at``. Everything else is still refused by the triggers.
_REDACTABLE_LOG = """
ALTER TABLE {table} ADD COLUMN redacted_at TEXT;
DROP TRIGGER {table}_no_update;
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
WHEN NOT (NEW.redacted_at IS NOT NULL {same})
BEGIN SELECT RAISE(ABORT, '{table} is append-only (only a redaction may change it)'); END;
"""


_MODERATION_LOG_FIXED = (
    "id",
    "meeting_id",
    "at",
    "user_id",
    "actor",
    "action",
    "idea_id",
    "theme_id",
    "reason",
)


def _same(columns: tuple[str, ...]) -> str:
    return "".join(f" AND NEW.{c} IS OLD.{c}" for c in columns)


@migrations(name="m002_erasure_reaches_every_copy")
def _m002(db: Database) -> None:
    run_sql(
        db,
        """
-- Erasure of applicants and committee members, and the hash of an erased phone's link (so
-- that the phone can be told its data was deleted; the link itself works no more).
ALTER TABLE erasures ADD COLUMN link_hash TEXT;
ALTER TABLE erasures ADD COLUMN committee_id INTEGER REFERENCES committees (id);
ALTER TABLE erasures ADD COLUMN application_id INTEGER REFERENCES applications (id);
ALTER TABLE erasures ADD COLUMN member_id INTEGER REFERENCES committee_members (id);
CREATE UNIQUE INDEX erasures_link ON erasures (link_hash) WHERE link_hash IS NOT NULL;
CREATE UNIQUE INDEX erasures_application ON erasures (application_id)
    WHERE application_id IS NOT NULL;
CREATE UNIQUE INDEX erasures_member ON erasures (member_id) WHERE member_id IS NOT NULL;
"""
        + _REDACTABLE_LOG.format(
            table="audit_log",
            same=_same(("id", "at", "user_id", "actor", "action", "entity", "entity_id")),
        )
        + _REDACTABLE_LOG.format(
            table="moderation_log",
            same=_same(_MODERATION_LOG_FIXED),
        ),
    )


# -- settings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrivacySettings:
    keep_anonymised_ideas: bool
    retention_days: int  # 0: never purge
    application_retention_days: int = DEFAULT_APPLICATION_RETENTION_DAYS  # 0: never
    member_retention_days: int = DEFAULT_MEMBER_RETENTION_DAYS  # 0: never


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    return max(0, int(env.get(name) or str(default)))


def load_privacy_settings(env: Mapping[str, str] | None = None) -> PrivacySettings:
    env = os.environ if env is None else env
    keep = (env.get("SAMSKAB_KEEP_ANONYMISED_IDEAS") or "1").strip().lower()
    return PrivacySettings(
        keep_anonymised_ideas=keep in ("1", "true", "yes", "on"),
        retention_days=_days(env, "SAMSKAB_RETENTION_DAYS", DEFAULT_RETENTION_DAYS),
        application_retention_days=_days(
            env, "SAMSKAB_APPLICATION_RETENTION_DAYS", DEFAULT_APPLICATION_RETENTION_DAYS
        ),
        member_retention_days=_days(
            env, "SAMSKAB_MEMBER_RETENTION_DAYS", DEFAULT_MEMBER_RETENTION_DAYS
        ),
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

# Tables with a participant reference, and what the copy does with each. The export reads
# every table here explicitly, by the person's own id; a table that points at participants
# and is missing here fails ``tests/test_privacy_reach.py`` until someone decides.
EXPORTED_PARTICIPANT_TABLES = {
    "ideas": "ideas",
    "ballots": "ballots (with ballot_entries and pairwise_choices)",
    "pairwise_choices": "ballots",
    "acknowledgements": "acknowledgements",
    "participant_contacts": "contact",
    "feedback_deliveries": "feedback",
}
NOT_EXPORTED_PARTICIPANT_TABLES = {
    "erasures": "says only that an erasure happened; never reachable with a live link",
}
_STANCES = {1: "agree", -1: "disagree", 0: "pass"}


def _referencing(db: Database, table: str) -> list[tuple[str, str]]:
    """(table, column) pairs whose foreign key points at ``table``."""
    return foreign_keys_to(db, table)


def _rows(db: Database, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _idea_ref(idea_id: int | None, texts: dict[int, str]) -> dict[str, Any] | None:
    """An idea the person voted on: its id and words as the room saw them, never its author."""
    if idea_id is None:
        return None
    return {"id": idea_id, "text": texts.get(idea_id, "")}


def _ballot_choices(
    method: str,
    ballot: dict[str, Any],
    entries: list[dict[str, Any]],
    pairs: list[dict[str, Any]],
    texts: dict[int, str],
) -> list[dict[str, Any]]:
    """The person's own answers in one ballot, in the words of its method."""
    if method == "pairwise":
        return [
            {
                "left": _idea_ref(p["low_id"], texts),
                "right": _idea_ref(p["high_id"], texts),
                "chosen_id": p["winner_id"],  # None: "I can't decide"
                "at": p["at"],
            }
            for p in pairs
        ]
    if method == "consent":
        if ballot["response"] is None:
            return []
        return [{"response": ballot["response"], "reason": ballot["reason"] or ""}]
    if method == "statements":
        return [
            {
                "idea_id": e["idea_id"],
                "statement": texts.get(e["idea_id"], ""),
                "answer": _STANCES.get(e["value"], str(e["value"])),
            }
            for e in entries
        ]
    if method == "two_axis":
        return [
            {
                "idea_id": e["idea_id"],
                "idea_text": texts.get(e["idea_id"], ""),
                "impact": e["value"],
                "feasibility": e["value2"],
            }
            for e in entries
        ]
    if method == "ranked":
        return [
            {"rank": e["value"], "idea_id": e["idea_id"], "idea_text": texts.get(e["idea_id"], "")}
            for e in sorted(entries, key=lambda e: e["value"])
        ]
    return [  # dot voting
        {"idea_id": e["idea_id"], "idea_text": texts.get(e["idea_id"], ""), "dots": e["value"]}
        for e in entries
        if e["value"]
    ]


def export_participant_data(store: Store, participant: Participant) -> dict[str, Any]:
    """Everything stored about this participant, as plain JSON-ready data: exactly theirs.

    Each table is read by the person's own id (``EXPORTED_PARTICIPANT_TABLES``): their ideas
    (with what happened to them and any edit by a moderator), one ballot per round with
    their own choices in the words of its method, acknowledgements, contact details and the
    feedback sent to them. Rows by other people never appear, not even rows about the
    person's ideas (someone else's pairwise choice involving one of them is that person's).
    Ideas the person voted on appear with their id and words, never their author.
    """
    with store.snapshot() as db:  # one consistent snapshot
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
            "SELECT id, text, author_name, status, hidden, hide_reason, created_at, updated_at,"
            " edited_at FROM ideas WHERE participant_id = ? ORDER BY id",
            [participant.id],
        )
        for idea in ideas:
            idea["edits"] = _rows(
                db,
                "SELECT before, after, reason, at FROM idea_edits WHERE idea_id = ? ORDER BY id",
                [idea["id"]],
            )
            idea["status_history"] = _rows(
                db,
                "SELECT status, reason, at FROM idea_status_events WHERE idea_id = ? ORDER BY id",
                [idea["id"]],
            )
        texts = {
            int(r[0]): str(r[1])
            for r in db.execute(
                "SELECT id, text FROM ideas WHERE meeting_id = ?", [row[3]]
            ).fetchall()
        }
        ballots = []
        for ballot in _rows(
            db,
            "SELECT b.id, b.round_id, r.number AS round_number, r.method, s.position, s.prompt,"
            " b.cast_at, b.updated_at, b.response, b.reason FROM ballots b"
            " JOIN rounds r ON r.id = b.round_id JOIN steps s ON s.id = r.step_id"
            " WHERE b.participant_id = ? ORDER BY b.round_id",
            [participant.id],
        ):
            entries = _rows(
                db,
                "SELECT idea_id, value, value2 FROM ballot_entries WHERE ballot_id = ?"
                " ORDER BY idea_id",
                [ballot["id"]],
            )
            pairs = _rows(
                db,
                "SELECT low_id, high_id, winner_id, at FROM pairwise_choices"
                " WHERE round_id = ? AND participant_id = ? ORDER BY id",
                [ballot["round_id"], participant.id],
            )
            ballots.append(
                {
                    "round_id": ballot["round_id"],
                    "round_number": ballot["round_number"],
                    "method": ballot["method"],
                    # the agenda's step: its place (1, 2, …) and the question, if it had one
                    "step_number": ballot["position"],
                    "step_prompt": ballot["prompt"],
                    "cast_at": ballot["cast_at"],
                    "updated_at": ballot["updated_at"],
                    "choices": _ballot_choices(ballot["method"], ballot, entries, pairs, texts),
                }
            )
        acknowledgements = _rows(
            db,
            "SELECT a.agreement_id, v.version, v.title, a.acknowledged_at"
            " FROM acknowledgements a JOIN agreement_versions v ON v.id = a.version_id"
            " WHERE a.participant_id = ? ORDER BY a.id",
            [participant.id],
        )
        contacts = _rows(
            db,
            "SELECT email, lang, consent_at FROM participant_contacts WHERE participant_id = ?",
            [participant.id],
        )
        feedback = _rows(
            db,
            "SELECT m.body AS message, m.sent_at, d.channel, d.status, d.at, d.read_at"
            " FROM feedback_deliveries d JOIN feedback_messages m"
            " ON m.id = d.feedback_message_id WHERE d.participant_id = ? ORDER BY d.id",
            [participant.id],
        )
    return {
        "exported_at": utcnow(),
        "meeting": {"id": row[3], "title": row[4], "kind": row[5], "created_at": row[6]},
        "participant": {"name": row[0], "joined_at": row[1]},
        "ideas": ideas,
        "ballots": ballots,
        "acknowledgements": acknowledgements,
        "contact": contacts[0] if contacts else None,
        "feedback": feedback,
    }


def vote_counts(data: dict[str, Any]) -> dict[str, int]:
    """What the person did per voting method, from their export: dots placed (the sum of
    their dots), statements answered, pairs compared, ideas scored, rankings and consent
    answers given. Methods they did not vote in are left out."""
    counts: dict[str, int] = {}
    for ballot in data["ballots"]:
        method = ballot["method"]
        choices = ballot["choices"]
        if method == "dot_vote":
            amount = sum(int(c["dots"]) for c in choices)
        elif method == "ranked":
            amount = 1 if choices else 0
        else:
            amount = len(choices)
        if amount:
            counts[method] = counts.get(method, 0) + amount
    return counts


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
                if column_not_null(db, table, column):
                    db.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [idea_id])
                else:
                    db.execute(
                        f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = ?', [idea_id]
                    )
            db.execute("DELETE FROM ideas WHERE id = ?", [idea_id])
        except sqlite3.DatabaseError:
            db.execute("ROLLBACK TO erase_idea")
            db.execute(
                "UPDATE ideas SET text = ?, author_name = '', hidden = 1, hide_reason = ?,"
                " held = 0, flags = NULL WHERE id = ?",
                [REDACTED_TEXT, ERASED_IDEA_REASON, idea_id],
            )
        db.execute("RELEASE erase_idea")


def _redact_json(raw: str | None, keys: tuple[str, ...]) -> str | None:
    """``raw`` (a JSON object) with the values of ``keys`` replaced by the redaction mark."""
    if not raw:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return json.dumps(REDACTED_TEXT)
    if not isinstance(value, dict):
        return raw
    changed = {
        k: (REDACTED_TEXT if k in keys and v not in (None, "") else v) for k, v in value.items()
    }
    return json.dumps(changed, ensure_ascii=False, default=str)


def redact_logs(db: Database, entity: str, entity_ids: list[int], keys: tuple[str, ...]) -> int:
    """Replace a person's words (the values of ``keys``) in the audit log entries about these
    records, and in the moderation log when they are ideas. Who did what and when stays.

    Returns how many log entries changed. Call inside the erasure's transaction.
    """
    if not entity_ids:
        return 0
    now = utcnow()
    marks = ",".join("?" * len(entity_ids))
    changed = 0
    targets = [("audit_log", f"entity = ? AND entity_id IN ({marks})", [entity, *entity_ids])]
    if entity == "ideas":
        targets.append(("moderation_log", f"idea_id IN ({marks})", list(entity_ids)))
    for table, where, params in targets:
        for row_id, before, after in db.execute(
            f"SELECT id, before, after FROM {table} WHERE {where}", params
        ).fetchall():
            new_before, new_after = _redact_json(before, keys), _redact_json(after, keys)
            if (new_before, new_after) == (before, after):
                continue
            db.execute(
                f"UPDATE {table} SET before = ?, after = ?, redacted_at = ? WHERE id = ?",
                [new_before, new_after, now, row_id],
            )
            changed += 1
    return changed


def _redact_idea_history(db: Database, idea_ids: list[int]) -> None:
    """The person's earlier wordings: edit history, moderation log and audit log."""
    if not idea_ids:
        return
    marks = ",".join("?" * len(idea_ids))
    db.execute(
        f"UPDATE idea_edits SET before = ?, after = ? WHERE idea_id IN ({marks})",
        [REDACTED_TEXT, REDACTED_TEXT, *idea_ids],
    )
    redact_logs(db, "ideas", idea_ids, IDEA_TEXT_KEYS)


def _erase(
    db: Database, participant_id: int, meeting_id: int, *, keep_ideas: bool
) -> ErasureReport:
    rows = db.execute(
        "SELECT id, flags FROM ideas WHERE participant_id = ?", [participant_id]
    ).fetchall()
    # An idea in which the app found personal data (a phone number, an e-mail address, a CPR
    # number, an address: ``flags``, set when it was written or edited) goes whatever the
    # policy: kept without the name, its words would still say who wrote it (a fresh-eyes
    # trial: "Anonym · … mette@example.dk" on the console after the erasure).
    kept = [int(r[0]) for r in rows if keep_ideas and not r[1]]
    removed = [int(r[0]) for r in rows if not keep_ideas or r[1]]
    # Earlier wordings go whatever the policy: the kept idea shows only its current text.
    _redact_idea_history(db, kept + removed)
    if removed:
        _remove_ideas(db, removed)
        bump_change(db, meeting_id)
        bump_votes(db, meeting_id)
    if not keep_ideas:
        # A consent answer's reason is the person's own words, like an idea.
        db.execute(
            "UPDATE ballots SET reason = ? WHERE participant_id = ? AND reason IS NOT NULL",
            [REDACTED_TEXT, participant_id],
        )
    # A failed e-mail delivery's detail may quote the address.
    db.execute(
        "UPDATE feedback_deliveries SET detail = '' WHERE participant_id = ?", [participant_id]
    )
    if kept:
        # A new sequence number makes every phone redraw the idea without the name.
        seq = bump_change(db, meeting_id)
        db.execute(
            "UPDATE ideas SET author_name = '', seq = ?, updated_at = ? WHERE participant_id = ?",
            [seq, utcnow(), participant_id],
        )
    for table in DELETE_ON_ERASURE:
        if table in db.table_names():
            db.execute(f'DELETE FROM "{table}" WHERE participant_id = ?', [participant_id])
    ballots = db.execute(
        "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", [participant_id]
    ).fetchone()[0]
    db.execute(
        "UPDATE participants SET display_name = '', token = ?, last_seen_at = NULL WHERE id = ?",
        [ERASED_TOKEN_PREFIX + secrets.token_urlsafe(24), participant_id],
    )
    return ErasureReport(
        ideas_kept=len(kept),
        ideas_deleted=len(removed),
        ballots_kept=int(ballots),
    )


def erase_participant(
    store: Store, participant: Participant, *, settings: PrivacySettings | None = None
) -> ErasureReport:
    """Erase what identifies this participant; their link stops working at once."""
    keep = ideas_stay_anonymised(store, participant.meeting_id, settings)
    with store.transaction() as db:
        if _link_erased(db, participant.token):
            raise NotAllowed("error.erasure.already_erased")
        row = db.execute(
            "SELECT meeting_id, token FROM participants WHERE id = ?", [participant.id]
        ).fetchone()
        if row is None or row[1] != link_secrets.hash_secret(participant.token):
            raise NotFound("error.participant.unknown")
        report = _erase(db, participant.id, row[0], keep_ideas=keep)
        db.execute(
            "INSERT INTO erasures (at, reason, meeting_id, participant_id, ideas_kept,"
            " ideas_deleted, ballots_kept, link_hash) VALUES (?, 'request', ?, ?, ?, ?, ?, ?)",
            [
                utcnow(),
                row[0],
                participant.id,
                report.ideas_kept,
                report.ideas_deleted,
                report.ballots_kept,
                link_secrets.hash_secret(participant.token),
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


def _link_erased(db: Database, token: str) -> bool:
    found = db.execute(
        "SELECT 1 FROM erasures WHERE link_hash = ?", [link_secrets.hash_secret(token)]
    ).fetchone()
    return found is not None


def link_was_erased(store: Store, token: str) -> bool:
    """Was this phone's link erased on request? Then the phone says so, not "unknown link"."""
    if not token:
        return False
    return bool(
        store.scalar(
            "SELECT 1 FROM erasures WHERE link_hash = ?", [link_secrets.hash_secret(token)]
        )
    )


# -- applicants and committee members ---------------------------------------------------------


@dataclass(frozen=True)
class ApplicantErasure:
    applications: int
    members: int


def _erase_application_row(db: Database, application_id: int) -> None:
    db.execute(
        "UPDATE applications SET name = ?, contact = '', motivation = ?, competences = '[]',"
        " consent_at = NULL, age_band = NULL, district = NULL, gender = NULL,"
        " hard_to_reach = NULL, rationale = CASE WHEN rationale = '' THEN '' ELSE ? END"
        " WHERE id = ?",
        [REDACTED_TEXT, REDACTED_TEXT, REDACTED_TEXT, application_id],
    )
    db.execute(
        "UPDATE application_reviews SET rationale = ? WHERE application_id = ?",
        [REDACTED_TEXT, application_id],
    )
    redacted = json.dumps({"rationale": REDACTED_TEXT})
    db.execute(
        "UPDATE corrections SET before = ?, after = ?, redacted_at = ?"
        " WHERE subject = 'application_rationale' AND subject_id = ?",
        [redacted, redacted, utcnow(), application_id],
    )
    redact_logs(db, "applications", [application_id], APPLICANT_KEYS)


def _erase_member_row(db: Database, member_id: int) -> None:
    db.execute(
        "UPDATE committee_members SET name = ?, email = NULL WHERE id = ?",
        [REDACTED_TEXT, member_id],
    )
    db.execute("UPDATE meeting_invitations SET address = '' WHERE member_id = ?", [member_id])
    redact_logs(db, "committee_members", [member_id], APPLICANT_KEYS)


def erase_applicant_in(
    db: Database,
    *,
    application_id: int | None = None,
    member_id: int | None = None,
    reason: str = "request",
) -> ApplicantErasure:
    """Erase one person of a committee, inside the caller's transaction: their application
    and, for an appointed applicant, their membership (the same person), or a member added by
    hand. Names, contact details, motivation, competences, diversity answers and staff's
    rationales about them are replaced; statuses, roles, dates and attendance stay, so the
    committee's composition and the selection record keep adding up.

    Raises NotFound for an unknown id and NotAllowed for someone erased already.
    """
    if application_id is not None:
        row = db.execute(
            "SELECT a.committee_id, m.id FROM applications a"
            " LEFT JOIN committee_members m ON m.application_id = a.id WHERE a.id = ?",
            [application_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        committee_id, member_id = row
    elif member_id is not None:
        row = db.execute(
            "SELECT committee_id, application_id FROM committee_members WHERE id = ?",
            [member_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        committee_id, application_id = row
    else:
        raise NotFound("error.not_found")
    erased = db.execute(
        "SELECT application_id, member_id FROM erasures WHERE application_id = ? OR member_id = ?",
        [application_id, member_id],
    ).fetchall()
    done_applications = {r[0] for r in erased if r[0] is not None}
    done_members = {r[1] for r in erased if r[1] is not None}
    todo_application = application_id is not None and application_id not in done_applications
    todo_member = member_id is not None and member_id not in done_members
    if not (todo_application or todo_member):
        raise NotAllowed("error.erasure.already_erased")
    now = utcnow()
    if todo_application:
        assert application_id is not None
        _erase_application_row(db, application_id)
        db.execute(
            "INSERT INTO erasures (at, reason, committee_id, application_id) VALUES (?, ?, ?, ?)",
            [now, reason, committee_id, application_id],
        )
    if todo_member:
        assert member_id is not None
        _erase_member_row(db, member_id)
        db.execute(
            "INSERT INTO erasures (at, reason, committee_id, member_id) VALUES (?, ?, ?, ?)",
            [now, reason, committee_id, member_id],
        )
    return ApplicantErasure(applications=int(todo_application), members=int(todo_member))


def applicant_erased(
    store: Store, *, application_id: int | None = None, member_id: int | None = None
) -> bool:
    """Has this application (or membership) been erased?"""
    return bool(
        store.scalar(
            "SELECT 1 FROM erasures WHERE application_id = ? OR member_id = ?",
            [application_id, member_id],
        )
    )


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
    applications: int = 0  # applicants not appointed, after recruitment closed
    members: int = 0  # committee members after their membership or the work ended


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def expired_meetings(store: Store, cutoff: str) -> list[int]:
    """Meetings whose last sign of life (creation, close, a join, an idea) is before cutoff."""
    rows = store.query(
        """
SELECT m.id FROM meetings m
WHERE m.created_at < ?1
  AND CASE WHEN m.status = 'closed' THEN coalesce(m.code_expires_at, '') ELSE '' END < ?1
  AND coalesce((SELECT max(joined_at) FROM participants p WHERE p.meeting_id = m.id), '') < ?1
  AND coalesce((SELECT max(last_seen_at) FROM participants p WHERE p.meeting_id = m.id), '') < ?1
  AND coalesce((SELECT max(created_at) FROM ideas i WHERE i.meeting_id = m.id), '') < ?1
ORDER BY m.id
""",
        [cutoff],
    )
    return [int(r["id"]) for r in rows]


def expired_applications(db: Database, cutoff: str) -> list[int]:
    """Applications not appointed, of committees whose recruitment closed before cutoff."""
    rows = db.execute(
        """
SELECT a.id FROM applications a
WHERE a.status != 'appointed'
  AND (SELECT min(pc.changed_at) FROM phase_changes pc
       WHERE pc.committee_id = a.committee_id AND pc.from_phase = 'recruitment') < ?
  AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.application_id = a.id)
ORDER BY a.id
""",
        [cutoff],
    ).fetchall()
    return [int(r[0]) for r in rows]


def expired_members(db: Database, cutoff: str) -> list[int]:
    """Members whose membership ended before cutoff: their end date, or without one, the day
    the committee's work ended (it moved on to the political decision)."""
    rows = db.execute(
        """
SELECT m.id FROM committee_members m
WHERE coalesce(
        m.ends_on || 'T23:59:59',
        (SELECT min(pc.changed_at) FROM phase_changes pc
         WHERE pc.committee_id = m.committee_id AND pc.to_phase = 'political_decision')
      ) < ?
  AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.member_id = m.id)
ORDER BY m.id
""",
        [cutoff],
    ).fetchall()
    return [int(r[0]) for r in rows]


def _purge_committee_people(
    db: Database, settings: PrivacySettings, now: datetime, *, dry_run: bool
) -> tuple[int, int]:
    """Retention for applicants and members; returns (applications, members) anonymised."""
    applications = members = 0
    for days, expired, kind in (
        (settings.application_retention_days, expired_applications, "application_id"),
        (settings.member_retention_days, expired_members, "member_id"),
    ):
        if days <= 0:
            continue
        for person_id in expired(db, _iso(now - timedelta(days=days))):
            if dry_run:  # only counts: an applicant, or a member
                applications += kind == "application_id"
                members += kind == "member_id"
                continue
            done = erase_applicant_in(db, **{kind: person_id}, reason="retention")
            applications += done.applications
            members += done.members
    return applications, members


def purge_expired(
    store: Store,
    *,
    days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    settings: PrivacySettings | None = None,
) -> PurgeReport:
    """Anonymise the participants of meetings idle for ``days`` days, applicants and members
    past their retention (``settings``); drop old rate events.

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
        applications, members = _purge_committee_people(db, settings, now, dry_run=dry_run)
        report_data = PurgeReport(
            cutoff=cutoff,
            meetings=totals["meetings"],
            participants=totals["participants"],
            ideas_kept=totals["kept"],
            ideas_deleted=totals["deleted"],
            typed_names_removed=totals["names"],
            rate_events=int(rate_events),
            dry_run=dry_run,
            applications=applications,
            members=members,
        )
        if not dry_run and (
            report_data.meetings
            or report_data.rate_events
            or report_data.applications
            or report_data.members
        ):
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
                    "applications": report_data.applications,
                    "members": report_data.members,
                },
            )
    return report_data
