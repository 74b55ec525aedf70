"""A task committee from mandate to council decision, as people do it: a facilitator on a
laptop, a citizen applying on her phone, and the public reading the mandate by link."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    choose,
    context,
    enter,
    log_in,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.committees import recruitment
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role
from workshop.voting import ballots as voting

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# Two cores are shared by the app, chromium and other tests: give slow reruns time.


@pytest.fixture(scope="module")
def committee_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("committee_journey") / "journey.db"
    store = open_store(db_path)
    accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    store.close()
    with serving(db_path, env={"SAMSKAB_DISTRICTS": "Nord,Syd,Øst"}) as running:
        yield running


def fill(page: Page, key: str, text: str) -> None:
    page.locator(f".st-key-{key} input, .st-key-{key} textarea").first.fill(text)


def click(page: Page, name: str) -> None:
    """Tap the button once and wait until the run (or runs: a save ends in ``st.rerun()``)
    that handles the tap is over, so that what the journey reads next, on the page or in the
    database, is what the tap did."""
    tap(page, page.get_by_role("button", name=name, exact=True))


def nav(page: Page, name: str) -> None:
    """Follow a link in the committee's own row of links."""
    page.locator("[class*='_nav']").get_by_role("link", name=name, exact=True).click()
    settle(page)


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


