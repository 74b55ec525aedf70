"""Applicants hear their outcome (appointed, reserve, not selected, with the reason): by
e-mail through the pluggable sender, in their language, and at their own link."""

from __future__ import annotations

from email import message_from_string, policy
from pathlib import Path

import pytest
from sqlite_utils import Database

from tests.test_committees import to_recruitment
from workshop import committees
from workshop.committees import recruitment, schema
from workshop.committees.model import ApplicationStatus
from workshop.db import Store
from workshop.errors import NotFound
from workshop.feedback import core as feedback
from workshop.i18n import translate
from workshop.model import Committee, User

BASE = "https://samskab.gentofte.dk"
REASONS = {
    "Anna": ("appointed", "Anna bringer erfaring fra ungdomsarbejde"),
    "Bjørn": ("reserve", "Bjørn er første reserve, hvis en plads bliver ledig"),
    "Clara": ("declined", "Clara's profile is already covered by two members"),
}
LANGS = {"Anna": "da", "Bjørn": "nb", "Clara": "en"}


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    made = committees.create_committee(store, "Fremtidens bibliotek", "", actor=facilitator)
    to_recruitment(store, made, facilitator)
    return made


def decided(store: Store, committee: Committee, facilitator: User) -> dict[str, int]:
    ids = {}
    for name, (status, reason) in REASONS.items():
        ids[name] = recruitment.submit_application(
            store,
            committee.id,
            name=name,
            contact=f"{name.lower().replace('ø', 'o')}@example.org",
            motivation="Jeg vil gerne",
            lang=LANGS[name],
        ).id
        recruitment.review_application(
            store, ids[name], status, rationale=reason, actor=facilitator
        )
    return ids


def outbox(path: Path) -> list:
    if not path.exists():
        return []
    chunks = [c for c in path.read_text(encoding="utf-8").split("=" * 72) if c.strip()]
    return [message_from_string(c.lstrip("\n"), policy=policy.default) for c in chunks]


def test_reserve_is_an_application_outcome(store, committee, facilitator):
    anna = recruitment.submit_application(store, committee.id, name="Anna", motivation="Gerne")
    made = recruitment.review_application(
        store, anna.id, ApplicationStatus.RESERVE, rationale="Første reserve", actor=facilitator
    )
    assert made.status is ApplicationStatus.RESERVE
    assert ApplicationStatus.RESERVE.is_outcome and not ApplicationStatus.SHORTLISTED.is_outcome


def test_three_applicants_each_get_their_outcome_once_in_their_language(
    store, committee, facilitator, tmp_path
):
    ids = decided(store, committee, facilitator)
    waiting = recruitment.submit_application(
        store, committee.id, name="Dorte", contact="dorte@example.org", motivation="Gerne"
    )
    path = tmp_path / "outbox.txt"
    sent = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path), link_base=BASE
    )
    assert (sent.delivered, sent.failed, sent.no_contact, sent.undecided) == (3, 0, 0, 1)
    messages = {m["To"]: m for m in outbox(path)}
    assert sorted(messages) == ["anna@example.org", "bjorn@example.org", "clara@example.org"]
    for name, (status, reason) in REASONS.items():
        message = messages[f"{name.lower().replace('ø', 'o')}@example.org"]
        lang = LANGS[name]
        body = message.get_content()
        assert message["Subject"] == translate(
            lang, "applicant_outcome.subject", committee="Fremtidens bibliotek"
        )
        assert translate(lang, f"applicant_outcome.{status}", committee="Fremtidens bibliotek") in (
            body
        )
        assert reason in body
        # The link in the message opens the applicant's own application, with the outcome.
        token = recruitment.applicant_link_token(store, ids[name])
        assert token is not None and recruitment.applicant_url(BASE, token) in body
        mine = recruitment.application_by_token(store, token)
        assert (mine.id, mine.status.value, mine.rationale) == (ids[name], status, reason)
    assert "dorte@example.org" not in messages  # no outcome yet: not told anything

    again = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path), link_base=BASE
    )
    assert (again.delivered, again.already_told) == (0, 3)
    assert len(outbox(path)) == 3
    notices = recruitment.list_notices(store, committee.id)
    assert sorted((n.name, n.status.value, n.delivery) for n in notices) == [
        ("Anna", "appointed", "delivered"),
        ("Bjørn", "reserve", "delivered"),
        ("Clara", "declined", "delivered"),
    ]
    assert {n.sent_by_name for n in notices} == {"Fie"}
    assert waiting.id not in {n.application_id for n in notices}


