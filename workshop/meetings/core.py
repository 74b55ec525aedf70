"""Live meetings: join codes, agenda steps, participants, and the state phones poll.

A meeting's agenda is a list of steps; the facilitator moves between them and every phone
follows ``meetings.current_step_id``. Anything a phone must notice bumps ``change_seq``, so a
phone's refresh is one indexed SELECT that usually finds nothing new.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database, Migrations

from workshop import audit, link_secrets, ratelimit
from workshop.db import Store, run_sql
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import rules as meeting_rules
from workshop.meetings.agenda import AgendaTemplate, StepSpec, insertion_order, template_agenda
from workshop.model import (
    Meeting,
    MeetingKind,
    MeetingState,
    MeetingStatus,
    Participant,
    Step,
    StepKind,
    StepTraits,
    User,
    utcnow,
)
from workshop.text import clean_text, require_text

# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31**6 ≈ 887 million codes
TOKEN_BYTES = link_secrets.LINK_BYTES  # participant and screen link secrets: 192 bits
SCREEN_LINK = "screen"  # the kind of derived link (workshop.link_secrets)
# Failed codes allowed per browser session, and per network address. A venue's 300 phones
# share one NAT address and some will mistype, so the network limit is generous; guessing a
# code among ~887 million at 300 tries per 10 minutes is still hopeless.
JOIN_FAILURES_PER_CLIENT = 10
JOIN_FAILURES_PER_NETWORK = 300
JOIN_WINDOW_S = 600
# Successful joins: counted per browser session over JOIN_SESSION_WINDOW_S and per network
# address per minute (JoinLimits, from the settings).
JOIN_SESSION_WINDOW_S = 600
JOIN_NETWORK_WINDOW_S = 60
NAME_MAX = 40
PROMPT_MAX = 300
DEFAULT_DOTS = 3
PLANNING_DAYS = 30  # a code made ahead of time stays valid this long before the start


TIME_BOX_MAX = meeting_rules.TIME_BOX_MAX
# Settings a step of a kind understands, with their bounds. Kinds added later list theirs.
STEP_SETTINGS: dict[str, tuple[int, int]] = {"ideas_per_minute": (1, 60)}

migrations = Migrations("samskab.meetings")

# An erased participant's token: this marker and random text, no digest (``workshop.privacy.core``
# writes it; the link-secret migration leaves such rows as they are).
ERASED_TOKEN_PREFIX = "erased-"
# The ``hide_reason`` of an idea whose words were erased at its author's request but whose row
# stays (an append-only record points at it): it is never shown, edited or let through again.
ERASED_IDEA_REASON = "erased"


@migrations(name="m001_step_settings")
def m001_step_settings(db: Database) -> None:
    run_sql(
        db,
        """
