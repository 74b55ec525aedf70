"""Keyboard only and at 200 % zoom (issue 18, point 1): a citizen joins, posts an idea and
gives dots with the keyboard alone (Tab, typing, Enter, as a switch or keyboard user does),
and the phone's steps fit a 200 % zoomed window without scrolling sideways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Server, context, serving, settle
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# 1920×1080 at 200 % zoom: 960×540 CSS pixels, each drawn as 2×2.
ZOOMED = {"viewport": {"width": 960, "height": 540}, "device_scale_factor": 2}
# What has the keyboard's focus: its tag, role, label and text, to find it by Tab.
FOCUSED = """
() => {
  let e = document.activeElement;  // inside the dot ballot's shadow root too
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e ? [e.tagName, e.getAttribute('aria-label') || '', e.getAttribute('placeholder') || '',
              (e.innerText || '').trim()].join(' | ') : '';
}
"""


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, str]]:
    path = tmp_path_factory.mktemp("keyboard") / "keyboard.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", "journey passphrase 2026", Role.FACILITATOR)
    committee = committees.create_committee(store, "Parkudvalget", "", actor=staff)
    agenda = [StepSpec(StepKind.BRAINSTORM, "Hvad mangler parken?"), StepSpec(StepKind.DOT_VOTE)]
    meeting = meetings.create_meeting(store, committee.id, "Parken", agenda=agenda, actor=staff)
    meetings.next_step(store, meeting.id, actor=staff)
    store.close()
    with serving(path) as server:
        yield server, meeting.id, meeting.join_code


def tab_to(page: Page, wanted: str, *, tag: str = "", most: int = 40) -> None:
    """Press Tab until the focused element (a ``tag`` one, if given) says ``wanted``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted in focused and focused.startswith(tag):
            return
    raise AssertionError(f"{wanted!r} not reached by Tab; focus: {page.evaluate(FOCUSED)}")


def press(page: Page, key: str) -> None:
    """Press ``key`` and wait until the run it asks for is over (a lost key fails later)."""
    before = int(page.evaluate("window.__samskabReruns"))
    page.keyboard.press(key)
    page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def page_focus(page: Page) -> str:
    return str(page.evaluate(FOCUSED))


def no_sideways_scroll(page: Page, where: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where}: the page scrolls sideways at 200 % ({width})"


def test_a_citizen_joins_posts_and_votes_with_the_keyboard_alone(room, browser, shots) -> None:
    server, meeting_id, code = room
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/?code={code}")
    settle(phone)
    tab_to(phone, "INPUT")  # the name field (the code came with the link)
    phone.keyboard.type("Kim")
    with phone.expect_response(lambda response: "/auth/participant?" in response.url):
        tab_to(phone, "Deltag", tag="BUTTON")
        phone.keyboard.press("Enter")
    phone.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(phone)
    expect(phone.get_by_text("Hvad mangler parken?").first).to_be_visible()

    tab_to(phone, "TEXTAREA")  # the idea box
    phone.keyboard.type("Bænke under træerne")
    phone.keyboard.press("Enter")  # sent by the box itself, without a page run
    expect(phone.locator(".composer")).to_have_attribute("data-state", "sent", timeout=30_000)
    expect(phone.get_by_text("Bænke under træerne").first).to_be_visible()
    assert page_focus(phone).startswith("TEXTAREA")  # the keyboard stays in the box
    shots(phone, "01-posted-by-keyboard")

    store = open_store(server.db_path)
    meetings.next_step(store, meeting_id, actor=None)
    store.close()
    expect(phone.get_by_text("prikker tilbage").first).to_be_visible(timeout=15_000)
    settle(phone)
    left = phone.get_by_text("prikker tilbage").first.inner_text()
    tab_to(phone, "+ Prik: Bænke under træerne", tag="BUTTON")
    phone.keyboard.press("Enter")  # the ballot sends the tap itself, without a page run
    expect(phone.locator(".dots")).to_have_attribute("data-pending", "0")
    expect(phone.locator(".dots .note:not(:empty)")).to_have_count(0)
    expect(phone.get_by_text("prikker tilbage").first).not_to_have_text(left)
    assert "+ Prik: Bænke under træerne" in phone.evaluate(FOCUSED)  # the focus stays there
    shots(phone, "02-dot-by-keyboard")


# The focused element, and whether it shows it has the focus: seen (not transparent, itself or
# an ancestor) and ringed (an outline of 2 px or more, or a ring drawn as a box shadow).
FOCUS_SHOWN = """
() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  if (!e || e === document.body) return null;
  let opacity = 1;
  for (let n = e; n && n.nodeType === 1; n = n.parentElement || n.getRootNode().host) {
    opacity *= parseFloat(getComputedStyle(n).opacity);
  }
  // A text field's ring is drawn around its frame, the field inside: the element or one of
  // its two nearest ancestors.
  let ringed = false;
  for (let n = e, up = 0; n && n.nodeType === 1 && up < 3; n = n.parentElement, up++) {
    const style = getComputedStyle(n);
    ringed ||= (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== "none";
  }
  const name = (e.getAttribute("aria-label") || e.innerText || "").trim().slice(0, 40);
  return {tag: e.tagName, name, opacity, ringed};
}
"""


def test_every_tab_stop_shows_its_focus(room, browser) -> None:
    """Tab through the join page and the brainstorm: each stop is seen and ringed (WCAG 2.4.7),
    text fields too (a 1 px border turning green was all they showed); the page's main
    region shows it by the scroll it takes."""
    server, _, code = room
    store = open_store(server.db_path)
    kim = meetings.join_meeting(store, code, "Kim")
    store.close()
    problems = []
    for address in (f"/?code={code}", f"/participate?p={kim.token}"):
        page = context(browser, PHONE).new_page()
        page.goto(server.url + address)
        settle(page)
        # Thirty presses, each stop looked at; the stops are those before the focus leaves
        # the page (it comes back round to the first after that).
        seen = []
        for _ in range(30):
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUS_SHOWN))
        stops = seen[: seen.index(None)] if None in seen else seen
        for found in stops:
            if found["tag"] != "MAIN" and (found["opacity"] < 0.99 or not found["ringed"]):
                problems.append(f"{address.split('?')[0]}: {found}")  # MAIN: it scrolls
        assert len(stops) >= 5, f"{address}: only {len(stops)} tab stops"
        page.context.close()
    assert not problems, "\n".join(problems)


def test_the_phone_steps_fit_at_200_percent_zoom(room, browser, shots) -> None:
    server, _, code = room
    page = context(browser, ZOOMED).new_page()
    page.goto(f"{server.url}/?code={code}")
    settle(page)
    no_sideways_scroll(page, "start")
    shots(page, "01-start-200")
    page.locator(".st-key-start_name input").fill("Zoe")
    with page.expect_response(lambda response: "/auth/participant?" in response.url):
        page.get_by_role("button", name="Deltag", exact=True).click()
    page.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(page)
    no_sideways_scroll(page, "the current step")
    # The dot vote has no idea box: no empty band where it stood (72 px of 540 before).
    band = page.evaluate(
        "() => document.querySelector('[data-testid=stBottom]')?.getBoundingClientRect().height"
    )
    assert not band, f"an empty band of {band} px at the bottom of the ballot"
    shots(page, "02-step-200")
