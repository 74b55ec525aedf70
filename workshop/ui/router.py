"""The router: decide who this is, offer only their pages, run the chosen one.

``streamlit_app.py`` calls :func:`main` on every page view (Streamlit runs that file as
``__main__``).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import streamlit as st

if TYPE_CHECKING:
    from workshop.ui.navigation import PageSpec
    from workshop.ui.session import Visitor

TAB_ICON = "💬"  # the browser tab's icon: an emoji, drawn locally (see _route)


def _requested_page(base: str) -> str | None:
    """The page name in the address bar (``/console`` → ``console``), if Streamlit has it."""
    try:
        url = st.context.url
    except Exception:  # bare mode: no browser
        return None
    if not isinstance(url, str) or not url:
        return None
    path = urlsplit(url).path
    if base and path.startswith(base):
        path = path[len(base) :]
    name = unquote(path.strip("/"))
    return name if name and "/" not in name and len(name) <= 1000 else None


def _database_ready() -> bool:
    """Open the database (first run of the process: connect and migrate). When that fails
    (PostgreSQL unreachable, a newer schema, no privileges, ...), the visitor reads that the
    service is unavailable, in their language; the operator's message goes to the log."""
    from workshop.ui.health import database_problem
    from workshop.ui.i18n import t

    problem = database_problem()
    if problem is not None:
        logging.getLogger("samskab").error("%s", problem)
        st.set_page_config(page_title="Samskab")
        st.error(t("error.database.unavailable"))
        return False
    return True


def main() -> None:
    from workshop.ui.runtime import phone_turn, tune_process
    from workshop.ui.session import who_am_i

    tune_process()  # once per process: the garbage collector (workshop/ui/runtime.py)
    if not _database_ready():
        return

    visitor = who_am_i()
    # A phone's run waits for its turn (workshop/ui/runtime.py); staff and screens never do.
    with phone_turn() if visitor.audience == "citizen" else contextlib.nullcontext():
        _route(visitor)


def _route(visitor: Visitor) -> None:
    from workshop.ui import frontend_words, rejoin
    from workshop.ui.accessibility import page_style
    from workshop.ui.i18n import t
    from workshop.ui.navigation import pages_for
    from workshop.ui.session import base_path

    specs = pages_for(visitor.audience)
    requested = _requested_page(base_path())
    if visitor.audience == "anonymous" and st.query_params.get("screen"):
        # A projector whose screen link was renewed (or whose meeting was removed) says so
        # on the wall; it turned into the citizens' join form, silently.
        specs = []
        pages = [st.Page(_screen_gone, title=t("screen_gone.title"), url_path="screen")]
    else:
        pages = _pages(visitor.audience, specs, requested)
    # Only logged-in staff get a menu; citizens, the projector and visitors have nothing to
    # wander into.
    # The tab's title and icon before the navigation: a browser takes the page's own icon as
    # the tab's icon when none is set yet, and Streamlit fetches a ``:material/…:`` icon for
    # that from fonts.gstatic.com, telling Google every visitor's address. An emoji is drawn
    # by the browser itself (no request at all).
    st.set_page_config(page_title="Samskab", page_icon=TAB_ICON)
    page = st.navigation(pages, position="top" if visitor.user is not None else "hidden")
    # One layout per run, set here for the page that runs: a page that set its own layout
    # after the router's made the console jump from wide to narrow under a facilitator's
    # pointer after an action (a lost tap).
    wide = any(spec.wide and spec.name == page.url_path for spec in specs)
    # Each page its own title, in the reader's language ("Styrepult · Samskab"): every tab
    # read "Samskab", so a screen reader announced the same title on every page and a
    # facilitator with the console, the projector and the summary open could not tell the tabs
    # apart (WCAG 2.4.2 Page Titled; a fresh-eyes trial).
    st.set_page_config(page_title=f"{page.title} · Samskab", layout="wide" if wide else "centered")
    # Streamlit's own words, and a page whose connection is back runs whole (rejoin.py).
    frontend_words.install(rejoin.install)
    page_style()  # captions and links dark enough to read (workshop/ui/accessibility.py)
    page.run()


def _screen_gone() -> None:
    from workshop.ui.i18n import t

    st.title(t("screen_gone.title"), anchor=False)
    st.warning(t("screen_gone.body"))


def _pages(audience: str, specs: list[PageSpec], requested: str | None) -> list[Any]:
    """The pages ``audience`` may open, with the stand-ins a typed address needs."""
    from workshop.ui.i18n import t
    from workshop.ui.navigation import PAGES, page_file
    from workshop.ui.staff_login import gate_page

    # Streamlit serves the default page only at "/": typed as /committees (or a participant
    # link to /participate) it would say "Page not found". Then that page keeps its own
    # address and a hidden stand-in, which only opens it, takes "/".
    home = next((spec for spec in specs if audience in spec.default_for), None)
    home_typed = home is not None and requested == home.name
    pages = [
        st.Page(
            page_file(spec.name),
            title=t(f"page.{spec.name}"),
            icon=spec.icon,
            url_path=spec.name,
            default=spec is home and not home_typed,
            visibility="hidden" if spec.linked else "visible",
        )
        for spec in specs
    ]
    if home is not None and home_typed:
        home_page = pages[specs.index(home)]

        def open_home() -> None:
            st.switch_page(home_page)

        pages.insert(
            0,
            st.Page(
                open_home,
                title=home_page.title,
                url_path="home",
                default=True,
                visibility="hidden",
            ),
        )
    # A typed URL for a page this visitor may not see, or for no page at all: a stand-in at
    # that address (login form, refusal or "no such page", in their language) instead of
    # Streamlit's English "Page not found". The page itself stays unregistered.
    if requested and requested not in {spec.name for spec in specs}:
        known = requested in {spec.name for spec in PAGES}
        pages.append(
            st.Page(
                gate_page(requested, audience),
                title=t(f"page.{requested}") if known else t("auth.not_found_title"),
                url_path=requested,
                visibility="hidden",
            )
        )
    return pages
