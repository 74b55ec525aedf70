"""The UI's translation function: ``t(key, **params)`` in the current user's language."""

from __future__ import annotations

from typing import Any

import streamlit as st

from workshop.errors import WorkshopError
from workshop.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    formats,
    language_from_locale,
    translate,
    translate_count,
    translate_error,
)
from workshop.ui import state
from workshop.ui.runtime import closable, close_next_run, forget_for_run, once_per_run


def current_language() -> str:
    """The switcher's choice, else ``?lang=``, else the browser's locale.

    Found once per run (and per fragment run) of a session: a ballot asks for a few dozen
    words, and looking the language up for each (session state, query string, locale)
    was a quarter of a dot tap's server time (py-spy, README "Live updates"); the switcher
    sets the language and reruns at once, so a run never sees two languages."""
    return once_per_run("language", _find_language)


def _find_language() -> str:
    chosen = st.session_state.get(state.LANG)
    if chosen in LANGUAGES:
        return str(chosen)
    from_url = st.query_params.get("lang")
    if from_url in LANGUAGES:
        return str(from_url)
    try:
        locale = st.context.locale
    except Exception:  # bare mode or an old frontend: no context
        locale = None
    return language_from_locale(locale)


def t(key: str, /, **params: Any) -> str:
    return translate(current_language(), key, **params)


def tn(key: str, count: int, /, **params: Any) -> str:
    """``t`` for a phrase with a number in it: picks the singular or plural form."""
    return translate_count(current_language(), key, count, **params)


def day(value: formats.Moment, *, empty: str = "–") -> str:
    """A date (or the day of a stored moment) in the reader's date style and local time zone."""
    return formats.date_text(value, current_language(), empty=empty)


def clock(value: formats.Moment, *, empty: str = "–") -> str:
    """The local time of day of a moment, in the reader's style."""
    return formats.time_text(value, current_language(), empty=empty)


def moment(value: formats.Moment, *, empty: str = "–", seconds: bool = False) -> str:
    """Date and local time of a stored moment, in the reader's style (never UTC)."""
    return formats.datetime_text(value, current_language(), empty=empty, seconds=seconds)


def number(value: float) -> str:
    """A whole number with the reader's thousands separator."""
    return formats.number(value, current_language())


def percent(value: float, *, decimals: int = 0) -> str:
    """A share as a percentage in the reader's style (62 % in da/nb, 62% in en)."""
    return formats.percent(value, current_language(), decimals=decimals)


def date_format() -> str:
    """``st.date_input(format=...)``: the reader's date style in the picker too."""
    return formats.date_picker_format(current_language())


def error_text(error: WorkshopError) -> str:
    return translate_error(current_language(), error)


def language_switcher(key: str) -> None:
    """A small language menu; the choice sticks for this browser session. ``key`` ends in
    "_language": the page script (``frontend_words``) finds the menu by it, to move the
    keyboard's focus into it and back."""
    current = current_language()
    # Named as a language choice ("Sprog: Dansk"), not just "Dansk": a screen reader hears
    # the button's label as its name.
    # Closed once a language is chosen (it stayed open over the page in the new language).
    with st.popover(
        t("common.language_named", language=LANGUAGE_NAMES[current]),
        icon=":material/translate:",
        key=closable(key),
        on_change="rerun",
    ):
        for code in LANGUAGES:
            if st.button(
                LANGUAGE_NAMES[code], key=f"{key}_{code}", type="tertiary", disabled=code == current
            ):
                st.session_state[state.LANG] = code
                forget_for_run("language")
                close_next_run(key)
                st.rerun()
