"""The shared per-change cache: one computation per change, however many viewers miss at once."""

import threading
import time

from workshop.cache import BackgroundResults, VersionedCache


def test_many_viewers_missing_at_once_compute_once() -> None:
    cache: VersionedCache[object] = VersionedCache()
    calls = []
    start = threading.Barrier(20)
    results: list[object] = []

    def compute() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive meanwhile
        return object()

    def viewer() -> None:
        start.wait()
        results.append(cache.get("wall", 7, compute))

    threads = [threading.Thread(target=viewer) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert cache.computations == 1
    assert len({id(r) for r in results}) == 1


def test_a_new_version_recomputes_and_other_keys_do_not_wait() -> None:
    cache: VersionedCache[str] = VersionedCache()
    assert cache.get("a", 1, lambda: "a1") == "a1"
    assert cache.get("a", 1, lambda: "never") == "a1"
    assert cache.get("a", 2, lambda: "a2") == "a2"
    assert cache.get("b", 1, lambda: "b1") == "b1"
    assert cache.computations == 3


def test_a_reader_with_an_older_version_does_not_push_out_the_newer_value() -> None:
    cache: VersionedCache[str] = VersionedCache()
    cache.get("wall", 6, lambda: "six")
    assert cache.get("wall", 5, lambda: "five, read late") == "five, read late"
    assert cache.get("wall", 6, lambda: "recomputed") == "six"


def test_entries_are_bounded() -> None:
    cache: VersionedCache[int] = VersionedCache(max_entries=3)
    for key in range(10):
        cache.get(key, 1, lambda key=key: key)
    assert cache.get(0, 1, lambda: -1) == -1  # evicted, computed again
    assert cache.get(9, 1, lambda: -1) == 9


def test_a_background_result_is_computed_once_per_version_and_viewers_never_wait() -> None:
    results: BackgroundResults[int, str] = BackgroundResults("test")
    release = threading.Event()
    calls = []

    def slow() -> str:
        calls.append(1)
        release.wait(5)
        return "v1"

    # Many viewers while the computation runs: none waits, one computation.
    for _ in range(20):
        assert results.latest("k", 1, slow) == (None, False)
    release.set()
    results.wait()
    done, fresh = results.latest("k", 1, slow)
    assert fresh and done is not None and done.value == "v1" and calls == [1]


def test_a_failed_computation_keeps_the_last_result_marked_stale() -> None:
    results: BackgroundResults[int, str] = BackgroundResults("test")
    results.latest("k", 1, lambda: "first")
    results.wait()
    results.latest("k", 2, lambda: None)  # e.g. its worker process died twice
    results.wait()
    done, fresh = results.latest("k", 2, lambda: None)
    results.wait()
    assert done is not None and done.value == "first" and not fresh


def test_an_older_computation_finishing_late_never_replaces_a_newer_result() -> None:
    results: BackgroundResults[tuple[int, int], str] = BackgroundResults("test")
    results.latest("k", (5, 3), lambda: "newer")
    results.wait()
    results.latest("k", (4, 3), lambda: "older")  # a viewer that read an older change
    results.wait()
    done, _ = results.latest("k", (5, 3), lambda: "again")
    assert done is not None and done.value == "newer"


def test_a_version_asked_for_while_another_is_computed_is_computed_next_unasked() -> None:
    """The last vote of a round arrives while the groups of an earlier vote are computed: the
    newest version is computed when that computation ends, though nobody asks again (a
    projector that drew the stale result then waited for a fresh one that never came)."""
    results: BackgroundResults[int, str] = BackgroundResults("test")
    release = threading.Event()

    def slow() -> str:
        release.wait(5)
        return "v1"

    assert results.latest("k", 1, slow) == (None, False)
    assert results.latest("k", 3, lambda: "v3") == (None, False)
    assert results.latest("k", 2, lambda: "v2, older than asked") == (None, False)
    release.set()
    results.wait()
    assert results.computations == 2
    done, fresh = results.latest("k", 3, lambda: "never")
    assert fresh and done is not None and done.value == "v3"
