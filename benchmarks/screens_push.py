"""What the room's screens cost the server when idle, and how soon a dot reaches them.

How it measures (all on 127.0.0.1, bounded in count and time): the real app runs as a
subprocess on a seeded meeting in its dot vote (results shown, one idea). Debian's chromium
opens the projector by its screen link (1920×1080) and the facilitator's console (1440×900,
logged in, live tab), as a room does.

1. **Idle**: with both pages drawn and nothing happening, the server process's CPU time
   (``/proc/<pid>/stat``, user + system) over ``--idle`` seconds (default 60), and the script
   runs each page began meanwhile (counted in the page from Streamlit's own messages).
2. **A dot to the screens**: ``--dots`` times, at a random moment (0.5-2 s apart), a
   participant places a dot (the service a phone's tap calls, committed by this script);
   each page records, with a MutationObserver, the moment its dot count first shows the new
   total. Latency = that moment − the commit's end, on the same machine's clock.

    python benchmarks/screens_push.py                 # 60 s idle, 30 dots
    python benchmarks/screens_push.py --idle 60 --dots 30

Run it in ``git archive`` of an older commit for the figures before (same command there).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import live_server
from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LAPTOP, WATCH_RUNS, settle
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.voting import ballots as voting

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1}
MAX_DOTS = 90
PASSWORD = "benchmark passphrase"

# The moment each page first shows a dot total ``n`` (its text "n prik"/"n prikker").
OBSERVE = """
(selector) => {
  window.__seenAt = {};
  const look = () => {
    for (const element of document.querySelectorAll(selector)) {
      const found = /(\\d+) prik/.exec(element.textContent.trim());
      if (found && !(found[1] in window.__seenAt)) window.__seenAt[found[1]] = Date.now();
    }
  };
  new MutationObserver(look).observe(document.body,
    { subtree: true, childList: true, characterData: true });
  look();
}
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(args: argparse.Namespace) -> int:
    if not 1 <= args.dots <= MAX_DOTS:
        raise SystemExit(f"--dots must be 1..{MAX_DOTS}")
    workdir = Path(tempfile.mkdtemp(prefix="samskab-screens-"))
    store, user, meeting = live_server.seed(workdir / "s.db", prompt="Hvad skal byen have?")
    meetings.next_step(store, meeting.id, actor=user)
    people = [
        meetings.join_meeting(store, meeting.join_code, f"P{n}", client=f"bench-{n}")
        for n in range(MAX_DOTS // 3)
    ]
    idea = ideas.submit_idea(store, people[0], "Et varmt havnebad hele året")
    meetings.next_step(store, meeting.id, actor=user)  # the dot vote
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    screen = meetings.screen_link_token(store, meeting.id)
    server = live_server.start(workdir / "s.db", timeout=180)
    lines = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = {}
            for name, device in (("projector", PROJECTOR), ("console", LAPTOP)):
                ctx = browser.new_context(locale="da-DK", **device)
                ctx.set_default_timeout(60_000)
                ctx.add_init_script(WATCH_RUNS)
                pages[name] = ctx.new_page()
            projector, console = pages["projector"], pages["console"]
            projector.goto(f"{server.url}/?screen={screen}")
            console.goto(f"{server.url}/login")
            settle(console)
            console.locator(".st-key-login_username input").fill("bench-facilitator")
            console.locator(".st-key-login_password input").fill(PASSWORD)
            console.locator(".st-key-login_password input").press("Enter")
            console.wait_for_url(lambda url: "/login" not in url and "/auth/" not in url)
            console.goto(f"{server.url}/console?meeting={meeting.id}")
            for page in pages.values():
                settle(page)
            voting.place_dot(store, people[0], vote_round.id, idea.id)  # results show
            projector.get_by_text("1 prik", exact=True).wait_for()
            console.get_by_text("1 prik", exact=False).first.wait_for()
            for page in pages.values():
                settle(page)

            # -- 1. idle ----------------------------------------------------------------------
            runs = {name: page.evaluate("window.__samskabRuns") for name, page in pages.items()}
            cpu, started = cpu_seconds(server.pid), time.monotonic()
            load = os.getloadavg()[0]
            time.sleep(args.idle)  # a benchmark of idleness: nothing to wait for
            spent, took = cpu_seconds(server.pid) - cpu, time.monotonic() - started
            ran = {
                name: page.evaluate("window.__samskabRuns") - runs[name]
                for name, page in pages.items()
            }
            lines.append(
                f"idle {took:.0f} s, projector + console open: server CPU {spent:.2f} s"
                f" ({spent / took * 60:.2f} s per minute); script runs: projector"
                f" {ran['projector']}, console {ran['console']}; load average {load:.1f}"
                f" → {os.getloadavg()[0]:.1f}"
            )

            # -- 2. dots ----------------------------------------------------------------------
            projector.evaluate(OBSERVE, ".sk-dots")
            console.evaluate(OBSERVE, "[data-testid='stCaptionContainer'] p")
            committed: dict[int, float] = {}
            total = 1
            for n in range(args.dots):
                time.sleep(random.uniform(0.5, 2.0))  # a random moment, as a room taps
                voting.place_dot(store, people[1 + n // 3], vote_round.id, idea.id)
                total += 1
                committed[total] = time.time() * 1000
            deadline = time.monotonic() + 30
            latency: dict[str, list[float]] = {}
            for name, page in pages.items():
                seen: dict[str, float] = {}
                while time.monotonic() < deadline:
                    seen = page.evaluate("window.__seenAt")
                    if str(total) in seen:
                        break
                    time.sleep(0.2)
                shown = {int(k): at for k, at in seen.items()}
                # A dot is on the page once a total that counts it is (two dots close together
                # may show as one step of two).
                latency[name] = [
                    (min(at for k, at in shown.items() if k >= n) - sent) / 1000
                    for n, sent in committed.items()
                    if any(k >= n for k in shown)
                ]
            load = os.getloadavg()[0]
            for name, values in latency.items():
                values.sort()
                missed = len(committed) - len(values)
                p95 = values[min(len(values) - 1, int(len(values) * 0.95))] if values else 0
                lines.append(
                    f"dot → {name}: p50 {statistics.median(values) * 1e3:.0f} ms,"
                    f" p95 {p95 * 1e3:.0f} ms, max {max(values) * 1e3:.0f} ms over"
                    f" {len(values)} dots ({missed} never shown); load average {load:.1f}"
                )
            browser.close()
    finally:
        server.stop()
        store.close()
    print("\n".join(lines))
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=float, default=60)
    parser.add_argument("--dots", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args()
    random.seed(arguments.seed)
    sys.exit(main(arguments))
