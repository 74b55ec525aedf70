"""The room's screens follow it by push: the projector and the console's live tab rerun their
fragment when the room moved, not every second.

A small ``st.components.v2`` component (inline JavaScript, no build step), mounted at the end
of the fragment that shows the room, keeps ONE ``EventSource`` per browser tab to the phones'
route (``workshop/ui/push_routes.py``): the projector by its screen link secret, the console
(or a projector a facilitator opened) by the staff session cookie. The route tells it the
meeting's numbers (``change_seq``, ``vote_seq``, step); when they moved past what the fragment
drew (a new idea, a dot, a hidden idea, a new step), the component sets its state value and
Streamlit reruns that one fragment: at once for a new step, otherwise at most once per ``g``
seconds (1 s). An idle screen costs an open connection and no reruns.

**The clock is drawn by the browser.** The projector's countdown (``.sk-timer``) carries the
moment its step ends (``data-ends``, milliseconds since the epoch); the component redraws every
countdown on the page four times a second from that moment and the server's clock at the last
run (``now``: the screen's own clock may be wrong), with the server's format (``MM:SS``,
``+MM:SS`` and red over time).

**What still needs a clock on the server** is what a slide shows by the time of day, and what
is computed in the background (no change in the room says when it is done): the wall's older
ideas (more than a slide's worth) take turns every 12 s, the statements' results and their
opinion groups every 12 s, and while the opinion groups are being computed the slide looks
again each second. A run that draws one of these asks for a rerun at its next turn
(``rerun_at_turn``); the component reruns the fragment then (``turn``).

When the connection fails (unreachable, refused, a renewed screen link, an ended login), the
component says so (``ok: false``); the page then runs the fragment on its timer as before
(``run_every``) and says "reconnecting…" until a message arrives again. ``EventSource``
retries by itself; after a refusal the component opens a new one every 5 s.
"""

from __future__ import annotations

import html
import time
from urllib.parse import quote

import streamlit as st

from workshop.meetings import watch
from workshop.model import MeetingState, Step
from workshop.ui import push
from workshop.ui.components import component
from workshop.ui.i18n import t
from workshop.ui.push_routes import LISTEN_JS, PUSH_PATH, silent_ms
from workshop.ui.session import base_path
from workshop.ui.widgets import step_ends

KEY = "samskab_screen_push"
MODE = "samskab_screen_push_mode"  # session state: whether the last full run drew for push
DUE = "samskab_screen_push_due"  # session state: seconds until this run's slide is due again

JS = (
    LISTEN_JS
    + """
export default function (component) {
  const { data, setStateValue } = component;
  const all = (window.__samskabScreenPush = window.__samskabScreenPush || {});
  for (const url of Object.keys(all)) {
    if (url !== data.url) { all[url].close(); delete all[url]; }
  }
  let live = all[data.url];
  if (!live) {
    live = all[data.url] = {
      source: null, drawn: data.drawn, latest: null, ok: true, asked: 0, lastAt: 0,
      gapMs: 1000, pending: null, retry: null, turn: null, clock: null, report: null,
      skew: 0, reruns: 0, events: 0,  // fragment reruns asked for, events received
      heardAt: Date.now(), silent: 0, watch: null, revive: false, banner: null, away: "",
      slide: false,
      close() {
        clearTimeout(this.pending);
        clearTimeout(this.retry);
        clearTimeout(this.turn);
        clearInterval(this.clock);
        clearInterval(this.watch);
        if (this.banner) this.banner.remove();
        if (this.source) this.source.close();
        this.source = null;
      },
      ask(ok) {
        // A new value each time: the same value again would rerun nothing.
        this.ok = ok;
        this.asked += 1;
        if (this.report) { this.reruns += 1; this.report({ ok, n: this.asked }); }
      },
      moved(message) {
        const drawn = this.drawn;
        return message.s === "gone" || message.c > drawn.c || message.v > drawn.v;
      },
      seen(message) {
        this.events += 1;
        this.latest = message;
        this.gapMs = (message.g || 1) * 1000;
        if (!this.moved(message)) {
          if (!this.ok) this.ask(true);  // back: the page drops its timer
          return;
        }
        this.schedule(message.s !== this.drawn.s);
      },
      schedule(now) {
        const wait = now ? 0 : this.lastAt + this.gapMs - Date.now();
        if (wait <= 0) this.flush();
        else if (!this.pending) this.pending = setTimeout(() => this.flush(), wait);
      },
      flush() {
        clearTimeout(this.pending);
        this.pending = null;
        this.lastAt = Date.now();
        this.ask(true);
      },
      open() {
        const source = listen(this, data.url, (message) => {
          this.say(false);
          this.seen(message);
        });
        source.onerror = () => {
          if (this.ok) this.ask(false);
          if (source.readyState === EventSource.CLOSED) {
            clearTimeout(this.retry);
            this.retry = setTimeout(() => { if (this.source === source) this.open(); }, 5000);
          }
        };
      },
      say(silent) {
        // "reconnecting…" drawn here, not by a run: on a silent network the page's own
        // connection may be dead too, and a run would never draw it. Not twice: a run that
        // drew its own (the push route alone blocked) says it.
        if (!this.banner) {
          this.banner = document.createElement("div");
          this.banner.setAttribute("role", "status");
          this.banner.dataset.testid = "push-silent";
          this.banner.style.cssText = "position:fixed;left:50%;bottom:2vh;z-index:1000;"
            + "transform:translateX(-50%);background:#fff4e5;color:#5c3c00;font-weight:700;"
            + "border:2px solid #b26a00;border-radius:.6rem;padding:.4rem 1rem;";
          document.body.appendChild(this.banner);
        }
        this.banner.style.fontSize = this.slide ? "2rem" : "1rem";
        const drawn = [...document.querySelectorAll(
          "[data-testid='projector-reconnecting'], [data-testid='stCaptionContainer']",
        )].some((e) => e.textContent.trim() === this.away);
        this.banner.textContent = silent && !drawn ? this.away : "";
        this.banner.hidden = !silent || drawn;
      },
      tick() {
        // Every countdown on the page, from the moment its step ends and the server's clock.
        const now = Date.now() - this.skew;
        for (const timer of document.querySelectorAll(".sk-timer[data-ends]")) {
          const left = Math.round((Number(timer.dataset.ends) - now) / 1000);
          const over = Math.abs(left);
          const pad = (n) => String(n).padStart(2, "0");
          const text = `${left < 0 ? "+" : ""}${pad(Math.floor(over / 60))}:${pad(over % 60)}`;
          if (timer.textContent !== text) timer.textContent = text;
          timer.classList.toggle("over", left < 0);
        }
      },
    };
    live.open();
    live.clock = setInterval(() => live.tick(), 250);
    // A network that throws every byte away closes nothing: without the route's keep-alive
    // for a while, the connection is taken for dead, said so ("reconnecting…", the timer)
    // and opened again.
    live.watch = setInterval(() => {
      if (live.revive) live.say(true);
      if (!silent(live)) return;
      if (live.ok) live.ask(false);
      live.revive = true;
      live.say(true);
      clearTimeout(live.retry);
      if (live.source) live.source.close();
      live.open();
    }, 1000);
  }
  live.silent = data.silent || 0;
  live.away = data.away || "";
  live.slide = Boolean(data.slide);
  live.drawn = data.drawn;
  live.skew = Date.now() - data.now;
  live.tick();
  // This mount's own: an older mount's cleanup that runs after this one mounted (the
  // component moved to another fragment, as at a step change) must not take it away, or
  // the connection closed 10 s later and the page stopped following the room, silently.
  const mine = (value) => setStateValue("live", value);
  live.report = mine;
  // A change that arrived while the fragment ran: rerun again (within the gap).
  if (live.ok && live.latest && live.moved(live.latest)) live.schedule(false);
  clearTimeout(live.turn);
  if (data.turn > 0) live.turn = setTimeout(() => { if (live.ok) live.ask(true); }, data.turn);
  clearTimeout(live.closing);
  return () => {
    if (live.report !== mine) return;  // a newer mount follows the room now
    live.report = null;
    live.closing = setTimeout(() => {
      if (!live.report && all[data.url] === live) { live.close(); delete all[data.url]; }
    }, 10000);
  };
}
"""
)

