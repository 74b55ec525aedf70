"""Streamlit's icon font cut to the icons the app draws (``workshop/ui/icon_font.py``).

* The cut: the kept icons are ligatures of the cut font with the same outlines, any other name
  is letters again; the icons every page of the app names and those Streamlit's frontend draws
  by name are all kept; a name the font does not know is refused.
* The middleware (called as an ASGI app): the cut served from memory with Streamlit's headers,
  Streamlit asked once; HEAD without a body; a range request, a missing font, another path and
  a failed cut passed on untouched; a browser's revalidation gets the cut, never the full font.
"""

from __future__ import annotations

import io
import os
import re
from concurrent.futures import Future
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.asgi import Answer, call
from workshop.ui import icon_font
from workshop.ui.icon_font import IconFontSubset, PreparedFont

ROOT = Path(__file__).resolve().parents[1]
FONT = icon_font.font_file()
pytestmark = pytest.mark.skipif(FONT is None, reason="this Streamlit has no icon font")
# The phone's pages: the join page's links and consent expander, the brainstorm's avatars
# (st.chat_message and the push component's stream), the toast after an idea, the send button.
PHONE_ICONS = {"badge", "shield_person", "accessibility", "person", "lightbulb", "check", "send"}
# Streamlit's frontend draws these by their bare name (the table's menu, media cells) or by
# ``:material/…:`` of its own (expander arrows, toast and dialog close, copy buttons).
STREAMLIT_ICONS = {"more_vert", "audio_file", "video_file", "close", "expand_more", "content_copy"}


@cache
def full() -> bytes:
    assert FONT is not None
    return FONT.read_bytes()


@cache
def cut_of(icons: frozenset[str]) -> bytes:
    return icon_font.subset_font(full(), icons)


def _font(data: bytes) -> TTFont:
    return TTFont(io.BytesIO(data))


def _outline(font: TTFont, glyph: str) -> list[tuple[int, int]]:
    coordinates, _, _ = font["glyf"][glyph].getCoordinates(font["glyf"])
    return [(int(x), int(y)) for x, y in coordinates]


def test_the_cut_keeps_the_asked_icons_as_they_were_and_nothing_else() -> None:
    cut = cut_of(frozenset(PHONE_ICONS))
    assert len(cut) < len(full()) / 20  # 375 kB whole
    whole, small = _font(full()), _font(cut)
    before, after = icon_font.ligature_names(whole), icon_font.ligature_names(small)
    assert set(after) >= PHONE_ICONS
    assert "rocket_launch" in before and "rocket_launch" not in after  # letters again
    for name in PHONE_ICONS:
        assert _outline(small, after[name]) == _outline(whole, before[name]), name
        assert small["hmtx"][after[name]] == whole["hmtx"][before[name]], name
    # The letters are there to be joined (and drawn, as the full font draws them).
    assert set(small.getBestCmap()) >= {ord(c) for c in "abcxyz_0189"}


def test_a_name_that_is_no_icon_of_the_font_is_refused() -> None:
    with pytest.raises(ValueError, match="not_an_icon_at_all"):
        icon_font.subset_font(full(), {"person", "not_an_icon_at_all"})


def test_every_icon_the_app_names_and_streamlit_draws_by_name_is_kept() -> None:
    known = icon_font.ligature_names(_font(full()))
    drawn = icon_font.drawn_icons(known)
    named = set()
    for path in (ROOT / "workshop").rglob("*.py"):
        named |= set(re.findall(r":material/([a-z0-9_]+):", path.read_text(encoding="utf-8")))
    assert named, "the app names no icon?"
    assert named - set(known) == set(), "an icon the font does not have shows as letters"
    assert drawn >= named | PHONE_ICONS | STREAMLIT_ICONS
    assert len(drawn) < len(known) / 4  # a cut, not the whole font again


def test_the_cut_of_streamlits_font_draws_every_kept_icon_and_is_kept_for_the_next_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert FONT is not None
    cache = tmp_path / "cache"
    cut = icon_font.cut_icon_font(FONT, cache)
    kept = set(icon_font.ligature_names(_font(cut)))
    assert kept >= PHONE_ICONS | STREAMLIT_ICONS
    assert len(cut) < 100_000
    [file] = cache.iterdir()
    assert file.read_bytes() == cut and cache.stat().st_mode & 0o077 == 0  # the user's only

    # The next process takes it from there, without cutting again ...
    def no_cut(data: bytes, icons: object) -> bytes:
        raise AssertionError("cut again")

    monkeypatch.setattr(icon_font, "subset_font", no_cut)
    assert icon_font.cut_icon_font(FONT, cache) == cut
    # ... until the words looked for change (a new icon in the app): then it is cut anew, and
    # of the older cuts only the newest few stay.
    for n in range(icon_font.KEEP_CUTS + 2):
        older = cache / f"MaterialSymbols-old{n}.woff2"
        older.write_bytes(b"wOF2")
        os.utime(older, (n, n))
    words = icon_font.icon_words()
    monkeypatch.setattr(icon_font, "icon_words", lambda: words | {"rocket_launch"})
    monkeypatch.setattr(icon_font, "subset_font", lambda data, icons: b"wOF2 a new cut")
    assert icon_font.cut_icon_font(FONT, cache) == b"wOF2 a new cut"
    left = set(cache.iterdir())
    assert len(left) == icon_font.KEEP_CUTS and file in left
    # A file that is no font (cut short, or not ours) is not served.
    monkeypatch.setattr(icon_font, "icon_words", lambda: words)
    monkeypatch.setattr(icon_font, "subset_font", no_cut)
    file.write_bytes(b"<html>")
    with pytest.raises(AssertionError, match="cut again"):
        icon_font.cut_icon_font(FONT, cache)


