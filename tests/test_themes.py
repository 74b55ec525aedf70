"""Themes: grouping ideas during the clustering step."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.errors import InvalidInput, NotFound
from workshop.meetings import ideas, moderation, themes
from workshop.model import IdeaStatus


def test_group_ideas_into_themes(store, meeting, facilitator) -> None:
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    a, b = ideas.submit_idea(store, anna, "Cykelsti"), ideas.submit_idea(store, anna, "Bænke")
    traffic = themes.create_theme(store, meeting.id, "Trafik", actor=facilitator)
    themes.assign_theme(store, a.id, traffic.id, actor=facilitator)
    moved = ideas.get_idea(store, a.id)
    assert moved.theme_id == traffic.id and moved.status is IdeaStatus.THEMED
    assert moved.seq > a.seq  # phones and the projector redraw the grouping
    themes.rename_theme(store, traffic.id, "Trafik og cykler", actor=facilitator)
    assert [t.name for t in themes.list_themes(store, meeting.id)] == ["Trafik og cykler"]
    themes.delete_theme(store, traffic.id, actor=facilitator)
    assert ideas.get_idea(store, a.id).theme_id is None
    assert ideas.get_idea(store, b.id).theme_id is None
    actions = [r["action"] for r in moderation.list_log(store, meeting.id)]
    assert actions == ["create_theme", "assign_theme", "rename_theme", "delete_theme"]


def test_theme_names_are_required_and_themes_stay_in_their_meeting(
    store, meeting, facilitator
) -> None:
    with pytest.raises(InvalidInput):
        themes.create_theme(store, meeting.id, "  ", actor=facilitator)
    from tests.factories import make_meeting

    other = make_meeting(store, facilitator)
    start(store, other)
    idea = ideas.submit_idea(store, join(store, other, "Bo"), "x")
    theme = themes.create_theme(store, meeting.id, "Trafik", actor=facilitator)
    with pytest.raises(NotFound):
        themes.assign_theme(store, idea.id, theme.id, actor=facilitator)
