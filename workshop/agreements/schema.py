"""The agreements feature's tables, as its own named migration set ``samskab.agreements``.

An agreement belongs to exactly one committee or one meeting. Its text lives in versions that
are never changed (a change is a new version); acknowledgements name the version a participant
read, and only the newest version can be acknowledged. Commitments carry an owner and a due
date, and one that needs evidence cannot be closed without it. Never edit an applied
migration: add one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workshop.db import run_sql

migrations = Migrations("samskab.agreements")

LEVELS_SQL = "'inform', 'consult', 'involve', 'collaborate', 'empower'"
PARTIES_SQL = "'politicians', 'citizens', 'administration', 'facilitator', 'partners'"


@migrations(name="m001_agreements")
def m001_agreements(db: Database) -> None:
    run_sql(
        db,
        f"""
CREATE TABLE agreements (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER REFERENCES committees (id),
    meeting_id INTEGER REFERENCES meetings (id),
    template TEXT NOT NULL
        CHECK (template IN ('committee', 'dialogue_session', 'local_partnership')),
    -- shown to participants (and asked for acknowledgement) once published
    published_at TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK ((committee_id IS NULL) != (meeting_id IS NULL))
);
CREATE INDEX agreements_committee ON agreements (committee_id);
CREATE INDEX agreements_meeting ON agreements (meeting_id);

-- The ten points of an agreement, one row per version; versions are never changed.
CREATE TABLE agreement_versions (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    -- a material change asks every participant to acknowledge again
    material INTEGER NOT NULL DEFAULT 1 CHECK (material IN (0, 1)),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    summary TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    purpose TEXT NOT NULL DEFAULT '',
    mandate TEXT NOT NULL DEFAULT '',
    commissioned_by TEXT NOT NULL DEFAULT '',
    open_for_influence TEXT NOT NULL DEFAULT '',
    fixed TEXT NOT NULL DEFAULT '',
    participation_level TEXT NOT NULL CHECK (participation_level IN ({LEVELS_SQL})),
    roles TEXT NOT NULL DEFAULT '',
    decision_path TEXT NOT NULL DEFAULT '',
    timeline TEXT NOT NULL DEFAULT '',
    resources TEXT NOT NULL DEFAULT '',
    input_use TEXT NOT NULL DEFAULT '',
    feedback_how TEXT NOT NULL DEFAULT '',
    feedback_due_on TEXT,
    sign_off TEXT NOT NULL DEFAULT '',
    signed_off_on TEXT,
    -- the commitments as they stood in this version (JSON), for the difference view
    commitments TEXT NOT NULL DEFAULT '[]',
    change_note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    UNIQUE (agreement_id, version),
    CHECK (version > 1 OR material = 1)
);
CREATE TRIGGER agreement_versions_no_update BEFORE UPDATE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are never changed: save a new one'); END;
CREATE TRIGGER agreement_versions_no_delete BEFORE DELETE ON agreement_versions
BEGIN SELECT RAISE(ABORT, 'agreement versions are never deleted'); END;

-- Who read which version, and when.
CREATE TABLE acknowledgements (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    version_id INTEGER NOT NULL REFERENCES agreement_versions (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    acknowledged_at TEXT NOT NULL,
    UNIQUE (version_id, participant_id)
);
CREATE INDEX acknowledgements_participant ON acknowledgements (participant_id, agreement_id);
-- Only the newest version of an agreement can be acknowledged.
CREATE TRIGGER acknowledgements_current_version BEFORE INSERT ON acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'outdated_version')
    WHERE NEW.version_id != (SELECT id FROM agreement_versions
                             WHERE agreement_id = NEW.agreement_id
                             ORDER BY version DESC LIMIT 1);
END;

-- What each party promised, to whom, by when; done with evidence where evidence is required.
CREATE TABLE commitments (
    id INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    party TEXT NOT NULL CHECK (party IN ({PARTIES_SQL})),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    owner TEXT NOT NULL CHECK (length(trim(owner)) > 0),
    due_on TEXT NOT NULL,
    evidence_required INTEGER NOT NULL DEFAULT 0 CHECK (evidence_required IN (0, 1)),
    done_at TEXT,
    evidence TEXT NOT NULL DEFAULT '',
    closed_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK (done_at IS NULL OR evidence_required = 0 OR length(trim(evidence)) > 0)
);
CREATE INDEX commitments_open ON commitments (done_at, due_on);
CREATE INDEX commitments_agreement ON commitments (agreement_id);
""",
    )
