"""Streamlit's static bundles compressed once per process (brotli or gzip) and served from memory.

A phone's first visit downloaded 2.7 MB in ~86 requests from ``scripts/start`` (no proxy):
Streamlit leaves ``/static/`` out of its own gzip middleware on purpose, because Starlette's
compresses every response anew and a crowd arriving after a deploy would pay for it on every
request. The bundles are content-hashed and served as immutable, so the answer here is to
compress each one ONCE: the first request for an asset reads Streamlit's response, compresses
it (in a worker thread) and keeps the result; every later request in the process is served
those bytes. A venue's Wi-Fi carries about a third of the bytes with gzip (level 6).

Brotli (quality 11) where the browser accepts it: ~20% smaller than gzip on Streamlit's
bundles (index.js 148 → 122 kB). Browsers offer it only over HTTPS and to localhost
(Chromium's ``Accept-Encoding`` to ``http://192.168…`` is ``gzip, deflate``), so a phone
gets it behind nginx (TLS), and gzip from ``scripts/start`` on a plain-HTTP venue network.
Quality 11 costs ~2 s of CPU per MB, too slow to make the first phones after a start wait:
an asset's first compression is gzip (milliseconds), served at once, and the brotli form is
made after it in ONE background thread (one core at most) and served from then on. A client
that accepts brotli but not gzip waits for it. Both forms are kept: ~1.5 MB of memory.

Left as they are: a client that accepts neither (``q=0`` refuses), a range request, a
response that is not a plain 200, already encoded, or not text (fonts and images are
compressed already), anything outside ``/static/``. Behind nginx
(``deploy/nginx-samskab.conf``) nginx passes a compressed response on as it is.

A plain ASGI middleware (``st.App(middleware=…)`` via ``workshop/ui/server.py``), like
``workshop/ui/http_headers.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import brotli
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

ASSET = re.compile(r"/static/(?:js|css|media)/[^/]+\Z")
TEXT_TYPES = ("javascript", "css", "json", "svg", "text/")
LEVEL = 6  # gzip
BROTLI_QUALITY = 11
KEEP_BYTES = 32 * 1024 * 1024  # compressed bytes kept per process, at most


@dataclass(frozen=True)
class Compressed:
    start: Message  # the response's start, with the encoding's headers
    body: bytes


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The encodings an ``Accept-Encoding`` header welcomes (``q=0`` refuses one)."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.partition(";")
        weight = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
        try:
            if float(weight) > 0:
                accepted.add(name.strip())
        except ValueError:
            continue
    return accepted & {"br", "gzip"}


def _encode(encoding: str, plain: bytes) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(plain, quality=BROTLI_QUALITY))
    return gzip.compress(plain, LEVEL, mtime=0)


def _encoded(start: Message, encoding: str, body: bytes) -> Compressed:
    """Streamlit's response start with the headers of ``body``, the ``encoding`` of it."""
    start = {**start, "headers": list(start["headers"])}
    out = MutableHeaders(scope=start)
    out["content-encoding"] = encoding
    out["content-length"] = str(len(body))
    if "accept-encoding" not in out.get("vary", "").lower():
        out.add_vary_header("Accept-Encoding")
    etag = out.get("etag")
    if etag and not etag.startswith("W/"):
        out["etag"] = f"W/{etag}"  # another encoding of the same asset, as nginx says
    return Compressed(start, body)


