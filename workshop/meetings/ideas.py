"""Ideas: posted from phones (or by a facilitator on someone's behalf) during a brainstorm."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from workshop import audit
from workshop.cache import VersionedCache
from workshop.db import Store
from workshop.errors import NotAllowed, NotFound, RateLimited
from workshop.meetings import personal_data
from workshop.meetings.core import bump_change
from workshop.meetings.stream import Votable
from workshop.model import Idea, IdeaStatus, Participant, StepKind, User, utcnow
from workshop.text import clean_text, require_text

DEFAULT_MAX_CHARS = 500
DEFAULT_PER_MINUTE = 6
DUPLICATE_WINDOW_S = 60  # the same text from the same phone within a minute is a double tap


def idea_from_row(row: dict[str, Any]) -> Idea:
    return Idea(
        id=row["id"],
        meeting_id=row["meeting_id"],
        step_id=row["step_id"],
        participant_id=row["participant_id"],
        author_name=row["author_name"],
        text=row["text"],
        status=IdeaStatus(row["status"]),
        hidden=bool(row["hidden"]),
        hide_reason=row["hide_reason"],
        on_behalf=row["entered_by"] is not None,
        seq=row["seq"],
        created_at=row["created_at"],
        theme_id=row.get("theme_id"),
        merged_into_id=row.get("merged_into_id"),
        edited=row.get("edited_at") is not None,
        held=bool(row.get("held")),
        flags=tuple(row["flags"].split(",")) if row.get("flags") else (),
    )


def _flags(text: str) -> str | None:
    """The kinds of personal data in ``text`` as stored (``phone,email``), or None.

    An idea with any is inserted held (and hidden): it reaches no wall, phone, ballot or
    export until the facilitator hides it with a reason or lets it through.
    """
    return ",".join(personal_data.kinds(text)) or None


def _pre_moderated(db: Any, step_id: int) -> bool:
    """The step holds every idea for the facilitator's approval (``moderation``'s table)."""
    row = db.execute(
        "SELECT pre_moderation FROM step_moderation WHERE step_id = ?", [step_id]
    ).fetchone()
    return bool(row and row[0])


def _ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def _open_brainstorm_step(
    db: Any, meeting_id: int, expected_step_id: int | None = None
) -> tuple[int, dict[str, Any]]:
    """The current step's id and settings if it takes ideas now; otherwise a clear refusal.

    ``expected_step_id`` is the step the phone was showing: if the facilitator has moved on
    since, the idea is refused rather than filed under a step its author never saw.
    """
    row = db.execute(
        "SELECT m.status, s.id, s.kind, s.intake_open, s.settings FROM meetings m"
        " LEFT JOIN steps s ON s.id = m.current_step_id WHERE m.id = ?",
        [meeting_id],
    ).fetchone()
    if row is None or row[0] != "running" or row[1] is None:
        raise NotAllowed("error.idea.not_running")
    if expected_step_id is not None and row[1] != expected_step_id:
        raise NotAllowed("error.step.ended")
    if not StepKind(row[2]).takes_ideas or not row[3]:
        raise NotAllowed("error.idea.intake_closed")
    return int(row[1]), json.loads(row[4] or "{}")


def submit_idea(
    store: Store,
    participant: Participant,
    text: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    per_minute: int = DEFAULT_PER_MINUTE,
    step_id: int | None = None,
) -> Idea:
    """Post an idea from a phone. A double tap returns the first idea instead of a copy.

    ``per_minute`` is the installation's limit; a brainstorm step may set its own
    (``ideas_per_minute`` in its settings). ``step_id``: the step the phone showed.
    """
    text = require_text(text, max_chars=max_chars, field="idea")
    now = utcnow()
    with store.transaction() as db:
        if (
            db.execute("SELECT 1 FROM participants WHERE id = ?", [participant.id]).fetchone()
            is None
        ):
            raise NotFound("error.participant.unknown")  # removed, or gone with a restore
        step_id, step_settings = _open_brainstorm_step(db, participant.meeting_id, step_id)
        per_minute = int(step_settings.get("ideas_per_minute") or per_minute)
        same = db.execute(
            "SELECT id FROM ideas WHERE participant_id = ? AND step_id = ? AND text = ?"
            " AND created_at > ?",
            [participant.id, step_id, text, _ago(DUPLICATE_WINDOW_S)],
        ).fetchone()
        idea_id: int | None
        if same:
            idea_id = int(same[0])
        else:
            recent = db.execute(
                "SELECT COUNT(*) FROM ideas WHERE participant_id = ? AND created_at > ?",
                [participant.id, _ago(60)],
            ).fetchone()[0]
            if recent >= per_minute:
                raise RateLimited("error.idea.too_fast", per_minute=per_minute)
            seq = bump_change(db, participant.meeting_id)
            flags = _flags(text)
            held = bool(flags) or _pre_moderated(db, step_id)
            idea_id = db.execute(
                "INSERT INTO ideas (meeting_id, step_id, participant_id, author_name, text, seq,"
                " created_at, updated_at, hidden, held, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                " ?, ?, ?) RETURNING id",
                [
                    participant.meeting_id,
                    step_id,
                    participant.id,
                    participant.display_name,
                    text,
                    seq,
                    now,
                    now,
                    int(held),
                    int(held),
                    flags,
                ],
            ).fetchall()[0][0]
    return get_idea(store, idea_id)


def submit_on_behalf(
    store: Store,
    meeting_id: int,
    text: str,
    *,
    author_name: str = "",
    actor: User,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Idea:
    """A facilitator enters an idea for someone without a phone; it is marked as such."""
    text = require_text(text, max_chars=max_chars, field="idea")
    author_name = clean_text(author_name)[:40].strip()
    now = utcnow()
    with store.transaction() as db:
        step_id, _ = _open_brainstorm_step(db, meeting_id)
        seq = bump_change(db, meeting_id)
        flags = _flags(text)
        idea_id = db.execute(
            "INSERT INTO ideas (meeting_id, step_id, entered_by, author_name, text, seq,"
            " created_at, updated_at, hidden, held, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?) RETURNING id",
            [
                meeting_id,
                step_id,
                actor.id,
                author_name,
                text,
                seq,
                now,
                now,
                int(bool(flags)),
                int(bool(flags)),
                flags,
            ],
        ).fetchall()[0][0]
        assert idea_id is not None
        audit.record(db, actor, "submit_on_behalf", "ideas", idea_id, after={"text": text})
    return get_idea(store, idea_id)


def get_idea(store: Store, idea_id: int | None) -> Idea:
    from workshop.errors import NotFound

    row = store.query_one("SELECT * FROM ideas WHERE id = ?", [idea_id])
    if row is None:
        raise NotFound("error.not_found")
    return idea_from_row(row)


def list_ideas(store: Store, meeting_id: int, *, include_hidden: bool = False) -> list[Idea]:
    sql = "SELECT * FROM ideas WHERE meeting_id = ?"
    if not include_hidden:
        sql += " AND hidden = 0"
    return [idea_from_row(r) for r in store.query(sql + " ORDER BY id", [meeting_id])]


def ideas_on_wall_by_id(store: Store, meeting_id: int, idea_ids: list[int]) -> list[Idea]:
    """Those of ``idea_ids`` still on the meeting's wall (not hidden, held or merged)."""
    if not idea_ids:
        return []
    marks = ", ".join("?" * len(idea_ids))
    rows = store.query(
        f"SELECT * FROM ideas WHERE meeting_id = ? AND hidden = 0 AND id IN ({marks}) ORDER BY id",
        [meeting_id, *idea_ids],
    )
    return [idea_from_row(r) for r in rows]


