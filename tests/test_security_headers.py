"""Security headers come from the app itself, not only from nginx (deploy/nginx-samskab.conf).

Someone who runs the app without the proxy, or behind another one, must still get: no framing
by other sites (clickjacking of a facilitator's console), no token-bearing URL leaked in a
Referer header (participant, screen, application, mandate and outcome links carry their secret
in the address), and no MIME sniffing. Checked on the real server (``streamlit run``): the
index page with and without a token, a static asset, Streamlit's health route, the staff-cookie
routes and a 404.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from tests.browser.conftest import Server, serving
from workshop.ui.http_headers import SECURITY_HEADERS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]

EXPECTED = {
    "content-security-policy": "frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("headers") / "headers.db") as running:
        yield running


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str) -> tuple[int, dict[str, list[str]], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url), timeout=15) as response:
            status, message, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, body = error.code, error.headers, error.read()
    found: dict[str, list[str]] = {}
    for name, value in message.items():
        found.setdefault(name.lower(), []).append(value)
    return status, found, body.decode("utf-8", "replace")


def assert_secure(url: str) -> int:
    status, headers, _ = fetch(url)
    for name, value in EXPECTED.items():
        assert headers.get(name) == [value], f"{url}: {name} is {headers.get(name)}"
    return status


def test_the_headers_are_the_ones_nginx_sends_too() -> None:
    """The same values as nginx's, which hides the app's copies of the ones it adds itself."""
    assert {name.lower(): value for name, value in SECURITY_HEADERS} == EXPECTED


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?p=3q2-participant-token",
        "/participate?p=3q2-participant-token",
        "/projector?screen=a-screen-token",
        "/apply?a=an-application-token",
        "/_stcore/health",
        "/_stcore/host-config",
        "/auth/session?ticket=not-a-ticket",
        "/auth/logout?next=/login",
        "/static/js/no-such-file.js",
    ],
)
def test_every_response_carries_the_security_headers(server: Server, path: str) -> None:
    assert_secure(server.url + path)


def test_a_static_asset_carries_the_security_headers(server: Server) -> None:
    _, _, index = fetch(server.url + "/")
    assets = re.findall(r'(?:src|href)="\.?/?(static/[^"]+\.(?:js|css))"', index)
    assert assets, index[:500]
    for asset in assets:
        assert assert_secure(f"{server.url}/{asset}") == 200
