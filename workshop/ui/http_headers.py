"""Security headers on every HTTP response of the app, whether or not nginx is in front.

``deploy/nginx-samskab.conf`` sends the same headers; the app sends them itself so that a
server run without that proxy (or behind another one) is just as safe. nginx hides the app's
copies of the ones it adds itself (``proxy_hide_header``), so a browser gets each once.

* ``Content-Security-Policy: frame-ancestors 'self'`` and ``X-Frame-Options: SAMEORIGIN``:
  no other site may show the app in a frame (clickjacking of a facilitator's console or of a
  phone's ballot). ``'self'`` rather than ``'none'``: Streamlit puts custom components (and
  ``st.components.v1.html``) in frames served from the app's own origin, and nginx already says
  SAMEORIGIN; the pages use none today, but a same-origin frame is no threat.
* ``Referrer-Policy: no-referrer``: participant, screen, application, mandate and outcome links
  carry their secret in the address; no link followed from such a page may pass it on. Every
  response gets it, since any page may carry a token.
* ``X-Content-Type-Options: nosniff``: a browser never runs something served as text as script.

A plain ASGI middleware (``st.App(middleware=…)`` in ``streamlit_app.py``): it adds a header
only when the response has none of that name, and leaves websockets alone.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", "frame-ancestors 'self'"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
)


class SecurityHeaders:
    """ASGI middleware: ``SECURITY_HEADERS`` on every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
