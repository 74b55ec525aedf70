"""A phone's first visit is light, and its icons still draw (issue 17, point 3).

A cold phone (a fresh profile, the cache off) opens the join link a QR code holds, from the app
as ``scripts/start`` runs it (one process, no proxy): everything it receives until the join
page is usable and every font has arrived, HTTP and websocket, is at most 1 MB (it was
1.14 MB: Streamlit's whole icon font, 375 kB, came along). The bytes do not depend on the
machine's load, so the bound is a fair test. The icon font is now cut to the icons the app
draws (``workshop/ui/icon_font.py``), so each icon on the join page, in the brainstorm's
stream (the avatars ``person`` and ``lightbulb``), in the toast after an idea and on the chat
input's send button must still be ONE glyph wide, not its name in letters.

Screenshots in ``artifacts/screenshots/<test name>/``: the join page, the brainstorm before
and after sending, and the toast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    idea_box,
    join,
    log_in,
    serving,
    settle,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role, StepKind

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

from first_visit import PLAIN_HTTP, Wire, arrived  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

QUESTION = "Hvad skal der være på torvet?"
BOS_IDEA = "En legeplads med vand"
ANNAS_IDEA = "Bænke i skyggen"
MEGABYTE = 1_000_000

# Every element drawn in the icon font (the page and the push component's shadow roots): its
# text (the icon's name), the width of that text as drawn, its font size, and whether it shows.
ICONS = """
() => {
  const icons = [];
  const walk = root => {
    for (const element of root.querySelectorAll("*")) {
      if (element.shadowRoot) walk(element.shadowRoot);
      const style = getComputedStyle(element);
      if (element.childElementCount > 0 || !style.fontFamily.includes("Material Symbols")) continue;
      const name = element.textContent.trim();
      if (!name) continue;
      const range = document.createRange();
      range.selectNodeContents(element);
      icons.push({name, width: range.getBoundingClientRect().width,
                  size: parseFloat(style.fontSize), shown: element.getClientRects().length > 0});
    }
  };
  walk(document);
  return icons;
}
"""
# One element's text as drawn: its width and its font size.
GLYPH = """
element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return {width: range.getBoundingClientRect().width,
          size: parseFloat(getComputedStyle(element).fontSize)};
}
"""
# Every icon that shows is as wide as one glyph (the font's icons are 1 em square; its name in
# letters is several em), the font has loaded, and the ``names`` are among them.
DRAWN = f"""
names => {{
  if (document.fonts.status !== "loaded") return false;
  const shown = ({ICONS})().filter(icon => icon.shown);
  return names.every(name => shown.some(icon => icon.name === name))
    && shown.every(icon => icon.width > 0.5 * icon.size && icon.width <= 1.25 * icon.size);
}}
"""


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str]]:
    """A brainstorm under way, with one idea from Bo already on the wall; its join code and
    Bo's link secret."""
    db_path = tmp_path_factory.mktemp("firstvisit") / "visit.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Torveudvalget", "Torvet", actor=fie)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde om torvet",
        agenda=[meetings.StepSpec(StepKind.BRAINSTORM, QUESTION, 10)],
        actor=fie,
    )
    meetings.next_step(store, meeting.id, actor=fie)
    code = meetings.get_meeting(store, meeting.id).join_code
    bo = meetings.join_meeting(store, code, "Bo")
    ideas.submit_idea(store, bo, BOS_IDEA)
    store.close()
    with serving(db_path) as running:
        yield running, code, bo.token


def icons_draw(page: Page, names: set[str]) -> list[dict]:
    """Wait until the ``names`` show and every icon on the page is drawn as one glyph; the
    icons as found. Fails with what was drawn instead (an icon missing from the font shows as
    its name in letters)."""
    try:
        page.wait_for_function(DRAWN, arg=sorted(names), timeout=20_000)
    except PlaywrightTimeout:
        found = [icon for icon in page.evaluate(ICONS) if icon["shown"]]
        raise AssertionError(f"icons not drawn as glyphs (want {sorted(names)}): {found}") from None
    return [icon for icon in page.evaluate(ICONS) if icon["shown"]]


