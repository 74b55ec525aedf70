"""What the app's browser-drawn components share: each is registered with Streamlit once per
process, at its first use; its JavaScript is a module the browser loads once, by address; the
words it writes are worded once per language.

The phone's push connection and step component (``push.py``), the dot ballot
(``dot_ballot.py``), the idea box (``idea_composer.py``) and the screens' push
(``screen_push.py``) are ``st.components.v2`` components written in plain JavaScript (no build
step). Their words are looked up in the catalogues once per language, not at each of the
hundreds of page runs a room makes (~26 lookups a phone's run).

**A component's JavaScript travels once, not with every run.** Streamlit sends a component's
inline JavaScript in the element itself, so each run that draws it sent it again: a phone's
body run at the vote carried ~28 KB of it (the push connection, the step component, the dot
ballot), 14 MB over the venue's Wi-Fi when 500 phones follow a step change, and the server
serialised and hashed it each time (11% of the run's CPU: ``benchmarks/page_cost.py``). So
what Streamlit is given is a loader of a few hundred bytes that imports the real module from
``MODULE_PATH`` (``/push/js/<name>.<hash>.js``): named by its content, served here compressed
and cached by the browser for good, so a changed module is a new address. The loader waits
for the module (from the browser's cache after the first time) and hands it the component, as
Streamlit would: its cleanup is the module's.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib
import json
from collections.abc import Callable
from typing import Any

import streamlit as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from workshop.ui.i18n import current_language
from workshop.ui.session import base_path

MODULE_PATH = "/push/js/"
# Every module that registers a component (imported by ``routes`` before the server answers:
# a browser may ask for a module before any page of this process drew it).
COMPONENT_MODULES = (
    "workshop.ui.push",
    "workshop.ui.dot_ballot",
    "workshop.ui.idea_composer",
    "workshop.ui.screen_push",
    "workshop.ui.rejoin",
)
LOADER = """// {name}: the module, loaded once by address (workshop/ui/components.py)
export default async function (component) {{
  const module = await import(new URL({url}, window.location.href).href);
  const data = component.data && component.data[0];  // sent in a list of one
  return module.default({{ ...component, data }});
}}
"""
CACHED = "public, max-age=31536000, immutable"


class Module:
    """One component's JavaScript as served: its file name (by content), the text, gzipped."""

    def __init__(self, name: str, js: str) -> None:
        raw = js.encode()
        self.file = f"{name}.{hashlib.sha256(raw).hexdigest()[:16]}.js"
        self.raw = raw
        self.gzipped = gzip.compress(raw, mtime=0)


_modules: dict[str, Module] = {}  # file name -> module

# A component draws into a holder of its own: its parent (a shadow root) also holds the style
# sheet Streamlit put there, which emptying the parent would remove. (A shadow root's
# ":scope" matches nothing: its children are looked through instead.)
HOLDER_JS = """
function holder(parent, name) {
  let found = [...parent.children].find((e) => e.classList.contains(name));
  if (!found) {
    found = document.createElement("div");
    found.className = name;
    parent.append(found);
  }
  return found;
}
"""

# Read by a screen reader, not drawn: the rule every component's status lines use (each in its
# own shadow root, where the page's rules do not reach).
VISUALLY_HIDDEN = (
    "position: absolute; width: 1px; height: 1px; overflow: hidden;"
    " clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;"
)


class Component:
    """A component registered as ``name``, made at the first call (a page that never draws it
    never registers it); call it to get the mount, then call that to mount it. Its JavaScript
    is served at once as a module of its own; Streamlit is given its loader."""

    def __init__(self, name: str, js: str, css: str = "") -> None:
        self.name, self.css = name, css
        self.module = Module(name, js)
        _modules[self.module.file] = self.module
        self._made: list[Any] = []

    def address(self) -> str:
        """Where the browser loads the module (under the app's base path)."""
        return f"{base_path()}{MODULE_PATH}{self.module.file}"

    def _mount(self, *, data: Any = None, **kwargs: Any) -> Any:
        # Handed over in a list of one, which the loader unwraps: Streamlit checks each value
        # of a dict for a table to send as Arrow (~0.2 ms for a ballot's dozen values, at each
        # of the three mounts of a phone's run: 7% of its CPU at a step change), and a list
        # goes to JSON as it is.
        return self._made[0](data=None if data is None else [data], **kwargs)

    def __call__(self) -> Callable[..., Any]:
        if not self._made:
            loader = LOADER.format(name=self.name, url=json.dumps(self.address()))
            self._made.append(
                st.components.v2.component(self.name, js=loader, css=self.css or None, html="")
            )
        return self._mount


def component(name: str, js: str, css: str = "") -> Component:
    """The component registered as ``name`` (see :class:`Component`)."""
    return Component(name, js, css)


def mounted_data(text: str) -> Any:
    """What a component was given, from its element's JSON (as the loader hands it over)."""
    data = json.loads(text)
    return data[0] if isinstance(data, list) and len(data) == 1 else data


async def serve_module(request: Request) -> Response:
    """``GET /push/js/<name>.<hash>.js``: a component's module, gzipped where the browser
    accepts it; kept by the browser for good (a new module has a new name)."""
    module = _modules.get(request.path_params["file"])
    if module is None:
        return PlainTextResponse(
            "not found", status_code=404, headers={"Cache-Control": "no-store"}
        )
    headers = {"Cache-Control": CACHED, "Vary": "Accept-Encoding"}
    body = module.raw
    if "gzip" in request.headers.get("accept-encoding", ""):
        body, headers["Content-Encoding"] = module.gzipped, "gzip"
    return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)


def routes() -> list[BaseRoute]:
    for name in COMPONENT_MODULES:  # each registers its components' modules on import
        importlib.import_module(name)
    return [Route(MODULE_PATH + "{file}", serve_module, methods=["GET"])]


def worded_once(build: Callable[[], dict[str, str]]) -> Callable[[], dict[str, str]]:
    """``build`` (what a component writes, in the reader's language) called once per language
    per process; its result shared by every page run in that language."""
    cache: dict[str, dict[str, str]] = {}

    @functools.wraps(build)
    def words() -> dict[str, str]:
        language = current_language()
        found = cache.get(language)
        if found is None:
            found = cache[language] = build()
        return found

    return words
