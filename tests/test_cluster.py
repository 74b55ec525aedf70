"""The production topology of docs/deployment.md: several app processes behind nginx.

``benchmarks/live_server.start_cluster`` runs it on loopback with the routing, header and
websocket settings of ``deploy/nginx-samskab.conf`` (only TLS left out). The room benchmark
measures it; these tests check that it is the real thing: nginx spreads browsers over the
processes, and a browser keeps reaching its own process, so a phone that wakes from a locked
screen finds its session again; and with the processes down a citizen gets Samskab's own page
(deploy/unavailable.html) in their language, not nginx's English "502 Bad Gateway".
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from html.parser import HTMLParser
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


# -- the app processes down: Samskab's own page ------------------------------------------------

UNAVAILABLE = live_server.ROOT / "deploy" / "unavailable.html"
# What the page says, in each language's own words, under that language's lang attribute.
WORDS = {
    "da": (
        "Samskab er utilgængelig et øjeblik",
        "Det, du allerede har sendt, er ikke gået tabt.",
        "Genindlæs siden om lidt.",
        "sig det til facilitatoren",
        "Prøv igen",
    ),
    "nb": (
        "Samskab er utilgjengelig et øyeblikk",
        "Det du allerede har sendt, har ikke gått tapt.",
        "Last inn siden på nytt om litt.",
        "si fra til fasilitatoren",
        "Prøv igjen",
    ),
    "en": (
        "Samskab is briefly unavailable",
        "Nothing you have already sent is lost.",
        "Reload the page in a moment.",
        "tell the facilitator",
        "Try again",
    ),
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Page(HTMLParser):
    """The page's text by the language it is marked in (the nearest ``lang``), its title and
    every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []  # (tag, language) of the elements we are in
        self.text: dict[str, str] = defaultdict(str)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.tags.append((tag, found))
        if tag not in VOID:
            self.open.append((tag, found.get("lang") or (self.open[-1][1] if self.open else "")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if not self.open:
            return
        tag, language = self.open[-1]
        if tag == "title":
            self.title += data
        elif tag == "style":
            self.style += data
        else:
            self.text[language] += data


def _said(text: str) -> str:
    return " ".join(text.split())


def test_the_unavailable_page_says_it_in_three_languages_and_asks_for_nothing() -> None:
    """deploy/unavailable.html: each language's words under its own lang, a title, a viewport
    that lets a phone zoom, and nothing fetched from anywhere (the app is down; no CDNs)."""
    html = UNAVAILABLE.read_text(encoding="utf-8")
    page = _Page()
    page.feed(html)
    assert page.tags[0] == ("html", {"lang": "da"})
    assert "Samskab" in page.title
    assert {lang for _, attrs in page.tags if (lang := attrs.get("lang"))} == {"da", "nb", "en"}
    for language, words in WORDS.items():
        for said in words:
            assert said in _said(page.text[language]), (language, said)
    # Nothing to fetch: no scripts, styles, images, frames or forms, no address off the page.
    for tag, attrs in page.tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed", "form"}, tag
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            assert not re.match(r"\s*(\w+:|//)", attrs.get(name, "")), (tag, name, attrs)
    assert "url(" not in page.style and "@import" not in page.style
    viewport = [a["content"] for t, a in page.tags if t == "meta" and a.get("name") == "viewport"]
    assert viewport == ["width=device-width, initial-scale=1"]  # no user-scalable=no
    for english in ("nginx", "Bad Gateway", "http"):
        assert english not in html, english


def _answer(url: str, data: bytes | None = None, **headers: str) -> tuple[int, dict, bytes]:
    """Status, headers (lower-case name → its values) and body, errors included."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with opener.open(request, timeout=30) as response:
            status, items, body = response.status, response.headers.items(), response.read()
    except urllib.error.HTTPError as error:
        status, items, body = error.code, error.headers.items(), error.read()
    found: dict[str, list[str]] = defaultdict(list)
    for name, value in items:
        found[name.lower()].append(value)
    return status, found, body


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_with_the_app_down_a_citizen_gets_samskabs_page_and_the_push_routes_their_status(
    tmp_path: Path,
) -> None:
    """The join link while the app processes are down or restarting: Samskab's page in the
    visitor's language (all three are on it), the status kept, never cached, with the same
    security headers as the app's pages. The push stream and the JSON routes, whose
    JavaScript reads the status code, keep nginx's bare answer, as before."""
    open_store(tmp_path / "down.db").close()
    cluster = live_server.start_cluster(tmp_path / "down.db", 1)
    try:
        json_body = {"Content-Type": "application/json"}
        status, headers, body = _answer(f"{cluster.url}/push/dots", b"{}", **json_body)
        assert status == 400 and json.loads(body) == {"ok": False}  # up: the route's JSON
        for server in cluster.servers:
            server.stop()

        for language, words in WORDS.items():
            for path in ("/?code=123456", "/participate?p=a-token"):
                accept = {"Accept-Language": f"{language},en;q=0.5"}
                status, headers, body = _answer(cluster.url + path, **accept)
                text = body.decode("utf-8")
                for english in ("nginx", "Bad Gateway"):
                    assert english not in text, (english, text)
                for said in words:
                    assert said in _said(text), (language, said)
                assert status in (502, 503), (path, status)
                assert headers["content-type"] == ["text/html; charset=utf-8"]
                assert headers["cache-control"] == ["no-store"]
                for name, _ in SECURITY_HEADERS:
                    assert len(headers[name.lower()]) == 1, (name, headers)
                assert headers["permissions-policy"]
                # Its own policy (the app's is not there): nothing loads but its inline style.
                assert headers["content-security-policy"][0].startswith("default-src 'none';")
        status, _, body = _answer(f"{cluster.url}/", b"a=1")  # a form's POST: the page too
        assert status == 502 and b"Samskab" in body

        for path, data in (
            ("/push/dots", b"{}"),
            ("/push/ideas", b"{}"),
            ("/push/meeting?p=a-token", None),
        ):
            status, headers, body = _answer(cluster.url + path, data, **json_body)
            assert status == 502, (path, status)
            assert b"Samskab" not in body and "cache-control" not in headers, (path, body)
    finally:
        cluster.stop()