ALTER TABLE steps ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(settings) AND json_type(settings) = 'object');
CREATE INDEX steps_meeting ON steps (meeting_id, position);
""",
    )


@migrations(name="m002_link_secrets_hashed")
def m002_link_secrets_hashed(db: Database) -> None:
    """Participant and screen links at rest become SHA-256 digests (workshop.link_secrets).

    ``participants.token`` and ``meetings.screen_token`` keep their names and now hold the
    digest; links handed out before keep working. ``screen_salt`` derives the screen link
    again with the server key; old screen links have none, so the console offers a new one.
    """
    link_secrets.hash_in_place(db, "participants", "token", keep_prefix=ERASED_TOKEN_PREFIX)
    link_secrets.hash_in_place(db, "meetings", "screen_token")
    db.execute("ALTER TABLE meetings ADD COLUMN screen_salt TEXT")


def default_agenda(prompt: str) -> list[StepSpec]:
    return template_agenda(AgendaTemplate.SHORT, prompt)


def full_agenda(prompt: str) -> list[StepSpec]:
    """A whole dialogue session: welcome and agreement, brainstorm, themes, vote, wrap-up."""
    return template_agenda(AgendaTemplate.DIALOGUE, prompt)


def traits(kind: StepKind) -> StepTraits:
    return kind.traits


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
        ended_at=row.get("ended_at"),
        settings=json.loads(row.get("settings") or "{}"),
    )


def _clean_settings(settings: dict[str, Any] | None) -> dict[str, int]:
    cleaned: dict[str, int] = {}
    for name, value in (settings or {}).items():
        if value is None:
            continue
        if name not in STEP_SETTINGS:
            raise InvalidInput("error.step.bad_setting", name=name)
        low, high = STEP_SETTINGS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("error.step.setting_range", min=low, max=high)
        cleaned[name] = value
    return cleaned


def _check_time_box(minutes: int) -> int:
    if not 1 <= int(minutes) <= TIME_BOX_MAX:
        raise InvalidInput("error.step.bad_time_box", min=1, max=TIME_BOX_MAX)
    return int(minutes)


def _clean_prompt(prompt: str) -> str:
    prompt = clean_text(prompt)
    if len(prompt) > PROMPT_MAX:
        raise InvalidInput(
            "error.text.too_long", field="prompt", max=PROMPT_MAX, length=len(prompt)
        )
    return prompt


def _insert_step(
    db: Database, meeting_id: int, position: int, spec: StepSpec, dots_per_participant: int
) -> int:
    step_id = db.execute(
        "INSERT INTO steps (meeting_id, position, kind, prompt, time_box_minutes, settings)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [
            meeting_id,
            position,
            spec.kind.value,
            clean_text(spec.prompt)[:PROMPT_MAX],
            max(1, min(TIME_BOX_MAX, spec.time_box_minutes)),
            json.dumps(_clean_settings(spec.settings)),
        ],
    ).fetchall()[0][0]
    assert step_id is not None
    if spec.kind.is_vote:
        db.execute(
            "INSERT INTO rounds (step_id, number, method, status, revealed,"
            " dots_per_participant) VALUES (?, 1, ?, 'closed', 1, ?)",
            [step_id, spec.kind.value, dots_per_participant],
        )
    return int(step_id)


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


# An atomic increment: writers at once on PostgreSQL take turns on the meeting's row.
BUMP_VOTES = "UPDATE meetings SET vote_seq = vote_seq + 1 WHERE id = ?"


def bump_votes(db: Database, meeting_id: int) -> None:
    """Advance the meeting's vote counter: every tally and ballot cached per ``vote_seq`` is
    read again (a vote, a hidden or merged idea, a new round, an erased participant)."""
    db.execute(BUMP_VOTES, [meeting_id])


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
    template: AgendaTemplate | str | None = None,
    dots_per_participant: int = DEFAULT_DOTS,
    actor: User | None,
    is_demo: bool = False,
) -> Meeting:
    """A new meeting with its agenda: ``agenda`` as given, else the steps of ``template``
    (:mod:`workshop.meetings.agenda`), else the short agenda (brainstorm, dot vote, wrap-up)."""
    title = require_text(title, max_chars=120, field="title")
    prompt = clean_text(prompt)
    if len(prompt) > PROMPT_MAX:
        raise InvalidInput(
            "error.text.too_long", field="prompt", max=PROMPT_MAX, length=len(prompt)
        )
    if not 1 <= dots_per_participant <= 20:
        raise InvalidInput("error.meeting.bad_dots", min=1, max=20)
    if agenda is not None:
        steps = agenda
    else:
        steps = template_steps(template or AgendaTemplate.SHORT, prompt)
    if not steps:
        raise InvalidInput("error.meeting.empty_agenda")
    now = utcnow()
    screen_salt, _, screen_digest = link_secrets.fresh_link(store.path, SCREEN_LINK)
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM committees WHERE id = ?", [committee_id]).fetchone():
            raise NotFound("error.not_found")
        cursor = db.execute(
            "INSERT INTO meetings (committee_id, title, kind, join_code, code_expires_at,"
            " screen_token, screen_salt, is_demo, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                committee_id,
                title,
                MeetingKind(kind).value,
                _new_code(db),
                _later(days=PLANNING_DAYS),
                screen_digest,
                screen_salt,
                int(is_demo),
                actor.id if actor else None,
                now,
            ],
        )
        meeting_id = cursor.fetchall()[0][0]
        assert meeting_id is not None
        for position, spec in enumerate(steps, start=1):
            _insert_step(db, meeting_id, position, spec, dots_per_participant)
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
    """The meeting whose screen (projector) link carries ``token``."""
    if not token:
        raise NotFound("error.not_found")
    row = store.query_one(
        "SELECT * FROM meetings WHERE screen_token = ?", [link_secrets.hash_secret(token)]
    )
    if row is None:
        raise NotFound("error.not_found")
    return _meeting(row)


def screen_link_token(store: Store, meeting_id: int) -> str | None:
    """The secret of the meeting's screen link, derived again with the server key; None when
    it cannot be (made before links were hashed, or under another key: make a new one)."""
    row = store.query_one(
        "SELECT screen_token, screen_salt FROM meetings WHERE id = ?", [meeting_id]
    )
    if row is None:
        raise NotFound("error.not_found")
    return link_secrets.shown_link(store.path, SCREEN_LINK, row["screen_salt"], row["screen_token"])


def new_screen_link(store: Store, meeting_id: int, *, actor: User | None) -> str:
    """A new screen link for the meeting; the old one stops working at once (audited)."""
    salt, secret, digest = link_secrets.fresh_link(store.path, SCREEN_LINK)
    with store.transaction() as db:
        changed = db.execute(
            "UPDATE meetings SET screen_token = ?, screen_salt = ? WHERE id = ?",
            [digest, salt, meeting_id],
        ).rowcount
        if not changed:
            raise NotFound("error.not_found")
        audit.record(db, actor, "new_screen_link", "meetings", meeting_id)
    return secret


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
    """What every phone polls on each refresh: one indexed row."""
    row = store.query_one(
        "SELECT m.status, m.current_step_id, m.change_seq, m.vote_seq, s.intake_open"
        " FROM meetings m LEFT JOIN steps s ON s.id = m.current_step_id WHERE m.id = ?",
        [meeting_id],
    )
    if row is None:
        raise NotFound("error.not_found")
    return MeetingState(
        MeetingStatus(row["status"]),
        row["current_step_id"],
        row["change_seq"],
        row["vote_seq"],
        bool(row["intake_open"]),
    )


# -- facilitator controls -------------------------------------------------------------------


def agenda_in(db: Database, meeting_id: int) -> tuple[MeetingState, list[Step]]:
    """The meeting's state and agenda as seen inside the caller's transaction."""
    row = db.execute(
        "SELECT m.status, m.current_step_id, m.change_seq, m.vote_seq, s.intake_open"
        " FROM meetings m LEFT JOIN steps s ON s.id = m.current_step_id WHERE m.id = ?",
        [meeting_id],
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    state = MeetingState(MeetingStatus(row[0]), row[1], row[2], row[3], bool(row[4]))
    steps = [
        _step(r)
        for r in db.query(
            "SELECT * FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
        )
    ]
    return state, steps


def _start_step(
    db: Database,
    meeting_id: int,
    state: MeetingState,
    step: Step,
    *,
    actor: User | None,
    join_code_hours: int,
) -> None:
    """Make ``step`` current: end the one before (closing its open round), start this one."""
    now = utcnow()
    previous = state.current_step_id
    if previous and previous != step.id:
        db.execute("UPDATE steps SET ended_at = ?, intake_open = 0 WHERE id = ?", [now, previous])
        db.execute(
            "UPDATE rounds SET status = 'closed', closed_at = ? WHERE step_id = ?"
            " AND status = 'open'",
            [now, previous],
        )
    db.execute(
        "UPDATE steps SET started_at = COALESCE(started_at, ?), ended_at = NULL,"
        " intake_open = ? WHERE id = ?",
        [now, int(step.kind.takes_ideas), step.id],
    )
    if step.kind.is_vote:
        db.execute(
            "UPDATE rounds SET status = 'open', opened_at = COALESCE(opened_at, ?),"
            " closed_at = NULL WHERE step_id = ? AND number ="
            " (SELECT MAX(number) FROM rounds WHERE step_id = ?)",
            [now, step.id, step.id],
        )
    expires = _later(hours=join_code_hours) if state.status is MeetingStatus.READY else None
    db.execute(
        "UPDATE meetings SET current_step_id = ?, status = 'running',"
        " code_expires_at = COALESCE(?, code_expires_at) WHERE id = ?",
        [step.id, expires, meeting_id],
    )
    bump_votes(db, meeting_id)
    bump_change(db, meeting_id)
    audit.record(
        db,
        actor,
        "go_to_step",
        "meetings",
        meeting_id,
        before={"step_id": previous},
        after={"step_id": step.id},
    )


# ``from_step`` not given: the caller did not say which step it saw (a script, a test).
SEEN_ANY: Any = object()


def _still_at(state: MeetingState, from_step: int | None) -> None:
    """Refuse a move made from a view of the room that is out of date: the caller saw
    ``from_step`` as the current step (None: before the start), and another console has moved
    the room since. A stale console's "Previous step" moved the room from the brainstorm back
    to the welcome (a fresh-eyes trial)."""
    if from_step is not SEEN_ANY and state.current_step_id != from_step:
        raise NotAllowed("error.meeting.moved_on")


def go_to_step(
    store: Store,
    meeting_id: int,
    step_id: int,
    *,
    actor: User | None,
    join_code_hours: int = 24,
    from_step: int | None = SEEN_ANY,
) -> Step:
    """Make ``step_id`` the current step. Starting the first step starts the meeting.

    Refused (:func:`meeting_rules.can_go_to_step`) on a closed meeting and for the step
    that is already running; and when the room is no longer at ``from_step``.
    """
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        _still_at(state, from_step)
        target = next((s for s in steps if s.id == step_id), None)
        if target is None:
            raise NotFound("error.not_found")
        meeting_rules.can_go_to_step(state, steps, step_id).require()
        _start_step(db, meeting_id, state, target, actor=actor, join_code_hours=join_code_hours)
    return get_step(store, step_id)


def next_step(
    store: Store,
    meeting_id: int,
    *,
    actor: User | None,
    join_code_hours: int = 24,
    from_step: int | None = SEEN_ANY,
) -> Step:
    """Move to the step after the current one (or to the first, which starts the meeting).

    Refused (:func:`meeting_rules.can_move_to_next_step`) after the last step and on a
    closed meeting; and when the room is no longer at ``from_step``.
    """
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        _still_at(state, from_step)
        meeting_rules.can_move_to_next_step(state, steps).require()
        index = meeting_rules.current_index(state, steps)
        target = steps[0 if index is None else index + 1]
        _start_step(db, meeting_id, state, target, actor=actor, join_code_hours=join_code_hours)
    return get_step(store, target.id)


def previous_step(
    store: Store,
    meeting_id: int,
    *,
    actor: User | None,
    join_code_hours: int = 24,
    from_step: int | None = SEEN_ANY,
) -> Step:
    """Go back to the step before the current one (:func:`meeting_rules.can_go_back`);
    refused when the room is no longer at ``from_step``."""
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        _still_at(state, from_step)
        meeting_rules.can_go_back(state, steps).require()
        index = meeting_rules.current_index(state, steps)
        assert index is not None  # can_go_back: a step is running
        target = steps[index - 1]
        _start_step(db, meeting_id, state, target, actor=actor, join_code_hours=join_code_hours)
    return get_step(store, target.id)


def extend_step_timer(
    store: Store,
    meeting_id: int,
    minutes: int = meeting_rules.EXTEND_MINUTES,
    *,
    actor: User | None,
) -> Step:
    """Give the running step ``minutes`` more (the console's "+5 minutes").

    Refused (:func:`meeting_rules.can_extend_timer`) when the time box would pass
    ``TIME_BOX_MAX``, or when no step is running; the time box is then unchanged.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        raise InvalidInput("error.step.bad_extension", max=TIME_BOX_MAX)
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        step = next((s for s in steps if s.id == state.current_step_id), None)
        meeting_rules.can_extend_timer(state, step, minutes).require()
        assert step is not None
        longer = step.time_box_minutes + minutes
        db.execute("UPDATE steps SET time_box_minutes = ? WHERE id = ?", [longer, step.id])
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "extend_step_timer",
            "steps",
            step.id,
            before={"time_box_minutes": step.time_box_minutes},
            after={"time_box_minutes": longer},
        )
    return get_step(store, step.id)


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


