"""Live meetings: join codes, agenda steps, participants, and the state phones poll.

A meeting's agenda is a list of steps; the facilitator moves between them and every phone
follows ``meetings.current_step_id``. Anything a phone must notice bumps ``change_seq``, so a
phone's refresh is one indexed SELECT that usually finds nothing new.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from workshop import audit, ratelimit
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.model import (
    Meeting,
    MeetingKind,
    MeetingState,
    MeetingStatus,
    Participant,
    Step,
    StepKind,
    User,
    utcnow,
)
from workshop.text import clean_text, require_text

# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31**6 ≈ 887 million codes
TOKEN_BYTES = 24  # participant tokens: 192 bits
# Failed codes allowed per browser session, and per network address. A venue's 300 phones
# share one NAT address and some will mistype, so the network limit is generous; guessing a
# code among ~887 million at 300 tries per 10 minutes is still hopeless.
JOIN_FAILURES_PER_CLIENT = 10
JOIN_FAILURES_PER_NETWORK = 300
JOIN_WINDOW_S = 600
NAME_MAX = 40
PROMPT_MAX = 300
DEFAULT_DOTS = 3
PLANNING_DAYS = 30  # a code made ahead of time stays valid this long before the start


@dataclass(frozen=True)
class StepSpec:
    kind: StepKind
    prompt: str = ""
    time_box_minutes: int = 10


def default_agenda(prompt: str) -> list[StepSpec]:
    return [
        StepSpec(StepKind.BRAINSTORM, prompt, 15),
        StepSpec(StepKind.DOT_VOTE, "", 5),
        StepSpec(StepKind.WRAP_UP, "", 5),
    ]


def _later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="milliseconds")


def _meeting(row: dict[str, Any]) -> Meeting:
    return Meeting(
        id=row["id"],
        committee_id=row["committee_id"],
        title=row["title"],
        kind=MeetingKind(row["kind"]),
        status=MeetingStatus(row["status"]),
        join_code=row["join_code"],
        code_expires_at=row["code_expires_at"],
        screen_token=row["screen_token"],
        current_step_id=row["current_step_id"],
        is_demo=bool(row["is_demo"]),
        created_at=row["created_at"],
    )


def _step(row: dict[str, Any]) -> Step:
    return Step(
        id=row["id"],
        meeting_id=row["meeting_id"],
        position=row["position"],
        kind=StepKind(row["kind"]),
        prompt=row["prompt"],
        time_box_minutes=row["time_box_minutes"],
        intake_open=bool(row["intake_open"]),
        started_at=row["started_at"],
    )


def normalise_code(typed: str) -> str:
    return "".join(ch for ch in clean_text(typed).upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``K7QM2P`` → ``K7Q M2P``: easier to read off a wall."""
    return f"{code[:3]} {code[3:]}" if len(code) == CODE_LENGTH else code


def _new_code(db: Database) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.execute("SELECT 1 FROM meetings WHERE join_code = ?", [code]).fetchone():
            return code


def bump_change(db: Database, meeting_id: int) -> int:
    """Advance the meeting's change counter inside the current transaction; return it."""
    row = db.execute(
        "UPDATE meetings SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq",
        [meeting_id],
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    return int(row[0])


def create_meeting(
    store: Store,
    committee_id: int,
    title: str,
    *,
    kind: MeetingKind = MeetingKind.DIALOGUE_SESSION,
    prompt: str = "",
    agenda: list[StepSpec] | None = None,
    dots_per_participant: int = DEFAULT_DOTS,
    actor: User | None,
    is_demo: bool = False,
) -> Meeting:
    title = require_text(title, max_chars=120, field="title")
    prompt = clean_text(prompt)
    if len(prompt) > PROMPT_MAX:
        raise InvalidInput(
            "error.text.too_long", field="prompt", max=PROMPT_MAX, length=len(prompt)
        )
    if not 1 <= dots_per_participant <= 20:
        raise InvalidInput("error.meeting.bad_dots", min=1, max=20)
    steps = agenda if agenda is not None else default_agenda(prompt)
    if not steps:
        raise InvalidInput("error.meeting.empty_agenda")
    now = utcnow()
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM committees WHERE id = ?", [committee_id]).fetchone():
            raise NotFound("error.not_found")
        cursor = db.execute(
            "INSERT INTO meetings (committee_id, title, kind, join_code, code_expires_at,"
            " screen_token, is_demo, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                committee_id,
                title,
                MeetingKind(kind).value,
                _new_code(db),
                _later(days=PLANNING_DAYS),
                secrets.token_urlsafe(TOKEN_BYTES),
                int(is_demo),
                actor.id if actor else None,
                now,
            ],
        )
        meeting_id = cursor.lastrowid
        assert meeting_id is not None
        for position, spec in enumerate(steps, start=1):
            step_id = db.execute(
                "INSERT INTO steps (meeting_id, position, kind, prompt, time_box_minutes)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    meeting_id,
                    position,
                    spec.kind.value,
                    clean_text(spec.prompt)[:PROMPT_MAX],
                    max(1, spec.time_box_minutes),
                ],
            ).lastrowid
            if spec.kind.is_vote:
                db.execute(
                    "INSERT INTO rounds (step_id, number, method, status, revealed,"
                    " dots_per_participant) VALUES (?, 1, ?, 'closed', 1, ?)",
                    [step_id, spec.kind.value, dots_per_participant],
                )
        audit.record(
            db,
            actor,
            "create_meeting",
            "meetings",
            meeting_id,
            after={"title": title, "committee_id": committee_id},
        )
    return get_meeting(store, meeting_id)


