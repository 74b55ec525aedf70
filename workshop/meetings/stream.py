"""What one phone shows of the room's ideas: the brainstorm stream and the ballot's order.

Pure (no database, no Streamlit): the participate page fetches ideas and keeps them in its
browser session; :class:`StreamWindow` decides which of them the phone shows and in what order.

- The **stream** shows the newest ``length`` ideas: others' hidden (or merged) ideas leave it,
  while an author keeps seeing their own, with the reason, however many ideas came after. A
  phone keeps ``keep`` ideas in memory (and its own set aside), so 500 phones do not each
  hold the room's every idea.
- The **ballot** lists the wall in this participant's own order, so the first ideas posted are
  not favoured. The order is a keyed hash of (seed, participant, idea): stable for the same
  participant and seed, different between participants, and a new or hidden idea does not
  reshuffle the rest. It is shown ``page_size`` ideas at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workshop.model import Idea

STREAM_LENGTH = 12  # the newest ideas shown; a phone's refresh stays small with 500 in the room
STREAM_KEEP = 3 * STREAM_LENGTH  # ideas a phone keeps in memory, so hiding one leaves enough
BALLOT_PAGE = 8  # ideas per ballot page: a dot is a small fragment run, whatever the total


@dataclass(frozen=True)
class BallotPage:
    ideas: list[Idea]
    page: int  # 0-based, within range
    pages: int  # at least 1


@dataclass(frozen=True, eq=False)
class Votable:
    """The ideas one can vote on, with their ids as an array: made once per wall and shared
    by every phone that orders its ballot from it."""

    ideas: tuple[Idea, ...]
    ids: np.ndarray  # unsigned 64-bit, in the order of ``ideas``

    @classmethod
    def of(cls, wall: Iterable[Idea]) -> Votable:
        ideas = tuple(i for i in wall if not i.hidden and i.merged_into_id is None)
        return cls(ideas, np.fromiter((i.id for i in ideas), dtype=np.uint64, count=len(ideas)))


@dataclass(frozen=True)
class StreamWindow:
    participant_id: int
    seed: int | str = 0  # the meeting: one participant's order differs between meetings
    length: int = STREAM_LENGTH
    keep: int = STREAM_KEEP
    page_size: int = BALLOT_PAGE

    def __post_init__(self) -> None:
        if self.length < 1 or self.keep < self.length or self.page_size < 1:
            raise ValueError("a window shows at least one idea and keeps what it shows")

    # -- the brainstorm stream ---------------------------------------------------------------

    def visible(self, idea: Idea) -> bool:
        """Others' hidden or merged ideas leave the stream; the author keeps seeing theirs."""
        return not idea.hidden or idea.participant_id == self.participant_id

    def set_aside(self, idea: Idea) -> bool:
        """This participant's own idea that was hidden, held or merged: its author is told
        why, however many ideas came after it."""
        return idea.hidden and idea.participant_id == self.participant_id

    def remember(self, seen: dict[int, Idea], fresh: Iterable[Idea]) -> dict[int, Idea]:
        """``seen`` with ``fresh`` (new or changed ideas) in it, cut to the newest ``keep``
        and this participant's own ideas set aside."""
        merged = {**seen, **{idea.id: idea for idea in fresh}}
        kept = set(sorted(merged)[-self.keep :])
        kept.update(i for i, idea in merged.items() if self.set_aside(idea))
        return {i: merged[i] for i in sorted(kept)}

    def needs_full_look(self, first_look: bool, fresh: Sequence[Idea]) -> bool:
        """Fetch the newest ideas afresh: the first look, or more news than the phone keeps."""
        return first_look or len(fresh) >= self.keep

    def stream(self, seen: Iterable[Idea]) -> list[Idea]:
        """The ideas the stream shows, oldest first: the newest ``length`` visible ones, and
        this participant's own ideas set aside, however old (with why, on the phone)."""
        visible = sorted((i for i in seen if self.visible(i)), key=lambda i: i.id)
        newest = visible[-self.length :]
        older = [i for i in visible[: -self.length] if self.set_aside(i)]
        return older + newest

    def earlier(self, wall_count: int, shown: Sequence[Idea]) -> int:
        """How many ideas on the wall the stream does not show (counted from the shared wall)."""
        return max(0, wall_count - sum(not i.hidden for i in shown))

    # -- the ballot ------------------------------------------------------------------------

    def ballot(self, wall: Iterable[Idea] | Votable) -> list[Idea]:
        """The ideas one can vote on (never a hidden or merged one), in this phone's order."""
        votable = wall if isinstance(wall, Votable) else Votable.of(wall)
        key = int.from_bytes(
            hashlib.blake2b(f"{self.seed}:{self.participant_id}".encode(), digest_size=8).digest()
        )
        # 64 bits: no ties in practice; a stable sort keeps the wall's order if one occurs
        order = np.argsort(mix(votable.ids ^ np.uint64(key)), kind="stable")
        return [votable.ideas[k] for k in order.tolist()]

    def page(self, order: Sequence[Idea], page: int) -> BallotPage:
        """Page ``page`` of the ballot (clamped into range: the wall may have shrunk)."""
        pages = max(1, -(-len(order) // self.page_size))
        page = min(max(page, 0), pages - 1)
        return BallotPage(
            list(order[page * self.page_size : (page + 1) * self.page_size]), page, pages
        )


def mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on unsigned 64-bit integers: a well-spread number per (key,
    idea). On arrays, whose arithmetic wraps at 64 bits as the hash needs: every phone
    orders the wall when a vote opens, and 500 phones ordering 2,000 ideas one integer at a
    time in Python (~5 ms each) took 2.5 s of the server's CPU at the step change."""
    values = values + np.uint64(0x9E3779B97F4A7C15)
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))