def _editable_step(db: Database, step_id: int) -> tuple[int, int, str | None]:
    row = db.execute(
        "SELECT s.meeting_id, s.position, s.started_at, m.status FROM steps s"
        " JOIN meetings m ON m.id = s.meeting_id WHERE s.id = ?",
        [step_id],
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    if row[3] == MeetingStatus.CLOSED:
        raise NotAllowed("error.meeting.closed")
    return int(row[0]), int(row[1]), row[2]


def add_step(
    store: Store,
    meeting_id: int,
    kind: StepKind,
    *,
    prompt: str = "",
    time_box_minutes: int | None = None,
    settings: dict[str, Any] | None = None,
    actor: User | None,
) -> Step:
    """Append a step to the agenda (a vote step gets its first round)."""
    kind = StepKind(kind)
    spec = StepSpec(
        kind,
        _clean_prompt(prompt),
        _check_time_box(time_box_minutes or kind.traits.default_minutes),
        _clean_settings(settings),
    )
    with store.transaction() as db:
        position = len(_open_agenda(db, meeting_id)) + 1
        dots = _meeting_dots(db, meeting_id)
        step_id = _insert_step(db, meeting_id, position, spec, dots)
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "add_step",
            "steps",
            step_id,
            after={"kind": kind.value, "prompt": spec.prompt, "minutes": spec.time_box_minutes},
        )
    return get_step(store, step_id)


