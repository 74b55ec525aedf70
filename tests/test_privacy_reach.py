"""Issue 14, point 4: erasure and retention reach every copy.

A participant's erasure redacts their words in idea edit history, the moderation log and the
audit log; applicants and committee members are erased on request (a staff action, audited)
and by the retention purge; docs/data-inventory.md lists every table that refers to a person.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import join, start
from tests.test_committees import apply, to_recruitment
from workshop import audit, cli, committees
from workshop.committees import members, recruitment
from workshop.committees.model import Phase
from workshop.db import Store, column_names, foreign_keys_to
from workshop.errors import NotAllowed, NotFound
from workshop.i18n import formats
from workshop.meetings import ideas, moderation
from workshop.model import Committee, Meeting, User
from workshop.privacy import core as privacy

ROOT = Path(__file__).resolve().parent.parent
KEEP = privacy.PrivacySettings(keep_anonymised_ideas=True, retention_days=365)
DROP = privacy.PrivacySettings(keep_anonymised_ideas=False, retention_days=365)
SECRET = "Min nabo Jens Hansen på Kirkevej 3"


def _everything(store: Store) -> str:
    """Every text cell of every table, for "is this wording anywhere any more?"."""
    parts = []
    with store.transaction() as handle:
        for table in handle.table_names():
            for row in handle.execute(f'SELECT * FROM "{table}"').fetchall():
                parts.extend(str(cell) for cell in row if isinstance(cell, str))
    return "\n".join(parts)


@pytest.mark.parametrize("policy", [KEEP, DROP], ids=["keep", "drop"])
def test_erasure_redacts_the_persons_words_in_every_copy(
    store: Store, meeting: Meeting, facilitator: User, policy: privacy.PrivacySettings
) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    bo = join(store, meeting, "Bo")
    idea = ideas.submit_idea(store, anna, SECRET)
    other = ideas.submit_idea(store, bo, "Bo skriver om Jens Hansen")
    moderation.edit_idea(
        store, idea.id, "Min nabo på vejen", reason="personoplysninger", actor=facilitator
    )
    moderation.hide_idea(store, idea.id, "skjult", actor=facilitator)
    assert SECRET in _everything(store)  # copies in idea_edits, moderation_log, audit_log

    privacy.erase_participant(store, anna, settings=policy)

    everything = _everything(store)
    assert SECRET not in everything
    assert "Min nabo på vejen" in everything if policy is KEEP else True
    assert "Bo skriver om Jens Hansen" in everything  # Bo's words are Bo's
    assert ideas.get_idea(store, other.id).text == "Bo skriver om Jens Hansen"
    # The records stay whole: rows, actions, times and staff reasons are kept.
    log = moderation.list_log(store, meeting.id)
    assert [e["action"] for e in log] == ["edit_idea", "hide_idea"]
    assert log[1]["reason"] == "skjult"
    edit = audit.query_entries(store, action="edit_idea")[-1]
    assert json.loads(edit["before"]) == {"text": privacy.REDACTED_TEXT}
    assert edit["redacted_at"] is not None
    # Still append-only for anything but a redaction.
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE audit_log SET action = 'x' WHERE id = ?", [edit["id"]])
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE moderation_log SET before = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM moderation_log")


@pytest.mark.parametrize("policy", [KEEP, DROP], ids=["keep", "drop"])
def test_erasure_takes_every_idea_the_app_found_personal_data_in(
    store: Store, meeting: Meeting, facilitator: User, policy: privacy.PrivacySettings
) -> None:
    """Kept without the name, an idea with the author's phone number and e-mail address still
    says who wrote it (a fresh-eyes trial: "Anonym · … mette@example.dk" on the console after
    the erasure). The ideas the app held for personal data go, whatever the policy."""
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    ideas.submit_idea(store, anna, "Lys på stien")
    phone = ideas.submit_idea(store, anna, "Ring til mig på 22 33 44 55 eller anna@example.dk")
    assert phone.flags  # held for the facilitator: a phone number and an e-mail address
    moderation.hide_idea(store, phone.id, "personoplysninger", actor=facilitator)

    report = privacy.erase_participant(store, anna, settings=policy)

    everything = _everything(store)
    assert "22 33 44 55" not in everything and "anna@example.dk" not in everything
    kept = 1 if policy is KEEP else 0
    assert (report.ideas_kept, report.ideas_deleted) == (kept, 2 - kept)
    texts = [i.text for i in ideas.list_ideas(store, meeting.id, include_hidden=True)]
    assert ("Lys på stien" in texts) is (policy is KEEP)
    assert moderation.list_log(store, meeting.id)[0]["action"] == "hide_idea"  # the record


def test_an_idea_erased_on_request_is_never_shown_edited_or_let_through_again(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    """Its row stays (the moderation log points at it) with its words replaced; a facilitator's
    "show again" put an empty idea back on the wall (a fresh-eyes trial). Refused, in words."""
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    held = ideas.submit_idea(store, anna, "Ring til mig på 22 33 44 55")
    moderation.hide_idea(store, held.id, "personoplysninger", actor=facilitator)
    privacy.erase_participant(store, anna, settings=KEEP)
    erased = ideas.get_idea(store, held.id)
    assert (erased.text, erased.hidden, erased.held) == (privacy.REDACTED_TEXT, True, False)

    for act in (
        lambda: moderation.unhide_idea(store, held.id, actor=facilitator),
        lambda: moderation.hide_idea(store, held.id, "igen", actor=facilitator),
        lambda: moderation.edit_idea(store, held.id, "Ny tekst", actor=facilitator),
        lambda: moderation.release_idea(store, held.id, actor=facilitator),
    ):
        with pytest.raises(NotAllowed) as refused:
            act()
        assert refused.value.key == "error.moderation.erased"
    assert ideas.get_idea(store, held.id) == erased
    assert held.id not in {i.id for i in ideas.list_ideas(store, meeting.id)}  # not on the wall


def test_erasure_forgets_a_block_reason_when_ideas_go(store: Store, meeting: Meeting) -> None:
    from workshop.meetings import core as meetings
    from workshop.voting import methods as vote_methods
    from workshop.voting.methods import VoteMethod

    start(store, meeting)
    anna = join(store, meeting, "Anna")
    meetings.next_step(store, meeting.id, actor=None)
    step = meetings.list_steps(store, meeting.id)[1]
    consent = vote_methods.open_round(store, step.id, VoteMethod.CONSENT, actor=None)
    vote_methods.cast_consent(store, anna, consent, "block", SECRET)
    privacy.erase_participant(store, anna, settings=DROP)
    assert SECRET not in _everything(store)
    # The block still counts: the proposal did not pass.
    assert store.scalar("SELECT response FROM ballots WHERE round_id = ?", [consent]) == "block"


def test_erasing_an_erased_participant_says_so_and_changes_nothing(
    store: Store, meeting: Meeting
) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    privacy.erase_participant(store, anna, settings=KEEP)
    before = store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(NotAllowed) as raised:
        privacy.erase_participant(store, anna, settings=KEEP)
    assert raised.value.key == "error.erasure.already_erased"
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == before
    assert privacy.link_was_erased(store, anna.token)
    assert not privacy.link_was_erased(store, "no-such-link")


# -- applicants and members ---------------------------------------------------------------------


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    made = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    to_recruitment(store, made, facilitator)
    return made


def test_staff_erase_an_applicant_on_request(
    store: Store, committee: Committee, facilitator: User
) -> None:
    anna = apply(store, committee, "Anna Applicant", contact="anna@example.dk")
    bo = apply(store, committee, "Bo Applicant")
    recruitment.review_application(
        store, anna, "appointed", rationale="Anna Applicant kan noget særligt", actor=facilitator
    )
    assert "Anna Applicant" in _everything(store)

    report = recruitment.erase_application(store, anna, actor=facilitator)

    assert report.members == 1
    everything = _everything(store)
    assert "Anna Applicant" not in everything and "anna@example.dk" not in everything
    assert "Bo Applicant" in everything
    erased = recruitment.get_application(store, anna)
    assert erased.name == privacy.REDACTED_TEXT and erased.contact == ""
    assert erased.status == "appointed"  # the decision record stays, without the person
    [member] = members.list_members(store, committee.id)
    assert member.name == privacy.REDACTED_TEXT and member.role == "citizen"
    entry = audit.query_entries(store, action="erase_application")[-1]
    assert entry["actor"] == "fie" and "Anna" not in (entry["after"] or "")
    assert recruitment.get_application(store, bo).name == "Bo Applicant"
    # An applicant erased while recruitment is open has withdrawn: no draw picks them.
    assert [a.id for a in recruitment.draw_pool(store, committee.id)] == [bo]
    recruitment.erase_application(store, bo, actor=facilitator)
    assert recruitment.draw_pool(store, committee.id) == []

    # Bad input: erased already, or no such application: a clear message, nothing changes.
    count = store.scalar("SELECT COUNT(*) FROM audit_log")
    with pytest.raises(NotAllowed) as again:
        recruitment.erase_application(store, anna, actor=facilitator)
    assert again.value.key == "error.erasure.already_erased"
    with pytest.raises(NotFound):
        recruitment.erase_application(store, 9999, actor=facilitator)
    assert store.scalar("SELECT COUNT(*) FROM audit_log") == count


def test_staff_erase_a_member_on_request(
    store: Store, committee: Committee, facilitator: User
) -> None:
    made = members.add_member(
        store,
        committee.id,
        name="Mette Member",
        role="chair",
        starts_on="2026-03-01",
        actor=facilitator,
    )
    members.erase_member(store, made.id, actor=facilitator)
    assert "Mette Member" not in _everything(store)
    assert members.get_member(store, made.id).role == "chair"
    with pytest.raises(NotAllowed):
        members.erase_member(store, made.id, actor=facilitator)
    with pytest.raises(NotFound):
        members.erase_member(store, 9999, actor=facilitator)


def test_purge_covers_applicants_after_recruitment_and_members_after_the_work(
    store: Store, committee: Committee, facilitator: User
) -> None:
    kept_on = apply(store, committee, "Anna Appointed")
    passed_over = apply(store, committee, "Bo Not Chosen")
    recruitment.review_application(
        store, kept_on, "appointed", rationale="Valgt", actor=facilitator
    )
    members.add_member(
        store,
        committee.id,
        name="Mette Politician",
        role="chair",
        starts_on="2026-03-01",
        actor=facilitator,
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    settings = privacy.PrivacySettings(
        keep_anonymised_ideas=True,
        retention_days=365,
        application_retention_days=90,
        member_retention_days=365,
    )
    now = datetime.now(UTC)

    early = privacy.purge_expired(store, now=now + timedelta(days=30), settings=settings)
    assert (early.applications, early.members) == (0, 0)

    later = privacy.purge_expired(store, now=now + timedelta(days=100), settings=settings)
    assert (later.applications, later.members) == (1, 0)
    assert recruitment.get_application(store, passed_over).name == privacy.REDACTED_TEXT
    assert recruitment.get_application(store, kept_on).name == "Anna Appointed"

    # The members' time counts from the end of their membership (or of the committee's work).
    members.end_membership(
        store,
        members.list_members(store, committee.id)[0].id,
        formats.today(),
        actor=facilitator,
    )
    much_later = privacy.purge_expired(store, now=now + timedelta(days=400), settings=settings)
    assert much_later.members == 1  # the chair; Anna's membership has not ended
    assert "Mette Politician" not in _everything(store)
    assert "Anna Appointed" in _everything(store)
    again = privacy.purge_expired(store, now=now + timedelta(days=400), settings=settings)
    assert (again.applications, again.members) == (0, 0)


def test_retention_settings_for_applicants_and_members_are_read_and_documented() -> None:
    loaded = privacy.load_privacy_settings(
        {"SAMSKAB_APPLICATION_RETENTION_DAYS": "30", "SAMSKAB_MEMBER_RETENTION_DAYS": "0"}
    )
    assert (loaded.application_retention_days, loaded.member_retention_days) == (30, 0)
    defaults = privacy.load_privacy_settings({})
    assert defaults.application_retention_days == privacy.DEFAULT_APPLICATION_RETENTION_DAYS
    assert defaults.member_retention_days == privacy.DEFAULT_MEMBER_RETENTION_DAYS
    inventory = (ROOT / "docs" / "data-inventory.md").read_text(encoding="utf-8")
    for name in ("SAMSKAB_APPLICATION_RETENTION_DAYS", "SAMSKAB_MEMBER_RETENTION_DAYS"):
        assert f"`{name}`" in inventory


def test_purge_command_reports_applicants_and_members(tmp_path: Path, capsys) -> None:
    assert cli.main(["--db", str(tmp_path / "p.db"), "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "0 applications" in out and "0 committee members" in out


# -- the inventory ------------------------------------------------------------------------------

PERSON_COLUMNS = re.compile(r"^(participant_id|application_id|member_id|author.*|applicant.*)$")
PERSON_TABLES = {"participants", "applications", "committee_members"}


def _tables_about_people(store: Store) -> set[str]:
    found = set(PERSON_TABLES)
    with store.transaction() as handle:
        for person_table in PERSON_TABLES:
            found |= {table for table, _ in foreign_keys_to(handle, person_table)}
        for table in handle.table_names():
            if any(PERSON_COLUMNS.match(c) for c in column_names(handle, table)):
                found.add(table)
    return found


def test_every_table_about_a_person_is_in_the_data_inventory(store: Store) -> None:
    inventory = (ROOT / "docs" / "data-inventory.md").read_text(encoding="utf-8")
    tables = _tables_about_people(store)
    assert {"ballots", "pairwise_choices", "meeting_attendance", "erasures"} <= tables
    missing = sorted(t for t in tables if f"`{t}" not in inventory)
    assert missing == [], f"add these tables to docs/data-inventory.md: {missing}"


def test_the_inventory_test_notices_a_new_table(store: Store) -> None:
    store.execute(
        "CREATE TABLE survey_answers (id INTEGER PRIMARY KEY,"
        " participant_id INTEGER REFERENCES participants (id), answer TEXT)"
    )
    with pytest.raises(AssertionError, match="survey_answers"):
        test_every_table_about_a_person_is_in_the_data_inventory(store)


def test_every_table_that_points_at_participants_is_exported_or_excluded(store: Store) -> None:
    with store.transaction() as handle:
        pointing = {table for table, _ in foreign_keys_to(handle, "participants")}
    decided = set(privacy.EXPORTED_PARTICIPANT_TABLES) | set(
        privacy.NOT_EXPORTED_PARTICIPANT_TABLES
    )
    assert pointing <= decided, sorted(pointing - decided)


def test_the_retention_purge_redacts_the_same_copies(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    idea = ideas.submit_idea(store, anna, SECRET)
    moderation.edit_idea(store, idea.id, "Min nabo på vejen", actor=facilitator)
    later = datetime.now(UTC) + timedelta(days=400)
    report = privacy.purge_expired(store, days=365, now=later, settings=KEEP)
    assert report.participants == 1
    assert SECRET not in _everything(store)
    assert ideas.get_idea(store, idea.id).text == "Min nabo på vejen"
