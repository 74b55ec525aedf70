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
from collections.abc import Callable
from dataclasses import dataclass, field

from workshop.db import Store
from workshop.meetings.ideas import idea_from_row

INTERVAL = 0.2  # seconds between two looks at the database
NEWS_LIMIT = 50  # ideas read per moved meeting per tick; more at once: phones ask the server


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
        self, store: Store, *, interval: float = INTERVAL, background: bool = True
    ) -> None:
        self.store = store
        self.interval = interval
        # False: no thread of its own; whoever holds the watcher calls ``tick`` (tests: a
        # thread's first look, late on a busy machine, raced the test's own ticks).
        self.background = background
        self._lock = threading.Lock()
        self._followers: dict[int, set[Subscription]] = {}
        self._seen: dict[int, Version] = {}
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.reads = 0  # database reads made (for tests and benchmarks)

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

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    # -- the look at the database ------------------------------------------------------------
    def _read(self, meeting_ids: list[int]) -> dict[int, Version]:
        self.reads += 1
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
                f"{r['status']}:{r['current_step_id']}:{int(bool(r['intake_open']))}",
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

    def tick(self) -> int:
        """One look: read every watched meeting in one query, notify where it moved.
        Returns how many subscribers were notified."""
        watched = self.meetings()
        if not watched:
            return 0
        now = self._read(watched)
        with self._lock:
            before = {m: self._seen.get(m) for m in watched}
        moved = {
            m: self._with_news(m, before[m], now.get(m, GONE))
            for m in watched
            if before[m] != now.get(m, GONE)
        }
        to_tell: list[tuple[Subscription, Version]] = []
        with self._lock:
            for meeting_id, version in moved.items():
                if (
                    meeting_id not in self._followers
                    or self._seen.get(meeting_id) != before[meeting_id]
                ):
                    continue
                self._seen[meeting_id] = version
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

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._followers:
                    self._thread = None
                    return
            # A locked or restored file: look again at the next tick.
            with contextlib.suppress(Exception):
                self.tick()
            self._wake.wait(self.interval)

    def stop_when_idle(self, timeout: float = 2.0) -> bool:
        """Wait until the watching thread has stopped (it does once nobody follows)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running