def ideas_changed_since(
    store: Store, meeting_id: int, after_seq: int, *, limit: int | None = None
) -> list[Idea]:
    """Ideas added or changed after ``after_seq``: what a phone has not seen yet.

    With ``limit``: only the newest ``limit`` changes (a phone keeps a window of the stream;
    when more changed than it keeps, it reloads the window with ``newest_ideas``).
    """
    if limit is None:
        rows = store.query(
            "SELECT * FROM ideas WHERE meeting_id = ? AND seq > ? ORDER BY seq",
            [meeting_id, after_seq],
        )
    else:
        rows = store.query(
            "SELECT * FROM ideas WHERE meeting_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?",
            [meeting_id, after_seq, limit],
        )[::-1]
    return [idea_from_row(r) for r in rows]


def newest_ideas(store: Store, meeting_id: int, limit: int) -> list[Idea]:
    """The ``limit`` most recently posted ideas, oldest first: a phone's first look at the room."""
    rows = store.query(
        "SELECT * FROM ideas WHERE meeting_id = ? ORDER BY id DESC LIMIT ?", [meeting_id, limit]
    )
    return [idea_from_row(r) for r in reversed(rows)]


def own_set_aside(store: Store, participant_id: int) -> list[Idea]:
    """A participant's own ideas that were hidden, held or merged, oldest first: their phone
    says why, however many ideas came after (a first look fetches only the newest)."""
    rows = store.query(
        "SELECT * FROM ideas WHERE participant_id = ? AND hidden = 1 ORDER BY id", [participant_id]
    )
    return [idea_from_row(r) for r in rows]


