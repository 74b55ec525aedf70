"""Compute once per change, share with every viewer.

A tally for 300 phones must not be computed 300 times. Callers pass a cheap *version* (for
example a meeting's ``vote_seq``); the value is recomputed only when the version moves, and
every session in the process gets the same object.

When the version moves while 300 phones are refreshing, all of them miss at once. Only one
of them computes (per key); the others wait for that result instead of running the same
query side by side, which under the GIL would make every one of them slow.
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
        self._computing: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self.computations = 0  # observable in tests: how often the value was really computed

    def get(self, key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
        found, value = self._lookup(key, version)
        if found:
            return value
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:  # one computation per key at a time; the others wait for it
            found, value = self._lookup(key, version)
            if found:
                return value
            value = compute()
            with self._lock:
                self.computations += 1
                held = self._entries.get(key)
                # An integer version only grows; a caller that read an older one (a race with
                # a write) gets its fresh value without pushing out the newer entry.
                if held is None or not _older(version, held[0]):
                    self._entries[key] = (version, value)
                    self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    evicted, _ = self._entries.popitem(last=False)
                    self._computing.pop(evicted, None)
        return value

    def _lookup(self, key: Hashable, version: Hashable) -> tuple[bool, T]:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] == version:
                self._entries.move_to_end(key)
                return True, hit[1]
        return False, None  # type: ignore[return-value]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._computing.clear()


def _older(version: Hashable, than: Hashable) -> bool:
    return isinstance(version, int) and isinstance(than, int) and version < than
