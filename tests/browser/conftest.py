"""Browser journeys: the real app as a subprocess, Debian's chromium driven by Playwright.

Screenshots go to ``artifacts/screenshots/<test name>/`` (git-ignored; CI keeps them in the
workspace). Look at them: that is what a citizen and a facilitator see.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.devserver import LocalServer, start
from workshop.meetings import core as meetings
from workshop.model import Meeting, Role, StepKind, User
from workshop.ui import icon_font

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("SAMSKAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1}
PASSWORD = "journey passphrase 2026"
# The console's join code (a metric of its own; the join watch beside it shows more metrics).
JOIN_CODE = ".st-key-console_join_code [data-testid='stMetricValue']"

pytestmark = pytest.mark.browser

# CI runs these journeys on 2 cores next to CPU-heavy tests: wait longer than Playwright's
# 5 s default before calling something missing. A real failure still fails, only later.
expect.set_options(timeout=20_000)


Server = LocalServer


# At a load average of 15-20 on 2 cores the app took more than start()'s 60 s to answer its
# health check (Streamlit, pandas and altair are imported first): a journey then failed
# before it began. A server that does not start still fails, only later.
START_SECONDS = 180


def start_server(db_path: Path, *, env: dict[str, str] | None = None) -> Server:
    """The app on ``db_path``, with phones and projector refreshing every second."""
    fast = {"SAMSKAB_CITIZEN_REFRESH_SECONDS": "1", "SAMSKAB_PROJECTOR_REFRESH_SECONDS": "1"}
    return start(db_path, env={**fast, **(env or {})}, timeout=START_SECONDS)


@contextmanager
def serving(db_path: Path, *, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``start_server`` for a module's journeys: the app is stopped when the module is done."""
    running = start_server(db_path, env=env)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("journey") / "journey.db"
    store = open_store(db_path)
    accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    accounts.create_user(store, "mette", PASSWORD, Role.POLITICIAN, "Mette Politiker")
    store.close()
    with serving(db_path) as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def _icon_font_cut() -> None:
    """The icon font cut before any server starts: a server that must cut it first holds its
    font request ~5 s, and a journey that taps while the icons draw as words taps a moving
    target (scripts/install.sh cuts it too; this covers a source changed since)."""
    icon_font.warm()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest):
    folder = SCREENSHOTS / request.node.name.replace("[", "_").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page: Page, name: str, *, settled: bool = True) -> Path:
        """``settled=False``: as the page is now (its runs held back: it cannot settle; the
        caller waited for what it shows)."""
        if settled:
            settle(page)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


# Installed in every page before the app's own scripts. It counts, as they arrive, the script
# runs the server begins (ForwardMsg ``new_session``, field 4; full runs and fragment runs
# alike) and keeps whether the server says a run is going on (``session_status_changed``,
# field 9, its ``script_is_running``, field 2) and whether a chain of runs is still going on:
# one begins with a ``new_session`` and ends only with a ``script_finished`` (field 6) that
# is not FINISHED_EARLY_FOR_RERUN (2), after which no run follows. The chain covers the
# moments the status alone misses: the server sends ``new_session`` before the status that
# says a run is going on, and a run that ends in ``st.rerun()`` (or is cut short by a tap)
# says "not running" before the next run begins; under load a check fell into those gaps
# and a journey read the database before the tap's run had saved anything. It also counts
# the rerun requests the page sends for something a person did (a tap, a choice, a text: a
# BackMsg ``rerun_script``, field 11, whose ClientState is not ``is_auto_rerun``, field 6; a
# refreshing fragment's tick does not count), with the runs begun at the moment of the last
# such request, and of those the runs of the whole page (no ``fragment_id``, field 5). A run
# that begins after that request is one that has seen it.
WATCH_RUNS = """
(() => {
  window.__samskabRuns = 0;
  window.__samskabServerRunning = false;
  window.__samskabChain = false;
  window.__samskabReruns = 0;
  window.__samskabRunsAtRerun = 0;
  window.__samskabPageRuns = 0;  // of those, runs of the whole page (no fragment named)
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  // Each field of a protobuf message: calls visit(number, varint value or length, offset of
  // the field's bytes) until it returns true.
  const fields = (bytes, at, end, visit) => {
    while (at < end) {
      let tag, value;
      [tag, at] = varint(bytes, at);
      const wire = tag & 7;
      let start = at;
      if (wire === 0) [value, at] = varint(bytes, at);
      else if (wire === 2) { [value, start] = varint(bytes, at); at = start + value; }
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else return;
      if (visit(tag >> 3, value, start)) return;
    }
  };
  const view = data => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(0);
  // A rerun request for something a person did: "page" (the whole page) or "fragment".
  const asksForRun = bytes => {
    if (bytes.length === 0 || bytes[0] !== ((11 << 3) | 2)) return null;
    const [length, at] = varint(bytes, 1);
    let auto = false, fragment = false;
    fields(bytes, at, at + length, (number, value) => {
      if (number === 5 && value > 0) fragment = true;
      auto = number === 6 && !!value;
      return auto;
    });
    return auto ? null : fragment ? "fragment" : "page";
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", event => {
        const bytes = view(event.data);
        fields(bytes, 0, bytes.length, (number, length, start) => {
          if (number === 4) {
            window.__samskabRuns += 1;
            window.__samskabChain = true;
          }
          // script_finished: its status is the varint; 2 (finished early) means a run follows
          if (number === 6) window.__samskabChain = length === 2;
          if (number === 9) {
            let running = false;
            fields(bytes, start, start + length, (inner, value) => {
              if (inner === 2) running = !!value;
            });
            window.__samskabServerRunning = running;
          }
          return number > 2;  // the message's type follows its hash and metadata
        });
      });
    }
    send(data) {
      const asked = asksForRun(view(data));
      if (asked) {
        window.__samskabReruns += 1;
        window.__samskabRunsAtRerun = window.__samskabRuns;
        if (asked === "page") window.__samskabPageRuns += 1;
      }
      return super.send(data);
    }
  };
})();
"""

