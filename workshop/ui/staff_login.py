"""The staff login form, and what a visitor sees at a URL that is not theirs.

Used by the login page and by the router's stand-in pages (``gate_page``): an anonymous
visitor who types ``/console`` gets this form with a line saying why, and after logging in
lands on the console if their role may see it. Others get a localized refusal, and an unknown
address a localized "no such page" — never Streamlit's English "Page not found".
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import streamlit as st

from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.ui import state
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import language_switcher, t
from workshop.ui.navigation import ANONYMOUS, CITIZEN, PAGES, pages_for
from workshop.ui.process import store
from workshop.ui.session import base_path, log_in, network_id

STAFF_AUDIENCES = ("admin", "facilitator", "politician")
# Pages a logged-in person has no business returning to after a login.
NOT_A_DESTINATION = {"login", "logout", "start"}


def _page_of(path: str) -> str:
    """The page name in a site path: ``/samskab/console?x=1`` → ``console``."""
    route = urlsplit(path).path
    base = base_path()
    if base and route.startswith(base):
        route = route[len(base) :]
    return route.strip("/")


def destination_for(role: str, next_path: str) -> str:
    """Where to go after logging in: ``next_path`` if this role may see that page, else home."""
    home = f"{base_path()}/"
    next_path = staff_sessions.safe_next(next_path, default=home)
    name = _page_of(next_path)
    if not name or name in NOT_A_DESTINATION:
        return home
    allowed = {spec.name for spec in pages_for(role)}
    return next_path if name in allowed else home


def login_form(next_path: str, *, notice: str | None = None) -> None:
    """The language menu, title, an optional notice and the username/password form."""
    with st.container(horizontal=True, horizontal_alignment="right"):
        language_switcher("login_language")
    st.title(t("login.title"))
    if notice:
        st.info(notice, icon=":material/lock:")

    with st.form("login_form"):
        username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
        password = st.text_input(
            t("login.password"),
            type="password",
            key="login_password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(t("login.submit"), type="primary")

    if submitted:
        with shows_refusal():
            user = accounts.authenticate(store(), username, password, network=network_id())
            destination = destination_for(user.role.value, next_path)
            chosen = st.session_state.get(state.LANG)
            if chosen and "lang=" not in destination:  # keep the language picked here
                destination += ("&" if "?" in destination else "?") + urlencode({"lang": chosen})
            url = log_in(user, next_path=destination)
            st.success(t("auth.logging_in", name=user.display_name))
            st.markdown(f"[{t('auth.continue')}]({url})")
            st.stop()

    st.caption(t("login.first_time"))


def requested_path(name: str) -> str:
    """This page's address with its query (``/console?meeting=3``), for after the login."""
    query = {key: st.query_params.get_all(key) for key in st.query_params}
    suffix = f"?{urlencode(query, doseq=True)}" if query else ""
    return f"{base_path()}/{name}{suffix}"


def _home_link(audience: str) -> None:
    """A way back: the start page, a citizen's own meeting, or a staff member's home page."""
    if audience == CITIZEN:
        token = st.query_params.get("p", "")
        url = f"{base_path()}/?{urlencode({'p': token})}"
        st.markdown(f"[{t('auth.back_to_meeting')}]({url})")
    elif audience in STAFF_AUDIENCES:
        st.markdown(f"[{t('auth.go_home')}]({base_path()}/)")
    elif audience == ANONYMOUS:
        st.markdown(f"[{t('auth.go_start')}]({base_path()}/)")


def gate_page(name: str, audience: str) -> Callable[[], None]:
    """The stand-in for page ``name``, which ``audience`` may not open (or which does not exist).

    Anonymous visitors asking for a staff page get the login form, and continue there after
    logging in. Everyone else gets a plain refusal in their language.
    """
    spec = next((page for page in PAGES if page.name == name), None)

    def show() -> None:
        if (
            audience == ANONYMOUS
            and spec is not None
            and CITIZEN in spec.audiences
            and st.query_params.get("p")
        ):
            from workshop.ui.participant_widgets import lost_link_page
            from workshop.ui.privacy_widgets import erased_link_notice

            if erased_link_notice():  # an erased phone's old link: say so, not "no access"
                _home_link(audience)
            else:
                # A participant's page with a link whose participant is gone (removed, or a
                # restore of an older backup): say so and offer a new join, not "no access".
                lost_link_page()
        elif spec is None:
            st.title(t("auth.not_found_title"))
            st.warning(t("auth.not_found"), icon=":material/travel_explore:")
            _home_link(audience)
        elif audience == ANONYMOUS and set(spec.audiences) & set(STAFF_AUDIENCES):
            if name == "logout":  # already logged out: just the form
                login_form(f"{base_path()}/")
            else:
                notice = t("auth.login_to_open", page=t(f"page.{name}"))
                login_form(requested_path(name), notice=notice)
        elif audience in STAFF_AUDIENCES and name in NOT_A_DESTINATION:
            st.title(t(f"page.{name}"))
            st.info(t("auth.already_logged_in"), icon=":material/badge:")
            _home_link(audience)
        else:
            st.title(t(f"page.{name}"))
            st.error(t("access.denied"), icon=":material/block:")
            _home_link(audience)

    show.__name__ = f"gate_{name}"
    return show