def test_a_committee_from_mandate_to_council_decision(committee_server, browser, shots) -> None:
    base = committee_server.url
    db = committee_server.db_path
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, base, "fie")

    # -- a committee, and its mandate -------------------------------------------------------
    laptop.locator(".st-key-committees_new summary").click()
    fill(laptop, "committees_title", "Fremtidens bibliotek")
    fill(laptop, "committees_task", "Anbefalinger til et levende bibliotek")
    click(laptop, "Opret udvalg")
    expect(laptop.get_by_role("heading", name="Fremtidens bibliotek")).to_be_visible(timeout=15_000)
    shots(laptop, "01-list-new-committee")
    laptop.get_by_role("link", name="Åbn udvalget").first.click()
    settle(laptop)
    expect(
        laptop.get_by_text("Den seneste version af kommissoriet er ikke godkendt")
    ).to_be_visible()
    nav(laptop, "Kommissorium")
    fill(laptop, "mandate_editor_background", "Færre unge bruger biblioteket i dag.")
    fill(laptop, "mandate_editor_purpose", "Anbefalinger til et levende bibliotek for alle aldre.")
    fill(laptop, "mandate_editor_deliverables", "Forslag til åbningstider\nForslag til indretning")
    fill(laptop, "mandate_editor_out_of_scope", "Bygningens placering")
    fill(laptop, "mandate_editor_budget", "2 mio. kr. over to år")
    fill(laptop, "mandate_editor_competence_profile", "Ungdomsarbejde\nArkitektur\nFrivillighed")
    fill(laptop, "mandate_editor_decision_path", "Kulturudvalget, derefter kommunalbestyrelsen")
    fill(laptop, "mandate_editor_recipient", "Kommunalbestyrelsen, december 2026")
    click(laptop, "Gem som ny version")
    expect(laptop.get_by_text("Seneste: version 1", exact=False)).to_be_visible()
    fill(laptop, "mandate_editor_approve_body", "Kommunalbestyrelsen")
    click(laptop, "Registrér godkendelse")
    expect(laptop.get_by_text("godkendt af Kommunalbestyrelsen", exact=False).first).to_be_visible()
    shots(laptop, "02-mandate-approved")

    # An approved mandate is not edited silently.
    fill(laptop, "mandate_editor_budget", "3 mio. kr.")
    click(laptop, "Gem som ny version")
    expect(laptop.get_by_text("Version 1 er godkendt. Sæt flueben", exact=False)).to_be_visible()
    expect(laptop.locator(".st-key-mandate_editor_budget textarea")).to_have_value("3 mio. kr.")
    shots(laptop, "03-mandate-needs-new-version")
    fill(laptop, "mandate_editor_budget", "2 mio. kr. over to år")

    (committee_id,) = (
        sqlite3.connect(db).execute("SELECT committee_id FROM committee_states").fetchone()
    )
    token = committees.public_link_token(open_store(db), committee_id)

    # -- recruitment ------------------------------------------------------------------------
    nav(laptop, "Udvalgsside")
    laptop.locator("summary").filter(has_text="Planlæg datoerne").click()
    # Pick the 28th of this month from the calendar for the end of recruitment.
    field = laptop.locator(".st-key-committee_due_recruitment")
    field.get_by_role("spinbutton").first.click()
    next_year = formats.today().year + 1
    laptop.keyboard.type(f"2812{next_year}", delay=30)
    laptop.get_by_test_id("stFormSubmitButton").filter(has_text="Gem").click()
    settle(laptop)
    shots(laptop, "03b-timeline-planned")
    expect(laptop.get_by_text(f"planlagt slut 28.12.{next_year}", exact=False)).to_be_visible()
    click(laptop, "Gå videre til Rekruttering")
    expect(laptop.get_by_text("Udvalget er nu i fasen", exact=False).first).to_be_visible()

    phone = context(browser, PHONE).new_page()
    phone.goto(f"{base}/mandate?link={token}")
    settle(phone)
    expect(
        phone.get_by_text("Anbefalinger til et levende bibliotek for alle aldre.")
    ).to_be_visible()
    shots(phone, "04-phone-public-mandate")
    phone.get_by_role("link", name="Søg om at være med").click()
    settle(phone)
    fill(phone, "apply_name", "Sofie Jensen")
    fill(phone, "apply_contact", "sofie@example.org")
    fill(phone, "apply_motivation", "Jeg er 19 og vil gerne have et sted at lave lektier.")
    phone.locator(".st-key-apply_competences").click()
    phone.get_by_role("option", name="Ungdomsarbejde").click()
    phone.keyboard.press("Escape")
    phone.locator(".st-key-apply_consent label").click()
    settle(phone)
    choose(phone, "apply_age_band", "Under 25")
    choose(phone, "apply_hard_to_reach", "Ung")
    choose(phone, "apply_district_choice", "Nord")  # the municipality's list, not typed
    shots(phone, "05-phone-application-form")
    click(phone, "Send ansøgning")
    expect(phone.get_by_text("Tak! Vi har modtaget din ansøgning.")).to_be_visible()
    shots(phone, "06-phone-application-sent")

    nav(laptop, "Rekruttering")
    expect(laptop.get_by_text("Sofie Jensen")).to_be_visible()
    application_id = sqlite3.connect(db).execute("SELECT id FROM applications").fetchone()[0]
    laptop.locator(f".st-key-recruitment_decide_{application_id} button").first.click()
    choose(laptop, f"recruitment_status_{application_id}", "Udpeget")
    click(laptop, "Registrér beslutning")
    expect(
        laptop.get_by_text("Udfyld", exact=False).or_(laptop.get_by_role("alert"))
    ).to_be_visible()
    fill(laptop, f"recruitment_rationale_{application_id}", "Ung, dækker ungdomsarbejde")
    click(laptop, "Registrér beslutning")
    expect(laptop.get_by_text("Udpeget af Fie Facilitator", exact=False)).to_be_visible()
    tab(laptop, "Dækning")
    shots(laptop, "07-recruitment-coverage")

    # -- a target chosen by its label, then a fair draw anyone can replay -----------------
    store = open_store(db)
    people = [("Syd", "man")] * 6 + [("Syd", "woman"), ("Nord", "woman"), ("Øst", "man")]
    for n, (district, gender) in enumerate(people):
        recruitment.submit_application(
            store,
            committee_id,
            name=f"Borger {n + 1}",
            motivation="Jeg vil gerne være med",
            consent=True,
            diversity=recruitment.Diversity(district=district, gender=gender),
        )
    store.close()
    laptop.locator("summary").filter(has_text="Mangfoldighedsmål").click()
    choose(laptop, "recruitment_target_attribute", "Køn")
    choose(laptop, "recruitment_target_value_gender", "Kvinde")
    fill(laptop, "recruitment_target_min", "2")
    enter(laptop, laptop.locator(".st-key-recruitment_target_min input"))  # commit, then save
    click(laptop, "Gem mål")
    choose(laptop, "recruitment_target_attribute", "Bydel")
    choose(laptop, "recruitment_target_value_district", "Øst")
    fill(laptop, "recruitment_target_min", "1")
    enter(laptop, laptop.locator(".st-key-recruitment_target_min input"))  # commit, then save
    click(laptop, "Gem mål")
    targets = sqlite3.connect(db).execute(
        "SELECT attribute, value, minimum FROM recruitment_targets ORDER BY id"
    )
    # Once read too early (the Enter's late request taken for the tap's: see ``enter``), the
    # second target seemed not saved. What the page said and its fields held, should it fail.
    assert targets.fetchall() == [("gender", "woman", 2), ("district", "Øst", 1)], (
        laptop.locator("[data-testid='stAlert'], [data-testid='stToast']").all_inner_texts(),
        laptop.locator(".st-key-recruitment_target_value_district input").input_value(),
        laptop.locator(".st-key-recruitment_target_min input").input_value(),
    )
    tab(laptop, "Dækning")
    shots(laptop, "07c-targets-by-label")
    tab(laptop, "Lodtrækning")
    laptop.locator("summary").filter(has_text="Sådan foregår lodtrækningen").click()
    fill(laptop, "recruitment_draw_seats", "4")
    fill(laptop, "recruitment_draw_seed", "Lotto 2026-12-05: 3 11 17 22 28 31 34")
    laptop.get_by_test_id("stFormSubmitButton").filter(has_text="Træk lod").click()
    settle(laptop)
    record = laptop.locator("summary").filter(has_text="Lodtrækning #1")
    expect(record).to_be_visible()
    record.click()
    expect(laptop.get_by_text("Retfærdigt lotteri (leximin)")).to_be_visible()
    expect(laptop.get_by_text("Fingeraftryk af ansøgerlisten", exact=False)).to_be_visible()
    laptop.get_by_text("Gældende kvoter", exact=True).scroll_into_view_if_needed()
    shots(laptop, "07d-draw-record")
    click(laptop, "Gentag lodtrækningen")
    expect(
        laptop.get_by_text("Lodtrækningen stemmer med protokollen.", exact=False)
    ).to_be_visible()
    laptop.get_by_text(
        "Lodtrækningen stemmer med protokollen.", exact=False
    ).scroll_into_view_if_needed()
    shots(laptop, "07e-draw-replayed")
    drawn = sqlite3.connect(db).execute("SELECT selected FROM sortition_draws").fetchone()[0]
    assert len(json.loads(drawn)) == 4

    # -- committee work: a chair, a meeting, ideas ----------------------------------------
    nav(laptop, "Udvalgsside")
    tab(laptop, "Medlemmer")
    laptop.locator("summary").filter(has_text="Tilføj medlem").click()
    fill(laptop, "committee_member_name", "Mette Politiker")  # the role offered first: chair
    laptop.get_by_test_id("stFormSubmitButton").filter(has_text="Tilføj medlem").click()
    settle(laptop)
    tab(laptop, "Overblik")
    click(laptop, "Gå videre til Udvalgsarbejde")
    tab(laptop, "Møder")
    laptop.locator("summary").filter(has_text="Planlæg et møde").click()
    fill(laptop, "committee_plan_title", "Første udvalgsmøde")
    fill(laptop, "committee_plan_location", "Rådhuset, mødesal 2")
    fill(laptop, "committee_plan_agenda", "1. Velkomst\n2. Kommissoriet\n3. Arbejdsform")
    laptop.get_by_test_id("stFormSubmitButton").filter(has_text="Planlæg et møde").click()
    settle(laptop)
    shots(laptop, "07b-meeting-planned")
    expect(laptop.get_by_text("Første udvalgsmøde", exact=False)).to_be_visible()

    # The dialogue meeting itself runs on phones (covered by the thin-loop journey); here its
    # ideas and dots are made through the same services.
    store = open_store(db)
    committee_id = 1
    dialogue = meetings.create_meeting(store, committee_id, "Dialogmøde", prompt="?", actor=None)
    meetings.next_step(store, dialogue.id, actor=None)
    anna = meetings.join_meeting(store, dialogue.join_code, "Anna", client="journey")
    sunday = ideas.submit_idea(store, anna, "Åbent om søndagen")
    ideas.submit_idea(store, anna, "Lektiecafé for unge")
    meetings.next_step(store, dialogue.id, actor=None)
    vote_round = voting.current_round(store, dialogue.id)
    assert vote_round is not None
    voting.place_dot(store, anna, vote_round.id, sunday.id)
    voting.place_dot(store, anna, vote_round.id, sunday.id)
    store.close()

    # (A reload would end the staff session: follow a link instead.)
    nav(laptop, "Rekruttering")
    nav(laptop, "Udvalgsside")
    shots(laptop, "08-committee-at-work")
    nav(laptop, "Anbefalinger")
    fill(laptop, "recommendations_title", "Søndagsåbent bibliotek")
    fill(laptop, "recommendations_theme", "Åbningstider")
    fill(laptop, "recommendations_body", "Biblioteket holder åbent om søndagen kl. 10–16.")
    settle(laptop)  # the last field commits on blur; let that run finish before the picker
    laptop.locator(".st-key-recommendations_ideas").click()
    laptop.get_by_role("option", name="Åbent om søndagen", exact=False).click()
    laptop.keyboard.press("Escape")
    settle(laptop)
    expect(laptop.locator(".st-key-recommendations_ideas")).to_contain_text("Åbent om søndagen")
    click(laptop, "Opret anbefaling")
    expect(laptop.get_by_text("Bygger på 1 idé")).to_be_visible()
    shots(laptop, "09-recommendation-from-ideas")

    # -- the decision path ----------------------------------------------------------------
    for step in ("Anbefalinger", "Politisk beslutning"):
        nav(laptop, "Udvalgsside")
        click(laptop, f"Gå videre til {step}")
    nav(laptop, "Anbefalinger")
    rec_id = sqlite3.connect(db).execute("SELECT id FROM recommendations").fetchone()[0]
    choose(laptop, f"recommendations_outcome_{rec_id}", "Vedtaget med ændringer")
    click(laptop, "Registrér beslutning")
    expect(laptop.get_by_text("Skriv begrundelsen", exact=False)).to_be_visible()
    shots(laptop, "10-decision-needs-rationale")
    fill(laptop, f"recommendations_rationale_{rec_id}", "Først som forsøg i vinterhalvåret")
    click(laptop, "Registrér beslutning")
    expect(laptop.get_by_text("Venter på kommunalbestyrelsen")).to_be_visible()
    choose(laptop, f"recommendations_outcome_{rec_id}", "Vedtaget")
    click(laptop, "Registrér beslutning")
    expect(laptop.get_by_text("kommunalbestyrelsen: Vedtaget", exact=False)).to_be_visible()
    expect(laptop.get_by_text("Først som forsøg i vinterhalvåret")).to_have_count(1)
    shots(laptop, "11-council-adopted")

    status = sqlite3.connect(db).execute("SELECT status FROM ideas WHERE id = ?", [sunday.id])
    assert status.fetchone()[0] == "decided"
    nav(laptop, "Udvalgsside")
    click(laptop, "Gå videre til Implementering")
    shots(laptop, "12-committee-implementation")
    facilitator_phone = context(browser, PHONE).new_page()
    log_in(facilitator_phone, base, "fie")
    shots(facilitator_phone, "13-phone-committee-list")
    facilitator_phone.get_by_role("link", name="Åbn udvalget").first.click()
    settle(facilitator_phone)
    shots(facilitator_phone, "14-phone-committee-at-a-glance")

    # The public mandate as it prints: no app chrome, no language menu.
    printed = context(browser, LAPTOP).new_page()
    printed.goto(f"{base}/mandate?link={token}")
    settle(printed)
    printed.emulate_media(media="print")
    expect(printed.locator(".st-key-mandate_tools")).to_be_hidden()
    shots(printed, "15-mandate-print-view")
