"""Compute once per change, share with every viewer – on the request, or in the background.

A tally for 300 phones must not be computed 300 times. Callers pass a cheap *version* (for
example a meeting's ``vote_seq``); the value is recomputed only when the version moves, and
every session in the process gets the same object.

When the version moves while 300 phones are refreshing, all of them miss at once. Only one
of them computes (per key); the others wait for that result instead of running the same
query side by side, which under the GIL would make every one of them slow.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V", bound=Hashable)


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


@dataclass(frozen=True)
class Finished(Generic[V, T]):
    """A background computation's result, the version it describes and how long it took."""

    version: V
    value: T
    seconds: float  # wall clock, reading included


class BackgroundResults(Generic[V, T]):
    """The newest finished result per key, computed in a background thread once per version.

    For what is too slow to compute on a request (opinion groups, duplicate and theme
    suggestions): a viewer never waits. :meth:`latest` returns the newest finished result and
    whether it describes ``version``; when it does not and no computation runs for the key, one
    starts. So a room of phones never triggers 300 computations, and a slow computation never
    blocks a page (Pol.is's "math worker fell over" lesson). A newer version asked for while
    a computation runs is computed as soon as it ends, without waiting for another viewer to ask
    (the last vote of a round is not left uncomputed because nobody looked again). ``compute``
    returning ``None`` (e.g. its worker process died twice) leaves the last result standing,
    marked stale; the next call tries again. An older computation finishing late never replaces
    a newer result.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._lock = threading.Lock()
        self._done: dict[Hashable, Finished[V, T]] = {}
        self._running: dict[Hashable, V] = {}  # key → the version being computed
        # key → the newest version asked for while one was computed, and how to compute it
        self._wanted: dict[Hashable, tuple[V, Callable[[], T | None]]] = {}
        self.computations = 0  # finished computations: tests count them
        self.generation = 0  # results stored: caches built on results key on it

    def latest(
        self, key: Hashable, version: V, compute: Callable[[], T | None]
    ) -> tuple[Finished[V, T] | None, bool]:
        """The newest result for ``key`` and whether it is up to date with ``version``."""
        with self._lock:
            done = self._done.get(key)
            fresh = done is not None and done.version == version
            running = self._running.get(key, _NOTHING)
            start = not fresh and running is _NOTHING
            if start:
                self._running[key] = version
            elif not fresh:
                newest = self._wanted[key][0] if key in self._wanted else running
                if version != newest and not _older(_order(version), _order(newest)):
                    self._wanted[key] = (version, compute)
        if start:
            self._start(key, version, compute)
        return done, fresh

    def _start(self, key: Hashable, version: V, compute: Callable[[], T | None]) -> None:
        threading.Thread(
            target=self._compute,
            args=(key, version, compute),
            daemon=True,
            name=f"{self._name}-{key}",
        ).start()

    def _compute(self, key: Hashable, version: V, compute: Callable[[], T | None]) -> None:
        try:
            began = time.perf_counter()
            value = compute()
            took = time.perf_counter() - began
            with self._lock:
                self.computations += 1
                previous = self._done.get(key)
                if value is not None and (
                    previous is None or not _older(_order(version), _order(previous.version))
                ):
                    self._done[key] = Finished(version, value, took)
                    self.generation += 1
        finally:
            with self._lock:
                wanted = self._wanted.pop(key, None)
                if wanted is None:
                    del self._running[key]
                else:
                    self._running[key] = wanted[0]
            if wanted is not None:
                self._start(key, *wanted)

    def wait(self, timeout: float = 120.0) -> None:
        """For tests and benchmarks: wait until no computation is running. A worker process's
        first start imports scikit-learn: on a machine at load 20 that took over 30 s, so
        the wait is long, and running out of it says so instead of returning as if done."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._running:
                    return
            time.sleep(0.01)
        raise TimeoutError(f"{self._name}: still computing after {timeout:.0f} s")

    def forget(self) -> None:
        with self._lock:
            self._done.clear()
            self._wanted.clear()


_NOTHING: Any = object()


def _order(version: Hashable) -> Hashable:
    """The part of a version that grows: an integer, or a tuple's first integer."""
    if isinstance(version, tuple) and version and isinstance(version[0], int):
        return version[0]
    return version
