"""The console stays wide while a facilitator works it: a page that set its own layout after the
router's made it jump from wide to narrow after an action, moving every button under the
pointer (a fresh-eyes trial lost taps to it). The router now sets one layout per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LAPTOP, PASSWORD, Server, context, log_in, serving, settle
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Role, StepKind

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Record the narrowest the main column has been, and count finished script runs (a full run
# or the console's refreshing fragment), from the moment this is installed.
WATCH = """
() => {
  window.__narrowest = Infinity;
  window.__runs = 0;
  const app = document.querySelector("[data-testid='stApp']");
  const measure = () => {
    const main = document.querySelector("[data-testid='stMainBlockContainer']");
    if (main) window.__narrowest = Math.min(window.__narrowest, main.getBoundingClientRect().width);
  };
  new ResizeObserver(measure).observe(document.body);
  new MutationObserver(() => {
    measure();
    if (app.getAttribute("data-test-script-state") === "notRunning") window.__runs += 1;
  }).observe(app, {attributes: true, attributeFilter: ["data-test-script-state"],
                   subtree: true, childList: true});
  measure();
}
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int]]:
    db_path = tmp_path_factory.mktemp("layout") / "layout.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Havneudvalget", "Havnens fremtid", actor=fie)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde om havnen",
        agenda=[
            meetings.StepSpec(StepKind.BRAINSTORM, "Hvad savner du ved havnen?", 15),
            meetings.StepSpec(StepKind.WRAP_UP, "", 5),
        ],
        actor=fie,
    )
    store.close()
    with serving(db_path) as running:
        yield running, meeting.id


def test_the_console_stays_wide_after_an_action(
    browser: Browser, live: tuple[Server, int], shots
) -> None:
    server, meeting_id = live
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    log_in(page, server.url, "fie")
    page.goto(f"{server.url}/console?meeting={meeting_id}")
    settle(page)
    start = page.get_by_role("button", name=translate("da", "console.start"), exact=True)
    start.click()
    add_time = page.get_by_role("button", name=translate("da", "console.add_time"), exact=True)
    expect(add_time).to_be_enabled()
    settle(page)
    page.evaluate(WATCH)
    add_time.click()
    # The tap's run, then at least two of the console's refreshing runs after it.
    page.wait_for_function("window.__runs >= 3", timeout=60_000)
    settle(page)
    shots(page, "console-after-plus-five")
    narrowest = page.evaluate("window.__narrowest")
    assert narrowest > 1_200, f"the console's main column shrank to {narrowest} px"
    ctx.close()