def test_an_applicant_without_an_email_is_listed_to_be_told_another_way(
    store, committee, facilitator, tmp_path
):
    phone = recruitment.submit_application(
        store, committee.id, name="Erik", contact="+45 12 34 56 78", motivation="Gerne"
    )
    recruitment.review_application(
        store, phone.id, "declined", rationale="Lodtrækning", actor=facilitator
    )
    path = tmp_path / "outbox.txt"
    sent = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path)
    )
    assert (sent.delivered, sent.no_contact) == (0, 1)
    assert outbox(path) == []
    (notice,) = recruitment.list_notices(store, committee.id)
    assert (notice.name, notice.delivery) == ("Erik", "no_contact")
    again = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path)
    )
    assert (again.no_contact, again.already_told) == (0, 1)


class Broken:
    def send(self, message) -> None:
        raise ConnectionError(f"mail server down for {message['To']}")


def test_a_failed_message_is_recorded_and_sent_next_time(store, committee, facilitator, tmp_path):
    decided(store, committee, facilitator)
    failed = recruitment.send_outcomes(store, committee.id, actor=facilitator, sender=Broken())
    assert (failed.delivered, failed.failed) == (0, 3)
    details = {r["detail"] for r in store.query("SELECT detail FROM applicant_notices")}
    assert details == {"ConnectionError"}  # no address kept
    path = tmp_path / "outbox.txt"
    retried = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path)
    )
    assert (retried.delivered, retried.already_told) == (3, 0)
    assert len(outbox(path)) == 3


def test_a_changed_outcome_is_told_again_and_an_erased_applicant_never(
    store, committee, facilitator, tmp_path
):
    ids = decided(store, committee, facilitator)
    path = tmp_path / "outbox.txt"
    recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path)
    )
    recruitment.review_application(
        store,
        ids["Bjørn"],
        "appointed",
        rationale="En plads blev ledig",
        actor=facilitator,
        confirm_over_target=True,
    )
    token = recruitment.applicant_link_token(store, ids["Clara"])
    recruitment.erase_application(store, ids["Clara"], actor=facilitator)
    again = recruitment.send_outcomes(
        store, committee.id, actor=facilitator, sender=feedback.FileSender(path)
    )
    assert again.delivered == 1
    assert "En plads blev ledig" in outbox(path)[-1].get_content()
    assert token is not None
    with pytest.raises(NotFound):
        recruitment.application_by_token(store, token)


def test_applications_made_before_the_upgrade_keep_everything(tmp_path):
    """The migration rebuilds applications (SQLite cannot widen a CHECK): rows, reviews,
    members and erasures pointing at them survive."""
    from workshop.accounts import users as accounts
    from workshop.app import migration_sets, open_store
    from workshop.model import Role

    path = tmp_path / "old.db"
    db = Database(path)
    db.execute("PRAGMA foreign_keys = ON")
    for migrations in migration_sets():
        if migrations is schema.migrations:
            migrations.apply(db, stop_before="m003_corrections")
            break
        migrations.apply(db)
    db.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at)"
        " VALUES (1, 'fie', 'Fie', 'facilitator', 'x', '2026-01-01')"
    )
    db.execute(
        "INSERT INTO committees (id, title, task, politicians_target, citizens_target,"
        " is_demo, created_at) VALUES (1, 'Gammel', '', 1, 2, 0, '2026-01-01')"
    )
    db.execute(
        "INSERT INTO committee_states (committee_id, phase, public_token, phase_started_at)"
        " VALUES (1, 'recruitment', 'x', '2026-01-01')"
    )
    db.execute(
        "INSERT INTO applications (id, committee_id, name, contact, motivation, status,"
        " rationale, submitted_at) VALUES (7, 1, 'Olga', 'olga@example.org', 'Gerne',"
        " 'appointed', 'God profil', '2026-02-01')"
    )
    db.execute(
        "INSERT INTO application_reviews (application_id, status, rationale, reviewed_by,"
        " reviewed_at) VALUES (7, 'appointed', 'God profil', 1, '2026-02-02')"
    )
    db.execute(
        "INSERT INTO committee_members (committee_id, name, role, starts_on, application_id,"
        " added_at) VALUES (1, 'Olga', 'citizen', '2026-02-02', 7, '2026-02-02')"
    )
    db.conn.commit()
    db.close()

    store = open_store(path)
    try:
        olga = recruitment.get_application(store, 7)
        assert (olga.name, olga.status.value, olga.lang, olga.rationale_version) == (
            "Olga",
            "appointed",
            "da",
            1,
        )
        assert [r["rationale"] for r in recruitment.list_reviews(store, 7)] == ["God profil"]
        assert recruitment.applicant_link_token(store, 7) is None  # applied before links
        assert store.scalar("SELECT application_id FROM committee_members") == 7
        assert not store.query("PRAGMA foreign_key_check")
        assert accounts is not None and Role is not None
    finally:
        store.close()
