"""Two small HTTP routes next to the Streamlit app: they set and clear the staff cookie.

Streamlit talks to the browser over a websocket, which cannot set a cookie, so the login page
sends the browser here with a one-time ticket (``workshop.accounts.sessions``):

* ``GET /auth/session?ticket=…&next=/console`` redeems the ticket, sets the session cookie
  (HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS) and redirects to ``next`` — a path on
  this site only, never another site.
* ``GET /auth/logout?next=/login`` clears the cookie once the page has ended the session in
  the database; a link from another site cannot log anyone out.

The routes are mounted by ``st.App`` in ``streamlit_app.py``. They are plain functions, so
Starlette runs them in its thread pool, off the event loop that serves the websockets.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from workshop.accounts import sessions as staff_sessions
from workshop.errors import WorkshopError
from workshop.i18n import language_from_locale, translate
from workshop.ui.process import store

SESSION_PATH = "/auth/session"
LOGOUT_PATH = "/auth/logout"
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _is_https(request: Request) -> bool:
    # uvicorn applies X-Forwarded-Proto from nginx (FORWARDED_ALLOW_IPS) to the scheme; the
    # header is read too in case the proxy address is not in that list.
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _cross_site(request: Request) -> bool:
    """A navigation started by another site (login CSRF: someone else's ticket)."""
    return request.headers.get("sec-fetch-site", "").lower() == "cross-site"


def _language(request: Request) -> str:
    chosen = request.query_params.get("lang")
    accepted = request.headers.get("accept-language", "").split(",")[0].split(";")[0]
    return language_from_locale(chosen or accepted.strip())


def _refused(request: Request) -> Response:
    text = translate(_language(request), "auth.ticket_invalid")
    return PlainTextResponse(text, status_code=400, headers=NO_STORE)


def start_session(request: Request) -> Response:
    if _cross_site(request):
        return _refused(request)
    try:
        token, next_path = staff_sessions.redeem_ticket(
            store(), request.query_params.get("ticket", "")
        )
    except WorkshopError:
        return _refused(request)
    target = staff_sessions.safe_next(request.query_params.get("next"), default=next_path)
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    response.set_cookie(
        staff_sessions.COOKIE_NAME,
        token,
        max_age=int(staff_sessions.ABSOLUTE_LIFETIME.total_seconds()),
        path="/",
        secure=_is_https(request),
        httponly=True,
        samesite="lax",
    )
    return response


def end_session(request: Request) -> Response:
    target = staff_sessions.safe_next(request.query_params.get("next"), default="/login")
    response = RedirectResponse(target, status_code=303, headers=NO_STORE)
    token = request.cookies.get(staff_sessions.COOKIE_NAME)
    # Only a session the logout page already ended loses its cookie: a link from elsewhere
    # cannot throw a facilitator out of a running meeting.
    if token is not None and not staff_sessions.is_live(store(), token):
        response.delete_cookie(
            staff_sessions.COOKIE_NAME,
            path="/",
            secure=_is_https(request),
            httponly=True,
            samesite="lax",
        )
    return response


def routes() -> list[BaseRoute]:
    return [
        Route(SESSION_PATH, start_session, methods=["GET"]),
        Route(LOGOUT_PATH, end_session, methods=["GET"]),
    ]
