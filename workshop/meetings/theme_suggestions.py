"""Theme suggestions for the console's themes step, kept fresh in the background, and the
facilitator's accept: one new theme with its ideas, in one transaction.

The computation (:func:`workshop.meetings.suggestions.theme_suggestions`) runs off the
request path in the worker lane "suggestions", as the duplicate groups do
(:mod:`workshop.meetings.duplicates`): a viewer asks with the meeting's ``change_seq`` and
the ``k`` it wants and gets the newest finished result at once, marked stale while a newer
one is computed; one computation per meeting at a time. Only the ideas still to be placed
are suggested: on the wall (not hidden, not held, not merged) and in no theme yet.

A suggestion can go stale: a co-facilitator put some of its ideas into a theme, hid or
merged them while this facilitator was reading. Accepting then places the ideas that are
still free and says which were left out; if none are, or the name is empty or already a
theme of the meeting, nothing is saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workshop import workers
from workshop.cache import BackgroundResults
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import suggestions, themes
from workshop.model import Theme, User
from workshop.text import require_text

DEFAULT_K = 5
K_MIN, K_MAX = 2, 12


@dataclass(frozen=True)
class SuggestedTheme:
    name: str  # its most telling words, for the facilitator to rename
    idea_ids: tuple[int, ...]  # oldest first


@dataclass(frozen=True)
class ThemeSnapshot:
    themes: tuple[SuggestedTheme, ...]
    version: int | None  # the change_seq the suggestions describe (None: nothing computed yet)
    k: int | None
    up_to_date: bool
    seconds: float  # how long the newest computation took (wall clock, reading included)


@dataclass(frozen=True)
class Accepted:
    theme: Theme
    assigned: tuple[int, ...]  # the ideas now in the theme
    skipped: tuple[int, ...]  # ideas of the suggestion a co-facilitator had placed, hid or merged


def _loose(store: Store, meeting_id: int) -> tuple[list[int], list[str]]:
    rows = store.query(
        "SELECT id, text FROM ideas WHERE meeting_id = ? AND hidden = 0"
        " AND merged_into_id IS NULL AND theme_id IS NULL ORDER BY id",
        [meeting_id],
    )
    return [r["id"] for r in rows], [r["text"] for r in rows]


def _themes(texts: list[str], k: int) -> list[tuple[str, tuple[int, ...]]]:
    """Runs in the worker process: plain tuples in and out."""
    return [(s.name, s.members) for s in suggestions.theme_suggestions(texts, k)]


def clamp_k(k: int) -> int:
    return max(K_MIN, min(K_MAX, int(k)))


themes_worker: BackgroundResults[tuple[int, int], tuple[SuggestedTheme, ...]] = BackgroundResults(
    "themes"
)


def _compute(store: Store, meeting_id: int, k: int) -> tuple[SuggestedTheme, ...] | None:
    ids, texts = _loose(store, meeting_id)
    try:
        found = workers.compute(_themes, texts, k, lane="suggestions")
    except workers.ReportFailed:
        return None  # the last result stays, marked stale; the next change tries again
    return tuple(SuggestedTheme(name, tuple(ids[m] for m in members)) for name, members in found)


def themes_snapshot(
    store: Store, meeting_id: int, change_seq: int, k: int = DEFAULT_K
) -> ThemeSnapshot:
    """The newest theme suggestions of a meeting; never computed on the request."""
    k = clamp_k(k)
    done, fresh = themes_worker.latest(
        (store.path, meeting_id), (change_seq, k), lambda: _compute(store, meeting_id, k)
    )
    if done is None:
        return ThemeSnapshot((), None, None, False, 0.0)
    seq, done_k = done.version
    return ThemeSnapshot(done.value, seq, done_k, fresh, done.seconds)


def accept_suggestion(
    store: Store, meeting_id: int, name: str, idea_ids: Sequence[int], *, actor: User | None
) -> Accepted:
    """Create the theme ``name`` and put the suggestion's ``idea_ids`` into it, in ONE
    transaction. Ideas a co-facilitator has placed in a theme, hidden or merged since the
    suggestion was computed are left out (:attr:`Accepted.skipped`); when none is left, or the
    name is empty or already a theme of the meeting, nothing is saved."""
    name = require_text(name, max_chars=themes.NAME_MAX, field="theme")
    wanted = list(dict.fromkeys(int(i) for i in idea_ids))
    if not wanted:
        raise InvalidInput("error.theme.no_ideas")
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone():
            raise NotFound("error.not_found")
        taken = {
            r[0].casefold()
            for r in db.execute(
                "SELECT name FROM themes WHERE meeting_id = ?", [meeting_id]
            ).fetchall()
        }
        if name.casefold() in taken:
            raise InvalidInput("error.theme_suggestions.name_taken", name=name)
        found = themes.idea_rows(db, wanted)
        free = [
            i
            for i in wanted
            if i in found
            and found[i][1] == meeting_id
            and found[i][2] is None
            and found[i][3] is None
            and not found[i][5]
        ]
        if not free:
            raise NotAllowed("error.theme_suggestions.stale")
        theme_id = themes.insert_theme(db, meeting_id, name, actor=actor)
        for idea_id in free:
            themes.place_idea(db, idea_id, found[idea_id][1:5], theme_id, actor)
    skipped = tuple(i for i in wanted if i not in set(free))
    return Accepted(themes.get_theme(store, theme_id), tuple(free), skipped)
