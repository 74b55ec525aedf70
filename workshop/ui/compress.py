"""Streamlit's static bundles gzipped once per process and served from memory.

A phone's first visit downloaded 2.7 MB in ~86 requests from ``scripts/start`` (no proxy):
Streamlit leaves ``/static/`` out of its own gzip middleware on purpose, because Starlette's
compresses every response anew and a crowd arriving after a deploy would pay for it on every
request. The bundles are content-hashed and served as immutable, so the answer here is to
compress each one ONCE: the first request for an asset reads Streamlit's response, gzips it
(in a worker thread, level 6) and keeps the result; every later request in the process is
served those bytes with ``Content-Encoding: gzip``. The cost is one compression per asset per
process and about a megabyte of memory; a venue's Wi-Fi carries about a third of the bytes.

Left as they are: a client that does not accept gzip, a range request, a response that is not
a plain 200, already encoded, or not text (fonts and images are compressed already), anything
outside ``/static/``. Behind nginx (``deploy/nginx-samskab.conf``) nginx passes a compressed
response on as it is.

A plain ASGI middleware (``st.App(middleware=…)`` via ``workshop/ui/server.py``), like
``workshop/ui/http_headers.py``.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ASSET = re.compile(r"/static/(?:js|css|media)/[^/]+\Z")
TEXT_TYPES = ("javascript", "css", "json", "svg", "text/")
LEVEL = 6
KEEP_BYTES = 32 * 1024 * 1024  # compressed bytes kept per process, at most


@dataclass(frozen=True)
class Compressed:
    start: Message  # the response's start, with the gzip headers
    body: bytes


class CompressedAssets:
    """ASGI middleware: Streamlit's text assets gzipped once, kept, and served compressed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kept: dict[str, Compressed] = {}
        self.kept_bytes = 0
        self.compressions = 0  # how many times an asset was compressed (tests, benchmarks)
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        found = self.kept.get(path)
        if found is None:
            # One compression per asset, even when a crowd asks for it at the same moment.
            lock = self._locks.setdefault(path, asyncio.Lock())
            try:
                async with lock:
                    found = self.kept.get(path)
                    if found is None:
                        found = await self._compress(scope, receive, send)
            finally:
                if not lock.locked():  # no lock kept for a path nobody waits on (404s too)
                    self._locks.pop(path, None)
            if found is None:
                return  # answered as it was
        await send(found.start)
        body = b"" if scope["method"] == "HEAD" else found.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _applies(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        if not ASSET.search(scope["path"]):
            return False
        headers = Headers(scope=scope)
        return "gzip" in headers.get("accept-encoding", "").lower() and "range" not in headers

    async def _compress(self, scope: Scope, receive: Receive, send: Send) -> Compressed | None:
        """Streamlit's answer, compressed and kept; ``None`` when it was passed on as it was."""
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app({**scope, "method": "GET"}, receive, keep)
        start = messages[0] if messages and messages[0]["type"] == "http.response.start" else None
        headers = Headers(raw=start["headers"]) if start is not None else Headers()
        if (
            start is None
            or start["status"] != 200
            or "content-encoding" in headers
            or not any(kind in headers.get("content-type", "") for kind in TEXT_TYPES)
        ):
            for message in messages:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return None
        plain = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        body = await run_in_threadpool(gzip.compress, plain, LEVEL, mtime=0)
        self.compressions += 1
        start = {**start, "headers": list(start["headers"])}
        out = MutableHeaders(scope=start)
        out["content-encoding"] = "gzip"
        out["content-length"] = str(len(body))
        out.add_vary_header("Accept-Encoding")
        etag = out.get("etag")
        if etag and not etag.startswith("W/"):
            out["etag"] = f"W/{etag}"  # another encoding of the same asset, as nginx says
        found = Compressed(start, body)
        if self.kept_bytes + len(body) <= KEEP_BYTES:
            self.kept[scope["path"]] = found
            self.kept_bytes += len(body)
        return found
