"""Compute once per change, share with every viewer.

A tally for 300 phones must not be computed 300 times. Callers pass a cheap *version* (for
example a meeting's ``vote_seq``); the value is recomputed only when the version moves, and
every session in the process gets the same object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class VersionedCache(Generic[T]):
    def __init__(self, max_entries: int = 256) -> None:
        self._entries: OrderedDict[Hashable, tuple[Hashable, T]] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries
        self.computations = 0  # observable in tests: how often the value was really computed

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return hit[1]
        # Compute outside the lock: a slow computation must not block other keys. Two
        # threads may race to compute the same version; both results are equal.
        value = compute()
        with self._lock:
            self.computations += 1
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
