"""Ballots for the voting methods beyond dots: statements, pairwise, two axes, ranking, consent.

Every method writes into the same ``ballots`` row (one per participant per round, a UNIQUE
constraint) and replaces what that participant said before while the round is open. The
database refuses what no method allows: a stance other than agree/disagree/pass, a score off
the scale, two ideas on the same rank, a block without a reason. Results come from the pure
functions in :mod:`workshop.voting.tallies`, computed once per change of the meeting's votes.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlite_utils import Database, Migrations

from workshop import audit
from workshop.cache import BackgroundResults, VersionedCache
from workshop.db import Store, WriteScope, finish_with, run_sql
from workshop.errors import InvalidInput, NotFound
from workshop.meetings import rules as meeting_rules
from workshop.meetings.core import BUMP_VOTES, agenda_in, bump_votes
from workshop.model import Participant, Step, User, utcnow
from workshop.text import clean_text
from workshop.voting import opinion_groups, tallies
from workshop.voting.ballots import UPSERT_BALLOT, check_votable, ensure_ballot, open_round_row

migrations = Migrations("samskab.vote_methods")

REASON_MAX = 1000
SCALE_LOW, SCALE_HIGH = 1, 5


class VoteMethod(StrEnum):
    DOT_VOTE = "dot_vote"
    STATEMENTS = "statements"  # agree / disagree / pass, Pol.is style
    PAIRWISE = "pairwise"  # All Our Ideas
    TWO_AXIS = "two_axis"  # impact × feasibility
    RANKED = "ranked"  # Schulze (default) or instant runoff
    CONSENT = "consent"  # agree / abstain / concerns / block on one proposal


@migrations(name="m001_method_ballots")
def _m001(db: Database) -> None:
    run_sql(
        db,
        """
ALTER TABLE ballot_entries ADD COLUMN value2 INTEGER;
ALTER TABLE ballots ADD COLUMN response TEXT;
ALTER TABLE ballots ADD COLUMN reason TEXT;
ALTER TABLE rounds ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';

CREATE TABLE pairwise_choices (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    low_id INTEGER NOT NULL REFERENCES ideas (id),
    high_id INTEGER NOT NULL REFERENCES ideas (id),
    winner_id INTEGER REFERENCES ideas (id),
    at TEXT NOT NULL,
    CHECK (low_id < high_id),
    CHECK (winner_id IS NULL OR winner_id IN (low_id, high_id)),
    UNIQUE (round_id, participant_id, low_id, high_id)
);
CREATE INDEX pairwise_choices_round ON pairwise_choices (round_id);

CREATE TRIGGER ballot_entries_method_rules_insert
BEFORE INSERT ON ballot_entries
BEGIN
    SELECT RAISE(ABORT, 'statement_stance')
    WHERE (SELECT r.method FROM rounds r JOIN ballots b ON b.round_id = r.id
           WHERE b.id = NEW.ballot_id) = 'statements' AND NEW.value NOT IN (-1, 0, 1);
    SELECT RAISE(ABORT, 'score_scale')
    WHERE (SELECT r.method FROM rounds r JOIN ballots b ON b.round_id = r.id
           WHERE b.id = NEW.ballot_id) = 'two_axis'
      AND (NEW.value NOT BETWEEN 1 AND 5 OR NEW.value2 IS NULL OR NEW.value2 NOT BETWEEN 1 AND 5);
    SELECT RAISE(ABORT, 'rank_taken')
    WHERE (SELECT r.method FROM rounds r JOIN ballots b ON b.round_id = r.id
           WHERE b.id = NEW.ballot_id) = 'ranked'
      AND (NEW.value < 1 OR EXISTS (SELECT 1 FROM ballot_entries
                                    WHERE ballot_id = NEW.ballot_id AND value = NEW.value));
END;

CREATE TRIGGER ballots_block_needs_reason_insert
BEFORE INSERT ON ballots
WHEN NEW.response = 'block' AND length(trim(coalesce(NEW.reason, ''))) = 0
BEGIN SELECT RAISE(ABORT, 'block_needs_reason'); END;

