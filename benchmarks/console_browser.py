"""The facilitator's console with thousands of ideas, timed in a real browser.

The AppTest figures of ``bench_moderation_suggestions.py`` time the script; a facilitator waits
for more: the page's messages on the wire and the browser drawing every element (a select box
with 3,000 options is 3,000 strings to send and index). This script starts the real app
(``benchmarks/live_server.py``), seeds a meeting with N ideas (the labelled set's texts with a
random tail, as the suggestion benchmark does) of which a share is sorted into themes, logs a
facilitator in with Debian's chromium at laptop size and times, until the page has settled
(Streamlit's script state idle, nothing stale, no skeleton — the browser journeys' ``settle``),
and the server process's CPU seconds over the same span (less sensitive to a busy machine
than the wall clock; the console's timed panels refreshing meanwhile are included):

- opening the console (a fresh navigation; each repeat reloads) on its live tab;
- opening the moderation tab (only the open tab runs);
- picking an idea in the moderation tab's list (a tap, a rerun, the hide/edit/merge forms);
- a search in the moderation tab (type, Enter, the filtered list).

Run: ``python benchmarks/console_browser.py [--ideas 3000] [--repeat 5] [--themed 0.6]``
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_moderation_suggestions import scale_texts, seeded_meeting  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LAPTOP,
    PASSWORD,
    SETTLED,
    context,
    log_in,
    start_server,
)
from workshop.accounts import users as accounts  # noqa: E402
from workshop.i18n import translate  # noqa: E402
from workshop.meetings import themes  # noqa: E402
from workshop.model import Role  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def seed(path: Path, ideas: int, themed: float) -> int:
    store, meeting_id = seeded_meeting(path, scale_texts(ideas))
    accounts.create_user(store, "bench", PASSWORD, Role.FACILITATOR, "Bench Facilitator")
    fie = accounts.get_user_by_username(store, "bench")
    made = [themes.create_theme(store, meeting_id, f"Tema {n + 1}", actor=fie) for n in range(8)]
    rows = store.query("SELECT id FROM ideas WHERE meeting_id = ? ORDER BY id", [meeting_id])
    chosen = random.Random(7).sample(rows, int(len(rows) * themed))
    for n, theme in enumerate(made):
        share = [r["id"] for r in chosen[n :: len(made)]]
        themes.assign_ideas_to_theme(store, theme.id, share, actor=fie)
    store.close()
    return meeting_id


def settle(page) -> None:
    """The journeys' settle, with room for a slow page (a figure, not a test)."""
    page.wait_for_function(SETTLED, timeout=300_000)


def line(label: str, times: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in times]
    cpu = [c for _, c in times]
    return (
        f"  {label}: p50 {statistics.median(wall):.2f} s, p95 {p95(wall):.2f} s,"
        f" best {min(wall):.2f} s; server CPU p50 {statistics.median(cpu):.2f} s"
        f" ({len(times)} runs; load {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--themed", type=float, default=0.6, help="share of ideas in a theme")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-console-browser-"))
    meeting_id = seed(folder / "console.db", args.ideas, args.themed)
    server = start_server(folder / "console.db", env={"SAMSKAB_DEMO_DATA": "0"})
    opened: list[tuple[float, float]] = []  # (wall-clock s, server CPU s) per action
    moderation_tab: list[tuple[float, float]] = []
    picked: list[tuple[float, float]] = []
    searched: list[tuple[float, float]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ctx = context(browser, LAPTOP)
            ctx.set_default_timeout(120_000)
            page = ctx.new_page()
            log_in(page, server.url, "bench")
            url = f"{server.url}/console?meeting={meeting_id}"
            page.goto(url)  # the first visit starts the background suggestions
            settle(page)
            for _ in range(args.repeat):
                began, cpu = time.perf_counter(), server.cpu_seconds()
                page.goto(url)
                page.locator("[class*='st-key-console_live_']").first.wait_for()
                settle(page)
                opened.append((time.perf_counter() - began, server.cpu_seconds() - cpu))
                began, cpu = time.perf_counter(), server.cpu_seconds()
                page.get_by_role("tab", name=translate("da", "console.tab.moderate")).click()
                page.locator(".st-key-console_browse").wait_for()
                settle(page)
                moderation_tab.append((time.perf_counter() - began, server.cpu_seconds() - cpu))
                pick = page.locator("[class*='st-key-console_browse_pick_'] button").first
                began, cpu = time.perf_counter(), server.cpu_seconds()
                pick.click()
                page.locator("[class*='st-key-console_edit_text_']").wait_for(state="attached")
                settle(page)
                picked.append((time.perf_counter() - began, server.cpu_seconds() - cpu))
                search = page.locator(".st-key-console_browse_search input")
                search.fill(random.choice(["bænke", "skole", "cykel", "lys", "grøn"]))
                began, cpu = time.perf_counter(), server.cpu_seconds()
                search.press("Enter")
                settle(page)
                searched.append((time.perf_counter() - began, server.cpu_seconds() - cpu))
            browser.close()
    finally:
        server.stop()
    print(
        f"the console in chromium at {LAPTOP['viewport']['width']}x"
        f"{LAPTOP['viewport']['height']}, {args.ideas} ideas"
        f" ({args.themed:.0%} in 8 themes), until the page has settled"
    )
    print(line("open the console (its live tab)", opened))
    print(line("open the moderation tab", moderation_tab))
    print(line("pick an idea in the moderation list", picked))
    print(line("search the moderation list", searched))


if __name__ == "__main__":
    main()
