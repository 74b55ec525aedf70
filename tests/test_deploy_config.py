"""The deployment settings that docs/deployment.md names, checked where a test can reach them.

Streamlit 1.67 facts these tests pin down (measured, see docs/deployment.md):
``server.enableCORS = false`` makes Streamlit send ``Access-Control-Allow-Origin: *`` and
accept websockets from any origin, and XSRF protection does NOT switch it back on. So
"CORS off" (no cross-origin access) means ``enableCORS = true``.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.browser.conftest import Server, serving

ROOT = Path(__file__).resolve().parent.parent
NGINX = (ROOT / "deploy" / "nginx-samskab.conf").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "samskab@.service").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
EXPECTED = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,  # = cross-origin access OFF
    "server.corsAllowedOrigins": [],
    "server.headless": True,
    "server.fileWatcherType": "none",
    "server.maxUploadSize": 10,
    "global.developmentMode": False,
    "runner.postScriptGC": False,
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
    "client.toolbarMode": "viewer",
}


def nginx_directives() -> list[str]:
    """The config without comments, one directive per entry."""
    text = "\n".join(line.split("#", 1)[0] for line in NGINX.splitlines())
    return [" ".join(part.split()) for part in re.split(r"[;{}]", text) if part.strip()]


def test_streamlit_reads_the_security_settings_we_wrote() -> None:
    """Effective values, as Streamlit itself parses .streamlit/config.toml from the app dir."""
    script = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True);"
        f"print(json.dumps({{k: config.get_option(k) for k in {list(EXPECTED)!r}}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == EXPECTED


def test_the_systemd_unit_runs_the_same_settings() -> None:
    assert "LimitNOFILE=65536" in UNIT
    for flag in (
        "--server.address 127.0.0.1",
        "--server.enableCORS true",
        "--server.enableXsrfProtection true",
        "--runner.postScriptGC false",
        "--server.port %i",
    ):
        assert flag in UNIT, flag
    assert "EnvironmentFile=/etc/samskab/samskab.env" in UNIT
    assert "FORWARDED_ALLOW_IPS=127.0.0.1" in UNIT
    env = (ROOT / "deploy" / "samskab.env.example").read_text(encoding="utf-8")
    assert "STREAMLIT_SERVER_COOKIE_SECRET=" in env  # one secret for every process


def test_nginx_has_https_gzip_sticky_sessions_and_websockets() -> None:
    directives = nginx_directives()

    def has(*words: str) -> bool:
        return any(all(w in d for w in words) for d in directives)

    assert has("listen 443 ssl") and has("return 301 https://$host$request_uri")
    assert has("Strict-Transport-Security")
    assert "gzip on" in directives and "gzip_proxied any" in directives
    assert has("gzip_types", "application/javascript", "text/css")
    # Sticky by cookie: the upstream hashes a key taken from our route cookie.
    assert "hash $samskab_route consistent" in directives
    assert has("map $cookie_samskab_route $samskab_route")
    assert has("add_header Set-Cookie $samskab_route_cookie")
    assert len(re.findall(r"^\s*server 127\.0\.0\.1:85\d\d;", NGINX, re.M)) >= 2
    # Websockets through the proxy, and the Host header Streamlit's origin check compares.
    assert "proxy_set_header Upgrade $http_upgrade" in directives
    assert "proxy_set_header Connection $connection_upgrade" in directives
    assert "proxy_set_header Host $host" in directives
    assert "proxy_set_header X-Forwarded-For $remote_addr" in directives
    assert has("Referrer-Policy", "no-referrer")
    # The body limit matches Streamlit's upload limit.
    assert f"client_max_body_size {CONFIG['server']['maxUploadSize']}m" in directives
    # add_header inside a location would silently drop the server-level headers.
    for block in re.findall(r"location [^{]*\{([^}]*)\}", NGINX):
        assert "add_header" not in block


def test_the_guide_names_every_setting_it_relies_on() -> None:
    for needle in (
        "enableXsrfProtection",
        "enableCORS",
        "LimitNOFILE",
        "gzip",
        "samskab_route",
        "STREAMLIT_SERVER_COOKIE_SECRET",
        "samskab backup",
        "samskab restore",
        "samskab purge",
        "samskab remind",
        "deploy/samskab-remind.service",
        "deploy/nginx-samskab.conf",
        "deploy/samskab@.service",
    ):
        assert needle in GUIDE, needle


# -- the running server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("deploy") / "deploy.db") as running:
        yield running


def _open_websocket(server: Server, origin: str | None) -> str:
    async def attempt() -> str:
        try:
            async with connect(
                server.url.replace("http://", "ws://") + "/_stcore/stream",
                subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],  # type: ignore[list-item]
                origin=origin,  # type: ignore[arg-type]
                proxy=None,
                open_timeout=10,
            ):
                return "open"
        except Exception as error:  # the handshake refusal is what we look for
            return f"refused: {error}"

    return asyncio.run(attempt())


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_running_server_refuses_cross_origin_and_unsigned_writes(server: Server) -> None:
    request = urllib.request.Request(
        f"{server.url}/_stcore/health", headers={"Origin": "https://evil.example"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
    assert "access-control-allow-origin" not in headers
    assert "_streamlit_xsrf=" in headers.get("set-cookie", "")  # XSRF is on
    assert "403" in _open_websocket(server, "https://evil.example")
    assert _open_websocket(server, server.url) == "open"  # same origin still works
    upload = urllib.request.Request(
        f"{server.url}/_stcore/upload_file/session/file", data=b"x", method="PUT"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(upload, timeout=10)
    assert refused.value.code == 403  # no XSRF token, no write


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_client_address_comes_from_the_proxy_header(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind nginx, the join-code limit must see the phone's address, not nginx's.

    uvicorn trusts X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS), which is what nginx's
    ``proxy_set_header X-Forwarded-For $remote_addr`` relies on.
    """
    import functools
    import sqlite3

    bench = ROOT / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    import stclient

    monkeypatch.setattr(
        stclient,
        "connect",
        functools.partial(connect, additional_headers={"X-Forwarded-For": "203.0.113.7"}),
    )

    async def wrong_code() -> None:
        async with stclient.StreamlitSession(server.url, query_string="code=ZZZZZZ") as phone:
            await phone.run()

    asyncio.run(wrong_code())
    conn = sqlite3.connect(server.db_path)
    subjects = {
        r[0] for r in conn.execute("SELECT subject FROM rate_events WHERE kind LIKE 'join%'")
    }
    conn.close()
    assert "ip:203.0.113.7" in subjects, subjects