def _meeting_dots(db: Database, meeting_id: int) -> int:
    """The dots each participant has in this meeting (its first round's), for a new vote step."""
    row = db.execute(
        "SELECT r.dots_per_participant FROM rounds r JOIN steps s ON s.id = r.step_id"
        " WHERE s.meeting_id = ? ORDER BY r.id LIMIT 1",
        [meeting_id],
    ).fetchone()
    return int(row[0]) if row else DEFAULT_DOTS


def _open_agenda(db: Database, meeting_id: int) -> list[int]:
    """The agenda's step ids in order, for a change; refused on a closed meeting."""
    meeting = db.execute("SELECT status FROM meetings WHERE id = ?", [meeting_id]).fetchone()
    if meeting is None:
        raise NotFound("error.not_found")
    if meeting[0] == MeetingStatus.CLOSED:
        raise NotAllowed("error.meeting.closed")
    return [
        r[0]
        for r in db.execute(
            "SELECT id FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
        ).fetchall()
    ]


def template_steps(template: AgendaTemplate | str, prompt: str = "") -> list[StepSpec]:
    """The steps of an agenda template, or a clear refusal for a template that does not exist."""
    try:
        return template_agenda(template, _clean_prompt(prompt))
    except ValueError:
        raise InvalidInput("error.agenda.unknown_template") from None


