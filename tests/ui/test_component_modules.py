"""A component's JavaScript travels once, by address, not with every run that draws it.

Streamlit sends a component's inline JavaScript inside the element: a phone's body run at the
vote carried ~28 KB of it, 14 MB over the venue's Wi-Fi when 500 phones follow a step change.
Each component is now given a loader that imports its module from ``/push/js/<name>.<hash>``
(``workshop/ui/components.py``), served compressed and cached by the browser for good.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from starlette.applications import Starlette

from tests.asgi import call
from workshop.meetings import core as meetings
from workshop.ui import components, dot_ballot, push

ROOT = Path(__file__).resolve().parents[2]


def _drawn(sent) -> dict[str, str]:
    """The JavaScript each component drawn by the runs came with, by component name."""
    return {
        m.delta.new_element.bidi_component.component_name: (
            m.delta.new_element.bidi_component.js_content
        )
        for m in sent
        if m.HasField("delta") and m.delta.new_element.HasField("bidi_component")
    }


def test_a_run_sends_each_component_a_loader_not_its_module(world, make_app, sent) -> None:
    store, meeting = world["store"], world["meeting"]
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote: push, step, ballot
    phone = make_app(query={"p": world["anna"].token}).run()
    assert not phone.exception, phone.exception
    drawn = _drawn(sent)
    assert {"samskab.push", "samskab.step", "samskab.dots"} <= set(drawn)
    for name, js in drawn.items():
        assert len(js) < 400, f"{name}: {len(js)} characters of JavaScript in the run"
        assert re.search(rf'"/push/js/{re.escape(name)}\.[0-9a-f]{{16}}\.js"', js), js
    # The whole run's JavaScript: was ~28 KB (the push connection, the step, the ballot).
    assert sum(len(js) for js in drawn.values()) < 1500


def _app() -> Starlette:
    return Starlette(routes=components.routes())


def _address(module_js: str, name: str) -> str:
    found = [m for m in components._modules.values() if m.raw == module_js.encode()]
    assert len(found) == 1 and found[0].file.startswith(f"{name}.")
    return components.MODULE_PATH + found[0].file


def test_the_module_is_served_as_javascript_compressed_and_kept_for_good() -> None:
    # The ballot's module (which also exports its style sheet for the ballot drawn early)
    module = dot_ballot._renderer.module.raw
    assert module.startswith(dot_ballot.JS.encode()) and b"export const css" in module
    path = _address(module.decode(), "samskab.dots")
    plain = call(_app(), path)
    assert plain.status_code == 200
    assert plain.content == module
    assert plain.headers["content-type"] == "text/javascript; charset=utf-8"
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain.headers
    packed = call(_app(), path, accept_encoding="gzip, deflate, br")
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed.content) == module
    assert len(packed.content) < len(module) / 2
    assert packed.headers["vary"] == "Accept-Encoding"


def test_an_unknown_or_stale_module_is_not_found() -> None:
    known = _address(push.STEP_JS, "samskab.step")
    for path in (
        known.replace(".js", "0.js"),  # another content (a module since changed)
        components.MODULE_PATH + "samskab.step.js",
        components.MODULE_PATH + "..%2Fserver.py",
    ):
        answer = call(_app(), path)
        assert answer.status_code == 404, path
        assert answer.headers.get("cache-control") == "no-store", path


def test_every_module_that_registers_a_component_is_imported_before_serving() -> None:
    """A browser may ask for a module before any page of the process drew it (a phone whose
    page was drawn by the process before a restart): ``routes`` imports them all first."""
    registering = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "workshop").rglob("*.py")
        if path.name != "components.py"
        and re.search(r"^\w+ = component\(", path.read_text(encoding="utf-8"), re.M)
    )
    assert registering == sorted(components.COMPONENT_MODULES)
