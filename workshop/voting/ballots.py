"""Ballots and rounds. Writes here; tallies are pure functions (``workshop.voting.tallies``).

Dot voting: each participant has N dots per round and places them one at a time. The ballot
is one row per participant per round (a UNIQUE constraint), its entries hold dots per idea,
and triggers keep the dot limits even if this module had a bug.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from workshop import audit
from workshop.cache import VersionedCache
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings.core import bump_change, bump_votes
from workshop.model import Participant, StepKind, User, utcnow


@dataclass(frozen=True)
class Round:
    id: int
    step_id: int
    number: int
    method: str
    is_open: bool
    revealed: bool
    dots_per_participant: int
    max_dots_per_idea: int | None


def _round(row: dict[str, Any]) -> Round:
    return Round(
        id=row["id"],
        step_id=row["step_id"],
        number=row["number"],
        method=row["method"],
        is_open=row["status"] == "open",
        revealed=bool(row["revealed"]),
        dots_per_participant=row["dots_per_participant"],
        max_dots_per_idea=row["max_dots_per_idea"],
    )


def current_round(store: Store, meeting_id: int) -> Round | None:
    """The latest round of the meeting's current step, if that step is a vote."""
    row = store.query_one(
        "SELECT r.* FROM rounds r JOIN meetings m ON m.current_step_id = r.step_id"
        " WHERE m.id = ? ORDER BY r.number DESC LIMIT 1",
        [meeting_id],
    )
    return _round(row) if row else None


def latest_round(store: Store, meeting_id: int, kind: StepKind | None = None) -> Round | None:
    """The most recent vote round of a meeting, open or closed; with ``kind``, the most recent
    round of a step of that kind (the dots of a dot vote are not a ranking's places)."""
    row = store.query_one(
        "SELECT r.* FROM rounds r JOIN steps s ON s.id = r.step_id WHERE s.meeting_id = ?"
        " AND r.opened_at IS NOT NULL AND (CAST(? AS TEXT) IS NULL OR s.kind = ?)"
        " ORDER BY r.opened_at DESC, r.id DESC LIMIT 1",
        [meeting_id, *[None if kind is None else kind.value] * 2],
    )
    return _round(row) if row else None


def get_round(store: Store, round_id: int) -> Round:
    row = store.query_one("SELECT * FROM rounds WHERE id = ?", [round_id])
    if row is None:
        raise NotFound("error.not_found")
    return _round(row)


# The participant's one ballot in the round, created on first use, its updated_at set:
# parameters round, participant, cast_at, updated_at.
UPSERT_BALLOT = (
    "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (round_id, participant_id) DO UPDATE SET updated_at = excluded.updated_at"
)


def ensure_ballot(db: Any, round_id: int, participant_id: int) -> int:
    """The participant's one ballot in the round, created on first use (one statement: the
    upsert returns the id, whether it inserted the row or updated it)."""
    now = utcnow()
    return int(
        db.execute(
            UPSERT_BALLOT + " RETURNING id", [round_id, participant_id, now, now]
        ).fetchall()[0][0]
    )


def check_votable(db: Any, meeting_id: int, idea_ids: Sequence[int]) -> None:
    """Every idea must belong to the meeting and be visible."""
    for idea_id in set(idea_ids):
        row = db.execute(
            "SELECT hidden, merged_into_id FROM ideas WHERE id = ? AND meeting_id = ?",
            [idea_id, meeting_id],
        ).fetchone()
        _votable(*(row or (None, None)))


def _votable(hidden: object, merged_into: object) -> None:
    """An idea's ``hidden`` and ``merged_into_id`` as read for a vote (``hidden`` None: not an
    idea of the meeting). A merged idea is hidden too, but its author is told the truth: it
    was merged into another idea, not taken down."""
    if hidden is None:
        raise NotFound("error.not_found")
    if merged_into is not None:
        raise NotAllowed("error.vote.idea_merged")
    if hidden:
        raise NotAllowed("error.vote.idea_hidden")


class RoundRow(NamedTuple):
    status: str
    method: str
    dots_per_participant: int
    max_dots_per_idea: int | None
    meeting_id: int


def open_round_row(
    db: Any, round_id: int, participant: Participant, method: str, idea_id: int | None = None
) -> RoundRow:
    """The round a participant votes in, checked: their meeting's, of this method, open; and,
    with ``idea_id``, that idea votable in it (:func:`check_votable`). One statement.

    One check for every voting method (``workshop.voting.methods`` uses it too).
    """
    row = db.execute(
        "SELECT r.status, r.method, r.dots_per_participant, r.max_dots_per_idea, s.meeting_id,"
        " (SELECT COUNT(*) FROM participants p WHERE p.id = ?) AS known,"
        " (SELECT i.hidden FROM ideas i WHERE i.id = ? AND i.meeting_id = s.meeting_id) AS hidden,"
        " (SELECT i.merged_into_id FROM ideas i WHERE i.id = ? AND i.meeting_id = s.meeting_id)"
        " AS merged_into"
        " FROM rounds r JOIN steps s ON s.id = r.step_id WHERE r.id = ?",
        [participant.id, idea_id, idea_id, round_id],
    ).fetchone()
    if row is None or row[4] != participant.meeting_id:
        raise NotFound("error.not_found")
    if not row[5]:
        raise NotFound("error.participant.unknown")  # removed, or gone with a restore
    if row[1] != method:
        raise NotAllowed("error.vote.wrong_method")
    if row[0] != "open":
        raise NotAllowed("error.vote.round_closed")
    if idea_id is not None:
        _votable(row[6], row[7])
    return RoundRow(*row[:5])