def apply_agenda_template(
    store: Store,
    meeting_id: int,
    template: AgendaTemplate | str,
    *,
    prompt: str = "",
    actor: User | None,
) -> list[Step]:
    """Replace the agenda of a meeting that has not started with ``template``'s steps.

    One transaction: the old steps (and their rounds, never opened) go, the template's come.
    Refused (:func:`meeting_rules.can_apply_template`) once the meeting has started, and on
    a closed meeting; the agenda is then as it was.
    """
    steps_wanted = template_steps(template, prompt)
    with store.transaction() as db:
        state, steps = agenda_in(db, meeting_id)
        meeting_rules.can_apply_template(state, steps).require()
        dots = _meeting_dots(db, meeting_id)
        old = [s.id for s in steps]
        marks = ", ".join("?" for _ in old)
        if old:
            db.execute(f"DELETE FROM rounds WHERE step_id IN ({marks})", old)
            db.execute(f"UPDATE ideas SET step_id = NULL WHERE step_id IN ({marks})", old)
            db.execute(f"DELETE FROM steps WHERE id IN ({marks})", old)
        for position, spec in enumerate(steps_wanted, start=1):
            _insert_step(db, meeting_id, position, spec, dots)
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "apply_agenda_template",
            "meetings",
            meeting_id,
            before={"steps": [s.kind.value for s in steps]},
            after={"template": str(template), "steps": [s.kind.value for s in steps_wanted]},
        )
    return list_steps(store, meeting_id)


def insert_step(
    store: Store,
    meeting_id: int,
    kind: StepKind,
    position: int,
    *,
    prompt: str = "",
    time_box_minutes: int | None = None,
    actor: User | None,
) -> Step:
    """Put a new step at 1-based ``position`` of the agenda (``len + 1``: at the end); the
    steps from there on move one down. A vote step gets its first round.

    Refused (:func:`meeting_rules.can_insert_step`): a vote on ideas where no step before it
    collects any; a position outside the agenda; a closed meeting. Nothing is then changed.
    """
    kind = StepKind(kind)
    spec = StepSpec(
        kind,
        _clean_prompt(prompt),
        _check_time_box(time_box_minutes or kind.traits.default_minutes),
    )
    with store.transaction() as db:
        ids = _open_agenda(db, meeting_id)
        if isinstance(position, bool) or not isinstance(position, int):
            raise InvalidInput("error.agenda.bad_position", max=len(ids) + 1)
        try:
            insertion_order(ids, 0, position)
        except ValueError:
            raise InvalidInput("error.agenda.bad_position", max=len(ids) + 1) from None
        before = [
            StepKind(r[0])
            for r in db.execute(
                "SELECT kind FROM steps WHERE meeting_id = ? AND position < ?",
                [meeting_id, position],
            ).fetchall()
        ]
        meeting_rules.can_insert_step(kind, before).require()
        step_id = _insert_step(db, meeting_id, len(ids) + 1, spec, _meeting_dots(db, meeting_id))
        _renumber(db, meeting_id, insertion_order(ids, step_id, position))
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "insert_step",
            "steps",
            step_id,
            after={"kind": kind.value, "position": position, "prompt": spec.prompt},
        )
    return get_step(store, step_id)


