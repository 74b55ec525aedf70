"""What a phone's run costs the server, where it was found wasted (py-spy on a 300-phone
room, ``benchmarks/room_load.py``): looking up the reader's language for every word, and
wording the page's Streamlit strings anew on every run; and phones taking turns, so that a
step change does not start every phone's run at once.

These are counts, not timings: a count does not depend on how busy the machine is."""

from __future__ import annotations

import contextlib
import threading

import pytest

from tests.ui import dots
from tests.ui.conftest import open_console, texts
from tests.ui.test_live_pages import go, room  # noqa: F401  (the live pages' meeting)
from workshop.model import StepKind
from workshop.ui import frontend_words, runtime
from workshop.ui import i18n as ui_i18n


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    calls = [0]
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_language_is_looked_up_once_per_run_not_once_per_word(
    room,  # noqa: F811
    make_app,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    go(room, StepKind.DOT_VOTE)
    at = make_app(query={"p": room["anna"].token}).run()  # no ?lang=, no choice: the locale
    assert not at.exception
    lookups = _counting(monkeypatch, ui_i18n, "language_from_locale")
    at.run()
    assert not at.exception
    assert dots.ballot(at) is not None  # the ballot
    # One full run draws the header, the ballot's fragment and a few dozen words: the
    # language is found once for the run, not once per word.
    assert 1 <= lookups[0] <= 2, lookups[0]


def test_a_language_chosen_on_the_phone_holds_for_the_next_run(
    room,  # noqa: F811
    make_app,
) -> None:
    go(room, StepKind.DOT_VOTE)
    at = make_app(query={"p": room["anna"].token}).run()
    assert not at.exception
    at.button(key="participate_language_nb").click().run()
    assert not at.exception
    assert dots.ballot(at)["words"]["plus"] == "+ Prikk"
    assert dots.ballot(at)["lang"] == "nb"  # the taps' answers are worded in it too
    at.button(key="participate_language_en").click().run()
    assert dots.ballot(at)["words"]["plus"] == "+ Dot"


def test_streamlits_own_words_are_worded_once_per_language_not_every_run(
    room,  # noqa: F811
    make_app,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    go(room, StepKind.DOT_VOTE)
    with_cache = getattr(frontend_words, "_script", None)
    if with_cache is not None:
        with_cache.cache_clear()
    worded = _counting(monkeypatch, frontend_words, "words")
    at = make_app(query={"p": room["anna"].token, "lang": "da"}).run()
    for _ in range(3):
        at.run()
    assert not at.exception
    assert worded[0] == 1, worded[0]
    page = "".join(str(getattr(h, "proto", "")) for h in at.get("html"))
    assert "Gå til hovedindholdet" in page  # still on the page, in the reader's language


def test_phones_take_turns_and_a_page_run_draws_its_fragments_in_its_own_turn() -> None:
    running = [0]
    most = [0]
    lock = threading.Lock()
    inside = threading.Barrier(runtime.PHONE_RUNS_AT_ONCE, timeout=10)

    def phone() -> None:
        with runtime.phone_turn():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            with contextlib.suppress(threading.BrokenBarrierError):
                inside.wait()  # the first ones are in at the same time
            with runtime.phone_turn():  # a fragment drawn inline by the page's run
                pass
            with lock:
                running[0] -= 1

    phones = [threading.Thread(target=phone) for _ in range(12)]
    for thread in phones:
        thread.start()
    for thread in phones:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in phones)
    assert most[0] == runtime.PHONE_RUNS_AT_ONCE


def test_a_facilitators_run_never_waits_for_the_rooms_phones(room, make_app) -> None:  # noqa: F811
    held = 0
    try:
        for _ in range(runtime.PHONE_RUNS_AT_ONCE):  # every phone turn taken
            assert runtime._turns.acquire(timeout=5)
            held += 1
        at = open_console(make_app, room["fie"], room["meeting"].id)  # raises on a timeout
        assert "Idé nummer 3" in texts(at)
    finally:
        for _ in range(held):
            runtime._turns.release()


def test_an_ideas_text_is_escaped_once_for_every_phone_that_draws_it(
    room,  # noqa: F811
    make_app,
) -> None:
    from workshop.text import escape_markdown

    go(room, StepKind.CLUSTERING)  # every idea of the wall drawn, under its theme
    escape_markdown.cache_clear()
    for phone in ("anna", "bo"):
        at = make_app(query={"p": room[phone].token}).run()
        assert not at.exception
    seen = escape_markdown.cache_info()
    assert seen.hits >= seen.misses  # the second phone's ballot: the same texts, not escaped again
