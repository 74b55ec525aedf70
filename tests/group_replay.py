"""A replay of a room voting on statements, for the stability of opinion groups.

Used by ``tests/test_opinion_group_stability.py`` and ``benchmarks/bench_group_stability.py``.

:func:`growing_stream` makes a deterministic vote stream of a live room: participants of a few
latent opinion camps arrive over the first part of the session and vote on statements one at a
time (with some noise, and now and then changing an earlier vote). :func:`replay` recomputes
the opinion groups at every 2 % of the stream, as the projector would while the room votes,
and counts what a participant sees change between two updates:

- a **letter change**: a participant grouped in both updates whose group letter differs;
- an **unmoved voter**: a participant whose votes (every statement and stance) are exactly the
  same at both updates; a **swap for an unmoved voter** is a letter change of such a voter at
  an update where the number of groups stayed the same. (When the number of groups changes,
  a group really splits or merges, and its members may get another letter; those changes are
  counted apart, as ``swaps_unmoved_at_k_change``.)
- a **k change**: the number of groups differs from the previous update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workshop.voting.opinion_groups import OpinionGroups, build_vote_matrix

Vote = tuple[str, str, int]
# compute(matrix, memory) -> (result, memory for the next update)
Compute = Callable[[Any, Any], tuple[OpinionGroups, Any]]


def growing_stream(
    *,
    seed: int = 16,
    camp_sizes: tuple[int, ...] = (34, 26, 20),
    n_statements: int = 24,
    noise: float = 0.2,
    change_rate: float = 0.03,
) -> list[Vote]:
    """The votes of a room in the order they arrive (see the module docstring)."""
    rng = np.random.default_rng(seed)
    views = rng.choice([-1, 1], size=(len(camp_sizes), n_statements))
    views[:, 0] = 1  # one statement everybody agrees with
    timed: list[tuple[float, Vote]] = []
    for camp, size in enumerate(camp_sizes):
        for member in range(size):
            participant = f"c{camp}p{member:02d}"
            clock = rng.uniform(0.0, 0.6)  # arrives during the first 60 % of the session
            order = rng.permutation(n_statements)
            statements = order[: rng.integers(n_statements // 2, n_statements + 1)]
            for statement in statements:
                clock += rng.exponential(0.02)
                value = int(views[camp, statement])
                if rng.random() < noise:
                    value = int(rng.choice([0, -value]))
                timed.append((clock, (participant, f"s{statement:02d}", value)))
                if rng.random() < change_rate:  # thinks again a little later
                    changed = int(rng.choice([v for v in (-1, 0, 1) if v != value]))
                    later = clock + rng.exponential(0.1)
                    timed.append((later, (participant, f"s{statement:02d}", changed)))
    timed.sort(key=lambda item: item[0])
    return [vote for _, vote in timed]


@dataclass
class UpdateFigures:
    update: int  # 1, 2, … the computation this row describes
    votes: int
    k: int  # 0 without groups
    k_changed: bool
    compared: int  # participants grouped both now and at the previous update
    letter_changes: int
    unmoved: int
    swaps_unmoved: int  # letter changes of unmoved voters (at this update)


@dataclass
class ReplayFigures:
    updates: list[UpdateFigures] = field(default_factory=list)

    @property
    def k_sequence(self) -> list[int]:
        return [u.k for u in self.updates]

    @property
    def k_changes(self) -> int:
        return sum(u.k_changed for u in self.updates)

    @property
    def letter_changes(self) -> int:
        return sum(u.letter_changes for u in self.updates)

    @property
    def swaps_unmoved(self) -> int:
        """Swaps for unmoved voters at updates where the number of groups stayed the same."""
        return sum(u.swaps_unmoved for u in self.updates if not u.k_changed)

    @property
    def swaps_unmoved_at_k_change(self) -> int:
        return sum(u.swaps_unmoved for u in self.updates if u.k_changed)

    @property
    def compared_updates(self) -> int:
        """Updates with groups both before and after: the ones where a letter can change."""
        return sum(1 for u in self.updates if u.compared)


def _letters(result: OpinionGroups) -> dict[Any, int]:
    if not result.has_groups:
        return {}
    return {p: g.label for g in result.groups for p in g.participant_ids}


def replay(stream: list[Vote], compute: Compute, *, step: float = 0.02) -> ReplayFigures:
    """Recompute at every ``step`` of the stream and count what changed (module docstring)."""
    figures = ReplayFigures()
    memory: Any = None
    previous_letters: dict[Any, int] = {}
    previous_votes: dict[str, dict[str, int]] = {}
    previous_k = 0
    steps = range(1, round(1 / step) + 1)
    checkpoints = sorted({max(1, round(len(stream) * step * n)) for n in steps})
    for number, end in enumerate(checkpoints, start=1):
        votes = stream[:end]
        result, memory = compute(build_vote_matrix(votes), memory)
        held: dict[str, dict[str, int]] = {}
        for participant, statement, value in votes:
            held.setdefault(participant, {})[statement] = value
        letters = _letters(result)
        k = len(result.groups) if result.has_groups else 0
        both = [p for p in letters if p in previous_letters]
        changed = [p for p in both if letters[p] != previous_letters[p]]
        unmoved = [p for p in both if held.get(p) == previous_votes.get(p)]
        figures.updates.append(
            UpdateFigures(
                update=number,
                votes=end,
                k=k,
                k_changed=bool(previous_k and k and k != previous_k),
                compared=len(both),
                letter_changes=len(changed),
                unmoved=len(unmoved),
                swaps_unmoved=sum(1 for p in unmoved if letters[p] != previous_letters[p]),
            )
        )
        previous_letters, previous_votes, previous_k = letters, held, k
    return figures