def get_meeting(store: Store, meeting_id: int) -> Meeting:
    row = store.query_one("SELECT * FROM meetings WHERE id = ?", [meeting_id])
    if row is None:
        raise NotFound("error.not_found")
    return _meeting(row)


def get_meeting_by_screen_token(store: Store, token: str) -> Meeting:
    row = store.query_one("SELECT * FROM meetings WHERE screen_token = ?", [token or ""])
    if row is None:
        raise NotFound("error.not_found")
    return _meeting(row)


def list_meetings(store: Store, committee_id: int) -> list[Meeting]:
    rows = store.query("SELECT * FROM meetings WHERE committee_id = ? ORDER BY id", [committee_id])
    return [_meeting(r) for r in rows]


def list_steps(store: Store, meeting_id: int) -> list[Step]:
    rows = store.query("SELECT * FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id])
    return [_step(r) for r in rows]


def get_step(store: Store, step_id: int) -> Step:
    row = store.query_one("SELECT * FROM steps WHERE id = ?", [step_id])
    if row is None:
        raise NotFound("error.not_found")
    return _step(row)


def current_step(store: Store, meeting_id: int) -> Step | None:
    row = store.query_one(
        "SELECT s.* FROM steps s JOIN meetings m ON m.current_step_id = s.id WHERE m.id = ?",
        [meeting_id],
    )
    return _step(row) if row else None


def meeting_state(store: Store, meeting_id: int) -> MeetingState:
    row = store.query_one(
        "SELECT status, current_step_id, change_seq, vote_seq FROM meetings WHERE id = ?",
        [meeting_id],
    )
    if row is None:
        raise NotFound("error.not_found")
    return MeetingState(
        MeetingStatus(row["status"]), row["current_step_id"], row["change_seq"], row["vote_seq"]
    )


# -- facilitator controls -------------------------------------------------------------------


def go_to_step(
    store: Store, meeting_id: int, step_id: int, *, actor: User | None, join_code_hours: int = 24
) -> Step:
    """Make ``step_id`` the current step. Starting the first step starts the meeting."""
    now = utcnow()
    with store.transaction() as db:
        meeting = db.execute(
            "SELECT status, current_step_id FROM meetings WHERE id = ?", [meeting_id]
        ).fetchone()
        if meeting is None:
            raise NotFound("error.not_found")
        if meeting[0] == MeetingStatus.CLOSED:
            raise NotAllowed("error.meeting.closed")
        step = db.execute(
            "SELECT kind FROM steps WHERE id = ? AND meeting_id = ?", [step_id, meeting_id]
        ).fetchone()
        if step is None:
            raise NotFound("error.not_found")
        kind = StepKind(step[0])
        previous = meeting[1]
        if previous and previous != step_id:
            db.execute(
                "UPDATE steps SET ended_at = ?, intake_open = 0 WHERE id = ?", [now, previous]
            )
            db.execute(
                "UPDATE rounds SET status = 'closed', closed_at = ? WHERE step_id = ?"
                " AND status = 'open'",
                [now, previous],
            )
        db.execute(
            "UPDATE steps SET started_at = COALESCE(started_at, ?), ended_at = NULL,"
            " intake_open = ? WHERE id = ?",
            [now, int(kind.takes_ideas), step_id],
        )
        if kind.is_vote:
            db.execute(
                "UPDATE rounds SET status = 'open', opened_at = COALESCE(opened_at, ?),"
                " closed_at = NULL WHERE step_id = ? AND number ="
                " (SELECT MAX(number) FROM rounds WHERE step_id = ?)",
                [now, step_id, step_id],
            )
        expires = None
        if meeting[0] == MeetingStatus.READY:
            expires = _later(hours=join_code_hours)
        db.execute(
            "UPDATE meetings SET current_step_id = ?, status = 'running',"
            " code_expires_at = COALESCE(?, code_expires_at) WHERE id = ?",
            [step_id, expires, meeting_id],
        )
        db.execute("UPDATE meetings SET vote_seq = vote_seq + 1 WHERE id = ?", [meeting_id])
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "go_to_step",
            "meetings",
            meeting_id,
            before={"step_id": previous},
            after={"step_id": step_id},
        )
    return get_step(store, step_id)


