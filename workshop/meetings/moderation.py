"""Moderation during a live session: hide with a reason, edit with a trail, merge duplicates.

Every action is written to ``moderation_log`` (one meeting's log, append-only, exportable as
CSV) and to the audit log, in the same transaction as the change. Every change bumps the
idea's ``seq`` so that phones, which ask only for what changed, learn of it with their next
refresh: the author of a hidden idea sees that it was hidden and why.

Merging keeps everything: the duplicate stays in the database, points at the idea it was
merged into, and is hidden from the wall; its author is credited on the kept idea and every
dot placed on it moves to the kept idea (database triggers still hold the dot limits).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlite_utils import Database, Migrations

from workshop import audit, spreadsheets
from workshop.db import Store, run_sql
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import ideas, personal_data
from workshop.meetings.core import ERASED_IDEA_REASON, bump_change, bump_votes
from workshop.model import Idea, User, utcnow
from workshop.text import clean_text, require_text

REASON_MAX = 300
# Every action written to the log (labels: ``moderation.action.<action>``).
ACTIONS = (
    "hide_idea",
    "unhide_idea",
    "edit_idea",
    "merge_idea",
    "release_idea",
    "set_pre_moderation",
    "create_theme",
    "rename_theme",
    "delete_theme",
    "assign_theme",
)
EXPORT_COLUMNS = ["at", "actor", "action", "idea_id", "theme_id", "reason", "before", "after"]
# Each column's heading for a reader (the console's table and the CSV), as a catalogue key.
COLUMN_HEADINGS = {column: f"console.log.{column.removesuffix('_id')}" for column in EXPORT_COLUMNS}

migrations = Migrations("samskab.moderation")


@migrations(name="m001_moderation")
def m001_moderation(db: Database) -> None:
    run_sql(
        db,
        """
CREATE TABLE themes (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX themes_meeting ON themes (meeting_id, position);

ALTER TABLE ideas ADD COLUMN theme_id INTEGER REFERENCES themes (id);
ALTER TABLE ideas ADD COLUMN merged_into_id INTEGER REFERENCES ideas (id);
ALTER TABLE ideas ADD COLUMN edited_at TEXT;
CREATE INDEX ideas_merged_into ON ideas (merged_into_id);

-- Every edit of an idea's text: what it said before and after, who changed it and why.
CREATE TABLE idea_edits (
    id INTEGER PRIMARY KEY,
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    reason TEXT,
    user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL
);
CREATE INDEX idea_edits_idea ON idea_edits (idea_id, id);

CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    idea_id INTEGER REFERENCES ideas (id),
    theme_id INTEGER,
    reason TEXT,
    before TEXT,
    after TEXT
);
CREATE INDEX moderation_log_meeting ON moderation_log (meeting_id, id);
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE ON moderation_log
BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END;
CREATE TRIGGER moderation_log_no_delete BEFORE DELETE ON moderation_log
BEGIN SELECT RAISE(ABORT, 'moderation_log is append-only'); END;

-- No new dot on a hidden (or merged) idea, even if a caller skips the service layer.
CREATE TRIGGER ballot_entries_not_hidden_insert
BEFORE INSERT ON ballot_entries
WHEN (SELECT hidden FROM ideas WHERE id = NEW.idea_id) = 1
BEGIN SELECT RAISE(ABORT, 'idea_hidden'); END;
CREATE TRIGGER ballot_entries_not_hidden_update
BEFORE UPDATE OF value ON ballot_entries
WHEN NEW.value > OLD.value AND (SELECT hidden FROM ideas WHERE id = NEW.idea_id) = 1
BEGIN SELECT RAISE(ABORT, 'idea_hidden'); END;
""",
    )


@migrations(name="m002_personal_data_hold")
def m002_personal_data_hold(db: Database) -> None:
    """An idea can be held for the facilitator before it reaches the wall.

    The hold is part of the idea's visibility, not of its status (submitted … implemented is
    what happened to the idea in the process; a hold is whether the room may see it yet). A
    held idea is also ``hidden``, so every read path that keeps hidden ideas off the wall,
    the phones, the ballots and the exports keeps held ones off as well, with no second
    filter to forget; ``held`` tells the console and the author that it waits for a person.
    ``flags``: the kinds of personal data found in the text (comma-separated), kept after
    the facilitator decides, for the record.
    """
    run_sql(
        db,
        """
