"""Two app processes on one PostgreSQL behind the project's nginx: phones on either process see
each other's ideas by push, and when one process is killed mid-brainstorm (SIGKILL) no idea a
phone was told was saved is lost, and its phones carry on through the other process as the
same participants (their link secret, not the dead process's memory, says who they are).

``benchmarks/live_server.start_cluster`` starts the topology of docs/deployment.md ("Several
app hosts": here two processes on this machine, two ports, nginx in front). Runs when the
suite runs on PostgreSQL (``SAMSKAB_TEST_DATABASE=postgresql``); skipped on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import live_server  # noqa: E402
import stclient  # noqa: E402
from room_load import JOIN_LABEL, PUSH_PATH, body_lines  # noqa: E402

from workshop.link_secrets import hash_secret  # noqa: E402
from workshop.meetings import core as meetings  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]


@pytest.fixture(autouse=True)
def postgres_only(engine: str) -> None:
    if engine != "postgresql":
        pytest.skip("PostgreSQL only: several app hosts share one PostgreSQL")


@dataclass
class Phone:
    name: str
    session: stclient.StreamlitSession
    host: int = -1  # index of the app process its session is on
    token: str = ""
    acked: list[str] = field(default_factory=list)
    after_failover: list[str] = field(default_factory=list)
    sent: dict[str, float] = field(default_factory=dict)  # idea text -> when it was sent
    pushed: dict[str, float] = field(default_factory=dict)  # idea text -> when an event had it
    errors: list[str] = field(default_factory=list)


async def join(phone: Phone, sessions: Callable[[], list[int]]) -> None:
    """As a browser: the page (nginx's route cookie), the websocket, the name, *Join*; which
    process took the session (its count of active sessions went up)."""
    before = sessions()
    s = phone.session
    await s.load_page()
    await s.connect()
    await s.run()
    after = sessions()
    moved = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if b > a]
    assert len(moved) == 1, (before, after)
    phone.host = moved[0]
    await s.set_text("start_name", phone.name)
    await s.click(JOIN_LABEL)
    phone.token = s.query_params.get("p", [""])[0]
    assert phone.token, [e.text for e in s.elements if e.kind == "alert"]


async def submit(phone: Phone, text: str) -> bool:
    """Post an idea as the idea box does; True when the phone was told it was posted."""
    phone.sent[text] = time.monotonic()
    try:
        answer = await live_server.post_idea(phone.session, text, timeout=15)
    except (stclient.StreamlitClientError, OSError) as error:
        phone.errors.append(repr(error))
        return False
    if live_server.posted(answer):
        phone.acked.append(text)
        return True
    phone.errors.append(f"not acknowledged: {answer and (answer.status, answer.body)}")
    return False


async def listen(phone: Phone, base_url: str, stop: asyncio.Event) -> None:
    """The phone's push connection (as its component's EventSource, with the route cookie):
    every idea an event carries, with when it came. Reconnects as EventSource does."""
    url = urlsplit(base_url)
    while not stop.is_set():
        reading = None
        writer = None
        try:
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
            cookie = "; ".join(f"{k}={v}" for k, v in phone.session.cookies.items())
            writer.write(
                f"GET {PUSH_PATH}?p={phone.token} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Cookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            status = await reader.readline()
            chunked = False
            while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.decode("latin-1").partition(":")
                chunked |= name.strip().lower() == "transfer-encoding" and "chunked" in value
            if b" 200 " in status:
                lines: asyncio.Queue[bytes] = asyncio.Queue()
                reading = asyncio.create_task(body_lines(reader, chunked, lines))
                while (line := await lines.get()) != b"":
                    if line.startswith(b"data: {"):  # an event, not the keep-alive
                        for idea in json.loads(line[6:]).get("i", []):
                            phone.pushed.setdefault(idea["text"], time.monotonic())
        except OSError:
            pass
        finally:
            if reading is not None:
                reading.cancel()
            if writer is not None:
                writer.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)  # EventSource's retry


async def listening(url: str, expected: int, timeout: float = 10) -> int:
    """How many connections to the database LISTEN for meeting changes (one per app process
    whose phones follow a meeting), once it is ``expected`` or the time is up."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        with psycopg.connect(url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query = 'LISTEN samskab_meeting'"
            ).fetchone()
        found = int(row[0]) if row else 0
        if found == expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.1)


async def seen_by(phones: list[Phone], text: str, sent: float, timeout: float) -> float | None:
    """Seconds from ``sent`` until every phone's push connection carried ``text``, or None."""
    while time.monotonic() - sent < timeout:
        if all(text in p.pushed for p in phones):
            return max(p.pushed[text] for p in phones) - sent
        await asyncio.sleep(0.02)
    return None


