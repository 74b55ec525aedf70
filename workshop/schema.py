"""The foundation of the schema: the core migration set ``samskab`` (users, meetings, steps,
participants, ideas, rounds, ballots, ...). Never edit an applied migration: add one.

Each feature that owns tables keeps its own named set next to its code; ``workshop.app``
lists them all, in the order they are applied.

Conventions: plural snake_case tables, ``id`` primary keys, ``<singular>_id`` foreign keys,
``*_at`` ISO-8601 UTC text. Rules that must hold even if the application has a bug (one
ballot per participant per round, dot limits, an append-only audit log) are constraints and
triggers here, not only checks in Python.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workshop.db import run_sql

migrations = Migrations("samskab")


@migrations(name="m001_foundation")
def m001_foundation(db: Database) -> None:
    run_sql(
        db,
        """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'facilitator', 'politician')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

-- Failed logins and failed join-code attempts, for rate limiting.
CREATE TABLE rate_events (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX rate_events_lookup ON rate_events (kind, subject, at);

CREATE TABLE committees (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    task TEXT NOT NULL DEFAULT '',
    politicians_target INTEGER NOT NULL DEFAULT 5 CHECK (politicians_target >= 0),
    citizens_target INTEGER NOT NULL DEFAULT 10 CHECK (citizens_target >= 0),
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'running', 'closed')),
    join_code TEXT NOT NULL UNIQUE,
    code_expires_at TEXT,
    screen_token TEXT NOT NULL UNIQUE,
    current_step_id INTEGER,
    -- bumped by every change phones must see (ideas, steps); phones poll this number
    change_seq INTEGER NOT NULL DEFAULT 0,
    -- bumped by every ballot change; tallies are cached per value
    vote_seq INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX meetings_committee ON meetings (committee_id);

CREATE TABLE steps (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    prompt TEXT NOT NULL DEFAULT '',
    time_box_minutes INTEGER NOT NULL DEFAULT 10,
    intake_open INTEGER NOT NULL DEFAULT 0,
    started_at TEXT,
    ended_at TEXT,
    UNIQUE (meeting_id, position)
);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    token TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    joined_at TEXT NOT NULL,
    last_seen_at TEXT
);
CREATE INDEX participants_meeting ON participants (meeting_id);

CREATE TABLE ideas (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    step_id INTEGER REFERENCES steps (id),
    participant_id INTEGER REFERENCES participants (id),
    entered_by INTEGER REFERENCES users (id),
    author_name TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    status TEXT NOT NULL DEFAULT 'submitted',
    hidden INTEGER NOT NULL DEFAULT 0,
    hide_reason TEXT,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ideas_meeting_seq ON ideas (meeting_id, seq);
CREATE INDEX ideas_participant ON ideas (participant_id, created_at);

CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    step_id INTEGER NOT NULL REFERENCES steps (id),
    number INTEGER NOT NULL DEFAULT 1,
    method TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    revealed INTEGER NOT NULL DEFAULT 0,
    dots_per_participant INTEGER NOT NULL DEFAULT 3 CHECK (dots_per_participant > 0),
    max_dots_per_idea INTEGER CHECK (max_dots_per_idea IS NULL OR max_dots_per_idea > 0),
    opened_at TEXT,
    closed_at TEXT,
    UNIQUE (step_id, number)
);

-- One ballot per participant per round: the UNIQUE constraint is the guarantee.
CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES rounds (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    cast_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (round_id, participant_id)
);

CREATE TABLE ballot_entries (
    ballot_id INTEGER NOT NULL REFERENCES ballots (id) ON DELETE CASCADE,
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    value INTEGER NOT NULL,
    PRIMARY KEY (ballot_id, idea_id)
);
CREATE INDEX ballot_entries_idea ON ballot_entries (idea_id);

-- Dot limits hold even if a caller skips the service layer.
CREATE TRIGGER ballot_entries_dot_limit_insert
BEFORE INSERT ON ballot_entries
WHEN (SELECT r.method FROM rounds r JOIN ballots b ON b.round_id = r.id
      WHERE b.id = NEW.ballot_id) = 'dot_vote'
BEGIN
    SELECT RAISE(ABORT, 'dot_limit')
    WHERE NEW.value < 0
       OR NEW.value
          + COALESCE((SELECT SUM(value) FROM ballot_entries WHERE ballot_id = NEW.ballot_id), 0)
          > (SELECT r.dots_per_participant FROM rounds r JOIN ballots b ON b.round_id = r.id
             WHERE b.id = NEW.ballot_id)
       OR NEW.value > COALESCE((SELECT r.max_dots_per_idea FROM rounds r
             JOIN ballots b ON b.round_id = r.id WHERE b.id = NEW.ballot_id), NEW.value);
END;

CREATE TRIGGER ballot_entries_dot_limit_update
BEFORE UPDATE OF value ON ballot_entries
WHEN (SELECT r.method FROM rounds r JOIN ballots b ON b.round_id = r.id
      WHERE b.id = NEW.ballot_id) = 'dot_vote'
BEGIN
    SELECT RAISE(ABORT, 'dot_limit')
    WHERE NEW.value < 0
       OR NEW.value - OLD.value
          + COALESCE((SELECT SUM(value) FROM ballot_entries WHERE ballot_id = NEW.ballot_id), 0)
          > (SELECT r.dots_per_participant FROM rounds r JOIN ballots b ON b.round_id = r.id
             WHERE b.id = NEW.ballot_id)
       OR NEW.value > COALESCE((SELECT r.max_dots_per_idea FROM rounds r
             JOIN ballots b ON b.round_id = r.id WHERE b.id = NEW.ballot_id), NEW.value);
END;

-- Who did what, when, before and after. Append-only, enforced here.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER,
    before TEXT,
    after TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
""",
    )
