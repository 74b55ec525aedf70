"""Expectation-setting agreements (forventningsafstemning) and their acknowledgements.

An agreement is attached to a committee or to one meeting and is made from a template. It
holds the ten points of domain.md §3 (purpose; mandate and who commissioned it; what is open
and what is fixed; the IAP2 participation level; roles and commitments; decision path;
timeline; resources; how input is used and when feedback comes; sign-off) plus a short
plain-language version that participants read on their phones before they take part.

Every save is a new version. A *material* version asks every participant to acknowledge
again; a wording fix does not. Commitments carry an owner and a due date and are tracked to
done (with evidence where required) or overdue, together with the feedback promise.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from workshop import audit
from workshop.agreements.diff import FieldChange, diff_fields
from workshop.cache import VersionedCache
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.i18n import formats, translate
from workshop.meetings.core import bump_change, get_meeting
from workshop.model import Meeting, Participant, User, utcnow
from workshop.text import clean_text

__all__ = [
    "Agreement",
    "AgreementVersion",
    "Commitment",
    "FieldChange",
    "OverdueItem",
    "ParticipationLevel",
    "Party",
    "Pending",
    "Template",
    "acknowledge_agreement",
    "add_commitment",
    "close_commitment",
    "create_agreement",
    "diff_versions",
    "gate_stamp",
    "get_agreement",
    "list_acknowledgements",
    "list_agreements",
    "list_commitments",
    "list_overdue",
    "list_versions",
    "pending_agreement",
    "publish_agreement",
    "running_meetings",
    "save_version",
]


class Template(StrEnum):
    COMMITTEE = "committee"
    DIALOGUE_SESSION = "dialogue_session"
    LOCAL_PARTNERSHIP = "local_partnership"  # in the style of Odense's lokale aftaler


class ParticipationLevel(StrEnum):
    """The IAP2 spectrum, from least to most influence."""

    INFORM = "inform"
    CONSULT = "consult"
    INVOLVE = "involve"
    COLLABORATE = "collaborate"
    EMPOWER = "empower"


class Party(StrEnum):
    POLITICIANS = "politicians"
    CITIZENS = "citizens"
    ADMINISTRATION = "administration"
    FACILITATOR = "facilitator"
    PARTNERS = "partners"


# The ten points in reading order (title and the short version first).
TEXT_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "purpose",
    "mandate",
    "commissioned_by",
    "open_for_influence",
    "fixed",
    "roles",
    "decision_path",
    "timeline",
    "resources",
    "input_use",
    "feedback_how",
    "sign_off",
)
DATE_FIELDS: tuple[str, ...] = ("feedback_due_on", "signed_off_on")
# Fields compared between versions; "participation_level" and the dates are shown as text.
DIFF_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS[:7],
    "participation_level",
    *TEXT_FIELDS[7:],
    *DATE_FIELDS,
    "commitments",
)
TITLE_MAX = 200
SUMMARY_MAX = 1500
FIELD_MAX = 5000
NOTE_MAX = 500

TEMPLATE_DEFAULTS: dict[Template, dict[str, Any]] = {
    Template.COMMITTEE: {
        "level": ParticipationLevel.COLLABORATE,
        "feedback_days": 300,
        "commitments": [
            (Party.ADMINISTRATION, 270, True),
            (Party.POLITICIANS, 300, True),
            (Party.CITIZENS, 270, False),
        ],
    },
    Template.DIALOGUE_SESSION: {
        "level": ParticipationLevel.CONSULT,
        "feedback_days": 56,
        "commitments": [(Party.FACILITATOR, 14, True), (Party.ADMINISTRATION, 56, True)],
    },
    Template.LOCAL_PARTNERSHIP: {
        "level": ParticipationLevel.COLLABORATE,
        "feedback_days": 120,
        "commitments": [
            (Party.POLITICIANS, 120, True),
            (Party.PARTNERS, 180, False),
            (Party.ADMINISTRATION, 90, True),
        ],
    },
}


@dataclass(frozen=True)
class AgreementVersion:
    id: int
    agreement_id: int
    version: int
    material: bool
    texts: dict[str, str]
    participation_level: ParticipationLevel
    feedback_due_on: str | None
    signed_off_on: str | None
    commitments: tuple[dict[str, Any], ...]
    change_note: str
    created_at: str

    @property
    def title(self) -> str:
        return self.texts["title"]

    @property
    def summary(self) -> str:
        return self.texts["summary"]

    def comparable(self) -> dict[str, str]:
        """Every field as text, for the difference view."""
        values = dict(self.texts)
        values["participation_level"] = self.participation_level.value
        values["feedback_due_on"] = self.feedback_due_on or ""
        values["signed_off_on"] = self.signed_off_on or ""
        values["commitments"] = "\n".join(
            f"{c['party']} · {c['owner']} · {c['due_on']} · {c['description']}"
            for c in self.commitments
        )
        return values


@dataclass(frozen=True)
class Agreement:
    id: int
    committee_id: int | None
    meeting_id: int | None
    template: Template
    published_at: str | None
    created_at: str
    current: AgreementVersion
    material_version: int  # participants must have acknowledged at least this version

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class Commitment:
    id: int
    agreement_id: int
    party: Party
    description: str
    owner: str
    due_on: str
    evidence_required: bool
    done_at: str | None
    evidence: str

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and date.fromisoformat(self.due_on) < today


@dataclass(frozen=True)
class Pending:
    """What a participant must read and acknowledge before taking part."""

    agreement: Agreement
    version: AgreementVersion
    acknowledged_version: int | None  # the older version they did acknowledge, if any
    changes: tuple[FieldChange, ...]  # what changed since then


@dataclass(frozen=True)
class AcknowledgementRow:
    participant_id: int
    name: str
    meeting_title: str
    version: int | None
    acknowledged_at: str | None
    up_to_date: bool


@dataclass(frozen=True)
class OverdueItem:
    kind: str  # "commitment" or "feedback"
    agreement_id: int
    agreement_title: str
    what: str  # the commitment's description; empty for the feedback promise
    owner: str
    due_on: str
    days_over: int
    committee_id: int | None
    meeting_id: int | None
    commitment_id: int | None = None
    ideas_without_feedback: int = 0


# -- validation -----------------------------------------------------------------------------------


def _text(raw: Any, name: str, limit: int, *, required: str | None = None) -> str:
    """Clean text; ``required`` is the error key to raise when nothing is left."""
    text = clean_text(raw)
    if required and not text:
        raise InvalidInput(required, field=name)
    if len(text) > limit:
        raise InvalidInput("error.text.too_long", field=name, max=limit, length=len(text))
    return text


def _date(raw: Any, name: str, *, required: str | None = None) -> str | None:
    if raw is None or raw == "":
        if required:
            raise InvalidInput(required, field=name)
        return None
    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise InvalidInput("error.agreement.bad_date", field=name, value=str(raw)) from None


def _level(raw: Any) -> ParticipationLevel:
    try:
        return ParticipationLevel(raw)
    except ValueError:
        raise InvalidInput("error.agreement.bad_level") from None


def _party(raw: Any) -> Party:
    try:
        return Party(raw)
    except ValueError:
        raise InvalidInput("error.agreement.bad_party") from None


# -- rows -----------------------------------------------------------------------------------------


def _version(row: Mapping[str, Any]) -> AgreementVersion:
    return AgreementVersion(
        id=row["id"],
        agreement_id=row["agreement_id"],
        version=row["version"],
        material=bool(row["material"]),
        texts={name: row[name] for name in TEXT_FIELDS},
        participation_level=ParticipationLevel(row["participation_level"]),
        feedback_due_on=row["feedback_due_on"],
        signed_off_on=row["signed_off_on"],
        commitments=tuple(json.loads(row["commitments"])),
        change_note=row["change_note"],
        created_at=row["created_at"],
    )


def _commitment(row: Mapping[str, Any]) -> Commitment:
    return Commitment(
        id=row["id"],
        agreement_id=row["agreement_id"],
        party=Party(row["party"]),
        description=row["description"],
        owner=row["owner"],
        due_on=row["due_on"],
        evidence_required=bool(row["evidence_required"]),
        done_at=row["done_at"],
        evidence=row["evidence"],
    )


def _rows(db: Database | Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    if isinstance(db, Store):
        return db.query(sql, params)
    return list(db.query(sql, params))


def _load(db: Database | Store, agreement_id: int) -> Agreement:
    rows = _rows(db, "SELECT * FROM agreements WHERE id = ?", [agreement_id])
    if not rows:
        raise NotFound("error.not_found")
    row = rows[0]
    latest = _rows(
        db,
        "SELECT * FROM agreement_versions WHERE agreement_id = ? ORDER BY version DESC LIMIT 1",
        [agreement_id],
    )[0]
    material = _rows(
        db,
        "SELECT max(version) AS v FROM agreement_versions WHERE agreement_id = ? AND material = 1",
        [agreement_id],
    )[0]["v"]
    return Agreement(
        id=row["id"],
        committee_id=row["committee_id"],
        meeting_id=row["meeting_id"],
        template=Template(row["template"]),
        published_at=row["published_at"],
        created_at=row["created_at"],
        current=_version(latest),
        material_version=int(material),
    )


def _commitment_snapshot(db: Database, agreement_id: int) -> str:
    rows = db.execute(
        "SELECT party, description, owner, due_on, evidence_required FROM commitments"
        " WHERE agreement_id = ? ORDER BY due_on, id",
        [agreement_id],
    ).fetchall()
    return json.dumps(
        [
            {"party": p, "description": d, "owner": o, "due_on": due, "evidence_required": bool(e)}
            for p, d, o, due, e in rows
        ],
        ensure_ascii=False,
    )


def _insert_version(
    db: Database,
    agreement_id: int,
    values: Mapping[str, Any],
    *,
    material: bool,
    change_note: str,
    actor: User | None,
) -> int:
    number = db.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM agreement_versions WHERE agreement_id = ?",
        [agreement_id],
    ).fetchone()[0]
    columns = [*TEXT_FIELDS, "participation_level", *DATE_FIELDS]
    db.execute(
        f"INSERT INTO agreement_versions (agreement_id, version, material, {', '.join(columns)},"
        " commitments, change_note, created_by, created_at)"
        f" VALUES (?, ?, ?, {', '.join('?' for _ in columns)}, ?, ?, ?, ?)",
        [
            agreement_id,
            number,
            1 if material or number == 1 else 0,
            *[values[c] for c in columns],
            _commitment_snapshot(db, agreement_id),
            change_note,
            actor.id if actor else None,
            utcnow(),
        ],
    )
    if material or number == 1:
        _tell_the_rooms(db, agreement_id)
    return int(number)


def _meetings_under(
    db: Database | Store, agreement_id: int, *, status: str | None = None
) -> list[int]:
    """The meetings an agreement applies to (its own meeting, or every meeting of its
    committee), optionally only those with ``status``."""
    sql = (
        "SELECT m.id FROM meetings m JOIN agreements a ON a.id = ?"
        " WHERE (a.meeting_id = m.id OR a.committee_id = m.committee_id)"
    )
    params: list[Any] = [agreement_id]
    if status is not None:
        sql += " AND m.status = ?"
        params.append(status)
    return [int(r["id"]) for r in _rows(db, sql + " ORDER BY m.id", params)]


def _tell_the_rooms(db: Database, agreement_id: int) -> None:
    """A published agreement's material version (or its publication) moves the change counter
    of every meeting it applies to, so each phone looks at its gate at its next refresh."""
    published = db.execute(
        "SELECT published_at IS NOT NULL FROM agreements WHERE id = ?", [agreement_id]
    ).fetchone()
    if published and published[0]:
        for meeting_id in _meetings_under(db, agreement_id):
            bump_change(db, meeting_id)


# -- services -------------------------------------------------------------------------------------


def template_texts(template: Template | str, lang: str) -> dict[str, str]:
    """The template's ten points in ``lang``, ready to edit."""
    template = Template(template)
    return {name: translate(lang, f"agreement.template.{template}.{name}") for name in TEXT_FIELDS}


