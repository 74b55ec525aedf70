"""The push components' JavaScript when Streamlit mounts one anew before it unmounts the old.

When the push component moves to another fragment (the ballot mounts it elsewhere than the
stream or the themes), the old mount's cleanup may run after the new one mounted. It took the
connection's listener away, and 10 s later closed the connection for good: a phone on the
ballot stopped following the room without a word while the room moved on (fresh-eyes trial).
The components' own code, run in chromium with the mounts in that order.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import context
from workshop.ui import push, screen_push

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

MOUNT_TWICE = """
async ([js, data]) => {
  const module = await import("data:text/javascript," + encodeURIComponent(js));
  const mount = () => module.default({
    data, setStateValue: () => {}, parentElement: document.createElement("div"),
  });
  const first = mount();
  mount();  // the new mount, in its new fragment ...
  first();  // ... and only then the old one's cleanup
  const held = Object.values(window.__samskabPush || window.__samskabScreenPush || {});
  return held.map((live) => ({ listening: Boolean(live.report), closing: Boolean(live.closing) }));
}
"""


@pytest.mark.parametrize(
    ("js", "data"),
    [
        (push.JS, {"url": "http://127.0.0.1:9/push/meeting?p=x", "seq": 1}),
        (screen_push.JS, {"url": "http://127.0.0.1:9/push/meeting?screen=x", "drawn": {}}),
    ],
    ids=["phone", "screen"],
)
def test_an_old_mounts_cleanup_after_the_new_mount_keeps_the_connection(
    browser, js: str, data: dict
) -> None:
    page = context(browser, {"viewport": {"width": 390, "height": 844}}).new_page()
    page.goto("about:blank")
    held = page.evaluate(MOUNT_TWICE, [js, data])
    assert held == [{"listening": True, "closing": False}], json.dumps(held)
