"""The production topology of docs/deployment.md: several app processes behind nginx.

``benchmarks/live_server.start_cluster`` runs it on loopback with the routing, header and
websocket settings of ``deploy/nginx-samskab.conf`` (only TLS left out). The room benchmark
measures it; these tests check that it is the real thing: nginx spreads browsers over the
processes, and a browser keeps reaching its own process, so a phone that wakes from a locked
screen finds its session again.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import live_server  # noqa: E402
import stclient  # noqa: E402

from workshop.app import open_store  # noqa: E402
from workshop.ui.http_headers import SECURITY_HEADERS  # noqa: E402

SITE = live_server.NGINX_SITE.read_text(encoding="utf-8")


def test_the_loopback_site_keeps_the_deployed_routing_and_drops_only_tls() -> None:
    site = live_server.loopback_site(SITE, [8601, 8602, 8603], 8600)
    assert "listen 127.0.0.1:8600;" in site
    for port in (8601, 8602, 8603):
        assert f"server 127.0.0.1:{port};" in site
    assert "server 127.0.0.1:8501;" not in site
    for kept in (
        "hash $samskab_route consistent;",
        "add_header Set-Cookie $samskab_route_cookie;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_read_timeout 3600s;",
        "gzip on;",
    ):
        assert kept in site, kept
    for dropped in ("ssl", "listen 80", "443", "Strict-Transport-Security", "Secure;"):
        assert dropped not in site, dropped


def test_nginx_accepts_the_generated_config(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(live_server.nginx_conf(tmp_path, [8601, 8602], 8600), encoding="utf-8")
    checked = subprocess.run(
        [live_server.nginx_binary(), "-t", "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_browsers_spread_over_processes_and_keep_their_own(tmp_path: Path) -> None:
    store, _user, meeting = live_server.seed(tmp_path / "cluster.db", prompt="Hvad?")
    store.close()
    cluster = live_server.start_cluster(tmp_path / "cluster.db", 2)
    try:

        async def browsers() -> tuple[list[int], int]:
            phones = [
                stclient.StreamlitSession(cluster.url, f"code={meeting.join_code}")
                for _ in range(16)
            ]
            for phone in phones:
                await phone.load_page()
                await phone.connect()
                await phone.run()
            spread = cluster.sessions()
            kept = 0
            for phone in phones:  # the screen locks, the phone wakes up and reconnects
                before = phone.session_id
                await phone.reconnect()
                await phone.run()
                kept += phone.session_id == before
            for phone in phones:
                await phone.close()
            return spread, kept

        spread, kept = asyncio.run(browsers())
    finally:
        cluster.stop()
    assert sum(spread) == 16 and min(spread) > 0, spread  # both processes serve phones
    assert kept == 16  # every phone found its own session again (same process)


def _get(url: str, **headers: str) -> tuple[int, list[tuple[str, str]], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.status, response.headers.items(), response.read()


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_behind_nginx_each_header_is_said_once_and_assets_stay_immutable(tmp_path: Path) -> None:
    """nginx adds the security headers the app sends too: the app's copies are hidden, so a
    first visit's ~88 responses do not carry them twice, and the Permissions-Policy only on
    pages; the hashed assets keep the app's "immutable" (nginx's ``expires`` replaced it).
    The icon font comes cut. The access log holds no link secret."""
    open_store(tmp_path / "headers.db").close()
    cluster = live_server.start_cluster(tmp_path / "headers.db", 2)
    try:
        _, _, page = _get(cluster.url + "/")
        assets = re.findall(r'(?:src|href)="\.?/?(static/[^"]+\.(?:js|css))"', page.decode())
        assert assets
        for path in ["/", "/participate?p=a-token", "/" + assets[0]]:
            status, headers, _ = _get(cluster.url + path, **{"Accept-Encoding": "gzip"})
            assert status == 200
            names = [name.lower() for name, _ in headers]
            for name, _ in SECURITY_HEADERS:
                assert names.count(name.lower()) == 1, (path, name, headers)
            # A page gets the Permissions-Policy; a script has no use for it.
            policy = "permissions-policy" in names
            assert policy == (not path.startswith("/static/")), (path, headers)
        _, headers, _ = _get(f"{cluster.url}/{assets[0]}", **{"Accept-Encoding": "gzip"})
        cache = [value for name, value in headers if name.lower() == "cache-control"]
        assert cache == ["public, immutable, max-age=31536000"], headers
        sheets = _css(cluster.url, page)
        font = re.search(r"media/(MaterialSymbols-Rounded\.[^\")]+\.woff2)", sheets)
        assert font is not None
        status, headers, body = _get(f"{cluster.url}/static/media/{font.group(1)}")
        assert status == 200 and body[:4] == b"wOF2" and len(body) < 100_000  # the cut
        # A link secret is a credential: the access log has the path, never the query, of the
        # page and of the page that referred (nginx's default format wrote both).
        secret = "Hemmelig-Link-Secret-42"
        _get(f"{cluster.url}/participate?p={secret}", Referer=f"{cluster.url}/?p={secret}")
        log = tmp_path / "nginx" / "samskab.access.log"
        assert "/participate" in log.read_text(encoding="utf-8")
        assert secret not in log.read_text(encoding="utf-8")
    finally:
        cluster.stop()


def _css(base: str, page: bytes) -> str:
    """Streamlit's stylesheets (they name the icon font's file)."""
    sheets = re.findall(r'href="\.?/?(static/css/[^"]+\.css)"', page.decode())
    return "".join(_get(f"{base}/{sheet}")[2].decode() for sheet in sheets)
