"""The push route: a phone's one open connection that says when its meeting changed.

``GET /push/meeting?p=<participant link secret>`` answers with server-sent events
(``text/event-stream``): at once the meeting's current ``change_seq``, ``vote_seq`` and step
(``data: {"c": 12, "v": 40, "s": "running:7", "g": 1.0}``), then again each time they move
(``g``: the fewest seconds between two reruns for changes within a step, see ``gap``), and
an ``alive`` event (``event: alive``, ``data: 1``) after every ``heartbeat`` seconds without
a write (``SAMSKAB_PUSH_HEARTBEAT_SECONDS``, 10 s): proxies keep the connection open, and the
page, which sees named events (it does not see comments), can tell a quiet room from a dead
connection: a network that throws every byte away (Wi-Fi roaming, an expired NAT mapping)
closes nothing, so nothing else on the page ever noticed it (a phone stayed 150 s on the old
step in a fresh-eyes trial). The page opens the stream again when it heard nothing for
``silent_ms``. The numbers
come from this process's ``workshop.meetings.watch.Watcher``: one database read per tick for
all meetings followed here, however many phones follow them. An idle phone costs an open
connection and nothing else.

**New ideas travel in the event.** When the watcher read what changed within a step
(``workshop.meetings.watch.News``), the event also carries it: ``f`` (the ``change_seq`` the
news starts after), ``k`` (whether the ideas explain every change in between), ``i`` (the
ideas now on the wall: ``id``, ``seq``, ``text``, ``author`` (the name shown, '' when
anonymous), ``behalf`` (entered by the facilitator), ``edited``, and ``own`` for the phone's
own idea) and ``x`` (``[id, seq]`` of changed ideas no longer on the wall). A phone's
component (``workshop/ui/push.py``) draws the new ideas in its stream from this, as text, and
reruns the fragment that shows the meeting only for what needs the server (a new step, an
agreement, a hidden idea it shows, a gap in the numbers). The event never carries a hidden,
held or pre-moderated idea's text or name, nor any participant's id; the JSON encoding keeps
an idea's text on its one ``data:`` line whatever it contains.

**The room's screens follow the same route** (``workshop/ui/screen_push.py``): the projector
by its screen link secret (``?screen=<secret>``, the meeting of the secret whatever else the
address says), the facilitator's console by the staff session cookie (``?meeting=<id>``, for
a facilitator or an admin, who may open the console of any meeting). They are told the numbers
alone (``c``, ``v``, ``s``, ``g``), never an idea's text: they rerun their fragment on a change,
dots (``vote_seq``) included, at most once a second within a step. Before each write, and every
``RECHECK`` seconds in a quiet room, the route asks again whether the screen secret or the
staff session still holds (one indexed read; a handful of screens per meeting): a renewed
screen link, a logout or a deactivation closes the stream, so the page falls back to its timer
and its next run shows the link or the login gone.

Refused (nothing leaks: the answer does not say whether a meeting exists):

* an unknown, forged or too long link secret or screen secret, or none; a staff cookie that
  is forged, ended or expired, a politician's, or one that names no existing meeting: 403;
* more than ``PER_PARTICIPANT`` open connections for one participant, ``PER_SCREEN`` for one
  meeting's screen link, ``PER_STAFF`` for one staff session, or more than ``PER_PROCESS`` in
  this process: 429 with ``Retry-After`` (the page falls back to its timed refresh and says
  "reconnecting…"). There is no limit per address: a venue's phones share one public address
  behind its Wi-Fi.

A phone that was away (a dropped connection, a locked screen) is told the current numbers
when it connects again, without news: a gap, so it reruns once and catches up.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from workshop.accounts import sessions as staff_sessions
from workshop.errors import WorkshopError
from workshop.meetings import core as meetings
from workshop.meetings.watch import News, Version, Watcher
from workshop.ui.process import settings, store

PUSH_PATH = "/push/meeting"
ALIVE = "event: alive\ndata: 1\n\n"  # a named event: EventSource does not show comments
# How often a screen's or console's stream asks again whether its screen link or staff login
# still holds, when nothing happened: a deactivation or a logout elsewhere reached an open
# console within its 3 s timer before push, and does so now (one indexed read, no rerun).
RECHECK = 3.0
# How soon a phone's browser opens the stream again after it dropped (EventSource's retry): a
# phone back from a dropped network is told the current numbers at once on connecting, so
# this is most of how long it takes to catch up (2 s made it 3 s in all). A refused or failed
# answer (a server that is down) is not retried by the browser; the component waits 5 s.
RETRY_MS = 500


def heartbeat() -> float:
    """Seconds between two ``alive`` events on a stream with nothing else to say."""
    return settings().push_heartbeat_seconds


def silent_ms() -> int:
    """How long a page waits without hearing its stream before it opens it again: two and a
    half heartbeats (one late event is not a dead connection)."""
    return round(heartbeat() * 2500)


# The browser's side of a stream's liveness, shared by the phone's component (``push.py``) and
# the screens' (``screen_push.py``): ``listen(live, url, seen)`` opens the stream as
# ``live.source``, notes in ``live.heardAt`` when it last heard anything (the ``alive`` event
# included), hands each message to ``seen``, and, when ``live.revive`` says the stream had
# been silent, asks the rejoin component to prove the page's own connection alive;
# ``silent(live)`` says when it has heard nothing for too long.
LISTEN_JS = """
function listen(live, url, seen) {
  const source = (live.source = new EventSource(url));
  const heard = () => { live.heardAt = Date.now(); };
  heard();
  source.onopen = heard;
  source.addEventListener("alive", heard);  // the route's keep-alive: not dead, quiet
  source.onmessage = (event) => {
    heard();
    if (live.revive) {  // silent, now heard: the page's own connection may be dead
      live.revive = false;
      window.__samskabRejoinCheck?.();
    }
    seen(JSON.parse(event.data));
  };
  return source;
}

