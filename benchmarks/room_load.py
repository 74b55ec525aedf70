"""A room of N phones against the real app: join, read the stream, post ideas, place dots.

What it does, in order (all traffic to 127.0.0.1 only, every loop bounded in time):

1. Seeds a fresh database (a facilitator and a dialogue session: brainstorm → dot vote →
   wrap-up), starts the brainstorm, and starts the app with ``streamlit run`` as a
   subprocess, configured as in production.
2. **join**: N simulated phones (``stclient``: Streamlit's own websocket protocol) open the
   join link ``?code=…`` and press *Join*, spread over ``--ramp`` seconds.
3. **brainstorm** (``--brainstorm`` s): every phone lets its stream fragment refresh on its
   ``run_every`` timer (bucket ``stream``) and posts an idea about every ``--idea-every`` s
   (bucket ``idea``; uniform 0.5–1.5× jitter) as the idea box's JavaScript does
   (``workshop/ui/idea_composer.py``: a POST to ``/push/ideas``, no run).
4. The facilitator moves to the dot vote (a service call on the same database file); phones
   follow by push (or, on the old code, on their next refresh): bucket ``step_seen`` is the
   time from the step change until each phone shows the ballot: as its step component does,
   it first asks the ballot route (``workshop/ui/ballot_routes.py``, bucket ``early``) and
   shows the ballot of its answer, then its body runs; ``step_run`` is the time until the
   page's run holds the ballot, the ``samskab.dots`` component
   (``workshop/ui/dot_ballot.py``) with ideas in its data.
5. **vote** (``--vote`` s): every phone taps + (or − when its dots are used up) about every
   ``--vote-every`` s, while its watch fragment keeps refreshing. As the ballot's JavaScript
   does, a tap is no Streamlit run but a ``POST`` of ``{"p", "r", "i", "d", "l"}`` to the URL
   in the component's data (``/push/dots``; through nginx with ``--processes`` above 1), on one
   keep-alive connection per phone; which ideas can take + or − comes from the data's
   ``ideas`` and ``cap`` and the dots the phone knows (``mine``, ``left``: the data's when the
   fragment drew the ballot anew, else the last answer's). Bucket ``vote``: from sending a tap
   to its answer. A refused tap (200 with ``ok: false``) and any other status (409, 429, …)
   are errors; after a failed tap other than a 429 the phone reruns the ballot's fragment, as
   the component does (bucket ``sync``).
6. Checks that every idea the phones were shown as accepted is in the database, that every
   phone's dots are in the database as the last answer to its taps acknowledged them (the
   answer's ``mine``), and that no idea was stored twice.

Propagation: a phone of this code keeps what its push component keeps in a browser, one
server-sent-events connection to ``/push/meeting``. As the component does, it draws the new
ideas an event carries without a run when the event follows on from what it knows and
explains every change (the brainstorm stream only); any other new ``change_seq`` reruns its
fragment (bucket ``push``) at once for a new step, otherwise at most once per the gap the
route says. ``idea_seen`` is the time from a phone's idea submit until another phone shows
it, drawn by a run or from a pushed event (only ideas that reach a phone's window of the 12
newest are counted).

It prints p50 / p95 / max latency per action (send → the run's final ``script_finished``; for
a tap, send → its answer), throughput, errors, the server's memory, and the check. Example::

    python benchmarks/room_load.py -n 50
    python benchmarks/room_load.py -n 500 --ramp 30 --brainstorm 60 --vote 60
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import live_server
from stclient import Element, Measure, StreamlitClientError, StreamlitSession, check_loopback

from workshop.i18n import translate
from workshop.meetings import core as meetings

LANG = "da"
JOIN_LABEL = translate(LANG, "start.join")
MAX_PHONES = 1000  # issue 17: 1,000 phones on 2 processes
PUSH_KEY = "samskab_push"  # workshop/ui/push.py's component
STEP_KEY = "samskab_step"  # ... and its step component, outside the fragments
STEP = "samskab.step"  # ... registered as
PUSH_PATH = "/push/meeting"
BALLOT = "samskab.dots"  # workshop/ui/dot_ballot.py's component: its registered name ...
BALLOT_KEY = "samskab_dots"  # ... and its key
IDEA_TEXT = re.compile(r"Idé (\d+) fra telefon (\d+)")  # shown escaped for markdown
SENT: dict[tuple[str, str], float] = {}  # (idea count, phone index) -> when it was sent
BRAINSTORM = [True]  # idea_seen counts only in the brainstorm (ballots show old ideas too)
MOVED = [0.0]  # when the facilitator moved to the vote


@dataclass
class Phone:
    index: int
    session: StreamlitSession
    behind_proxy: bool = False  # nginx in front: load the page first for its routing cookie
    token: str = ""
    ideas_acked: list[str] = field(default_factory=list)
    # The ballot as its component knows it: idea id -> the phone's dots, and the dots left;
    # from the component's data when the fragment drew it anew (``drawn``), else the last answer.
    mine: dict[int, int] = field(default_factory=dict)
    left: int = 0
    drawn: Element | None = None
    dots_acked: dict[int, int] | None = None  # the last answer's "mine"; None: no answer yet
    syncs: int = 0  # the component's "sync" state: fragment reruns after a failed tap
    refused: list[str] = field(default_factory=list)
    seen_ideas: set[tuple[str, str]] = field(default_factory=set)
    shown_seq: int | None = None  # the change_seq its push component last told the server
    pushes: int = 0
    steps_asked: int = 0  # the step component's "moved" state: whole-page runs asked for
    drawn_by_push: int = 0  # ideas its push component drew from an event, without a run
    early_at: float | None = None  # when it drew the ballot the ballot route answered


def observe(phone: Phone, measure: Measure, texts: list[str] | None = None) -> None:
    """Propagation: the first time this phone shows an idea another phone sent, how long after
    the send (bucket ``idea_seen``). ``texts``: ideas its push component drew from an event
    (else what the page's last run drew)."""
    now = time.monotonic()
    if not BRAINSTORM[0]:
        return
    if texts is None:
        texts = [element.text or "" for element in phone.session.elements]
    for text in texts:
        for found in IDEA_TEXT.findall(text):
            if found in phone.seen_ideas:
                continue
            phone.seen_ideas.add(found)
            sent = SENT.get(found)
            if sent is not None and found[1] != str(phone.index):
                measure.add("idea_seen", now - sent)


async def listen(phone: Phone, measure: Measure, base_url: str, stop: float) -> None:
    """What the push component does in a browser: one server-sent-events connection to the
    app's push route; a new ``change_seq`` sets the component's state, which reruns the one
    fragment that shows the room, and a new step the step component's, which runs the whole
    page (bucket ``push``). A phone of the old code has no component
    and only its timers."""
    if not phone.session.has_component(PUSH_KEY):
        return
    url = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    reading: asyncio.Task | None = None
    try:
        # With the page's cookies, as the browser's EventSource: behind nginx its routing
        # cookie sends the stream to the process that runs the phone's page (without it, half
        # the streams went to the other process, whose telling of its own phones then waited
        # behind the first process's phones' runs: told p95 1.0 s instead of 0.2 s).
        head = [f"GET {PUSH_PATH}?p={phone.token} HTTP/1.1", f"Host: {url.netloc}"]
        head.append("Accept: text/event-stream")
        if cookies := phone.session.cookie_header():
            head.append(f"Cookie: {cookies}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        status = await reader.readline()
        if b" 200 " not in status:
            measure.add_error("push", f"push route answered {status!r}")
            return
        chunked = False
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        lines: asyncio.Queue[bytes] = asyncio.Queue()
        reading = asyncio.create_task(body_lines(reader, chunked, lines))
        step, latest, last_at, due, known = "", 0, 0.0, None, 0

        def take(message: dict) -> bool:
            """As the component: draw an event's new ideas without a run when it follows on
            from what the phone knows and explains every change (the stream only)."""
            nonlocal known
            if not BRAINSTORM[0] or not message.get("k") or message.get("f", known + 1) > known:
                return False
            fresh = [i for i in message.get("i", []) if i["seq"] > known and not i["own"]]
            phone.drawn_by_push += len(fresh)
            observe(phone, measure, [i["text"] for i in fresh])
            known = message["c"]
            return True

        async def push(seq: int, moved: bool = False) -> bool:
            nonlocal known
            before, phone.shown_seq = phone.shown_seq, seq
            if moved and phone.session.has_component(STEP_KEY):
                # As the step component: the ballot route first (its answer is drawn at once,
                # no run), then the body runs.
                await draw_early(phone, measure)
                phone.steps_asked += 1
                state = {"moved": {"c": seq, "asked": phone.steps_asked}}
                rerun = phone.session.set_component_state(STEP_KEY, state)
            else:
                rerun = phone.session.set_component_state(
                    PUSH_KEY, {"live": {"c": seq, "ok": True}}
                )
            latency = await measure.track("push", rerun)
            if latency is None:  # timed out here; a browser would still get the run: retry
                phone.shown_seq = before
                return False
            phone.pushes += 1
            known = max(known, seq)
            observe(phone, measure)
            return True

        # As the component: a new step at once, other changes at most once per "g" seconds.
        while (now := time.monotonic()) < stop:
            try:
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel
                # that lands as the queue yields a line, and the listener then outlived the run
                # by minutes (48 of 300 at the end of a 300-phone run).
                async with asyncio.timeout((due or stop) - now):
                    line = await lines.get()
            except TimeoutError:
                if due is not None and time.monotonic() >= due:
                    due, last_at = None, time.monotonic()
                    if not await push(latest):
                        due = time.monotonic() + 1
                continue
            if not line:
                measure.add_error("push", "push connection closed")
                return
            if not line.startswith(b"data: {"):  # an event, not the keep-alive
                continue
            message = json.loads(line[6:])
            if message["s"] != step and step and not BRAINSTORM[0]:
                measure.add("step_told", time.monotonic() - MOVED[0])
            if phone.shown_seq is None:  # what the page was drawn with
                phone.shown_seq, step, known = message["c"], message["s"], message["c"]
                continue
            moved, step = message["s"] != step, message["s"]
            if not moved and (message["c"] <= known or take(message)):
                continue
            latest = max(latest, message["c"])
            if latest == phone.shown_seq:
                continue
            if moved or now - last_at >= message["g"]:
                due, last_at = None, now
                if not await push(latest, moved):
                    due = time.monotonic() + 1
            elif due is None:
                due = last_at + message["g"]
    except Exception as error:  # a listener that dies must show, not pass silently
        measure.add_error("push", f"listener: {error!r}")
    finally:
        if reading is not None:
            reading.cancel()
        writer.close()


async def draw_early(phone: Phone, measure: Measure) -> None:
    """What the step component does at a step change before it asks for the body's run: ask
    the ballot route for this phone's first page (bucket ``early``: send → answer) and, when
    the answer holds a ballot, draw it (``early_at``: when the phone shows the ballot)."""
    step = phone.session.component(STEP)
    asked = step.data.get("ballot") if step is not None and isinstance(step.data, dict) else None
    if not asked:
        return  # the code before the ballot route
    try:
        answer = await phone.session.post_json(asked["url"], {"p": asked["token"], "l": LANG})
    except StreamlitClientError as error:  # the run draws the step, as without the route
        measure.add_error("early", error)
        return
    reply = answer.body if isinstance(answer.body, dict) else {}
    if answer.status != 200:
        measure.add_error("early", f"HTTP {answer.status}")
        return
    measure.add("early", answer.latency)
    if reply.get("ballot") and phone.early_at is None and not BRAINSTORM[0]:
        phone.early_at = time.monotonic()
    if reply.get("ballot"):  # the run is asked when the route said
        wait = min(reply.get("wait") or 0, 800) + random.uniform(
            0, min(reply.get("spread") or 0, 2200)
        )
        await asyncio.sleep(wait / 1000)


async def body_lines(reader: asyncio.StreamReader, chunked: bool, out: asyncio.Queue) -> None:
    """The response body's lines, as a browser's EventSource reads them: HTTP/1.1 chunks
    (nginx may cut an event anywhere between two chunks) joined before splitting lines; an
    empty line at the end when the connection closes."""
    buffer = b""
    try:
        while True:
            if chunked:
                size_line = await reader.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16) if size_line else 0
                if size == 0:
                    break
                data = await reader.readexactly(size)
                await reader.readline()  # the CRLF after a chunk
            else:
                data = await reader.read(65536)
                if not data:
                    break
            buffer += data
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                out.put_nowait(line.rstrip(b"\r") + b"\n")
    except (OSError, asyncio.IncompleteReadError, ValueError):
        pass
    out.put_nowait(b"")


def alerts(session: StreamlitSession) -> list[str]:
    return [e.text for e in session.elements if e.kind == "alert"]


async def tick(phone: Phone, measure: Measure, bucket: str) -> None:
    due = phone.session.due_auto_reruns()
    if not due:
        return
    try:
        for latency in await phone.session.tick_auto_reruns():
            measure.add(bucket, latency)
    except StreamlitClientError as error:
        measure.add_error(bucket, error)


async def join(phone: Phone, measure: Measure) -> bool:
    s = phone.session
    try:
        if phone.behind_proxy:
            await s.load_page()
        await s.connect()
        await measure.track("open", s.run(), reraise=True)
        await s.set_text("start_name", f"Telefon {phone.index}")  # in a form: no rerun
        await measure.track("join", s.click(JOIN_LABEL), reraise=True)
    except StreamlitClientError:
        return False
    token = s.query_params.get("p", [""])[0]
    if not token:
        measure.add_error("join", f"no participant token: {alerts(s)}")
        return False
    phone.token = token
    return True


async def doze(phone: Phone, *deadlines: float) -> None:
    """Sleep until the first of ``deadlines`` or the phone's next run_every timer."""
    timer = phone.session.next_auto_rerun_due()
    wake = min(deadlines if timer is None else (*deadlines, timer))
    await asyncio.sleep(max(0.01, wake - time.monotonic()))


async def wait_ticking(phone: Phone, measure: Measure, until: float, bucket: str) -> None:
    """A joined phone waits as a browser does: its run_every timers keep firing."""
    while time.monotonic() < until:
        await tick(phone, measure, bucket)
        await doze(phone, until)


def next_time(now: float, every: float) -> float:
    return now + random.uniform(0.5, 1.5) * every


async def brainstorm(phone: Phone, measure: Measure, until: float, every: float) -> None:
    due_idea = time.monotonic() + random.uniform(0, every)
    count = 0
    while (now := time.monotonic()) < until:
        await tick(phone, measure, "stream")
        observe(phone, measure)
        if now >= due_idea:
            count += 1
            text = f"Idé {count} fra telefon {phone.index}: flere bænke ved åen"
            SENT[(str(count), str(phone.index))] = time.monotonic()
            await post_idea(phone, measure, text)
            due_idea = next_time(due_idea, every)
        await doze(phone, due_idea, until)


async def post_idea(phone: Phone, measure: Measure, text: str) -> None:
    """One idea, as the idea box's JavaScript sends it (``live_server.post_idea``: a POST, no
    run). Bucket ``idea``: send → answer; acknowledged when the answer says it was posted."""
    try:
        answer = await live_server.post_idea(phone.session, text)
    except StreamlitClientError as error:  # no answer: the box says so, keeps the text
        measure.add_error("idea", error)
        return
    if answer is None:
        return  # no idea box on the page now (the step moved on, ideas closed)
    if live_server.posted(answer):
        measure.add("idea", answer.latency)
        phone.ideas_acked.append(text)
    else:
        reply = answer.body.get("message") if isinstance(answer.body, dict) else answer.body
        phone.refused.append(f"idea: {answer.status} {reply}")
        measure.add_error("idea", f"not accepted: {answer.status} {reply}")


def ballot_data(phone: Phone) -> tuple[Element | None, dict]:
    """The ballot component on the phone's page and its data ({} when there is none)."""
    ballot = phone.session.component(BALLOT)
    data = ballot.data if ballot is not None else None
    return ballot, data if isinstance(data, dict) else {}


def read_ballot(phone: Phone) -> tuple[list[int], list[int]]:
    """Ideas on the ballot's page whose + and − can be used now, as its JavaScript decides:
    + while dots are left and the idea is under the cap, − while the idea has a dot. A ballot
    drawn anew by a fragment run brings the page's reading of the database (``mine``, ``left``);
    otherwise the phone knows its dots from its last tap's answer."""
    ballot, data = ballot_data(phone)
    if ballot is None or not data:
        return [], []
    if ballot is not phone.drawn:
        phone.drawn = ballot
        phone.mine = {int(idea): int(dots) for idea, dots in data["mine"]}
        phone.left = int(data["left"])
    cap = data["cap"]
    ideas = [int(idea) for idea, _ in data["ideas"]]
    plus = [i for i in ideas if phone.left > 0 and (cap is None or phone.mine.get(i, 0) < cap)]
    minus = [i for i in ideas if phone.mine.get(i, 0) > 0]
    return plus, minus


async def tap(phone: Phone, measure: Measure, idea_id: int, way: int) -> None:
    """One tap on + (``way`` 1) or − (-1), as the ballot's JavaScript sends it: a POST to the
    URL in its data on the phone's own connection, no run. Bucket ``vote``: send → answer (200
    only). The answer's ``mine`` is what the server acknowledged."""
    _, data = ballot_data(phone)
    body = {"p": data["token"], "r": data["round"], "i": idea_id, "d": way, "l": data["lang"]}
    try:
        answer = await phone.session.post_json(data["url"], body)
    except StreamlitClientError as error:  # no answer: the component says so and reruns
        measure.add_error("vote", error)
        await resync(phone, measure)
        return
    reply = answer.body if isinstance(answer.body, dict) else {}
    if answer.status == 200 and isinstance(reply.get("mine"), list):
        measure.add("vote", answer.latency)
        phone.mine = {int(idea): int(dots) for idea, dots in reply["mine"]}
        phone.left = int(reply["left"])
        phone.dots_acked = dict(phone.mine)
        # A ballot drawn while the tap travelled is not read again: the answer is newer.
        phone.drawn = phone.session.component(BALLOT)
        if not reply.get("ok"):
            phone.refused.append(f"vote: {reply.get('message')}")
            measure.add_error("vote", f"refused: {reply.get('message')}")
        return
    measure.add_error("vote", f"HTTP {answer.status}: {reply.get('message') or answer.body}")
    if answer.status != 429:  # the component reruns its fragment to read the truth
        await resync(phone, measure)


async def resync(phone: Phone, measure: Measure) -> None:
    """What the ballot does after a tap that failed (not a 429): set its ``sync`` state, which
    reruns its fragment (bucket ``sync``)."""
    phone.syncs += 1
    state = {"sync": phone.syncs}
    await measure.track("sync", phone.session.set_component_state(BALLOT_KEY, state))


async def vote(phone: Phone, measure: Measure, until: float, every: float) -> None:
    due_vote = time.monotonic() + random.uniform(0, every)
    while (now := time.monotonic()) < until:
        await tick(phone, measure, "watch")
        if now >= due_vote:
            plus, minus = read_ballot(phone)
            if plus and (not minus or random.random() < 0.6):
                await tap(phone, measure, random.choice(plus), 1)
            elif minus:
                await tap(phone, measure, random.choice(minus), -1)
            due_vote = next_time(due_vote, every)
        await doze(phone, due_vote, until)


async def wait_for_ballot(
    phone: Phone, measure: Measure, until: float, moved: float | None = None
) -> bool:
    """The phone follows the room to the vote (by push, or on its next refresh); with
    ``moved``, records how long after the step change its page held the ballot component
    with ideas (``step_seen``)."""
    while time.monotonic() < until:
        await tick(phone, measure, "watch")
        # Looked at after the timers' runs and before waiting, with no await in between: a
        # run drawn meanwhile is not missed.
        if ballot_data(phone)[1].get("ideas"):
            if moved is not None:
                now = time.monotonic()
                shown = now if phone.early_at is None else min(now, phone.early_at)
                measure.add("step_seen", shown - moved)
                measure.add("step_run", now - moved)
            return True
        timer = phone.session.next_auto_rerun_due()
        await phone.session.drawn(max(0.01, min(until, timer or until) - time.monotonic()))
    return False


async def sample_memory(server: live_server.LiveServer, peak: list[float], stop: float) -> None:
    while time.monotonic() < stop:
        peak[0] = max(peak[0], server.rss_mb())
        await asyncio.sleep(1)


def verify(store, meeting_id: int, phones: list[Phone]) -> dict[str, int]:
    """Every accepted idea is in the database, no idea stored twice, and each phone's dots
    are as the last answer to its taps acknowledged them (every idea of the round)."""
    from workshop.link_secrets import hash_secret  # the database keeps only the digest
    from workshop.voting import ballots as voting

    rows = store.query(
        "SELECT p.token, i.text FROM ideas i JOIN participants p ON p.id = i.participant_id"
        " WHERE i.meeting_id = ?",
        [meeting_id],
    )
    stored: dict[tuple[str, str], int] = {}
    for row in rows:
        stored[(row["token"], row["text"])] = stored.get((row["token"], row["text"]), 0) + 1
    acked = [(hash_secret(p.token), text) for p in phones for text in p.ideas_acked]
    lost_ideas = sum(1 for key in acked if key not in stored)
    doubles = sum(n - 1 for n in stored.values() if n > 1)
    vote_round = voting.latest_round(store, meeting_id)
    lost_dots = checked_dots = 0
    if vote_round is not None:
        by_token = {
            r["token"]: r["id"]
            for r in store.query(
                "SELECT id, token FROM participants WHERE meeting_id = ?", [meeting_id]
            )
        }
        for phone in phones:
            if not phone.token or phone.dots_acked is None:
                continue
            in_db = voting.my_dots(store, vote_round.id, by_token[hash_secret(phone.token)])
            mine = phone.dots_acked
            checked_dots += sum(mine.values())
            lost_dots += sum(abs(in_db.get(i, 0) - mine.get(i, 0)) for i in {*in_db, *mine})
    return {
        "ideas_acknowledged": len(acked),
        "ideas_in_db": len(rows),
        "ideas_lost": lost_ideas,
        "ideas_stored_twice": doubles,
        "dots_acknowledged": checked_dots,
        "dots_mismatched": lost_dots,
    }


def fresh_postgres(server_url: str) -> str:
    """A new, empty database on the PostgreSQL server of ``server_url`` (its user must be
    allowed to create databases), named ``samskab_room_<pid>_<time>``; its URL."""
    import psycopg

    base, _, _ = server_url.partition("?")[0].rpartition("/")
    name = f"samskab_room_{os.getpid()}_{int(time.time())}"
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def drop_postgres(server_url: str, url: str) -> None:
    import psycopg

    name = url.rpartition("/")[2]
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def main(args: argparse.Namespace) -> int:
    if not 1 <= args.phones <= MAX_PHONES:
        raise SystemExit(f"--phones must be 1..{MAX_PHONES}")
    workdir = Path(tempfile.mkdtemp(prefix="samskab-room-"))
    env = {
        "SAMSKAB_CITIZEN_REFRESH_SECONDS": str(args.refresh),
        "SAMSKAB_IDEAS_PER_MINUTE": "30",
    }
    database: str | Path = workdir / "room.db"
    if args.database_url:
        database = fresh_postgres(args.database_url)
        # Every app process (and this one, which seeds) derives links with the same key.
        os.environ.setdefault("SAMSKAB_SECRET_KEY", "room_load benchmark key")
        env["SAMSKAB_DATABASE_URL"] = database
        print(f"PostgreSQL database {database.rpartition('/')[2]} (dropped at the end)")
    try:
        return await room(args, workdir, database, env)
    finally:
        if args.database_url:
            drop_postgres(args.database_url, str(database))


async def room(
    args: argparse.Namespace, workdir: Path, database: str | Path, env: dict[str, str]
) -> int:
    store, user, meeting = live_server.seed(database, prompt="Hvad skal byen have?")  # type: ignore[arg-type]
    meetings.next_step(store, meeting.id, actor=user)
    server: live_server.LiveServer | live_server.Cluster
    if args.processes > 1:
        server = live_server.start_cluster(workdir / "room.db", args.processes, env)
        backends = [s.url for s in server.servers]
    else:
        server = live_server.start(workdir / "room.db", env)
        backends = [server.url]
    check_loopback(server.url)
    hard_stop = time.monotonic() + args.max_seconds
    measure = Measure()
    peak = [0.0]
    memory_task = asyncio.create_task(sample_memory(server, peak, hard_stop))
    phones = [
        Phone(
            i,
            StreamlitSession(server.url, f"code={meeting.join_code}", timeout=args.timeout),
            behind_proxy=args.processes > 1,
        )
        for i in range(args.phones)
    ]
    listeners: list[asyncio.Task] = []
    try:
        # One page load first, as after any deploy: the first run imports the app's modules.
        for backend in backends:
            async with StreamlitSession(backend, f"code={meeting.join_code}") as warm:
                await warm.run()
        rss_idle = server.rss_mb()
        cpu_start = server.cpu_seconds()
        client_cpu_start = time.process_time()
        load_start = os.getloadavg()[0]
        print(f"server pid {server.pid} at {server.url}, idle RSS {rss_idle:.0f} MB", flush=True)

        # -- join, spread over the ramp ------------------------------------------------------
        started = time.monotonic()

        ramp_end = started + args.ramp
        last_join = [started]  # when the last phone was in

        async def join_later(phone: Phone) -> bool:
            await asyncio.sleep(args.ramp * phone.index / max(1, len(phones)))
            joined = await join(phone, measure)
            last_join[0] = max(last_join[0], time.monotonic())
            if joined:  # the phone shows the stream until the last one has joined
                listeners.append(asyncio.create_task(listen(phone, measure, server.url, hard_stop)))
                await wait_ticking(phone, measure, min(ramp_end, hard_stop), "stream")
            return joined

        joined = await asyncio.gather(*(join_later(p) for p in phones))
        join_seconds = last_join[0] - started
        live = [p for p, ok in zip(phones, joined, strict=True) if ok]
        print(f"joined {len(live)}/{len(phones)} in {join_seconds:.1f} s", flush=True)
        if isinstance(server, live_server.Cluster):
            spread = "/".join(str(n) for n in server.sessions())
            print(f"sessions per process (nginx routing by cookie): {spread}", flush=True)

        # -- brainstorm ----------------------------------------------------------------------
        phase = time.monotonic()
        until = min(phase + args.brainstorm, hard_stop)
        await asyncio.gather(*(brainstorm(p, measure, until, args.idea_every) for p in live))
        brainstorm_seconds = time.monotonic() - phase

        # -- the facilitator moves on; phones follow -----------------------------------------
        BRAINSTORM[0] = False
        MOVED[0] = time.monotonic()
        client_cpu_moved, server_cpu_moved = time.process_time(), server.cpu_seconds()
        meetings.next_step(store, meeting.id, actor=user)
        moved = time.monotonic()
        # The write itself, in this process (the listeners wait meanwhile: told counts it).
        print(f"step change written in {1000 * (moved - MOVED[0]):.0f} ms", flush=True)
        follow_until = min(moved + max(args.refresh * 4 + 30, args.follow_wait), hard_stop)
        followed = await asyncio.gather(
            *(wait_for_ballot(p, measure, follow_until, moved) for p in live)
        )
        follow_seconds = time.monotonic() - moved
        server_cpu_followed = server.cpu_seconds() - server_cpu_moved
        print(
            f"{sum(followed)}/{len(live)} phones on the ballot {follow_seconds:.1f} s after the"
            f" step changed (CPU meanwhile: the server {server_cpu_followed:.1f} s,"
            f" the load generator {time.process_time() - client_cpu_moved:.1f} s, of the same"
            " 2 cores)",
            flush=True,
        )

        phase = time.monotonic()
        until = min(phase + args.vote, hard_stop)
        voters = [p for p, ok in zip(live, followed, strict=True) if ok]
        await asyncio.gather(*(vote(p, measure, until, args.vote_every) for p in voters))
        vote_seconds = time.monotonic() - phase
        rss_end = server.rss_mb()
        cpu_used = server.cpu_seconds() - cpu_start
        phone_minutes = len(live) * (time.monotonic() - started) / 60
        client_cpu = time.process_time() - client_cpu_start
        load_end = os.getloadavg()[0]
        check = verify(store, meeting.id, live)
    finally:
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)  # before the sessions close
        # All at once and bounded: one by one, a server slow to answer each close handshake
        # (websockets waits up to 10 s for it) kept a 1,000-phone run closing for over an hour.
        with contextlib.suppress(Exception):  # closing is best effort
            async with asyncio.timeout(30):
                await asyncio.gather(
                    *(phone.session.close() for phone in phones), return_exceptions=True
                )
        memory_task.cancel()
        server.stop()
        store.close()

    summary = measure.summary()
    print()
    where = (
        f"{args.processes} app processes behind nginx" if args.processes > 1 else "one app process"
    )
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"phones: {args.phones}  refresh base: {args.refresh:g} s  ({where} on 127.0.0.1, {engine})"
    )
    print(
        f"phone refresh under this load: "
        f"{meetings.phone_refresh_seconds(args.refresh, len(live)):g} s"
    )
    print(measure.report())
    print()
    for bucket, seconds in (
        ("idea", brainstorm_seconds),
        ("stream", brainstorm_seconds),
        ("vote", vote_seconds),
        ("watch", vote_seconds + follow_seconds),
    ):
        if bucket in summary:
            print(f"throughput {bucket:<7} {summary[bucket].count / seconds:7.1f} /s")
    # step_seen, step_run, step_told and idea_seen are propagation times, not requests
    total = sum(
        s.count
        for b, s in summary.items()
        if b not in {"step_seen", "step_run", "step_told", "idea_seen"}
    )
    print(f"requests: {total}  errors: {measure.error_count}")
    for bucket, errors in measure.errors.items():
        for text in sorted(set(errors))[:3]:
            print(f"  {bucket}: {text[:160]}")
    print(f"joined: {len(live)}/{args.phones} in {join_seconds:.1f} s")
    print(
        f"server CPU: {cpu_used:.1f} s for {total} requests"
        f" = {cpu_used / max(1, total) * 1e3:.1f} ms per request"
    )
    print(
        f"server CPU per phone-minute: {cpu_used / max(phone_minutes, 1e-9) * 1e3:.1f} ms"
        f" ({phone_minutes:.0f} phone-minutes from the first join to the end)"
    )
    pushed = sum(p.pushes for p in live)
    print(
        f"push: {sum(p.shown_seq is not None for p in live)}/{len(live)} phones connected,"
        f" {pushed} pushed fragment runs, {sum(p.drawn_by_push for p in live)} ideas drawn"
        " from pushed events without a run"
    )
    print(f"load generator CPU (this process, same 2 cores): {client_cpu:.1f} s")
    print(
        f"machine load average (2 cores, shared): {load_start:.1f} at start, {load_end:.1f} at end"
    )
    print(f"server RSS: idle {rss_idle:.0f} MB, peak {peak[0]:.0f} MB, end {rss_end:.0f} MB")
    print("check: " + ", ".join(f"{k}={v}" for k, v in check.items()))
    ok = (
        check["ideas_lost"] == 0
        and check["ideas_stored_twice"] == 0
        and check["dots_mismatched"] == 0
        and len(live) == args.phones
    )
    print("RESULT: " + ("no lost writes" if ok else "LOST OR DOUBLE WRITES / FAILED JOINS"))
    return 0 if ok else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--phones", type=int, default=50)
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which phones join")
    parser.add_argument("--brainstorm", type=float, default=45, help="seconds of brainstorm")
    parser.add_argument("--vote", type=float, default=45, help="seconds of dot voting")
    parser.add_argument("--idea-every", type=float, default=10)
    parser.add_argument("--vote-every", type=float, default=3)
    parser.add_argument("--refresh", type=float, default=5, help="SAMSKAB_CITIZEN_REFRESH_SECONDS")
    parser.add_argument("--timeout", type=float, default=30, help="per request")
    parser.add_argument(
        "--follow-wait", type=float, default=50, help="seconds phones have to reach the ballot"
    )
    parser.add_argument("--max-seconds", type=float, default=420, help="hard bound on the run")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="app processes; above 1 they run behind nginx as in docs/deployment.md",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="postgresql://… of a PostgreSQL server: the room runs on a new database there"
        " (created, dropped at the end) instead of a SQLite file",
    )
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("--database-url must be a postgresql:// URL")
    return args


if __name__ == "__main__":
    # A stopped benchmark still stops its server (the finally blocks run on SIGTERM too).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    arguments = parse_args()
    random.seed(arguments.seed)
    sys.exit(asyncio.run(main(arguments)))
