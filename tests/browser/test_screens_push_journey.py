"""The projector and the console follow the room by push, as the room lives it: a phone posts an
idea and places a dot, and the projector (1920×1080, by its screen link) and the facilitator's
console (a laptop, live tab) show them within about 2 s with NO timed rerun of their live
fragments (the server never asks the browser for one, and the projector runs nothing while the
room is quiet), while the projector's countdown keeps ticking in the browser.

The projector's fallback timer is 1 s here (``start_server``): had the page drawn its timer, the
auto-rerun messages and the projector's script runs would show it.

Screenshots go to ``artifacts/screenshots/test_projector_and_console_follow_a_phone_by_push/``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    idea_box,
    log_in,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PROMPT = "Hvad skal havnen kunne om ti år?"
IDEA = "Et varmt havnebad hele året"
PROPOSAL = "Havnebadet holder åbent hele året"
CONCERN = "Personalet skal have ordentlige vagter"
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}

# Counts the timed reruns the server asks a page for: ForwardMsg ``auto_rerun`` (field 21),
# sent by a fragment with ``run_every`` at each of its runs, by fragment id (field 2).
WATCH_TIMERS = """
(() => {
  window.__samskabTimers = {};
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const bytes = new Uint8Array(event.data);
        let at = 0;
        while (at < bytes.length) {
          let tag, length;
          [tag, at] = varint(bytes, at);
          const wire = tag & 7;
          if (wire === 0) { [, at] = varint(bytes, at); continue; }
          if (wire !== 2) return;
          [length, at] = varint(bytes, at);
          if (tag >> 3 === 21) {
            let inner = at, id = "";
            while (inner < at + length) {
              let innerTag;
              [innerTag, inner] = varint(bytes, inner);
              if ((innerTag & 7) === 5) { inner += 4; continue; }
              let size;
              [size, inner] = varint(bytes, inner);
              const text = bytes.slice(inner, inner + size);
              if (innerTag >> 3 === 2) id = new TextDecoder().decode(text);
              inner += size;
            }
            window.__samskabTimers[id] = (window.__samskabTimers[id] || 0) + 1;
          }
          if (tag >> 3 > 2) return;  // the message's type follows its hash and metadata
          at += length;
        }
      });
    }
  };
})();
"""

PUSH_OPEN = (
    "() => Object.values(window.__samskabScreenPush || {})"
    ".some(live => live.source && live.source.readyState === 1)"
)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, str, str]]:
    db_path = tmp_path_factory.mktemp("screens") / "screens.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Havneudvalget", "Havnen", actor=fie)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Borgermøde om havnen",
        agenda=[
            meetings.StepSpec(StepKind.BRAINSTORM, PROMPT, 10),
            meetings.StepSpec(StepKind.DOT_VOTE, "", 10),
            meetings.StepSpec(StepKind.CONSENT, PROPOSAL, 10),
        ],
        dots_per_participant=3,
        actor=fie,
    )
    meetings.next_step(store, meeting.id, actor=fie)
    code = meetings.get_meeting(store, meeting.id).join_code
    anna = meetings.join_meeting(store, code, "Anna").token
    screen = meetings.screen_link_token(store, meeting.id)
    assert screen is not None
    store.close()
    with serving(db_path) as running:
        yield running, meeting.id, anna, screen


def _timers(page: Page) -> dict[str, int]:
    return dict(page.evaluate("window.__samskabTimers"))


def _runs(page: Page) -> int:
    return int(page.evaluate("window.__samskabRuns"))


def _ticks(projector: Page, count: int) -> None:
    """Wait until the projector's countdown has shown ``count`` new values."""
    timer = projector.get_by_test_id("projector-timer")
    for _ in range(count):
        shown = timer.inner_text()
        expect(timer).not_to_have_text(shown, timeout=5_000)


