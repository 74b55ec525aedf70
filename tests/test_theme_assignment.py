"""Putting several ideas into a theme at once: one transaction, all or nothing."""

from __future__ import annotations

import pytest

from tests.factories import join, make_meeting, start
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import ideas, moderation, themes
from workshop.model import IdeaStatus


@pytest.fixture
def wall(store, meeting, facilitator):
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    posted = [ideas.submit_idea(store, anna, text) for text in ("Cykelsti", "Bænke", "Træer")]
    theme = themes.create_theme(store, meeting.id, "Byrum", actor=facilitator)
    return theme, posted


def snapshot(store, meeting_id):
    """Everything the assignment could touch: ideas, statuses, the log, the change counter."""
    return (
        store.query("SELECT id, theme_id, status, seq FROM ideas ORDER BY id"),
        store.query("SELECT COUNT(*) AS n FROM moderation_log"),
        store.query("SELECT change_seq FROM meetings WHERE id = ?", [meeting_id]),
    )


def test_several_ideas_go_into_a_theme_together(store, meeting, facilitator, wall) -> None:
    theme, posted = wall
    placed = themes.assign_ideas_to_theme(
        store, theme.id, [posted[0].id, posted[2].id, posted[0].id], actor=facilitator
    )
    assert placed == 2  # a repeated id counts once
    inside = [i for i in ideas.list_ideas(store, meeting.id) if i.theme_id == theme.id]
    assert [i.id for i in inside] == [posted[0].id, posted[2].id]
    assert all(i.status is IdeaStatus.THEMED for i in inside)
    logged = [r["action"] for r in moderation.list_log(store, meeting.id)]
    assert logged.count("assign_theme") == 2


def test_one_hidden_idea_refuses_the_lot_and_saves_nothing(
    store, meeting, facilitator, wall
) -> None:
    theme, posted = wall
    moderation.hide_idea(store, posted[1].id, "Navn og telefon", actor=facilitator)
    before = snapshot(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        themes.assign_ideas_to_theme(
            store, theme.id, [posted[0].id, posted[1].id, posted[2].id], actor=facilitator
        )
    assert raised.value.key == "error.theme.hidden_idea"
    assert raised.value.params == {"idea_id": posted[1].id}
    assert snapshot(store, meeting.id) == before


def test_an_unknown_or_foreign_idea_refuses_the_lot(store, meeting, facilitator, wall) -> None:
    theme, posted = wall
    other = make_meeting(store, facilitator)
    start(store, other)
    foreign = ideas.submit_idea(store, join(store, other, "Bo"), "Andet møde")
    before = snapshot(store, meeting.id)
    for stranger in (999_999, foreign.id):
        with pytest.raises(NotFound) as raised:
            themes.assign_ideas_to_theme(
                store, theme.id, [posted[0].id, stranger], actor=facilitator
            )
        assert raised.value.key == "error.theme.unknown_idea"
    assert snapshot(store, meeting.id) == before


def test_a_merged_idea_refuses_the_lot(store, meeting, facilitator, wall) -> None:
    theme, posted = wall
    moderation.merge_ideas(store, posted[0].id, [posted[1].id], actor=facilitator)
    before = snapshot(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        themes.assign_ideas_to_theme(store, theme.id, [posted[2].id, posted[1].id], actor=None)
    assert raised.value.key == "error.moderation.merged"
    assert snapshot(store, meeting.id) == before


def test_an_empty_choice_or_a_missing_theme_is_refused(store, meeting, wall) -> None:
    theme, posted = wall
    with pytest.raises(InvalidInput) as raised:
        themes.assign_ideas_to_theme(store, theme.id, [], actor=None)
    assert raised.value.key == "error.theme.no_ideas"
    with pytest.raises(NotFound):
        themes.assign_ideas_to_theme(store, 999_999, [posted[0].id], actor=None)


def test_ideas_already_in_the_theme_are_left_as_they_are(store, meeting, wall) -> None:
    theme, posted = wall
    themes.assign_ideas_to_theme(store, theme.id, [posted[0].id], actor=None)
    seq = ideas.get_idea(store, posted[0].id).seq
    both = [posted[0].id, posted[1].id]
    assert themes.assign_ideas_to_theme(store, theme.id, both, actor=None) == 1
    assert ideas.get_idea(store, posted[0].id).seq == seq
