"""Votes of different participants write at once on PostgreSQL, and every rule still holds.

A statements vote (``cast_stance``) or a two-axis score is a narrow write: it changes one
participant's ballot and the meeting's vote counter, nothing else. On PostgreSQL such a write
takes the database's write lock *shared* plus a lock on its participant, so votes of different
participants commit concurrently (PostgreSQL then shares one WAL flush among them), while every
other write (closing a round, hiding an idea, erasing a participant, …) still takes the write
lock exclusively and waits for the votes in progress, and they for it. It also talks to the
server in 2 round trips instead of 10 (README "Database engines": "Narrow writes").

The tests below run on both engines where they can (SQLite has one writer at a time whatever
the code asks; the same rules must hold there), and prove on PostgreSQL that the narrower lock
loses nothing: several processes hammering the same round, the same participants and the same
statements while another process closes and hides.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable

import pytest

from tests.factories import join, make_meeting, start
from workshop import db
from workshop.app import open_store
from workshop.db import Store
from workshop.errors import NotAllowed, NotFound
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.model import Participant
from workshop.voting import ballots
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod


def _statements_round(store: Store, statements: int = 6) -> tuple[int, int, list[int]]:
    """A running meeting with ``statements`` ideas and an open statements round: (meeting id,
    round id, idea ids)."""
    meeting = make_meeting(store)
    start(store, meeting)
    author = join(store, meeting, "author")
    posted = [
        ideas.submit_idea(store, author, f"udsagn {n}", per_minute=10**6).id
        for n in range(statements)
    ]
    step = meetings.list_steps(store, meeting.id)[1]
    round_id = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    return meeting.id, round_id, posted


def _people(store: Store, meeting_id: int, n: int, prefix: str = "p") -> list[Participant]:
    code = store.scalar("SELECT join_code FROM meetings WHERE id = ?", [meeting_id])
    return [
        meetings.join_meeting(store, code, f"{prefix}{k}", client=f"{prefix}{k}") for k in range(n)
    ]


def _stances(store: Store, round_id: int, participant_id: int) -> dict[int, int]:
    rows = store.query(
        "SELECT e.idea_id, e.value FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
        " WHERE b.round_id = ? AND b.participant_id = ?",
        [round_id, participant_id],
    )
    return {r["idea_id"]: r["value"] for r in rows}


def _url(store: Store) -> str:
    return str(getattr(store, "url", store.path))  # PostgreSQL: the URL with its password


# -- the rules, on both engines -------------------------------------------------------------


def test_a_stance_still_checks_round_participant_and_statement(store: Store) -> None:
    """The checks folded into one statement refuse what they refused, in the same order, and
    a refused vote changes nothing."""
    meeting_id, round_id, posted = _statements_round(store)
    anna, other = _people(store, meeting_id, 1)[0], make_meeting(store)
    start(store, other)
    stranger = join(store, other, "stranger")
    seq = meetings.meeting_state(store, meeting_id).vote_seq

    with pytest.raises(NotFound):  # not the participant's meeting
        vote_methods.cast_stance(store, stranger, round_id, posted[0], 1)
    with pytest.raises(NotFound):  # a statement of no meeting of theirs
        vote_methods.cast_stance(store, anna, round_id, 10**9, 1)
    ghost = Participant(10**9, meeting_id, "", "ghost", "")
    with pytest.raises(NotFound, match=r"participant\.unknown"):
        vote_methods.cast_stance(store, ghost, round_id, posted[0], 1)
    moderation.hide_idea(store, posted[1], "test", actor=None)
    with pytest.raises(NotAllowed, match="idea_hidden"):
        vote_methods.cast_stance(store, anna, round_id, posted[1], 1)
    vote_methods.close_round(store, round_id, actor=None)
    with pytest.raises(NotAllowed, match="round_closed"):
        vote_methods.cast_stance(store, anna, round_id, posted[0], 1)

    assert store.scalar("SELECT COUNT(*) FROM ballot_entries") == 0
    assert store.scalar("SELECT COUNT(*) FROM ballots WHERE round_id = ?", [round_id]) == 0
    assert meetings.meeting_state(store, meeting_id).vote_seq == seq + 2  # the hide, the close


def test_a_second_stance_replaces_the_first_on_one_ballot(store: Store) -> None:
    meeting_id, round_id, posted = _statements_round(store)
    anna = _people(store, meeting_id, 1)[0]
    seq = meetings.meeting_state(store, meeting_id).vote_seq
    vote_methods.cast_stance(store, anna, round_id, posted[0], 1)
    vote_methods.cast_stance(store, anna, round_id, posted[0], -1)
    vote_methods.cast_stance(store, anna, round_id, posted[1], 0)
    rows = store.query(
        "SELECT b.id AS ballot, e.idea_id, e.value FROM ballots b"
        " JOIN ballot_entries e ON e.ballot_id = b.id WHERE b.round_id = ? ORDER BY e.idea_id",
        [round_id],
    )
    assert [(r["idea_id"], r["value"]) for r in rows] == [(posted[0], -1), (posted[1], 0)]
    assert len({r["ballot"] for r in rows}) == 1
    assert meetings.meeting_state(store, meeting_id).vote_seq == seq + 3


def test_votes_after_a_refused_one_are_saved(store: Store) -> None:
    """A refused vote rolls back; psycopg then deallocates the connection's prepared
    statements (after 5 runs of a statement it prepares it itself), the ones the last writes
    use among them: the next votes prepare them again instead of failing."""
    meeting_id, round_id, posted = _statements_round(store)
    anna = _people(store, meeting_id, 1)[0]
    for n in range(7):
        vote_methods.cast_stance(store, anna, round_id, posted[n % 3], 1)
    moderation.hide_idea(store, posted[5], "test", actor=None)
    for _ in range(2):
        with pytest.raises(NotAllowed):
            vote_methods.cast_stance(store, anna, round_id, posted[5], 1)
        vote_methods.cast_stance(store, anna, round_id, posted[4], -1)
    assert _stances(store, round_id, anna.id) == {
        posted[0]: 1,
        posted[1]: 1,
        posted[2]: 1,
        posted[4]: -1,
    }


def test_a_stance_off_the_scale_is_refused_by_the_database_and_changes_nothing(
    store: Store,
) -> None:
    """The last writes go to PostgreSQL with the COMMIT: a rule they break (the database's
    ``statement_stance``) is still raised, and nothing of the vote is kept."""
    meeting_id, round_id, posted = _statements_round(store)
    anna = _people(store, meeting_id, 1)[0]
    vote_methods.cast_stance(store, anna, round_id, posted[0], 1)
    seq = meetings.meeting_state(store, meeting_id).vote_seq
    with pytest.raises(Exception, match="statement_stance"), store.transaction() as handle:
        ballot = ballots.ensure_ballot(handle, round_id, anna.id)
        db.finish_with(
            handle,
            [
                (
                    "DELETE FROM ballot_entries WHERE ballot_id = ? AND idea_id = ?",
                    [ballot, posted[0]],
                ),
                (
                    "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, 7)",
                    [ballot, posted[0]],
                ),
                ("UPDATE meetings SET vote_seq = vote_seq + 1 WHERE id = ?", [meeting_id]),
            ],
        )
    assert _stances(store, round_id, anna.id) == {posted[0]: 1}
    assert meetings.meeting_state(store, meeting_id).vote_seq == seq


def test_a_whole_database_write_inside_a_narrow_one_is_refused(store: Store) -> None:
    """A narrow transaction may only nest narrow ones: a nested write of the whole database
    would need the exclusive lock the narrow one does not hold."""
    with (
        pytest.raises(RuntimeError, match="narrow"),
        store.transaction(scope=db.WriteScope.participant(1)),
        store.transaction(),
    ):
        pass


# -- PostgreSQL: fewer round trips, no waiting for other participants -------------------------


def _round_trips(store: Store, action: Callable[[], object]) -> int:
    """How many times the writer connection waited for the server during ``action``: the
    ReadyForQuery messages in libpq's trace of it."""
    from psycopg.pq import Trace

    conn = store.conn
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())  # type: ignore[attr-defined]
        conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)  # type: ignore[attr-defined]
        try:
            action()
        finally:
            conn.pgconn.untrace()  # type: ignore[attr-defined]
        trace.seek(0)
        return sum(1 for line in trace if "\tReadyForQuery" in line and line.startswith("B"))


