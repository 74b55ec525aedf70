"""How many participants can ONE scripted browser session mint per minute?

The attack from issue 14: a script opens the join link once (one Streamlit session over the
websocket, ``stclient``), presses *Join*, goes back to the join link in the same session and
presses *Join* again, as fast as the server answers. The app is started with
``workshop.devserver`` on a fresh database; the figure printed is the number of participants
the database holds afterwards, per minute of flooding.

    python benchmarks/join_flood.py --seconds 20

Prints one line ``joins per minute (one scripted session): N`` and what stopped the script.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import live_server
from stclient import StreamlitClientError, StreamlitSession, check_loopback

from workshop import meetings
from workshop.i18n import translate

LANG = "da"
JOIN_LABEL = translate(LANG, "start.join")


async def flood(url: str, code: str, seconds: float) -> tuple[int, int, list[str]]:
    """Press Join again and again in one session; (presses, tokens seen, last refusals)."""
    presses = 0
    tokens: set[str] = set()
    refusals: list[str] = []
    deadline = time.monotonic() + seconds
    async with StreamlitSession(url, f"code={code}", locale="da-DK", timeout=30) as s:
        while time.monotonic() < deadline:
            await s.run(query_string=f"code={code}")
            try:
                await s.set_text("start_name", f"Bot {presses}")
            except StreamlitClientError:
                refusals = [e.text for e in s.elements if e.kind == "alert"]
                break  # no join form any more
            await s.click(JOIN_LABEL)
            presses += 1
            token = s.query_params.get("p", [""])[0]
            if token:
                tokens.add(token)
            else:
                refusals = [e.text for e in s.elements if e.kind == "alert"]
    return presses, len(tokens), refusals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long to flood")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="samskab-flood-"))
    store, user, meeting = live_server.seed(workdir / "flood.db", prompt="Hvad skal byen have?")
    meetings.next_step(store, meeting.id, actor=user)
    server = live_server.start(workdir / "flood.db")
    try:
        check_loopback(server.url)
        started = time.monotonic()
        presses, tokens, refusals = asyncio.run(flood(server.url, meeting.join_code, args.seconds))
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    joined = meetings.count_participants(store, meeting.id)
    print(f"presses of Join: {presses} in {elapsed:.1f} s; tokens seen: {tokens}")
    print(f"participants in the database: {joined}")
    if refusals:
        print(f"last refusal shown: {refusals[-1]}")
    print(f"joins per minute (one scripted session): {joined / elapsed * 60:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