# Streamlit has finished: connected, the last rerun request the page sent for something a
# person did has been seen by a run that began after it, the server says no run is going on
# and has ended the last chain of runs, the page shows no run, and nothing is left on the
# page from an earlier run (an element is marked stale while the run that may replace it is
# under way).
SETTLED = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && (window.__samskabReruns === 0 || window.__samskabRuns > window.__samskabRunsAtRerun)
    && !window.__samskabServerRunning
    && !window.__samskabChain
    && app.getAttribute("data-test-script-state") === "notRunning"
    && document.querySelector("[data-stale='true']") === null
    && document.querySelector("[data-testid='stSkeleton']") === null
    && !document.documentElement.hasAttribute("data-samskab-early-page");
}
"""


def context(browser: Browser, device: dict, locale: str = "da-DK") -> BrowserContext:
    ctx = browser.new_context(locale=locale, **device)
    ctx.set_default_timeout(40_000)
    ctx.add_init_script(WATCH_RUNS)
    return ctx


def settle(page: Page) -> None:
    """Wait until Streamlit has handled everything the page asked of it, finished the run and
    drawn all of it (as Streamlit's own e2e suite does, the script state and no stale
    elements; and, since a run may not have begun yet when a tap returns, a run begun after
    the page's last rerun request). No skeleton either: on a freshly loaded page the run can be
    over while Streamlit still shows placeholders for elements it has not drawn. Nor a ballot
    drawn early (a phone that heard of a dot vote by push shows its ballot before the page's
    run, which then draws its own and removes the early one: an element found on the early
    ballot goes with it)."""
    try:
        page.wait_for_function(SETTLED, timeout=30_000)
    except PlaywrightTimeout:
        raise AssertionError(f"the page did not settle in 30 s: {page.evaluate(STATE)}") from None


# What settle() waits on, for the message when it waits in vain.
STATE = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  return {
    connection: app && app.getAttribute("data-test-connection-state"),
    script: app && app.getAttribute("data-test-script-state"),
    runs: window.__samskabRuns, serverRunning: window.__samskabServerRunning,
    chain: window.__samskabChain,
    reruns: window.__samskabReruns,
    runsAtRerun: window.__samskabRunsAtRerun,
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    early: document.documentElement.hasAttribute("data-samskab-early-page"),
    stale: [...document.querySelectorAll("[data-stale='true']")].map(
      e => (e.className || "").toString().slice(0, 80)),
  };
}
"""


def reruns(page: Page) -> int:
    """How many rerun requests the page has sent to the server for something a person did."""
    return int(page.evaluate("window.__samskabReruns"))


def tap(page: Page, target: Locator, *, shows: Locator | None = None) -> None:
    """Tap ``target`` once and wait until the run that handles the tap is over and drawn, so
    that the next step sees what the tap changed and taps nothing stale. ``shows``: a passing
    message the tap brings (a toast fades after a few seconds), checked while the run draws.

    Never tapped twice: a tap that asks the server for nothing fails here, and a tap that the
    server drops fails at the journey's next check (for a citizen a lost tap is a lost vote).
    Playwright's click itself waits until the target is visible, stable, enabled and the
    element that receives the tap."""
    before = reruns(page)
    target.click()
    if shows is not None:
        expect(shows).to_be_visible()
    page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def enter(page: Page, field: Locator, key: str = "Enter") -> None:
    """Press Enter (or ``key``: Tab leaves a text area) in ``field``, where Streamlit commits
    its value, and wait until the page has asked the server for the run and that run is over.
    Streamlit sends that request a moment after the key, not with it: a ``settle()`` right
    after the key could pass before it, and the next ``tap()`` then counted this request as
    its own and read the database before the tap's run (the committee journey's "second
    target not saved", seen under load in CI)."""
    before = reruns(page)
    field.press(key)
    page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def dot_button(page: Page, idea_id: int, sign: str = "plus") -> Locator:
    """The + (or −, ``sign="minus"``) button of an idea on the phone's dot ballot."""
    return page.locator(f'.dots [data-key="{sign}-{idea_id}"]')


def dot_card(page: Page, idea_id: int) -> Locator:
    """An idea's card on the phone's dot ballot: its text, the reader's dots on it, − and +."""
    return page.locator(f'.dots li[data-idea="{idea_id}"]')


def dot(page: Page, idea_id: int, sign: str = "plus") -> None:
    """Tap a dot button once and wait until the server answered it and the ballot drew the
    answer, which said nothing was lost. Never tapped again: a lost tap fails here."""
    dot_button(page, idea_id, sign).click()
    ballot = page.locator(".dots")
    expect(ballot).to_have_attribute("data-pending", "0", timeout=30_000)
    expect(ballot.locator(".note:not(:empty)")).to_have_count(0)


def park_meeting(
    store: Store,
    title: str = "Borgermøde om parken",
    prompt: str = "Hvad savner du i parken?",
    *,
    wrap_up: bool = True,
) -> tuple[User, Meeting]:
    """Fie the facilitator (password ``PASSWORD``), the park committee and a dialogue meeting
    of it in its brainstorm (``prompt``, 15 minutes), then a wrap-up unless ``wrap_up`` is
    False: the room many journeys begin in."""
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Parkudvalget", "Byparken", actor=fie)
    agenda = [meetings.StepSpec(StepKind.BRAINSTORM, prompt, 15)]
    if wrap_up:
        agenda.append(meetings.StepSpec(StepKind.WRAP_UP, "", 5))
    meeting = meetings.create_meeting(store, committee.id, title, agenda=agenda, actor=fie)
    meetings.next_step(store, meeting.id, actor=fie)
    return fie, meeting


def joined_phone(browser: Browser, url: str, code: str, name: str = "Anna") -> Page:
    """A new phone (390×844, its own profile) that joined the meeting of ``code`` as ``name``
    through the start page, as a QR code's link brings it."""
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{url}/?code={code}")
    settle(phone)
    join(phone, name, "Deltag")
    return phone


def idea_box(page: Page) -> Locator:
    """The brainstorm's idea box (workshop/ui/idea_composer.py, in the bottom container)."""
    return page.locator(".composer textarea")


def post_idea(page: Page, text: str, *, key: str = "Enter") -> None:
    """Type an idea and send it once (Enter, as a thumb on a phone's keyboard), and wait until
    the server answered and the box said it was posted. Never sent again: a lost idea fails
    here."""
    box = idea_box(page)
    box.fill(text)
    box.press(key)
    composer = page.locator(".composer")
    expect(composer).to_have_attribute("data-pending", "0", timeout=30_000)
    expect(composer).to_have_attribute("data-state", "sent")


def join(page: Page, name: str, button: str) -> str:
    """Type a name and press the join button, as a phone does; return the participant's link
    secret. After a join the page sends the browser once through ``/auth/participant`` (the
    cookie that lets a rescanned QR code find the same person): wait for that round trip, so
    that nothing the journey does next races the page load."""
    page.locator(".st-key-start_name input").fill(name)
    with page.expect_response(lambda response: "/auth/participant?" in response.url):
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lambda url: "p=" in url and "/auth/" not in url)
    settle(page)
    found = re.search(r"[?&]p=([\w-]{32,})", page.url)
    assert found, page.url
    return found.group(1)


