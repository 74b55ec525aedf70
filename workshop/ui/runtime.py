"""Process-wide settings of the Streamlit server process, applied once on its first page run.

**The garbage collector.** Streamlit runs every session's script under one GIL, so a pause of
the collector stops every phone in the room at once. With CPython's default thresholds
(700, 10, 10) a process serving 300 phones collected its young generation ~85 times a second
and its whole heap every few seconds: 12 s of 80 s of server CPU, and pauses of up to 300 ms
(measured with ``gc.callbacks`` during ``benchmarks/room_load.py -n 300``). Two changes:

* ``gc.freeze()`` after the first run has imported the app (streamlit, pandas, pyarrow,
  altair, our modules): those objects live as long as the process, so full collections no
  longer walk them.
* A young-generation threshold of 50,000 allocations instead of 700. Reference counting
  frees almost everything a script run allocates; the collector is only needed for cycles,
  and finds them just as well a little later. The older generations keep their default
  ratios (20 young collections per middle one instead of 10, 10 middle per full one), so the
  state of sessions that ended is still reclaimed by a full collection about every 10 million
  allocations: every twenty minutes or so in a busy room, not never.

Same room after the change: 24 young and 1 older collection in the whole run, server CPU per
request 7.7 → 6.9 ms, p95 of a dot 491 → 92 ms (README, "Benchmarks").

**The GIL's switch interval**: 1 ms instead of CPython's 5 ms. While one session builds an
export or a cold summary (pure Python and pandas, holding the GIL), another thread that wants
the GIL asks for it and gets it only after the interval; a phone's poll makes about eight
sqlite3 calls, each releasing and taking the GIL again, so it could wait 8 × 5 ms behind a
busy neighbour. ``benchmarks/bench_read_lock.py`` uses the same value (README, "Reads beside
writes").

**Phones take turns.** Streamlit runs each session's script in a thread of its own, so when
the facilitator moves a 300-phone room to the vote, 150 runs per process start at once and
share the GIL a millisecond at a time: every phone then waits for all of them (each run is
done only when all are nearly done), and the threads' contention costs CPU of its own. A
phone's run (the participant page and its fragments) therefore waits for one of
``PHONE_RUNS_AT_ONCE`` turns, roughly in order of arrival (:func:`phone_turn`): the same work in the
same total time, but the first phones show the ballot after a few runs' time instead of all
of them after all of it. Staff and projector runs do not wait: the facilitator's next step
is never queued behind the room.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

GC_THRESHOLDS = (50_000, 20, 10)
SWITCH_INTERVAL_S = 0.001
# Imported before freezing, so that what they build at import time is frozen with the rest.
HEAVY_MODULES = (
    "pandas",
    "pyarrow",
    "altair",
    "workshop.reports.summary",
    "workshop.voting.methods",
)

PHONE_RUNS_AT_ONCE = 2

P = ParamSpec("P")
R = TypeVar("R")

_done = False
_lock = threading.Lock()
_turns = threading.Semaphore(PHONE_RUNS_AT_ONCE)
_holding = threading.local()  # this thread's depth: a page run draws its fragments inline


@contextlib.contextmanager
def phone_turn() -> Iterator[None]:
    """Hold one of the process's turns for a phone's run (waiting for one, in order)."""
    depth = getattr(_holding, "depth", 0)
    if depth:
        _holding.depth = depth + 1
        try:
            yield
        finally:
            _holding.depth = depth
        return
    with _turns:
        _holding.depth = 1
        try:
            yield
        finally:
            _holding.depth = 0


def tune_process() -> None:
    """Apply the settings above; the first call in a process does it, later calls return."""
    global _done
    if _done:
        return
    with _lock:
        if _done:
            return
        for name in HEAVY_MODULES:
            importlib.import_module(name)
        gc.collect()  # what is garbage now should not be frozen with the rest
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        _done = True


def taking_turns(body: Callable[P, R]) -> Callable[P, R]:
    """A phone's fragment that runs in a turn (put it under ``@st.fragment``: the fragment
    keeps its name, so Streamlit knows it as before)."""

    @functools.wraps(body)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with phone_turn():
            return body(*args, **kwargs)

    return run


_MEMO = "_samskab_memo"  # on Streamlit's run context: (the run's cursors, {name: value})


def once_per_run(name: str, compute: Callable[[], R]) -> R:
    """``compute()`` once per script run (and per fragment run) of a session, under ``name``;
    every time outside a run (the HTTP routes, a test's own code).

    A page run asks for the language, the settings and the store dozens of times, and each
    look costs 20–40 µs (the environment, the session state, the query string). A run is
    recognised by the cursors Streamlit gives each run afresh."""
    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "cursors", None) if ctx is not None else None
    if run is None:
        return compute()
    memo: tuple[Any, dict[str, Any]] | None = getattr(ctx, _MEMO, None)
    if memo is None or memo[0] is not run:
        memo = (run, {})
        setattr(ctx, _MEMO, memo)
    if name not in memo[1]:
        memo[1][name] = compute()
    return memo[1][name]


def forget_for_run(name: str) -> None:
    """This run asks anew for ``name`` (the reader chose another language)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    memo = getattr(ctx, _MEMO, None) if ctx is not None else None
    if memo is not None:
        memo[1].pop(name, None)


def fragment_run() -> bool:
    """Whether this is a run of fragments alone (not of the whole page, which also runs them)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(ctx is not None and ctx.fragment_ids_this_run)


_CLOSE_ASKED = "samskab_close_asked"  # keys of the popovers and expanders asked to close


def close_next_run(key: str) -> None:
    """The form in the popover or expander at ``key`` did its work: draw it closed in the next
    run (this run drew it already, and a drawn widget's state cannot change in its own run).
    Left open, "New meeting" still showed the emptied form over the meeting it had made."""
    st.session_state.setdefault(_CLOSE_ASKED, set()).add(key)


def closable(key: str) -> str:
    """The key of a popover or expander that :func:`close_next_run` can close (drawn with
    ``on_change="rerun"``: its state is then the app's): closed here if asked."""
    asked = st.session_state.get(_CLOSE_ASKED)
    if asked and key in asked:
        asked.discard(key)
        st.session_state[key] = False
    return key
