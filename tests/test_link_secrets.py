"""Link secrets at rest are hashes: a copy of the database (a backup) holds no working link.

Participant links (``?p=``), screen links (``?screen=``), the committee's mandate and
application link (``?link=``) and the meeting outcome link (``?o=``) are looked up by the
SHA-256 of the secret; the database keeps only that digest (and, for links staff must see
again, a random salt the link is derived from with the server key kept outside the database).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.factories import join, make_meeting, start
from workshop import backup, committees
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.app import migration_sets, open_store
from workshop.db import Store
from workshop.errors import NotFound
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.model import Role

LINK_MIGRATION = "m002_link_secrets_hashed"


def stored_text_values(store: Store) -> set[str]:
    """Every text value in the store's database, on either engine."""
    if store.engine == "sqlite":
        return text_values(Path(store.path))
    values: set[str] = set()
    with store.transaction() as handle:
        for table in handle.table_names():
            for row in handle.execute(f'SELECT * FROM "{table}"').fetchall():
                values.update(v for v in row if isinstance(v, str) and v)
    return values


def text_values(path: Path) -> set[str]:
    """Every text value in every column of every table of the database file at ``path``."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        values: set[str] = set()
        for table in tables:
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                values.update(v for v in row if isinstance(v, str) and v)
        return values
    finally:
        conn.close()


def working_links(store: Store, candidates: set[str]) -> list[tuple[str, str]]:
    """Each candidate tried as every kind of link; the (kind, value) pairs that open something."""
    lookups = {
        "participant": meetings.get_participant,
        "screen": meetings.get_meeting_by_screen_token,
        "committee": committees.get_committee_by_token,
        "outcome": feedback.meeting_by_outcome_token,
        "staff": staff_sessions.resolve_session,
    }
    found = []
    for value in sorted(candidates):
        for kind, lookup in lookups.items():
            try:
                result = lookup(store, value)
            except NotFound:
                continue
            if result is not None:
                found.append((kind, value))
    return found


def test_a_backup_holds_no_working_link(tmp_path: Path) -> None:
    db_path = tmp_path / "live.db"
    store = open_store(db_path)
    admin = accounts.create_user(store, "ada", "correct horse battery", Role.ADMIN, "Ada")
    meeting = make_meeting(store, admin)
    start(store, meeting)
    people = [join(store, meeting, name) for name in ("Anna", "Bo", "Cai")]
    outcome = feedback.outcome_token(store, meeting.id)
    screen = meetings.screen_link_token(store, meeting.id)
    public = committees.public_link_token(store, meeting.committee_id)
    ticket = staff_sessions.create_ticket(store, admin, next_path="/console")
    session_token, _ = staff_sessions.redeem_ticket(store, ticket)
    links = {p.token for p in people} | {outcome, screen, public, session_token}
    assert None not in links
    # The links work on the live database...
    assert {kind for kind, _ in working_links(store, links)} == {
        "participant",
        "screen",
        "committee",
        "outcome",
        "staff",
    }
    report = backup.backup(db_path, tmp_path / "backups" / "copy.db")
    store.close()

    # ... and nothing in the backup opens anything, neither a link nor any other stored text.
    raw = report.path.read_bytes()
    for link in links:
        assert link is not None and link.encode() not in raw
    copy = open_store(report.path)
    try:
        assert working_links(copy, text_values(report.path)) == []
        assert working_links(copy, links) != []  # (the copy is a working database)
    finally:
        copy.close()


def test_participant_tokens_are_stored_only_as_sha256(store, meeting) -> None:
    anna = join(store, meeting, "Anna")
    assert len(anna.token) >= 32  # the plaintext, handed to the phone once
    stored = store.scalar("SELECT token FROM participants WHERE id = ?", [anna.id])
    assert stored == staff_sessions.hash_secret(anna.token)
    again = meetings.get_participant(store, anna.token)
    assert again == anna and again.token == anna.token  # a reload finds the same person
    with pytest.raises(NotFound):
        meetings.get_participant(store, stored)  # the digest itself is no link


def test_links_staff_see_again_are_derived_not_stored(store, meeting, facilitator) -> None:
    screen = meetings.screen_link_token(store, meeting.id)
    assert screen and meetings.screen_link_token(store, meeting.id) == screen  # stable
    assert meetings.get_meeting_by_screen_token(store, screen).id == meeting.id
    public = committees.public_link_token(store, meeting.committee_id)
    assert public and committees.get_committee_by_token(store, public).id == meeting.committee_id
    outcome = feedback.outcome_token(store, meeting.id)
    assert feedback.existing_outcome_token(store, meeting.id) == outcome
    assert feedback.meeting_by_outcome_token(store, outcome).id == meeting.id
    values = stored_text_values(store)
    assert not {screen, public, outcome} & values

    # A new link retires the old one (a leaked link can be withdrawn).
    fresh = meetings.new_screen_link(store, meeting.id, actor=facilitator)
    assert fresh != screen and meetings.screen_link_token(store, meeting.id) == fresh
    with pytest.raises(NotFound):
        meetings.get_meeting_by_screen_token(store, screen)
    fresh_public = committees.new_public_link(store, meeting.committee_id, actor=facilitator)
    with pytest.raises(NotFound):
        committees.get_committee_by_token(store, public)
    assert committees.get_committee_by_token(store, fresh_public).id == meeting.committee_id
    fresh_outcome = feedback.new_outcome_link(store, meeting.id, actor=facilitator)
    with pytest.raises(NotFound):
        feedback.meeting_by_outcome_token(store, outcome)
    assert feedback.meeting_by_outcome_token(store, fresh_outcome).id == meeting.id
    actions = {r["action"] for r in store.query("SELECT action FROM audit_log")}
    assert {"new_screen_link", "new_public_link", "new_outcome_link"} <= actions


def test_another_server_key_shows_no_link_but_old_links_still_open(
    tmp_path: Path, monkeypatch
) -> None:
    """The key lives outside the database: a database opened with another key cannot show
    the links (it offers a new one), while links already handed out keep working."""
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "a" * 64)
    store = open_store(tmp_path / "k.db")
    meeting = make_meeting(store)
    screen = meetings.screen_link_token(store, meeting.id)
    assert screen is not None
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "b" * 64)
    assert meetings.screen_link_token(store, meeting.id) is None
    assert committees.public_link_token(store, meeting.committee_id) is None
    assert meetings.get_meeting_by_screen_token(store, screen).id == meeting.id
    store.close()


def test_links_made_before_hashing_keep_working_and_leave_no_plaintext(tmp_path: Path) -> None:
    """An existing database: its plaintext links are hashed in place by the migration, phones
    and printed links keep working, and the file keeps no copy of the old secrets."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    from sqlite_utils import Database

    db = Database(conn)
    for migration_set in migration_sets():
        migration_set.apply(db, stop_before=LINK_MIGRATION)
    plain = {
        "participant": "old-participant-link-secret-0123456789",
        "screen": "old-screen-link-secret-0123456789",
        "committee": "old-committee-link-secret-0123456789",
        "outcome": "old-outcome-link-secret-0123456789",
    }
    now = "2026-01-01T10:00:00.000+00:00"
    conn.execute(
        "INSERT INTO committees (id, title, task, created_at) VALUES (1, 'Byens Hus', '', ?)",
        [now],
    )
    conn.execute(
        "INSERT INTO committee_states (committee_id, phase, public_token, phase_started_at)"
        " VALUES (1, 'recruitment', ?, ?)",
        [plain["committee"], now],
    )
    conn.execute(
        "INSERT INTO meetings (id, committee_id, title, kind, join_code, screen_token,"
        " created_at) VALUES (1, 1, 'Dialogmøde', 'dialogue_session', 'ABCDEF', ?, ?)",
        [plain["screen"], now],
    )
    conn.execute(
        "INSERT INTO participants (id, meeting_id, token, display_name, joined_at)"
        " VALUES (1, 1, ?, 'Anna', ?)",
        [plain["participant"], now],
    )
    conn.execute(  # erased before the upgrade: the marker is no secret and stays as it is
        "INSERT INTO participants (id, meeting_id, token, display_name, joined_at)"
        " VALUES (2, 1, 'erased-someone', '', ?)",
        [now],
    )
    conn.execute(
        "INSERT INTO meeting_outcome_links (meeting_id, token, created_at) VALUES (1, ?, ?)",
        [plain["outcome"], now],
    )
    conn.close()

    store = open_store(path)  # applies the migration
    try:
        anna = meetings.get_participant(store, plain["participant"])
        assert anna.id == 1 and anna.token == plain["participant"]
        assert meetings.get_meeting_by_screen_token(store, plain["screen"]).id == 1
        assert committees.get_committee_by_token(store, plain["committee"]).id == 1
        assert feedback.meeting_by_outcome_token(store, plain["outcome"]).id == 1
        assert not set(plain.values()) & text_values(path)
        assert store.scalar("SELECT token FROM participants WHERE id = 2") == "erased-someone"
        # An old secret cannot be derived again: staff are offered a new link instead.
        assert meetings.screen_link_token(store, 1) is None
        assert committees.public_link_token(store, 1) is None
        assert feedback.existing_outcome_token(store, 1) is None
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    raw = path.read_bytes()
    for secret in plain.values():
        assert secret.encode() not in raw  # not even in freed space of the file
