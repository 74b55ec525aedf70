"""The whole loop once, as people do it: a facilitator on a laptop, two citizens on phones,
the projector on the wall, and a politician reading the summary."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    JOIN_CODE,
    LAPTOP,
    PHONE,
    context,
    dot,
    join,
    log_in,
    post_idea,
    settle,
)
from tests.factories import make_meeting, start
from workshop.app import open_store
from workshop.meetings import core as meetings

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_facilitator_runs_a_dialogue_session_with_two_phones(server, browser, shots) -> None:
    base = server.url
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, base, "fie")
    expect(laptop.get_by_role("heading", name="Udvalg")).to_be_visible()

    # -- a committee and a dialogue session ------------------------------------------------
    laptop.locator(".st-key-committees_new summary").click()
    laptop.locator(".st-key-committees_title input").fill("Fremtidens bibliotek")
    laptop.locator(".st-key-committees_task textarea").fill("Anbefalinger til et levende bibliotek")
    laptop.get_by_role("button", name="Opret udvalg").click()
    settle(laptop)
    expect(laptop.get_by_role("heading", name="Fremtidens bibliotek")).to_be_visible()
    committee_id = (
        sqlite3.connect(server.db_path).execute("SELECT MAX(id) FROM committees").fetchone()[0]
    )

    laptop.locator(f".st-key-committees_new_meeting_{committee_id} button").first.click()
    laptop.locator(f".st-key-committees_meeting_title_{committee_id} input").fill(
        "Dialogmøde i salen"
    )
    laptop.locator(f".st-key-committees_meeting_prompt_{committee_id} textarea").fill(
        "Hvad skal biblioteket kunne om ti år?"
    )
    laptop.get_by_role("button", name="Opret møde").click()
    settle(laptop)
    shots(laptop, "01-facilitator-committee-created")

    meeting_id, code = (
        sqlite3.connect(server.db_path)
        .execute("SELECT id, join_code FROM meetings ORDER BY id DESC LIMIT 1")
        .fetchone()
    )
    screen = meetings.screen_link_token(open_store(server.db_path), meeting_id)
    # the "new meeting" popover closed by itself once the meeting was made
    expect(laptop.locator(f".st-key-committees_meeting_title_{committee_id} input")).to_be_hidden()
    laptop.get_by_role("link", name="Åbn styrepult").first.click()
    laptop.wait_for_url("**/console?meeting=*", timeout=30_000)
    settle(laptop)
    expect(laptop.locator(JOIN_CODE)).to_have_text(f"{code[:3]} {code[3:]}", timeout=30_000)
    shots(laptop, "02-console-ready")

    projector = context(browser, LAPTOP).new_page()
    projector.goto(f"{base}/?screen={screen}")
    settle(projector)
    expect(projector.get_by_test_id("projector-code")).to_have_text(f"{code[:3]} {code[3:]}")
    shots(projector, "03-projector-waiting")

    # -- two citizens join by link --------------------------------------------------------
    phones = []
    for name in ("Anna", "Bo"):
        phone = context(browser, PHONE).new_page()
        phone.goto(f"{base}/?code={code}")
        settle(phone)
        join(phone, name, "Deltag")
        expect(phone.get_by_role("heading", name="Velkommen!")).to_be_visible()
        assert re.search(r"[?&]p=[\w-]{32,}", phone.url), phone.url
        phones.append(phone)
    shots(phones[0], "04-phone-lobby")

    # -- brainstorm: ideas in a chat stream, seen by the other phone without reloading -----
    laptop.locator(".st-key-console_start button").click()
    settle(laptop)
    anna, bo = phones
    expect(anna.get_by_text("Hvad skal biblioteket kunne om ti år?")).to_be_visible(timeout=10_000)
    for phone, idea in (
        (anna, "Længere åbent i weekenden"),
        (bo, "Et stillerum til lektier"),
        (anna, "Værktøj til udlån"),
    ):
        post_idea(phone, idea)
    # .first: the stream's message; the push component's screen-reader line may name it too.
    expect(bo.get_by_text("Længere åbent i weekenden").first).to_be_visible(timeout=10_000)
    expect(anna.get_by_text("Et stillerum til lektier").first).to_be_visible(timeout=10_000)
    shots(anna, "05-phone-brainstorm")
    expect(projector.get_by_text("Værktøj til udlån")).to_be_visible(timeout=10_000)
    shots(projector, "06-projector-ideas")

    # -- dot vote --------------------------------------------------------------------------
    laptop.locator(".st-key-console_next button").click()
    settle(laptop)
    expect(anna.get_by_text("Du har 3 af 3 prikker tilbage", exact=False)).to_be_visible(
        timeout=10_000
    )
    ids = [
        row[0]
        for row in sqlite3.connect(server.db_path).execute("SELECT id FROM ideas ORDER BY id")
    ]
    for phone, picks in ((anna, [ids[1], ids[1], ids[0]]), (bo, [ids[1], ids[2], ids[2]])):
        expect(phone.get_by_text("prikker tilbage", exact=False)).to_be_visible(timeout=10_000)
        for idea_id in picks:
            dot(phone, idea_id)
        expect(phone.get_by_text("Du har brugt alle 3 prikker", exact=False)).to_be_visible()
    shots(bo, "07-phone-dots-placed")
    expect(projector.get_by_text("3 prikker")).to_be_visible(timeout=10_000)
    shots(projector, "08-projector-dot-counts")
    shots(laptop, "09-console-vote")

    # -- the politician reads the summary --------------------------------------------------
    politician = context(browser, LAPTOP).new_page()
    log_in(politician, base, "mette")
    expect(politician.get_by_role("heading", name="Overblik")).to_be_visible()
    expect(politician.get_by_role("combobox", name="Udvalg")).to_have_value("Fremtidens bibliotek")
    expect(politician.get_by_test_id("stVegaLiteChart")).to_be_visible()
    shots(politician, "10-politician-summary")


def test_a_reload_brings_the_phone_back_as_the_same_participant(server, browser, shots) -> None:
    # Its own meeting, in its own vote step: this test must not depend on the one above.
    store = open_store(server.db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    meetings.next_step(store, meeting.id, actor=None)
    code = meeting.join_code
    phone = context(browser, PHONE, locale="nb-NO").new_page()
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    join(phone, "Kari", "Bli med")  # the app puts the participant's link in the URL
    url = phone.url
    people_before = (
        sqlite3.connect(server.db_path).execute("SELECT COUNT(*) FROM participants").fetchone()[0]
    )
    phone.reload()
    settle(phone)
    assert phone.url == url
    people_after = (
        sqlite3.connect(server.db_path).execute("SELECT COUNT(*) FROM participants").fetchone()[0]
    )
    assert people_after == people_before
    expect(phone.get_by_text("prikker igjen", exact=False)).to_be_visible()
    shots(phone, "phone-after-reload-nb")
