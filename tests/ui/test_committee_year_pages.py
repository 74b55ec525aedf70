"""AppTest for the secretariat's year on the committee pages: invitations (.ics download and
sending), afbud in attendance, minutes approved at the next meeting, and the public page."""

from __future__ import annotations

from email import message_from_string, policy

import pytest

from tests.outcome_world import build_outcome_world
from tests.ui.conftest import PAGES, texts
from tests.ui.test_committee_pages import da, lifecycle, open_page  # noqa: F401 (fixture)
from workshop import committees
from workshop.committees import invitations, members
from workshop.committees.model import AttendanceStatus
from workshop.i18n import translate_count
from workshop.model import Role


@pytest.fixture
def planned(lifecycle, tmp_path, monkeypatch):  # noqa: F811 (the fixture above)
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    outbox = tmp_path / "outbox.txt"
    monkeypatch.setenv("SAMSKAB_FEEDBACK_SENDER", f"file:{outbox}")
    mette = members.add_member(
        db,
        committee.id,
        name="Mette Formand",
        role="chair",
        starts_on="2026-03-01",
        email="mette@gentofte.dk",
        actor=user,
    )
    sofie = members.add_member(
        db,
        committee.id,
        name="Sofie Borger",
        role="citizen",
        starts_on="2026-03-01",
        actor=user,
    )
    first = members.plan_meeting(
        db,
        committee.id,
        "Første møde",
        planned_at="2026-04-01T17:00",  # held: attendance and minutes
        location="Rådhuset, mødesal 1",
        agenda="1. Velkomst; kaffe\n2. Kommissoriet",
        actor=user,
    )
    second = members.plan_meeting(
        db, committee.id, "Andet møde", planned_at="2026-05-01T17:00", actor=user
    )
    coming = members.plan_meeting(  # ahead: invitations
        db,
        committee.id,
        "Kommende møde",
        planned_at="2099-06-01T17:00",
        location="Rådhuset, mødesal 1",
        agenda="1. Velkomst; kaffe\n2. Kommissoriet",
        actor=user,
    )
    return {
        **lifecycle,
        "outbox": outbox,
        "mette": mette,
        "sofie": sofie,
        "first": first,
        "second": second,
        "coming": coming,
    }


def test_the_invitation_downloads_as_ics_and_goes_to_members_with_an_address(
    planned, make_app
) -> None:
    user, coming = planned["users"][Role.FACILITATOR], planned["coming"]
    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    downloads = [b for b in at.get("download_button") if "ics" in str(b.proto)]
    assert downloads, "a download button for the calendar file"
    at.button(key=f"committee_invite_{coming.meeting_id}").click().run()
    assert not at.exception
    shown = texts(at)
    assert translate_count("da", "meetings.invitations_sent", 1) in shown
    assert da("meetings.tell_another_way", names="Sofie Borger") in shown
    raw = planned["outbox"].read_text(encoding="utf-8").split("=" * 72)[0]
    message = message_from_string(raw, policy=policy.default)
    assert message["To"] == "mette@gentofte.dk"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert "DTSTART;TZID=Europe/Copenhagen:20990601T170000" in attachment.get_content()


def test_sending_again_shows_when_it_was_sent_and_needs_a_confirmation(planned, make_app) -> None:
    user, coming = planned["users"][Role.FACILITATOR], planned["coming"]
    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    at.button(key=f"committee_invite_{coming.meeting_id}").click().run()
    outbox = planned["outbox"]
    sent_once = outbox.read_text(encoding="utf-8")
    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    (sent,) = invitations.list_invitations(planned["store"], coming.meeting_id)
    last_sent = da("meetings.invitations_last_sent", date="DATE", time="TIME").split("DATE")[0]
    assert last_sent in texts(at)
    assert at.button(key=f"committee_invite_{coming.meeting_id}").disabled  # until confirmed
    assert outbox.read_text(encoding="utf-8") == sent_once  # nothing went out again
    at.checkbox(key=f"committee_resend_{coming.meeting_id}").check().run()
    at.button(key=f"committee_invite_{coming.meeting_id}").click().run()
    assert not at.exception
    assert outbox.read_text(encoding="utf-8").count("mette@gentofte.dk") == 2 * sent_once.count(
        "mette@gentofte.dk"
    )
    assert sent.status == "delivered"


