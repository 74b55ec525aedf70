"""The outcomes feature's tables, as its own named migration set ``samskab.outcomes``.

An outcome record exists for every recommendation the council adopted (with or without
changes) and for every implemented idea. Triggers create them, so no caller can forget: a
council decision or an idea status change is enough. The barometer's dimensions are stored as
stable keys (``workshop.barometer``); a realised value must carry evidence, and that rule is a
CHECK constraint too. Builds on the committees set (``recommendations``, ``decisions``).
Never edit an applied migration: add one.
"""

from __future__ import annotations

from enum import StrEnum

from sqlite_utils import Database, Migrations

from workshop.barometer import Evaluated, Novelty, PromoteHinderFactor, PromoteHinderScale, Value
from workshop.db import run_sql

migrations = Migrations("samskab.outcomes")


def _keys(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


@migrations(name="m001_outcomes")
def m001_outcomes(db: Database) -> None:
    run_sql(
        db,
        f"""
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    recommendation_id INTEGER UNIQUE REFERENCES recommendations (id),
    idea_id INTEGER UNIQUE REFERENCES ideas (id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'in_progress', 'done', 'stopped')),
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    innovation_types TEXT NOT NULL DEFAULT '[]',  -- JSON list of InnovationType keys
    novelty TEXT CHECK (novelty IS NULL OR novelty IN ({_keys(Novelty)})),
    initiators TEXT NOT NULL DEFAULT '[]',  -- JSON list of Initiator keys, at most 3
    partners TEXT NOT NULL DEFAULT '[]',  -- JSON list of Partner keys
    evaluated TEXT CHECK (evaluated IS NULL OR evaluated IN ({_keys(Evaluated)})),
    shared INTEGER CHECK (shared IS NULL OR shared IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- an outcome follows exactly one thing: an adopted recommendation or an implemented idea
    CHECK ((recommendation_id IS NULL) != (idea_id IS NULL)),
    CHECK (json_valid(innovation_types) AND json_valid(initiators) AND json_valid(partners)),
    CHECK (json_array_length(initiators) <= 3)
);
CREATE INDEX outcomes_committee ON outcomes (committee_id);

-- Values expected at decision time and realised at follow-up. Realised needs evidence.
CREATE TABLE outcome_values (
    outcome_id INTEGER NOT NULL REFERENCES outcomes (id),
    stage TEXT NOT NULL CHECK (stage IN ('expected', 'realised')),
    value TEXT NOT NULL CHECK (value IN ({_keys(Value)})),
    evidence_kind TEXT CHECK (evidence_kind IS NULL OR evidence_kind IN ('text', 'figure', 'link')),
    evidence TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (outcome_id, stage, value),
    CHECK (stage = 'expected'
           OR (evidence_kind IS NOT NULL AND length(trim(evidence)) > 0))
);

-- What promoted or hindered the outcome, on the barometer's scale.
CREATE TABLE outcome_factors (
    outcome_id INTEGER NOT NULL REFERENCES outcomes (id),
    factor TEXT NOT NULL CHECK (factor IN ({_keys(PromoteHinderFactor)})),
    scale TEXT NOT NULL CHECK (scale IN ({_keys(PromoteHinderScale)})),
    PRIMARY KEY (outcome_id, factor)
);

-- Follow-up reviews: planned on a date, completed with a note.
CREATE TABLE outcome_reviews (
    id INTEGER PRIMARY KEY,
    outcome_id INTEGER NOT NULL REFERENCES outcomes (id),
    due_on TEXT NOT NULL CHECK (date(due_on) IS NOT NULL AND date(due_on) = due_on),
    done_at TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    completed_by INTEGER REFERENCES users (id),
    CHECK (done_at IS NULL OR length(trim(note)) > 0)
);
CREATE INDEX outcome_reviews_due ON outcome_reviews (done_at, due_on);
CREATE INDEX outcome_reviews_outcome ON outcome_reviews (outcome_id);

-- The council adopts a recommendation: it gets an outcome record.
CREATE TRIGGER outcomes_on_council_adoption AFTER INSERT ON decisions
WHEN NEW.body = 'council' AND NEW.outcome IN ('adopted', 'adopted_with_changes')
BEGIN
    INSERT OR IGNORE INTO outcomes (committee_id, recommendation_id, title, created_at, updated_at)
    SELECT r.committee_id, r.id, r.title, NEW.recorded_at, NEW.recorded_at
    FROM recommendations r WHERE r.id = NEW.recommendation_id;
END;

-- An idea is implemented: it gets an outcome record.
CREATE TRIGGER outcomes_on_idea_implemented AFTER UPDATE OF status ON ideas
WHEN NEW.status = 'implemented' AND OLD.status IS NOT 'implemented'
BEGIN
    INSERT OR IGNORE INTO outcomes (committee_id, idea_id, title, created_at, updated_at)
    SELECT m.committee_id, NEW.id, substr(NEW.text, 1, 200), NEW.updated_at, NEW.updated_at
    FROM meetings m WHERE m.id = NEW.meeting_id;
END;

-- Records that existed before this migration.
INSERT OR IGNORE INTO outcomes (committee_id, recommendation_id, title, created_at, updated_at)
SELECT r.committee_id, r.id, r.title, d.recorded_at, d.recorded_at
FROM recommendations r JOIN decisions d ON d.recommendation_id = r.id
WHERE d.body = 'council' AND d.outcome IN ('adopted', 'adopted_with_changes');
INSERT OR IGNORE INTO outcomes (committee_id, idea_id, title, created_at, updated_at)
SELECT m.committee_id, i.id, substr(i.text, 1, 200), i.updated_at, i.updated_at
FROM ideas i JOIN meetings m ON m.id = i.meeting_id WHERE i.status = 'implemented';
""",
    )


@migrations(name="m002_summary_indexes")
def m002_summary_indexes(db: Database) -> None:
    run_sql(
        db,
        """
-- The summary adds up dots per idea; with the value in the index that is an index-only scan
-- (30 ms instead of 150 ms at 200,000 votes). One more index entry per dot placed.
CREATE INDEX IF NOT EXISTS ballot_entries_idea_value ON ballot_entries (idea_id, value);
-- An outcome's next open review (the planner otherwise picks the (done_at, due_on) index).
CREATE INDEX outcome_reviews_open ON outcome_reviews (outcome_id, done_at, due_on);
""",
    )