def create_agreement(
    store: Store,
    template: Template | str,
    *,
    lang: str,
    committee_id: int | None = None,
    meeting_id: int | None = None,
    actor: User | None,
    today: date | None = None,
) -> Agreement:
    """Start an agreement from a template, in ``lang``, for one committee or one meeting."""
    try:
        template = Template(template)
    except ValueError:
        raise InvalidInput("error.agreement.bad_template") from None
    if (committee_id is None) == (meeting_id is None):
        raise InvalidInput("error.agreement.scope")
    today = today or formats.today()
    defaults = TEMPLATE_DEFAULTS[template]
    values: dict[str, Any] = template_texts(template, lang)
    values["participation_level"] = defaults["level"].value
    values["feedback_due_on"] = (today + timedelta(days=defaults["feedback_days"])).isoformat()
    values["signed_off_on"] = None
    now = utcnow()
    with store.transaction() as db:
        table = "committees" if committee_id is not None else "meetings"
        target = committee_id if committee_id is not None else meeting_id
        if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [target]).fetchone() is None:
            raise NotFound("error.not_found")
        agreement_id = db.execute(
            "INSERT INTO agreements (committee_id, meeting_id, template, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?) RETURNING id",
            [committee_id, meeting_id, template.value, actor.id if actor else None, now],
        ).fetchall()[0][0]
        assert agreement_id is not None
        for number, (party, days, evidence) in enumerate(defaults["commitments"], start=1):
            prefix = f"agreement.template.{template}.commitment.{number}"
            db.execute(
                "INSERT INTO commitments (agreement_id, party, description, owner, due_on,"
                " evidence_required, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    agreement_id,
                    party.value,
                    translate(lang, f"{prefix}.description"),
                    translate(lang, f"{prefix}.owner"),
                    (today + timedelta(days=days)).isoformat(),
                    int(evidence),
                    now,
                ],
            )
        _insert_version(db, agreement_id, values, material=True, change_note="", actor=actor)
        audit.record(
            db,
            actor,
            "create_agreement",
            "agreements",
            agreement_id,
            after={
                "template": template.value,
                "committee_id": committee_id,
                "meeting_id": meeting_id,
            },
        )
        return _load(db, agreement_id)


