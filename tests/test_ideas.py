"""Ideas: posting from phones, bad input, double taps, and what a phone asks for."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.errors import InvalidInput, NotAllowed, RateLimited
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation


@pytest.fixture
def running(store, meeting):
    start(store, meeting)
    return meeting


def test_post_an_idea(store, running) -> None:
    anna = join(store, running, "Anna")
    idea = ideas.submit_idea(store, anna, "  Flere bænke  ")
    assert idea.text == "Flere bænke" and idea.author_name == "Anna" and not idea.on_behalf


@pytest.mark.parametrize(
    ("text", "key"), [("   ", "error.text.empty"), ("x" * 501, "error.text.too_long")]
)
def test_empty_or_oversized_idea_is_refused_and_nothing_saved(store, running, text, key) -> None:
    anna = join(store, running, "Anna")
    with pytest.raises(InvalidInput) as raised:
        ideas.submit_idea(store, anna, text)
    assert raised.value.key == key
    assert ideas.list_ideas(store, running.id) == []


def test_no_ideas_before_the_start_or_when_intake_is_closed(store, meeting) -> None:
    anna = join(store, meeting, "Anna")
    with pytest.raises(NotAllowed) as raised:
        ideas.submit_idea(store, anna, "for tidligt")
    assert raised.value.key == "error.idea.not_running"
    start(store, meeting)
    step = meetings.current_step(store, meeting.id)
    meetings.set_intake(store, step.id, False, actor=None)
    with pytest.raises(NotAllowed) as raised:
        ideas.submit_idea(store, anna, "lukket")
    assert raised.value.key == "error.idea.intake_closed"
    assert ideas.list_ideas(store, meeting.id) == []


def test_a_double_tap_posts_once(store, running) -> None:
    anna = join(store, running, "Anna")
    first = ideas.submit_idea(store, anna, "Cykelparkering")
    again = ideas.submit_idea(store, anna, "Cykelparkering")
    assert again.id == first.id
    assert len(ideas.list_ideas(store, running.id)) == 1


def test_posting_is_rate_limited_per_participant(store, running) -> None:
    anna, bo = join(store, running, "Anna"), join(store, running, "Bo")
    for n in range(3):
        ideas.submit_idea(store, anna, f"idé {n}", per_minute=3)
    with pytest.raises(RateLimited):
        ideas.submit_idea(store, anna, "en til", per_minute=3)
    ideas.submit_idea(store, bo, "Bo må gerne", per_minute=3)


def test_facilitator_enters_an_idea_on_someones_behalf(store, running, facilitator) -> None:
    idea = ideas.submit_on_behalf(
        store, running.id, "Ældrebus", author_name="Karen", actor=facilitator
    )
    assert idea.on_behalf and idea.author_name == "Karen" and idea.participant_id is None


def test_a_phone_asks_only_for_what_changed_since_its_last_look(store, running) -> None:
    anna = join(store, running, "Anna")
    first = ideas.submit_idea(store, anna, "en")
    seen = meetings.meeting_state(store, running.id).change_seq
    assert ideas.ideas_changed_since(store, running.id, seen) == []
    second = ideas.submit_idea(store, anna, "to")
    assert [i.id for i in ideas.ideas_changed_since(store, running.id, seen)] == [second.id]
    assert {i.id for i in ideas.ideas_changed_since(store, running.id, -1)} == {first.id, second.id}


def test_control_characters_are_removed_and_markup_is_kept_as_text(store, running) -> None:
    anna = join(store, running, "Anna")
    idea = ideas.submit_idea(store, anna, "<b>fed</b>\x00\u200b [link](javascript:alert(1))")
    assert "\x00" not in idea.text and "\u200b" not in idea.text
    assert idea.text.startswith("<b>fed</b>")


def test_an_idea_for_a_step_that_has_ended_is_refused(store, running) -> None:
    anna = join(store, running, "Anna")
    shown = meetings.current_step(store, running.id)
    meetings.next_step(store, running.id, actor=None)
    with pytest.raises(NotAllowed) as raised:
        ideas.submit_idea(store, anna, "for sent", step_id=shown.id)
    assert raised.value.key == "error.step.ended"
    assert ideas.list_ideas(store, running.id) == []


def test_a_brainstorm_step_can_set_its_own_rate_limit(store, running) -> None:
    anna = join(store, running, "Anna")
    step = meetings.current_step(store, running.id)
    meetings.update_step(store, step.id, settings={"ideas_per_minute": 1}, actor=None)
    ideas.submit_idea(store, anna, "en")
    with pytest.raises(RateLimited) as raised:
        ideas.submit_idea(store, anna, "to", per_minute=10)
    assert raised.value.params == {"per_minute": 1}


def test_the_shared_wall_is_computed_once_per_change(store, running) -> None:
    anna = join(store, running, "Anna")
    ideas.submit_idea(store, anna, "en")
    seq = meetings.meeting_state(store, running.id).change_seq
    before = ideas._wall_cache.computations
    for _ in range(300):  # 300 phones open their ballot
        wall = ideas.wall_ideas(store, running.id, seq)
    assert ideas._wall_cache.computations == before + 1
    assert [i.text for i in wall] == ["en"]


def test_the_wall_count_follows_hiding_and_is_counted_once_per_change(
    store, running, facilitator
) -> None:
    anna = join(store, running, "Anna")
    posted = [ideas.submit_idea(store, anna, f"idé {n}", per_minute=100) for n in range(3)]
    seq = meetings.meeting_state(store, running.id).change_seq
    before = ideas._count_cache.computations
    assert {ideas.wall_count(store, running.id, seq) for _ in range(300)} == {3}
    assert ideas._count_cache.computations == before + 1
    moderation.hide_idea(store, posted[0].id, "off topic", actor=facilitator)
    seq = meetings.meeting_state(store, running.id).change_seq
    assert ideas.wall_count(store, running.id, seq) == 2


def test_changes_since_can_be_limited_to_the_newest(store, running) -> None:
    anna = join(store, running, "Anna")
    seen = meetings.meeting_state(store, running.id).change_seq
    posted = [ideas.submit_idea(store, anna, f"idé {n}", per_minute=100) for n in range(10)]
    newest = ideas.ideas_changed_since(store, running.id, seen, limit=3)
    assert [i.id for i in newest] == [i.id for i in posted[-3:]]


def test_a_phone_joining_late_fetches_only_the_newest_ideas(store, running) -> None:
    anna = join(store, running, "Anna")
    posted = [ideas.submit_idea(store, anna, f"idé {n}", per_minute=100) for n in range(10)]
    newest = ideas.newest_ideas(store, running.id, 4)
    assert [i.id for i in newest] == [i.id for i in posted[-4:]]


def test_the_consoles_shared_read_follows_every_change_and_reads_once_per_change(
    store, running, facilitator
) -> None:
    """The console reads every idea once per change for all its panels (3,000 ideas were read
    four times a run); a hide, a merge or a theme moves the change and is seen at once."""
    anna = join(store, running, "Anna")
    a = ideas.submit_idea(store, anna, "Bænke")
    b = ideas.submit_idea(store, anna, "Flere bænke")
    seq = meetings.meeting_state(store, running.id).change_seq
    before = ideas._every_cache.computations
    first = ideas.every_idea(store, running.id, seq)
    assert ideas.every_idea(store, running.id, seq) is first
    assert ideas._every_cache.computations == before + 1

    moderation.merge_ideas(store, a.id, [b.id], actor=facilitator)
    moderation.hide_idea(store, a.id, "Dublet", actor=facilitator)
    seq = meetings.meeting_state(store, running.id).change_seq
    now = {i.id: i for i in ideas.every_idea(store, running.id, seq)}
    assert now[a.id].hidden and now[b.id].merged_into_id == a.id
