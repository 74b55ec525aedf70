"""The committees feature's tables, as its own named migration set ``samskab.committees``.

Rules that must hold even if a caller skips the service layer are here: mandate versions and
phase history are append-only, diversity answers need a consent timestamp, applications are
accepted only while the committee recruits, and a decision other than adoption needs a
rationale. Never edit an applied migration: add one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workshop import link_secrets
from workshop.db import run_sql

migrations = Migrations("samskab.committees")

PHASES_SQL = (
    "'mandate', 'recruitment', 'committee_work', 'recommendations', "
    "'political_decision', 'implementation', 'evaluation'"
)


@migrations(name="m001_lifecycle")
def m001_lifecycle(db: Database) -> None:
    run_sql(
        db,
        f"""
-- Where each committee stands, and the public token of its mandate and application links.
CREATE TABLE committee_states (
    committee_id INTEGER PRIMARY KEY REFERENCES committees (id),
    phase TEXT NOT NULL DEFAULT 'mandate' CHECK (phase IN ({PHASES_SQL})),
    public_token TEXT NOT NULL UNIQUE,
    phase_started_at TEXT NOT NULL
);

-- Every phase change, append-only.
CREATE TABLE phase_changes (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    from_phase TEXT CHECK (from_phase IS NULL OR from_phase IN ({PHASES_SQL})),
    to_phase TEXT NOT NULL CHECK (to_phase IN ({PHASES_SQL})),
    changed_by INTEGER REFERENCES users (id),
    changed_at TEXT NOT NULL
);
CREATE INDEX phase_changes_committee ON phase_changes (committee_id, id);
CREATE TRIGGER phase_changes_no_update BEFORE UPDATE ON phase_changes
BEGIN SELECT RAISE(ABORT, 'phase_changes is append-only'); END;
CREATE TRIGGER phase_changes_no_delete BEFORE DELETE ON phase_changes
BEGIN SELECT RAISE(ABORT, 'phase_changes is append-only'); END;

-- The timeline: the planned end date of each phase.
CREATE TABLE phase_deadlines (
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    phase TEXT NOT NULL CHECK (phase IN ({PHASES_SQL})),
    due_on TEXT NOT NULL,
    PRIMARY KEY (committee_id, phase)
);

-- The mandate (kommissorium): every save is a new version; versions are never changed.
CREATE TABLE mandate_versions (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    background TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    deliverables TEXT NOT NULL DEFAULT '',
    in_scope TEXT NOT NULL DEFAULT '',
    out_of_scope TEXT NOT NULL DEFAULT '',
    constraints TEXT NOT NULL DEFAULT '',
    budget TEXT NOT NULL DEFAULT '',
    politicians_target INTEGER NOT NULL DEFAULT 5 CHECK (politicians_target >= 0),
    citizens_target INTEGER NOT NULL DEFAULT 10 CHECK (citizens_target >= 0),
    competence_profile TEXT NOT NULL DEFAULT '',  -- one competence per line
    decision_path TEXT NOT NULL DEFAULT '',
    timeline TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL DEFAULT '',
    change_note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    UNIQUE (committee_id, version)
);
CREATE TRIGGER mandate_versions_no_update BEFORE UPDATE ON mandate_versions
BEGIN SELECT RAISE(ABORT, 'mandate versions are never changed: save a new version'); END;
CREATE TRIGGER mandate_versions_no_delete BEFORE DELETE ON mandate_versions
BEGIN SELECT RAISE(ABORT, 'mandate versions are never deleted'); END;

-- Who approved which version, and when (e.g. the council on 2026-03-01).
CREATE TABLE mandate_approvals (
    id INTEGER PRIMARY KEY,
    mandate_version_id INTEGER NOT NULL UNIQUE REFERENCES mandate_versions (id),
    body TEXT NOT NULL CHECK (length(trim(body)) > 0),
    approved_on TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);

-- Targets per diversity attribute value (also the quotas of a sortition draw).
CREATE TABLE recruitment_targets (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    attribute TEXT NOT NULL
        CHECK (attribute IN ('age_band', 'district', 'gender', 'hard_to_reach')),
    value TEXT NOT NULL CHECK (length(trim(value)) > 0),
    minimum INTEGER NOT NULL DEFAULT 0 CHECK (minimum >= 0),
    maximum INTEGER CHECK (maximum IS NULL OR maximum >= minimum),
    UNIQUE (committee_id, attribute, value)
);