# No CSS transition or animation running: an expander that is still opening, or a page that
# is still laying out, moves a select box's list while it is being clicked.
AT_REST = "() => document.getAnimations().every(a => a.playState !== 'running')"


def choose(page: Page, key: str, option: str, *, exact: bool = True) -> None:
    """Pick ``option`` in the select box with widget key ``key``, once, and wait until the box
    shows it and the run that handles it is over.

    The list is a react-aria popover, which closes when the page scrolls. So the box is first
    brought to the middle of the window, where its list fits without scrolling (at the
    window's edge, Playwright scrolled to reach the option and the list closed under it: the
    committee journey's intermittent "element was detached"), and the page must be at rest
    (no transition running, such as an expander still opening). A pick that does not take
    fails at ``to_have_value``: never picked twice. A new choice is awaited until the page
    has asked for its run (see :func:`enter`).
    """
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    page.wait_for_function(AT_REST)
    box.evaluate("e => e.scrollIntoView({block: 'center', inline: 'nearest'})")
    shown = re.compile(re.escape(option)) if not exact else re.compile(f"^{re.escape(option)}$")
    # A new choice asks for a run, unless the box is in a form (the form's button sends it).
    changes = not shown.search(box.input_value()) and not box.evaluate(
        "e => e.closest(\"[data-testid='stForm']\") !== null"
    )
    before = reruns(page)
    box.click()
    choice = page.get_by_role("option", name=option, exact=exact)
    expect(choice).to_be_visible()
    page.wait_for_function(AT_REST)
    choice.click()
    expect(box).to_have_value(shown)
    if changes:  # the request for the run may leave a moment after the box shows the choice
        page.wait_for_function("n => window.__samskabReruns > n", arg=before, timeout=30_000)
    settle(page)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    settle(page)
    page.locator(".st-key-login_username input").fill(username)
    page.locator(".st-key-login_password input").fill(PASSWORD)
    page.locator(".st-key-login_password input").press("Enter")
    # A login loads a new page: /auth/session sets the staff cookie and redirects.
    page.wait_for_url(lambda url: "/login" not in url and "/auth/" not in url)
    settle(page)