_renderer = component("samskab.screen_push", JS)


def screen_url(token: str) -> str:
    """The stream of the projector opened by the meeting's screen link."""
    return f"{base_path()}{PUSH_PATH}?screen={quote(token, safe='')}"


def staff_url(meeting_id: int) -> str:
    """The stream of a meeting for the staff member whose session cookie the browser sends."""
    return f"{base_path()}{PUSH_PATH}?meeting={meeting_id}"


def run_every(refresh: float) -> float | None:
    """The ``run_every`` of a screen's live fragment (``push.run_every`` for this component)."""
    return push.run_every(refresh, KEY, MODE)


def rerun_at_turn(period: float) -> None:
    """What this run drew changes with the clock (``time.time() // period``: the wall's next
    page, the statements' other slide; every ``period`` seconds while something is computed in
    the background): ask the component for a rerun at the next turn. The earliest wins."""
    turn = period - time.time() % period + 0.05
    due = st.session_state.get(DUE)
    st.session_state[DUE] = turn if due is None else min(due, turn)


def step_ends_at(step: Step) -> int | None:
    """The moment the step's time box ends, in milliseconds since the epoch (the countdown's
    ``data-ends``); None before the step started."""
    ends = step_ends(step)
    return None if ends is None else round(ends.timestamp() * 1000)


def step_mark(state: MeetingState) -> str:
    """Where the room is, as the route says it (``workshop.meetings.watch``)."""
    return watch.step_mark(state.status, state.current_step_id, state.intake_open)


def follow(url: str, drawn: MeetingState, *, slide: bool = False) -> None:
    """Mount the component at the end of the fragment that drew the room as of ``drawn``.

    The fragment runs again when the room moves past ``drawn``, and at the turn the run asked
    for (``rerun_at_turn``) whatever happens. ``slide``: on the projector, "reconnecting…" is
    written in the slide's own type. A change of the connection's health reruns the whole
    page, so that the fragment is drawn again with or without its timer.
    """
    data = {
        "url": url,
        "drawn": {"c": drawn.change_seq, "v": drawn.vote_seq, "s": step_mark(drawn)},
        "now": round(time.time() * 1000),
        "turn": round(float(st.session_state.pop(DUE, 0) or 0) * 1000),
        "silent": silent_ms(),
        "away": t("push.reconnecting"),
        "slide": slide,
    }
    _renderer()(key=KEY, data=data, on_live_change=lambda: None)
    if not push.connected(KEY, MODE):
        if slide:
            st.html(
                '<div class="sk-page" data-testid="projector-reconnecting">'
                f"{html.escape(t('push.reconnecting'))}</div>"
            )
        else:
            st.caption(t("push.reconnecting"))
