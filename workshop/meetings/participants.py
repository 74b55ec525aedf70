"""Who is in the room: how fast people join, the room's expected size, and removing someone.

Joining itself (codes, tokens, limits on joins) lives in ``workshop.meetings.core``. This module is
what the facilitator's console needs to notice and undo a flood of scripted participants:

* ``join_watch``: participants, joins in the last minute and the expected size, with a flag
  when the room holds more people (or more joined in the last minute) than expected;
* ``set_expected_participants``: the room's expected size, a setting on the meeting;
* ``remove_participant``: a participant and every vote of theirs, in every voting method,
  in one transaction, audited. Their ideas stay in the database but are hidden "as from a
  removed participant" (the facilitator's reason, in the moderation log as a hide), without
  the link to the removed person; their link and this browser's cookie stop working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database, Migrations

from workshop import audit
from workshop.db import Store, foreign_keys_to, run_sql
from workshop.errors import InvalidInput, NotFound
from workshop.model import User
from workshop.text import clean_text

migrations = Migrations("samskab.participants")

EXPECTED_MAX = 100_000
REASON_MAX = 200
# Rows that point at a participant but are not theirs to lose: kept, with the link cleared.
KEEP_WITHOUT_PARTICIPANT = ("erasures",)


@migrations(name="m001_expected_participants")
def _m001(db: Database) -> None:
    run_sql(
        db,
        """
ALTER TABLE meetings ADD COLUMN expected_participants INTEGER
    CHECK (expected_participants IS NULL OR expected_participants > 0);
