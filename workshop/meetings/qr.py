"""Join links and their QR codes (segno: pure Python, standards-complete, SVG output)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno


def base_url(public_url: str | None, browser_url: str | None) -> str:
    """The app's origin: the configured public URL, else what the browser used."""
    url = public_url or browser_url or "http://localhost:8501"
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def join_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/?{urlencode({'code': code})}"


def screen_url(base: str, screen_token: str) -> str:
    """The projector link: opens only the projector page of one meeting, without login."""
    return f"{base.rstrip('/')}/?{urlencode({'screen': screen_token})}"


def qr_svg(data: str, *, scale: int = 8, dark: str = "#111111", omitsize: bool = False) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=scale, dark=dark, border=2, omitsize=omitsize
    )
    return buffer.getvalue().decode("utf-8")


def qr_png(data: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


@lru_cache(maxsize=64)
def qr_data_uri(data: str) -> str:
    """The QR code as an SVG ``data:`` URI for an ``<img>`` that carries its own alt text
    (``st.image`` has none). Cached: the projector draws the same code every second."""
    svg = qr_svg(data, scale=1, omitsize=True).encode("utf-8")  # a viewBox: it scales
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
