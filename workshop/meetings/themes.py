"""Themes: the facilitator groups ideas during the clustering step.

Each action is part of moderation (logged per meeting, exportable) and bumps the meeting's
``change_seq``, so phones and the projector redraw their grouped view with the next refresh.
An idea put into a theme moves from ``submitted`` to ``themed`` in its status history.

The ``themes`` table and ``ideas.theme_id`` come from the first migration of the moderation set
(``samskab.moderation`` in ``workshop.meetings.moderation``): themes began as part of moderation,
and an applied migration never moves. Both now live in this one capability, ``meetings``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import idea_status
from workshop.meetings.core import bump_change
from workshop.meetings.moderation import log_action, touch_idea
from workshop.model import IdeaStatus, Theme, User, utcnow
from workshop.text import require_text

NAME_MAX = 80


def _theme(row: dict[str, Any]) -> Theme:
    return Theme(
        id=row["id"], meeting_id=row["meeting_id"], name=row["name"], position=row["position"]
    )


def get_theme(store: Store, theme_id: int) -> Theme:
    row = store.query_one("SELECT * FROM themes WHERE id = ?", [theme_id])
    if row is None:
        raise NotFound("error.not_found")
    return _theme(row)


def list_themes(store: Store, meeting_id: int) -> list[Theme]:
    rows = store.query(
        "SELECT * FROM themes WHERE meeting_id = ? ORDER BY position, id", [meeting_id]
    )
    return [_theme(r) for r in rows]


def create_theme(store: Store, meeting_id: int, name: str, *, actor: User | None) -> Theme:
    name = require_text(name, max_chars=NAME_MAX, field="theme")
    with store.transaction() as db:
        theme_id = insert_theme(db, meeting_id, name, actor=actor)
    return get_theme(store, theme_id)


def insert_theme(db: Database, meeting_id: int, name: str, *, actor: User | None) -> int:
    """Write a new theme (``name`` already checked) inside the caller's transaction."""
    if not db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone():
        raise NotFound("error.not_found")
    position = db.execute(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM themes WHERE meeting_id = ?", [meeting_id]
    ).fetchone()[0]
    theme_id = db.execute(
        "INSERT INTO themes (meeting_id, name, position, created_at) VALUES (?, ?, ?, ?)"
        " RETURNING id",
        [meeting_id, name, position, utcnow()],
    ).fetchall()[0][0]
    assert theme_id is not None
    bump_change(db, meeting_id)
    log_action(db, meeting_id, actor, "create_theme", theme_id=theme_id, after={"name": name})
    return theme_id


def rename_theme(store: Store, theme_id: int, name: str, *, actor: User | None) -> Theme:
    name = require_text(name, max_chars=NAME_MAX, field="theme")
    before = get_theme(store, theme_id)
    with store.transaction() as db:
        db.execute("UPDATE themes SET name = ? WHERE id = ?", [name, theme_id])
        bump_change(db, before.meeting_id)
        log_action(
            db,
            before.meeting_id,
            actor,
            "rename_theme",
            theme_id=theme_id,
            before={"name": before.name},
            after={"name": name},
        )
    return get_theme(store, theme_id)


def delete_theme(store: Store, theme_id: int, *, actor: User | None) -> None:
    """Remove a theme; its ideas stay, without a theme."""
    theme = get_theme(store, theme_id)
    with store.transaction() as db:
        ideas = [
            r[0]
            for r in db.execute("SELECT id FROM ideas WHERE theme_id = ?", [theme_id]).fetchall()
        ]
        db.execute("UPDATE ideas SET theme_id = NULL WHERE theme_id = ?", [theme_id])
        for idea_id in ideas:
            touch_idea(db, theme.meeting_id, idea_id)
        db.execute("DELETE FROM themes WHERE id = ?", [theme_id])
        bump_change(db, theme.meeting_id)
        log_action(
            db,
            theme.meeting_id,
            actor,
            "delete_theme",
            theme_id=theme_id,
            before={"name": theme.name, "ideas": ideas},
        )


def assign_theme(store: Store, idea_id: int, theme_id: int | None, *, actor: User | None) -> None:
    """Put an idea into a theme (or take it out with ``None``)."""
    with store.transaction() as db:
        row = db.execute(
            "SELECT meeting_id, theme_id, merged_into_id, status FROM ideas WHERE id = ?",
            [idea_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        meeting_id, _, merged_into, _ = row
        if merged_into is not None:
            raise NotAllowed("error.moderation.merged")
        if theme_id is not None:
            theme = db.execute("SELECT meeting_id FROM themes WHERE id = ?", [theme_id]).fetchone()
            if theme is None or theme[0] != meeting_id:
                raise NotFound("error.not_found")
        place_idea(db, idea_id, row, theme_id, actor)


def idea_rows(db: Database, idea_ids: list[int]) -> dict[int, Any]:
    """(id, meeting_id, theme_id, merged_into_id, status, hidden) of the ideas, by id, read in
    the caller's transaction: what placing them in a theme must check."""
    marks = ", ".join("?" * len(idea_ids))
    return {
        r[0]: r
        for r in db.execute(
            "SELECT id, meeting_id, theme_id, merged_into_id, status, hidden FROM ideas"
            f" WHERE id IN ({marks})",
            idea_ids,
        ).fetchall()
    }


def assign_ideas_to_theme(
    store: Store, theme_id: int, idea_ids: Sequence[int], *, actor: User | None
) -> int:
    """Put several ideas into a theme in one transaction: all of them, or none.

    One idea that is unknown, of another meeting, hidden or merged refuses the lot and
    nothing is saved. Returns how many ideas moved (those already in the theme stay).
    """
    wanted = list(dict.fromkeys(idea_ids))  # a repeated id counts once, in the order chosen
    if not wanted:
        raise InvalidInput("error.theme.no_ideas")
    theme = get_theme(store, theme_id)
    with store.transaction() as db:
        found = idea_rows(db, wanted)
        for idea_id in wanted:
            row = found.get(idea_id)
            if row is None or row[1] != theme.meeting_id:
                raise NotFound("error.theme.unknown_idea", idea_id=idea_id)
            if row[3] is not None:
                raise NotAllowed("error.moderation.merged")
            if row[5]:
                raise NotAllowed("error.theme.hidden_idea", idea_id=idea_id)
        moved = 0
        for idea_id in wanted:
            moved += place_idea(db, idea_id, found[idea_id][1:5], theme_id, actor)
    return moved


def place_idea(
    db: Database, idea_id: int, row: Sequence[Any], theme_id: int | None, actor: User | None
) -> int:
    """Write one idea's theme (``row``: its meeting, theme, merged_into, status); 1 if moved."""
    meeting_id, old_theme, _, status = row
    if old_theme == theme_id:
        return 0
    db.execute("UPDATE ideas SET theme_id = ? WHERE id = ?", [theme_id, idea_id])
    if theme_id is not None and status == IdeaStatus.SUBMITTED:
        idea_status.set_status(
            db,
            idea_id,
            IdeaStatus.THEMED,
            reason=None,
            actor=actor,
            source="theme",
            source_id=theme_id,
        )
    touch_idea(db, meeting_id, idea_id)
    log_action(
        db,
        meeting_id,
        actor,
        "assign_theme",
        idea_id=idea_id,
        theme_id=theme_id,
        before={"theme_id": old_theme},
        after={"theme_id": theme_id},
    )
    return 1
