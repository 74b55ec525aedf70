"""Duplicate suggestions for the console, kept fresh in the background, and the one-tap merge.

The computation (:func:`workshop.meetings.suggestions.duplicate_groups`) runs off the request
path, as opinion groups do (``workshop.cache.BackgroundResults``): a viewer asks for a
snapshot with the meeting's ``change_seq`` and gets the newest finished result at once,
marked stale while a newer one is being computed; one computation per meeting at a time, so
a busy room never starts a queue of them. Unlike opinion groups, the work itself runs in a
worker process (``workshop.workers``, lane "suggestions"): cutting 3,000 ideas into n-grams
and multiplying the matrices holds the interpreter for a second or two, and the phones'
requests must not wait for that.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from workshop import workers
from workshop.cache import BackgroundResults
from workshop.db import Store
from workshop.errors import InvalidInput
from workshop.meetings import moderation, suggestions
from workshop.model import User


@dataclass(frozen=True)
class SuggestedGroup:
    idea_ids: tuple[int, ...]  # oldest first: the first is kept, the others merged into it
    score: float  # the lowest similarity between two members (0-1)


@dataclass(frozen=True)
class DuplicateSnapshot:
    groups: tuple[SuggestedGroup, ...]
    version: int | None  # the change_seq the groups describe (None: nothing computed yet)
    up_to_date: bool
    seconds: float  # how long the newest computation took (wall clock, reading included)
    cpu_seconds: float = 0.0  # of which the worker process computed


def _wall(store: Store, meeting_id: int) -> tuple[list[int], list[str]]:
    rows = store.query(
        "SELECT id, text FROM ideas WHERE meeting_id = ? AND hidden = 0"
        " AND merged_into_id IS NULL ORDER BY id",
        [meeting_id],
    )
    return [r["id"] for r in rows], [r["text"] for r in rows]


def _groups(texts: list[str]) -> tuple[list[tuple[tuple[int, ...], float]], float]:
    """Runs in the worker process: plain tuples in and out, and the CPU seconds it took."""
    began = time.process_time()
    found = [(g.members, g.score) for g in suggestions.duplicate_groups(texts)]
    return found, time.process_time() - began


duplicates_worker: BackgroundResults[int, tuple[tuple[SuggestedGroup, ...], float]] = (
    BackgroundResults("duplicates")
)


def _compute(store: Store, meeting_id: int) -> tuple[tuple[SuggestedGroup, ...], float] | None:
    ids, texts = _wall(store, meeting_id)
    try:
        found, cpu = workers.compute(_groups, texts, lane="suggestions")
    except workers.ReportFailed:
        # Its worker process died twice (killed, out of memory): the console keeps the last
        # result, marked stale, and the next change tries again.
        return None
    groups = tuple(
        SuggestedGroup(tuple(ids[m] for m in members), round(score, 3)) for members, score in found
    )
    return groups, cpu


def duplicates_snapshot(store: Store, meeting_id: int, change_seq: int) -> DuplicateSnapshot:
    """The newest duplicate suggestions of a meeting; never computed on the request."""
    done, fresh = duplicates_worker.latest(
        (store.path, meeting_id), change_seq, lambda: _compute(store, meeting_id)
    )
    if done is None:
        return DuplicateSnapshot((), None, False, 0.0)
    groups, cpu = done.value
    return DuplicateSnapshot(groups, done.version, fresh, done.seconds, cpu)


def merge_group(store: Store, idea_ids: list[int], *, actor: User | None) -> int:
    """Merge a suggested group into its oldest idea (credit and dots move, as every merge
    does); return how many dots moved.

    A suggestion can go stale: a co-facilitator merged or hid one of its ideas first. Then
    nothing is merged and the facilitator is told to look again.
    """
    ordered = sorted({int(i) for i in idea_ids})
    if len(ordered) < 2:
        raise InvalidInput("error.moderation.merge_nothing")
    return moderation.merge_ideas(store, ordered[0], ordered[1:], actor=actor, only_shown=True)
