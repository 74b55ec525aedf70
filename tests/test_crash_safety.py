"""Crash safety: SIGKILL the server under load; every acknowledged write must survive.

Simulated phones (``benchmarks/stclient.py``, Streamlit's own websocket protocol) join two
meetings through the start page form (``?code=``): one meeting in a brainstorm, where they
post ideas with the idea box (``workshop/ui/idea_composer.py``), and one in a dot vote, where
they tap "+" on the dot ballot (``workshop/ui/dot_ballot.py``): as their JavaScript does, a
``POST`` to the URL in the component's data. A write counts as *acknowledged* when the phone
saw the proof: the idea's answer ("posted"), or the tap's answer (``mine``: the
participant's dots as the database holds them). In the middle of the load the server gets
SIGKILL (no shutdown, no checkpoint); it is restarted on the same file and must hold every
acknowledged idea and dot, with ``PRAGMA integrity_check`` ok. The same on PostgreSQL
(``SAMSKAB_TEST_DATABASE=postgresql``): the app killed is the app process; the database
server keeps what it acknowledged, and the restarted app serves it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import Server, start_server
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.link_secrets import hash_secret
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import live_server  # noqa: E402
import stclient  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]

IDEA_PHONES = 8
VOTE_PHONES = 6
DOTS = 20
SEEDED_IDEAS = 5
MAX_IDEAS_PER_PHONE = 400  # bounded loops: the kill comes long before
LOAD_SECONDS_BEFORE_KILL = 3.0
LOCALE = "en-GB"
BALLOT = "samskab.dots"  # workshop/ui/dot_ballot.py's component


def prepare(db_path: Path | str) -> tuple[str, str, list[int]]:
    """Two meetings on the database the server will use: one brainstorming, one voting."""
    store = open_store(db_path)
    staff = accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR)
    committee = committees.create_committee(store, "Crash test", "Survive", actor=staff)
    brainstorm = meetings.create_meeting(store, committee.id, "Ideas", actor=staff)
    meetings.next_step(store, brainstorm.id, actor=staff)
    vote = meetings.create_meeting(
        store,
        committee.id,
        "Votes",
        agenda=[StepSpec(StepKind.BRAINSTORM, "Ideas?"), StepSpec(StepKind.DOT_VOTE)],
        dots_per_participant=DOTS,
        actor=staff,
    )
    meetings.next_step(store, vote.id, actor=staff)
    seeded = [
        ideas.submit_on_behalf(store, vote.id, f"Seeded idea {n}", actor=staff).id
        for n in range(SEEDED_IDEAS)
    ]
    meetings.next_step(store, vote.id, actor=staff)  # → the dot vote
    store.close()
    return brainstorm.join_code, vote.join_code, seeded


async def join(url: str, code: str, name: str) -> tuple[stclient.StreamlitSession, str]:
    phone = stclient.StreamlitSession(url, query_string=f"code={code}", locale=LOCALE, timeout=20)
    await phone.connect()
    await phone.run()
    await phone.set_text("start_name", name)
    await phone.click(translate("en", "start.join"))
    token = phone.query_params.get("p", [""])[0]
    assert token, phone._describe()
    return phone, token


async def post_ideas(phone: stclient.StreamlitSession, name: str, acked: set[str]) -> None:
    for n in range(MAX_IDEAS_PER_PHONE):
        text = f"{name} idea {n}"
        try:
            answer = await live_server.post_idea(phone, text)
        except (stclient.StreamlitClientError, OSError):
            return  # the server is gone; this one was never acknowledged
        if live_server.posted(answer):
            acked.add(text)


def ballot(phone: stclient.StreamlitSession) -> dict:
    """The dot ballot's data on the phone's page (its ideas, round, the URL taps go to)."""
    found = phone.component(BALLOT)
    assert found is not None and isinstance(found.data, dict), phone._describe()
    return found.data


async def place_dots(
    phone: stclient.StreamlitSession, token: str, seeded: list[int], acked: dict[str, int]
) -> None:
    data = ballot(phone)
    for n in range(DOTS):
        tap = {"p": data["token"], "r": data["round"], "i": seeded[n % len(seeded)], "d": 1}
        try:
            answer = await phone.post_json(data["url"], {**tap, "l": data["lang"]})
        except (stclient.StreamlitClientError, OSError):
            return  # the server is gone; this tap was never acknowledged
        if answer.status == 200 and answer.body["ok"]:
            acked[token] = max(acked.get(token, 0), sum(dots for _, dots in answer.body["mine"]))
        await asyncio.sleep(0.15)  # a person taps, then looks


async def drive_and_kill(server: Server, codes: tuple[str, str], seeded: list[int]):
    idea_acks: set[str] = set()
    dot_acks: dict[str, int] = {}
    idea_phones = [await join(server.url, codes[0], f"i{n}") for n in range(IDEA_PHONES)]
    vote_phones = [await join(server.url, codes[1], f"v{n}") for n in range(VOTE_PHONES)]
    for phone, _ in vote_phones:  # the ballot offers the seeded ideas
        assert sorted(idea for idea, _ in ballot(phone)["ideas"]) == sorted(seeded)
    tasks = [
        asyncio.create_task(post_ideas(phone, f"i{n}", idea_acks))
        for n, (phone, _) in enumerate(idea_phones)
    ] + [
        asyncio.create_task(place_dots(phone, token, seeded, dot_acks))
        for phone, token in vote_phones
    ]
    await asyncio.sleep(LOAD_SECONDS_BEFORE_KILL)
    at_kill = len(idea_acks), sum(dot_acks.values())
    os.kill(server.process.pid, signal.SIGKILL)  # mid-load: no shutdown, no checkpoint
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
    for phone, _ in idea_phones + vote_phones:
        await phone.close()
    return idea_acks, dot_acks, at_kill


def test_sigkill_mid_load_loses_no_acknowledged_write(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.monotonic()
    db_path = tmp_path / "crash.db"
    database: Path | str = db_path
    env = {"SAMSKAB_IDEAS_PER_MINUTE": "100000"}
    if engine == "postgresql":
        monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
        database = request.getfixturevalue("fresh_postgres")()
        env["SAMSKAB_DATABASE_URL"] = database
    brainstorm_code, vote_code, seeded = prepare(database)
    codes = (brainstorm_code, vote_code)
    server = start_server(db_path, env=env)
    try:
        idea_acks, dot_acks, at_kill = asyncio.run(drive_and_kill(server, codes, seeded))
        assert server.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if server.process.poll() is None:
            server.process.kill()
    # The load was real: writes were being acknowledged when the server died.
    assert at_kill[0] >= 10 and at_kill[1] >= 5, at_kill

    restarted = start_server(db_path, env={k: v for k, v in env.items() if "DATABASE" in k})
    try:

        async def visit() -> None:  # the restarted app opens the database and serves a page
            async with stclient.StreamlitSession(restarted.url, locale=LOCALE) as phone:
                await phone.run()
                assert phone.has_text(translate("en", "start.title"))

        asyncio.run(visit())
        store = open_store(database)
        try:
            if engine == "sqlite":
                assert store.scalar("PRAGMA integrity_check") == "ok"
            stored = {r["text"] for r in store.query("SELECT text FROM ideas")}
            missing = sorted(idea_acks - stored)
            assert missing == [], f"{len(missing)} acknowledged ideas lost: {missing[:5]}"
            for token, acked in dot_acks.items():
                placed = store.scalar(
                    "SELECT COALESCE(SUM(e.value), 0) FROM ballot_entries e"
                    " JOIN ballots b ON b.id = e.ballot_id"
                    " JOIN participants p ON p.id = b.participant_id WHERE p.token = ?",
                    [hash_secret(token)],
                )
                assert placed >= acked, (token, placed, acked)
            # Double-check the one-ballot-per-round rule held under the crash.
            assert (
                store.scalar(
                    "SELECT COUNT(*) FROM (SELECT round_id, participant_id FROM ballots"
                    " GROUP BY 1, 2 HAVING COUNT(*) > 1) AS twice"
                )
                == 0
            )
        finally:
            store.close()
    finally:
        restarted.stop()
    print(
        f"\ncrash test [{engine}]: {len(idea_acks)} ideas and {sum(dot_acks.values())} dots"
        f" acknowledged, all present after SIGKILL; {time.monotonic() - started:.1f} s"
    )