-- Applications from the public form. Personal data kept minimal.
CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    contact TEXT NOT NULL DEFAULT '',
    motivation TEXT NOT NULL CHECK (length(trim(motivation)) > 0),
    competences TEXT NOT NULL DEFAULT '[]',  -- JSON list of competence labels
    consent_at TEXT,
    age_band TEXT,
    district TEXT,
    gender TEXT,
    hard_to_reach TEXT,
    status TEXT NOT NULL DEFAULT 'interested'
        CHECK (status IN ('interested', 'shortlisted', 'appointed', 'declined')),
    rationale TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    submitted_at TEXT NOT NULL,
    -- diversity answers only after consent
    CHECK (consent_at IS NOT NULL OR (age_band IS NULL AND district IS NULL
                                      AND gender IS NULL AND hard_to_reach IS NULL)),
    -- every decision carries its reason
    CHECK (status = 'interested' OR length(trim(rationale)) > 0)
);
CREATE INDEX applications_committee ON applications (committee_id, status);
CREATE TRIGGER applications_only_in_recruitment BEFORE INSERT ON applications
WHEN (SELECT phase FROM committee_states WHERE committee_id = NEW.committee_id)
     IS NOT 'recruitment'
BEGIN SELECT RAISE(ABORT, 'recruitment_closed'); END;

-- Every review decision on an application, with its rationale.
CREATE TABLE application_reviews (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    status TEXT NOT NULL CHECK (status IN ('interested', 'shortlisted', 'appointed', 'declined')),
    rationale TEXT NOT NULL CHECK (length(trim(rationale)) > 0),
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TEXT NOT NULL
);
CREATE INDEX application_reviews_application ON application_reviews (application_id, id);

-- Sortition draws: everything needed to replay them.
CREATE TABLE sortition_draws (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    seed TEXT NOT NULL,
    seed_digest TEXT NOT NULL,
    applicants_digest TEXT NOT NULL,
    seats INTEGER NOT NULL CHECK (seats > 0),
    quotas TEXT NOT NULL,  -- JSON
    applicant_ids TEXT NOT NULL,  -- JSON: the pool
    selected TEXT NOT NULL,  -- JSON, in draw order
    steps TEXT NOT NULL,  -- JSON log of every draw
    drawn_by INTEGER REFERENCES users (id),
    drawn_at TEXT NOT NULL
);

CREATE TABLE committee_members (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    role TEXT NOT NULL CHECK (role IN ('chair', 'vice_chair', 'politician', 'citizen',
                                       'stakeholder_expert', 'secretariat_facilitator',
                                       'observer')),
    starts_on TEXT NOT NULL,
    ends_on TEXT CHECK (ends_on IS NULL OR ends_on >= starts_on),
    application_id INTEGER UNIQUE REFERENCES applications (id),
    added_by INTEGER REFERENCES users (id),
    added_at TEXT NOT NULL
);
CREATE INDEX committee_members_committee ON committee_members (committee_id);

-- The meeting plan: a committee's own facts about one meeting (meetings.id).
CREATE TABLE meeting_plans (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    planned_at TEXT NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    agenda TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    minutes_by INTEGER REFERENCES users (id),
    minutes_at TEXT
);
CREATE INDEX meeting_plans_committee ON meeting_plans (committee_id, planned_at);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    member_id INTEGER NOT NULL REFERENCES committee_members (id),
    present INTEGER NOT NULL CHECK (present IN (0, 1)),
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    body TEXT NOT NULL DEFAULT '',
    theme TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recommendations_committee ON recommendations (committee_id);

CREATE TABLE recommendation_ideas (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    PRIMARY KEY (recommendation_id, idea_id)
);
CREATE INDEX recommendation_ideas_idea ON recommendation_ideas (idea_id);

