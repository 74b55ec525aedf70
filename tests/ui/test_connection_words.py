"""Streamlit's words while its server is away (the status at the top, the "Connection error"
dialog) and its main menu's have ours in each language, and are the ones Streamlit 1.67
writes: a newer Streamlit that words them otherwise fails here, before a phone shows English
again. What the browser shows: ``tests/browser/test_connection_words.py``."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit

from workshop.i18n import translate
from workshop.ui.frontend_words import DIALOGS, MENU, STATUS, words


def test_each_english_word_is_one_streamlit_writes() -> None:
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    code = "".join(path.read_text(encoding="utf-8") for path in bundle.glob("*.js"))
    assert [e for e in [*STATUS, *DIALOGS, *MENU] if f"`{e}`" not in code] == []


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_no_english_word_of_streamlits_is_left(lang: str) -> None:
    said = words(lang)
    status = said["status"]
    assert isinstance(status, dict)
    # "Stop" is also Danish: the one word that may stay as it is.
    assert [e for e, mine in status.items() if mine == e and e != "Stop"] == []
    assert all(translate(lang, key) != english for english, key in DIALOGS.items())
    menu = said["menu"]
    assert isinstance(menu, dict)
    assert [e for e, mine in menu.items() if mine == e] == []
    for key in ("frontend.connection_retrying", "frontend.connection_reload"):
        assert "Streamlit" not in translate(lang, key)
