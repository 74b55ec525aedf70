"""Finding one idea among thousands in the console: search, filter, page (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workshop.model import Idea

# What the console's status filter offers (labels: ``moderation_scale.filter.<key>``).
STATUSES = ("all", "on_wall", "held", "hidden", "merged")
PAGE_SIZE = 20  # rows per page of the console's idea list: each row is three elements to draw
NO_THEME = -1  # the theme filter's "without a theme"


@dataclass(frozen=True)
class IdeaFilter:
    text: str = ""
    status: str = "all"
    theme_id: int | None = None  # None: any theme; NO_THEME: without a theme
    flagged: bool = False  # only ideas the personal-data detector flagged


def status_of(idea: Idea) -> str:
    if idea.merged_into_id is not None:
        return "merged"
    if idea.held:
        return "held"
    return "hidden" if idea.hidden else "on_wall"


def matches(idea: Idea, wanted: IdeaFilter) -> bool:
    if wanted.status != "all" and status_of(idea) != wanted.status:
        return False
    if wanted.theme_id == NO_THEME and idea.theme_id is not None:
        return False
    if wanted.theme_id not in (None, NO_THEME) and idea.theme_id != wanted.theme_id:
        return False
    if wanted.flagged and not idea.flags:
        return False
    words = wanted.text.casefold().split()
    if words:
        haystack = f"#{idea.id} {idea.text} {idea.author_name}".casefold()
        return all(word in haystack for word in words)
    return True


def search_ideas(found: Sequence[Idea], wanted: IdeaFilter) -> list[Idea]:
    """The ideas that match, newest first (what a facilitator looks for is usually new)."""
    return sorted((i for i in found if matches(i, wanted)), key=lambda i: -i.id)


@dataclass(frozen=True)
class Page:
    ideas: tuple[Idea, ...]
    number: int  # 0-based, clamped into range
    pages: int
    total: int


def page_of(found: Sequence[Idea], number: int, size: int = PAGE_SIZE) -> Page:
    pages = max(1, -(-len(found) // size))
    number = min(max(number, 0), pages - 1)
    return Page(tuple(found[number * size : (number + 1) * size]), number, pages, len(found))
