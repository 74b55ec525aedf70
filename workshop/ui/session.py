"""Who is this browser session?

Identity comes from two places only: a staff session named by an HttpOnly cookie and kept in
the database (``workshop.accounts.sessions``; the cookie is set by ``workshop.ui.auth_routes``),
and a participant token kept in the URL (``?p=``) and the database. Either way a reload, a
second tab, a typed URL, a locked screen or a dropped websocket keeps the person who they are.
A browser that joined also keeps the participant's link secret in an HttpOnly cookie per
meeting (``workshop.ui.participant_routes``), so the join link, the QR code or the bare site
opened again in it offer "continue as …" instead of making a second participant.

The process's store and settings live in ``workshop.ui.process`` (re-exported here for pages).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import streamlit as st

from workshop import link_secrets
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.errors import NotFound
from workshop.meetings import core as meetings
from workshop.model import Meeting, Participant, Role, User
from workshop.ui import state
from workshop.ui.auth_routes import LOGOUT_PATH, SESSION_PATH
from workshop.ui.i18n import t
from workshop.ui.participant_routes import (
    BROWSER_COOKIE,
    BROWSER_ID,
    REMEMBER_PATH,
    meeting_of_cookie,
)
from workshop.ui.process import store

# Session-state key: the User in state.USER came from the staff cookie (re-checked each run).
FROM_COOKIE = "staff_from_cookie"


@dataclass(frozen=True)
class Visitor:
    role: Role | None  # None: anonymous visitor
    user: User | None = None
    participant: Participant | None = None
    screen: Meeting | None = None  # a projector opened by its screen link

    @property
    def audience(self) -> str:
        """The row of ``workshop.ui.navigation`` this visitor belongs to."""
        if self.user is not None:
            return self.user.role.value
        if self.participant is not None:
            return "citizen"
        if self.screen is not None:
            return "screen"
        return "anonymous"


def current_user() -> User | None:
    """The logged-in staff member as the database has them now, or None once that ended.

    The User cached in session state is checked again at every call, with one indexed read:
    a login from the cookie by its session (``resolve_session``), any other by its account
    (``accounts.active_user``). So a logout elsewhere, a deactivation or a new role reaches an
    open browser at its next page or fragment run, not only at its next login.
    """
    cached = st.session_state.get(state.USER)
    if not isinstance(cached, User):
        return None
    if st.session_state.get(FROM_COOKIE):
        live = staff_sessions.resolve_session(store(), staff_cookie())
        fresh = live.user if live is not None else None
    else:
        fresh = accounts.active_user(store(), cached.id)
    if fresh is None:
        st.session_state.pop(state.USER, None)
        st.session_state.pop(FROM_COOKIE, None)
        return None
    if fresh != cached:
        st.session_state[state.USER] = fresh
    return fresh


def recheck_staff() -> None:
    """For a staff page's refreshing fragment (the router does not run for those): once the
    login has ended, run the whole app again, so the router shows the login instead."""
    if isinstance(st.session_state.get(state.USER), User) and current_user() is None:
        st.rerun(scope="app")


def staff_cookie() -> str | None:
    """The staff session token the browser sent when this page was loaded, if any."""
    try:
        token = st.context.cookies.get(staff_sessions.COOKIE_NAME)
    except Exception:  # bare mode: no browser
        return None
    return token if isinstance(token, str) and token else None


def _staff_from_cookie() -> User | None:
    """The staff member whose live session the cookie names; checked at every full run.

    One indexed read per full run (fragments do not run the router), so a session ended by
    logging out in another tab, by deactivation or by a new password stops working at the
    next full run of every open tab. The User is kept in session state for the pages.
    """
    token = staff_cookie()
    if token is None:
        return None
    session = staff_sessions.resolve_session(store(), token)
    if session is None:
        if st.session_state.pop(FROM_COOKIE, False):
            st.session_state.pop(state.USER, None)
        return None
    st.session_state[state.USER] = session.user
    st.session_state[FROM_COOKIE] = True
    return session.user


def current_participant(*, verify: bool = False) -> Participant | None:
    """The participant named by ``?p=`` in the URL, checked against the database.

    ``verify``: look again even if this session knows the participant (the router does, at
    every full run): a participant the facilitator removed, or one that vanished with a
    restore of an older backup, stops being anyone at the next page load.
    """
    token = st.query_params.get("p")
    if not token:
        return None
    cached = st.session_state.get(state.PARTICIPANT)
    if not verify and isinstance(cached, Participant) and cached.token == token:
        return cached
    try:
        participant = meetings.get_participant(store(), token)
    except NotFound:
        st.session_state.pop(state.PARTICIPANT, None)
        return None
    st.session_state[state.PARTICIPANT] = participant
    return participant


def has_lost_link() -> bool:
    """The URL names a participant the database does not know (removed, or a restore)."""
    return bool(st.query_params.get("p")) and current_participant() is None


def _participant_cookies() -> dict[int, str]:
    """meeting id → the participant link secret this browser remembers for that meeting."""
    try:
        cookies = dict(st.context.cookies)
    except Exception:  # bare mode: no browser
        return {}
    found: dict[int, str] = {}
    for name, value in cookies.items():
        meeting_id = meeting_of_cookie(name)
        if meeting_id is not None and isinstance(value, str) and 0 < len(value) <= 200:
            found[meeting_id] = value
    return found


def remembered_participants(meeting_id: int | None = None) -> list[Participant]:
    """Participants this browser joined as (its cookies), checked against the database.

    Only ``meeting_id``'s when given. A cookie whose participant is gone is ignored.
    """
    found = []
    for cookie_meeting, token in sorted(_participant_cookies().items()):
        if meeting_id is not None and cookie_meeting != meeting_id:
            continue
        try:
            participant = meetings.get_participant(store(), token)
        except NotFound:
            continue
        if participant.meeting_id == cookie_meeting:
            found.append(participant)
    return found


def participant_url(participant: Participant) -> str:
    """The participant's own page, in this visitor's language."""
    from urllib.parse import urlencode

    query = {"p": participant.token}
    chosen = st.session_state.get(state.LANG)
    if chosen:
        query["lang"] = chosen
    return f"{base_path()}/?{urlencode(query)}"


def remember_participant(participant: Participant) -> str:
    """Send the browser through ``/auth/participant`` so it keeps a cookie for this meeting.

    Returns the URL (pages show it as a link too). Rescanning the QR code, reopening the
    join link or the bare site in this browser then finds the same participant.
    """
    from urllib.parse import urlencode

    query = urlencode({"p": participant.token, "next": participant_url(participant)})
    url = f"{base_path()}{REMEMBER_PATH}?{query}"
    send_browser_to(url)
    return url


def screen_meeting() -> Meeting | None:
    token = st.query_params.get("screen")
    if not token:
        return None
    try:
        return meetings.get_meeting_by_screen_token(store(), token)
    except NotFound:
        return None


def who_am_i() -> Visitor:
    store()  # opens (and on first start, fills) the database before any page runs
    # A participant link names one phone exactly: it wins over a staff cookie in the same
    # browser, so a facilitator can open the phone view in a second tab.
    participant = current_participant(verify=True)
    if participant is not None:
        return Visitor(role=Role.CITIZEN, participant=participant)
    # So does a screen link: the console opens the projector view in the facilitator's own
    # browser, and the room's wall must show the projector, not the staff's pages.
    screen = screen_meeting()
    if screen is not None:
        return Visitor(role=None, screen=screen)
    user = _staff_from_cookie() or current_user()
    if user is not None:
        return Visitor(role=user.role, user=user)
    return Visitor(role=None)


def require_role(*roles: Role) -> User:
    """Stop the page unless a staff member with one of ``roles`` is logged in.

    The router never offers these pages to others; this is the second lock on the door, for
    a URL typed by hand.
    """
    user = current_user()
    if user is None or user.role not in roles:
        st.error(t("access.denied"))
        st.stop()
    assert user is not None
    return user


def require_participant() -> Participant:
    participant = current_participant()
    if participant is None:
        st.error(t("error.participant.unknown"))
        st.stop()
    assert participant is not None
    return participant


def client_id() -> str:
    """This browser, for limits on joins and failed join codes.

    The browser's id cookie (set with its first participant cookie) when it has one: a reload
    or a new tab is a fresh session but the same browser. Otherwise this browser session.
    Only a digest of the id is ever stored (``rate_events``).
    """
    try:
        browser = st.context.cookies.get(BROWSER_COOKIE, "")
    except Exception:  # bare mode: no browser
        browser = ""
    if browser and BROWSER_ID.match(browser):
        return f"browser:{link_secrets.hash_secret(browser)[:32]}"
    if state.JOIN_CLIENT not in st.session_state:
        st.session_state[state.JOIN_CLIENT] = secrets.token_hex(8)
    return f"session:{st.session_state[state.JOIN_CLIENT]}"


def network_id() -> str | None:
    """The client's address as the server sees it (a venue NAT, or the proxy's)."""
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    return f"ip:{ip}" if ip else None


def base_path() -> str:
    """``server.baseUrlPath`` as a prefix: ``""`` or ``"/samskab"``."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def send_browser_to(url: str) -> None:
    """Load ``url`` in this browser tab: a full page load, so cookies set there count.

    A websocket cannot set cookies. This is the message Streamlit's own ``st.login`` and
    ``st.logout`` use to send the tab to their auth endpoints (the frontend sets
    ``window.location.href``); those commands only speak OpenID Connect, so Samskab sends
    the message itself, to its own routes. Pages show a link as well, in case it is ignored.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = url
    ctx.enqueue(message)


def log_in(user: User, *, next_path: str) -> str:
    """Start a staff session for ``user`` (already authenticated); returns the URL to load.

    The URL redeems a one-time ticket at ``/auth/session``, which sets the session cookie
    and continues to ``next_path``. The browser is sent there at once.
    """
    from urllib.parse import urlencode

    ticket = staff_sessions.create_ticket(store(), user, next_path=next_path)
    url = f"{base_path()}{SESSION_PATH}?{urlencode({'ticket': ticket})}"
    send_browser_to(url)
    return url


def log_out() -> str:
    """End this browser's staff session in the database (audited) and forget the user here.

    Returns the URL that clears the cookie (``/auth/logout``); the browser is sent there.
    """
    from urllib.parse import urlencode

    user = current_user()
    staff_sessions.end_session(store(), staff_cookie(), actor=user)
    st.session_state.pop(state.USER, None)
    st.session_state.pop(FROM_COOKIE, None)
    url = f"{base_path()}{LOGOUT_PATH}?{urlencode({'next': f'{base_path()}/login'})}"
    send_browser_to(url)
    return url


def flash(message: str) -> None:
    st.session_state[state.FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(state.FLASH, None)
    if message:
        st.toast(message)
