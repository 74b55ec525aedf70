"""Time from a citizen's submit to the idea being visible on the projector view.

How it measures (all on 127.0.0.1, bounded in count and time): the real app runs as a
subprocess. One ``stclient`` session plays a phone (a participant's ``?p=`` link) and posts
ideas in the chat stream; a second session plays the projector (the meeting's screen link).
For each idea the clock starts when the phone sends the submit and stops when a projector
run that contains the idea's text has arrived.

* **By push** (a projector with ``workshop/ui/screen_push.py``'s component): the projector
  session does what the component does in a browser: one server-sent-events connection to
  ``/push/meeting?screen=…``, and a rerun of its slide (the component's state set) when the
  numbers moved past what it drew, at once the first time, then at most once per the gap the
  route sends (1 s). The phone submits at random moments 0.5–1.5 refresh intervals apart.
* **By timer** (the code before, or a projector whose push failed): the slide reruns on its
  own ``run_every`` timer, exactly as the browser's ``setInterval`` does; the phone submits
  at a uniformly random moment of the refresh cycle, so the figure includes the interval
  (``SAMSKAB_PROJECTOR_REFRESH_SECONDS``).

    python benchmarks/projector_latency.py              # 60 submissions, refresh 2 s
    python benchmarks/projector_latency.py --refresh 1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import live_server
from room_load import body_lines
from stclient import Measure, StreamlitSession, check_loopback

from workshop.i18n import translate
from workshop.meetings import core as meetings

IDEA_SENT = translate("da", "participate.idea_sent")
MAX_SUBMISSIONS = 500
SCREEN_PUSH_KEY = "samskab_screen_push"  # workshop/ui/screen_push.py's component
PUSH_PATH = "/push/meeting"


def _look(screen: StreamlitSession, pending: dict[str, float], seen: dict[str, float]) -> None:
    arrived = time.perf_counter()
    shown = " ".join(e.text for e in screen.elements if e.kind == "html")
    for text in list(pending):
        if text in shown:
            seen[text] = arrived - pending.pop(text)


async def follow_by_push(
    screen: StreamlitSession,
    base_url: str,
    token: str,
    pending: dict[str, float],
    seen: dict[str, float],
    stop: asyncio.Event,
    measure: Measure,
) -> None:
    """What the screen's push component does in a browser (see the module's docstring)."""
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    lines: asyncio.Queue[bytes] = asyncio.Queue()
    reading: asyncio.Task | None = None
    try:
        writer.write(
            f"GET {PUSH_PATH}?screen={quote(token, safe='')} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        status = await reader.readline()
        if b" 200 " not in status:
            measure.add_error("push", f"push route answered {status!r}")
            return
        chunked = False
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        reading = asyncio.create_task(body_lines(reader, chunked, lines))
        drawn: tuple[int, int] | None = None
        latest = (0, 0)
        last_at, due, asked = 0.0, None, 0

        async def rerun() -> None:
            nonlocal asked, drawn, last_at
            asked += 1
            last_at = time.monotonic()
            drawn = latest
            state = {"live": {"ok": True, "n": asked}}
            latency = await measure.track(
                "projector_push", screen.set_component_state(SCREEN_PUSH_KEY, state)
            )
            if latency is not None:
                _look(screen, pending, seen)

        while not stop.is_set():
            try:
                async with asyncio.timeout(0.5 if due is None else max(0, due - time.monotonic())):
                    line = await lines.get()
            except TimeoutError:
                if due is not None and time.monotonic() >= due:
                    due = None
                    await rerun()
                continue
            if not line:
                measure.add_error("push", "push connection closed")
                return
            if not line.startswith(b"data: {"):  # an event, not the keep-alive
                continue
            message = json.loads(line[6:])
            latest = (message["c"], message["v"])
            if drawn is None:  # what the page was drawn with
                drawn = latest
                continue
            if latest[0] <= drawn[0] and latest[1] <= drawn[1]:
                continue
            gap = message.get("g", 1)
            if time.monotonic() - last_at >= gap:
                due = None
                await rerun()
            elif due is None:
                due = last_at + gap
    finally:
        if reading is not None:
            reading.cancel()
        writer.close()


async def follow_by_timer(
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
        _look(screen, pending, seen)


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
    pushed = False
    try:
        phone = StreamlitSession(server.url, f"p={citizen.token}")
        screen_link = meetings.screen_link_token(store, meeting.id)
        screen = StreamlitSession(server.url, f"screen={screen_link}")
        await phone.run()
        await screen.run()
        pushed = screen.has_component(SCREEN_PUSH_KEY)
        assert screen_link is not None
        watcher = asyncio.create_task(
            follow_by_push(screen, server.url, screen_link, pending, seen, stop, measure)
            if pushed
            else follow_by_timer(screen, pending, seen, stop, measure)
        )
        for number in range(1, args.submissions + 1):
            if time.monotonic() > deadline:
                break
            if pushed:  # no refresh cycle: a random moment
                await asyncio.sleep(random.uniform(0.5, 1.5) * args.refresh)
            else:
                # Submit at a uniformly random moment of the projector's refresh cycle: a
                # citizen does not know when the wall refreshes.
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
    how = "push" if pushed else f"refresh {args.refresh:g} s"
    print(f"submissions: {args.submissions}  projector by {how}  (127.0.0.1)")
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
