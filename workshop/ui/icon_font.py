"""Streamlit's Material Symbols icon font cut down to the icons the app can draw, once per process.

Streamlit loads its icon font on every first visit, before anything is drawn
(``document.fonts.load`` at start): ``MaterialSymbols-Rounded.*.woff2``, 375 kB, a third of a
phone's first visit once the scripts are gzipped (``workshop/ui/compress.py``), for ~4,300
icons of which the app draws a few dozen. It is a ligature font: the text ``lightbulb`` in
that font is drawn as one glyph by a ligature rule (``rlig``). The cut keeps the letters, the
digits and ``_``, and of the ligatures only those whose icon is kept; any other word shows as
its letters, which is what the full font does for a name it does not know.

Which icons: every ``:material/…:`` in the app's own source (``workshop/``: pages, widgets,
catalogues) and in Streamlit's (its Python package and its frontend bundles), and every quoted
word in the frontend bundles and in the app's source that names an icon, because some are
drawn by their bare name: Streamlit's table draws ``more_vert`` and a media cell
``audio_file``, the push component's stream (``workshop/ui/push.py``) ``person`` and
``lightbulb``. That is 564 of 4,309 icons, 57 kB, and no list to keep up to date: a new
icon in the app is in the next process's font. (User text cannot ask for an icon:
``workshop/text.py`` escapes ``:material/…:`` in it.)

The cut takes ~4.6 s of CPU (fontTools decodes every glyph of the woff2), so it starts in a
thread when the server is built (:func:`prepare`) and is kept in the user's cache folder for
the next process (:func:`cut_icon_font`: ~0.5 s then), and the font is served from memory
after: the same bytes to every phone, with Streamlit's cache headers and a weak ETag (another
form of the same file). A request that comes before the cut is ready waits for it. If the cut
fails or loses an icon it was asked to keep (a Streamlit upgrade that changes the font's
make-up), the full font is served as before and a warning is logged. Range requests and
anything but a plain 200 from Streamlit pass as they are.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import fontTools
import streamlit
from fontTools import subset
from fontTools.ttLib import TTFont
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import workshop
from workshop.ui.compress import stays

log = logging.getLogger(__name__)

ICON = re.compile(r":material/([a-z0-9_]+):")
QUOTED = re.compile(r"""[`'"]([a-z0-9_]+)[`'"]""")
FONT_GLOB = "MaterialSymbols-Rounded.*.woff2"
STREAMLIT = Path(streamlit.__file__).parent
MEDIA = STREAMLIT / "static" / "static" / "media"
BUNDLES = STREAMLIT / "static" / "static" / "js"
APP = Path(workshop.__file__).parent
KEEP_CUTS = 8  # cuts kept in the cache folder, the newest
# The characters an icon's name is written with (the ligatures' input) and the space.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_ \u00a0"


def font_file() -> Path | None:
    """Streamlit's icon font (its name carries a content hash), or None if it has none."""
    found = sorted(MEDIA.glob(FONT_GLOB))
    return found[0] if found else None


def ligature_names(font: TTFont) -> dict[str, str]:
    """Each icon name the font draws as one glyph (lowercase), with that glyph's name."""
    letter_of: dict[str, str] = {}
    for code, glyph in sorted(font.getBestCmap().items()):
        if code < 128:
            letter_of[glyph] = chr(code)  # lowercase last: a and A are one glyph
    names: dict[str, str] = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)  # extension lookups (type 7)
            for first, rules in getattr(table, "ligatures", {}).items():
                for rule in rules:
                    letters = [first, *rule.Component]
                    if all(glyph in letter_of for glyph in letters):
                        names["".join(letter_of[g] for g in letters)] = rule.LigGlyph
    return names


def _read(paths: Iterable[Path]) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


def icons_in_source(text: str) -> set[str]:
    """The icon names written as ``:material/<name>:`` in a text."""
    return set(ICON.findall(text))


def icon_words() -> set[str]:
    """Every word the app and Streamlit may draw in the icon font (not all of them icons): the
    ``:material/…:`` names in their source and the quoted words of the bundles and the app."""
    app = _read([*APP.rglob("*.py"), *APP.rglob("*.json")])
    streamlit_python = _read(p for p in STREAMLIT.rglob("*.py") if "static" not in p.parts)
    bundles = _read(BUNDLES.glob("*.js"))
    named = icons_in_source(app) | icons_in_source(streamlit_python) | icons_in_source(bundles)
    return named | set(QUOTED.findall(bundles)) | set(QUOTED.findall(app))


def drawn_icons(known: Iterable[str], words: set[str] | None = None) -> set[str]:
    """The icons the app and Streamlit can draw, of the names the font ``known``s."""
    return (icon_words() if words is None else words) & set(known)


def subset_font(data: bytes, icons: Iterable[str]) -> bytes:
    """The woff2 font ``data`` with only the ligatures (and glyphs) of ``icons`` and the
    letters; raises ValueError when the result would not draw one of them."""
    font = TTFont(io.BytesIO(data))
    names = ligature_names(font)
    wanted = sorted(set(icons))
    missing = [name for name in wanted if name not in names]
    if missing:
        raise ValueError(f"not icons of this font: {', '.join(missing)}")
    options = subset.Options()
    options.layout_closure = False  # no closure over GSUB: it would bring back every icon
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.flavor = "woff2"
    cutter = subset.Subsetter(options)
    cutter.populate(glyphs=[names[n] for n in wanted], text=LETTERS)
    cutter.subset(font)
    out = io.BytesIO()
    font.save(out)
    cut = out.getvalue()
    lost = set(wanted) - set(ligature_names(TTFont(io.BytesIO(cut))))
    if lost:
        raise ValueError(f"the cut lost {', '.join(sorted(lost))}")
    return cut


