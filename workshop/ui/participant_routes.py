"""The route that lets a browser remember the participant it joined as: one cookie per meeting.

A participant is named by the secret in their link (``?p=…``). Closing the tab and rescanning
the QR code used to make a second participant with a second ballot, because the browser kept
nothing. After a join the page sends the browser (a websocket cannot set cookies) to

* ``GET /auth/participant?p=…&next=/?p=…``: if the link names a participant, it sets the
  cookie ``samskab_p<meeting id>`` to that same secret (HttpOnly, SameSite=Lax, Path=/,
  Secure over HTTPS) and redirects to ``next`` — a path on this site only. The first time, it
  also gives the browser a random id (``samskab_browser``, same attributes): join limits count
  per browser by it, since every reload or new tab is a new Streamlit session.

The cookie holds nothing the link does not already hold, and the participant is looked up
through ``meetings.get_participant`` like the link, so however link secrets are stored, the
cookie follows. A navigation from another site sets no cookie (nobody can plant their
participant in someone's browser), and an unknown link sets none either; both still go on
to ``next``, where the page explains what happened. Mounted by ``st.App`` in
``streamlit_app.py`` next to the staff routes.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from workshop.accounts import sessions as staff_sessions
from workshop.errors import WorkshopError
from workshop.meetings import core as meetings
from workshop.ui.process import store

REMEMBER_PATH = "/auth/participant"
COOKIE_PREFIX = "samskab_p"
# A random id for the browser itself, set with the first participant cookie: reloads and new
# tabs are fresh Streamlit sessions, so join limits count per browser by this id instead.
BROWSER_COOKIE = "samskab_browser"
BROWSER_ID = re.compile(r"^[\w-]{16,64}$")
COOKIE_NAME = re.compile(rf"^{COOKIE_PREFIX}(\d{{1,12}})$")
# A meeting is an evening, a committee's meetings a season; the link itself never expires.
COOKIE_LIFETIME = timedelta(days=90)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def cookie_name(meeting_id: int) -> str:
    return f"{COOKIE_PREFIX}{int(meeting_id)}"


def meeting_of_cookie(name: str) -> int | None:
    """``samskab_p12`` → 12; None for any other cookie."""
    found = COOKIE_NAME.match(name)
    return int(found.group(1)) if found else None


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def remember(request: Request) -> Response:
    target = staff_sessions.safe_next(request.query_params.get("next"), default="/")
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return response
    token = request.query_params.get("p", "")
    if not token or len(token) > 200:
        return response
    try:
        participant = meetings.get_participant(store(), token)
    except WorkshopError:
        return response
    if not BROWSER_ID.match(request.cookies.get(BROWSER_COOKIE, "")):
        response.set_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(18),
            max_age=int(COOKIE_LIFETIME.total_seconds()),
            path="/",
            secure=_is_https(request),
            httponly=True,
            samesite="lax",
        )
    response.set_cookie(
        cookie_name(participant.meeting_id),
        token,
        max_age=int(COOKIE_LIFETIME.total_seconds()),
        path="/",
        secure=_is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


def routes() -> list[BaseRoute]:
    return [Route(REMEMBER_PATH, remember, methods=["GET"])]
