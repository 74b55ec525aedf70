"""The push watcher: one look at the database per tick per process, for every meeting followed.

Real SQLite throughout; a second store on the same file stands in for a second app process.
"""

from __future__ import annotations

import threading

import pytest

from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.watch import GONE, Version, Watcher, read_news
from workshop.model import Meeting, User
from workshop.ui.push_routes import MIN_GAP, RERUNS_PER_SECOND, gap


class Inbox:
    """What one subscriber was told, in order."""

    def __init__(self) -> None:
        self.seen: list[Version] = []
        self.told = threading.Event()

    def __call__(self, version: Version) -> None:
        self.seen.append(version)
        self.told.set()


def _quiet(store: Store) -> Watcher:
    """A watcher whose thread never looks by itself: the test calls ``tick``."""
    return Watcher(store, background=False)  # the test calls tick


def test_subscribers_of_one_meeting_share_one_watch_and_one_read_per_tick(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    other = make_meeting(store, facilitator)
    watcher = _quiet(store)
    phones = [Inbox() for _ in range(50)]
    subscriptions = [watcher.subscribe(meeting.id, phone) for phone in phones]
    watcher.subscribe(other.id, Inbox())
    assert watcher.meetings() == sorted([meeting.id, other.id])
    assert watcher.followers(meeting.id) == 50
    # Every phone is told the current numbers at once; the meeting was read once, not 50 times.
    assert all(p.seen == [phones[0].seen[0]] for p in phones)
    reads = watcher.reads
    watcher.tick()
    assert watcher.reads == reads + 1  # one query for both meetings and all 51 subscribers
    assert subscriptions


def test_a_change_is_told_once_to_every_subscriber_of_that_meeting_only(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    other = make_meeting(store, facilitator)
    watcher = _quiet(store)
    here, there = Inbox(), Inbox()
    watcher.subscribe(meeting.id, here)
    watcher.subscribe(other.id, there)
    assert watcher.tick() == 0  # nothing moved: nobody is told anything
    ideas.submit_idea(store, join(store, meeting, "Anna"), "Flere bænke ved havnen")
    assert watcher.tick() == 1
    state = meetings.meeting_state(store, meeting.id)
    assert here.seen[-1] == Version(
        state.change_seq, state.vote_seq, f"running:{state.current_step_id}:1"
    )
    assert here.seen[-1].step == here.seen[0].step  # an idea, not a new step
    assert here.seen[-1].change_seq > here.seen[0].change_seq
    assert len(there.seen) == 1  # the other meeting did not move
    assert watcher.tick() == 0  # told once


def test_a_write_from_another_process_is_seen(store: Store, meeting: Meeting) -> None:
    start(store, meeting)
    watcher = _quiet(store)
    phone = Inbox()
    watcher.subscribe(meeting.id, phone)
    other_process = open_store(store.path)  # its own connections to the same file
    try:
        meetings.next_step(other_process, meeting.id, actor=None)
    finally:
        other_process.close()
    watcher.tick()
    assert phone.seen[-1].change_seq > phone.seen[0].change_seq
    assert phone.seen[-1].step != phone.seen[0].step  # phones follow a new step at once


def test_the_thread_watches_while_someone_follows_and_stops_after(
    store: Store, meeting: Meeting
) -> None:
    start(store, meeting)
    watcher = Watcher(store, interval=0.05)
    assert not watcher.running  # nobody follows: no thread, no reads
    phone = Inbox()
    subscription = watcher.subscribe(meeting.id, phone)
    assert watcher.running
    phone.told.clear()
    ideas.submit_idea(store, join(store, meeting, "Bo"), "Et tag over cykelparkeringen")
    assert phone.told.wait(5), "the watching thread did not tell the subscriber"
    subscription.close()
    assert watcher.meetings() == []
    assert watcher.stop_when_idle(5)
    reads = watcher.reads
    assert watcher.tick() == 0 and watcher.reads == reads  # no meeting, no query


def test_a_meeting_that_disappears_is_told_as_gone(store: Store, meeting: Meeting) -> None:
    watcher = _quiet(store)
    phone = Inbox()
    watcher.subscribe(meeting.id + 1000, phone)
    assert phone.seen == [GONE]


def test_a_phone_reruns_for_changes_within_a_step_at_most_once_a_gap() -> None:
    assert gap(1) == MIN_GAP == 1.0
    assert gap(RERUNS_PER_SECOND) == 1.0
    assert gap(3 * RERUNS_PER_SECOND) == 3.0  # more phones here: each reruns less often
    assert gap(300) == 7.5  # as the timed refresh of 300 phones (meetings.phone_refresh_seconds)


def test_a_busy_process_looks_less_often_and_a_quiet_one_as_often_as_before(
    store: Store, meeting: Meeting
) -> None:
    from workshop.meetings.watch import BUSY_FOLLOWERS, BUSY_INTERVAL, INTERVAL

    start(store, meeting)
    watcher = _quiet(store)
    phones = [watcher.subscribe(meeting.id, Inbox()) for _ in range(BUSY_FOLLOWERS - 1)]
    assert watcher.pace() == INTERVAL  # a small room: told within a fifth of a second
    phones.append(watcher.subscribe(meeting.id, Inbox()))
    # 150 phones in a process were sent 750 events a second at five looks a second.
    assert watcher.pace() == BUSY_INTERVAL >= 2 * INTERVAL
    phones.pop().close()
    assert watcher.pace() == INTERVAL
    for subscription in phones:
        subscription.close()


def test_a_busy_process_tells_a_new_step_at_the_first_look_and_holds_news_for_its_pace(
    store: Store, meeting: Meeting, monkeypatch
) -> None:
    """A busy process looked every 0.5 s: a new step reached 500 phones up to 0.5 s late
    (room_load: told p95 1.0 s). Now it looks every ``interval`` and holds only the changes
    within a step, which it tells at most once per ``pace()``, and looks again when they may
    be told."""
    from workshop.meetings import watch
    from workshop.meetings.watch import BUSY_FOLLOWERS, BUSY_INTERVAL, INTERVAL

    clock = [1000.0]  # the watcher's clock, moved by the test (not by a loaded machine)
    monkeypatch.setattr(watch.time, "monotonic", lambda: clock[0])
    start(store, meeting)
    watcher = _quiet(store)
    phones = [Inbox() for _ in range(BUSY_FOLLOWERS)]
    for phone in phones:
        watcher.subscribe(meeting.id, phone)
    phone = phones[0]
    author = join(store, meeting, "Telefon")
    ideas.submit_idea(store, author, "Første idé")
    watcher.tick()  # nothing told for a while: the news goes at once
    assert len(phone.seen) == 2 and phone.seen[-1].news is not None
    ideas.submit_idea(store, author, "Anden idé")
    clock[0] += INTERVAL
    watcher.tick()  # the next look, a fifth of a second later: the news waits
    assert len(phone.seen) == 2 and watcher.held == {meeting.id}
    clock[0] += INTERVAL
    watcher.tick()  # still held; the next look is when it may be told, not a look later
    assert len(phone.seen) == 2
    assert watcher._next_look() == pytest.approx(BUSY_INTERVAL - 2 * INTERVAL)
    clock[0] += watcher._next_look()
    watcher.tick()
    assert len(phone.seen) == 3 and phone.seen[-1].news is not None
    ideas.submit_idea(store, author, "Tredje idé")
    meetings.next_step(store, meeting.id, actor=None)
    clock[0] += INTERVAL
    watcher.tick()  # a new step never waits
    assert len(phone.seen) == 4 and phone.seen[-1].step != phone.seen[-2].step
    assert phone.seen[-1].change_seq == meetings.meeting_state(store, meeting.id).change_seq
    assert watcher.held == set()


def test_a_burst_of_ideas_within_one_tick_is_news_not_a_rerun_for_every_phone(
    store: Store, meeting: Meeting
) -> None:
    """1,000 phones posting every 10 s bring ~50 ideas a busy tick (0.5 s), some ticks more:
    news the phones draw themselves, not a fragment run on every phone (it was, past 50)."""
    start(store, meeting)
    before = meetings.meeting_state(store, meeting.id).change_seq
    for n in range(120):
        author = join(store, meeting, f"Telefon {n}")
        ideas.submit_idea(store, author, f"Idé {n}")
    after = meetings.meeting_state(store, meeting.id).change_seq
    news = read_news(store, meeting.id, before, after)
    assert news.complete
    assert len(news.ideas) == 120
