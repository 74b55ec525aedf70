"""Who is this browser session, and which store does it use?

Identity comes from two places only: a staff login kept in session state, and a
participant token kept in the URL (``?p=``) and the database, so that a reload, a locked
screen or a dropped websocket brings a phone back as the same participant.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

import streamlit as st

from workshop import committees, demo, meetings
from workshop.config import Settings, load_settings
from workshop.db import Store, shared_store
from workshop.errors import NotFound
from workshop.model import Meeting, Participant, Role, User
from workshop.ui import state
from workshop.ui.i18n import t

_bootstrapped: set[str] = set()
_bootstrap_lock = threading.Lock()


def settings() -> Settings:
    return load_settings()


def store() -> Store:
    """The process-wide store for the configured database, with demo data on first start."""
    config = settings()
    db = shared_store(config.db_path)
    if db.path not in _bootstrapped:
        with _bootstrap_lock:
            if db.path not in _bootstrapped:
                if config.demo_data and not committees.has_committees(db):
                    demo.seed_demo(db)
                _bootstrapped.add(db.path)
    return db


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
    user = st.session_state.get(state.USER)
    return user if isinstance(user, User) else None


def current_participant() -> Participant | None:
    """The participant named by ``?p=`` in the URL, checked against the database."""
    token = st.query_params.get("p")
    if not token:
        return None
    cached = st.session_state.get(state.PARTICIPANT)
    if isinstance(cached, Participant) and cached.token == token:
        return cached
    try:
        participant = meetings.get_participant(store(), token)
    except NotFound:
        return None
    st.session_state[state.PARTICIPANT] = participant
    return participant


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
    user = current_user()
    if user is not None:
        return Visitor(role=user.role, user=user)
    participant = current_participant()
    if participant is not None:
        return Visitor(role=Role.CITIZEN, participant=participant)
    screen = screen_meeting()
    if screen is not None:
        return Visitor(role=None, screen=screen)
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
    """This browser session, for limits on failed join codes."""
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


def log_in(user: User) -> None:
    st.session_state[state.USER] = user


def log_out() -> None:
    st.session_state.pop(state.USER, None)


def flash(message: str) -> None:
    st.session_state[state.FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(state.FLASH, None)
    if message:
        st.toast(message)