// Whether the stream has said nothing for too long: ``live.silent`` ms, or, once it was
// silent (``live.revive``), 2 s after it was opened again (the browser may have sent it on a
// kept-alive connection as dead as the first).
function silent(live) {
  const limit = live.revive ? Math.min(live.silent, 2000) : live.silent;
  return Boolean(live.silent) && Date.now() - live.heardAt > limit;
}
"""
PER_PARTICIPANT = 4  # a phone with a few tabs open, not a flood
PER_SCREEN = 4  # the projector's laptop and a spare screen or two, not a flood
PER_STAFF = 8  # a facilitator's console and projector tabs, more than one meeting
PER_PROCESS = 5000
BACKLOG = 100  # events waiting for one slow phone; more: it is told the latest alone (resyncs)
# A new idea reruns every phone's stream: in a busy brainstorm (10 ideas a second) a phone
# told of every one would rerun 5 times a second, and 300 phones told within 2 s saturated a
# process (room_load, 300 phones). So a phone follows a change of step at once but other
# changes at most once per ``gap`` seconds: at least MIN_GAP, and as many phones per second
# as the timed refresh budgets (``meetings.phone_refresh_seconds``: ~40 a second) when this
# process serves more. A busy brainstorm then costs what the timer cost; a quiet room, nothing.
MIN_GAP = 1.0
RERUNS_PER_SECOND = 40
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Accel-Buffering": "no",  # nginx: pass each event on at once
}

_watchers: dict[str, Watcher] = {}
_open: Counter[tuple[str, int]] = Counter()  # (kind, id) -> open connections
_lock = threading.Lock()
# The open streams (their loop and wake-up), for end_streams when the server stops.
_streams: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
_stopping = threading.Event()


def watcher() -> Watcher:
    """This process's watcher of the configured database."""
    db = store()
    with _lock:
        found = _watchers.get(db.path)
        if found is None:
            found = _watchers[db.path] = Watcher(db)
        return found


def gap(followers: int) -> float:
    """Seconds between two reruns of one phone for changes within a step."""
    return round(max(MIN_GAP, followers / RERUNS_PER_SECOND), 1)


def message(version: Version, followers: int, reader: int | None = None) -> dict[str, object]:
    """What one phone (participant ``reader``) is told of ``version``: only what every phone
    of the room may see, with ``own`` on the reader's own ideas."""
    told: dict[str, object] = {
        "c": version.change_seq,
        "v": version.vote_seq,
        "s": version.step,
        "g": gap(followers),
    }
    news: News | None = version.news
    if news is not None:
        told["f"] = news.after
        told["k"] = news.complete
        told["i"] = [
            {
                "id": idea.id,
                "seq": idea.seq,
                "text": idea.text,
                "author": idea.author,
                "behalf": idea.on_behalf,
                "edited": idea.edited,
                "own": reader is not None and idea.author_id == reader,
            }
            for idea in news.ideas
        ]
        told["x"] = [[idea_id, seq] for idea_id, seq in news.gone]
    return told


