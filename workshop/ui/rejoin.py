"""After the page's own connection was lost and is back, the whole page runs once.

Streamlit stops a script run in progress when a page's connection drops, and keeps what the
run drew for the page; when the page is back it sends that, ending as if the run had finished,
and the page drops whatever the run had not drawn yet. A phone back from a dropped network
then lacked its push component (it never heard of the next step) or, once, everything below
the meeting's title, and nothing on the page could ask again
(``tests/browser/test_push_journey.py``: 2 of 10 runs of the dropped-network journey on the
code before this). Streamlit asks for a run after a reconnection only in some states (a run or
a fragment run was under way, a timer is set), not when the page was idle.

So every page mounts this small component outside any fragment (in the hidden container of
Streamlit's own words). Once per page load it watches the connection state Streamlit writes on
its root element; each time the connection is back, it waits until the server's replay is
over, then asks for a run of the whole page, which draws it as it is now. If no run starts
within a few seconds (the component itself was lost with the rest, and its request with it),
the page is loaded again: its address holds what it needs (a phone's link; the idea box keeps
an unsent text in ``sessionStorage``).

A network that throws every byte away closes nothing, so Streamlit's connection may stay
"connected" while it is dead. The push components notice silence (the route's keep-alive
stops) and, when their stream is heard again, call ``window.__samskabRejoinCheck``: the same
run of the whole page, or the page loaded again.
"""

from __future__ import annotations

from workshop.ui.components import component

KEY = "samskab_rejoin"
# Seconds a run may take to start after the page asked for it, before the page is loaded again.
PATIENCE_MS = 5000

JS = (
    """
const app = () => document.querySelector('[data-testid="stApp"]');
const connection = () => app()?.getAttribute("data-test-connection-state");
const script = () => app()?.getAttribute("data-test-script-state");

function check(root) {
  // Ask for a run of the whole page; if none starts within PATIENCE ms, load the page again.
  let ran = false;
  const runs = new MutationObserver((records) => {
    if (script() === "running" || records.some((r) => r.oldValue === "running")) ran = true;
  });
  runs.observe(root, {
    attributes: true, attributeFilter: ["data-test-script-state"], attributeOldValue: true,
  });
  window.__samskabRejoinAsk?.();
  setTimeout(() => {
    runs.disconnect();
    if (!ran && connection() === "CONNECTED") window.location.reload();
  }, PATIENCE);
}

function watch(root) {
  let was = connection();
  let settling = null;
  const settle = () => {
    // After the replay of what the server kept for the page (a run that may have stopped).
    if (connection() !== "CONNECTED" || script() !== "notRunning") {
      settling = setTimeout(settle, 250);
      return;
    }
    settling = null;
    check(root);
  };
  new MutationObserver(() => {
    const now = connection();
    if (now === "CONNECTED" && was !== "CONNECTED" && !settling) {
      settling = setTimeout(settle, 250);
    }
    was = now;
  }).observe(root, { attributes: true, attributeFilter: ["data-test-connection-state"] });
  // The push connection was silent and is heard again (``push.py``, ``screen_push.py``): the
  // page's own connection went through the same network and may be dead without knowing it
  // (Streamlit's still says connected): a run of the whole page proves it alive, or the page
  // loads again.
  window.__samskabRejoinCheck = () => check(root);
}

export default function (component) {
  let asked = 0;
  // The last mount's: kept when it goes (a request from an unmounted component still asks
  // for a run of the whole page; if it does not, the page loads again).
  window.__samskabRejoinAsk = () => { asked += 1; component.setStateValue("asked", asked); };
  const root = app();
  if (root && !window.__samskabRejoin) {
    window.__samskabRejoin = true;  // once per page load: it outlives the elements it mends
    watch(root);
  }
}
"""
).replace("PATIENCE", str(PATIENCE_MS))

_renderer = component("samskab.rejoin", JS)


def install() -> None:
    """Mount the component (in every page's run, outside any fragment; the router draws it in
    the hidden container of Streamlit's own words, ``frontend_words.install``)."""
    _renderer()(key=KEY, on_asked_change=lambda: None)
