"""The secretariat's year: invitations as calendar files, "afbud", minutes approved at the
next meeting, the public committee page, and reminders from `samskab remind`."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest

from tests.outcome_world import build_outcome_world
from tests.test_committees import to_recruitment
from workshop import committees
from workshop.agreements.core import add_commitment, create_agreement
from workshop.app import open_store
from workshop.committees import ics, invitations, members, public
from workshop.committees.model import AttendanceStatus, MemberRole
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed
from workshop.i18n import translate
from workshop.model import Committee, User

# -- a strict reader for the calendar files we write (RFC 5545 §3.1, §3.3.11) --------------


def parse_ics(text: str) -> list[tuple[str, dict[str, str], str]]:
    """(name, parameters, value) per content line; fails on anything RFC 5545 forbids."""
    assert text.endswith("\r\n")
    raw = text.split("\r\n")[:-1]
    for line in raw:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
    unfolded: list[str] = []
    for line in raw:
        if line.startswith(" "):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    result = []
    for line in unfolded:
        head, _, value = line.partition(":")
        name, *params = head.split(";")
        assert re.fullmatch(r"[A-Z-]+", name), line
        result.append((name, dict(p.split("=", 1) for p in params), value))
    return result


def unescape(value: str) -> str:
    out, i = "", 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            assert nxt in "\\;,nN", value
            out += "\n" if nxt in "nN" else nxt
            i += 2
        else:
            assert value[i] not in ",;", value  # unescaped separators are not TEXT
            out += value[i]
            i += 1
    return out


def event_props(text: str) -> dict[str, tuple[dict[str, str], str]]:
    lines = parse_ics(text)
    names = [n for n, _, v in lines if n in ("BEGIN", "END")]
    assert names[0] == "BEGIN" and lines[0][2] == "VCALENDAR" and lines[-1][2] == "VCALENDAR"
    begin = [v for n, _, v in lines if n == "BEGIN"]
    assert begin.count("VEVENT") == 1 and "VTIMEZONE" in begin
    start = next(i for i, (n, _, v) in enumerate(lines) if n == "BEGIN" and v == "VEVENT")
    end = next(i for i, (n, _, v) in enumerate(lines) if n == "END" and v == "VEVENT")
    return {n: (p, v) for n, p, v in lines[start + 1 : end]}


def test_an_event_is_valid_icalendar_with_escaping_and_folding() -> None:
    agenda = "1. Velkomst; kaffe, kage\n2. Æblehaven — " + "ø" * 80
    text = ics.event_calendar(
        ics.CalendarEvent(
            uid="meeting-7@samskab",
            start=datetime(2026, 10, 25, 17, 0),
            end=datetime(2026, 10, 25, 19, 0),
            summary="Byens Hus: møde 2",
            location="Rådhuset, lokale 3",
            description=agenda,
            stamp=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
        )
    )
    props = event_props(text)
    assert props["UID"][1] == "meeting-7@samskab"
    assert props["DTSTAMP"][1] == "20261001T080000Z"
    assert props["DTSTART"] == ({"TZID": "Europe/Copenhagen"}, "20261025T170000")
    assert props["DTEND"] == ({"TZID": "Europe/Copenhagen"}, "20261025T190000")
    assert unescape(props["SUMMARY"][1]) == "Byens Hus: møde 2"
    assert unescape(props["LOCATION"][1]) == "Rådhuset, lokale 3"
    assert unescape(props["DESCRIPTION"][1]) == agenda
    # 25 October 2026 is the day summer time ends: the zone has both transitions
    assert "TZOFFSETTO:+0200" in text and "TZOFFSETTO:+0100" in text
    assert "DTSTART:20261025T030000" in text  # 03:00 summer time → 02:00 winter time


# -- committee setup -------------------------------------------------------------------------


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    made = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    to_recruitment(store, made, facilitator)
    return made


class Outbox:
    def __init__(self, fail_for: str = "") -> None:
        self.sent: list[EmailMessage] = []
        self.fail_for = fail_for

    def send(self, message: EmailMessage) -> None:
        if self.fail_for and self.fail_for in message["To"]:
            raise ConnectionError("smtp down")
        self.sent.append(message)


def plan(store: Store, committee: Committee, facilitator: User, when: str, title: str = "Møde"):
    return members.plan_meeting(
        store,
        committee.id,
        title,
        planned_at=when,
        location="Rådhuset, lokale 3",
        agenda="1. Velkomst; kaffe\n2. Budget, drøftelse",
        actor=facilitator,
    )


def test_invitations_go_to_members_with_an_address_with_the_calendar_file(
    store, committee, facilitator
):
    mette = members.add_member(
        store,
        committee.id,
        name="Mette",
        role="chair",
        starts_on="2026-03-01",
        email="Mette@Gentofte.dk",
        actor=facilitator,
    )
    bo = members.add_member(
        store, committee.id, name="Bo", role="politician", starts_on="2026-03-01", actor=facilitator
    )
    meeting = plan(store, committee, facilitator, "2099-04-01T17:00", "Første møde")
    outbox = Outbox()
    report = invitations.send_invitations(
        store, meeting.meeting_id, actor=facilitator, sender=outbox, lang="da"
    )
    assert [m.id for m in report.sent] == [mette.id]
    assert [m.id for m in report.without_address] == [bo.id]
    (message,) = outbox.sent
    assert message["To"] == "mette@gentofte.dk"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename().endswith(".ics")
    props = event_props(attachment.get_content())
    assert props["DTSTART"] == ({"TZID": "Europe/Copenhagen"}, "20990401T170000")
    assert unescape(props["DESCRIPTION"][1]) == "1. Velkomst; kaffe\n2. Budget, drøftelse"
    sent = invitations.list_invitations(store, meeting.meeting_id)
    assert [(s.member_id, s.status) for s in sent] == [(mette.id, "delivered")]


def test_a_failing_sender_is_recorded_and_bad_addresses_are_refused(store, committee, facilitator):
    with pytest.raises(InvalidInput):
        members.add_member(
            store,
            committee.id,
            name="X",
            role="observer",
            starts_on="2026-03-01",
            email="not-an-address",
            actor=facilitator,
        )
    assert members.list_members(store, committee.id) == []
    members.add_member(
        store,
        committee.id,
        name="Ole",
        role="observer",
        starts_on="2026-03-01",
        email="ole@x.dk",
        actor=facilitator,
    )
    meeting = plan(store, committee, facilitator, "2099-04-01T17:00")
    report = invitations.send_invitations(
        store, meeting.meeting_id, actor=facilitator, sender=Outbox(fail_for="ole"), lang="en"
    )
    assert report.sent == () and len(report.failed) == 1
    assert [s.status for s in invitations.list_invitations(store, meeting.meeting_id)] == ["failed"]


def test_invitations_go_again_only_when_the_secretariat_confirms(store, committee, facilitator):
    members.add_member(
        store,
        committee.id,
        name="Ole",
        role="observer",
        starts_on="2026-03-01",
        email="ole@x.dk",
        actor=facilitator,
    )
    meeting = plan(store, committee, facilitator, "2099-04-01T17:00")
    outbox = Outbox()
    invitations.send_invitations(store, meeting.meeting_id, actor=facilitator, sender=outbox)
    with pytest.raises(NotAllowed) as refused:
        invitations.send_invitations(store, meeting.meeting_id, actor=facilitator, sender=outbox)
    assert refused.value.key == "error.invitation.already_sent"
    assert (
        len(outbox.sent) == 1 and len(invitations.list_invitations(store, meeting.meeting_id)) == 1
    )
    invitations.send_invitations(
        store, meeting.meeting_id, actor=facilitator, sender=outbox, resend=True
    )
    assert len(outbox.sent) == 2


def test_the_calendar_file_name_spells_out_danish_letters(store, committee, facilitator):
    assert invitations.file_name(
        plan(store, committee, facilitator, "2099-04-01T17:00", "Møde")
    ) == ("2099-04-01-moede.ics")
    named = plan(store, committee, facilitator, "2099-04-02T17:00", "Årsmøde på Æbeløgård, café")
    assert invitations.file_name(named) == "2099-04-02-aarsmoede-paa-aebeloegaard-cafe.ics"


def test_the_invitation_uses_the_configured_time_zone(store, committee, facilitator):
    meeting = plan(store, committee, facilitator, "2099-04-01T17:00")
    text = invitations.invitation_calendar(store, meeting.meeting_id, time_zone="Europe/Oslo")
    assert event_props(text)["DTSTART"] == ({"TZID": "Europe/Oslo"}, "20990401T170000")


def test_time_zone_setting() -> None:
    from workshop.config import ENV_VARS, load_settings

    assert "SAMSKAB_TIME_ZONE" in ENV_VARS
    assert load_settings({}).time_zone == "Europe/Copenhagen"
    assert load_settings({"SAMSKAB_TIME_ZONE": "Europe/Oslo"}).time_zone == "Europe/Oslo"


HELD = "2026-06-01T12:00"  # "now" in the tests of meetings that have taken place

# -- afbud --------------------------------------------------------------------------------------


def test_attendance_has_apologies_beside_present_and_absent(store, committee, facilitator):
    people = [
        members.add_member(
            store,
            committee.id,
            name=n,
            role="politician",
            starts_on="2026-03-01",
            actor=facilitator,
        )
        for n in ("A", "B", "C")
    ]
    meeting = plan(store, committee, facilitator, "2026-04-01T17:00")
    done = members.record_attendance(
        store,
        meeting.meeting_id,
        {people[0].id: "present", people[1].id: "apologies", people[2].id: "absent"},
        actor=facilitator,
        now=HELD,
    )
    assert (done.present, done.apologies, done.recorded) == (1, 1, 3)
    assert members.attendance(store, meeting.meeting_id) == {
        people[0].id: AttendanceStatus.PRESENT,
        people[1].id: AttendanceStatus.APOLOGIES,
        people[2].id: AttendanceStatus.ABSENT,
    }
    with pytest.raises(InvalidInput):
        members.record_attendance(
            store, meeting.meeting_id, {people[0].id: "late"}, actor=facilitator, now=HELD
        )
    assert members.attendance(store, meeting.meeting_id)[people[0].id] is AttendanceStatus.PRESENT


def test_boolean_attendance_rows_are_migrated_to_a_status(tmp_path) -> None:
    """A database from before the change: present = 1/0 becomes present/absent."""
    from sqlite_utils import Database

    from workshop.app import migration_sets

    path = tmp_path / "old.db"
    old = Database(path)
    for migration_set in migration_sets():
        if migration_set.name == "samskab.committee_year":
            continue
        migration_set.apply(old)
    old.execute(
        "INSERT INTO users (id, username, display_name, role, password_hash, created_at)"
        " VALUES (1, 'f', 'F', 'facilitator', 'x', '2026-01-01')"
    )
    old.execute("INSERT INTO committees (id, title, task, created_at) VALUES (1, 'C', '', 'now')")
    old.execute(
        "INSERT INTO meetings (id, committee_id, title, kind, join_code, screen_token,"
        " created_at) VALUES (1, 1, 'M', 'committee_meeting', 'ABC123', 'x', 'now')"
    )
    for member_id in (1, 2):
        old.execute(
            "INSERT INTO committee_members (id, committee_id, name, role, starts_on, added_at)"
            " VALUES (?, 1, 'N', 'citizen', '2026-01-01', 'now')",
            [member_id],
        )
    old.execute(
        "INSERT INTO meeting_attendance (meeting_id, member_id, present, recorded_at)"
        " VALUES (1, 1, 1, 'now'), (1, 2, 0, 'now')"
    )
    old.conn.commit()
    old.close()
    store = open_store(path)
    assert members.attendance(store, 1) == {
        1: AttendanceStatus.PRESENT,
        2: AttendanceStatus.ABSENT,
    }
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE meeting_attendance SET status = 'maybe' WHERE member_id = 1")


# -- minutes approved at the next meeting, then public -----------------------------------------


def test_minutes_are_approved_at_a_later_meeting_and_only_then_public(
    store, committee, facilitator
):
    first = plan(store, committee, facilitator, "2026-04-01T17:00", "Møde 1")
    second = plan(store, committee, facilitator, "2026-05-01T17:00", "Møde 2")
    with pytest.raises(NotAllowed):  # nothing to approve yet
        members.approve_minutes(
            store, first.meeting_id, at_meeting=second.meeting_id, actor=facilitator, now=HELD
        )
    members.record_minutes(
        store, first.meeting_id, agenda="1.", minutes="Vi mødtes.", actor=facilitator
    )
    assert public.committee_page(store, committee.id).minutes == ()
    with pytest.raises(InvalidInput):  # a meeting cannot approve its own minutes
        members.approve_minutes(
            store, first.meeting_id, at_meeting=first.meeting_id, actor=facilitator, now=HELD
        )
    with pytest.raises(InvalidInput):  # nor can an earlier one
        members.approve_minutes(
            store, second.meeting_id, at_meeting=first.meeting_id, actor=facilitator, now=HELD
        )
    done = members.approve_minutes(
        store, first.meeting_id, at_meeting=second.meeting_id, actor=facilitator, now=HELD
    )
    assert done.approved_at is not None and done.approved_at_meeting == second.meeting_id
    shown = public.committee_page(store, committee.id).minutes
    assert [(m.title, m.minutes, m.approved_at_title) for m in shown] == [
        ("Møde 1", "Vi mødtes.", "Møde 2")
    ]
    with pytest.raises(NotAllowed):  # approved minutes stay as approved
        members.record_minutes(
            store, first.meeting_id, agenda="1.", minutes="Ændret.", actor=facilitator
        )
    assert members.get_meeting_plan(store, first.meeting_id).minutes == "Vi mødtes."


def test_minutes_are_not_approved_at_a_meeting_that_has_not_started(store, committee, facilitator):
    first = plan(store, committee, facilitator, "2026-04-01T17:00", "Møde 1")
    second = plan(store, committee, facilitator, "2026-05-01T17:00", "Møde 2")
    members.record_minutes(
        store, first.meeting_id, agenda="1.", minutes="Vi mødtes.", actor=facilitator
    )
    with pytest.raises(NotAllowed) as refused:
        members.approve_minutes(
            store,
            first.meeting_id,
            at_meeting=second.meeting_id,
            actor=facilitator,
            now="2026-05-01T16:59",
        )
    assert refused.value.key == "error.minutes.meeting_not_held"
    for lang in ("da", "nb", "en"):
        text = translate(lang, refused.value.key, **refused.value.params)
        day = "01/05/2026" if lang == "en" else "01.05.2026"  # the reader's date style
        assert "Møde 2" in text and day in text
    assert members.get_meeting_plan(store, first.meeting_id).approved_at is None
    assert public.committee_page(store, committee.id).minutes == ()
    done = members.approve_minutes(
        store,
        first.meeting_id,
        at_meeting=second.meeting_id,
        actor=facilitator,
        now="2026-05-01T17:00",
    )
    assert done.approved_at_meeting == second.meeting_id


def test_attendance_is_recorded_only_for_a_meeting_that_has_started(
    store, committee, facilitator, monkeypatch
):
    bo = members.add_member(
        store, committee.id, name="Bo", role="politician", starts_on="2026-03-01", actor=facilitator
    )
    meeting = plan(store, committee, facilitator, "2026-05-01T17:00")
    with pytest.raises(NotAllowed) as refused:
        members.record_attendance(
            store, meeting.meeting_id, {bo.id: "present"}, actor=facilitator, now="2026-05-01T16:00"
        )
    assert refused.value.key == "error.attendance.meeting_not_held"
    assert members.attendance(store, meeting.meeting_id) == {}
    # without ``now`` the clock is the installation's local time (SAMSKAB_TIME_ZONE)
    kiritimati = datetime.now(ZoneInfo("Pacific/Kiritimati"))  # UTC+14: the day starts there
    soon = plan(
        store, committee, facilitator, kiritimati.replace(tzinfo=None).isoformat()[:16], "Snart"
    )
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "Pacific/Pago_Pago")  # UTC-11: not started there
    with pytest.raises(NotAllowed):
        members.record_attendance(store, soon.meeting_id, {bo.id: "present"}, actor=facilitator)
    assert members.attendance(store, soon.meeting_id) == {}
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "Pacific/Kiritimati")
    members.record_attendance(store, soon.meeting_id, {bo.id: "present"}, actor=facilitator)
    assert members.attendance(store, soon.meeting_id) == {bo.id: AttendanceStatus.PRESENT}


# -- the public committee page -----------------------------------------------------------------


def test_the_public_page_shows_names_of_office_holders_but_not_of_citizens(
    store, committee, facilitator
):
    members.add_member(
        store,
        committee.id,
        name="Mette Borgmester",
        role="chair",
        starts_on="2026-03-01",
        email="mette@x.dk",
        actor=facilitator,
    )
    members.add_member(
        store,
        committee.id,
        name="Anna Borger",
        role="citizen",
        starts_on="2026-03-01",
        actor=facilitator,
    )
    page = public.committee_page(store, committee.id)
    assert [(m.role, m.name) for m in page.members] == [
        (MemberRole.CHAIR, "Mette Borgmester"),
        (MemberRole.CITIZEN, None),
    ]
    assert "mette@x.dk" not in repr(page)
    assert page.mandate is not None and page.mandate.is_approved


def test_the_public_page_shows_both_decisions_with_reasons_and_outcomes(store, facilitator):
    world = build_outcome_world(store, facilitator)
    page = public.committee_page(store, world.committee_id)
    by_title = {r.title: r for r in page.recommendations}
    lektie = by_title["Lektiecafé i samarbejde med skolerne"]
    assert [(d.body.value, d.outcome.value, d.rationale) for d in lektie.decisions] == [
        ("standing_committee", "adopted", ""),
        ("council", "adopted_with_changes", "Kun to dage"),
    ]
    assert by_title["Makerspace i kælderen"].decisions[-1].rationale == "Ingen plads i budgettet"
    assert {o.title for o in page.outcomes} >= {"Åbent bibliotek alle ugens dage"}


# -- reminders ------------------------------------------------------------------------------------


def test_reminders_go_once_a_day_to_owners_with_an_address(store, committee, facilitator):
    from workshop.reminders import due as reminders

    agreement = create_agreement(
        store,
        "committee",
        lang="da",
        committee_id=committee.id,
        actor=facilitator,
        today=date(2026, 1, 1),
    )
    add_commitment(
        store,
        agreement.id,
        party="administration",
        description="Send svar",
        owner="Anna Holm <anna@gentofte.dk>",
        due_on="2026-06-03",
        evidence_required=False,
        actor=facilitator,
    )
    add_commitment(
        store,
        agreement.id,
        party="administration",
        description="Langt ude",
        owner="bo@gentofte.dk",
        due_on="2026-09-01",
        evidence_required=False,
        actor=facilitator,
    )
    add_commitment(
        store,
        agreement.id,
        party="administration",
        description="Svar til borgerne",
        owner="Kulturforvaltningen",
        due_on="2026-05-20",
        evidence_required=False,
        actor=facilitator,
    )
    today = date(2026, 6, 1)
    due = reminders.due_reminders(store, today=today, days=7)
    by_owner = {r.what: r for r in due}
    assert by_owner["Send svar"].address == "anna@gentofte.dk"
    assert "Langt ude" not in by_owner  # due in three months
    assert by_owner["Svar til borgerne"].address is None  # overdue, no address written

    outbox = Outbox()
    dry = reminders.send_reminders(store, today=today, days=7, sender=outbox, dry_run=True)
    assert outbox.sent == [] and dry.sent == 0 and dry.would_send >= 1
    report = reminders.send_reminders(store, today=today, days=7, sender=outbox)
    assert report.sent == len(outbox.sent) >= 1
    assert any(m["To"] == "anna@gentofte.dk" for m in outbox.sent)
    assert report.no_address  # listed, not sent
    again = reminders.send_reminders(store, today=today, days=7, sender=outbox)
    assert again.sent == 0 and again.already_sent == report.sent
    tomorrow = reminders.send_reminders(store, today=date(2026, 6, 2), days=7, sender=Outbox())
    assert tomorrow.sent == report.sent


def test_outcome_reviews_due_become_reminders(store, facilitator):
    from workshop.outcomes import followup
    from workshop.reminders import due as reminders

    world = build_outcome_world(store, facilitator)
    outcome_id = world.outcome_ids[0]
    followup.update_follow_up(
        store,
        outcome_id,
        owner="Kultur (kultur@gentofte.dk)",
        status="in_progress",
        progress=10,
        actor=facilitator,
    )
    review_id = followup.schedule_review(
        store, outcome_id, date(2026, 6, 5), actor=facilitator, today=date(2026, 6, 1)
    )
    due = reminders.due_reminders(store, today=date(2026, 6, 1), days=7)
    (review,) = [r for r in due if r.kind == "review"]
    assert (review.item_id, review.address) == (review_id, "kultur@gentofte.dk")
    assert reminders.due_reminders(store, today=date(2026, 6, 1), days=2) == [
        r for r in due if r.kind != "review"
    ]


def test_remind_command_prints_no_address_and_respects_dry_run(
    store, committee, facilitator, capsys, tmp_path, monkeypatch
):
    from workshop import cli

    create_agreement(
        store,
        "committee",
        lang="da",
        committee_id=committee.id,
        actor=facilitator,
        today=date(2020, 1, 1),
    )
    outbox = tmp_path / "outbox.txt"
    monkeypatch.setenv("SAMSKAB_FEEDBACK_SENDER", f"file:{outbox}")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert cli.main(["--db", str(store.path), "remind", "--days", "3", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "no address" in out and "Udvalgets sekretariat" in out
    assert not outbox.exists()


def test_remind_speaks_the_cli_locale(store, committee, facilitator, capsys, tmp_path, monkeypatch):
    from workshop import cli

    create_agreement(
        store,
        "committee",
        lang="da",
        committee_id=committee.id,
        actor=facilitator,
        today=date(2020, 1, 1),
    )
    monkeypatch.setenv("SAMSKAB_FEEDBACK_SENDER", f"file:{tmp_path / 'outbox.txt'}")
    monkeypatch.setenv("LANG", "da_DK.UTF-8")
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    assert cli.main(["--db", str(store.path), "remind", "--days", "3"]) == 0
    out = capsys.readouterr().out
    assert "ingen adresse" in out
    for english in ("sent", "failed", "already", "address:", "reminder", "nothing"):
        assert english not in out.lower(), (english, out)
    assert cli.main(["--db", str(store.path), "remind", "--days", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--days" in err and "sendt" in err


def test_the_remind_units_run_the_command_daily_and_are_documented() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    service = (root / "deploy" / "samskab-remind.service").read_text(encoding="utf-8")
    timer = (root / "deploy" / "samskab-remind.timer").read_text(encoding="utf-8")
    assert "ExecStart=/opt/samskab/.venv/bin/samskab remind --days 7" in service
    assert "Type=oneshot" in service and "EnvironmentFile=/etc/samskab/samskab.env" in service
    assert "OnCalendar=" in timer and "Persistent=true" in timer
    guide = (root / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "deploy/samskab-remind.timer" in guide and "no address" in guide


def test_erasing_a_member_erases_their_address_and_where_invitations_went(
    store, committee, facilitator
):
    ole = members.add_member(
        store,
        committee.id,
        name="Ole",
        role="observer",
        starts_on="2026-03-01",
        email="ole@x.dk",
        actor=facilitator,
    )
    meeting = plan(store, committee, facilitator, "2099-04-01T17:00")
    invitations.send_invitations(
        store, meeting.meeting_id, actor=facilitator, sender=Outbox(), lang="da"
    )
    members.erase_member(store, ole.id, actor=facilitator)
    assert members.get_member(store, ole.id).email is None
    assert [s.address for s in invitations.list_invitations(store, meeting.meeting_id)] == [""]
    assert "ole@x.dk" not in "".join(str(row) for row in store.query("SELECT * FROM audit_log"))


def test_a_feedback_promise_reminds_its_sign_off_while_ideas_wait(store, facilitator, meeting):
    from tests.factories import join, start
    from workshop.agreements.core import save_version
    from workshop.meetings import ideas
    from workshop.reminders import due as reminders

    start(store, meeting)
    anna = join(store, meeting, "Anna")
    ideas.submit_idea(store, anna, "Flere bænke")
    agreement = create_agreement(
        store,
        "dialogue_session",
        lang="da",
        meeting_id=meeting.id,
        actor=facilitator,
        today=date(2026, 5, 1),
    )
    save_version(
        store,
        agreement.id,
        {"sign_off": "Projektleder Ida (ida@kommune.dk)", "feedback_due_on": "2026-05-30"},
        material=False,
        actor=facilitator,
    )
    due = reminders.due_reminders(store, today=date(2026, 6, 1), days=0)
    (promise,) = [r for r in due if r.kind == "feedback"]
    assert (promise.item_id, promise.address) == (agreement.id, "ida@kommune.dk")
    assert promise.days_left(date(2026, 6, 1)) == -2
