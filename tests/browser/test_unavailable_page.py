"""Samskab's "unavailable" page (deploy/unavailable.html) as a citizen's phone gets it from
nginx while the app processes are down: axe-core (WCAG 2.1 A and AA) finds nothing, it fits a
390×844 phone and the same phone at 200 % zoom without sideways scrolling, its style is
applied under the page's own Content-Security-Policy, and it asks for nothing but itself.
Screenshots: artifacts/screenshots/test_unavailable_page/ (look at them)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import PHONE, SCREENSHOTS, context
from tests.browser.test_accessibility import AXE, RUN_AXE, WCAG_AA
from workshop import devserver

BENCH_DIR = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import live_server  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The phone at 200 % zoom: 195×422 CSS pixels, each drawn as 4×4 device pixels.
PHONE_ZOOMED = {**PHONE, "viewport": {"width": 195, "height": 422}, "device_scale_factor": 4}


@pytest.fixture(scope="module")
def down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx with deploy/nginx-samskab.conf (as benchmarks/live_server.py runs it) in front of
    an app port nobody listens on."""
    work = tmp_path_factory.mktemp("unavailable")
    listen = devserver.free_port()
    conf = work / "nginx.conf"
    conf.write_text(live_server.nginx_conf(work, [devserver.free_port()], listen), "utf-8")
    proxy = subprocess.Popen(
        [live_server.nginx_binary(), "-c", str(conf), "-e", str(work / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{listen}"
    try:
        # nginx answers (502: the app is down)
        assert devserver.wait_until_answering(url + "/", proxy, 30), "nginx did not start"
        yield url
    finally:
        devserver.stop_process(proxy)


@pytest.mark.parametrize(
    ("locale", "device", "name"),
    [("da-DK", PHONE, "phone-da"), ("nb-NO", PHONE_ZOOMED, "phone-200-nb")],
)
def test_the_unavailable_page_on_a_phone(
    browser: Browser, down: str, locale: str, device: dict, name: str
) -> None:
    ctx = context(browser, device, locale=locale)
    page = ctx.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    try:
        answer = page.goto(f"{down}/?code=123456")
        assert answer is not None and answer.status == 502
        folder = SCREENSHOTS / "test_unavailable_page"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        # Its own style, allowed by its policy (default-src 'none'; style-src 'unsafe-inline').
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px"
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name}: the page scrolls sideways ({width})"
        assert page.get_by_role("link", name="Prøv igjen").is_visible()
        assert asked == [f"{down}/?code=123456"], asked  # no font, script or image fetched
    finally:
        ctx.close()
    # axe is a script the page's policy refuses: it runs in a context that lets it in.
    ctx = browser.new_context(locale=locale, bypass_csp=True, **device)
    try:
        page = ctx.new_page()
        page.goto(f"{down}/?code=123456")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN_AXE, WCAG_AA)
        assert violations == [], violations
    finally:
        ctx.close()