def duplicate_step(store: Store, step_id: int, *, actor: User | None) -> Step:
    """A copy of a step (kind, prompt, time box, settings) right after it, not yet run."""
    original = get_step(store, step_id)
    spec = StepSpec(
        original.kind, original.prompt, original.time_box_minutes, dict(original.settings)
    )
    with store.transaction() as db:
        ids = _open_agenda(db, original.meeting_id)
        if step_id not in ids:
            raise NotFound("error.not_found")
        copy_id = _insert_step(
            db, original.meeting_id, len(ids) + 1, spec, _meeting_dots(db, original.meeting_id)
        )
        order = insertion_order(ids, copy_id, ids.index(step_id) + 2)
        _renumber(db, original.meeting_id, order)
        bump_change(db, original.meeting_id)
        audit.record(
            db,
            actor,
            "duplicate_step",
            "steps",
            copy_id,
            before={"step_id": step_id},
            after={"kind": original.kind.value, "position": order.index(copy_id) + 1},
        )
    return get_step(store, copy_id)


def update_step(
    store: Store,
    step_id: int,
    *,
    prompt: str | None = None,
    time_box_minutes: int | None = None,
    settings: dict[str, Any] | None = None,
    actor: User | None,
) -> Step:
    """Change a step's prompt, time box or settings; phones see the new prompt at once."""
    before = get_step(store, step_id)
    changes: dict[str, Any] = {}
    if prompt is not None and _clean_prompt(prompt) != before.prompt:
        changes["prompt"] = _clean_prompt(prompt)
    if time_box_minutes is not None and time_box_minutes != before.time_box_minutes:
        changes["time_box_minutes"] = _check_time_box(time_box_minutes)
    if settings is not None:
        merged = {**before.settings, **settings}
        cleaned = _clean_settings({k: v for k, v in merged.items() if v is not None})
        if cleaned != before.settings:
            changes["settings"] = json.dumps(cleaned)
    if not changes:
        return before
    with store.transaction() as db:
        meeting_id, _, _ = _editable_step(db, step_id)
        assignments = ", ".join(f"{name} = ?" for name in changes)
        db.execute(f"UPDATE steps SET {assignments} WHERE id = ?", [*changes.values(), step_id])
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "update_step",
            "steps",
            step_id,
            before={
                "prompt": before.prompt,
                "time_box_minutes": before.time_box_minutes,
                "settings": before.settings,
            },
            after=changes,
        )
    return get_step(store, step_id)


def remove_step(store: Store, step_id: int, *, actor: User | None) -> None:
    """Take a step that has not been run off the agenda."""
    with store.transaction() as db:
        meeting_id, position, started_at = _editable_step(db, step_id)
        if started_at is not None:
            raise NotAllowed("error.step.already_run")
        if (
            db.execute("SELECT COUNT(*) FROM steps WHERE meeting_id = ?", [meeting_id]).fetchone()[
                0
            ]
            <= 1
        ):
            raise InvalidInput("error.meeting.empty_agenda")
        db.execute("DELETE FROM rounds WHERE step_id = ?", [step_id])
        db.execute("DELETE FROM steps WHERE id = ?", [step_id])
        _renumber(db, meeting_id)
        bump_change(db, meeting_id)
        audit.record(db, actor, "remove_step", "steps", step_id, before={"position": position})


def move_step(store: Store, step_id: int, offset: int, *, actor: User | None) -> None:
    """Move a step up (``offset=-1``) or down (``+1``) the agenda."""
    with store.transaction() as db:
        meeting_id, position, _ = _editable_step(db, step_id)
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
            ).fetchall()
        ]
        index = ids.index(step_id)
        target = index + offset
        if not 0 <= target < len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        _renumber(db, meeting_id, ids)
        bump_change(db, meeting_id)
        audit.record(
            db,
            actor,
            "move_step",
            "steps",
            step_id,
            before={"position": position},
            after={"position": target + 1},
        )


