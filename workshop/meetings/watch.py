"""Watch the database for meetings that phones follow, once per tick per process.

A phone learns of a change by push (``workshop/ui/push_routes.py``): it holds one open
server-sent-events connection, and the server tells it the meeting's sequence numbers
(``change_seq``: anything a phone must see; ``vote_seq``: dots) when they move. The server
learns of a change here: one ``Watcher`` per process reads, every ``interval`` seconds, the
sequence numbers of every meeting that has at least one subscriber, in ONE query, and wakes
the subscribers of the meetings whose numbers moved. The database stays the only source of
truth, so several app processes on one database file stay correct without talking to each
other: each watches the file (a write in one process is seen by the others at their next
tick). The cost is one indexed SELECT per tick per process, whatever the number of phones;
with no subscriber the watching thread stops.

**On PostgreSQL the database tells.** Every committed change of what phones follow NOTIFYs
the channel ``samskab_meeting`` with the meeting's id (a trigger, ``workshop.schema_pg``), so
several app hosts on one database learn of each other's writes without looking: the watcher
of each process holds ONE listening connection (``PgStore.listener``) and reads only the
meetings it was told of (those it follows), at most once per ``interval`` (notifications
that arrive meanwhile are read together, in one query), so an idle room costs one read per
``safety`` seconds instead of five a second: that look reads every followed meeting, as
does one at once after (re)connecting, so a missed notification or a dropped connection
costs at most one late look, never a lost change. Without a listening connection it looks
every ``interval``.

**What changed, read once for every phone.** When a meeting's ``change_seq`` moved within a
step, the watcher also reads the ideas changed since its last look (one more indexed SELECT
per moved meeting per tick, however many phones follow it) and hands them to the subscribers
with the new version (``News``): a new idea is then drawn on every phone by its push
component from those few fields, and no phone reruns its stream for it. Only what every
phone of the room may see is kept: an idea on the wall (not hidden, held for personal data,
pre-moderated or merged) gives its id, text, the name it is shown under and whether it was
edited; any other changed idea gives its id alone (``gone``: a phone that shows it must ask
the server again). ``complete`` says whether the ideas explain every step of ``change_seq``
(each change of an idea takes one number); when something else moved too (a theme, an
agreement, an idea changed twice), phones ask the server as before.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from workshop.db import PgListener, Store
from workshop.meetings.ideas import idea_from_row

INTERVAL = 0.2  # seconds between two looks at the database
# A busy process tells news less often: each change within a step sends an event to every
# phone that follows the room, and at 150 phones a look every 0.2 s was 750 events a second
# per process (a sixth of its CPU in a 300-phone brainstorm, py-spy). Ideas still reach phones
# well within the 2 s the issue asks. A new step is told at the first look after it: the
# watcher looked only every 0.5 s when busy, and the step reached 500 phones up to 0.5 s late
# (room_load, 500 phones: told p50 0.3 s, p95 1.0 s).
BUSY_FOLLOWERS = 100
BUSY_INTERVAL = 0.5
# PostgreSQL tells the watcher which meetings changed (LISTEN/NOTIFY); it still looks at every
# followed meeting this often, in case a notification was missed.
SAFETY_POLL = 5.0
SLICE = 0.5  # the longest one wait for a notification (a watcher nobody follows stops)
# Ideas read per moved meeting per tick; more at once and every phone asks the server (a
# fragment run each). 50 was passed at 1,000 phones posting every 10 s (~46 ideas a busy
# tick, more with the jitter): 5,000 pushed runs in a minute, and the step change told 5 s
# late (room_load -n 1000). 200 a tick is 400 ideas a second in one room.
NEWS_LIMIT = 200


@dataclass(frozen=True)
class PushedIdea:
    """An idea on the wall as every phone of the room sees it in its stream. ``author_id`` is
    kept for the route to mark a phone's own idea and is never sent."""

    id: int
    seq: int
    text: str
    author: str  # the name it is shown under ('' : anonymous)
    on_behalf: bool
    edited: bool
    author_id: int | None


