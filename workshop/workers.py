"""Heavy reports in worker processes, so that no phone's poll waits for them.

Reads no longer queue behind a lock (``workshop.db``: a pool of read connections in WAL), but
every thread of one Python process shares one GIL. Building a summary or an export of 200,000
votes is Python work: pandas frames, tallies, spreadsheet cells, PDF layout. While it runs, a
phone's poll in the same process waits for the GIL at each of its ``sqlite3`` calls. Measured
with ``benchmarks/bench_read_lock.py`` (10,000 ideas, 200,000 votes): chunked building and a
1 ms switch interval brought the poll's max under load to 36.5 ms, but its p95 stayed at
20 ms against 0.58 ms idle. Only another process has another GIL.

:func:`run` hands ``job(store, *args, **kwargs)`` to a worker process, which opens the same
database file on its own *query-only* connections, so the job reads a consistent WAL snapshot
exactly as it would in the app, and can never write. :func:`compute` hands a pure function
(no database) to one. What comes back must be small to unpickle, because unpickling holds the
app's GIL: finished file bytes or an aggregated summary, never 200,000-row frames.

**Lanes.** Each lane is its own single worker process: ``"reports"`` (summaries, the PDF
brief, the council's workbook: seconds), ``"exports"`` (raw data exports: up to a minute for
everything) and ``"suggestions"`` (the console's duplicate and theme suggestions). A long
export queues only behind other exports, never in front of a politician's summary.

**Processes.** Spawned, not forked (Streamlit's process has many threads). A spawned child
re-runs the parent's ``__main__`` module, and Streamlit makes whichever script last ran
``__main__`` (a page script under AppTest): a worker started then ran that page, died twice and
the summary failed. So a worker is launched with ``__main__`` hidden for the instant its start
data is written; it imports only what its jobs import. A worker exits when the app that
started it is gone (it watches its parent), so no worker outlives a killed app holding the
database open. A worker that dies mid-job (out of memory, an operator's kill) is replaced and
the job tried once more in the new one; if that fails too, :class:`ReportFailed` says so in
the user's language. The job is never moved into the app's own process: a job that killed a
worker must not take down the process that serves every phone.

The job runs in the calling thread instead only where no other process can share the data:
a ``":memory:"`` database (or one not in WAL mode), or ``SAMSKAB_REPORT_WORKERS=0``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import time
import types
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from workshop.db import Store, connect
from workshop.errors import InvalidInput, WorkshopError

WORKERS_ENV = "SAMSKAB_REPORT_WORKERS"
LANES = ("reports", "exports", "suggestions")
WORKER_NICENESS = 5
WORKER_STORES = 4  # stores a worker keeps open (one per database file; tests open many)
PARENT_CHECK_S = 1.0

R = TypeVar("R")

log = logging.getLogger(__name__)


class ReportFailed(WorkshopError):
    """A worker process died twice while building a report."""


_pools: dict[str, ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()
_in_worker = False  # set in a worker process: its jobs' own run() calls stay there


def enabled() -> bool:
    """Whether reports go to worker processes (``SAMSKAB_REPORT_WORKERS``: 1, the default,
    or 0 to build them in the app's process). A wrong value is refused in words."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value in ("", "1"):
        return True
    if value == "0":
        return False
    raise InvalidInput("error.settings.report_workers", value=value)


def run(
    job: Callable[..., R],
    store: Store,
    *args: Any,
    lane: str = "reports",
    **kwargs: Any,
) -> R:
    """``job(store, *args, **kwargs)`` in the lane's worker process, when the database can be
    shared. ``job`` must be a module-level function (it is sent by name); its arguments and
    result must pickle. It only reads: the worker's connections are query-only."""
    if _in_worker or not store.shareable or not enabled() or store.engine != "sqlite":
        return job(store, *args, **kwargs)  # (workers open SQLite files; PostgreSQL: here)
    return _submit(lane, _call, store.path, job, args, kwargs)


def compute(fn: Callable[..., R], *args: Any, lane: str = "reports", **kwargs: Any) -> R:
    """``fn(*args, **kwargs)``, a pure function (no database), in the lane's worker process."""
    if _in_worker or not enabled():
        return fn(*args, **kwargs)
    return _submit(lane, _call_pure, fn, args, kwargs)


def shutdown() -> None:
    """Stop every worker process (tests, benchmarks, a clean exit)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(lane: str, call: Callable[..., R], *payload: Any) -> R:
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}")
    for attempt in (1, 2):
        pool = _pool(lane)
        try:
            return pool.submit(call, *payload).result()
        except BrokenProcessPool:
            _discard(lane, pool)
            log.warning("report worker (%s) died; attempt %d of 2", lane, attempt)
    raise ReportFailed("error.reports.worker_failed")


def _pool(lane: str) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get(lane)
        if pool is None:
            pool = _pools[lane] = ProcessPoolExecutor(
                max_workers=1,
                mp_context=_context(),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
        return pool


_launching = threading.Lock()


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """``__main__`` without a file or spec while a worker's start data is written (spawn then
    leaves the main module alone); Streamlit's own next assignment is never undone."""
    stub = types.ModuleType("__main__")
    with _launching:
        real = sys.modules.get("__main__")
        sys.modules["__main__"] = stub
        try:
            yield
        finally:
            if sys.modules.get("__main__") is stub and real is not None:
                sys.modules["__main__"] = real


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        with _main_hidden():
            return multiprocessing.context.SpawnProcess._Popen(process_obj)


class _WorkerContext(multiprocessing.context.SpawnContext):
    Process = _WorkerProcess


def _context() -> multiprocessing.context.BaseContext:
    return _WorkerContext()


def _discard(lane: str, pool: ProcessPoolExecutor) -> None:
    with _pools_lock:
        if _pools.get(lane) is pool:
            del _pools[lane]
    pool.shutdown(wait=False, cancel_futures=True)


# -- inside a worker process ---------------------------------------------------------------

_stores: OrderedDict[str, tuple[int, Store]] = OrderedDict()


def _start_worker(parent: int) -> None:
    global _in_worker
    _in_worker = True
    with contextlib.suppress(OSError):  # not permitted here: run at the same priority
        os.nice(WORKER_NICENESS)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this worker when the app that started it is gone (killed, or exited without
    stopping its workers): an orphan would hold the database open and its memory."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _call(path: str, job: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return job(_store(path), *args, **kwargs)


def _call_pure(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return fn(*args, **kwargs)


def _store(path: str) -> Store:
    """This worker's query-only Store for ``path``, reopened when another file now has that
    name (a file moved into place)."""
    inode = os.stat(path).st_ino
    held = _stores.get(path)
    if held is not None and held[0] == inode:
        _stores.move_to_end(path)
        return held[1]
    if held is not None:
        held[1].close()
        del _stores[path]
    conn = connect(path)
    conn.execute("PRAGMA query_only=ON")  # the writer connection too: a worker never writes
    store = Store(conn, path)
    _stores[path] = (inode, store)
    while len(_stores) > WORKER_STORES:
        _, (_, evicted) = _stores.popitem(last=False)
        evicted.close()
    return store