async def stays() -> Message:
    """An ASGI ``receive`` for a static file's GET: no body, and the client never leaves (the
    file response stops listening, cancelling this, once it has sent the file)."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def whole(messages: list[Message]) -> bool:
    """Whether a captured response is complete: its body ended, as long as it says."""
    bodies = [m for m in messages if m["type"] == "http.response.body"]
    if not bodies or bodies[-1].get("more_body", False):
        return False
    length = Headers(raw=messages[0]["headers"]).get("content-length")
    return length is None or int(length) == sum(len(m.get("body", b"")) for m in bodies)


class CompressedAssets:
    """ASGI middleware: Streamlit's text assets compressed once per encoding, kept, and served
    compressed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kept: dict[tuple[str, str], Compressed] = {}  # by path and encoding
        self.kept_bytes = 0
        self.compressions = 0  # how many times an asset was compressed (tests, benchmarks)
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._keeping = threading.Lock()  # the background thread keeps too
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brotli")
        self._upgrading: set[str] = set()
        self.upgrades: list[Future[None]] = []  # brotli forms under way or made (tests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = self._accepted(scope)
        if not accepted:
            await self.app(scope, receive, send)
            return
        if "br" in accepted and (scope["path"], "br") in self.kept:
            encoding = "br"
        else:  # gzip at once, brotli made meanwhile (see the module's docstring)
            encoding = "gzip" if "gzip" in accepted else "br"
        key = (scope["path"], encoding)
        found = self.kept.get(key)
        if found is None:
            # One compression per asset, even when a crowd asks for it at the same moment.
            lock = self._locks.setdefault(key, asyncio.Lock())
            try:
                async with lock:
                    found = self.kept.get(key)
                    if found is None:
                        found = await self._compress(scope, receive, send, encoding)
            finally:
                if not lock.locked():  # no lock kept for a path nobody waits on (404s too)
                    self._locks.pop(key, None)
            if found is None:
                return  # answered as it was
        if encoding == "gzip" and "br" in accepted:
            self._upgrade(scope["path"], found)
        await send(found.start)
        body = b"" if scope["method"] == "HEAD" else found.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _accepted(self, scope: Scope) -> set[str]:
        """The encodings this request may get; none: it is passed on as it is."""
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return set()
        if not ASSET.search(scope["path"]):
            return set()
        headers = Headers(scope=scope)
        if "range" in headers:
            return set()
        return accepted_encodings(headers.get("accept-encoding", ""))

    def _keep(self, path: str, encoding: str, found: Compressed) -> None:
        with self._keeping:
            if (path, encoding) in self.kept or self.kept_bytes + len(found.body) > KEEP_BYTES:
                return
            self.kept[(path, encoding)] = found
            self.kept_bytes += len(found.body)

    def _upgrade(self, path: str, zipped: Compressed) -> None:
        """Make the brotli form of an asset in the background thread, once."""
        if path in self._upgrading:
            return
        self._upgrading.add(path)
        self.upgrades.append(self._background.submit(self._make_brotli, path, zipped))

    def _make_brotli(self, path: str, zipped: Compressed) -> None:
        try:
            plain = gzip.decompress(zipped.body)
            found = _encoded(zipped.start, "br", _encode("br", plain))
        except Exception:  # gzip it stays
            log.warning("no brotli form of %s", path, exc_info=True)
            return
        with self._keeping:
            self.compressions += 1
        self._keep(path, "br", found)

    async def _compress(
        self, scope: Scope, receive: Receive, send: Send, encoding: str
    ) -> Compressed | None:
        """Streamlit's answer, compressed and kept; ``None`` when it was passed on as it was."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        # Streamlit's whole file even if this client goes meanwhile: its static files stop
        # sending when the client leaves (a join navigates away while scripts load), and what
        # had come, an empty module, was kept for every later phone.
        await self.app({**scope, "method": "GET"}, stays, keep)
        start = messages[0] if messages and messages[0]["type"] == "http.response.start" else None
        headers = Headers(raw=start["headers"]) if start is not None else Headers()
        if (
            start is None
            or start["status"] != 200
            or "content-encoding" in headers
            or not any(kind in headers.get("content-type", "") for kind in TEXT_TYPES)
            or not whole(messages)
        ):
            for message in messages:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return None
        plain = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        found = _encoded(start, encoding, await run_in_threadpool(_encode, encoding, plain))
        with self._keeping:
            self.compressions += 1
        self._keep(scope["path"], encoding, found)
        return found