def save_version(
    store: Store,
    agreement_id: int,
    changes: Mapping[str, Any],
    *,
    material: bool,
    change_note: str = "",
    confirm_running: bool | None = None,
    actor: User | None,
) -> AgreementVersion:
    """Save a new version with ``changes`` applied to the current one.

    Nothing is saved when nothing changed. ``material`` asks every participant to
    acknowledge the new version: a published agreement's phones are gated at their next
    refresh or tap. ``confirm_running``: what the facilitator answered when told that a
    meeting under the agreement is running and its room must acknowledge again (the
    agreements page always passes it); ``False`` refuses a material change while one runs.
    ``None`` (a script, an import) does not ask.
    """
    unknown = set(changes) - {*TEXT_FIELDS, *DATE_FIELDS, "participation_level"}
    if unknown:
        raise InvalidInput("error.agreement.unknown_field", field=", ".join(sorted(unknown)))
    note = _text(change_note, "change_note", NOTE_MAX)
    with store.transaction() as db:
        loaded = _load(db, agreement_id)
        current = loaded.current
        if material and loaded.is_published and confirm_running is False:
            running = _meetings_under(db, agreement_id, status="running")
            if running:
                titles = [
                    db.execute("SELECT title FROM meetings WHERE id = ?", [m]).fetchone()[0]
                    for m in running
                ]
                raise NotAllowed("error.agreement.confirm_running", meetings=", ".join(titles))
        values: dict[str, Any] = dict(current.texts)
        values["participation_level"] = current.participation_level.value
        values["feedback_due_on"] = current.feedback_due_on
        values["signed_off_on"] = current.signed_off_on
        for name, raw in changes.items():
            if name in DATE_FIELDS:
                values[name] = _date(raw, name)
            elif name == "participation_level":
                values[name] = _level(raw).value
            else:
                limit = {"title": TITLE_MAX, "summary": SUMMARY_MAX}.get(name, FIELD_MAX)
                values[name] = _text(
                    raw,
                    name,
                    limit,
                    required="error.agreement.field_required"
                    if name in ("title", "summary")
                    else None,
                )
        before = current.comparable()
        after = {**before, **{k: str(v or "") for k, v in values.items()}}
        if before == after:
            raise InvalidInput("error.agreement.nothing_changed")
        number = _insert_version(
            db, agreement_id, values, material=material, change_note=note, actor=actor
        )
        audit.record(
            db,
            actor,
            "save_agreement_version",
            "agreements",
            agreement_id,
            before={"version": current.version},
            after={"version": number, "material": material, "note": note},
        )
        return _load(db, agreement_id).current