def next_step(
    store: Store, meeting_id: int, *, actor: User | None, join_code_hours: int = 24
) -> Step | None:
    """Move to the step after the current one (or to the first); None at the end."""
    steps = list_steps(store, meeting_id)
    current = meeting_state(store, meeting_id).current_step_id
    ids = [s.id for s in steps]
    index = ids.index(current) + 1 if current in ids else 0
    if index >= len(ids):
        return None
    return go_to_step(store, meeting_id, ids[index], actor=actor, join_code_hours=join_code_hours)


def set_intake(store: Store, step_id: int, is_open: bool, *, actor: User | None) -> None:
    with store.transaction() as db:
        row = db.execute("SELECT meeting_id, kind FROM steps WHERE id = ?", [step_id]).fetchone()
        if row is None:
            raise NotFound("error.not_found")
        if is_open and not StepKind(row[1]).takes_ideas:
            raise NotAllowed("error.step.no_intake")
        db.execute("UPDATE steps SET intake_open = ? WHERE id = ?", [int(is_open), step_id])
        bump_change(db, row[0])
        audit.record(db, actor, "set_intake", "steps", step_id, after={"open": is_open})


def close_meeting(store: Store, meeting_id: int, *, actor: User | None) -> None:
    now = utcnow()
    with store.transaction() as db:
        db.execute(
            "UPDATE steps SET intake_open = 0, ended_at = COALESCE(ended_at, ?)"
            " WHERE meeting_id = ? AND started_at IS NOT NULL",
            [now, meeting_id],
        )
        db.execute(
            "UPDATE rounds SET status = 'closed', closed_at = COALESCE(closed_at, ?)"
            " WHERE step_id IN (SELECT id FROM steps WHERE meeting_id = ?)",
            [now, meeting_id],
        )
        db.execute(
            "UPDATE meetings SET status = 'closed', code_expires_at = ? WHERE id = ?",
            [now, meeting_id],
        )
        bump_change(db, meeting_id)
        audit.record(db, actor, "close_meeting", "meetings", meeting_id)


# -- participants ---------------------------------------------------------------------------


def _participant(row: dict[str, Any]) -> Participant:
    return Participant(
        id=row["id"],
        meeting_id=row["meeting_id"],
        token=row["token"],
        display_name=row["display_name"],
        joined_at=row["joined_at"],
    )


def find_joinable_meeting(
    store: Store, typed_code: str, *, client: str = "", network: str | None = None
) -> Meeting:
    """The meeting behind a typed or linked code, or a clear reason why it cannot be joined.

    Failed attempts are rate limited per browser session (``client``) and per network
    address (``network``).
    """
    limits = [("join", client, JOIN_FAILURES_PER_CLIENT)]
    if network:
        limits.append(("join_network", network, JOIN_FAILURES_PER_NETWORK))
    for kind, subject, limit in limits:
        ratelimit.check(store, kind, subject, limit=limit, window_s=JOIN_WINDOW_S)
    code = normalise_code(typed_code)
    row = store.query_one("SELECT * FROM meetings WHERE join_code = ?", [code]) if code else None
    if row is None:
        for kind, subject, _ in limits:
            ratelimit.record_failure(store, kind, subject)
        raise InvalidInput("error.join.unknown_code")
    meeting = _meeting(row)
    if meeting.status == MeetingStatus.CLOSED:
        raise NotAllowed("error.join.closed")
    if meeting.code_expires_at and meeting.code_expires_at < utcnow():
        raise NotAllowed("error.join.expired")
    return meeting


def join_meeting(
    store: Store,
    typed_code: str,
    display_name: str = "",
    *,
    client: str = "",
    network: str | None = None,
) -> Participant:
    meeting = find_joinable_meeting(store, typed_code, client=client, network=network)
    name = clean_text(display_name)
    if len(name) > NAME_MAX:
        raise InvalidInput("error.text.too_long", field="name", max=NAME_MAX, length=len(name))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with store.transaction() as db:
        participant_id = db.execute(
            "INSERT INTO participants (meeting_id, token, display_name, joined_at)"
            " VALUES (?, ?, ?, ?)",
            [meeting.id, token, name, utcnow()],
        ).lastrowid
    assert participant_id is not None
    return get_participant(store, token)


def get_participant(store: Store, token: str) -> Participant:
    """The participant behind a token from the URL; a reload finds the same person."""
    row = store.query_one("SELECT * FROM participants WHERE token = ?", [token or ""])
    if row is None:
        raise NotFound("error.participant.unknown")
    return _participant(row)


def count_participants(store: Store, meeting_id: int) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM participants WHERE meeting_id = ?", [meeting_id]))