def place_dot(store: Store, participant: Participant, round_id: int, idea_id: int) -> int:
    """Put one of the participant's dots on an idea; return the dots left."""
    with store.transaction() as db:
        found = open_round_row(db, round_id, participant, StepKind.DOT_VOTE)
        per_participant, per_idea = found.dots_per_participant, found.max_dots_per_idea
        meeting_id = found.meeting_id
        check_votable(db, meeting_id, [idea_id])
        ballot_id = ensure_ballot(db, round_id, participant.id)
        used = db.execute(
            "SELECT COALESCE(SUM(value), 0) FROM ballot_entries WHERE ballot_id = ?", [ballot_id]
        ).fetchone()[0]
        if used >= per_participant:
            raise InvalidInput("error.vote.no_dots_left", dots=per_participant)
        on_idea = db.execute(
            "SELECT COALESCE(SUM(value), 0) FROM ballot_entries WHERE ballot_id = ?"
            " AND idea_id = ?",
            [ballot_id, idea_id],
        ).fetchone()[0]
        if per_idea is not None and on_idea >= per_idea:
            raise InvalidInput("error.vote.idea_cap", cap=per_idea)
        try:
            db.execute(
                "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 1)"
                " ON CONFLICT (ballot_id, idea_id) DO UPDATE SET value = ballot_entries.value + 1",
                [ballot_id, idea_id],
            )
        except sqlite3.IntegrityError as error:  # the trigger: a second line of defence
            raise InvalidInput("error.vote.no_dots_left", dots=per_participant) from error
        bump_votes(db, meeting_id)
        return int(per_participant - used - 1)


def remove_dot(store: Store, participant: Participant, round_id: int, idea_id: int) -> int:
    """Take one dot back from an idea; return the dots left."""
    with store.transaction() as db:
        found = open_round_row(db, round_id, participant, StepKind.DOT_VOTE)
        per_participant, meeting_id = found.dots_per_participant, found.meeting_id
        ballot = db.execute(
            "SELECT id FROM ballots WHERE round_id = ? AND participant_id = ?",
            [round_id, participant.id],
        ).fetchone()
        if ballot is None:
            raise InvalidInput("error.vote.no_dot_here")
        entry = db.execute(
            "SELECT value FROM ballot_entries WHERE ballot_id = ? AND idea_id = ?",
            [ballot[0], idea_id],
        ).fetchone()
        if entry is None or entry[0] <= 0:
            raise InvalidInput("error.vote.no_dot_here")
        if entry[0] == 1:
            db.execute(
                "DELETE FROM ballot_entries WHERE ballot_id = ? AND idea_id = ?",
                [ballot[0], idea_id],
            )
        else:
            db.execute(
                "UPDATE ballot_entries SET value = value - 1 WHERE ballot_id = ? AND idea_id = ?",
                [ballot[0], idea_id],
            )
        db.execute("UPDATE ballots SET updated_at = ? WHERE id = ?", [utcnow(), ballot[0]])
        used = db.execute(
            "SELECT COALESCE(SUM(value), 0) FROM ballot_entries WHERE ballot_id = ?", [ballot[0]]
        ).fetchone()[0]
        bump_votes(db, meeting_id)
        return int(per_participant - used)


def my_dots(store: Store, round_id: int, participant_id: int) -> dict[int, int]:
    rows = store.query(
        "SELECT e.idea_id, e.value FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
        " WHERE b.round_id = ? AND b.participant_id = ?",
        [round_id, participant_id],
    )
    return {r["idea_id"]: r["value"] for r in rows}


_totals_cache: VersionedCache[dict[int, int]] = VersionedCache()


def dot_totals(store: Store, round_id: int, vote_seq: int) -> dict[int, int]:
    """Dots per idea in a round, computed once per change of the meeting's votes."""

    def compute() -> dict[int, int]:
        rows = store.query(
            "SELECT e.idea_id, SUM(e.value) AS dots FROM ballot_entries e"
            " JOIN ballots b ON b.id = e.ballot_id WHERE b.round_id = ? GROUP BY e.idea_id",
            [round_id],
        )
        return {r["idea_id"]: int(r["dots"]) for r in rows}

    return _totals_cache.get(("dots", store.path, round_id), vote_seq, compute)


def reveal_results(
    store: Store, round_id: int, revealed: bool = True, *, actor: User | None = None
) -> None:
    """Show a round's results to the room (or hide them again); audited.

    Showing the results of a round nobody has voted in yet is refused (NotAllowed
    ``error.results.no_votes``): there is nothing to show, and nothing is changed."""
    with store.transaction() as db:
        row = db.execute(
            "SELECT s.meeting_id, r.revealed,"
            " EXISTS (SELECT 1 FROM ballots b WHERE b.round_id = r.id)"
            " FROM rounds r JOIN steps s ON s.id = r.step_id WHERE r.id = ?",
            [round_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if revealed and not row[1] and not row[2]:
            raise NotAllowed("error.results.no_votes")
        db.execute("UPDATE rounds SET revealed = ? WHERE id = ?", [int(revealed), round_id])
        bump_change(db, row[0])
        action = "reveal_results" if revealed else "hide_results"
        audit.record(db, actor, action, "rounds", round_id)
