"""What the push route tells phones of a new idea: read once per tick for every phone, only
what every phone of the room may see, and the text as text.

Real SQLite throughout (``workshop.meetings.watch`` reads, ``workshop.ui.push_routes``
words the events); the browser side is ``tests/browser/test_push_stream.py``.
"""

from __future__ import annotations

import json

from tests.factories import join, make_meeting, start
from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.meetings.watch import Version, Watcher
from workshop.model import Meeting, User
from workshop.ui.push_routes import _event, message


class Inbox:
    def __init__(self) -> None:
        self.seen: list[Version] = []

    def __call__(self, version: Version) -> None:
        self.seen.append(version)


def _watch(store: Store, meeting: Meeting, phones: int = 1) -> tuple[Watcher, list[Inbox]]:
    watcher = Watcher(store, background=False)  # the test calls tick
    inboxes = [Inbox() for _ in range(phones)]
    for inbox in inboxes:
        watcher.subscribe(meeting.id, inbox)
    return watcher, inboxes


def _sent(version: Version, reader: int | None = None) -> tuple[dict, str]:
    line = _event(version, 1, reader)
    return json.loads(line.removeprefix("data: ")), line


def test_a_new_idea_is_read_once_for_every_phone_and_sent_with_its_text(
    store: Store, meeting: Meeting
) -> None:
    start(store, meeting)
    watcher, phones = _watch(store, meeting, phones=200)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    before = meetings.meeting_state(store, meeting.id).change_seq
    reads = watcher.reads
    idea = ideas.submit_idea(store, anna, "Flere bænke ved havnen")
    assert watcher.tick() == 200
    # One look at the meetings and one at the ideas, for 200 phones.
    assert watcher.reads == reads + 2
    news = phones[0].seen[-1].news
    assert news is not None and all(p.seen[-1].news is news for p in phones)
    assert news.after == before and news.upto == before + 1 and news.complete
    told, _ = _sent(phones[0].seen[-1], reader=bo.id)
    assert told["f"] == before and told["k"] is True and told["x"] == []
    assert told["i"] == [
        {
            "id": idea.id,
            "seq": before + 1,
            "text": "Flere bænke ved havnen",
            "author": "Anna",
            "behalf": False,
            "edited": False,
            "own": False,
        }
    ]
    # The author's phone is told it is hers; no phone is told anyone's participant id.
    mine, line = _sent(phones[0].seen[-1], reader=anna.id)
    assert mine["i"][0]["own"] is True
    assert set(mine["i"][0]) == {"id", "seq", "text", "author", "behalf", "edited", "own"}
    assert "participant" not in line and "author_id" not in line


def test_held_hidden_premoderated_and_merged_ideas_never_travel(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    watcher, (phone,) = _watch(store, meeting)
    anna = join(store, meeting, "Anna Secret")
    # Personal data: held for the facilitator, never on any phone but the author's own page.
    held = ideas.submit_idea(store, anna, "Ring til mig på tlf 28934512 om bænkene")
    assert held.held
    watcher.tick()
    told, line = _sent(phone.seen[-1])
    assert told["i"] == [] and told["x"] == [[held.id, held.seq]]
    assert "28934512" not in line and "Anna Secret" not in line and "bænkene" not in line
    # A step held for approval: every idea waits.
    step = meetings.current_step(store, meeting.id)
    assert step is not None
    moderation.set_pre_moderation(store, step.id, True, actor=facilitator)
    waiting = ideas.submit_idea(store, anna, "Vent på godkendelse")
    watcher.tick()
    told, line = _sent(phone.seen[-1])
    assert told["i"] == [] and [waiting.id, waiting.seq] in told["x"]
    assert "godkendelse" not in line
    moderation.set_pre_moderation(store, step.id, False, actor=facilitator)
    # An idea hidden after it was shown, and one merged into another: their ids alone.
    shown = ideas.submit_idea(store, anna, "Skraldespande ved broen")
    bo = join(store, meeting, "Bo")
    keep = ideas.submit_idea(store, bo, "Skraldespande overalt")
    other = ideas.submit_idea(store, bo, "Flere skraldespande")
    watcher.tick()
    moderation.hide_idea(store, shown.id, "Gentaget", actor=facilitator)
    watcher.tick()
    told, line = _sent(phone.seen[-1])
    assert told["i"] == [] and [i for i, _ in told["x"]] == [shown.id]
    assert "Skraldespande" not in line and "Gentaget" not in line
    moderation.merge_ideas(store, keep.id, [other.id], actor=facilitator)
    watcher.tick()
    told, line = _sent(phone.seen[-1])
    assert other.id in [i for i, _ in told["x"]]
    assert all(i["id"] != other.id for i in told["i"])
    assert "Flere skraldespande" not in line


def test_the_text_travels_as_text_on_one_line(store: Store, meeting: Meeting) -> None:
    start(store, meeting)
    watcher, (phone,) = _watch(store, meeting)
    nasty = 'Idé\n\ndata: {"c": 999}\n<img src=x onerror=alert(1)> </script> $& {text}'
    ideas.submit_idea(store, join(store, meeting, "<b>Bo</b>"), nasty)
    watcher.tick()
    told, line = _sent(phone.seen[-1])
    # One event: a single data line and its blank line, whatever the idea holds.
    assert line.startswith("data: ") and line.endswith("\n\n") and line.count("\n") == 2
    assert told["c"] != 999
    assert told["i"][0]["text"] == nasty and told["i"][0]["author"] == "<b>Bo</b>"


def test_changes_other_than_ideas_leave_the_news_incomplete_and_a_new_step_brings_none(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    watcher, (phone,) = _watch(store, meeting)
    themes.create_theme(store, meeting.id, "Natur", actor=facilitator)  # not an idea
    ideas.submit_idea(store, join(store, meeting, "Cy"), "Træer langs åen")
    watcher.tick()
    told, _ = _sent(phone.seen[-1])
    assert told["k"] is False  # the phone asks the server: something besides ideas moved
    assert [i["text"] for i in told["i"]] == ["Træer langs åen"]
    before = phone.seen[-1]
    meetings.next_step(store, meeting.id, actor=None)
    watcher.tick()
    assert phone.seen[-1].step != before.step and phone.seen[-1].news is None
    assert set(message(phone.seen[-1], 1)) == {"c", "v", "s", "g"}  # rerun at once


def test_a_step_that_closes_its_intake_is_a_new_step_for_phones(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    watcher, (phone,) = _watch(store, meeting)
    first = phone.seen[-1].step
    step = meetings.current_step(store, meeting.id)
    assert step is not None
    meetings.set_intake(store, step.id, False, actor=facilitator)
    watcher.tick()
    assert phone.seen[-1].step != first  # the idea field closes at once on every phone


def test_another_meetings_ideas_are_not_sent(
    store: Store, meeting: Meeting, facilitator: User
) -> None:
    start(store, meeting)
    other = make_meeting(store, facilitator)
    start(store, other)
    watcher, (phone,) = _watch(store, meeting)
    ideas.submit_idea(store, join(store, other, "Dorte"), "Et andet møde")
    assert watcher.tick() == 0 and len(phone.seen) == 1
