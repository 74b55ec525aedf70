"""What the room's screen shows by the facilitator's choice: the large QR code.

On welcome and brainstorm the projector can draw the join QR code large (at least 35 % of the
screen's height), so that the back rows can scan it; the facilitator switches it on and off
on the console. The choice is the meeting's, kept in ``meetings.big_qr``; switching it bumps
the meeting's change counter, so the projector redraws at its next refresh.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workshop import audit
from workshop.db import Store
from workshop.errors import NotFound
from workshop.meetings.core import bump_change
from workshop.model import StepKind, User

migrations = Migrations("samskab.screen")

#: The steps where a large QR code is drawn when the facilitator has switched it on: the room
#: is still joining. Elsewhere the screen's room goes to ideas and results.
BIG_QR_STEPS = frozenset({StepKind.WELCOME, StepKind.BRAINSTORM})


@migrations(name="m001_big_qr")
def m001_big_qr(db: Database) -> None:
    db.execute(
        "ALTER TABLE meetings ADD COLUMN big_qr INTEGER NOT NULL DEFAULT 0 CHECK (big_qr IN (0, 1))"
    )


def has_big_qr(store: Store, meeting_id: int) -> bool:
    """Whether the facilitator has asked for the large QR code."""
    row = store.query_one("SELECT big_qr FROM meetings WHERE id = ?", [meeting_id])
    if row is None:
        raise NotFound("error.not_found")
    return bool(row["big_qr"])


def shows_big_qr(big_qr: bool, step_kind: StepKind | None) -> bool:
    """The projector draws the QR code large: switched on, and the room is still joining
    (before the first step, on welcome and on brainstorm)."""
    return big_qr and (step_kind is None or step_kind in BIG_QR_STEPS)


def set_big_qr(store: Store, meeting_id: int, large: bool, *, actor: User | None) -> None:
    """Switch the projector's large QR code on or off; audited."""
    with store.transaction() as db:
        row = db.execute("SELECT big_qr FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if bool(row[0]) == large:
            return  # already so: nothing to change or log
        db.execute("UPDATE meetings SET big_qr = ? WHERE id = ?", [int(large), meeting_id])
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "set_big_qr",
            "meetings",
            meeting_id,
            before={"big_qr": bool(row[0])},
            after={"big_qr": large},
        )
