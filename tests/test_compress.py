"""Streamlit's static bundles leave the app gzipped, compressed once per process
(``workshop/ui/compress.py``).

* On the real server (``streamlit run``): a script bundle the page loads comes gzipped to a
  browser that accepts it, decompresses to exactly the bytes sent uncompressed, and keeps its
  long cache; a client without gzip, a range request and the page itself are served as before.
* The middleware alone (called as an ASGI app): one compression for many requests, HEAD
  without a body, a missing asset and a font passed on untouched.
"""

from __future__ import annotations

import gzip
import http.client
import re
from collections.abc import Iterator
from concurrent.futures import wait
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.asgi import Answer, call
from tests.browser.conftest import Server, serving
from workshop.app import open_store
from workshop.ui.compress import CompressedAssets

SCRIPT = b"export const words = '" + b"samskab " * 4000 + b"';\n"


def _get(server: Server, path: str, **headers: str) -> http.client.HTTPResponse:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("gzip") / "gzip.db"
    open_store(db_path).close()
    with serving(db_path) as running:
        yield running


@pytest.mark.slow
@pytest.mark.xdist_group("server")
def test_the_apps_script_bundles_come_gzipped_and_unchanged(app_server: Server) -> None:
    page = _get(app_server, "/", **{"Accept-Encoding": "gzip"})
    html = page.read().decode()
    assert page.status == 200 and page.getheader("Content-Encoding") is None  # as before
    bundle = re.search(r'src="\.?/?(static/js/[^"]+\.js)"', html)
    assert bundle is not None, html[:500]
    path = "/" + bundle.group(1)
    plain = _get(app_server, path)
    plain_body = plain.read()
    assert plain.status == 200 and plain.getheader("Content-Encoding") is None
    zipped = _get(app_server, path, **{"Accept-Encoding": "gzip, deflate"})
    zipped_body = zipped.read()
    assert zipped.status == 200
    assert zipped.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in (zipped.getheader("Vary") or "")
    assert int(zipped.getheader("Content-Length") or 0) == len(zipped_body)
    assert gzip.decompress(zipped_body) == plain_body
    assert len(zipped_body) < len(plain_body) / 2
    assert zipped.getheader("Cache-Control") == plain.getheader("Cache-Control")
    assert zipped.getheader("X-Content-Type-Options") == "nosniff"  # headers still added
    ranged = _get(app_server, path, **{"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert ranged.getheader("Content-Encoding") is None
    ranged.read()
    # A browser that takes brotli (Chromium over HTTPS, so behind nginx) gets it, smaller still
    # (one that takes only brotli gets it at once; with gzip too, once it has been made).
    squeezed = _get(app_server, path, **{"Accept-Encoding": "br"})
    squeezed_body = squeezed.read()
    assert squeezed.getheader("Content-Encoding") == "br"
    assert brotli.decompress(squeezed_body) == plain_body
    assert len(squeezed_body) < len(zipped_body) * 0.9
    assert "Accept-Encoding" in (squeezed.getheader("Vary") or "")


def _call(
    app: CompressedAssets, path: str, method: str = "GET", gone: bool = False, **headers: str
) -> Answer:
    """One request through the middleware; ``gone``: the client leaves as soon as its
    request is in (a phone's page navigating away, as a join does)."""
    return call(app, path, method, then="leave" if gone else "stay", **headers)


def _toy() -> tuple[CompressedAssets, list[int]]:
    asked = [0]

    async def script(request: Request) -> Response:
        asked[0] += 1
        return Response(SCRIPT, media_type="text/javascript", headers={"ETag": '"abc"'})

    async def font(request: Request) -> Response:
        return Response(b"\x00" * 5000, media_type="font/woff2")

    async def missing(request: Request) -> Response:
        return PlainTextResponse("not found", status_code=404)

    inner = Starlette(
        routes=[
            Route("/static/js/main.abc.js", script, methods=["GET", "HEAD"]),
            Route("/static/media/font.woff2", font),
            Route("/static/js/{name}", missing),
        ]
    )
    return CompressedAssets(inner), asked


def test_an_asset_is_compressed_once_and_served_from_memory_after() -> None:
    middleware, asked = _toy()
    for _ in range(20):
        answer = _call(middleware, "/static/js/main.abc.js", accept_encoding="gzip")
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["content-length"] == str(len(answer.content))
        assert gzip.decompress(answer.content) == SCRIPT
        assert answer.headers["etag"] == 'W/"abc"'
        assert "Accept-Encoding" in answer.headers["vary"]
    assert middleware.compressions == 1 and asked[0] == 1
    head = _call(middleware, "/static/js/main.abc.js", "HEAD", accept_encoding="gzip")
    assert head.status_code == 200 and head.content == b""
    plain = _call(middleware, "/static/js/main.abc.js", accept_encoding="identity")
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT
    ranged = _call(middleware, "/static/js/main.abc.js", accept_encoding="gzip", range="bytes=0-9")
    assert "content-encoding" not in ranged.headers


def _plain(answer: Answer) -> bytes:
    decode = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}
    return decode[answer.headers.get("content-encoding")](answer.content)


@pytest.mark.parametrize(
    ("accepted", "first", "later"),
    [
        # gzip at once (milliseconds), brotli once the background thread has made it
        ("gzip, deflate, br, zstd", "gzip", "br"),
        ("br;q=0.5, gzip;q=1.0", "gzip", "br"),  # the smaller one when both are welcome
        ("br", "br", "br"),  # no gzip: it waits for brotli
        ("gzip, br;q=0", "gzip", "gzip"),  # refused outright
        ("GZIP", "gzip", "gzip"),
        ("gzip;q=0, deflate", None, None),
        ("identity", None, None),
        ("", None, None),
    ],
)
def test_brotli_for_a_client_that_takes_it_else_gzip_else_as_it_is(
    accepted: str, first: str | None, later: str | None
) -> None:
    middleware, asked = _toy()
    answer = _call(middleware, "/static/js/main.abc.js", accept_encoding=accepted)
    assert answer.headers.get("content-encoding") == first
    wait(middleware.upgrades)
    for _ in range(3):
        answer = _call(middleware, "/static/js/main.abc.js", accept_encoding=accepted)
        assert answer.status_code == 200
        assert answer.headers.get("content-encoding") == later
        assert _plain(answer) == SCRIPT
        assert answer.headers["content-length"] == str(len(answer.content))
        if later:
            assert answer.headers["vary"] == "Accept-Encoding"  # once
            assert answer.headers["etag"] == 'W/"abc"'
    assert middleware.compressions == len({first, later} - {None})
    assert asked[0] == (4 if first is None else 1)  # Streamlit asked once per asset


def test_each_encoding_is_made_once_and_kept_apart() -> None:
    middleware, asked = _toy()
    for accepted in ["gzip", "gzip, br", "gzip", "br", "gzip, br", "gzip, br"]:
        _call(middleware, "/static/js/main.abc.js", accept_encoding=accepted)
        wait(middleware.upgrades)
    assert middleware.compressions == 2 and asked[0] == 1 and len(middleware.upgrades) == 1
    zipped = _call(middleware, "/static/js/main.abc.js", accept_encoding="gzip")
    squeezed = _call(middleware, "/static/js/main.abc.js", accept_encoding="br")
    assert gzip.decompress(zipped.content) == brotli.decompress(squeezed.content) == SCRIPT
    assert len(squeezed.content) < len(zipped.content)
    assert middleware.kept_bytes == len(zipped.content) + len(squeezed.content)


def test_a_phone_that_leaves_during_the_first_compression_leaves_no_broken_asset(
    tmp_path: Path,
) -> None:
    """Streamlit's static files stop sending a file when the client goes (a join navigates
    away while the page's scripts load); the compression made for it kept what had come, an
    empty module, and served it to every later phone ("does not provide an export")."""
    script = b"export const n = 1;\n" + b"// samskab " * 60_000  # ~660 kB, 11 chunks
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "main.abc.js").write_bytes(script)
    inner = Starlette(routes=[Mount("/static", app=StaticFiles(directory=tmp_path))])
    middleware = CompressedAssets(inner)
    for accepted in ("gzip", "br"):
        _call(middleware, "/static/js/main.abc.js", gone=True, accept_encoding=accepted)
        later = _call(middleware, "/static/js/main.abc.js", accept_encoding=accepted)
        assert later.status_code == 200 and _plain(later) == script, accepted
    assert middleware.compressions == 2


def test_fonts_missing_assets_and_other_paths_pass_untouched() -> None:
    middleware, _ = _toy()
    font = _call(middleware, "/static/media/font.woff2", accept_encoding="gzip")
    assert "content-encoding" not in font.headers and len(font.content) == 5000
    for name in ("a.js", "b.js", "c.js"):
        gone = _call(middleware, f"/static/js/{name}", accept_encoding="gzip")
        assert gone.status_code == 404 and "content-encoding" not in gone.headers
    assert middleware.compressions == 0 and middleware.kept == {}
    assert middleware._locks == {}  # nothing kept for paths nobody waits on
