"""The secretariat's year, as its own named migration set ``samskab.committee_year``:
members' e-mail addresses and invitations sent, attendance as a status ("afbud" beside
present and absent), the approval of minutes at a later meeting, and the reminders sent
by ``samskab remind``. Never edit an applied migration: add one.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from workshop.db import run_sql

migrations = Migrations("samskab.committee_year")


@migrations(name="m001_meeting_year")
def m001_meeting_year(db: Database) -> None:
    run_sql(
        db,
        """
-- A member's e-mail for invitations (optional; erased with the member).
ALTER TABLE committee_members ADD COLUMN email TEXT
    CHECK (email IS NULL OR email LIKE '%_@_%.%');

-- Attendance was a yes/no; it becomes a status: present, absent, or absent with notice
-- ("afbud" / "meldt forfall" / "sent apologies"). Existing rows keep their meaning.
CREATE TABLE meeting_attendance_new (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    member_id INTEGER NOT NULL REFERENCES committee_members (id),
    status TEXT NOT NULL CHECK (status IN ('present', 'absent', 'apologies')),
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);
INSERT INTO meeting_attendance_new (meeting_id, member_id, status, recorded_by, recorded_at)
SELECT meeting_id, member_id, CASE WHEN present = 1 THEN 'present' ELSE 'absent' END,
       recorded_by, recorded_at
FROM meeting_attendance;
DROP TABLE meeting_attendance;
ALTER TABLE meeting_attendance_new RENAME TO meeting_attendance;

-- Minutes are a draft until a later meeting of the committee approves them; approved
-- minutes are public and are not changed any more.
ALTER TABLE meeting_plans ADD COLUMN approved_at TEXT;
ALTER TABLE meeting_plans ADD COLUMN approved_by INTEGER REFERENCES users (id);
ALTER TABLE meeting_plans ADD COLUMN approved_at_meeting INTEGER REFERENCES meetings (id);

-- Every invitation e-mail sent for a meeting, one row per member and sending.
CREATE TABLE meeting_invitations (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    member_id INTEGER NOT NULL REFERENCES committee_members (id),
    address TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    detail TEXT NOT NULL DEFAULT '',
    sent_by INTEGER REFERENCES users (id),
    sent_at TEXT NOT NULL
);
CREATE INDEX meeting_invitations_meeting ON meeting_invitations (meeting_id, member_id);

-- Reminders sent by `samskab remind`: at most one delivered reminder per thing and day.
CREATE TABLE reminders_sent (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('commitment', 'feedback', 'review')),
    item_id INTEGER NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE UNIQUE INDEX reminders_sent_once_a_day ON reminders_sent (kind, item_id, sent_on)
    WHERE status = 'delivered';
""",
    )