def publish_agreement(store: Store, agreement_id: int, *, actor: User | None) -> None:
    """Show the agreement to participants from now on (they are asked to acknowledge it)."""
    with store.transaction() as db:
        was = _load(db, agreement_id)
        db.execute(
            "UPDATE agreements SET published_at = coalesce(published_at, ?) WHERE id = ?",
            [utcnow(), agreement_id],
        )
        if not was.is_published:
            _tell_the_rooms(db, agreement_id)
        audit.record(db, actor, "publish_agreement", "agreements", agreement_id)


def add_commitment(
    store: Store,
    agreement_id: int,
    *,
    party: Party | str,
    description: str,
    owner: str,
    due_on: date | str,
    evidence_required: bool,
    material: bool = False,
    actor: User | None,
) -> Commitment:
    """Add a commitment; the agreement gets a new version listing it."""
    party = _party(party)
    missing = "error.commitment.fields_required"
    text = _text(description, "description", FIELD_MAX, required=missing)
    who = _text(owner, "owner", TITLE_MAX, required=missing)
    due = _date(due_on, "due_on", required=missing)
    with store.transaction() as db:
        current = _load(db, agreement_id).current
        commitment_id = db.execute(
            "INSERT INTO commitments (agreement_id, party, description, owner, due_on,"
            " evidence_required, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [agreement_id, party.value, text, who, due, int(evidence_required), utcnow()],
        ).fetchall()[0][0]
        values: dict[str, Any] = dict(current.texts)
        values["participation_level"] = current.participation_level.value
        values["feedback_due_on"] = current.feedback_due_on
        values["signed_off_on"] = current.signed_off_on
        _insert_version(db, agreement_id, values, material=material, change_note="", actor=actor)
        audit.record(
            db,
            actor,
            "add_commitment",
            "commitments",
            commitment_id,
            after={"agreement_id": agreement_id, "owner": who, "due_on": due},
        )
        row = db.execute("SELECT * FROM commitments WHERE id = ?", [commitment_id]).fetchone()
        columns = [c[0] for c in db.execute("SELECT * FROM commitments LIMIT 0").description]
        return _commitment(dict(zip(columns, row, strict=True)))


