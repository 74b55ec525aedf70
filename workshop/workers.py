"""Heavy read-only reports in worker processes, so that no phone's poll waits for them.

Reads no longer queue behind a lock (``workshop.db``: a pool of read connections in WAL), but
every thread of one Python process shares one GIL. Building a summary or an export of 200,000
votes is Python work: pandas frames, tallies, spreadsheet cells. While it runs, a phone's poll
in the same process waits for the GIL at each of its ``sqlite3`` calls. Measured with
``benchmarks/bench_read_lock.py`` (10,000 ideas, 200,000 votes): chunked building and a 1 ms
switch interval brought the poll's max under load to 36.5 ms, but its p95 stayed at 20 ms
against 0.58 ms idle. Only another process has another GIL.

:func:`run` hands ``job(store, *args, **kwargs)`` to a small pool of worker processes (spawned,
not forked: Streamlit's process has many threads). Each worker opens the same database file
on its own *query-only* connections, so the job reads a consistent WAL snapshot exactly as it
would in the app, and can never write. Workers run at a lower CPU priority (``nice`` +10): on
a busy machine the app's own threads, which answer phones, come first. What comes back must
be small to unpickle, because unpickling holds the app's GIL: finished file bytes (an export)
or an aggregated summary, never 200,000-row frames.

When a job cannot go to a worker it runs in the calling thread, as before: a database that
other connections cannot share (``":memory:"``, not WAL), ``SAMSKAB_REPORT_WORKERS=0``, or a
worker that died (the pool is replaced for the next job). Errors a job raises (a
``WorkshopError``) reach the caller unchanged.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Concatenate, ParamSpec, TypeVar

from workshop.db import Store, connect
from workshop.errors import InvalidInput

WORKERS_ENV = "SAMSKAB_REPORT_WORKERS"
DEFAULT_WORKERS = 2
WORKER_NICENESS = 10
# Stores a worker keeps open (one per database file; tests open many files).
WORKER_STORES = 4

P = ParamSpec("P")
R = TypeVar("R")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_in_worker = False  # set in a worker process: its jobs' own run() calls stay there


def worker_count() -> int:
    """Worker processes from ``SAMSKAB_REPORT_WORKERS`` (default 2; 0 = in the app process)."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    if not value:
        return DEFAULT_WORKERS
    try:
        count = int(value)
    except ValueError:
        count = -1
    if not 0 <= count <= 64:
        raise InvalidInput("error.settings.report_workers", value=value)
    return count


def run(
    job: Callable[Concatenate[Store, P], R], store: Store, *args: P.args, **kwargs: P.kwargs
) -> R:
    """``job(store, *args, **kwargs)``, in a worker process when the database can be shared.

    ``job`` must be a module-level function (it is sent by name); its arguments and result
    must pickle. It reads only: the worker's connections are query-only.
    """
    if _in_worker or not store.shareable or worker_count() == 0:
        return job(store, *args, **kwargs)
    pool = _the_pool()
    try:
        return pool.submit(_call, store.path, job, args, kwargs).result()
    except BrokenProcessPool:
        # A worker was killed (out of memory, an operator's kill): start afresh next time,
        # and do this one here so the user still gets the report.
        _discard(pool)
        return job(store, *args, **kwargs)


def shutdown() -> None:
    """Stop the worker processes (tests, and a clean exit)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _the_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


# -- inside a worker process ---------------------------------------------------------------

_stores: OrderedDict[str, tuple[int, Store]] = OrderedDict()


def _start_worker() -> None:
    global _in_worker
    _in_worker = True
    with contextlib.suppress(OSError):  # not permitted here: run at the same priority
        os.nice(WORKER_NICENESS)


def _call(path: str, job: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return job(_store(path), *args, **kwargs)


def _store(path: str) -> Store:
    """This worker's query-only Store for ``path``, reopened when the file was replaced (a
    restore moves a new file into place)."""
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
