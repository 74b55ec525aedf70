"""A facilitator works the moderation tab from the keyboard during a pre-moderated brainstorm:
Alt+A shows the oldest held idea on the wall, Alt+H hides the next (its author learns why),
Alt+M merges the top suggested duplicate group. Each key press is checked in the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    Server,
    context,
    log_in,
    park_meeting,
    reruns,
    serving,
    settle,
)
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    db_path = tmp_path_factory.mktemp("keyboard") / "keyboard.db"
    store = open_store(db_path)
    fie, meeting = park_meeting(store)
    anna = meetings.join_meeting(store, meeting.join_code, "Anna", client="anna")
    bo = meetings.join_meeting(store, meeting.join_code, "Bo", client="bo")
    shown = [
        ideas.submit_idea(store, anna, "Flere bænke i skyggen"),
        ideas.submit_idea(store, bo, "Flere bænke i skyggen!"),
    ]
    step = meetings.current_step(store, meeting.id)
    moderation.set_pre_moderation(store, step.id, True, actor=fie)
    waiting = [
        ideas.submit_idea(store, anna, "Cykelsti langs åen"),
        ideas.submit_idea(store, bo, "Ring til mig på 22 33 44 55"),
    ]
    store.close()
    with serving(db_path) as running:
        yield running, {"meeting": meeting.id, "shown": shown, "waiting": waiting, "db": db_path}


def press(page: Page, keys: str) -> None:
    """Press a shortcut once and wait until the run it asked for is over and drawn."""
    before = reruns(page)
    page.keyboard.press(keys)
    page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def test_held_ideas_and_duplicates_are_handled_from_the_keyboard(
    browser: Browser, live: tuple[Server, dict], shots
) -> None:
    server, world = live
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    log_in(page, server.url, "fie")
    page.goto(f"{server.url}/console?meeting={world['meeting']}")
    settle(page)
    page.get_by_role("tab", name=translate("da", "console.tab.moderate")).click()
    held_title = translate("da", "moderation_scale.held_title", count=2)
    expect(page.get_by_text(held_title)).to_be_visible()
    merge = page.locator(".st-key-console_dup_merge_" + str(world["shown"][0].id))
    expect(merge).to_be_visible(timeout=40_000)  # the background suggestions arrived
    page.locator(".st-key-console_held").scroll_into_view_if_needed()
    shots(page, "moderation-keyboard-before")

    page.evaluate("document.activeElement && document.activeElement.blur()")  # no field focused
    press(page, "Alt+A")
    expect(
        page.get_by_text(translate("da", "moderation_scale.held_title", count=1))
    ).to_be_visible()
    store = open_store(world["db"])
    first, second = world["waiting"]
    assert not ideas.get_idea(store, first.id).hidden

    press(page, "Alt+H")
    expect(
        page.get_by_text(translate("da", "moderation_scale.held_title", count=0))
    ).to_be_visible()
    hidden = ideas.get_idea(store, second.id)
    assert hidden.hidden and not hidden.held
    assert hidden.hide_reason == translate(
        "da", "moderation_scale.personal_reason", what="et telefonnummer"
    )

    press(page, "Alt+M")
    keep, dup = world["shown"]
    expect(page.locator(".st-key-console_dup_merge_" + str(keep.id))).to_have_count(0)
    assert ideas.get_idea(store, dup.id).merged_into_id == keep.id
    page.locator(".st-key-console_held").scroll_into_view_if_needed()
    shots(page, "moderation-keyboard-after")

    # An idea held while the console is open reaches it by itself (it stayed unseen until a
    # reload): the held list refreshes like the suggestions do.
    meeting = meetings.get_meeting(store, world["meeting"])
    cai = meetings.join_meeting(store, meeting.join_code, "Cai", client="seed")
    ideas.submit_idea(store, cai, "Flere blomster langs søstien")
    expect(page.get_by_text(translate("da", "moderation_scale.held_title", count=1))).to_be_visible(
        timeout=15_000
    )
    store.close()
    ctx.close()
