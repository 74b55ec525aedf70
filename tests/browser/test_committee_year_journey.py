"""The secretariat's year in the browser: a facilitator sends the invitations for the next
meeting (the calendar file goes to members with an address; the page says who to tell another
way), records an "afbud", gets the last meeting's minutes approved, and the public reads the
committee's page on a phone by link, without logging in."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_string, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    AT_REST,
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    log_in,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.committees import mandates, members
from workshop.committees.model import Phase
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def year_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, dict]]:
    folder = tmp_path_factory.mktemp("committee_year")
    db_path, outbox = folder / "year.db", folder / "outbox.txt"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(
        store, "Fremtidens bibliotek", "", politicians_target=2, citizens_target=2, actor=fie
    )
    mandates.save_mandate(
        store,
        committee.id,
        {
            "purpose": "Anbefalinger til et levende bibliotek for alle aldre.",
            "politicians_target": 2,
            "citizens_target": 2,
        },
        based_on=None,
        actor=fie,
    )
    mandates.approve_mandate(
        store, committee.id, 1, body="Kommunalbestyrelsen", approved_on="2026-03-01", actor=fie
    )
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=fie)
    mette = members.add_member(
        store,
        committee.id,
        name="Mette Formand",
        role="chair",
        starts_on="2026-03-01",
        email="mette@gentofte.dk",
        actor=fie,
    )
    sofie = members.add_member(
        store,
        committee.id,
        name="Sofie Jensen",
        role="citizen",
        starts_on="2026-03-01",
        actor=fie,
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=fie)
    first = members.plan_meeting(
        store,
        committee.id,
        "Første udvalgsmøde",
        planned_at="2026-04-01T17:00",
        location="Rådhuset, mødesal 2",
        agenda="1. Velkomst\n2. Kommissoriet",
        actor=fie,
    )
    members.record_minutes(
        store,
        first.meeting_id,
        agenda="1. Velkomst\n2. Kommissoriet",
        minutes="Udvalget drøftede åbningstider og lektiecafé.",
        actor=fie,
    )
    second = members.plan_meeting(  # held: the first meeting's minutes are approved there
        store,
        committee.id,
        "Andet udvalgsmøde",
        planned_at="2026-05-06T17:00",
        location="Rådhuset, mødesal 2",
        agenda="1. Godkendelse af referat",
        actor=fie,
    )
    coming = members.plan_meeting(  # ahead: the invitations go out for this one
        store,
        committee.id,
        "Tredje udvalgsmøde",
        planned_at="2099-05-06T17:00",
        location="Hovedbiblioteket, salen",
        agenda="1. Godkendelse af referat\n2. Åbningstider; weekend, aften",
        actor=fie,
    )
    facts = {
        "committee": committee.id,
        "first": first.meeting_id,
        "second": second.meeting_id,
        "coming": coming.meeting_id,
        "mette": mette.id,
        "sofie": sofie.id,
        "token": committees.public_link_token(store, committee.id),
    }
    store.close()
    with serving(db_path, env={"SAMSKAB_FEEDBACK_SENDER": f"file:{outbox}"}) as running:
        yield running, outbox, facts


def test_invitations_afbud_approved_minutes_and_the_public_page(year_server, browser, shots):
    server, outbox, facts = year_server
    base = server.url
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, base, "fie")
    laptop.get_by_role("link", name="Åbn udvalget").first.click()
    settle(laptop)
    laptop.get_by_role("tab", name="Møder").click()
    settle(laptop)

    # -- the next meeting: calendar file and invitations ------------------------------------
    coming = laptop.locator(f".st-key-committee_plan_{facts['coming']}")
    coming.locator("summary").click()
    laptop.wait_for_function(AT_REST)
    expect(coming.get_by_role("button", name="Hent kalenderfil (.ics)")).to_be_visible()
    # a meeting ahead offers no attendance yet, and says so
    expect(coming.get_by_text("Fremmøde registreres, når mødet er gået i gang.")).to_be_visible()
    expect(
        coming.locator(f".st-key-committee_status_{facts['coming']}_{facts['mette']}")
    ).to_have_count(0)
    tap(laptop, coming.get_by_role("button", name="Send indkaldelser"))
    expect(laptop.get_by_text("Indkaldelse sendt til 1 medlem.")).to_be_visible()
    expect(laptop.get_by_text("Uden e-mail, giv besked på anden vis: Sofie Jensen")).to_be_visible()
    laptop.mouse.move(0, 0)  # no tooltip over the result
    shots(laptop, "01-committee-page-invitations-sent")
    message = message_from_string(
        outbox.read_text(encoding="utf-8").split("=" * 72)[0], policy=policy.default
    )
    assert message["To"] == "mette@gentofte.dk"
    (calendar,) = list(message.iter_attachments())
    text = calendar.get_content()
    assert "DTSTART;TZID=Europe/Copenhagen:20990506T170000" in text
    assert "LOCATION:Hovedbiblioteket\\, salen" in text

    # -- the last meeting: afbud, and its minutes approved at the next one ------------------
    # Each choice must show before the form is sent (a lost click fails here, by name), and
    # what the form saved is read once its runs are over (a save ends in st.rerun(), and
    # settle waits for both runs), before what the page draws of it: a failure then says
    # whether the input was lost or only not drawn.
    first = laptop.locator(f".st-key-committee_plan_{facts['first']}")
    first.locator("summary").click()
    # Clicked while the expander still opened (the page moving under the pointer), a radio
    # stayed unchecked: twice in four whole runs, never alone. Chosen once the page is at rest,
    # as every select box is (conftest.choose).
    laptop.wait_for_function(AT_REST)
    for member, word in ((facts["mette"], "Mødt"), (facts["sofie"], "Afbud")):
        choice = first.locator(f".st-key-committee_status_{facts['first']}_{member}")
        choice.get_by_text(word, exact=True).click()
        expect(choice.get_by_role("radio", name=word, exact=True)).to_be_checked()
    tap(laptop, first.get_by_test_id("stFormSubmitButton"))
    store = open_store(server.db_path)
    saved = {member: got.value for member, got in members.attendance(store, facts["first"]).items()}
    store.close()
    assert saved == {facts["mette"]: "present", facts["sofie"]: "apologies"}
    expect(laptop.get_by_text("1 mødt, 1 afbud, 2 registreret", exact=False)).to_be_visible()
    first = laptop.locator(f".st-key-committee_plan_{facts['first']}")
    if not first.get_by_role("button", name="Godkend referatet").is_visible():
        first.locator("summary").click()
        laptop.wait_for_function(AT_REST)
    tap(laptop, first.get_by_role("button", name="Godkend referatet"))
    expect(laptop.get_by_text("Referat godkendt på mødet", exact=False)).to_be_visible()
    shots(laptop, "02-committee-page-minutes-approved")

    store = open_store(server.db_path)
    assert members.attendance(store, facts["first"])[facts["sofie"]].value == "apologies"
    assert members.get_meeting_plan(store, facts["first"]).approved_at_meeting == facts["second"]
    store.close()

    # -- the public page, on a phone, without logging in -----------------------------------
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{base}/mandate?link={facts['token']}")
    settle(phone)
    expect(phone.get_by_text("Udvalget drøftede åbningstider og lektiecafé.")).to_be_visible()
    expect(phone.get_by_text("Mette Formand")).to_be_visible()
    expect(phone.get_by_text("Sofie Jensen")).to_have_count(0)
    expect(phone.get_by_text("mette@gentofte.dk")).to_have_count(0)
    shots(phone, "03-phone-public-committee-page")
    phone.get_by_text("Udvalget drøftede åbningstider og lektiecafé.").scroll_into_view_if_needed()
    shots(phone, "04-phone-public-committee-minutes")