def test_without_a_cache_folder_the_font_is_cut_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert FONT is not None
    cuts = []
    monkeypatch.setattr(icon_font, "subset_font", lambda data, icons: cuts.append(1) or b"wOF2")
    assert icon_font.cut_icon_font(FONT, None) == icon_font.cut_icon_font(FONT, None) == b"wOF2"
    assert len(cuts) == 2
    # A home without a cache folder of its own: the user's ~/.cache/samskab.
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert icon_font.cache_dir() == tmp_path / ".cache" / "samskab"


# -- the middleware ----------------------------------------------------------------------------
NAME = "MaterialSymbols-Rounded.abc123.woff2"
PATH = f"/static/media/{NAME}"
WHOLE = b"wOF2" + b"\x01" * 5000
CUT = b"wOF2" + b"\x02" * 300
HEADERS = {"ETag": '"abc"', "Cache-Control": "public, max-age=31536000, immutable"}


def _call(app: IconFontSubset, path: str, method: str = "GET", **headers: str) -> Answer:
    return call(app, path, method, then="again", **headers)


def _toy(cut: bytes | None = CUT, status: int = 200) -> tuple[IconFontSubset, list[int]]:
    asked = [0]

    async def font(request: Request) -> Response:
        asked[0] += 1
        if status != 200:
            return PlainTextResponse("not found", status_code=status)
        if "if-none-match" in request.headers or "if-modified-since" in request.headers:
            return Response(status_code=304, headers=HEADERS)
        return Response(WHOLE, media_type="font/woff2", headers=HEADERS)

    async def script(request: Request) -> Response:
        return Response(b"console.log(1)", media_type="text/javascript")

    inner = Starlette(
        routes=[
            Route(PATH, font, methods=["GET", "HEAD"]),
            Route("/static/media/other.woff2", font),
            Route("/static/js/main.js", script),
        ]
    )
    ready: Future[bytes | None] = Future()
    ready.set_result(cut)
    return IconFontSubset(inner, font=PreparedFont(NAME, ready)), asked


def test_the_font_is_answered_with_its_cut_from_memory_with_streamlits_headers() -> None:
    middleware, asked = _toy()
    for _ in range(10):
        answer = _call(middleware, PATH, accept_encoding="gzip, deflate")
        assert answer.status_code == 200 and answer.content == CUT
        assert answer.headers["content-length"] == str(len(CUT))
        assert answer.headers["content-type"] == "font/woff2"
        assert answer.headers["cache-control"] == HEADERS["Cache-Control"]
        assert answer.headers["etag"] == 'W/"abc"'  # another form of the same file
        assert "content-encoding" not in answer.headers  # woff2 is compressed already
    assert asked[0] == 1
    head = _call(middleware, PATH, "HEAD")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(CUT))


def test_a_revalidation_gets_the_cut_never_a_304_for_the_full_font() -> None:
    middleware, _ = _toy()
    first = _call(middleware, PATH, if_none_match='"abc"', if_modified_since="Sat, 05 Dec 2026")
    assert first.status_code == 200 and first.content == CUT


def test_ranges_other_paths_errors_and_a_failed_cut_pass_untouched() -> None:
    middleware, _ = _toy()
    ranged = _call(middleware, PATH, range="bytes=0-99")
    assert ranged.content == WHOLE and ranged.headers["etag"] == '"abc"'
    other = _call(middleware, "/static/media/other.woff2")
    assert other.content == WHOLE
    script = _call(middleware, "/static/js/main.js")
    assert script.content == b"console.log(1)"
    assert middleware.kept is None

    missing, _ = _toy(status=404)
    for method in ("GET", "HEAD"):
        gone = _call(missing, PATH, method)
        assert gone.status_code == 404 and missing.kept is None
    assert _call(missing, PATH, "HEAD").content == b""

    failed, _ = _toy(cut=None)
    whole = _call(failed, PATH)
    assert whole.status_code == 200 and whole.content == WHOLE
    assert whole.headers["etag"] == '"abc"' and failed.kept is None


def test_without_an_icon_font_every_request_passes() -> None:
    async def page(request: Request) -> Response:
        return PlainTextResponse("page")

    middleware = IconFontSubset(Starlette(routes=[Route(PATH, page)]), font=None)
    assert _call(middleware, PATH).content == b"page"
