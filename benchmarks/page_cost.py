"""What one phone's page costs the server, in CPU: the figure that, times the room, decides how
long a step change takes to reach every phone.

Starts the real app (one process, ``streamlit run`` as in production) on a fresh database
with a dialogue session in its dot vote and ``--ideas`` ideas on the wall, joins one phone over
Streamlit's own websocket protocol (``stclient``), warms up, then measures the server process's
CPU time (user + system, from ``/proc``) over ``--runs`` runs of:

* the phone's whole page (what every phone runs when the facilitator moves on);
* what a step change told by push runs (the step component's state: the body fragment, or on
  the code before it, the whole page);
* the fragment the push connection reruns when it is told of a change that moves nothing.

Runs are one after another, so the figures are CPU per run, not latency under load. Example::

    python benchmarks/page_cost.py
    python benchmarks/page_cost.py --ideas 40 --runs 500
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import live_server
from stclient import StreamlitSession

from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas

PUSH_KEY = "samskab_push"
STEP_KEY = "samskab_step"  # push.follow_steps: what a step change told by push runs


async def measure(ideas_on_wall: int, runs: int) -> None:
    db_path = Path(tempfile.mkdtemp(prefix="samskab-page-cost-")) / "cost.db"
    store, _, meeting = live_server.seed(db_path, prompt="Hvad mangler parken?")
    meetings.next_step(store, meeting.id, actor=None)  # the brainstorm
    for n in range(ideas_on_wall):
        author = meetings.join_meeting(store, meeting.join_code, f"Forfatter {n}", client=f"a{n}")
        ideas.submit_idea(store, author, f"Idé nummer {n}: bænke og lys i parken")
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    store.close()
    server = live_server.start(db_path)
    try:
        query = f"code={meeting.join_code}"
        async with StreamlitSession(server.url, query_string=query) as phone:
            await phone.run()
            await phone.set_text("start_name", "Telefon")
            await phone.click(translate("da", "start.join"))
            for _ in range(10):  # warm: imports, caches, the first runs' one-off work
                await phone.run()
            before, started = server.cpu_seconds(), time.perf_counter()
            for _ in range(runs):
                await phone.run()
            page_cpu, page_wall = server.cpu_seconds() - before, time.perf_counter() - started
            elements = len(phone.elements)
            pushed = phone.has_component(PUSH_KEY)
            before, started = server.cpu_seconds(), time.perf_counter()
            if pushed:
                for n in range(runs):
                    state = {"live": {"c": 10_000 + n, "ok": True}}
                    await phone.set_component_state(PUSH_KEY, state)
            fragment_cpu = server.cpu_seconds() - before
            fragment_wall = time.perf_counter() - started
            stepped = phone.has_component(STEP_KEY)
            before, started = server.cpu_seconds(), time.perf_counter()
            received = phone.bytes_received
            if stepped:
                for n in range(runs):
                    state = {"moved": {"c": 20_000 + n, "asked": n + 1}}
                    await phone.set_component_state(STEP_KEY, state)
            step_cpu = server.cpu_seconds() - before
            step_wall = time.perf_counter() - started
            step_bytes = phone.bytes_received - received
    finally:
        server.stop()
    print(f"one phone in the dot vote, {ideas_on_wall} ideas on the wall, {runs} runs each")
    print(
        f"whole page: {1000 * page_cpu / runs:.1f} ms server CPU per run "
        f"({1000 * page_wall / runs:.1f} ms wall), {elements} elements on the page"
    )
    if stepped:
        print(
            f"a step change as push tells it (the step component): {1000 * step_cpu / runs:.1f}"
            f" ms server CPU per run ({1000 * step_wall / runs:.1f} ms wall),"
            f" {step_bytes / runs / 1000:.1f} kB to the phone (uncompressed)"
        )
    if pushed:
        print(
            f"pushed fragment run that finds nothing new: {1000 * fragment_cpu / runs:.1f} ms "
            f"server CPU ({1000 * fragment_wall / runs:.1f} ms wall)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=20, help="ideas on the wall (default 20)")
    parser.add_argument("--runs", type=int, default=300, help="runs measured (default 300)")
    args = parser.parse_args(argv)
    asyncio.run(measure(args.ideas, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