-- Each step of the decision path: the standing committee, then the council.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),
    body TEXT NOT NULL CHECK (body IN ('standing_committee', 'council')),
    outcome TEXT NOT NULL CHECK (outcome IN ('adopted', 'adopted_with_changes', 'rejected',
                                             'postponed', 'not_forwarded')),
    decided_at TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    CHECK (outcome = 'adopted' OR length(trim(rationale)) > 0),
    CHECK (body = 'standing_committee' OR outcome != 'not_forwarded')
);
CREATE INDEX decisions_recommendation ON decisions (recommendation_id, id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never changed: record a new one'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;

-- Committees made before this migration: committees with meetings are at work.
INSERT INTO committee_states (committee_id, phase, public_token, phase_started_at)
SELECT c.id,
       CASE WHEN EXISTS (SELECT 1 FROM meetings m WHERE m.committee_id = c.id)
            THEN 'committee_work' ELSE 'mandate' END,
       lower(hex(randomblob(16))),
       c.created_at
FROM committees c;
INSERT INTO phase_changes (committee_id, from_phase, to_phase, changed_by, changed_at)
SELECT committee_id, NULL, phase, NULL, phase_started_at FROM committee_states;
""",
    )


@migrations(name="m002_link_secrets_hashed")
def m002_link_secrets_hashed(db: Database) -> None:
    """The mandate/application link at rest becomes a SHA-256 digest (workshop.link_secrets).

    ``committee_states.public_token`` keeps its name and now holds the digest; links handed
    out before keep working. ``public_salt`` derives the link again with the server key; old
    links have none, so staff are offered a new one.
    """
    link_secrets.hash_in_place(db, "committee_states", "public_token")
    db.execute("ALTER TABLE committee_states ADD COLUMN public_salt TEXT")


_STATUSES_SQL = "'interested', 'shortlisted', 'appointed', 'reserve', 'declined'"


@migrations(name="m003_corrections")
def m003_corrections(db: Database) -> None:
    """Going back a phase with a reason; corrections kept as versions.

    * ``phase_changes.reason``: why a committee went back (required then, by the service).
    * ``corrections``: every correction of a decision, a date or a rationale, append-only;
      each row is one new version with the value it replaced; ``current_decisions`` is
      the decisions as they stand.
    """
    run_sql(
        db,
        """
ALTER TABLE phase_changes ADD COLUMN reason TEXT;

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    subject TEXT NOT NULL CHECK (subject IN ('decision', 'deadline', 'meeting_date',
                                             'application_rationale')),
    subject_id INTEGER NOT NULL,
    part TEXT NOT NULL DEFAULT '',  -- a deadline's phase; '' otherwise
    version INTEGER NOT NULL CHECK (version >= 2),  -- the version this correction made
    before TEXT NOT NULL,  -- JSON: the value it replaced
    after TEXT NOT NULL,  -- JSON: the new value
    corrected_by INTEGER REFERENCES users (id),
    corrected_at TEXT NOT NULL,
    redacted_at TEXT,
    UNIQUE (subject, subject_id, part, version)
);
CREATE INDEX corrections_committee ON corrections (committee_id, id);
CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections
WHEN NOT (NEW.redacted_at IS NOT NULL AND NEW.id = OLD.id AND NEW.subject = OLD.subject
          AND NEW.subject_id = OLD.subject_id AND NEW.version = OLD.version
          AND NEW.corrected_at = OLD.corrected_at)
BEGIN SELECT RAISE(ABORT, 'corrections are append-only (only a redaction may change one)'); END;
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are never deleted'); END;

-- Decisions as they stand: the latest correction over the recorded row. Read this, not
-- ``decisions``, wherever the current outcome, date or rationale matters.
CREATE VIEW current_decisions AS
SELECT d.id, d.recommendation_id, d.body,
       COALESCE(json_extract(c.after, '$.outcome'), d.outcome) AS outcome,
       COALESCE(json_extract(c.after, '$.decided_at'), d.decided_at) AS decided_at,
       COALESCE(json_extract(c.after, '$.rationale'), d.rationale) AS rationale,
       d.recorded_by, d.recorded_at, COALESCE(c.version, 1) AS version
FROM decisions d
LEFT JOIN corrections c ON c.subject = 'decision' AND c.subject_id = d.id
     AND c.version = (SELECT MAX(x.version) FROM corrections x
                      WHERE x.subject = 'decision' AND x.subject_id = d.id);

