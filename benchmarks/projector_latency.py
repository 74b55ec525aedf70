"""Time from a citizen's submit to the idea being visible on the projector view.

How it measures (all on 127.0.0.1, bounded in count and time): the real app runs as a
subprocess. One ``stclient`` session plays a phone (a participant's ``?p=`` link) and posts
ideas in the chat stream; a second session plays the projector (the meeting's screen link)
and lets its wall fragment refresh on its own ``run_every`` timer, exactly as the browser's
``setInterval`` does. For each idea the clock starts when the phone sends the submit and
stops when a projector refresh that contains the idea's text has arrived. Between two
submissions the phone waits for a uniformly random moment of the projector's refresh cycle
(the next refresh plus 0–1 interval), as a citizen does not know when the wall refreshes.
The figure therefore includes the refresh interval (``SAMSKAB_PROJECTOR_REFRESH_SECONDS``,
default 2 s): it is what the room sees.

    python benchmarks/projector_latency.py              # 60 submissions, refresh 2 s
    python benchmarks/projector_latency.py --refresh 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import live_server
from stclient import Measure, StreamlitSession, check_loopback

from workshop.i18n import translate
from workshop.meetings import core as meetings

IDEA_SENT = translate("da", "participate.idea_sent")
MAX_SUBMISSIONS = 500


async def projector_loop(
    screen: StreamlitSession,
    pending: dict[str, float],
    seen: dict[str, float],
    stop: asyncio.Event,
    measure: Measure,
) -> None:
    while not stop.is_set():
        due = screen.next_auto_rerun_due()
        if due is None:
            await screen.run()
            continue
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        for latency in await screen.tick_auto_reruns():
            measure.add("projector_tick", latency)
        arrived = time.perf_counter()
        shown = " ".join(e.text for e in screen.elements if e.kind == "html")
        for text in list(pending):
            if text in shown:
                seen[text] = arrived - pending.pop(text)


async def main(args: argparse.Namespace) -> int:
    if not 1 <= args.submissions <= MAX_SUBMISSIONS:
        raise SystemExit(f"--submissions must be 1..{MAX_SUBMISSIONS}")
    workdir = Path(tempfile.mkdtemp(prefix="samskab-projector-"))
    store, user, meeting = live_server.seed(workdir / "p.db", prompt="Hvad skal byen have?")
    meetings.next_step(store, meeting.id, actor=user)
    citizen = meetings.join_meeting(store, meeting.join_code, "Anna", client="bench")
    server = live_server.start(
        workdir / "p.db",
        {"SAMSKAB_PROJECTOR_REFRESH_SECONDS": str(args.refresh), "SAMSKAB_IDEAS_PER_MINUTE": "60"},
    )
    check_loopback(server.url)
    measure = Measure()
    pending: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = asyncio.Event()
    deadline = time.monotonic() + args.max_seconds
    try:
        phone = StreamlitSession(server.url, f"p={citizen.token}")
        screen_link = meetings.screen_link_token(store, meeting.id)
        screen = StreamlitSession(server.url, f"screen={screen_link}")
        await phone.run()
        await screen.run()
        watcher = asyncio.create_task(projector_loop(screen, pending, seen, stop, measure))
        for number in range(1, args.submissions + 1):
            if time.monotonic() > deadline:
                break
            # Submit at a uniformly random moment of the projector's refresh cycle: a citizen
            # does not know when the wall refreshes.
            due = screen.next_auto_rerun_due()
            assert due is not None  # the projector's wall refreshes on a timer
            at = due + random.uniform(0, args.refresh)
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            text = f"Idé nummer {number} til væggen"
            pending[text] = time.perf_counter()
            latency = await measure.track("submit", phone.chat(text, key="participate_idea"))
            if latency is not None and not any(
                e.kind == "toast" and IDEA_SENT in e.text for e in phone.elements
            ):
                measure.add_error("submit", "not accepted")
            limit = time.monotonic() + args.refresh * 5 + 5
            while text in pending and time.monotonic() < limit:
                await asyncio.sleep(0.01)
            if text in seen:
                measure.add("visible", seen[text])
            else:
                pending.pop(text, None)
                measure.add_error("visible", f"{text!r} not on the projector in time")
        stop.set()
        watcher.cancel()
        await phone.close()
        await screen.close()
    finally:
        server.stop()
    print(f"submissions: {args.submissions}  projector refresh: {args.refresh:g} s  (127.0.0.1)")
    print(f"machine load average (2 cores, shared): {os.getloadavg()[0]:.1f}")
    print(measure.report())
    visible = measure.stats("visible")
    print(
        f"submit → visible on the projector: p50 {visible.p50 * 1e3:.0f} ms,"
        f" p95 {visible.p95 * 1e3:.0f} ms, max {visible.max * 1e3:.0f} ms"
        f" over {visible.count} ideas; errors {measure.error_count}"
    )
    return 0 if measure.error_count == 0 else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=60)
    parser.add_argument("--refresh", type=float, default=2.0)
    parser.add_argument("--max-seconds", type=float, default=400)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    arguments = parse_args()
    random.seed(arguments.seed)
    sys.exit(asyncio.run(main(arguments)))