def test_a_cold_phone_joins_within_a_megabyte_and_every_icon_draws(
    browser: Browser, room: tuple[Server, str, str], shots
) -> None:
    server, code, bos_token = room
    phone = context(browser, PHONE)  # a fresh profile: nothing cached
    page = phone.new_page()
    wire = Wire(phone, page, PLAIN_HTTP)  # as to scripts/start on a venue's network: no brotli
    page.goto(f"{server.url}/?code={code}")
    expect(page.get_by_role("button", name=translate("da", "start.join"))).to_be_visible()
    settle(page)
    arrived(page)
    largest = "\n".join(wire.largest(8))
    assert wire.total() <= MEGABYTE, f"first visit {wire.total()} bytes:\n{largest}"
    font = [r for r in wire.done() if "MaterialSymbols" in str(r["url"])]
    assert len(font) == 1 and int(str(font[0]["bytes"])) < 100_000, font  # the cut, not 375 kB

    # The join page: the staff login's and the accessibility statement's links, the consent
    # expander's icon and Streamlit's own arrow on it.
    drawn = icons_draw(page, {"badge", "shield_person", "accessibility"})
    assert len(drawn) >= 4, drawn
    shots(page, "join-page")

    # Joined: the brainstorm, Bo's idea under the lightbulb, the idea box's send button.
    join(page, "Anna", translate("da", "start.join"))
    expect(page.get_by_text(BOS_IDEA)).to_be_visible()
    icons_draw(page, {"lightbulb"})
    send = page.locator(".composer button.send")
    expect(send).to_be_visible()
    expect(send).to_have_attribute("aria-disabled", "true")  # nothing written yet
    idea_box(page).fill(ANNAS_IDEA)
    expect(send).to_have_attribute("aria-disabled", "false")
    assert send.locator("svg").count() == 1  # an icon, drawn
    shots(page, "brainstorm-before-sending")

    # Bo follows the brainstorm on his phone: Anna's idea will reach it by push, drawn by the
    # push component with its own avatar (the icon font's "lightbulb" in its shadow root).
    bo = context(browser, PHONE).new_page()
    bo.goto(f"{server.url}/participate?p={bos_token}")
    expect(bo.get_by_text(BOS_IDEA)).to_be_visible()
    settle(bo)

    # Sent with the send button: the box says so, Anna's idea under "person".
    send.click()
    expect(page.locator(".composer .said")).to_have_text(
        translate("da", "participate.idea_sent"), timeout=30_000
    )
    expect(page.get_by_text(ANNAS_IDEA).first).to_be_visible()
    icons_draw(page, {"person", "lightbulb"})
    shots(page, "brainstorm-after-sending")

    pushed = bo.locator("li.idea").filter(has_text=ANNAS_IDEA)
    expect(pushed).to_be_visible()
    icons_draw(bo, {"lightbulb", "person"})  # Anna's pushed idea, Bo's own
    avatar = pushed.locator(".avatar")
    expect(avatar).to_have_text("lightbulb")
    glyph = avatar.evaluate(GLYPH)
    assert 0.5 * glyph["size"] < glyph["width"] <= 1.25 * glyph["size"], glyph
    shots(bo, "bo-pushed-idea")


def test_a_phone_asks_no_other_site_for_anything(
    browser: Browser, room: tuple[Server, str, str], shots
) -> None:
    """Nothing of a citizen's visit goes to a third party (a data-protection officer's first
    question): Streamlit fetched the tab's icon for a ``:material/…:`` page icon from
    fonts.gstatic.com, telling Google every phone's address."""
    server, code, _ = room
    phone = context(browser, PHONE)
    asked: list[str] = []
    phone.on("request", lambda request: asked.append(request.url))
    page = phone.new_page()
    page.goto(f"{server.url}/?code={code}")
    expect(page.get_by_role("button", name=translate("da", "start.join"))).to_be_visible()
    settle(page)
    join(page, "Cecilie", translate("da", "start.join"))
    expect(page.get_by_text(BOS_IDEA)).to_be_visible()
    settle(page)
    arrived(page)
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert not icon.startswith("http") or icon.startswith(server.url), icon
    shots(page, "no-third-party")

    # Nor a facilitator's: the login page and the committees page with its menu of icons.
    laptop = context(browser, LAPTOP)
    laptop.on("request", lambda request: asked.append(request.url))
    staff = laptop.new_page()
    log_in(staff, server.url, "fie")
    expect(staff.get_by_test_id("stTopNav")).to_be_visible()  # the menu, with its icons
    arrived(staff)
    shots(staff, "no-third-party-staff")
    elsewhere = [url for url in asked if not url.startswith((server.url, "data:", "blob:"))]
    assert elsewhere == [], elsewhere
