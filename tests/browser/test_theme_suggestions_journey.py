"""A facilitator groups a brainstorm with the suggested themes: the themes tab shows k
suggested themes with a name and their ideas (computed in the background), the facilitator
asks for 2, renames one and accepts it; the theme and its ideas are in the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    LAPTOP,
    Server,
    context,
    log_in,
    park_meeting,
    serving,
    settle,
    tap,
)
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, themes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PARK = ["Flere bænke i parken", "Toilet i parken", "Legeplads i parken"]
SCHOOL = ["Cykelsti til skolen", "Fodgængerfelt ved skolen", "Lektiehjælp på skolen"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    db_path = tmp_path_factory.mktemp("themes") / "themes.db"
    store = open_store(db_path)
    _, meeting = park_meeting(store, "Borgermøde om byen", "Hvad savner du?")
    anna = meetings.join_meeting(store, meeting.join_code, "Anna", client="anna")
    park = [ideas.submit_idea(store, anna, x, per_minute=1000) for x in PARK]
    school = [ideas.submit_idea(store, anna, x, per_minute=1000) for x in SCHOOL]
    store.close()
    with serving(db_path) as running:
        yield running, {"meeting": meeting.id, "park": park, "school": school, "db": db_path}


def test_the_facilitator_accepts_a_renamed_suggested_theme(
    browser: Browser, live: tuple[Server, dict], shots
) -> None:
    server, world = live
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    log_in(page, server.url, "fie")
    page.goto(f"{server.url}/console?meeting={world['meeting']}")
    settle(page)
    page.get_by_role("tab", name=translate("da", "console.tab.themes")).click()
    expect(page.get_by_text(translate("da", "theme_suggestions.title"))).to_be_visible()
    k = page.locator(".st-key-console_theme_k input")
    k.fill("2")
    k.press("Enter")
    three = page.get_by_text(translate("da", "theme_suggestions.size.other", count=3), exact=True)
    expect(three).to_have_count(2, timeout=40_000)  # the background suggestions for k = 2
    key = f"console_theme_suggestion_{world['park'][0].id}"
    name = page.locator(f".st-key-{key}_name input")
    expect(name).to_have_value("parken · toilet · bænke")
    page.locator(".st-key-console_theme_suggestions").scroll_into_view_if_needed()
    shots(page, "theme-suggestions-before")

    name.fill("Parken")
    done = translate("da", "theme_suggestions.done.other", count=3, name="Parken")
    tap(page, page.locator(f".st-key-{key}_accept button"), shows=page.get_by_text(done))
    store = open_store(world["db"])
    [theme] = themes.list_themes(store, world["meeting"])
    assert theme.name == "Parken"
    assert [ideas.get_idea(store, i.id).theme_id for i in world["park"]] == [theme.id] * 3
    assert all(ideas.get_idea(store, i.id).theme_id is None for i in world["school"])
    expect(page.locator(f".st-key-console_theme_{theme.id}")).to_be_visible()
    shots(page, "theme-suggestions-after")
    store.close()
    ctx.close()