def test_projector_and_console_follow_a_phone_by_push(room, browser, shots) -> None:
    server, meeting_id, anna_token, screen = room
    reconnecting = translate("da", "push.reconnecting")

    projector_ctx = context(browser, PROJECTOR)
    projector_ctx.add_init_script(WATCH_TIMERS)
    projector = projector_ctx.new_page()
    projector.goto(f"{server.url}/?screen={screen}")
    expect(projector.get_by_test_id("projector-prompt")).to_have_text(PROMPT)
    settle(projector)
    projector.wait_for_function(PUSH_OPEN)

    console_ctx = context(browser, LAPTOP)
    console_ctx.add_init_script(WATCH_TIMERS)
    console = console_ctx.new_page()
    log_in(console, server.url, "fie")
    console.goto(f"{server.url}/console?meeting={meeting_id}")
    settle(console)
    console.wait_for_function(PUSH_OPEN)

    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/participate?p={anna_token}")
    expect(phone.get_by_text(PROMPT).first).to_be_visible()
    settle(phone)

    # A quiet room: the countdown ticks in the browser and the projector runs nothing.
    quiet = _runs(projector)
    _ticks(projector, 2)
    assert _runs(projector) == quiet
    assert _timers(projector) == {}  # the slide never asked for a timed rerun

    # The phone posts an idea: on the projector and the console within about 2 s.
    box = idea_box(phone)
    box.fill(IDEA)
    sent = time.monotonic()
    box.press("Enter")
    expect(projector.get_by_text(IDEA)).to_be_visible(timeout=5_000)
    on_projector = time.monotonic() - sent
    expect(console.get_by_text(IDEA)).to_be_visible(timeout=5_000)
    on_console = time.monotonic() - sent
    settle(phone)
    settle(projector)
    shots(projector, "01-projector-idea-by-push")
    console.get_by_text(IDEA).scroll_into_view_if_needed()
    shots(console, "02-console-idea-by-push")
    assert on_projector < 2.5, f"the idea took {on_projector:.2f} s to the projector"
    assert on_console < 2.5, f"the idea took {on_console:.2f} s to the console"
    print(f"idea → projector {on_projector:.2f} s, → console {on_console:.2f} s")

    # Quiet again: still no run on the projector while its countdown moves on.
    quiet = _runs(projector)
    _ticks(projector, 2)
    assert _runs(projector) == quiet

    # The facilitator moves on to the dot vote; the phone places a dot.
    tap(console, console.locator(".st-key-console_next button"))
    expect(phone.get_by_text("prikker tilbage", exact=False)).to_be_visible(timeout=10_000)
    settle(phone)
    settle(projector)
    shots(projector, "03-projector-vote-by-push")
    plus = phone.locator(".dots button.plus")
    placed = time.monotonic()
    plus.first.click()
    expect(projector.get_by_text("1 prik", exact=True).first).to_be_visible(timeout=5_000)
    dot_on_projector = time.monotonic() - placed
    expect(console.get_by_text("1 prik", exact=False).first).to_be_visible(timeout=5_000)
    dot_on_console = time.monotonic() - placed
    settle(phone)
    settle(projector)
    settle(console)
    shots(projector, "04-projector-dot-by-push")
    console.get_by_text(IDEA).scroll_into_view_if_needed()
    shots(console, "05-console-dot-by-push")
    shots(phone, "06-phone-dot-placed")
    assert dot_on_projector < 2.5, f"the dot took {dot_on_projector:.2f} s to the projector"
    assert dot_on_console < 2.5, f"the dot took {dot_on_console:.2f} s to the console"
    print(f"dot → projector {dot_on_projector:.2f} s, → console {dot_on_console:.2f} s")

    # The facilitator moves on to a consent round; votes come in: the round's results on the
    # console (above its tabs, drawn by the whole page) follow them by push. They stayed as
    # the console last drew them, until the facilitator tapped something.
    tap(console, console.locator(".st-key-console_next button"))
    expect(console.get_by_text(PROPOSAL).first).to_be_visible(timeout=10_000)
    settle(console)
    store = open_store(server.db_path)
    try:
        code = meetings.get_meeting(store, meeting_id).join_code
        vote_round = voting.current_round(store, meeting_id)
        assert vote_round is not None
        bo = meetings.join_meeting(store, code, "Bo")
        voted = time.monotonic()
        vote_methods.cast_consent(store, bo, vote_round.id, "concerns", CONCERN)
        expect(console.get_by_text(f"Har forbehold: {CONCERN}")).to_be_visible(timeout=5_000)
        concern_on_console = time.monotonic() - voted
        carl = meetings.join_meeting(store, code, "Carl")
        vote_methods.cast_consent(store, carl, vote_round.id, "block", "Det er for dyrt")
        expect(console.get_by_text("Ikke vedtaget", exact=False)).to_be_visible(timeout=5_000)
        # Hidden from another console: this one's button says so at once, not "Hide" still.
        voting.reveal_results(store, vote_round.id, False, actor=None)
        reveal = console.locator(".st-key-console_reveal button")
        expect(reveal).to_have_text(translate("da", "console.reveal_results"), timeout=5_000)
    finally:
        store.close()
    settle(console)
    shots(console, "07-console-consent-by-push")
    assert concern_on_console < 2.5, f"the vote took {concern_on_console:.2f} s to the console"
    print(f"consent vote → console results {concern_on_console:.2f} s")

    # No timed rerun was ever asked of the projector; on the console only the clocks' (the
    # join watch: joins in the last minute fall as time passes; the step's minutes left),
    # never the live tab's.
    assert _timers(projector) == {}
    assert len(_timers(console)) == 2, _timers(console)
    for page in (projector, console):
        expect(page.get_by_text(reconnecting)).to_have_count(0)
    for ctx in (projector_ctx, console_ctx, phone.context):
        ctx.close()


def test_projector_without_push_says_reconnecting_and_follows_by_its_timer(
    room, browser, shots
) -> None:
    """The push route unreachable: the projector says "reconnecting…" in its own type and
    follows the room on its timer (1 s here); when the route is back it stops saying so."""
    server, meeting_id, _, screen = room
    ctx = context(browser, PROJECTOR)
    ctx.route("**/push/meeting**", lambda route: route.abort())
    projector = ctx.new_page()
    projector.goto(f"{server.url}/?screen={screen}")
    reconnecting = projector.get_by_test_id("projector-reconnecting")
    expect(reconnecting).to_have_text(translate("da", "push.reconnecting"))
    settle(projector)
    heading = projector.get_by_test_id("projector-prompt")
    before = heading.inner_text()
    store = open_store(server.db_path)
    try:  # the facilitator goes to the other step
        now = meetings.meeting_state(store, meeting_id)
        other = next(
            s for s in meetings.list_steps(store, meeting_id) if s.id != now.current_step_id
        )
        meetings.go_to_step(store, meeting_id, other.id, actor=None)
    finally:
        store.close()
    expect(heading).not_to_have_text(before)
    expect(reconnecting).to_be_visible()
    settle(projector)
    shots(projector, "01-projector-reconnecting")
    ctx.unroute("**/push/meeting**")
    expect(reconnecting).to_have_count(0, timeout=20_000)
    projector.wait_for_function(PUSH_OPEN)
    settle(projector)
    shots(projector, "02-projector-reconnected")
    ctx.close()
