"""A live dialogue session as the room lives it: a facilitator runs three steps (welcome,
brainstorm, themes) from the console, two citizens follow on their phones, the projector
shows the wall, and the facilitator moderates (hides with a reason, edits, groups themes).

Screenshots of the console, the projector and a phone at every step go to
``artifacts/screenshots/test_facilitator_runs_three_steps_with_two_phones/``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    JOIN_CODE,
    LAPTOP,
    PASSWORD,
    PHONE,
    STATE,
    Server,
    context,
    idea_box,
    join,
    log_in,
    post_idea,
    reruns,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PROMPT = "Hvordan gør vi havnen til et sted for alle?"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    db_path = tmp_path_factory.mktemp("live") / "live.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Havneudvalget", "Havnens fremtid", actor=fie)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde om havnen",
        agenda=[
            meetings.StepSpec(StepKind.WELCOME, "Vi lytter, og I får svar inden sommer.", 5),
            meetings.StepSpec(StepKind.BRAINSTORM, PROMPT, 15),
            meetings.StepSpec(StepKind.CLUSTERING, "", 10),
        ],
        actor=fie,
    )
    store.close()
    with serving(db_path) as running:
        yield running, meeting.id


def db_one(server: Server, sql: str, params: tuple = ()) -> tuple:
    with sqlite3.connect(server.db_path) as conn:
        return conn.execute(sql, params).fetchone()


def post(phone: Page, text: str) -> None:
    post_idea(phone, text)


def tab(page: Page, name: str) -> None:
    """Open a console tab and wait until its content is drawn (only the open tab runs: the
    click reruns the whole page). Clicked once: a click that asks for no run fails here, and
    a panel left empty fails with what the page said of its runs (it failed once in CI with
    the panel empty for 40 s and no word of why)."""
    target = page.get_by_role("tab", name=name)
    if target.get_attribute("aria-selected") != "true":
        before = int(page.evaluate("window.__samskabPageRuns"))
        target.click()
        page.wait_for_function("n => window.__samskabPageRuns > n", arg=before, timeout=30_000)
    expect(target).to_have_attribute("aria-selected", "true")
    settle(page)
    drawn = page.locator("[role='tabpanel']:visible [data-testid='stElementContainer']").first
    try:
        expect(drawn).to_be_attached(timeout=10_000)
    except AssertionError:
        raise AssertionError(f"tab {name!r} drew nothing: {page.evaluate(STATE)}") from None


def pick(page: Page, key: str, option: str, *, multi: bool = False) -> None:
    """Choose ``option`` in a selectbox or multiselect, typing to filter the list as people
    do, and wait until the field shows it. Outside a form a choice reruns the page: wait for
    that run, so that the next step finds the controls it drew."""
    box = page.locator(f".st-key-{key}")
    field = box.locator("input").first
    in_form = box.locator("xpath=ancestor::*[@data-testid='stForm']").count() > 0
    before = reruns(page)
    field.click()
    field.press_sequentially(option[:12])
    page.get_by_role("option", name=option).first.click()  # the list must open: no retry
    if multi:
        # Close the list that stays open for more choices, and leave the field: the field
        # shrinks when it loses focus (Playwright's click then waits for a button to stop
        # moving under it).
        page.keyboard.press("Escape")
        field.blur()
        expect(page.get_by_role("listbox")).to_have_count(0)
        expect(box).to_contain_text(option)
    else:
        expect(box.get_by_role("combobox")).to_have_value(re.compile(re.escape(option)))
    if not in_form:
        # The choice asked for a run (a lost choice fails here); settle waits for that run.
        page.wait_for_function("n => window.__samskabReruns > n", arg=before)
    settle(page)


def test_facilitator_runs_three_steps_with_two_phones(live, browser, shots) -> None:
    server, meeting_id = live
    base = server.url
    (code,) = db_one(server, "SELECT join_code FROM meetings WHERE id = ?", (meeting_id,))
    screen = meetings.screen_link_token(open_store(server.db_path), meeting_id)

    console = context(browser, LAPTOP).new_page()
    log_in(console, base, "fie")
    # Staff stay logged in within their browser session: open the console by its link.
    console.get_by_role("link", name="Åbn styrepult").first.click()
    settle(console)
    expect(console.locator(JOIN_CODE)).to_have_text(f"{code[:3]} {code[3:]}")

    projector = context(browser, LAPTOP).new_page()
    projector.goto(f"{base}/?screen={screen}")
    settle(projector)

    phones = []
    for name in ("Anna", "Bo"):
        phone = context(browser, PHONE).new_page()
        phone.goto(f"{base}/?code={code}")
        settle(phone)
        join(phone, name, "Deltag")
        expect(phone.get_by_role("heading", name="Velkommen!")).to_be_visible()
        phones.append(phone)
    anna, bo = phones
    shots(console, "00-console-ready")

    # -- step 1: welcome and agreement --------------------------------------------------------
    tap(console, console.locator(".st-key-console_start button"))
    for phone in phones:
        expect(phone.get_by_text("Vi lytter, og I får svar inden sommer.")).to_be_visible(
            timeout=10_000
        )
    expect(projector.get_by_test_id("projector-prompt")).to_have_text(
        "Vi lytter, og I får svar inden sommer.", timeout=10_000
    )
    shots(console, "01-console-welcome")
    shots(projector, "01-projector-welcome")
    shots(anna, "01-phone-welcome")

    # -- step 2: brainstorm: the prompt arrives as a message, ideas flow ----------------------
    tap(console, console.locator(".st-key-console_next button"))
    expect(anna.get_by_text(PROMPT)).to_be_visible(timeout=10_000)
    post(anna, "Badezone med livredder om sommeren")
    post(bo, "Flere bænke og skygge")
    post(anna, "Ring til Jens på 12345678 om kajakker")
    post(bo, "Flere bænke og mere skygge")
    # a double tap sends the same idea twice: it is stored once
    post(bo, "Flere bænke og mere skygge")
    assert db_one(
        server, "SELECT COUNT(*) FROM ideas WHERE text = 'Flere bænke og mere skygge'"
    ) == (1,)

    console.locator(".st-key-console_on_behalf_text textarea").fill("Cykelparkering ved broen")
    console.locator(".st-key-console_on_behalf_name input").fill("Karen")
    tap(console, console.get_by_role("button", name="Tilføj idé"))
    expect(projector.get_by_text("Cykelparkering ved broen")).to_be_visible(timeout=10_000)
    expect(bo.get_by_text("Karen (indtastet af facilitatoren)")).to_be_visible(timeout=10_000)

    # moderation: hide the idea with a phone number, with a reason the author sees
    tab(console, "Moderér")
    pick(console, "console_mod_idea", "Ring til Jens")
    console.locator(".st-key-console_hide_reason input").fill("Indeholder et telefonnummer")
    tap(console, console.locator(".st-key-console_hide button"))
    expect(
        anna.get_by_text("Skjult af facilitatoren: Indeholder et telefonnummer", exact=False)
    ).to_be_visible(timeout=10_000)
    expect(bo.get_by_text("Ring til Jens")).to_have_count(0, timeout=10_000)
    expect(projector.get_by_text("Ring til Jens")).to_have_count(0, timeout=10_000)

    # merge the two bench ideas: Bo's duplicate joins Bo's first idea
    tab(console, "Moderér")
    pick(console, "console_mod_idea", "Flere bænke og skygge")
    kept = db_one(server, "SELECT id FROM ideas WHERE text = 'Flere bænke og skygge'")[0]
    pick(console, f"console_merge_{kept}", "Flere bænke og mere skygge", multi=True)
    tap(console, console.locator(".st-key-console_merge_submit button"))
    merged = db_one(
        server, "SELECT merged_into_id FROM ideas WHERE text = 'Flere bænke og mere skygge'"
    )[0]
    assert merged is not None
    expect(bo.get_by_text("Lagt sammen med en lignende idé", exact=False)).to_be_visible(
        timeout=10_000
    )

    # intake closes: the phone says so and nothing is lost
    tap(console, console.locator(".st-key-console_intake button"))
    expect(idea_box(anna)).to_be_disabled(timeout=10_000)
    shots(console, "02-console-brainstorm-moderated")
    shots(projector, "02-projector-brainstorm")
    shots(anna, "02-phone-anna-brainstorm-hidden")
    shots(bo, "02-phone-bo-brainstorm-merged")

    # -- step 3: themes --------------------------------------------------------------------
    tap(console, console.locator(".st-key-console_next button"))
    for theme in ("Badeliv", "Ophold"):
        tab(console, "Temaer")
        console.locator(".st-key-console_theme_name input").fill(theme)
        tap(console, console.locator(".st-key-console_add_theme button"))
    tab(console, "Temaer")
    pick(console, "console_assign_theme", "Ophold")
    pick(console, "console_assign_ideas", "Flere bænke og skygge", multi=True)
    tap(console, console.locator(".st-key-console_assign button"))
    expect(projector.get_by_test_id("projector-themes")).to_contain_text("Ophold", timeout=10_000)
    expect(projector.get_by_test_id("projector-themes")).to_contain_text(
        "Flere bænke og skygge", timeout=10_000
    )
    expect(anna.get_by_text("Ophold", exact=False).first).to_be_visible(timeout=10_000)
    tab(console, "Moderationslog")
    expect(console.get_by_role("button", name="Hent loggen (CSV)")).to_be_visible()
    shots(console, "03-console-themes-log")
    shots(projector, "03-projector-themes")
    shots(anna, "03-phone-themes")

    actions = [
        row[0]
        for row in sqlite3.connect(server.db_path).execute(
            "SELECT action FROM moderation_log WHERE meeting_id = ? ORDER BY id", (meeting_id,)
        )
    ]
    assert actions[:2] == ["hide_idea", "merge_idea"]
    assert "create_theme" in actions and "assign_theme" in actions