def _event(version: Version, followers: int, reader: int | None = None) -> str:
    news = version.news
    if news is None:
        return f"data: {json.dumps(message(version, followers, reader))}\n\n"
    # Worded once per tick for every phone but an idea's author (whose own idea is marked).
    author = reader is not None and any(idea.author_id == reader for idea in news.ideas)
    key = (gap(followers), reader if author else None)
    worded = news.worded.get(key)
    if worded is None:
        told = json.dumps(message(version, followers, reader if author else None))
        worded = news.worded[key] = f"data: {told}\n\n"
    return worded


class Outbox:
    """The watching thread's notifications handed to one event loop with ONE wake-up per
    tick: a tick tells every phone of a room, and a wake-up per phone (a write to the loop's
    self-pipe each) cost more than the events themselves at 300 phones."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = threading.Lock()
        self._items: list[tuple[Callable[[Version], None], Version]] = []
        self._scheduled = False

    def put(self, deliver: Callable[[Version], None], version: Version) -> None:
        """Called from any thread: ``deliver(version)`` runs soon on the loop."""
        with self._lock:
            self._items.append((deliver, version))
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._flush)
        except RuntimeError:  # the loop closed (a server stopping): nobody is left to tell
            with self._lock:
                self._items.clear()
                self._scheduled = False

    def _flush(self) -> None:
        with self._lock:
            items, self._items = self._items, []
            self._scheduled = False
        for deliver, version in items:
            deliver(version)


_outboxes: dict[asyncio.AbstractEventLoop, Outbox] = {}


def _outbox(loop: asyncio.AbstractEventLoop) -> Outbox:
    with _lock:
        found = _outboxes.get(loop)
        if found is None:
            for stale in [old for old in _outboxes if old.is_closed()]:
                del _outboxes[stale]
            found = _outboxes[loop] = Outbox(loop)
        return found


@dataclass(frozen=True)
class Follower:
    """Who opened a stream: whose connections count against which limit, the meeting they
    follow, and what they are told."""

    counted: tuple[str, int]  # ("participant", id), ("screen", meeting id), ("staff", session)
    limit: int
    meeting_id: int
    reader: int | None = None  # a phone: its participant, whose own ideas are marked
    screen: bool = False  # a projector or console: the numbers alone, at most once a second
    still: Callable[[], bool] | None = None  # asked again before each write (a screen, staff)


def _admit(follower: Follower) -> bool:
    with _lock:
        if _open[follower.counted] >= follower.limit or sum(_open.values()) >= PER_PROCESS:
            return False
        _open[follower.counted] += 1
        return True


def _leave(follower: Follower) -> None:
    with _lock:
        _open[follower.counted] -= 1
        if _open[follower.counted] <= 0:
            del _open[follower.counted]


def _screen_follower(token: str) -> Follower | None:
    """The projector opened by a meeting's screen link: follows that meeting while the link
    is the meeting's current one."""
    try:
        meeting = meetings.get_meeting_by_screen_token(store(), token)
    except WorkshopError:
        return None

    def still() -> bool:
        try:
            return meetings.get_meeting_by_screen_token(store(), token).id == meeting.id
        except WorkshopError:
            return False

    return Follower(("screen", meeting.id), PER_SCREEN, meeting.id, screen=True, still=still)


def _staff_follower(cookie: str | None, wanted: str) -> Follower | None:
    """A facilitator's or an admin's console (or projector) by the staff session cookie, as
    the console admits them (``require_role``; the meeting picker offers every meeting);
    followed while the session lives and the role allows it."""
    if not cookie or len(cookie) > 200 or not wanted.isdigit() or len(wanted) > 18:
        return None
    session = staff_sessions.resolve_session(store(), cookie)
    if session is None or not session.user.role.is_staff:
        return None
    try:
        meeting = meetings.get_meeting(store(), int(wanted))
    except WorkshopError:
        return None

    def still() -> bool:
        live = staff_sessions.resolve_session(store(), cookie)
        return live is not None and live.id == session.id and live.user.role.is_staff

    return Follower(("staff", session.id), PER_STAFF, meeting.id, screen=True, still=still)


