"""The UI's translation function: ``t(key, **params)`` in the current user's language."""

from __future__ import annotations

from typing import Any

import streamlit as st

from workshop.errors import WorkshopError
from workshop.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    language_from_locale,
    translate,
    translate_count,
)
from workshop.ui import state


def current_language() -> str:
    """The switcher's choice, else ``?lang=``, else the browser's locale."""
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


def error_text(error: WorkshopError) -> str:
    return t(error.key, **error.params)


def language_switcher(key: str) -> None:
    """A small language menu; the choice sticks for this browser session."""
    current = current_language()
    with st.popover(
        LANGUAGE_NAMES[current], icon=":material/translate:", key=key, help=t("common.language")
    ):
        for code in LANGUAGES:
            if st.button(
                LANGUAGE_NAMES[code], key=f"{key}_{code}", type="tertiary", disabled=code == current
            ):
                st.session_state[state.LANG] = code
                st.rerun()
