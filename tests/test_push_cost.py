"""What the push route costs per tick, where a 300-phone room (``benchmarks/room_load.py``,
py-spy) found it wasted: a wake-up of the event loop for every phone told, and resolving the
database's path for every event. Counts, not timings."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from workshop import db as db_module
from workshop.app import shared_store
from workshop.meetings.watch import Version
from workshop.ui import push_routes


def test_a_tick_that_tells_300_phones_wakes_the_event_loop_once_and_tells_each_in_order() -> None:
    loop = asyncio.new_event_loop()
    wakeups = [0]
    real = loop.call_soon_threadsafe

    def counted(*args, **kwargs):
        wakeups[0] += 1
        return real(*args, **kwargs)

    loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
    told: dict[int, list[int]] = {phone: [] for phone in range(300)}
    try:
        outbox = push_routes._outbox(loop)

        def tick(seq: int) -> None:  # the watching thread tells every phone of the room
            for phone in told:
                outbox.put(lambda v, phone=phone: told[phone].append(v.change_seq), Version(seq, 0))

        for seq in (1, 2):
            thread = threading.Thread(target=tick, args=(seq,))
            thread.start()
            thread.join()
            loop.run_until_complete(asyncio.sleep(0))  # the loop runs what was handed over
        assert wakeups[0] == 2  # one per tick, not 600
        assert all(seqs == [1, 2] for seqs in told.values())
    finally:
        loop.close()
    # A closed loop is not handed anything (a server that stops), and is forgotten.
    push_routes._outbox(loop).put(lambda v: None, Version(3, 0))


def test_the_store_is_found_without_resolving_its_path_for_every_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "room.db"
    first = shared_store(path)
    resolved = [0]
    real = Path.resolve

    def counted(self, *args, **kwargs):
        resolved[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", counted)
    try:
        for _ in range(100):
            assert shared_store(path) is first
            assert shared_store(str(path)) is first  # two spellings, one store
        assert resolved[0] <= 1
    finally:
        monkeypatch.undo()
        first.close()
        with db_module._stores_lock:
            for key in [k for k, v in db_module._stores.items() if v is first]:
                del db_module._stores[key]
