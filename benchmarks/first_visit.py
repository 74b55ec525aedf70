"""A phone's first visit: bytes on the wire and requests until the join page can be used.

A cold chromium (fresh profile, empty cache) at 390×844 opens the join link a QR code holds
(``/?code=<join code>``) against the real app, started as ``scripts/start`` starts it
(``streamlit run streamlit_app.py``, one process) or, with ``--nginx``, behind the project's
nginx (``deploy/nginx-samskab.conf``, two processes), and waits until the name field and the
join button are on the page, Streamlit has finished its run and the fonts have arrived. It
counts, from the browser's own network log (Chrome DevTools protocol), every HTTP response's
bytes as received (headers and body, compressed as sent: ``encodedDataLength``) and the
websocket frames' payloads, and prints them with the largest responses. Without nginx the
browser offers ``gzip, deflate`` as it does to a plain-HTTP server on the venue's network
(it offers brotli only over HTTPS and to localhost); behind nginx, which is HTTPS in
production, its own offer with brotli. Example::

    python benchmarks/first_visit.py
    python benchmarks/first_visit.py --nginx
    python benchmarks/first_visit.py --nginx --phones 4   # the later phones get brotli
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import live_server
from playwright.sync_api import BrowserContext, Page, sync_playwright

from workshop.i18n import translate

CHROMIUM = os.environ.get("SAMSKAB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
    && document.querySelector("[data-testid='stSkeleton']") === null;
}"""


class Wire:
    """What a page received on the wire, from the browser's own network log (Chrome DevTools
    protocol), with the browser's cache off: each HTTP response's bytes as received (headers
    and body, compressed as sent: ``encodedDataLength``) and the websocket frames' payloads.
    Also used by ``tests/browser/test_first_visit.py``.

    ``accept_encoding``: what the browser says it accepts, when not its own default.
    """

    def __init__(
        self, context: BrowserContext, page: Page, accept_encoding: str | None = None
    ) -> None:
        self.responses: dict[str, dict[str, object]] = {}
        self.ws_bytes = 0
        self.ws_frames = 0
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if accept_encoding is not None:
            offer = {"headers": {"Accept-Encoding": accept_encoding}}
            cdp.send("Network.setExtraHTTPHeaders", offer)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _response(self, event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        self.responses[event["requestId"]] = {
            "url": event["response"]["url"],
            "encoding": headers.get("content-encoding", ""),
        }

    def _finished(self, event: dict) -> None:
        response = self.responses.setdefault(event["requestId"], {"url": "?", "encoding": ""})
        response["bytes"] = event["encodedDataLength"]

    def _frame(self, event: dict) -> None:
        frame = event["response"]
        size = len(frame["payloadData"])  # a binary frame is given in base64
        self.ws_bytes += size * 3 // 4 if frame.get("opcode") == 2 else size
        self.ws_frames += 1

    def done(self) -> list[dict[str, object]]:
        """The responses received in full."""
        return [r for r in self.responses.values() if "bytes" in r]

    def http_bytes(self) -> int:
        return sum(int(str(r["bytes"])) for r in self.done())

    def total(self) -> int:
        """HTTP and websocket bytes received."""
        return self.http_bytes() + self.ws_bytes

    def largest(self, top: int) -> list[str]:
        """The ``top`` largest responses, one line each: kB, encoding, file name."""
        lines = []
        for r in sorted(self.done(), key=lambda r: -int(str(r["bytes"])))[:top]:
            name = str(r["url"]).split("?")[0].rsplit("/", 1)[-1] or "/"
            size = int(str(r["bytes"])) / 1e3
            lines.append(f"  {size:8.1f} kB  {r['encoding'] or '-':5}  {name}")
        return lines


# What chromium offers a server over plain HTTP, such as ``scripts/start`` on a venue's
# network (http://192.168…). To 127.0.0.1 and over HTTPS it adds brotli ("br, zstd"), so the
# benchmark, on loopback, says this itself for a phone without nginx.
PLAIN_HTTP = "gzip, deflate"


def arrived(page: Page) -> None:
    """Wait until every font the page asked for has loaded (Streamlit asks for its icon font
    at start, and it may still be on its way when the join button shows) and no request has
    been under way for half a second, so that every response is counted."""
    page.wait_for_function("() => document.fonts.status === 'loaded'", timeout=60_000)
    page.wait_for_load_state("networkidle", timeout=60_000)


def visit(url: str, accept_encoding: str | None = None) -> Wire:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="da-DK", **PHONE)  # a fresh profile: cold cache
        page = context.new_page()
        wire = Wire(context, page, accept_encoding)
        page.goto(url)
        page.get_by_role("button", name=translate("da", "start.join")).wait_for(timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        arrived(page)
        browser.close()
    return wire


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nginx", action="store_true", help="two processes behind nginx")
    parser.add_argument("--top", type=int, default=8, help="largest responses to list")
    parser.add_argument(
        "--phones",
        type=int,
        default=1,
        help="cold phones one after another (the server warm after the first); the last is "
        "listed in full",
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="samskab-visit-"))
    store, _, meeting = live_server.seed(workdir / "visit.db", prompt="Hvad skal byen have?")
    store.close()
    server: live_server.LiveServer | live_server.Cluster
    if args.nginx:
        server = live_server.start_cluster(workdir / "visit.db", 2)
    else:
        server = live_server.start(workdir / "visit.db")
    try:
        # Without nginx, a phone on the venue's plain-HTTP network offers no brotli
        # (PLAIN_HTTP); behind nginx (TLS in production) chromium's own offer holds.
        accepts = None if args.nginx else PLAIN_HTTP
        for phone in range(1, args.phones + 1):
            found = visit(f"{server.url}/?code={meeting.join_code}", accepts)
            if args.phones > 1:
                encodings = sorted({str(r["encoding"]) for r in found.done()} - {""})
                print(
                    f"phone {phone}: {len(found.done())} requests, {found.total():,} bytes "
                    f"({', '.join(encodings)})"
                )
    finally:
        server.stop()
    responses = found.done()
    compressed = sum(1 for r in responses if r["encoding"])
    where = "2 processes behind nginx" if args.nginx else "one process, as scripts/start"
    print(f"first visit of the join link, cold chromium 390x844 ({where})")
    print(f"Accept-Encoding: {accepts or 'chromium default (gzip, deflate, br, zstd)'}")
    http = found.http_bytes()
    print(f"HTTP: {len(responses)} requests, {http / 1e6:.2f} MB ({http:,} bytes) on the wire")
    print(f"  compressed responses (Content-Encoding): {compressed}/{len(responses)}")
    print(f"websocket: {found.ws_frames} frames, {found.ws_bytes / 1e3:.0f} kB")
    print(f"total: {found.total() / 1e6:.2f} MB ({found.total():,} bytes)")
    print("\n".join(found.largest(args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
