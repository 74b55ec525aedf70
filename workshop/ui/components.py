"""What the app's browser-drawn components share: each is registered with Streamlit once per
process, at its first use, and the words it writes are worded once per language.

The phone's push connection and step component (``push.py``), the dot ballot
(``dot_ballot.py``), the idea box (``idea_composer.py``) and the screens' push
(``screen_push.py``) are ``st.components.v2`` components with inline JavaScript (no build
step). Their words are looked up in the catalogues once per language, not at each of the
hundreds of page runs a room makes (~26 lookups a phone's run).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from workshop.ui.i18n import current_language

# Read by a screen reader, not drawn: the rule every component's status lines use (each in its
# own shadow root, where the page's rules do not reach).
VISUALLY_HIDDEN = (
    "position: absolute; width: 1px; height: 1px; overflow: hidden;"
    " clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;"
)


def component(name: str, js: str, css: str = "") -> Callable[[], Any]:
    """The component registered as ``name``, made at the first call (a page that never draws
    it never registers it); call the result to get it, then call that to mount it."""
    made: list[Any] = []

    def renderer() -> Any:
        if not made:
            made.append(st.components.v2.component(name, js=js, css=css or None, html=""))
        return made[0]

    return renderer


def worded_once(build: Callable[[], dict[str, str]]) -> Callable[[], dict[str, str]]:
    """``build`` (what a component writes, in the reader's language) called once per language
    per process; its result shared by every page run in that language."""
    cache: dict[str, dict[str, str]] = {}

    @functools.wraps(build)
    def words() -> dict[str, str]:
        language = current_language()
        found = cache.get(language)
        if found is None:
            found = cache[language] = build()
        return found

    return words
