"""A phone's first visit: bytes on the wire and requests until the join page can be used.

A cold chromium (fresh profile, empty cache) at 390×844 opens the join link a QR code holds
(``/?code=<join code>``) against the real app, started as ``scripts/start`` starts it
(``streamlit run streamlit_app.py``, one process) or, with ``--nginx``, behind the project's
nginx (``deploy/nginx-samskab.conf``, two processes), and waits until the name field and the
join button are on the page and Streamlit has finished its run. It counts, from the browser's
own network log (Chrome DevTools protocol), every HTTP response's bytes as received (headers
and body, compressed as sent: ``encodedDataLength``) and the websocket frames' payloads, and
prints them with the largest responses. Example::

    python benchmarks/first_visit.py
    python benchmarks/first_visit.py --nginx
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import live_server
from playwright.sync_api import sync_playwright

from workshop.i18n import translate

CHROMIUM = os.environ.get("SAMSKAB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app !== null && app.getAttribute("data-test-script-state") === "notRunning"
    && document.querySelector("[data-testid='stSkeleton']") === null;
}"""


def visit(url: str) -> dict[str, object]:
    responses: dict[str, dict[str, object]] = {}
    frames = [0, 0]  # websocket payload bytes received, frames received
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(locale="da-DK", **PHONE)  # a fresh profile: cold cache
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

        def on_response(event: dict) -> None:
            response = event["response"]
            responses[event["requestId"]] = {
                "url": response["url"],
                "encoding": response.get("headers", {}).get("content-encoding")
                or response.get("headers", {}).get("Content-Encoding", ""),
            }

        def on_finished(event: dict) -> None:
            responses.setdefault(event["requestId"], {"url": "?", "encoding": ""})["bytes"] = event[
                "encodedDataLength"
            ]

        def on_frame(event: dict) -> None:
            frame = event["response"]
            size = len(frame["payloadData"])  # a binary frame is given in base64
            frames[0] += size * 3 // 4 if frame.get("opcode") == 2 else size
            frames[1] += 1

        cdp.on("Network.responseReceived", on_response)
        cdp.on("Network.loadingFinished", on_finished)
        cdp.on("Network.webSocketFrameReceived", on_frame)
        page.goto(url)
        page.get_by_role("button", name=translate("da", "start.join")).wait_for(timeout=60_000)
        page.wait_for_function(SETTLED, timeout=60_000)
        browser.close()
    done = [r for r in responses.values() if "bytes" in r]
    return {"responses": done, "ws_bytes": frames[0], "ws_frames": frames[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nginx", action="store_true", help="two processes behind nginx")
    parser.add_argument("--top", type=int, default=8, help="largest responses to list")
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
        found = visit(f"{server.url}/?code={meeting.join_code}")
    finally:
        server.stop()
    responses = found["responses"]
    assert isinstance(responses, list)
    http_bytes = sum(int(r["bytes"]) for r in responses)
    compressed = sum(1 for r in responses if r["encoding"])
    where = "2 processes behind nginx" if args.nginx else "one process, as scripts/start"
    print(f"first visit of the join link, cold chromium 390x844 ({where})")
    print(f"HTTP: {len(responses)} requests, {http_bytes / 1e6:.2f} MB on the wire")
    print(f"  compressed responses (Content-Encoding): {compressed}/{len(responses)}")
    print(f"websocket: {found['ws_frames']} frames, {int(found['ws_bytes']) / 1e3:.0f} kB")
    print(f"total: {(http_bytes + int(found['ws_bytes'])) / 1e6:.2f} MB")
    for r in sorted(responses, key=lambda r: -int(r["bytes"]))[: args.top]:
        name = str(r["url"]).split("?")[0].rsplit("/", 1)[-1] or "/"
        print(f"  {int(r['bytes']) / 1e3:8.1f} kB  {r['encoding'] or '-':5}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