""",
    )


@migrations(name="m004_applicant_outcomes", transactional=False)
def m004_applicant_outcomes(db: Database) -> None:
    """Applicants are told their outcome.

    * ``applications`` gains the ``reserve`` status, the applicant's language and their own
      link (a derived secret, as the committee's links: salt and digest). SQLite cannot widen
      a CHECK, so the table (and ``application_reviews``, for its status check) is rebuilt the
      way SQLite documents: with foreign keys off, in one transaction, checked before commit
      (members, reviews and erasures keep pointing at the same ids).
    * ``applicant_notices``: each outcome message to an applicant and how it went.
    """
    done = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'applicant_notices'").fetchone()
    if done:  # applied, but the record of it was not written (it runs outside a transaction)
        return
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            run_sql(
                db,
                f"""
CREATE TABLE applications_rebuilt (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    contact TEXT NOT NULL DEFAULT '',
    motivation TEXT NOT NULL CHECK (length(trim(motivation)) > 0),
    competences TEXT NOT NULL DEFAULT '[]',
    consent_at TEXT,
    age_band TEXT,
    district TEXT,
    gender TEXT,
    hard_to_reach TEXT,
    status TEXT NOT NULL DEFAULT 'interested' CHECK (status IN ({_STATUSES_SQL})),
    rationale TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT,
    submitted_at TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'da' CHECK (lang IN ('da', 'nb', 'en')),
    link_token TEXT UNIQUE,  -- SHA-256 of the applicant's own link (workshop.link_secrets)
    link_salt TEXT,
    CHECK (consent_at IS NOT NULL OR (age_band IS NULL AND district IS NULL
                                      AND gender IS NULL AND hard_to_reach IS NULL)),
    CHECK (status = 'interested' OR length(trim(rationale)) > 0)
);
INSERT INTO applications_rebuilt (id, committee_id, name, contact, motivation, competences,
    consent_at, age_band, district, gender, hard_to_reach, status, rationale, decided_by,
    decided_at, submitted_at)
SELECT id, committee_id, name, contact, motivation, competences, consent_at, age_band,
    district, gender, hard_to_reach, status, rationale, decided_by, decided_at, submitted_at
FROM applications;
DROP TABLE applications;
ALTER TABLE applications_rebuilt RENAME TO applications;
CREATE INDEX applications_committee ON applications (committee_id, status);
CREATE TRIGGER applications_only_in_recruitment BEFORE INSERT ON applications
WHEN (SELECT phase FROM committee_states WHERE committee_id = NEW.committee_id)
     IS NOT 'recruitment'
BEGIN SELECT RAISE(ABORT, 'recruitment_closed'); END;

CREATE TABLE application_reviews_rebuilt (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    status TEXT NOT NULL CHECK (status IN ({_STATUSES_SQL})),
    rationale TEXT NOT NULL CHECK (length(trim(rationale)) > 0),
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at TEXT NOT NULL
);
INSERT INTO application_reviews_rebuilt SELECT id, application_id, status, rationale,
    reviewed_by, reviewed_at FROM application_reviews;
DROP TABLE application_reviews;
ALTER TABLE application_reviews_rebuilt RENAME TO application_reviews;
CREATE INDEX application_reviews_application ON application_reviews (application_id, id);

-- One row per outcome message: by e-mail (delivered or failed) or 'no_contact' (staff must
-- tell the applicant another way). A delivered or no_contact row for the current status
-- means it is not sent again.
CREATE TABLE applicant_notices (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    status TEXT NOT NULL CHECK (status IN ('appointed', 'reserve', 'declined')),
    delivery TEXT NOT NULL CHECK (delivery IN ('delivered', 'failed', 'no_contact')),
    detail TEXT NOT NULL DEFAULT '',
    sent_by INTEGER REFERENCES users (id),
    sent_at TEXT NOT NULL
);
CREATE INDEX applicant_notices_application ON applicant_notices (application_id, id);
""",
            )
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"m004_applicant_outcomes: foreign keys broken: {problems}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@migrations(name="m005_draw_distribution")
def m005_draw_distribution(db: Database) -> None:
    """A draw records its fair lottery (issue 19): the method (``greedy`` for draws made
    before), the distribution with every applicant's probability, the number in [0, 1) that
    picked the panel, and earlier draws with the same seed but other applicants or quotas."""
    run_sql(
        db,
        """
ALTER TABLE sortition_draws ADD COLUMN method TEXT NOT NULL DEFAULT 'greedy';
ALTER TABLE sortition_draws ADD COLUMN distribution TEXT;  -- JSON, NULL for greedy draws
ALTER TABLE sortition_draws ADD COLUMN uniform REAL;
ALTER TABLE sortition_draws ADD COLUMN earlier TEXT NOT NULL DEFAULT '[]';  -- JSON
""",
    )
