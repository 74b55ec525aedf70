"""The brainstorm's idea box drawn in the phone's browser (workshop/ui/idea_composer.py).

* an idea sent with Enter is posted without a single Streamlit run: the box empties, says so,
  and the author's idea reaches their own stream (and another phone's) by push;
* an idea not posted keeps its text in the box and says why, at once: too many a minute, no
  network (then nothing is in the database), too long (then nothing is even sent);
* ideas closed by the facilitator: the box is disabled with the author's unsent text still
  in it, and says that ideas are closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    Server,
    context,
    idea_box,
    join,
    joined_phone,
    post_idea,
    reruns,
    serving,
    settle,
)
from tests.factories import make_meeting, start
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def da(key: str, **params: object) -> str:
    return translate("da", key, **params)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, str]]:
    path: Path = tmp_path_factory.mktemp("idea_box") / "ideas.db"
    store = open_store(path)
    meeting = make_meeting(store, prompt="Hvad mangler parken?")
    start(store, meeting)
    store.close()
    # Four ideas a minute: the fifth is refused, and the journey stays short.
    with serving(path, env={"SAMSKAB_IDEAS_PER_MINUTE": "4"}) as server:
        yield server, meeting.id, meeting.join_code


def texts_in_db(server: Server, meeting_id: int) -> list[str]:
    store = open_store(server.db_path)
    try:
        return [idea.text for idea in ideas.list_ideas(store, meeting_id)]
    finally:
        store.close()


def test_an_idea_is_posted_without_a_run_and_one_not_posted_keeps_its_text(
    room, browser, shots
) -> None:
    server, meeting_id, code = room
    phone = joined_phone(browser, server.url, code)
    ctx = phone.context
    bo = joined_phone(browser, server.url, code, "Bo")
    box = idea_box(phone)
    expect(box).to_have_attribute("placeholder", da("participate.idea_placeholder"))
    expect(phone.get_by_label(da("idea_composer.label"))).to_be_visible()
    shots(phone, "01-empty-box")

    # Posted with Enter: no run of the author's page; the box is empty and says so; the idea
    # reaches the author's stream and Bo's by push.
    runs_before = reruns(phone)
    post_idea(phone, "Flere bænke ved søen")
    expect(phone.locator(".composer .said")).to_have_text(da("participate.idea_sent"))
    expect(box).to_have_value("")
    expect(phone.locator("li.idea.own").filter(has_text="Flere bænke ved søen")).to_be_visible(
        timeout=10_000
    )
    expect(bo.get_by_text("Flere bænke ved søen").first).to_be_visible(timeout=10_000)
    assert reruns(phone) == runs_before
    assert texts_in_db(server, meeting_id) == ["Flere bænke ved søen"]
    shots(phone, "02-posted")

    # An idea with a phone number is held for the facilitator: the box says so, and the
    # author's stream shows it with why it waits (the page runs once, to draw it).
    box.fill("Ring til mig på 22 33 44 55")
    box.press("Enter")
    expect(phone.locator(".composer .said")).to_have_text(da("idea_composer.held"), timeout=30_000)
    expect(phone.get_by_text("Ring til mig på 22 33 44 55")).to_be_visible(timeout=10_000)
    expect(phone.get_by_text(da("idea.held_waiting").split(".")[0], exact=False)).to_be_visible()
    expect(bo.get_by_text("Ring til mig på 22 33 44 55")).to_have_count(0)
    shots(phone, "02b-held")

    # Shift+Enter is a new line, not a send.
    box.fill("Lys på stien")
    box.press("Shift+Enter")
    phone.keyboard.type("om aftenen")
    expect(box).to_have_value("Lys på stien\nom aftenen")
    post_idea(phone, "Lys på stien\nom aftenen", key="Enter")
    post_idea(phone, "Et toilet ved legepladsen")

    # The fifth idea within a minute: refused, said at once, the text kept in the box.
    box.fill("Skraldespande med låg")
    box.press("Enter")
    composer = phone.locator(".composer")
    expect(composer).to_have_attribute("data-state", "refused", timeout=30_000)
    alert = phone.locator(".composer .said[role='alert']")
    expect(alert).to_have_text(da("error.idea.too_fast", per_minute=4))
    expect(box).to_have_value("Skraldespande med låg")
    assert "Skraldespande med låg" not in texts_in_db(server, meeting_id)
    shots(phone, "03-too-fast-text-kept")

    # Too long: nothing is sent; the counter and the line say how many characters too many.
    box.fill("x" * 505)
    expect(phone.locator(".composer .count")).to_have_text(
        da("idea_composer.over", count=5), timeout=5_000
    )
    box.press("Enter")
    expect(alert).to_have_text(da("idea_composer.too_long"))
    shots(phone, "04-too-long")

    # No network: not posted, said, the text kept; nothing in the database.
    ctx.set_offline(True)
    try:
        # Said at once, before anything is sent (nothing said so while offline: a trial).
        expect(phone.get_by_text(da("push.reconnecting"))).to_be_visible(timeout=5_000)
        box.fill("Vandpost til hunde")
        box.press("Enter")
        expect(composer).to_have_attribute("data-state", "failed", timeout=30_000)
        expect(alert).to_have_text(da("idea_composer.offline"))
        expect(box).to_have_value("Vandpost til hunde")
        shots(phone, "05-offline-text-kept")
    finally:
        ctx.set_offline(False)
    expect(phone.get_by_text(da("push.reconnecting"))).to_have_count(0, timeout=15_000)
    assert "Vandpost til hunde" not in texts_in_db(server, meeting_id)


def test_an_answer_after_the_reader_moved_on_leaves_the_focus_where_it_is(room, browser) -> None:
    """The box takes the focus back after sending only when the reader was in it: a phone
    whose reader had moved on (the page redrawn under the focus in between) had the focus
    pulled into the box by the late answer, and the next words typed became an idea (a
    fresh-eyes trial posted "é)")."""
    server, _, code = room
    phone = joined_phone(browser, server.url, code, "Cai")
    box = idea_box(phone)
    held: list = []
    phone.route("**/push/ideas", lambda route: held.append(route))  # held until we go on
    box.fill("Bænke i skyggen")
    with phone.expect_request("**/push/ideas"):
        box.press("Enter")
    composer = phone.locator(".composer")
    expect(composer).to_have_attribute("data-state", "sending")
    assert len(held) == 1, "the idea was not sent"
    # The reader moves on to a link, and a redraw leaves the focus on the page itself.
    phone.get_by_role("link").first.focus()
    phone.evaluate("() => document.activeElement.blur()")
    assert phone.evaluate("() => document.activeElement === document.body")
    held[0].continue_()
    expect(composer).to_have_attribute("data-state", "sent")
    assert phone.evaluate("() => document.activeElement === document.body")
    # A reader still in the box when it lost the focus (the page redrawn while the idea was
    # on its way) gets it back with the answer: the next idea is typed straight away.
    box.fill("Vand til hundene")
    with phone.expect_request("**/push/ideas"):
        box.press("Enter")
    expect(composer).to_have_attribute("data-state", "sending")
    assert len(held) == 2, "the idea was not sent"
    phone.evaluate("() => document.activeElement.blur()")
    held[1].continue_()
    expect(box).to_have_value("")
    expect(box).to_be_focused()
    phone.unroute("**/push/ideas")


def test_ideas_closed_disable_the_box_with_the_unsent_text_kept(room, browser, shots) -> None:
    server, meeting_id, code = room
    phone = joined_phone(browser, server.url, code, "Carl")
    box = idea_box(phone)
    box.fill("Et udekøkken")
    store = open_store(server.db_path)
    try:
        step = meetings.current_step(store, meeting_id)
        assert step is not None
        meetings.set_intake(store, step.id, False, actor=None)
    finally:
        store.close()
    expect(box).to_be_disabled(timeout=10_000)
    expect(box).to_have_value("Et udekøkken")
    expect(box).to_have_attribute("placeholder", da("participate.intake_closed"))
    # The placeholder is hidden by the text: the line below says that ideas are closed.
    expect(phone.locator(".composer .said[role='status']")).to_have_text(
        da("participate.intake_closed")
    )
    settle(phone)
    shots(phone, "01-closed-text-kept")

    # The facilitator opens ideas again, moves on to the vote and comes back: the unsent text
    # was kept through it all (it was lost at the step change: a fresh-eyes trial).
    store = open_store(server.db_path)
    try:
        meetings.set_intake(store, step.id, True, actor=None)
        expect(box).to_be_enabled(timeout=10_000)
        expect(phone.locator(".composer .said")).to_have_text("")
        meetings.next_step(store, meeting_id, actor=None)
        expect(box).to_have_count(0, timeout=10_000)
        # The vote says the idea was not sent, with its text (it went without a word before:
        # a fresh-eyes trial), as text, at the top of the step.
        unsent = phone.get_by_test_id("idea-unsent")
        expect(unsent).to_contain_text(da("participate.draft_unsent"))
        expect(unsent.locator("blockquote")).to_have_text("Et udekøkken")
        unsent_top = unsent.bounding_box()
        heading = phone.get_by_role("heading", level=3).first.bounding_box()
        assert unsent_top and heading and unsent_top["y"] < heading["y"]
        settle(phone)
        shots(phone, "02-vote-says-not-sent")
        meetings.previous_step(store, meeting_id, actor=None)
        expect(box).to_have_value("Et udekøkken", timeout=10_000)
        expect(unsent).to_have_count(0)
        settle(phone)
        shots(phone, "03-back-text-kept")

        # Deleted on the vote: gone there, and not back in the box.
        meetings.next_step(store, meeting_id, actor=None)
        expect(unsent.locator("blockquote")).to_have_text("Et udekøkken", timeout=10_000)
        unsent.get_by_role("button", name=da("participate.draft_discard")).click()
        expect(unsent).to_have_count(0)
        meetings.previous_step(store, meeting_id, actor=None)
    finally:
        store.close()
    expect(box).to_be_visible(timeout=10_000)
    expect(box).to_have_value("")
    settle(phone)


def test_a_phone_whose_step_change_is_never_drawn_loads_the_page_again(
    room, browser, shots
) -> None:
    """The push stream says the step moved, but no run of the page draws it (the server lost
    the page's fragment in a restart, or the page's own connection died while the push stream
    lived on: a fresh-eyes trial's phones kept drawing ideas on an old step for minutes). The
    page loads itself again and shows the current step."""
    server, meeting_id, code = room
    ctx = context(browser, PHONE)
    # A short patience for the test (30 s in the room), and Streamlit's messages to the server
    # dropped on demand: what a page whose runs never reach the server sees.
    ctx.add_init_script(
        """
        window.__samskabStepPatience = 2000;
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (window.__samskabDropRuns) return;
          return send.call(this, data);
        };
        """
    )
    phone = ctx.new_page()
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    join(phone, "Dora", "Deltag")
    expect(idea_box(phone)).to_be_visible()
    phone.evaluate("window.__samskabDropRuns = true")
    store = open_store(server.db_path)
    try:
        meetings.next_step(store, meeting_id, actor=None)  # the dot vote
    finally:
        store.close()
    with phone.expect_navigation(timeout=30_000):
        pass  # the watchdog loads the page again
    expect(phone.locator(".dots")).to_be_visible(timeout=15_000)
    settle(phone)
    shots(phone, "01-reloaded-on-the-vote")
