"""One way for every page to run a service and say a refusal in the user's language.

A service raises ``WorkshopError`` (with an i18n key) when a rule says no, and has then
written nothing; the page only has to show why. Pick the helper by what should happen next:

- :func:`act` — a button: run, then rerun with the refusal (or ``done``) as a toast.
- :func:`shows_refusal` — a form that keeps its input on a refusal: the block runs, and a
  refusal becomes an error under the form; put what follows success (a flash, clearing
  keys, ``st.rerun()``) inside the block.
- :func:`or_stop` — a lookup the page cannot go on without (a link's token): its refusal is
  shown and the page stops.
- :func:`flash_refusal` — an ``on_click`` callback: the refusal is shown by the next run's
  ``show_flash()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import streamlit as st

from workshop.errors import WorkshopError
from workshop.meetings.rules import Verdict
from workshop.ui import state
from workshop.ui.i18n import error_text, t

T = TypeVar("T")


def act(action: Callable[..., object], *args: Any, done: str | None = None, **kwargs: Any) -> None:
    """Run ``action``; rerun with its refusal (or ``done``) as the next run's toast."""
    try:
        action(*args, **kwargs)
    except WorkshopError as error:
        st.session_state[state.FLASH] = error_text(error)
    else:
        if done:
            st.session_state[state.FLASH] = done
    st.rerun()


@contextmanager
def shows_refusal(
    text: Callable[[WorkshopError], str] = error_text,
    *,
    after: Callable[[], object] | None = None,
) -> Iterator[None]:
    """Run the block; a refusal in it is shown with ``st.error`` (the form keeps its input).

    ``text`` turns the error into words (a page may say more for some keys); ``after`` runs
    on a refusal too, after the message.
    """
    try:
        yield
    except WorkshopError as error:
        st.error(text(error))
        if after is not None:
            after()


def _stop() -> NoReturn:
    st.stop()
    raise AssertionError("st.stop() returns only outside a script run")


def or_stop(action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``action``'s result; on a refusal the reason is shown and the page stops here."""
    try:
        return action(*args, **kwargs)
    except WorkshopError as error:
        st.error(error_text(error))
        _stop()


def flash_refusal(
    action: Callable[..., object],
    *args: Any,
    key: str = state.FLASH,
    done: str | None = None,
    **kwargs: Any,
) -> None:
    """For ``on_click``: run ``action``; a refusal (or ``done``) waits in ``key`` for the next
    run to show."""
    try:
        action(*args, **kwargs)
    except WorkshopError as error:
        st.session_state[key] = error_text(error)
    else:
        if done:
            st.session_state[key] = done


def verdict_text(verdict: Verdict) -> str | None:
    """Why a ``can_*`` predicate says no, in the user's language (a disabled button's help)."""
    return None if verdict else t(verdict.reason, **dict(verdict.params))
