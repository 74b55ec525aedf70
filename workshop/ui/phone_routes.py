"""What the phones' own routes share (``POST /push/dots``, ``POST /push/ideas``): reading and
refusing a request, finding who asks, answering in JSON, and the writer threads that carry the
writes out.

Writes are carried out by ``WRITERS`` threads per process, not by the request's own: writes
wait for one write lock anyway, and forty threads contending for the GIL made the one holding
it forty times slower (py-spy, README "Live updates"). Who asks is looked up before, in the
server's common threads, so forged secrets never queue in front of the room's writes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from workshop.errors import WorkshopError
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Participant
from workshop.ui.process import store

WRITERS = 2
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

log = logging.getLogger(__name__)
Parsed = TypeVar("Parsed", bound=tuple[Any, ...])
_writers = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="samskab-writes")


def answer(status: int, headers: dict[str, str] | None = None, **body: Any) -> Response:
    return JSONResponse(body, status_code=status, headers=HEADERS | (headers or {}))


def post_only(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> list[BaseRoute]:
    """The route, and a 405 for any other method at its address: a GET (a link followed, a
    crawler) was answered with the app's page, since Streamlit's page route takes any path."""

    async def not_allowed(_: Request) -> Response:
        return answer(405, {"Allow": "POST"}, error="method not allowed")

    others = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return [Route(path, endpoint, methods=["POST"]), Route(path, not_allowed, methods=others)]


def identify(token: str) -> Participant | None:
    """The participant of a link secret, or None (unknown, forged, removed)."""
    try:
        return meetings.get_participant(store(), token)
    except WorkshopError:
        return None


def foreign(request: Request) -> bool:
    """A browser on another site sent this (its ``Origin`` names another host than the one
    asked). The link secret in the body already keeps a foreign page from voting; this is the
    same-origin rule Streamlit's own writes follow, as a second lock. Ports are not compared:
    nginx passes the host without its port."""
    origin = request.headers.get("origin")
    if not origin:
        return False  # not a browser's cross-site request (a script, a test)
    from urllib.parse import urlsplit

    asked = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
    return (urlsplit(origin).hostname or "") != asked


async def read_body(request: Request, limit: int) -> bytes | Response:
    """The request's body, or the answer that refuses it: a browser on another site (403), a
    length missing or over ``limit`` bytes (400, 413; counted as it arrives, whatever the
    header said)."""
    if foreign(request):
        return answer(403, ok=False)
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > limit:
        return answer(413 if length.isdigit() else 400, ok=False)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return answer(413, ok=False)
    return body


async def in_writer(language: str, what: str, work: Callable[[], Response]) -> Response:
    """``work`` carried out by one of the ``WRITERS`` threads; a database failure (not a rule)
    is logged and said in ``language`` (503), never a bare 500."""
    return await _answered(language, what, asyncio.wrap_future(_writers.submit(work)))


async def in_common_thread(language: str, what: str, work: Callable[[], Response]) -> Response:
    """``work`` (reads only) carried out by one of the server's common threads; a database
    failure is logged and said in ``language`` (503), as ``in_writer``'s."""
    return await _answered(language, what, run_in_threadpool(work))


async def _answered(language: str, what: str, carried_out: Awaitable[Response]) -> Response:
    try:
        return await carried_out
    except Exception:
        log.exception("%s not carried out", what)
        return answer(503, ok=False, message=translate(language, "error.database.unavailable"))


class Recent:
    """The moments a participant asked within the last ``per_seconds`` seconds, per process:
    how long one who asked ``limit`` times must wait. A refused ask is not counted; the quiet
    are forgotten, so memory stays bounded."""

    def __init__(self, limit: int, per_seconds: float) -> None:
        self.limit, self.per_seconds = limit, per_seconds
        self._asks: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def too_fast(self, who: Hashable, now: float | None = None) -> float:
        """Seconds ``who`` must wait (0: go on); counts this ask when it may go on."""
        now = time.monotonic() if now is None else now
        with self._lock:
            asks = self._asks.setdefault(who, deque())
            while asks and asks[0] <= now - self.per_seconds:
                asks.popleft()
            if len(asks) >= self.limit:
                return asks[0] + self.per_seconds - now
            asks.append(now)
            if len(self._asks) > 20_000:
                quiet = now - self.per_seconds
                for key in [k for k, v in self._asks.items() if not v or v[-1] <= quiet]:
                    del self._asks[key]
            return 0.0

    def refusal(self, who: Hashable, language: str, **body: Any) -> Response | None:
        """None when ``who`` may go on (this ask counted); else the 429 that says, in
        ``language``, how many seconds to wait (``Retry-After`` too), with ``body``."""
        wait = self.too_fast(who)
        if wait <= 0:
            return None
        seconds = max(1, round(wait + 0.5))
        message = translate(language, "error.rate_limited", seconds=seconds)
        return answer(429, {"Retry-After": str(seconds)}, **body, message=message)


async def parsed_request(
    request: Request, limit: int, parse: Callable[[bytes], Parsed | None]
) -> Parsed | Response:
    """A phone's JSON request (at most ``limit`` bytes) parsed by ``parse``; or the answer
    that refuses it (403, 400, 413)."""
    body = await read_body(request, limit)
    if isinstance(body, Response):
        return body
    parsed = parse(body)
    return answer(400, ok=False) if parsed is None else parsed


async def phone_request(
    request: Request, limit: int, parse: Callable[[bytes], Parsed | None]
) -> tuple[Participant, Parsed] | Response:
    """A phone's JSON request to one of its routes: the body (at most ``limit`` bytes) parsed
    by ``parse`` (a tuple, the link secret first) and the participant of that secret; or the
    answer that refuses it (403, 400, 413). Who asks is found outside the writers: a flood of
    forged secrets waits for the server's common threads, not in front of the room's writes."""
    parsed = await parsed_request(request, limit, parse)
    if isinstance(parsed, Response):
        return parsed
    participant = await run_in_threadpool(identify, parsed[0])
    if participant is None:
        return answer(403, ok=False)
    return participant, parsed