def list_participant_ideas(store: Store, participant_id: int) -> list[Idea]:
    rows = store.query("SELECT * FROM ideas WHERE participant_id = ? ORDER BY id", [participant_id])
    return [idea_from_row(r) for r in rows]


_wall_cache: VersionedCache[tuple[Idea, ...]] = VersionedCache()


def wall_ideas(store: Store, meeting_id: int, change_seq: int) -> tuple[Idea, ...]:
    """The ideas on the wall (not hidden, not merged), oldest first.

    Shared by every viewer in the process and computed once per ``change_seq``: 300 phones
    opening their ballot, or a projector ticking every second, cost one query per change.
    """

    def compute() -> tuple[Idea, ...]:
        return tuple(list_ideas(store, meeting_id))

    return _wall_cache.get(("wall", store.path, meeting_id), change_seq, compute)


_every_cache: VersionedCache[tuple[Idea, ...]] = VersionedCache()


def every_idea(store: Store, meeting_id: int, change_seq: int) -> tuple[Idea, ...]:
    """Every idea of the meeting, hidden, held and merged ones too (the console's view), oldest
    first; read once per ``change_seq`` and shared by every console in the process, so a
    facilitator's tabs and panels do not each read 3,000 ideas on every run."""

    def compute() -> tuple[Idea, ...]:
        return tuple(list_ideas(store, meeting_id, include_hidden=True))

    return _every_cache.get(("every", store.path, meeting_id), change_seq, compute)


def wall_ids(store: Store, meeting_id: int, change_seq: int) -> frozenset[int]:
    """The ids of the ideas on the wall: what a phone's ballot must show. A merge or a hide
    changes it; a phone whose ballot was drawn with other ids draws it again."""
    return _ids_cache.get(
        ("ids", store.path, meeting_id),
        change_seq,
        lambda: frozenset(i.id for i in wall_ideas(store, meeting_id, change_seq)),
    )


_ids_cache: VersionedCache[frozenset[int]] = VersionedCache()


def wall_votable(store: Store, meeting_id: int, change_seq: int) -> Votable:
    """The wall as each phone orders its ballot from it, made once per ``change_seq``."""
    return _votable_cache.get(
        ("votable", store.path, meeting_id),
        change_seq,
        lambda: Votable.of(wall_ideas(store, meeting_id, change_seq)),
    )


_votable_cache: VersionedCache[Votable] = VersionedCache()


def merged_into_texts(store: Store, merged: Iterable[Idea]) -> dict[int, str]:
    """For each merged idea: the text of the idea it was merged with (its author reads it)."""
    targets = {i.id: i.merged_into_id for i in merged if i.merged_into_id is not None}
    if not targets:
        return {}
    wanted = sorted(set(targets.values()))
    marks = ", ".join("?" for _ in wanted)
    texts = {
        r["id"]: r["text"]
        for r in store.query(f"SELECT id, text FROM ideas WHERE id IN ({marks})", wanted)
    }
    return {idea_id: texts[target] for idea_id, target in targets.items() if target in texts}


_count_cache: VersionedCache[int] = VersionedCache()


def wall_count(store: Store, meeting_id: int, change_seq: int) -> int:
    """How many ideas are on the wall: one indexed count per change, shared like the wall."""

    def compute() -> int:
        sql = "SELECT COUNT(*) FROM ideas WHERE meeting_id = ? AND hidden = 0"
        return int(store.scalar(sql, [meeting_id]) or 0)

    return _count_cache.get(("count", store.path, meeting_id), change_seq, compute)