def _follower(request: Request) -> Follower | None:
    """Who asks, or None (refused, whatever the reason). A participant's link secret wins,
    then a screen secret, then the staff cookie with ``?meeting=``."""
    params = request.query_params
    token = params.get("p", "")
    if token:
        if len(token) > 200:
            return None
        try:
            participant = meetings.get_participant(store(), token)
        except WorkshopError:
            return None
        return Follower(
            ("participant", participant.id),
            PER_PARTICIPANT,
            participant.meeting_id,
            reader=participant.id,
        )
    if "screen" in params:
        screen = params.get("screen", "")
        return _screen_follower(screen) if 0 < len(screen) <= 200 else None
    return _staff_follower(
        request.cookies.get(staff_sessions.COOKIE_NAME), params.get("meeting", "")
    )


def _screen_event(version: Version) -> str:
    """What a projector or a console is told: the numbers, never an idea."""
    numbers = Version(version.change_seq, version.vote_seq, version.step)  # no news
    return f"data: {json.dumps(message(numbers, followers=0))}\n\n"  # gap(0): MIN_GAP


async def follow(request: Request) -> Response:
    follower = await run_in_threadpool(_follower, request)
    if follower is None:
        return PlainTextResponse("forbidden", status_code=403, headers=HEADERS)
    if not _admit(follower):
        return PlainTextResponse(
            "too many connections", status_code=429, headers={**HEADERS, "Retry-After": "10"}
        )
    outbox = _outbox(asyncio.get_running_loop())
    changed = asyncio.Event()
    waiting: list[Version] = []  # in order: each event's news starts where the last ended

    def queue(version: Version) -> None:  # on the event loop
        if len(waiting) >= BACKLOG:  # a phone that does not read: the latest, no news
            waiting[:] = [Version(version.change_seq, version.vote_seq, version.step)]
        else:
            waiting.append(version)
        changed.set()

    def notify(version: Version) -> None:  # called from the watching thread
        outbox.put(queue, version)

    watching = watcher()  # once per connection, not per event
    still = follower.still

    async def events() -> AsyncIterator[str]:
        subscription = None
        stream = (asyncio.get_running_loop(), changed)
        with _lock:
            _streams.add(stream)
        try:
            subscription = await run_in_threadpool(watching.subscribe, follower.meeting_id, notify)
            yield f"retry: {RETRY_MS}\n\n"
            beat = heartbeat()
            wait = beat if still is None else min(beat, RECHECK)
            quiet = 0.0  # seconds since the last write
            while not _stopping.is_set():
                try:
                    async with asyncio.timeout(wait):  # no task per wait, as wait_for makes
                        await changed.wait()
                except TimeoutError:
                    if still is not None and not await run_in_threadpool(still):
                        return
                    quiet += wait
                    if quiet >= beat:
                        quiet = 0.0
                        yield ALIVE
                    continue
                if _stopping.is_set():
                    return
                quiet = 0.0
                changed.clear()
                told, waiting[:] = list(waiting), []
                # A screen link renewed or a login ended meanwhile: the stream ends, the page
                # falls back to its timer and its next run finds it out.
                if still is not None and not await run_in_threadpool(still):
                    return
                if follower.screen:
                    yield _screen_event(told[-1])  # the latest numbers say all a screen needs
                    continue
                followers = watching.followers()
                # One write for all that waited (each event is whole in itself).
                yield "".join(_event(version, followers, follower.reader) for version in told)
        finally:
            with _lock:
                _streams.discard(stream)
            if subscription is not None:
                subscription.close()
            _leave(follower)

    return StreamingResponse(events(), media_type="text/event-stream", headers=HEADERS)


def end_streams() -> None:
    """The server is stopping: every open stream ends now, and a stream opened later ends at
    once. uvicorn waits for every response in progress before it exits, and a stream never
    ends by itself: a Ctrl+C or systemd's stop hung for as long as a phone was connected (a
    fresh-eyes trial waited ten minutes). Safe from a signal handler (a write to the loops'
    self-pipes); the phones' EventSource then tries again, and finds the next server."""
    _stopping.set()
    with _lock:
        streams = list(_streams)
    for loop, changed in streams:
        loop.call_soon_threadsafe(changed.set)


def routes() -> list[BaseRoute]:
    return [Route(PUSH_PATH, follow, methods=["GET"])]