@dataclass(frozen=True)
class News:
    """The ideas changed after ``after`` up to ``upto`` (a meeting's ``change_seq``)."""

    after: int
    upto: int
    ideas: tuple[PushedIdea, ...]
    gone: tuple[tuple[int, int], ...]  # (id, seq) of changed ideas no longer on the wall
    complete: bool  # every number in (after, upto] is an idea's change listed here
    # The event as written for the route (by gap and, for an author, reader): worded once
    # for the hundreds of phones that are told the same.
    worded: dict[object, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Version:
    """What a phone compares: the meeting's ``change_seq`` and ``vote_seq``, and where the
    room is (``step``: status, current step and whether it takes ideas), which a phone must
    follow at once. ``news``: what changed since the version before, when it was read."""

    change_seq: int
    vote_seq: int
    step: str = ""
    news: News | None = field(default=None, compare=False)


def read_news(store: Store, meeting_id: int, after: int, upto: int) -> News:
    """The ideas of ``meeting_id`` changed in ``(after, upto]``, split into those on the wall
    (sent with their text) and those that left it or never reached it (their id alone)."""
    rows = store.query(
        "SELECT * FROM ideas WHERE meeting_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
        [meeting_id, after, upto, NEWS_LIMIT + 1],
    )
    shown: list[PushedIdea] = []
    gone: list[tuple[int, int]] = []
    for idea in (idea_from_row(r) for r in rows[:NEWS_LIMIT]):
        if idea.hidden or idea.held or idea.merged_into_id is not None:
            gone.append((idea.id, idea.seq))
        else:
            shown.append(
                PushedIdea(
                    idea.id,
                    idea.seq,
                    idea.text,
                    idea.author_name,
                    idea.on_behalf,
                    idea.edited,
                    idea.participant_id,
                )
            )
    complete = len(rows) <= NEWS_LIMIT and len({r["seq"] for r in rows}) == upto - after
    return News(after, upto, tuple(shown), tuple(gone), complete)


def step_mark(status: object, step_id: int | None, intake_open: object) -> str:
    """Where a room is, as a ``Version`` and the push route say it: status, current step and
    whether it takes ideas (``running:7:1``)."""
    return f"{status}:{step_id}:{int(bool(intake_open))}"


GONE = Version(-1, -1, "gone")  # the meeting no longer exists (a restore): phones reload


class Subscription:
    """One follower of one meeting; ``notify`` is called (from the watching thread) with each
    new ``Version``, and once at once with the current one."""

    def __init__(
        self, watcher: Watcher, meeting_id: int, notify: Callable[[Version], None]
    ) -> None:
        self.watcher = watcher
        self.meeting_id = meeting_id
        self.notify = notify

    def close(self) -> None:
        self.watcher.unsubscribe(self)


class Watcher:
    """The meetings followed in this process and their last seen versions."""

    def __init__(
        self,
        store: Store,
        *,
        interval: float = INTERVAL,
        background: bool = True,
        safety: float = SAFETY_POLL,
    ) -> None:
        self.store = store
        self.interval = interval
        self.safety = safety
        # False: no thread of its own; whoever holds the watcher calls ``tick`` (tests: a
        # thread's first look, late on a busy machine, raced the test's own ticks).
        self.background = background
        self._lock = threading.Lock()
        self._followers: dict[int, set[Subscription]] = {}
        self._seen: dict[int, Version] = {}
        self._told_at: dict[int, float] = {}  # meeting -> when its subscribers were last told
        self.held: set[int] = set()  # meetings whose change the last look kept for later
        self.due: float | None = None  # when the first of them may be told (monotonic)
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.reads = 0  # database reads made (for tests and benchmarks)
        self.looked: list[int] = []  # the meetings of the last look
        self.listens = 0  # listening connections opened (PostgreSQL; a reconnect adds one)
        self.listener_pid: int | None = None  # the server process of the one now open

    # -- followers ---------------------------------------------------------------------------
    def subscribe(self, meeting_id: int, notify: Callable[[Version], None]) -> Subscription:
        subscription = Subscription(self, meeting_id, notify)
        with self._lock:
            self._followers.setdefault(meeting_id, set()).add(subscription)
            known = self._seen.get(meeting_id)
        if known is None:
            known = self._read([meeting_id]).get(meeting_id, GONE)
            with self._lock:
                self._seen.setdefault(meeting_id, known)
        notify(known)
        self._ensure_running()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            followers = self._followers.get(subscription.meeting_id)
            if followers is None:
                return
            followers.discard(subscription)
            if not followers:
                del self._followers[subscription.meeting_id]
                self._seen.pop(subscription.meeting_id, None)
                self._told_at.pop(subscription.meeting_id, None)

    def meetings(self) -> list[int]:
        """The meetings watched now (those with a subscriber)."""
        with self._lock:
            return sorted(self._followers)

    def followers(self, meeting_id: int | None = None) -> int:
        """Subscribers of one meeting, or of all meetings watched here."""
        with self._lock:
            if meeting_id is None:
                return sum(len(f) for f in self._followers.values())
            return len(self._followers.get(meeting_id, ()))

    def pace(self) -> float:
        """The fewest seconds between two events to a meeting's subscribers for changes
        within a step: ``interval``, or ``BUSY_INTERVAL`` while this process serves
        ``BUSY_FOLLOWERS`` or more subscribers. The watcher looks every ``interval`` whatever
        the pace: a new step is told at once."""
        if self.followers() >= BUSY_FOLLOWERS:
            return max(self.interval, BUSY_INTERVAL)
        return self.interval

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    # -- the look at the database ------------------------------------------------------------
    def _read(self, meeting_ids: list[int]) -> dict[int, Version]:
        self.reads += 1
        self.looked = list(meeting_ids)
        marks = ",".join("?" * len(meeting_ids))
        rows = self.store.query(
            "SELECT m.id, m.change_seq, m.vote_seq, m.status, m.current_step_id, s.intake_open"
            " FROM meetings m LEFT JOIN steps s ON s.id = m.current_step_id"
            f" WHERE m.id IN ({marks})",
            meeting_ids,
        )
        return {
            r["id"]: Version(
                r["change_seq"],
                r["vote_seq"],
                step_mark(r["status"], r["current_step_id"], r["intake_open"]),
            )
            for r in rows
        }

    def _with_news(self, meeting_id: int, before: Version | None, now: Version) -> Version:
        """``now`` with the ideas changed since ``before``, read once for every subscriber,
        when only ``change_seq`` moved within the same step."""
        if before is None or before.step != now.step or now.change_seq <= before.change_seq:
            return now
        self.reads += 1
        news = read_news(self.store, meeting_id, before.change_seq, now.change_seq)
        return Version(now.change_seq, now.vote_seq, now.step, news)

    def tick(self, only: Iterable[int] | None = None) -> int:
        """One look: read every watched meeting (or those of ``only`` that are watched) in one
        query, notify where it moved. A change within a step told less than ``pace()``
        seconds after the meeting's last one waits for a later look (``held``); a new step
        never waits. Returns how many subscribers were notified."""
        watched = self.meetings()
        if only is not None:
            told = set(only)
            watched = [m for m in watched if m in told]
        if not watched:
            return 0
        now = self._read(watched)
        looked_at = time.monotonic()
        pace = self.pace()
        soonest = looked_at - pace
        with self._lock:
            before = {m: self._seen.get(m) for m in watched}
            last_told = {m: self._told_at.get(m, 0.0) for m in watched}
        changed = [m for m in watched if before[m] != now.get(m, GONE)]
        held = {
            m
            for m in changed
            if pace > self.interval  # a quiet process tells at every look, as it looks
            and (seen := before[m]) is not None
            and seen.step == now.get(m, GONE).step
            and last_told[m] > soonest
        }
        moved = {
            m: self._with_news(m, before[m], now.get(m, GONE)) for m in changed if m not in held
        }
        to_tell: list[tuple[Subscription, Version]] = []
        with self._lock:
            self.held = held
            # When the first held change may be told: the next look is then, not later.
            self.due = min((last_told[m] + pace for m in held), default=None)
            for meeting_id, version in moved.items():
                if (
                    meeting_id not in self._followers
                    or self._seen.get(meeting_id) != before[meeting_id]
                ):
                    continue
                self._seen[meeting_id] = version
                self._told_at[meeting_id] = looked_at
                to_tell.extend((s, version) for s in self._followers[meeting_id])
        for subscription, version in to_tell:
            subscription.notify(version)
        return len(to_tell)

    def _ensure_running(self) -> None:
        if not self.background:
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="samskab-watch", daemon=True)
            self._thread.start()

    def _followed(self) -> bool:
        """Whether anyone follows; when nobody does, the thread ends (and says so)."""
        with self._lock:
            if not self._followers:
                self._thread = None
                return False
            return True

    def _look(self, only: Iterable[int] | None = None) -> None:
        # A locked or restored file, a lost connection: look again next time.
        with contextlib.suppress(Exception):
            self.tick(only)

    def _next_look(self) -> float:
        """Seconds until the next look: ``interval``, or sooner when a held change may be
        told sooner (news every ``pace()``, not at the first look after it)."""
        if self.due is None:
            return self.interval
        return max(0.0, min(self.interval, self.due - time.monotonic()))

    def _run(self) -> None:
        if self.store.engine == "postgresql":
            self._listen()
            return
        while self._followed():
            self._look()
            self._wake.wait(self._next_look())

    def _listen(self) -> None:
        """PostgreSQL: one listening connection for the process. Look only at the meetings the
        database told of, at most once per ``interval`` (what arrives meanwhile is looked at
        together), and at every followed meeting once per ``safety`` and after every
        (re)connection. Without a listening connection: look every ``interval``, as on SQLite,
        and try to listen again."""
        listener: PgListener | None = None
        told: set[int] = set()
        last_look = last_full = 0.0
        try:
            while self._followed():
                if listener is None:
                    try:
                        listener = self.store.listener()
                    except Exception:
                        listener = None
                    if listener is None:
                        self._look()
                        self._wake.wait(self._next_look())
                        continue
                    self.listens += 1
                    self._look()  # missed or not while not listening: everything, now
                    last_look = last_full = time.monotonic()
                    told = set(self.held)
                    self.listener_pid = listener.pid
                now = time.monotonic()
                if now - last_full >= self.safety:
                    self._look()
                    last_look = last_full = time.monotonic()
                    told = set(self.held)
                    continue
                try:
                    if told:  # gather until one interval after the last look
                        told |= listener.collect(
                            min(last_look + self.interval - now, self._next_look())
                        )
                    else:
                        told |= listener.wait(min(SLICE, last_full + self.safety - now))
                except Exception:  # the connection dropped: listen again, look at everything
                    listener.close()
                    listener = None
                    self.listener_pid = None
                    continue
                if told and (
                    time.monotonic() - last_look >= self.interval
                    or (self.due is not None and time.monotonic() >= self.due)
                ):
                    self._look(told)
                    last_look = time.monotonic()
                    told = set(self.held)  # kept for a later look: looked at again then
        finally:
            if listener is not None:
                listener.close()
            self.listener_pid = None

    def stop_when_idle(self, timeout: float = 2.0) -> bool:
        """Wait until the watching thread has stopped (it does once nobody follows)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running