def test_a_stance_takes_two_round_trips_on_postgresql(
    postgres_server: str, fresh_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: 10 (BEGIN and the lock, the round, the participant, the statement, the ballot
    upserted then looked up, the old stance deleted, the new one inserted, the counter, the
    COMMIT). Now: the checks in one statement, sent with BEGIN and the locks; the ballot,
    the stance and the counter sent with the COMMIT."""
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key")
    store = open_store(fresh_postgres())
    try:
        meeting_id, round_id, posted = _statements_round(store)
        anna = _people(store, meeting_id, 1)[0]
        first = _round_trips(
            store, lambda: vote_methods.cast_stance(store, anna, round_id, posted[0], 1)
        )
        again = _round_trips(
            store, lambda: vote_methods.cast_stance(store, anna, round_id, posted[0], -1)
        )
        assert (first, again) == (2, 2)
        assert _stances(store, round_id, anna.id) == {posted[0]: -1}
    finally:
        store.close()


def _waiting_for_a_lock(url: str, pid: int) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as watcher:
        row = watcher.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
    return bool(row and row[0] == "Lock")


def test_votes_of_different_participants_do_not_wait_for_each_other_on_postgresql(
    postgres_server: str, fresh_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anna's vote is held up half-way (another connection holds her ballot's row). Bo's vote,
    from another app process (its own store), is saved meanwhile; a write of the whole
    database (closing the round) waits for Anna's vote, and Anna's vote is saved in the round
    it was cast in. Before: one exclusive lock for every write, so Bo waited for Anna."""
    import psycopg

    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key")
    url = fresh_postgres()
    first, second, third = open_store(url), open_store(url), open_store(url)
    holder = psycopg.connect(url)
    try:
        meeting_id, round_id, posted = _statements_round(first)
        anna, bo = _people(first, meeting_id, 2)
        vote_methods.cast_stance(first, anna, round_id, posted[0], 1)  # Anna's ballot exists
        holder.execute(
            "SELECT 1 FROM ballots WHERE participant_id = %s FOR UPDATE", [anna.id]
        ).fetchall()
        done: dict[str, BaseException | None] = {}

        def run(name: str, action: Callable[[], object]) -> threading.Thread:
            def body() -> None:
                try:
                    action()
                    done[name] = None
                except BaseException as error:
                    done[name] = error

            thread = threading.Thread(target=body, daemon=True)
            thread.start()
            return thread

        annas = run("anna", lambda: vote_methods.cast_stance(first, anna, round_id, posted[1], -1))
        while not _waiting_for_a_lock(url, first.conn.info.backend_pid):
            assert annas.is_alive(), done
        bos = run("bo", lambda: vote_methods.cast_stance(second, bo, round_id, posted[1], 1))
        bos.join(timeout=8)
        assert not bos.is_alive(), "Bo's vote waited for Anna's"
        assert done["bo"] is None
        closing = run("close", lambda: vote_methods.close_round(third, round_id, actor=None))
        while not _waiting_for_a_lock(url, third.conn.info.backend_pid):
            assert closing.is_alive(), done
        assert annas.is_alive()
        holder.rollback()  # Anna's vote goes on, then the round closes
        annas.join(timeout=30)
        closing.join(timeout=30)
        assert done == {"anna": None, "bo": None, "close": None}
        assert _stances(third, round_id, anna.id) == {posted[0]: 1, posted[1]: -1}
        assert _stances(third, round_id, bo.id) == {posted[1]: 1}
        assert not ballots.get_round(third, round_id).is_open
    finally:
        holder.close()
        for store in (first, second, third):
            store.close()


# -- many processes at once: nothing lost, no rule broken ----------------------------------------

WRITERS, VOTES_EACH = 4, 150


def _hammer(url: str, meeting_id: int, round_id: int, people: list[int], posted: list[int], n: int):
    """One app process: ``VOTES_EACH`` stances by participants every process shares (two tabs
    of one person at once), some on the statement another process is hiding."""
    os.environ.setdefault("SAMSKAB_SECRET_KEY", "test key")
    store = open_store(url)
    rng = random.Random(n)
    acknowledged, refused, hidden_seen = [], 0, False
    try:
        for _ in range(VOTES_EACH):
            person = Participant(rng.choice(people), meeting_id, "", "x", "")
            idea, value = rng.choice(posted), rng.choice((1, -1, 0))
            try:
                vote_methods.cast_stance(store, person, round_id, idea, value)
            except NotAllowed:  # the statement was hidden meanwhile
                refused += 1
                hidden_seen = True
                continue
            if hidden_seen and idea == posted[0]:
                raise AssertionError("a stance on the hidden statement after it was hidden")
            acknowledged.append((person.id, idea, value))
    finally:
        store.close()
    return acknowledged, refused


def _hide_half_way(url: str, hidden: int, done: int) -> None:
    os.environ.setdefault("SAMSKAB_SECRET_KEY", "test key")
    store = open_store(url)
    try:
        give_up = time.monotonic() + 120  # the voters failed: hide anyway, the test says why
        while store.scalar("SELECT COUNT(*) FROM ballot_entries") < done:
            if time.monotonic() > give_up:
                break
        moderation.hide_idea(store, hidden, "moderated", actor=None)
    finally:
        store.close()


def _run_and_put(queue: object, job: Callable[..., object], *args: object) -> None:
    """``job``'s result on the queue, or its traceback: a process that failed is told."""
    import traceback

    try:
        outcome: object = job(*args)
    except BaseException:
        outcome = traceback.format_exc()
    queue.put(outcome)  # type: ignore[attr-defined]


def test_several_processes_voting_on_the_same_people_break_no_rule(store: Store) -> None:
    """4 processes × 150 stances by the same 6 participants on the same 5 statements while a
    fifth process hides one statement half-way: every acknowledged stance is the stored one
    (the last per participant and statement, as each process saw it acknowledged), one
    ballot per participant, the counter advanced once per acknowledged vote (no increment
    lost, none twice), no stance on the hidden statement after it was hidden."""
    meeting_id, round_id, posted = _statements_round(store, statements=5)
    people = [p.id for p in _people(store, meeting_id, 6)]
    seq = meetings.meeting_state(store, meeting_id).vote_seq
    url = _url(store)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    hider = context.Process(target=_hide_half_way, args=(url, posted[0], 15))
    workers = [
        context.Process(
            target=_run_and_put,
            args=(results, _hammer, url, meeting_id, round_id, people, posted, n),
        )
        for n in range(WRITERS)
    ]
    for process in [*workers, hider]:
        process.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    assert not [o for o in outcomes if isinstance(o, str)], outcomes
    for process in [*workers, hider]:
        process.join(timeout=600)
    assert [p.exitcode for p in [*workers, hider]] == [0] * (WRITERS + 1)

    acknowledged = sum(len(done) for done, _ in outcomes)
    refused = sum(n for _, n in outcomes)
    assert acknowledged + refused == WRITERS * VOTES_EACH
    assert meetings.meeting_state(store, meeting_id).vote_seq == seq + acknowledged + 1  # + hide
    twice = store.scalar(
        "SELECT COUNT(*) FROM (SELECT participant_id FROM ballots WHERE round_id = ?"
        " GROUP BY participant_id HAVING COUNT(*) > 1) AS twice",
        [round_id],
    )
    assert twice == 0
    stored = {
        (r["participant_id"], r["idea_id"]): r["value"]
        for r in store.query(
            "SELECT b.participant_id, e.idea_id, e.value FROM ballot_entries e"
            " JOIN ballots b ON b.id = e.ballot_id WHERE b.round_id = ?",
            [round_id],
        )
    }
    # Each cell's stored value is one a process had acknowledged for it, and a cell only one
    # process wrote holds that process's last acknowledged value.
    by_cell: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for n, (done, _) in enumerate(outcomes):
        for person, idea, value in done:
            by_cell.setdefault((person, idea), []).append((n, value))
    assert set(stored) <= set(by_cell) | {(p, posted[0]) for p in people}
    for cell, writes in by_cell.items():
        if cell[1] == posted[0]:
            continue  # hidden half-way: its stances stay as they were, none can be added
        assert stored[cell] in {value for _, value in writes}
        if len({n for n, _ in writes}) == 1:
            assert stored[cell] == writes[-1][1]
    assert store.scalar("SELECT hidden FROM ideas WHERE id = ?", [posted[0]]) == 1
    assert all(value in (-1, 0, 1) for value in stored.values())