SLACK = 3  # px

# Every text Vega drew in each chart (small charts render to SVG): its role (axis label, legend
# label, title, …), its lines joined by spaces, its left and right edge, and whether it shows.
CHART_TEXTS = """
charts => charts.map(chart => {
  const box = chart.getBoundingClientRect();
  return {left: box.left, right: box.right, texts: [...chart.querySelectorAll(
    'g[class*="role-"] text')].map(text => {
      const r = text.getBoundingClientRect();
      const lines = [...text.querySelectorAll('tspan')].map(line => line.textContent);
      return {role: text.closest('g').getAttribute('class'),
              text: lines.length ? lines.join(' ') : text.textContent,
              left: r.left, right: r.right, shown: text.getAttribute('opacity') !== '0'};
  })};
})
"""


def assert_chart_texts_fit(charts: Locator, where: str, *, slack: float = SLACK) -> set[str]:
    """Every text the ``charts`` (``stVegaLiteChart``) drew ends inside its chart and none is
    shortened with "…" (the test worlds' texts are short enough to show whole); returns the
    texts that show, to check that none was hidden for lack of room. ``slack``: the pixels a
    text's box may overhang (its line's leading grows with the type: more on a projector)."""
    shown: set[str] = set()
    for chart in charts.evaluate_all(CHART_TEXTS):
        assert chart["texts"], "a chart drew no text: not rendered as SVG?"
        for text in chart["texts"]:
            if not text["shown"]:
                continue
            shown.add(text["text"])
            label = f"{text['role']} {text['text']!r} on the {where}"
            assert not text["text"].endswith("…"), f"{label} is cut short"
            # A text's box includes its line's leading, which may overhang by a pixel or two
            # (the rotated "Idé" does, its letters whole); a cut label misses by far more.
            assert text["left"] >= chart["left"] - slack, f"{label} starts off the chart"
            assert text["right"] <= chart["right"] + slack, f"{label} runs off the chart"
    return shown