CREATE TRIGGER ballots_block_needs_reason_update
BEFORE UPDATE OF response, reason ON ballots
WHEN NEW.response = 'block' AND length(trim(coalesce(NEW.reason, ''))) = 0
BEGIN SELECT RAISE(ABORT, 'block_needs_reason'); END;
""",
    )


@migrations(name="m002_opinion_group_memory")
def _m002(db: Database) -> None:
    run_sql(
        db,
        """
-- What the last computation of a statements round's opinion groups hands the next, so that
-- the groups stay stable across updates, app restarts and processes (GroupMemory as JSON:
-- the number of groups, each grouped participant's letter and vote fingerprint, and the
-- pending change of the number of groups). Derived from the ballots; no text.
CREATE TABLE opinion_group_memory (
    round_id INTEGER PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    vote_seq INTEGER NOT NULL,
    memory TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
""",
    )


@migrations(name="m003_ballot_entries_by_ballot_covering")
def _m003(db: Database) -> None:
    run_sql(
        db,
        """
-- Opinion groups read a round's votes from its ballots: with the value in the index the read
-- never visits the table. A national dialogue's 2,000,000 votes, arriving in random order,
-- took 14 s to read through the primary key (a table lookup per vote), 2.6 s from this index.
CREATE INDEX ballot_entries_ballot_value ON ballot_entries (ballot_id, idea_id, value);
""",
    )


@dataclass(frozen=True)
class OpenRound:
    id: int
    meeting_id: int
    method: VoteMethod


def _open_round(
    db: Database,
    round_id: int,
    participant: Participant,
    method: VoteMethod,
    idea_id: int | None = None,
) -> OpenRound:
    found = open_round_row(db, round_id, participant, method, idea_id)
    return OpenRound(round_id, found.meeting_id, method)


def _replace_entry(
    db: Database,
    found: OpenRound,
    participant: Participant,
    idea_id: int,
    values: Sequence[int],
) -> None:
    """The writes of a vote on one idea, none of whose results is read: the participant's
    ballot (created on first use, its ``updated_at`` set), the old entry out and the new one in
    (so the database's INSERT rules check it), the meeting's vote counter on. On PostgreSQL
    they go to the server with the COMMIT, in one round trip (:func:`workshop.db.finish_with`)."""
    now = utcnow()
    ballot = "(SELECT b.id FROM ballots b WHERE b.round_id = ? AND b.participant_id = ?)"
    owner = [found.id, participant.id]
    columns = ", ".join(("value", "value2")[: len(values)])
    finish_with(
        db,
        [
            (UPSERT_BALLOT, [found.id, participant.id, now, now]),
            (
                f"DELETE FROM ballot_entries WHERE ballot_id = {ballot} AND idea_id = ?",
                [*owner, idea_id],
            ),
            (
                f"INSERT INTO ballot_entries (ballot_id, idea_id, {columns})"
                f" SELECT b.id, ?{', ?' * len(values)} FROM ballots b"
                " WHERE b.round_id = ? AND b.participant_id = ?",
                [idea_id, *values, *owner],
            ),
            (BUMP_VOTES, [found.meeting_id]),
        ],
    )


# -- rounds ---------------------------------------------------------------------------------


def open_round(
    store: Store,
    step_id: int,
    method: VoteMethod | str,
    *,
    actor: User | None,
    revealed: bool = False,
) -> int:
    """Open a new round of ``method`` on a vote step (closing any open one); return its id.

    Results start hidden unless ``revealed``: the facilitator reveals them when the room is
    ready, so early votes do not steer later ones. Refused on a closed meeting and on a step
    that is not a vote (:func:`meeting_rules.can_open_round_on`).
    """
    method = VoteMethod(method)
    with store.transaction() as db:
        row = db.execute("SELECT meeting_id FROM steps WHERE id = ?", [step_id]).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        state, steps = agenda_in(db, row[0])
        step = next(s for s in steps if s.id == step_id)
        meeting_rules.can_open_round_on(state.status, step).require()
        return _new_round(db, step, method, revealed=revealed, actor=actor)


def open_next_round(
    store: Store, meeting_id: int, *, actor: User | None, revealed: bool = False
) -> int:
    """The console's "New round": a new round of the running vote step's own method.

    Refused (:func:`meeting_rules.can_open_round`) unless the meeting runs a vote step.
    """
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        step = next((s for s in steps if s.id == state.current_step_id), None)
        meeting_rules.can_open_round(state, step).require()
        assert step is not None
        return _new_round(db, step, VoteMethod(step.kind.value), revealed=revealed, actor=actor)


def _new_round(
    db: Database, step: Step, method: VoteMethod, *, revealed: bool, actor: User | None
) -> int:
    now = utcnow()
    db.execute(
        "UPDATE rounds SET status = 'closed', closed_at = ? WHERE step_id = ? AND status = 'open'",
        [now, step.id],
    )
    number = db.execute(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM rounds WHERE step_id = ?", [step.id]
    ).fetchone()[0]
    round_id = db.execute(
        "INSERT INTO rounds (step_id, number, method, status, revealed, opened_at)"
        " VALUES (?, ?, ?, 'open', ?, ?) RETURNING id",
        [step.id, number, method.value, int(revealed), now],
    ).fetchall()[0][0]
    assert round_id is not None
    bump_votes(db, step.meeting_id)
    audit.record(
        db,
        actor,
        "open_round",
        "rounds",
        round_id,
        after={"method": method.value, "number": number},
    )
    return int(round_id)


def close_round(store: Store, round_id: int, *, actor: User | None) -> None:
    with store.transaction() as db:
        row = db.execute(
            "SELECT s.meeting_id FROM rounds r JOIN steps s ON s.id = r.step_id WHERE r.id = ?",
            [round_id],
        ).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        db.execute(
            "UPDATE rounds SET status = 'closed', closed_at = COALESCE(closed_at, ?) WHERE id = ?",
            [utcnow(), round_id],
        )
        bump_votes(db, row[0])
        audit.record(db, actor, "close_round", "rounds", round_id)


# -- casting --------------------------------------------------------------------------------


def cast_stance(
    store: Store, participant: Participant, round_id: int, idea_id: int, stance: int
) -> None:
    """Agree (1), disagree (-1) or pass (0) on one statement; a second vote replaces the first."""
    checked = tallies._stance(stance)
    # A narrow write (README "Database engines", "Narrow writes"): it reads the round, the
    # participant and the statement, which only writes of the whole database change, and
    # writes this participant's ballot and the meeting's counter (an atomic increment).
    with store.transaction(scope=WriteScope.participant(participant.id)) as db:
        found = _open_round(db, round_id, participant, VoteMethod.STATEMENTS, idea_id)
        _replace_entry(db, found, participant, idea_id, [int(checked)])


def cast_pairwise(
    store: Store,
    participant: Participant,
    round_id: int,
    left_id: int,
    right_id: int,
    winner_id: int | None,
) -> None:
    """One judgement between two ideas; ``winner_id=None`` is "I can't decide"."""
    tallies.validate_pairwise_vote(tallies.PairwiseVote(left_id, right_id, winner_id))
    low, high = sorted((left_id, right_id))
    with store.transaction() as db:
        found = _open_round(db, round_id, participant, VoteMethod.PAIRWISE)
        check_votable(db, found.meeting_id, [low, high])
        ensure_ballot(db, round_id, participant.id)
        db.execute(
            "INSERT INTO pairwise_choices"
            " (round_id, participant_id, low_id, high_id, winner_id, at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (round_id, participant_id, low_id, high_id)"
            " DO UPDATE SET winner_id = excluded.winner_id, at = excluded.at",
            [round_id, participant.id, low, high, winner_id, utcnow()],
        )
        bump_votes(db, found.meeting_id)


def cast_scores(
    store: Store,
    participant: Participant,
    round_id: int,
    idea_id: int,
    impact: int,
    feasibility: int,
) -> None:
    """Score one idea on both axes (1–5); scoring it again replaces the scores."""
    for value in (impact, feasibility):
        if not SCALE_LOW <= value <= SCALE_HIGH:
            raise InvalidInput(
                "error.vote.score_out_of_range", low=SCALE_LOW, high=SCALE_HIGH, value=value
            )
    with store.transaction(scope=WriteScope.participant(participant.id)) as db:  # as a stance
        found = _open_round(db, round_id, participant, VoteMethod.TWO_AXIS, idea_id)
        _replace_entry(db, found, participant, idea_id, [impact, feasibility])


def cast_ranking(
    store: Store, participant: Participant, round_id: int, ranking: Sequence[int]
) -> None:
    """A whole ranking, best first; it replaces the participant's earlier ranking."""
    with store.transaction() as db:
        found = _open_round(db, round_id, participant, VoteMethod.RANKED)
        candidates = _candidates(db, found.meeting_id)
        tallies.validate_ranking(list(ranking), set(candidates))
        check_votable(db, found.meeting_id, ranking)
        ballot_id = ensure_ballot(db, round_id, participant.id)
        db.execute("DELETE FROM ballot_entries WHERE ballot_id = ?", [ballot_id])
        for rank, idea_id in enumerate(ranking, start=1):
            db.execute(
                "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, ?)",
                [ballot_id, idea_id, rank],
            )
        bump_votes(db, found.meeting_id)


def cast_consent(
    store: Store, participant: Participant, round_id: int, response: str, reason: str = ""
) -> None:
    """Agree, abstain, concerns or block on the step's proposal; a block must say why."""
    reason = clean_text(reason)
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            "error.text.too_long", field="reason", max=REASON_MAX, length=len(reason)
        )
    vote = tallies.validate_consent_vote(tallies.ConsentVote(participant.id, response, reason))
    with store.transaction() as db:
        found = _open_round(db, round_id, participant, VoteMethod.CONSENT)
        ballot_id = ensure_ballot(db, round_id, participant.id)
        db.execute(
            "UPDATE ballots SET response = ?, reason = ? WHERE id = ?",
            [str(vote.response), vote.reason or None, ballot_id],
        )
        bump_votes(db, found.meeting_id)


# -- reading --------------------------------------------------------------------------------


def _candidates(db: Database, meeting_id: int) -> list[int]:
    return [
        r[0]
        for r in db.execute(
            "SELECT id FROM ideas WHERE meeting_id = ? AND hidden = 0 ORDER BY id", [meeting_id]
        ).fetchall()
    ]


def my_ballot(store: Store, round_id: int, participant_id: int) -> dict[str, Any]:
    """What this participant has said in the round, to show on their phone."""
    ballot = store.query_one(
        "SELECT id, response, reason FROM ballots WHERE round_id = ? AND participant_id = ?",
        [round_id, participant_id],
    )
    if ballot is None:
        return {"entries": {}, "response": None, "reason": None, "pairs": []}
    entries = {
        r["idea_id"]: (r["value"], r["value2"])
        for r in store.query(
            "SELECT idea_id, value, value2 FROM ballot_entries WHERE ballot_id = ?", [ballot["id"]]
        )
    }
    pairs = store.query(
        "SELECT low_id, high_id, winner_id FROM pairwise_choices WHERE round_id = ?"
        " AND participant_id = ?",
        [round_id, participant_id],
    )
    return {
        "entries": entries,
        "response": ballot["response"],
        "reason": ballot["reason"],
        "pairs": pairs,
    }


def next_pair(store: Store, round_id: int, participant: Participant) -> tuple[int, int] | None:
    """The pair to show this participant next: one they have not judged, least compared first."""
    rows = store.query(
        "SELECT participant_id, low_id, high_id, winner_id FROM pairwise_choices"
        " WHERE round_id = ?",
        [round_id],
    )
    votes = [tallies.PairwiseVote(r["low_id"], r["high_id"], r["winner_id"]) for r in rows]
    mine = [
        tallies.PairwiseVote(r["low_id"], r["high_id"], r["winner_id"])
        for r in rows
        if r["participant_id"] == participant.id
    ]
    with store.snapshot() as db:
        ideas = _candidates(db, participant.meeting_id)
    rng = random.Random(f"{round_id}:{participant.id}:{len(mine)}")
    pair = tallies.choose_next_pair(ideas, votes, rng, seen_by_participant=mine)
    return None if pair is None else (int(pair[0]), int(pair[1]))


_results: VersionedCache[Any] = VersionedCache()


def round_results(store: Store, round_id: int, vote_seq: int) -> Any:
    """The tally of a round by its method, computed once per change of the meeting's votes."""

    def compute() -> Any:
        found = store.query_one(
            "SELECT r.method, s.meeting_id FROM rounds r JOIN steps s ON s.id = r.step_id"
            " WHERE r.id = ?",
            [round_id],
        )
        if found is None:
            raise NotFound("error.not_found")
        method = VoteMethod(found["method"])
        with store.snapshot() as db:
            ideas = _candidates(db, found["meeting_id"])
        entries = store.query(
            "SELECT b.participant_id, e.idea_id, e.value, e.value2 FROM ballot_entries e"
            " JOIN ballots b ON b.id = e.ballot_id WHERE b.round_id = ?",
            [round_id],
        )
        # Votes on an idea hidden since (or merged away) are left out, as pairwise does: the
        # result describes the ideas still in the running, and a hide never breaks it.
        running = set(ideas)
        entries = [e for e in entries if e["idea_id"] in running]
        if method is VoteMethod.DOT_VOTE:
            return tallies.tally_dots(
                (tallies.DotVote(e["participant_id"], e["idea_id"], e["value"]) for e in entries),
                ideas,
            )
        if method is VoteMethod.STATEMENTS:
            return tallies.tally_statements(
                (
                    tallies.StatementVote(e["participant_id"], e["idea_id"], e["value"])
                    for e in entries
                ),
                ideas,
            )
        if method is VoteMethod.TWO_AXIS:
            return tallies.tally_two_axis(
                (
                    tallies.AxisScore(e["participant_id"], e["idea_id"], e["value"], e["value2"])
                    for e in entries
                ),
                ideas,
                low=SCALE_LOW,
                high=SCALE_HIGH,
            )
        if method is VoteMethod.RANKED:
            by_ballot: dict[int, list[tuple[int, int]]] = {}
            for e in entries:
                by_ballot.setdefault(e["participant_id"], []).append((e["value"], e["idea_id"]))
            ballots = [[idea for _, idea in sorted(ranks)] for ranks in by_ballot.values()]
            return tallies.tally_ranked([b for b in ballots if b], ideas)
        if method is VoteMethod.PAIRWISE:
            rows = store.query(
                "SELECT low_id, high_id, winner_id FROM pairwise_choices WHERE round_id = ?",
                [round_id],
            )
            return tallies.tally_pairwise(
                (tallies.PairwiseVote(r["low_id"], r["high_id"], r["winner_id"]) for r in rows),
                ideas,
            )
        responses = store.query(
            "SELECT participant_id, response, reason FROM ballots WHERE round_id = ?"
            " AND response IS NOT NULL ORDER BY updated_at",
            [round_id],
        )
        return tallies.check_consent(
            tallies.ConsentVote(r["participant_id"], r["response"], r["reason"] or "")
            for r in responses
        )

    return _results.get(("round", store.path, round_id), vote_seq, compute)


# -- opinion groups, off the request path -------------------------------------------------------


@dataclass(frozen=True)
class GroupsSnapshot:
    """The latest computed opinion groups and the vote version they describe."""

    result: opinion_groups.OpinionGroups | None
    version: int | None
    up_to_date: bool


def compute_remembered_groups(
    store: Store, round_id: int, vote_seq: int
) -> opinion_groups.OpinionGroups:
    """Compute a round's opinion groups from the memory of the last computation, and store
    the new memory (table ``opinion_group_memory``), so that letters and the number of groups
    stay stable across updates, app restarts and processes.

    Several processes may compute the same round at once: the memory is written only if
    nobody stored one since it was read (compare-and-set on ``vote_seq``). If someone stored
    an older one meanwhile, the computation starts again from it; a newer one stays. If the
    memory can't be written (the database stays locked past its busy timeout), the groups are
    still shown; the next computation starts from the memory stored before.
    """
    for _ in range(3):
        stored = store.query_one(
            "SELECT vote_seq, memory FROM opinion_group_memory WHERE round_id = ?", [round_id]
        )
        previous = _read_memory(stored["memory"]) if stored else None
        # One pass into arrays: 2,000,000 votes as dicts cost ~10 s before the computation.
        votes = store.integers(
            "SELECT b.participant_id, e.idea_id, e.value FROM ballot_entries e"
            " JOIN ballots b ON b.id = e.ballot_id WHERE b.round_id = ?",
            [round_id],
        ).reshape(-1, 3)
        matrix = opinion_groups.vote_matrix_from_ids(votes[:, 0], votes[:, 1], votes[:, 2])
        result = opinion_groups.compute_opinion_groups(matrix, previous=previous)
        read_seq = stored["vote_seq"] if stored else None
        try:
            stored_now = _store_memory(store, round_id, vote_seq, read_seq, previous, result)
        except sqlite3.DatabaseError:
            return result
        if stored_now:
            return result
    return result


def _read_memory(text: str) -> opinion_groups.GroupMemory | None:
    """The stored memory; None (start afresh) if it can't be read, e.g. from a future format."""
    try:
        return opinion_groups.GroupMemory.from_json(text)
    except (ValueError, KeyError, TypeError):
        return None


def _store_memory(
    store: Store,
    round_id: int,
    vote_seq: int,
    read_seq: int | None,
    previous: opinion_groups.GroupMemory | None,
    result: opinion_groups.OpinionGroups,
) -> bool:
    """Write the new memory unless someone stored another since ``read_seq`` was read.

    False when the computation must start again from the memory stored meanwhile.
    """
    with store.transaction() as db:
        now = db.execute(
            "SELECT vote_seq FROM opinion_group_memory WHERE round_id = ?", [round_id]
        ).fetchone()
        now_seq = now[0] if now else None
        if now_seq == read_seq:
            changed = result.memory is not None and result.memory is not previous
            if changed and (read_seq is None or vote_seq > read_seq):
                assert result.memory is not None
                db.execute(
                    "INSERT INTO opinion_group_memory (round_id, vote_seq, memory,"
                    " updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (round_id) DO UPDATE"
                    " SET vote_seq = excluded.vote_seq, memory = excluded.memory,"
                    " updated_at = excluded.updated_at",
                    [round_id, vote_seq, result.memory.to_json(), utcnow()],
                )
            return True
        # Another process stored newer groups: keep theirs. An older one: start again.
        return now_seq is not None and now_seq >= vote_seq


# One computation per round at a time, in a background thread; every viewer gets the newest.
groups_worker: BackgroundResults[int, opinion_groups.OpinionGroups] = BackgroundResults(
    "opinion-groups"
)


def opinion_groups_snapshot(store: Store, round_id: int, vote_seq: int) -> GroupsSnapshot:
    """Opinion groups of a statements round: the newest result, never computed on the request."""
    done, fresh = groups_worker.latest(
        (store.path, round_id),
        vote_seq,
        lambda: compute_remembered_groups(store, round_id, vote_seq),
    )
    if done is None:
        return GroupsSnapshot(None, None, False)
    return GroupsSnapshot(done.value, done.version, fresh)
