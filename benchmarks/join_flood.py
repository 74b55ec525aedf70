"""How many participants can ONE scripted browser session mint per minute?

The attack from issue 14: a script opens the join link once (one Streamlit session over the
websocket, ``stclient``), presses *Join*, goes back to the join link in the same session and
presses *Join* again, as fast as the server answers. The app is started with
``workshop.devserver`` on a fresh database; the figure printed is the number of participants
the database holds afterwards, per minute of flooding.

    python benchmarks/join_flood.py --seconds 20

Prints one line ``joins per minute (one scripted session): N`` and what stopped the script.

``--venue N`` measures the other side of the limits: N phones, each its own session, behind
ONE network address (``X-Forwarded-For`` as nginx sends it, believed from loopback as in
deploy/samskab@.service) join within ``--ramp`` seconds; it prints how many got in and how
many were refused. With the defaults all 500 of a venue must get in within a minute.
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

from workshop.i18n import translate
from workshop.meetings import core as meetings

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


async def venue(url: str, code: str, phones: int, ramp: float) -> tuple[int, list[str], float]:
    """``phones`` fresh sessions from one address, spread over ``ramp`` seconds."""
    refused: list[str] = []
    started = time.monotonic()

    async def phone(n: int) -> bool:
        await asyncio.sleep(ramp * n / phones)
        s = StreamlitSession(url, f"code={code}", locale="da-DK", timeout=60)
        s.headers = {"X-Forwarded-For": "192.0.2.44"}
        async with s:
            await s.run()
            await s.set_text("start_name", f"Telefon {n}")
            await s.click(JOIN_LABEL)
            if s.query_params.get("p"):
                return True
            refused.extend(e.text for e in s.elements if e.kind == "alert")
            return False

    joined = await asyncio.gather(*(phone(n) for n in range(phones)))
    return sum(joined), refused, time.monotonic() - started


async def fresh_flood(url: str, code: str, seconds: float) -> tuple[int, list[str]]:
    """A script that opens a new session (a new "browser") for every join, one address."""
    presses = 0
    refusals: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = StreamlitSession(url, f"code={code}", locale="da-DK", timeout=30)
        s.headers = {"X-Forwarded-For": "198.51.100.66"}
        async with s:
            await s.run()
            await s.set_text("start_name", f"Bot {presses}")
            await s.click(JOIN_LABEL)
            presses += 1
            if not s.query_params.get("p"):
                refusals = [e.text for e in s.elements if e.kind == "alert"]
    return presses, refusals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long to flood")
    parser.add_argument("--venue", type=int, default=0, help="phones behind one address")
    parser.add_argument("--ramp", type=float, default=40, help="seconds the venue joins over")
    parser.add_argument(
        "--fresh", action="store_true", help="a new session for every join (one address)"
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="samskab-flood-"))
    store, user, meeting = live_server.seed(workdir / "flood.db", prompt="Hvad skal byen have?")
    meetings.next_step(store, meeting.id, actor=user)
    server = live_server.start(workdir / "flood.db", {"FORWARDED_ALLOW_IPS": "127.0.0.1"})
    if args.venue:
        try:
            check_loopback(server.url)
            got, refused, took = asyncio.run(
                venue(server.url, meeting.join_code, args.venue, args.ramp)
            )
        finally:
            server.stop()
        print(f"venue: {got}/{args.venue} phones behind one address joined in {took:.1f} s")
        print(f"refused: {len(refused)}" + (f" (e.g. {refused[0]})" if refused else ""))
        print(f"participants in the database: {meetings.count_participants(store, meeting.id)}")
        return 0
    try:
        check_loopback(server.url)
        started = time.monotonic()
        if args.fresh:
            presses, refusals = asyncio.run(
                fresh_flood(server.url, meeting.join_code, args.seconds)
            )
            tokens = 0
        else:
            presses, tokens, refusals = asyncio.run(
                flood(server.url, meeting.join_code, args.seconds)
            )
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    joined = meetings.count_participants(store, meeting.id)
    print(f"presses of Join: {presses} in {elapsed:.1f} s; tokens seen: {tokens}")
    print(f"participants in the database: {joined}")
    if refusals:
        print(f"last refusal shown: {refusals[-1]}")
    who = "one script, a new session per join" if args.fresh else "one scripted session"
    print(f"joins per minute ({who}): {joined / elapsed * 60:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