def test_a_meeting_ahead_offers_no_attendance_and_no_approval_and_says_why(
    planned, make_app
) -> None:
    db, user = planned["store"], planned["users"][Role.FACILITATOR]
    second, coming = planned["second"], planned["coming"]
    members.record_minutes(db, second.meeting_id, agenda="1.", minutes="Referat.", actor=user)
    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    radios = {r.key for r in at.radio}
    assert f"committee_status_{second.meeting_id}_{planned['mette'].id}" in radios
    assert not any(k.startswith(f"committee_status_{coming.meeting_id}_") for k in radios)
    shown = texts(at)
    assert da("meetings.attendance_after_start") in shown
    # the only later meeting is still ahead: no approval is offered, and the page says why
    assert f"committee_approve_{second.meeting_id}" not in {b.key for b in at.button}
    assert da("meetings.approve_after_start", meeting="Kommende møde") in shown


def test_attendance_records_afbud(planned, make_app) -> None:
    db, user, first = planned["store"], planned["users"][Role.FACILITATOR], planned["first"]
    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    at.radio(key=f"committee_status_{first.meeting_id}_{planned['mette'].id}").set_value("present")
    at.radio(key=f"committee_status_{first.meeting_id}_{planned['sofie'].id}").set_value(
        "apologies"
    )
    at.button(
        key=f"FormSubmitter:committee_minutes_{first.meeting_id}-" + da("meetings.save_minutes")
    ).click().run()
    assert not at.exception
    assert members.attendance(db, first.meeting_id) == {
        planned["mette"].id: AttendanceStatus.PRESENT,
        planned["sofie"].id: AttendanceStatus.APOLOGIES,
    }
    assert da("meetings.attendance_summary_status", present=1, apologies=1, recorded=2) in texts(at)


def test_minutes_are_approved_at_the_next_meeting_then_public(planned, make_app) -> None:
    db, user = planned["store"], planned["users"][Role.FACILITATOR]
    first, second = planned["first"], planned["second"]
    members.record_minutes(
        db, first.meeting_id, agenda="1.", minutes="Vi drøftede åbningstider.", actor=user
    )
    public = make_app(query={"link": planned["link"]}).run()
    public.switch_page(f"{PAGES}/mandate.py").run()
    assert "Vi drøftede åbningstider" not in texts(public)  # a draft is never public
    assert da("public.no_minutes") in texts(public)

    at = open_page(make_app, user, "committee", committee=str(planned["committee"].id))
    assert da("meetings.minutes_draft") in texts(at)
    at.selectbox(key=f"committee_approve_at_{first.meeting_id}").select(second.meeting_id)
    at.button(key=f"committee_approve_{first.meeting_id}").click().run()
    assert not at.exception
    done = members.get_meeting_plan(db, first.meeting_id)
    assert done.approved_at_meeting == second.meeting_id

    public = make_app(query={"link": planned["link"]}).run()
    public.switch_page(f"{PAGES}/mandate.py").run()
    shown = texts(public)
    assert "Vi drøftede åbningstider" in shown
    assert "Andet møde" in shown


def test_the_public_page_names_office_holders_not_citizens_and_shows_no_contact_data(
    planned, make_app
) -> None:
    at = make_app(query={"link": planned["link"]}).run()
    at.switch_page(f"{PAGES}/mandate.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Mette Formand" in shown
    assert "Sofie Borger" not in shown and da("public.citizen_member") in shown
    assert "mette@gentofte.dk" not in shown
    assert da("public.members") in shown


def test_the_public_page_shows_both_decisions_with_reasons_and_outcomes(world, make_app) -> None:
    db = world["store"]
    built = build_outcome_world(db, world["users"][Role.FACILITATOR])
    link = committees.public_link_token(db, built.committee_id)
    at = make_app(query={"link": link}).run()
    at.switch_page(f"{PAGES}/mandate.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Lektiecafé i samarbejde med skolerne" in shown
    assert da("public.reason", reason="Kun to dage") in shown
    assert da("public.reason", reason="Ingen plads i budgettet") in shown
    assert da("decision.body.standing_committee") in shown and da("decision.body.council") in shown
    assert da("public.outcomes") in shown


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_public_page_speaks_norwegian_and_english(planned, make_app, lang) -> None:
    from workshop.i18n import translate

    at = make_app(query={"link": planned["link"], "lang": lang}).run()
    at.switch_page(f"{PAGES}/mandate.py").run()
    assert not at.exception
    shown = texts(at)
    for key in ("public.members", "public.minutes", "public.recommendations", "public.outcomes"):
        assert translate(lang, key) in shown, key
    assert translate(lang, "public.citizen_member") in shown
    assert "Sofie Borger" not in shown