CREATE INDEX participants_meeting_joined ON participants (meeting_id, joined_at);
""",
    )


@dataclass(frozen=True)
class JoinWatch:
    participants: int
    joins_last_minute: int
    expected: int | None

    @property
    def over_expected(self) -> bool:
        """More people in the room, or joining within a minute, than the room should hold."""
        if self.expected is None:
            return False
        return max(self.participants, self.joins_last_minute) > self.expected


@dataclass(frozen=True)
class Removal:
    participant_id: int
    ballots: int
    pairwise_choices: int
    ideas_hidden: int


def _minute_ago() -> str:
    return (datetime.now(UTC) - timedelta(seconds=60)).isoformat(timespec="milliseconds")


def join_watch(store: Store, meeting_id: int) -> JoinWatch:
    with store.snapshot() as db:
        row = db.execute(
            "SELECT m.expected_participants,"
            " (SELECT COUNT(*) FROM participants p WHERE p.meeting_id = m.id),"
            " (SELECT COUNT(*) FROM participants p WHERE p.meeting_id = m.id"
            "  AND p.joined_at > ?)"
            " FROM meetings m WHERE m.id = ?",
            [_minute_ago(), meeting_id],
        ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    return JoinWatch(participants=int(row[1]), joins_last_minute=int(row[2]), expected=row[0])


def set_expected_participants(
    store: Store, meeting_id: int, size: int | None, *, actor: User | None
) -> None:
    """The number of people the room is for (None: not set, no warning)."""
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= EXPECTED_MAX
    ):
        raise InvalidInput("error.participants.bad_expected", min=1, max=EXPECTED_MAX)
    with store.transaction() as db:
        row = db.execute(
            "SELECT expected_participants FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        db.execute("UPDATE meetings SET expected_participants = ? WHERE id = ?", [size, meeting_id])
        audit.record(
            db,
            actor,
            "set_expected_participants",
            "meetings",
            meeting_id,
            before={"expected_participants": row[0]},
            after={"expected_participants": size},
        )


def _referencing_participants(db: Database) -> list[tuple[str, str]]:
    """(table, column) pairs whose foreign key points at ``participants``: a new feature's
    rows about a participant are removed with them without a change here."""
    return foreign_keys_to(db, "participants")


def remove_participant(
    store: Store, meeting_id: int, participant_id: int, *, reason: str, actor: User | None
) -> Removal:
    """Remove a participant of ``meeting_id`` with every ballot and vote of theirs.

    Ballots of every method (dots, stances, scores, rankings, consent) and pairwise choices
    are deleted, so every tally counts without them (``vote_seq`` is bumped: cached tallies
    and opinion groups are computed again). Their ideas are hidden with ``reason`` and lose
    the link to the person. Everything else that points at the participant (agreement
    acknowledgements, feedback deliveries, contact details) goes too; an erasure record
    stays, without the link.
    """
    from workshop.meetings.core import bump_change, bump_votes
    from workshop.meetings.moderation import log_action, touch_idea

    why = clean_text(reason)
    if not why:
        raise InvalidInput("error.moderation.reason_required")
    if len(why) > REASON_MAX:
        raise InvalidInput("error.text.too_long", field="reason", max=REASON_MAX, length=len(why))
    with store.transaction() as db:
        row = db.execute(
            "SELECT display_name, joined_at FROM participants WHERE id = ? AND meeting_id = ?",
            [participant_id, meeting_id],
        ).fetchone()
        if row is None:  # e.g. removed a moment ago in another console tab
            raise NotFound("error.not_found")
        ballots = db.execute(
            "SELECT COUNT(*) FROM ballots WHERE participant_id = ?", [participant_id]
        ).fetchone()[0]
        pairwise = db.execute(
            "SELECT COUNT(*) FROM pairwise_choices WHERE participant_id = ?", [participant_id]
        ).fetchone()[0]
        visible = [
            int(r[0])
            for r in db.execute(
                "SELECT id FROM ideas WHERE participant_id = ? AND hidden = 0"
                " AND merged_into_id IS NULL ORDER BY id",
                [participant_id],
            ).fetchall()
        ]
        for idea_id in visible:
            db.execute("UPDATE ideas SET hidden = 1, hide_reason = ? WHERE id = ?", [why, idea_id])
            touch_idea(db, meeting_id, idea_id)
            log_action(
                db,
                meeting_id,
                actor,
                "hide_idea",
                idea_id=idea_id,
                reason=why,
                before={"hidden": False},
                after={"hidden": True, "reason": why, "participant_removed": participant_id},
            )
        db.execute(
            "DELETE FROM ballot_entries WHERE ballot_id IN"
            " (SELECT id FROM ballots WHERE participant_id = ?)",
            [participant_id],
        )
        for table, column in _referencing_participants(db):
            if table == "ideas" or table in KEEP_WITHOUT_PARTICIPANT:
                db.execute(
                    f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" = ?',
                    [participant_id],
                )
            else:
                db.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', [participant_id])
        db.execute("DELETE FROM participants WHERE id = ?", [participant_id])
        bump_votes(db, meeting_id)
        bump_change(db, meeting_id)
        removal = Removal(participant_id, int(ballots), int(pairwise), len(visible))
        audit.record(
            db,
            actor,
            "remove_participant",
            "participants",
            participant_id,
            before={
                "meeting_id": meeting_id,
                "joined_at": row[1],
                "ballots": removal.ballots,
                "pairwise_choices": removal.pairwise_choices,
                "ideas_hidden": removal.ideas_hidden,
            },
            after={"reason": why},
        )
    return removal


@dataclass(frozen=True)
class Listed:
    id: int
    display_name: str
    joined_at: str
    ideas: int
    ballots: int


def list_participants(store: Store, meeting_id: int) -> list[Listed]:
    """The room's participants, newest first, with how much each has posted and voted."""
    rows = store.query(
        "SELECT p.id, p.display_name, p.joined_at,"
        " (SELECT COUNT(*) FROM ideas i WHERE i.participant_id = p.id) AS ideas,"
        " (SELECT COUNT(*) FROM ballots b WHERE b.participant_id = p.id) AS ballots"
        " FROM participants p WHERE p.meeting_id = ? ORDER BY p.id DESC",
        [meeting_id],
    )
    return [Listed(**row) for row in rows]