def close_commitment(
    store: Store, commitment_id: int, *, evidence: str | None, actor: User | None
) -> None:
    """Mark a commitment done. One that needs evidence is refused without it."""
    evidence_text = _text(evidence, "evidence", FIELD_MAX)
    with store.transaction() as db:
        row = db.execute(
            "SELECT evidence_required, done_at FROM commitments WHERE id = ?", [commitment_id]
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if row[1] is not None:
            raise NotAllowed("error.commitment.already_done")
        if row[0] and not evidence_text:
            raise InvalidInput("error.commitment.evidence_required")
        db.execute(
            "UPDATE commitments SET done_at = ?, evidence = ?, closed_by = ? WHERE id = ?",
            [utcnow(), evidence_text, actor.id if actor else None, commitment_id],
        )
        audit.record(
            db,
            actor,
            "close_commitment",
            "commitments",
            commitment_id,
            after={"evidence": evidence_text},
        )


def acknowledge_agreement(store: Store, participant: Participant, version_id: int) -> None:
    """Record that ``participant`` read this version. Only the newest version is accepted."""
    with store.transaction() as db:
        row = db.execute(
            "SELECT v.agreement_id, a.committee_id, a.meeting_id, a.published_at"
            " FROM agreement_versions v JOIN agreements a ON a.id = v.agreement_id"
            " WHERE v.id = ?",
            [version_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        agreement_id, committee_id, meeting_id, published_at = row
        own_committee = db.execute(
            "SELECT committee_id FROM meetings WHERE id = ?", [participant.meeting_id]
        ).fetchone()[0]
        applies = meeting_id == participant.meeting_id or committee_id == own_committee
        if not applies or published_at is None:
            raise NotAllowed("error.agreement.not_yours")
        latest = db.execute(
            "SELECT id FROM agreement_versions WHERE agreement_id = ?"
            " ORDER BY version DESC LIMIT 1",
            [agreement_id],
        ).fetchone()[0]
        if latest != version_id:
            raise InvalidInput("error.agreement.outdated_version")
        try:
            db.execute(
                "INSERT INTO acknowledgements"
                " (agreement_id, version_id, participant_id, acknowledged_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [agreement_id, version_id, participant.id, utcnow()],
            )
        except sqlite3.IntegrityError as error:  # a new version saved in between
            raise InvalidInput("error.agreement.outdated_version") from error


# -- reads ----------------------------------------------------------------------------------------


def get_agreement(store: Store, agreement_id: int) -> Agreement:
    return _load(store, agreement_id)


def list_agreements(
    store: Store, *, committee_id: int | None = None, meeting_id: int | None = None
) -> list[Agreement]:
    """Agreements of one committee, or of one meeting, or all (newest first)."""
    if committee_id is not None:
        rows = store.query(
            "SELECT id FROM agreements WHERE committee_id = ? ORDER BY id DESC", [committee_id]
        )
    elif meeting_id is not None:
        rows = store.query(
            "SELECT id FROM agreements WHERE meeting_id = ? ORDER BY id DESC", [meeting_id]
        )
    else:
        rows = store.query("SELECT id FROM agreements ORDER BY id DESC")
    return [_load(store, r["id"]) for r in rows]


def list_versions(store: Store, agreement_id: int) -> list[AgreementVersion]:
    rows = store.query(
        "SELECT * FROM agreement_versions WHERE agreement_id = ? ORDER BY version", [agreement_id]
    )
    if not rows:
        raise NotFound("error.not_found")
    return [_version(r) for r in rows]


def diff_versions(store: Store, agreement_id: int, older: int, newer: int) -> list[FieldChange]:
    """What changed from version ``older`` to version ``newer``."""
    versions = {v.version: v for v in list_versions(store, agreement_id)}
    if older not in versions or newer not in versions:
        raise NotFound("error.not_found")
    return diff_fields(versions[older].comparable(), versions[newer].comparable(), DIFF_FIELDS)


def list_commitments(store: Store, agreement_id: int) -> list[Commitment]:
    return [
        _commitment(r)
        for r in store.query(
            "SELECT * FROM commitments WHERE agreement_id = ? ORDER BY due_on, id", [agreement_id]
        )
    ]


_gate_cache: VersionedCache[tuple[int, int]] = VersionedCache()


def gate_stamp(store: Store, meeting_id: int, change_seq: int) -> tuple[int, int]:
    """What a phone compares to see whether its gate may have moved: how many published
    agreements apply to the meeting, and the newest material version among them.

    Computed once per ``change_seq`` and shared by every phone of the room (a published
    material version moves ``change_seq``); a tap asks with the counter it reads.
    """

    def compute() -> tuple[int, int]:
        row = store.query_one(
            "SELECT count(DISTINCT a.id) AS agreements, coalesce(max(v.id), 0) AS newest"
            " FROM agreements a JOIN meetings m ON m.id = ?"
            " LEFT JOIN agreement_versions v ON v.agreement_id = a.id AND v.material = 1"
            " WHERE a.published_at IS NOT NULL"
            "   AND (a.meeting_id = m.id OR a.committee_id = m.committee_id)",
            [meeting_id],
        )
        return (int(row["agreements"]), int(row["newest"])) if row else (0, 0)

    return _gate_cache.get(("gate", store.path, meeting_id), change_seq, compute)


def running_meetings(store: Store, agreement_id: int) -> list[Meeting]:
    """The meetings under this agreement that are running now (a material change reaches
    their phones at once, so the page asks before saving one)."""
    ids = _meetings_under(store, agreement_id, status="running")
    return [get_meeting(store, meeting_id) for meeting_id in ids]


def pending_agreement(store: Store, participant: Participant) -> Pending | None:
    """The first published agreement of the participant's meeting or committee that they
    have not acknowledged in its current material version, or None."""
    rows = store.query(
        "SELECT a.id, (SELECT max(v.version) FROM acknowledgements k"
        "  JOIN agreement_versions v ON v.id = k.version_id"
        "  WHERE k.agreement_id = a.id AND k.participant_id = :participant) AS acknowledged"
        " FROM agreements a JOIN meetings m ON m.id = :meeting"
        " WHERE a.published_at IS NOT NULL"
        "   AND (a.meeting_id = m.id OR a.committee_id = m.committee_id)"
        " ORDER BY a.committee_id IS NULL, a.id",
        {"participant": participant.id, "meeting": participant.meeting_id},
    )
    for row in rows:
        agreement = _load(store, row["id"])
        acknowledged = row["acknowledged"]
        if acknowledged is not None and acknowledged >= agreement.material_version:
            continue
        changes: tuple[FieldChange, ...] = ()
        if acknowledged is not None:
            changes = tuple(
                diff_versions(store, agreement.id, acknowledged, agreement.current.version)
            )
        return Pending(agreement, agreement.current, acknowledged, changes)
    return None


def list_acknowledgements(store: Store, agreement_id: int) -> list[AcknowledgementRow]:
    """Every participant the agreement applies to, with the newest version they acknowledged."""
    agreement = _load(store, agreement_id)
    rows = store.query(
        "SELECT * FROM (SELECT p.id, p.display_name, m.title AS meeting_title,"
        " (SELECT max(v.version) FROM acknowledgements k"
        "   JOIN agreement_versions v ON v.id = k.version_id"
        "   WHERE k.agreement_id = :agreement AND k.participant_id = p.id) AS version,"
        " (SELECT max(k.acknowledged_at) FROM acknowledgements k"
        "   WHERE k.agreement_id = :agreement AND k.participant_id = p.id) AS acknowledged_at"
        " FROM participants p JOIN meetings m ON m.id = p.meeting_id"
        " WHERE m.id = :meeting OR m.committee_id = :committee) AS people"
        " ORDER BY version IS NULL, lower(display_name), id",
        {
            "agreement": agreement_id,
            "meeting": agreement.meeting_id,
            "committee": agreement.committee_id,
        },
    )
    return [
        AcknowledgementRow(
            participant_id=r["id"],
            name=r["display_name"],
            meeting_title=r["meeting_title"],
            version=r["version"],
            acknowledged_at=r["acknowledged_at"],
            up_to_date=r["version"] is not None and r["version"] >= agreement.material_version,
        )
        for r in rows
    ]


def list_overdue(
    store: Store, today: date, *, committee_id: int | None = None
) -> list[OverdueItem]:
    """Commitments past their due date and not done, and feedback promises past their date
    while ideas still wait for feedback; oldest first. ``committee_id`` narrows to one
    committee (its own agreements and those of its meetings)."""
    from workshop.feedback.core import feedback_share

    scope = (
        " AND (a.committee_id = :committee"
        " OR a.meeting_id IN (SELECT id FROM meetings WHERE committee_id = :committee))"
        if committee_id is not None
        else ""
    )
    params = {"today": today.isoformat(), "committee": committee_id}
    items: list[OverdueItem] = []
    for r in store.query(
        "SELECT c.*, a.committee_id, a.meeting_id FROM commitments c"
        " JOIN agreements a ON a.id = c.agreement_id"
        " WHERE c.done_at IS NULL AND c.due_on < :today" + scope,
        params,
    ):
        agreement = _load(store, r["agreement_id"])
        items.append(
            OverdueItem(
                kind="commitment",
                agreement_id=agreement.id,
                agreement_title=agreement.current.title,
                what=r["description"],
                owner=r["owner"],
                due_on=r["due_on"],
                days_over=(today - date.fromisoformat(r["due_on"])).days,
                committee_id=r["committee_id"],
                meeting_id=r["meeting_id"],
                commitment_id=r["id"],
            )
        )
    for r in store.query("SELECT a.id FROM agreements a WHERE 1 = 1" + scope, params):
        agreement = _load(store, r["id"])
        due = agreement.current.feedback_due_on
        if due is None or date.fromisoformat(due) >= today:
            continue
        share = feedback_share(
            store, committee_id=agreement.committee_id, meeting_id=agreement.meeting_id
        )
        waiting = share.ideas - share.with_feedback
        if waiting <= 0:
            continue
        items.append(
            OverdueItem(
                kind="feedback",
                agreement_id=agreement.id,
                agreement_title=agreement.current.title,
                what="",
                owner="",
                due_on=due,
                days_over=(today - date.fromisoformat(due)).days,
                committee_id=agreement.committee_id,
                meeting_id=agreement.meeting_id,
                ideas_without_feedback=waiting,
            )
        )
    items.sort(key=lambda i: (i.due_on, i.agreement_id))
    return items