ALTER TABLE ideas ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1));
ALTER TABLE ideas ADD COLUMN flags TEXT;
CREATE INDEX ideas_held ON ideas (meeting_id, held) WHERE held = 1;
""",
    )


@migrations(name="m003_pre_moderation")
def m003_pre_moderation(db: Database) -> None:
    """Steps whose ideas reach the wall only after the facilitator approves them (a sensitive
    meeting). Kept beside moderation, not in ``steps.settings``: it can be switched while the
    step runs, and every switch is logged."""
    run_sql(
        db,
        """
CREATE TABLE step_moderation (
    step_id INTEGER PRIMARY KEY REFERENCES steps (id),
    pre_moderation INTEGER NOT NULL DEFAULT 0 CHECK (pre_moderation IN (0, 1))
);
""",
    )


@dataclass(frozen=True)
class IdeaEdit:
    id: int
    idea_id: int
    before: str
    after: str
    reason: str | None
    at: str


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def log_action(
    db: Database,
    meeting_id: int,
    actor: User | None,
    action: str,
    *,
    idea_id: int | None = None,
    theme_id: int | None = None,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
    step_id: int | None = None,
) -> None:
    """Append to the meeting's moderation log and the audit log, in the caller's transaction."""
    db.execute(
        "INSERT INTO moderation_log (meeting_id, at, user_id, actor, action, idea_id, theme_id,"
        " reason, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            meeting_id,
            utcnow(),
            actor.id if actor else None,
            actor.username if actor else "system",
            action,
            idea_id,
            theme_id,
            reason,
            _json(before),
            _json(after),
        ],
    )
    entity, entity_id = ("ideas", idea_id) if idea_id is not None else ("themes", theme_id)
    if step_id is not None:
        entity, entity_id = "steps", step_id
    audit.record(db, actor, action, entity, entity_id, before=before, after=after)


def _idea_row(db: Database, idea_id: int) -> sqlite3.Row | tuple:
    row = db.execute(
        "SELECT meeting_id, text, hidden, hide_reason, merged_into_id FROM ideas WHERE id = ?",
        [idea_id],
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    return row


def _not_erased(reason: object) -> None:
    """An idea erased at its author's request (its words replaced, its row kept for a record
    that points at it) is not shown, hidden anew, edited or let through: a facilitator's
    "show again" put an empty idea back on the wall (a fresh-eyes trial)."""
    if reason == ERASED_IDEA_REASON:
        raise NotAllowed("error.moderation.erased")


def touch_idea(db: Database, meeting_id: int, idea_id: int) -> int:
    """Give a changed idea a new sequence number so that every phone fetches it again."""
    seq = bump_change(db, meeting_id)
    db.execute("UPDATE ideas SET seq = ?, updated_at = ? WHERE id = ?", [seq, utcnow(), idea_id])
    return seq


def _reason(reason: str | None, *, required: bool) -> str | None:
    cleaned = clean_text(reason)
    if required and not cleaned:
        raise InvalidInput("error.moderation.reason_required")
    if len(cleaned) > REASON_MAX:
        raise InvalidInput(
            "error.text.too_long", field="reason", max=REASON_MAX, length=len(cleaned)
        )
    return cleaned or None


def hide_idea(store: Store, idea_id: int, reason: str, *, actor: User | None) -> None:
    """Take an idea off the wall. Its author still sees it, with the reason."""
    why = _reason(reason, required=True)
    with store.transaction() as db:
        meeting_id, _, hidden, old_reason, merged_into = _idea_row(db, idea_id)
        _not_erased(old_reason)
        if merged_into is not None:
            raise NotAllowed("error.moderation.merged")
        # A held idea is hidden from the room too: the log says it was held, and why.
        kinds = _held_kinds(db, idea_id)
        was: dict[str, Any] = (
            {"held": True, "flags": kinds}
            if kinds is not None
            else {"hidden": bool(hidden), "reason": old_reason}
        )
        db.execute(
            "UPDATE ideas SET hidden = 1, hide_reason = ?, held = 0 WHERE id = ?", [why, idea_id]
        )
        touch_idea(db, meeting_id, idea_id)
        bump_votes(db, meeting_id)
        log_action(
            db,
            meeting_id,
            actor,
            "hide_idea",
            idea_id=idea_id,
            reason=why,
            before=was,
            after={"hidden": True, "reason": why},
        )


def unhide_idea(store: Store, idea_id: int, *, actor: User | None) -> None:
    with store.transaction() as db:
        meeting_id, _, hidden, old_reason, merged_into = _idea_row(db, idea_id)
        _not_erased(old_reason)
        if merged_into is not None:
            raise NotAllowed("error.moderation.merged")
        if not hidden:
            return
        db.execute(
            "UPDATE ideas SET hidden = 0, hide_reason = NULL, held = 0 WHERE id = ?", [idea_id]
        )
        touch_idea(db, meeting_id, idea_id)
        bump_votes(db, meeting_id)
        log_action(
            db,
            meeting_id,
            actor,
            "unhide_idea",
            idea_id=idea_id,
            before={"hidden": True, "reason": old_reason},
            after={"hidden": False},
        )


def _held_kinds(db: Database, idea_id: int) -> list[str] | None:
    """None when the idea is not held; else the kinds of personal data found in it (stored
    as ``phone,email``), as a list (none: held by a step's pre-moderation)."""
    held, stored = db.execute("SELECT held, flags FROM ideas WHERE id = ?", [idea_id]).fetchone()
    if not held:
        return None
    return stored.split(",") if stored else []


def release_idea(store: Store, idea_id: int, *, actor: User | None) -> None:
    """Let a held idea through to the wall (the detector's alarm was false, or an edit took
    the personal data out). An idea that is not held is refused, so that a co-facilitator's
    stale tap changes nothing."""
    with store.transaction() as db:
        meeting_id, _, _, reason, merged_into = _idea_row(db, idea_id)
        _not_erased(reason)
        if merged_into is not None:
            raise NotAllowed("error.moderation.merged")
        kinds = _held_kinds(db, idea_id)
        if kinds is None:
            raise NotAllowed("error.moderation.not_held")
        db.execute(
            "UPDATE ideas SET hidden = 0, hide_reason = NULL, held = 0 WHERE id = ?", [idea_id]
        )
        touch_idea(db, meeting_id, idea_id)
        bump_votes(db, meeting_id)
        log_action(
            db,
            meeting_id,
            actor,
            "release_idea",
            idea_id=idea_id,
            before={"held": True, "flags": kinds},
            after={"held": False},
        )


def has_pre_moderation(store: Store, step_id: int) -> bool:
    return bool(
        store.scalar("SELECT pre_moderation FROM step_moderation WHERE step_id = ?", [step_id])
    )


def set_pre_moderation(store: Store, step_id: int, on: bool, *, actor: User | None) -> None:
    """Hold every new idea of a step until the facilitator approves it (or stop doing so).
    Ideas posted before keep their place; ideas already waiting keep waiting."""
    with store.transaction() as db:
        row = db.execute("SELECT meeting_id FROM steps WHERE id = ?", [step_id]).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        before = db.execute(
            "SELECT pre_moderation FROM step_moderation WHERE step_id = ?", [step_id]
        ).fetchone()
        if bool(before and before[0]) == on:
            return
        db.execute(
            "INSERT INTO step_moderation (step_id, pre_moderation) VALUES (?, ?)"
            " ON CONFLICT (step_id) DO UPDATE SET pre_moderation = excluded.pre_moderation",
            [step_id, int(on)],
        )
        log_action(
            db,
            row[0],
            actor,
            "set_pre_moderation",
            step_id=step_id,
            before={"step_id": step_id, "pre_moderation": not on},
            after={"step_id": step_id, "pre_moderation": on},
        )


def list_held(store: Store, meeting_id: int) -> list[Idea]:
    """Ideas waiting for the facilitator before the wall, oldest first."""
    rows = store.query(
        "SELECT * FROM ideas WHERE meeting_id = ? AND held = 1 ORDER BY id", [meeting_id]
    )
    return [ideas.idea_from_row(r) for r in rows]


def edit_idea(
    store: Store,
    idea_id: int,
    text: str,
    *,
    reason: str | None = None,
    actor: User | None,
    max_chars: int = 500,
) -> None:
    """Correct an idea's text (a typo, personal data). The old wording is kept in the trail."""
    new_text = require_text(text, max_chars=max_chars, field="idea")
    why = _reason(reason, required=False)
    with store.transaction() as db:
        meeting_id, old_text, _, reason, _ = _idea_row(db, idea_id)
        _not_erased(reason)
        if new_text == old_text:
            return
        now = utcnow()
        db.execute(
            "INSERT INTO idea_edits (idea_id, before, after, reason, user_id, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [idea_id, old_text, new_text, why, actor.id if actor else None, now],
        )
        # The flags follow the words; a held idea stays held until someone lets it through.
        flags = ",".join(personal_data.kinds(new_text)) or None
        db.execute(
            "UPDATE ideas SET text = ?, edited_at = ?, flags = ? WHERE id = ?",
            [new_text, now, flags, idea_id],
        )
        touch_idea(db, meeting_id, idea_id)
        log_action(
            db,
            meeting_id,
            actor,
            "edit_idea",
            idea_id=idea_id,
            reason=why,
            before={"text": old_text},
            after={"text": new_text},
        )


def list_idea_edits(store: Store, idea_id: int) -> list[IdeaEdit]:
    rows = store.query(
        "SELECT id, idea_id, before, after, reason, at FROM idea_edits WHERE idea_id = ?"
        " ORDER BY id",
        [idea_id],
    )
    return [IdeaEdit(**row) for row in rows]


def merge_ideas(
    store: Store,
    keep_id: int,
    duplicate_ids: list[int],
    *,
    actor: User | None,
    only_shown: bool = False,
) -> int:
    """Merge duplicates into ``keep_id``; return how many dots moved.

    Authors of the duplicates are credited on the kept idea, their dots move to it, and the
    duplicates leave the wall (they stay in the database, pointing at the kept idea).
    ``only_shown``: every duplicate must still be on the wall (a suggestion made before a
    co-facilitator hid or merged one of them is refused whole: ``error.suggestions.stale``).
    """
    duplicates = sorted({int(i) for i in duplicate_ids} - {int(keep_id)})
    if not duplicates:
        raise InvalidInput("error.moderation.merge_nothing")
    moved = 0
    with store.transaction() as db:
        meeting_id, _, keep_hidden, _, keep_merged = _idea_row(db, keep_id)
        if only_shown and (keep_hidden or keep_merged is not None):
            raise NotAllowed("error.suggestions.stale")
        if keep_hidden or keep_merged is not None:
            raise NotAllowed("error.moderation.merge_into_hidden")
        for duplicate in duplicates:
            dup_meeting, dup_text, dup_hidden, _, dup_merged = _idea_row(db, duplicate)
            if dup_meeting != meeting_id:
                raise NotFound("error.not_found")
            if only_shown and (dup_hidden or dup_merged is not None):
                raise NotAllowed("error.suggestions.stale")
            if dup_merged is not None:
                raise NotAllowed("error.moderation.merged")
            entries = db.execute(
                "SELECT ballot_id, value FROM ballot_entries WHERE idea_id = ?", [duplicate]
            ).fetchall()
            for ballot_id, value in entries:
                db.execute(
                    "DELETE FROM ballot_entries WHERE ballot_id = ? AND idea_id = ?",
                    [ballot_id, duplicate],
                )
                try:
                    db.execute(
                        "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, ?)"
                        " ON CONFLICT (ballot_id, idea_id) DO UPDATE"
                        " SET value = ballot_entries.value + excluded.value",
                        [ballot_id, keep_id, value],
                    )
                except sqlite3.IntegrityError as error:
                    raise InvalidInput("error.moderation.merge_cap") from error
                moved += value
            # Earlier merges into the duplicate now point at the kept idea (no chains).
            db.execute(
                "UPDATE ideas SET merged_into_id = ? WHERE merged_into_id = ?",
                [keep_id, duplicate],
            )
            db.execute(
                "UPDATE ideas SET merged_into_id = ?, hidden = 1, hide_reason = NULL,"
                " held = 0, theme_id = NULL WHERE id = ?",
                [keep_id, duplicate],
            )
            touch_idea(db, meeting_id, duplicate)
            log_action(
                db,
                meeting_id,
                actor,
                "merge_idea",
                idea_id=duplicate,
                before={"text": dup_text, "dots": sum(v for _, v in entries)},
                after={"merged_into_id": keep_id},
            )
        touch_idea(db, meeting_id, keep_id)
        bump_votes(db, meeting_id)
    return moved


def credits(store: Store, meeting_id: int) -> dict[int, list[dict[str, Any]]]:
    """For each idea that absorbed duplicates: the authors of those duplicates, oldest first."""
    rows = store.query(
        "SELECT merged_into_id, id, author_name, participant_id, entered_by FROM ideas"
        " WHERE meeting_id = ? AND merged_into_id IS NOT NULL ORDER BY id",
        [meeting_id],
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row["merged_into_id"], []).append(row)
    return result


def list_log(store: Store, meeting_id: int, *, newest: int | None = None) -> list[dict[str, Any]]:
    """The meeting's moderation log, oldest first; ``newest``: only the newest so many
    entries, newest first."""
    sql = (
        "SELECT id, at, actor, action, idea_id, theme_id, reason, before, after"
        " FROM moderation_log WHERE meeting_id = ?"
    )
    if newest is None:
        return store.query(f"{sql} ORDER BY id", [meeting_id])
    return store.query(f"{sql} ORDER BY id DESC LIMIT ?", [meeting_id, newest])


def log_size(store: Store, meeting_id: int) -> int:
    return int(
        store.scalar("SELECT count(*) FROM moderation_log WHERE meeting_id = ?", [meeting_id])
    )


def log_frame(
    store: Store,
    meeting_id: int,
    lang: str = "da",
    *,
    newest: int | None = None,
) -> pd.DataFrame:
    """The log for reading on screen: local times in the reader's style (never UTC), action
    names, before and after in words (``workshop.meetings.log_text``), blanks for nothing.
    ``newest``: only the newest so many entries, newest first (a screen, where sorting 3,000
    theme placements into one table helps nobody; the CSV has all)."""
    from workshop.i18n import formats, translate
    from workshop.meetings.log_text import LogNames, change_text

    frame = pd.DataFrame(list_log(store, meeting_id, newest=newest), columns=EXPORT_COLUMNS)
    frame["at"] = [formats.datetime_text(at, lang, seconds=True) for at in frame["at"]]
    labels = {
        action: translate(lang, f"moderation.action.{action}")
        for action in frame["action"].unique()
    }
    frame["action"] = frame["action"].map(labels)
    # Ideas by the number the console shows (#12), themes by name: text columns, so that a
    # row without one is blank rather than a mixed column the table cannot draw.
    names = {
        r["id"]: r["name"]
        for r in store.query("SELECT id, name FROM themes WHERE meeting_id = ?", [meeting_id])
    }
    steps = {
        r["id"]: translate(
            lang, "audit.ref.steps", number=r["position"], kind=translate(lang, f"step.{r['kind']}")
        )
        for r in store.query(
            "SELECT id, position, kind FROM steps WHERE meeting_id = ?", [meeting_id]
        )
    }
    log_names = LogNames(themes=names, steps=steps)
    for side in ("before", "after"):
        frame[side] = [
            change_text(None if pd.isna(raw) else raw, lang, log_names, reason=reason)
            for raw, reason in zip(frame[side], frame["reason"], strict=True)
        ]
    frame["idea_id"] = ["" if pd.isna(i) else f"#{int(i)}" for i in frame["idea_id"]]
    frame["theme_id"] = [
        "" if pd.isna(i) else names.get(int(i), f"#{int(i)}") for i in frame["theme_id"]
    ]
    return frame.astype(object).where(frame.notna(), "")


def log_csv(store: Store, meeting_id: int, lang: str = "da") -> str:
    """The whole log for a spreadsheet, oldest first, as the console's table reads: the
    reader's column names, actions and changes in words, local time (a header row, one action
    per row; ``spreadsheets.reader_csv``: a byte-order mark, the reader's list separator).
    Cells a spreadsheet would run as formulas are neutralised (``workshop.spreadsheets``).
    The stored record itself: :func:`log_json`."""
    from workshop.i18n import translate

    header = [translate(lang, COLUMN_HEADINGS[column]) for column in EXPORT_COLUMNS]
    frame = log_frame(store, meeting_id, lang)
    return spreadsheets.reader_csv(lang, header, frame[EXPORT_COLUMNS].itertuples(index=False))


def log_file_name(meeting_id: int, lang: str, kind: str) -> str:
    """The CSV, for reading, is named in the reader's language (``samskab-moderationslog-3.csv``);
    the JSON (``kind="json"``) keeps its keys' English: ``samskab-moderation-log-3.json``."""
    from workshop.i18n import translate

    if kind == "json":
        return f"samskab-moderation-log-{meeting_id}.json"
    return f"samskab-{translate(lang, 'documents.file.moderation', id=meeting_id)}.csv"


def log_json(store: Store, meeting_id: int) -> str:
    """The log as stored, for a machine or an auditor: codes, ids, before and after decoded,
    times with the installation's offset (as the audit log's JSON)."""
    return audit.to_json(list_log(store, meeting_id), local_time=True, columns=EXPORT_COLUMNS)