def test_phones_on_two_hosts_push_to_each_other_and_survive_a_killed_host(
    tmp_path: Path, fresh_postgres: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_postgres()
    # Every host derives link secrets with the same key (docs/deployment.md).
    monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
    store, user, meeting = live_server.seed(url, prompt="Hvad skal byen have?")  # type: ignore[arg-type]
    meetings.next_step(store, meeting.id, actor=user)
    env = {"SAMSKAB_DATABASE_URL": url, "SAMSKAB_IDEAS_PER_MINUTE": "60"}
    cluster = live_server.start_cluster(tmp_path / "unused.db", 2, env)
    random.seed(20)
    try:
        report = asyncio.run(_room(cluster, meeting.join_code, url))
        rows = store.query(
            "SELECT p.token, p.id, i.text FROM ideas i"
            " JOIN participants p ON p.id = i.participant_id WHERE i.meeting_id = ?",
            [meeting.id],
        )
    finally:
        cluster.stop()
        store.close()
    phones: list[Phone] = report["phones"]
    stored = {(r["token"], r["text"]) for r in rows}
    acked = [(hash_secret(p.token), text) for p in phones for text in p.acked]
    lost = [a for a in acked if a not in stored]
    moved = [p for p in phones if p.host == 0]
    print(
        f"\nfailover: acknowledged {len(acked)}, stored {len(rows)}, lost {len(lost)};"
        f" ideas pushed across hosts in {report['a_to_b']:.2f} s (A→B),"
        f" {report['b_to_a']:.2f} s (B→A); {len(moved)} phones moved from A to B,"
        f" {sum(len(p.after_failover) for p in moved)} of their ideas acknowledged by B,"
        f" pushed to B's phones in {report['after']:.2f} s"
    )
    assert lost == []
    assert len(rows) == len(set((r["token"], r["text"]) for r in rows))  # none stored twice
    assert len(acked) <= len(rows)
    # A's phones went on through B as the same participants (their ideas after the kill are
    # stored under the participant they joined as).
    for phone in moved:
        assert phone.after_failover, (phone.name, phone.errors)
        for text in phone.after_failover:
            assert (hash_secret(phone.token), text) in stored


async def _room(cluster: live_server.Cluster, code: str, url: str) -> dict[str, object]:
    phones: list[Phone] = []
    stop = asyncio.Event()
    listeners: list[asyncio.Task[None]] = []
    try:
        # Phones join through nginx until each process has two (its route cookie decides).
        while min(sum(p.host == h for p in phones) for h in (0, 1)) < 2:
            assert len(phones) < 24, [p.host for p in phones]
            phone = Phone(
                f"Telefon {len(phones)}", stclient.StreamlitSession(cluster.url, f"code={code}")
            )
            await join(phone, cluster.sessions)
            phones.append(phone)
            listeners.append(asyncio.create_task(listen(phone, cluster.url, stop)))
        on_a = [p for p in phones if p.host == 0]
        on_b = [p for p in phones if p.host == 1]
        await asyncio.sleep(0.5)  # every push connection open (each says its numbers first)
        # Each process's watcher holds one listening connection, whatever its phones.
        assert await listening(url, 2) == 2

        # An idea from host A reaches host B's phones by push, and one from B reaches A's.
        sent = time.monotonic()
        assert await submit(on_a[0], "Fra vært A: flere bænke")
        a_to_b = await seen_by(on_b, "Fra vært A: flere bænke", sent, 5)
        sent = time.monotonic()
        assert await submit(on_b[0], "Fra vært B: lys på stien")
        b_to_a = await seen_by(on_a, "Fra vært B: lys på stien", sent, 5)
        assert a_to_b is not None and b_to_a is not None, (a_to_b, b_to_a)

        # Mid-brainstorm: every phone posts, and host A is killed while they do.
        killed = asyncio.Event()

        async def brainstorm(phone: Phone, until: float) -> None:
            count = 0
            while time.monotonic() < until:
                count += 1
                text = f"Idé {count} fra {phone.name}"
                was_killed = killed.is_set()
                if await submit(phone, text):
                    if phone.host == 0 and was_killed:
                        phone.after_failover.append(text)
                elif killed.is_set() and phone.host == 0:
                    # The websocket to A is gone: the browser reconnects (nginx sends it to B)
                    # and loads the page again with its link (?p=…) — a new session on B.
                    with contextlib.suppress(Exception):
                        await phone.session.close()
                    with contextlib.suppress(stclient.StreamlitClientError, OSError):
                        await phone.session.connect(resume=True)  # as the browser does
                        await phone.session.run()
                await asyncio.sleep(random.uniform(0.6, 1.4))

        until = time.monotonic() + 14
        posting = [asyncio.create_task(brainstorm(p, until)) for p in phones]
        await asyncio.sleep(4)
        cluster.servers[0].process.kill()  # SIGKILL: no shutdown, no goodbye
        killed.set()
        await asyncio.gather(*posting)
        assert await listening(url, 1) == 1  # A's went with it; B's listens on

        # After the kill B's phones still hear of A's former phones' ideas, by push.
        mover = next(p for p in on_a if p.after_failover)
        last = mover.after_failover[-1]
        after = await seen_by(on_b, last, mover.sent[last], 5)
        assert after is not None
        return {"phones": phones, "a_to_b": a_to_b, "b_to_a": b_to_a, "after": after}
    finally:
        stop.set()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        for phone in phones:
            with contextlib.suppress(Exception):
                await phone.session.close()
