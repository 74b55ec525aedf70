"""The phone's push component: one open connection, a fragment rerun only when the room moved.

A small ``st.components.v2`` component (inline JavaScript, no build step) keeps ONE
``EventSource`` per browser tab to ``workshop/ui/push_routes.py`` and survives the reruns of
the fragment that mounts it (the connection lives in ``window``, keyed by its address). When
the meeting's ``change_seq`` moves past what the fragment last drew, the component sets its
state value, and Streamlit reruns only that fragment: at once when the step (or the status)
changed, otherwise at most once per ``g`` seconds as the route says (a busy brainstorm posts
several ideas a second; see ``push_routes.gap``), which then asks the database what
changed, as the timed refresh did. An idle phone therefore costs an open connection and no
reruns at all.

When the connection fails (the route is unreachable, refused, or the network dropped), the
component says so (state ``ok: false``); the page then runs its fragments on the timed refresh
(``meetings.phone_refresh_seconds``) as before and shows "reconnecting…" until a message
arrives again. ``EventSource`` retries by itself; after a refusal the component opens a new
one every few seconds.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from workshop.ui.i18n import t
from workshop.ui.push_routes import PUSH_PATH
from workshop.ui.session import base_path

KEY = "samskab_push"
MODE = "samskab_push_mode"  # session state: whether the last full run drew fragments for push

JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const all = (window.__samskabPush = window.__samskabPush || {});
  for (const url of Object.keys(all)) {
    if (url !== data.url) { all[url].close(); delete all[url]; }
  }
  let live = all[data.url];
  if (!live) {
    live = all[data.url] = {
      source: null, shown: data.seq, sent: { c: data.seq, ok: true }, report: null, timer: null,
      close() {
        clearTimeout(this.timer);
        clearTimeout(this.pending);
        if (this.source) this.source.close();
        this.source = null;
      },
      tell(c, ok) {
        if (this.sent.ok === ok && (this.sent.c === c || this.shown === c)) return;
        this.sent = { c, ok };
        if (this.report) this.report({ c, ok });
      },
      step: null, latest: data.seq, lastAt: 0, gapMs: 1000, pending: null,
      seen(message) {
        const stepMoved = this.step !== null && message.s !== this.step;
        this.step = message.s;
        this.latest = message.c;
        this.gapMs = (message.g || 1) * 1000;
        const wait = this.lastAt + this.gapMs - Date.now();
        if (stepMoved || wait <= 0) this.flush();
        else if (!this.pending) this.pending = setTimeout(() => this.flush(), wait);
      },
      flush() {
        clearTimeout(this.pending);
        this.pending = null;
        const before = this.sent;
        this.tell(this.latest, true);
        if (this.sent !== before) this.lastAt = Date.now();
      },
      open() {
        const source = (this.source = new EventSource(data.url));
        source.onmessage = (event) => this.seen(JSON.parse(event.data));
        source.onerror = () => {
          this.tell(this.sent.c, false);
          if (source.readyState === EventSource.CLOSED) {
            clearTimeout(this.timer);
            this.timer = setTimeout(() => { if (this.source === source) this.open(); }, 5000);
          }
        };
      },
    };
    live.open();
  }
  live.shown = data.seq;
  if (live.sent.ok && live.sent.c < data.seq) live.sent = { c: data.seq, ok: true };
  live.report = (value) => setStateValue("live", value);
  clearTimeout(live.closing);
  return () => {
    live.report = null;
    live.closing = setTimeout(() => {
      if (!live.report && all[data.url] === live) { live.close(); delete all[data.url]; }
    }, 10000);
  };
}
"""

_component: Any = None


def _renderer() -> Any:
    global _component
    if _component is None:
        _component = st.components.v2.component("samskab.push", js=JS, html="<span></span>")
    return _component


def push_url(token: str) -> str:
    from urllib.parse import quote

    return f"{base_path()}{PUSH_PATH}?p={quote(token, safe='')}"


def push_failed() -> bool:
    """Whether this phone's push connection is down (then fragments refresh on a timer)."""
    value = st.session_state.get(KEY)
    live = getattr(value, "live", None) if value is not None else None
    if live is None and isinstance(value, dict):
        live = value.get("live")
    return isinstance(live, dict) and live.get("ok") is False


def run_every(refresh: float) -> float | None:
    """The ``run_every`` of a phone's fragment: none while push works, the timer otherwise.
    Remembers which it drew, so ``follow`` reruns the page when that must change."""
    failed = push_failed()
    st.session_state[MODE] = not failed
    return refresh if failed else None


def follow(token: str, change_seq: int) -> None:
    """Mount the component (inside the fragment that shows the room) for the change it drew.

    A change of the connection's health reruns the whole page, so that the fragments are
    drawn again with or without their timer; while it is down the phone says so.
    """
    _renderer()(
        key=KEY,
        data={"url": push_url(token), "seq": change_seq},
        on_live_change=lambda: None,
    )
    pushed = not push_failed()
    if st.session_state.get(MODE, True) != pushed:
        st.rerun(scope="app")
    if not pushed:
        st.caption(t("push.reconnecting"))
