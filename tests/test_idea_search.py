"""Search, filter and paging of the console's idea list (pure)."""

from __future__ import annotations

from workshop.meetings import idea_search
from workshop.meetings.idea_search import IdeaFilter
from workshop.model import Idea, IdeaStatus


def idea(n: int, text: str, **changes) -> Idea:
    base = dict(
        id=n,
        meeting_id=1,
        step_id=1,
        participant_id=n,
        author_name=f"P{n}",
        text=text,
        status=IdeaStatus.SUBMITTED,
        hidden=False,
        hide_reason=None,
        on_behalf=False,
        seq=n,
        created_at="2026-01-01",
    )
    return Idea(**{**base, **changes})


IDEAS = [
    idea(1, "Flere bænke i skyggen", theme_id=7),
    idea(2, "Ring 22 33 44 55", hidden=True, held=True, flags=("phone",)),
    idea(3, "Bænke ved søen", hidden=True, hide_reason="Dobbelt"),
    idea(4, "Flere bænke i skyggen!", hidden=True, merged_into_id=1),
    idea(5, "Cykelsti langs åen"),
]


def ids(found) -> list[int]:
    return [i.id for i in found]


def test_search_finds_words_in_any_order_and_case_newest_first() -> None:
    assert ids(idea_search.search_ideas(IDEAS, IdeaFilter(text="BÆNKE flere"))) == [4, 1]
    assert ids(idea_search.search_ideas(IDEAS, IdeaFilter(text="#5"))) == [5]


def test_filters_by_status_theme_and_flag() -> None:
    search = idea_search.search_ideas
    assert ids(search(IDEAS, IdeaFilter(status="on_wall"))) == [5, 1]
    assert ids(search(IDEAS, IdeaFilter(status="held"))) == [2]
    assert ids(search(IDEAS, IdeaFilter(status="hidden"))) == [3]
    assert ids(search(IDEAS, IdeaFilter(status="merged"))) == [4]
    assert ids(search(IDEAS, IdeaFilter(theme_id=7))) == [1]
    assert ids(search(IDEAS, IdeaFilter(theme_id=idea_search.NO_THEME, status="on_wall"))) == [5]
    assert ids(search(IDEAS, IdeaFilter(flagged=True))) == [2]


def test_pages_are_clamped_into_range() -> None:
    many = [idea(n, f"Idé {n}") for n in range(1, 3001)]
    page = idea_search.page_of(many, 500, size=25)
    assert (page.number, page.pages, page.total, len(page.ideas)) == (119, 120, 3000, 25)
    assert idea_search.page_of([], 3).pages == 1