def _renumber(db: Database, meeting_id: int, ids: list[int] | None = None) -> None:
    if ids is None:
        ids = [
            r[0]
            for r in db.execute(
                "SELECT id FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
            ).fetchall()
        ]
    # Two passes keep UNIQUE (meeting_id, position) true after every statement.
    for position, step_id in enumerate(ids, start=1):
        db.execute("UPDATE steps SET position = ? WHERE id = ?", [-position, step_id])
    for position, step_id in enumerate(ids, start=1):
        db.execute("UPDATE steps SET position = ? WHERE id = ?", [position, step_id])


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


def _participant(row: dict[str, Any], token: str) -> Participant:
    """A participant as seen through their link: ``token`` is the plaintext secret of that
    link (the database keeps only its SHA-256)."""
    return Participant(
        id=row["id"],
        meeting_id=row["meeting_id"],
        token=token,
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


@dataclass(frozen=True)
class JoinLimits:
    """How many participants one browser session, and one network address, may create.

    A person joins once; a family sharing a phone a few times ("not you?"). A script pressing
    Join over the websocket is stopped after ``per_session``; one opening a new session for
    every join meets ``per_network_minute``, which still lets a venue's phones behind one
    address all join within a minute.
    """

    per_session: int = 3
    per_network_minute: int = 600

    @classmethod
    def from_settings(cls, settings: Any) -> JoinLimits:
        return cls(settings.joins_per_session, settings.joins_per_network_minute)


def _take_join_limits(db: Database, limits: JoinLimits, client: str, network: str | None) -> None:
    if client:
        ratelimit.take(
            db,
            "joined",
            client,
            limit=limits.per_session,
            window_s=JOIN_SESSION_WINDOW_S,
            key="error.join.too_many_from_browser",
        )
    if network:
        ratelimit.take(
            db,
            "joined_network",
            network,
            limit=limits.per_network_minute,
            window_s=JOIN_NETWORK_WINDOW_S,
            key="error.join.too_many_from_network",
        )


def join_meeting(
    store: Store,
    typed_code: str,
    display_name: str = "",
    *,
    client: str = "",
    network: str | None = None,
    limits: JoinLimits | None = None,
) -> Participant:
    """A new participant in the meeting behind the code.

    ``limits``: successful joins allowed per browser session (``client``) and per network
    address (``network``); the pages always pass them (from the settings).
    """
    meeting = find_joinable_meeting(store, typed_code, client=client, network=network)
    name = clean_text(display_name)
    if len(name) > NAME_MAX:
        raise InvalidInput("error.text.too_long", field="name", max=NAME_MAX, length=len(name))
    token = link_secrets.new_token(TOKEN_BYTES)  # known only now: the phone's link keeps it
    with store.transaction() as db:
        if limits is not None:
            _take_join_limits(db, limits, client, network)
        participant_id = db.execute(
            "INSERT INTO participants (meeting_id, token, display_name, joined_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [meeting.id, link_secrets.hash_secret(token), name, utcnow()],
        ).fetchall()[0][0]
    assert participant_id is not None
    return get_participant(store, token)


def get_participant(store: Store, token: str) -> Participant:
    """The participant behind a token from the URL; a reload finds the same person.

    Looked up by the token's SHA-256; the returned participant carries the plaintext token.
    """
    if not token:
        raise NotFound("error.participant.unknown")
    row = store.query_one(
        "SELECT * FROM participants WHERE token = ?", [link_secrets.hash_secret(token)]
    )
    if row is None:
        raise NotFound("error.participant.unknown")
    return _participant(row, token)


def count_participants(store: Store, meeting_id: int) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM participants WHERE meeting_id = ?", [meeting_id]))


# One process serves roughly this many phone refreshes per second next to the posts and votes
# (benchmarks/room_load.py); larger rooms refresh less often instead of queueing everyone.
ROOM_REFRESHES_PER_SECOND = 40
MAX_REFRESH_SECONDS = 15.0


def phone_refresh_seconds(base: float, participants: int) -> float:
    """How often a phone asks for news: ``base`` in a small room, slower in a large one."""
    return max(base, min(participants / ROOM_REFRESHES_PER_SECOND, MAX_REFRESH_SECONDS))
