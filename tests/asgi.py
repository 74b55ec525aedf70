"""One HTTP request through an ASGI app (a middleware, a route) as a server would make it,
without a network: for the tests of the app's own middleware and routes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes  # as it went over the wire (still compressed)

    def json(self) -> Any:
        return json.loads(self.content)


def call(
    app: ASGIApp,
    path: str,
    method: str = "GET",
    *,
    body: bytes = b"",
    then: str = "stay",
    **headers: str,
) -> Answer:
    """``method path`` with ``headers`` (``accept_encoding="gzip"``: Accept-Encoding) and
    ``body``. ``then``: what the client does once its request is in: ``"stay"`` (it waits
    for the answer), ``"leave"`` (it goes at once: a phone navigating away), or ``"again"``
    (a server asking for more is handed the request again)."""
    sent_headers = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if body:
        sent_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": sent_headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict] = []
    received = [0]

    async def receive() -> dict:
        received[0] += 1
        if received[0] == 1 or then == "again":
            return {"type": "http.request", "body": body, "more_body": False}
        if then == "leave":
            return {"type": "http.disconnect"}
        await asyncio.Event().wait()  # a client that stays: nothing more until it leaves
        raise AssertionError

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return Answer(
        start["status"],
        {k.decode(): v.decode() for k, v in start["headers"]},
        b"".join(m.get("body", b"") for m in sent[1:]),
    )
