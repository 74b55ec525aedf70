"""A secretariat corrects course: the committee goes back to recruitment with a reason, the
applicants are told their outcome in one action, and an applicant reads hers on her phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    log_in,
    serving,
    settle,
)
from tests.test_applicant_outcomes import outbox
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.committees import mandates, members, recruitment
from workshop.committees.model import Phase
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MANDATE = {"purpose": "Anbefalinger til et levende bibliotek", "citizens_target": 2}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("corrections_journey")
    db_path = folder / "journey.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Fremtidens bibliotek", "", actor=fie)
    mandates.save_mandate(store, committee.id, MANDATE, based_on=None, actor=fie)
    mandates.approve_mandate(
        store, committee.id, 1, body="Kommunalbestyrelsen", approved_on="2026-03-01", actor=fie
    )
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=fie)
    ids = {}
    for name, contact, status, reason in (
        ("Anna", "anna@example.org", "appointed", "Erfaring med ungdomsarbejde"),
        ("Bjørn", "bjorn@example.org", "reserve", "Første reserve, hvis en plads bliver ledig"),
        ("Carl", "", "declined", "Profilen er allerede dækket af to medlemmer"),
    ):
        ids[name] = recruitment.submit_application(
            store, committee.id, name=name, contact=contact, motivation="Gerne"
        ).id
        recruitment.review_application(store, ids[name], status, rationale=reason, actor=fie)
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=fie
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=fie)
    anna_link = recruitment.applicant_link_token(store, ids["Anna"])
    store.close()
    outbox_path = folder / "outbox.txt"
    with serving(db_path, env={"SAMSKAB_FEEDBACK_SENDER": f"file:{outbox_path}"}) as running:
        yield {
            "server": running,
            "committee": committee,
            "outbox": outbox_path,
            "anna_link": anna_link,
        }


def test_going_back_and_telling_applicants_their_outcome(world, browser, shots) -> None:
    server: Server = world["server"]
    base, committee = server.url, world["committee"]
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, base, "fie")

    # -- back to recruitment, with a reason ---------------------------------------------------
    laptop.goto(f"{base}/committee?committee={committee.id}")
    settle(laptop)
    laptop.locator(".st-key-committee_back button").first.click()
    laptop.locator(".st-key-committee_back_reason textarea").fill(
        "For få ansøgere under 25: vi rekrutterer igen"
    )
    laptop.get_by_role("button", name="Gå tilbage til Rekruttering").click()
    settle(laptop)
    expect(laptop.get_by_text("Udvalget er tilbage i fasen Rekruttering")).to_be_visible()
    laptop.get_by_text("Fasehistorik", exact=True).click()
    expect(
        laptop.get_by_text("gik tilbage, fordi: For få ansøgere under 25: vi rekrutterer igen")
    ).to_be_visible()
    shots(laptop, "01-committee-back-in-recruitment")

    # -- everyone decided is told, in one action ----------------------------------------------
    laptop.goto(f"{base}/recruitment?committee={committee.id}")
    settle(laptop)
    laptop.get_by_role("button", name="Send beskeder om udfaldet").click()
    settle(laptop)
    expect(laptop.get_by_text("Sendt som e-mail: 2.")).to_be_visible()
    expect(
        laptop.get_by_text("Kan ikke få besked på e-mail: giv dem besked på anden måde")
    ).to_be_visible()
    laptop.locator(".st-key-recruitment_outcomes").scroll_into_view_if_needed()
    shots(laptop, "02-outcomes-sent")
    assert sorted(m["To"] for m in outbox(world["outbox"])) == [
        "anna@example.org",
        "bjorn@example.org",
    ]

    # -- Anna reads her outcome at her own link -----------------------------------------------
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{base}/apply?a={world['anna_link']}")
    settle(phone)
    expect(phone.get_by_text("Begrundelse: Erfaring med ungdomsarbejde")).to_be_visible()
    shots(phone, "03-applicant-sees-her-outcome")