def _age(path: Path) -> float:
    try:
        return -path.stat().st_mtime
    except OSError:
        return 0.0


def cache_dir() -> Path | None:
    """Where cuts are kept between processes: the user's cache (``$XDG_CACHE_HOME`` or
    ``~/.cache``), ``samskab/``; None for a user without a home (a bare service account)."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "samskab"
    except RuntimeError:  # Path.home() without HOME or a passwd entry
        return None


def cut_icon_font(path: Path, cache: Path | None = None) -> bytes:
    """Streamlit's icon font at ``path`` cut to :func:`drawn_icons`.

    Kept in ``cache`` (a folder only this user may read, made if need be) under a name that
    hashes the font, fontTools' version and the words looked for, so the processes behind
    nginx and every server a test run starts cut it once, and any change (a new icon in the
    app, a Streamlit or fontTools upgrade) makes a new cut. Without a usable folder it is cut
    anew."""
    data = path.read_bytes()
    words = icon_words()
    key = hashlib.sha256(data)
    key.update(fontTools.version.encode())
    key.update("\n".join(sorted(words)).encode())
    kept = cache / f"MaterialSymbols-{key.hexdigest()[:32]}.woff2" if cache else None
    if kept is not None and kept.is_file():
        cut = kept.read_bytes()
        if cut[:4] == b"wOF2":
            return cut
    cut = subset_font(data, drawn_icons(ligature_names(TTFont(io.BytesIO(data))), words))
    if kept is not None:
        try:
            kept.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=kept.parent, delete=False) as out:
                out.write(cut)
            os.replace(out.name, kept)  # whole or not at all, whoever writes it too
            cuts = sorted(kept.parent.glob("MaterialSymbols-*.woff2"), key=_age)
            for old in cuts[KEEP_CUTS:]:  # the newest few stay (several checkouts may run)
                old.unlink(missing_ok=True)
        except OSError:
            log.info("icon font cut not kept in %s", kept.parent, exc_info=True)
    return cut


@dataclass
class PreparedFont:
    """The cut of one icon font, computed in a thread: its file name, and bytes or None (serve
    the full font)."""

    name: str
    cut: Future[bytes | None]


_prepared: PreparedFont | None = None
_prepared_lock = threading.Lock()


def prepare() -> PreparedFont | None:
    """Start cutting Streamlit's icon font (once per process); None if Streamlit has none."""
    global _prepared
    with _prepared_lock:
        if _prepared is None:
            path = font_file()
            if path is None:
                return None
            _prepared = PreparedFont(path.name, Future())
            threading.Thread(
                target=_cut_into, args=(path, _prepared.cut), name="icon-font", daemon=True
            ).start()
        return _prepared


def _cut_into(path: Path, result: Future[bytes | None]) -> None:
    try:
        result.set_result(cut_icon_font(path, cache_dir()))
    except Exception:  # the full font then, as before: icons must draw
        log.warning("icon font not cut, served whole: %s", path.name, exc_info=True)
        result.set_result(None)


@dataclass(frozen=True)
class Kept:
    start: Message  # the response's start, with the cut's length and a weak ETag
    body: bytes


class IconFontSubset:
    """ASGI middleware: Streamlit's icon font answered with its cut, from memory."""

    def __init__(self, app: ASGIApp, font: PreparedFont | None = None) -> None:
        self.app = app
        self.font = font
        self.kept: Kept | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._applies(scope):
            await self.app(scope, receive, send)
            return
        assert self.font is not None
        cut = await asyncio.wrap_future(self.font.cut)
        if cut is None:
            await self.app(scope, receive, send)
            return
        kept = self.kept or await self._keep(scope, receive, send, cut)
        if kept is None:
            return  # Streamlit's answer, passed on as it was
        await send(kept.start)
        body = b"" if scope["method"] == "HEAD" else kept.body
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _applies(self, scope: Scope) -> bool:
        if self.font is None or scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        if not scope["path"].endswith(f"/static/media/{self.font.name}"):
            return False
        return "range" not in Headers(scope=scope)

    async def _keep(self, scope: Scope, receive: Receive, send: Send, cut: bytes) -> Kept | None:
        messages: list[Message] = []

        async def hold(message: Message) -> None:
            messages.append(message)

        conditions = (b"if-none-match", b"if-modified-since")
        plain_get = {
            **scope,
            "method": "GET",
            # Streamlit's full answer to keep, never a 304 for a browser's copy
            "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in conditions],
        }
        await self.app(plain_get, stays, hold)  # the whole answer, even if the client goes
        start = messages[0] if messages and messages[0]["type"] == "http.response.start" else None
        if (
            start is None
            or start["status"] != 200
            or "content-encoding" in Headers(raw=start["headers"])
        ):
            for message in messages:
                if scope["method"] == "HEAD" and message["type"] == "http.response.body":
                    message = {**message, "body": b""}
                await send(message)
            return None
        start = {**start, "headers": list(start["headers"])}
        out = MutableHeaders(scope=start)
        out["content-length"] = str(len(cut))
        etag = out.get("etag")
        if etag and not etag.startswith("W/"):
            out["etag"] = f"W/{etag}"
        self.kept = Kept(start, cut)
        return self.kept


def warm() -> int:
    """Cut the font now and keep the cut (``python -m workshop.ui.icon_font``, run by the
    install scripts): a server's first visitors then wait for no cut. A server started after
    the source changed cuts again (~5 s of CPU in its own thread), and until then its icon
    font request waits: a page's icons draw as words meanwhile. Returns the cut's size (0: no
    font to cut)."""
    path = font_file()
    return len(cut_icon_font(path, cache_dir())) if path is not None else 0


if __name__ == "__main__":
    print(f"icon font cut: {warm()} bytes")
