"""The phone's push component: one open connection, a fragment rerun only when the room moved.

A small ``st.components.v2`` component (inline JavaScript, no build step) keeps ONE
``EventSource`` per browser tab to ``workshop/ui/push_routes.py`` and survives the reruns of
the fragment that mounts it (the connection lives in ``window``, keyed by its address).

**A new idea is drawn here, not by a rerun.** In the brainstorm the component is mounted
below the stream's ideas and told which ideas (and which versions of them) the fragment drew.
An event whose news (``push_routes.message``) follows on from what the phone knows and
explains every change is drawn by the component itself: the new ideas are appended below the
stream as a list, with the look of the stream's messages (the reader's own on a shaded
background, the name the idea is shown under, "edited"), written as text, never as HTML; an
idea that leaves the wall leaves the list. A screen reader hears them through a polite
status line at most once every 5 s ("Anna: …", or "7 new ideas"). The server's cost of an
idea is then one read per tick per process and one small write per phone, and no rerun.

Everything else needs the server. A new step, status or intake runs the phone's body at once,
through a second, tiny component the page mounts in its body fragment (:func:`follow_steps`).
Otherwise the component sets its state value and Streamlit reruns only that fragment, which
asks the database what changed, at most once per ``g`` seconds (an agreement, a theme, an
idea the page drew was hidden or edited, a gap in the numbers after a dropped connection, any
change outside the stream; ``g`` as the route says, see ``push_routes.gap``). The rerun's
drawing takes over the ideas the component drew. An idle phone costs an open connection and
no reruns at all.

When the connection fails (the route is unreachable, refused, or the network dropped), the
component says so (state ``ok: false``); the page then runs its fragments on the timed refresh
(``meetings.phone_refresh_seconds``) as before and shows "reconnecting…" until a message
arrives again. ``EventSource`` retries by itself; after a refusal the component opens a new
one every few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from workshop.meetings.stream import STREAM_LENGTH
from workshop.model import Idea
from workshop.ui import dot_ballot, state
from workshop.ui.ballot_routes import BALLOT_PATH
from workshop.ui.components import HOLDER_JS, VISUALLY_HIDDEN, component, worded_once
from workshop.ui.i18n import current_language, t
from workshop.ui.push_routes import LISTEN_JS, PUSH_PATH, silent_ms
from workshop.ui.session import base_path

KEY = "samskab_push"
MODE = "samskab_push_mode"  # session state: whether the last full run drew fragments for push

JS = (
    LISTEN_JS
    + """
const ANNOUNCED = 120;  // characters of an idea a screen reader hears in the announcement

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const all = (window.__samskabPush = window.__samskabPush || {});
  for (const url of Object.keys(all)) {
    if (url !== data.url) { all[url].close(); delete all[url]; }
  }
  let live = all[data.url];
  if (!live) {
    live = all[data.url] = {
      source: null, shown: data.seq, known: data.seq, sent: { c: data.seq, ok: true },
      report: null, timer: null, step: null, latest: data.seq, lastAt: 0, gapMs: 1000,
      pending: null, stream: false, drawn: new Map(), top: 0, pushed: new Map(), root: null,
      words: {}, length: 12, fresh: [], told: null, toldAt: 0,
      heardAt: Date.now(), silent: 0, watch: null, revive: false,
      hiddenAt: null, onVisible: null, onOnline: null,
      reruns: 0, drawnHere: 0,  // fragment reruns asked for, ideas drawn from pushed news
      close() {
        document.removeEventListener("visibilitychange", this.onVisible);
        window.removeEventListener("online", this.onOnline);
        window.removeEventListener("offline", this.onOffline);
        clearTimeout(this.awayTimer);
        clearTimeout(this.timer);
        clearTimeout(this.pending);
        clearTimeout(this.told);
        clearInterval(this.watch);
        if (this.source) this.source.close();
        this.source = null;
      },
      tell(c, ok) {
        if (this.sent.ok === ok && (this.sent.c === c || this.shown === c)) return;
        this.sent = { c, ok };
        if (this.report) { this.reruns += 1; this.report({ c, ok }); }
      },
      seen(message) {
        const stepMoved = this.step !== null && message.s !== this.step;
        this.step = message.s;
        this.gapMs = (message.g || 1) * 1000;
        if (!stepMoved && (message.c <= this.known || this.take(message))) {
          if (!this.sent.ok) this.tell(this.sent.c, true);  // back: the page drops its timer
          return;
        }
        this.latest = Math.max(this.latest, message.c);
        const whole = window.__samskabStep;
        if (stepMoved && whole && this.sent.ok) {
          // A new step: the whole page runs at once (the step component, mounted outside the
          // fragments), not this fragment first only to find that the page must run.
          clearTimeout(this.pending);
          this.pending = null;
          this.lastAt = Date.now();
          this.reruns += 1;
          whole(message.c);
          return;
        }
        const wait = this.lastAt + this.gapMs - Date.now();
        if (stepMoved || wait <= 0) this.flush();
        else if (!this.pending) this.pending = setTimeout(() => this.flush(), wait);
      },
      take(message) {
        // Draw news without the server: only in the stream, only when it follows on from
        // what this phone knows and explains every change; anything else reruns the fragment.
        if (!this.stream || !message.k || message.f === undefined || message.f > this.known) {
          return false;
        }
        const add = [], drop = [];
        for (const [id, seq] of message.x || []) {
          if (seq <= this.known) continue;
          if (this.drawn.has(id)) return false;  // the page shows it: the page must redraw
          // The reader's own idea left the wall (hidden, merged): the page says why.
          if (this.pushed.has(id) && this.pushed.get(id).own) return false;
          drop.push(id);
        }
        for (const idea of message.i || []) {
          if (idea.seq <= this.known) continue;
          if (this.drawn.has(idea.id)) {
            if (idea.seq > this.drawn.get(idea.id)) return false;
            continue;
          }
          if (idea.id < this.top && !this.pushed.has(idea.id)) return false;
          add.push(idea);
        }
        for (const id of drop) this.pushed.delete(id);
        this.unsay(drop);
        for (const idea of add) this.pushed.set(idea.id, idea);
        const ids = [...this.pushed.keys()].sort((a, b) => a - b);
        const over = Math.max(0, ids.length - this.length);
        for (const id of ids.slice(0, over)) this.pushed.delete(id);
        this.known = message.c;
        this.drawnHere += add.length;
        this.render();
        this.announce(add.filter((idea) => !idea.own));
        return true;
      },
      flush() {
        clearTimeout(this.pending);
        this.pending = null;
        if (this.latest <= this.known && this.sent.ok) return;
        const before = this.sent;
        this.tell(Math.max(this.latest, this.known), true);
        if (this.sent !== before) this.lastAt = Date.now();
      },
      fill(template, values) {
        // One pass, so a name or text that holds "{text}" or "$&" is kept as written.
        return (template || "").replace(/\\{(\\w+)\\}/g, (all, key) => values[key] ?? all);
      },
      author(idea) {
        const name = idea.author || this.words.anonymous || "";
        return idea.behalf ? this.fill(this.words.behalf || "{name}", { name }) : name;
      },
      render() {
        const root = this.root;
        if (!root) return;
        // The connection is down: said here, by the phone itself (the page's own connection
        // to the server may be down too, and then no run can say it).
        let away = root.querySelector("p.away");
        if (!away) {
          away = document.createElement("p");
          away.className = "away";
          away.setAttribute("role", "status");
          root.prepend(away);
        }
        const saying = this.down ? this.awayWords || "" : "";
        if (away.textContent !== saying) away.textContent = saying;
        away.hidden = !this.down;
        let list = root.querySelector("ul.ideas");
        if (!list) {
          list = document.createElement("ul");
          list.className = "ideas";
          const status = document.createElement("div");
          status.className = "announce";
          status.setAttribute("role", "status");
          status.setAttribute("aria-live", "polite");
          root.append(list, status);
        }
        list.setAttribute("aria-label", this.words.list || "");
        const ideas = this.stream ? [...this.pushed.values()].sort((a, b) => a.id - b.id) : [];
        list.hidden = ideas.length === 0;
        let empty = root.querySelector("p.empty");
        if (!empty) {
          empty = document.createElement("p");
          empty.className = "empty";
          root.prepend(empty);
        }
        empty.textContent = this.words.none || "";
        empty.hidden = !this.stream || ideas.length > 0 || this.drawn.size > 0;
        list.replaceChildren(...ideas.map((idea) => {
          const item = document.createElement("li");
          item.className = idea.own ? "idea own" : "idea";
          item.dataset.idea = String(idea.id);
          item.setAttribute("aria-label", (idea.own ? this.words.own : this.words.other) || "");
          const avatar = document.createElement("span");
          avatar.className = "avatar";
          avatar.setAttribute("aria-hidden", "true");
          avatar.textContent = idea.own ? "person" : "lightbulb";
          const body = document.createElement("p");
          const name = document.createElement("strong");
          name.textContent = this.author(idea);
          body.append(name);
          if (idea.edited) {
            const edited = document.createElement("em");
            edited.textContent = this.words.edited || "";
            body.append(" · ", edited);
          }
          body.append(document.createElement("br"), idea.text);  // text, never HTML
          item.append(avatar, body);
          return item;
        }));
      },
      announce(ideas) {
        // A screen reader hears new ideas at most once every few seconds, not each one.
        if (!ideas.length) return;
        this.fresh.push(...ideas);
        if (this.told) return;
        const wait = Math.max(0, this.toldAt + 5000 - Date.now());
        this.told = setTimeout(() => {
          this.told = null;
          this.toldAt = Date.now();
          const fresh = this.fresh;
          this.fresh = [];
          const status = this.root && this.root.querySelector(".announce");
          if (!status || !fresh.length) return;
          const last = fresh[fresh.length - 1];
          this.saidId = fresh.length === 1 ? last.id : null;
          status.textContent = fresh.length === 1
            ? this.fill(this.words.one, { name: this.author(last), text: this.brief(last.text) })
            : this.fill(this.words.many, { count: String(fresh.length) });
        }, wait);
      },
      unsay(gone) {
        // An idea taken off the wall (hidden: it may hold a phone number) is not left in the
        // status line a screen reader reads, nor said later.
        if (!gone.length) return;
        this.fresh = this.fresh.filter((idea) => !gone.includes(idea.id));
        const status = this.root && this.root.querySelector(".announce");
        if (status && gone.includes(this.saidId)) status.textContent = "";
      },
      brief(text) {
        // Read out, an idea is its beginning: a 500-character idea was read whole each time.
        if (text.length <= ANNOUNCED) return text;
        const cut = text.slice(0, ANNOUNCED);
        const space = cut.lastIndexOf(" ");
        return (space > ANNOUNCED / 2 ? cut.slice(0, space) : cut) + "…";
      },
      away(down) {
        // Said after 2 s (EventSource errs for a moment when it reconnects), at once offline.
        // The 2 s run from the first error: EventSource retries every half second while the
        // server cannot be reached, and each error put the word off again, so a phone whose
        // network was cut never said it.
        if (!down) {
          clearTimeout(this.awayTimer);
          this.awayTimer = null;
          if (this.down) { this.down = false; this.render(); }
          return;
        }
        if (this.down || (this.awayTimer && navigator.onLine)) return;
        clearTimeout(this.awayTimer);
        this.awayTimer = setTimeout(() => {
          this.awayTimer = null;
          this.down = true;
          this.render();
        }, navigator.onLine ? 2000 : 0);
      },
      open() {
        const source = listen(this, data.url, (message) => {
          this.away(false);
          this.seen(message);
        });
        source.onerror = () => {
          this.away(true);
          this.tell(this.sent.c, false);
          if (source.readyState === EventSource.CLOSED) {
            clearTimeout(this.timer);
            this.timer = setTimeout(() => { if (this.source === source) this.open(); }, 5000);
          }
        };
      },
    };
    live.open();
    // Back from a locked screen or a dropped network: a connection that looks open may be
    // dead (no data flows while a phone sleeps), so after a while away open it again now;
    // the route tells the current numbers at once and the phone catches up.
    live.hiddenAt = document.hidden ? Date.now() : null;
    const again = () => {
      if (all[data.url] !== live) return;
      clearTimeout(live.timer);
      if (live.source) live.source.close();
      live.open();
    };
    live.onVisible = () => {
      if (document.hidden) { live.hiddenAt = Date.now(); return; }
      const away = live.hiddenAt === null ? 0 : Date.now() - live.hiddenAt;
      live.hiddenAt = null;
      if (away > 10000 || !live.source || live.source.readyState !== EventSource.OPEN) again();
    };
    live.onOffline = () => live.away(true);
    window.addEventListener("offline", live.onOffline);
    live.onOnline = () => {
      if (!live.source || live.source.readyState !== EventSource.OPEN) again();
      else live.away(false);  // the stream held through it: nothing to say (an error would)
    };
    document.addEventListener("visibilitychange", live.onVisible);
    window.addEventListener("online", live.onOnline);
    // A network that throws every byte away closes nothing: without the route's keep-alive
    // for a while, the connection is taken for dead, said so and opened again.
    live.watch = setInterval(() => {
      if (!silent(live)) return;
      live.away(true);
      live.tell(live.sent.c, false);
      live.revive = true;
      again();
    }, 1000);
  }
  live.silent = data.silent || 0;
  // What the fragment drew: ideas news brought in are dropped once the page draws them.
  live.root = parentElement;
  live.words = data.words || {};
  live.awayWords = data.away || "";
  live.length = data.length || 12;
  live.stream = Boolean(data.stream);
  live.drawn = new Map(data.drawn || []);
  live.top = Math.max(0, ...live.drawn.keys());
  live.shown = data.seq;
  if (data.seq > live.known) live.known = data.seq;
  for (const [id, idea] of [...live.pushed]) {
    if (!live.stream || idea.seq <= data.seq || live.drawn.has(id) || id < live.top) {
      live.pushed.delete(id);
    }
  }
  live.render();
  if (live.sent.ok && live.sent.c < data.seq) live.sent = { c: data.seq, ok: true };
  // This mount's own: an older mount's cleanup that runs after this one mounted (the
  // component moved to another fragment, as at a step change) must not take it away, or
  // the connection closed 10 s later and the page stopped following the room, silently.
  const mine = (value) => setStateValue("live", value);
  live.report = mine;
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

# The look of st.chat_message (avatar in a bordered square, bold name, the text below; the
# reader's own ideas on a shaded background) with the theme's colours.
CSS = (
    """
ul.ideas { list-style: none; margin: 0; padding: 0; }
ul.ideas[hidden] { display: none; }
li.idea {
  display: flex; gap: 0.5rem; align-items: flex-start; padding: 1rem; margin: 0 0 1rem 0;
  border-radius: var(--st-base-radius, 0.5rem);
  color: var(--st-text-color, inherit); font-family: var(--st-font, inherit);
  line-height: 1.6;
}
li.idea.own { background: var(--st-secondary-background-color, #f0f2f6); }
li.idea .avatar {
  flex: 0 0 2rem; width: 2rem; height: 2rem; display: flex; align-items: center;
  justify-content: center; box-sizing: border-box;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem);
  font-family: "Material Symbols Rounded"; font-size: 1.25rem; line-height: 1;
  font-feature-settings: "liga"; overflow: hidden;
}
p.empty {
  margin: 0 0 1rem 0; font-size: 0.875rem; font-family: var(--st-font, inherit);
  color: var(--st-text-color, inherit); opacity: 0.6;
}
p.empty[hidden] { display: none; }
/* At the top of the window, under Streamlit's header, whatever the phone shows: where the
   component sits (below a brainstorm's ideas) it was under the idea box or below the fold. */
p.away {
  position: fixed; top: 4rem; left: 50%; transform: translateX(-50%); z-index: 1000;
  max-width: calc(100vw - 2rem); box-sizing: border-box; margin: 0;
  padding: 0.5rem 0.75rem; border-radius: var(--st-base-radius, 0.5rem);
  background: #fff4d6; color: #4d3800; border: 2px solid #b26a00;
  font-family: var(--st-font, inherit); font-size: 0.875rem; font-weight: 600;
}
p.away[hidden] { display: none; }
li.idea p { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
li.idea p strong { white-space: normal; }
"""
    + f".announce {{ {VISUALLY_HIDDEN} }}\n"
)

# Mounted in the phone's body fragment (workshop/ui/pages/participate.py): the push component's
# connection calls it when the step moved, and the body runs at once (one run, not a fragment
# run that then asks for one; README, "Live updates"). While the page's own connection is down
# (the push stream came back first) it asks nothing: the page runs whole once the connection is
# back (workshop/ui/rejoin.py; a server that lost the session knows none of the body's
# fragments). A watchdog: when no run has drawn the new step within 4 s the whole page runs
# (rejoin's request), and within 30 s the page is loaded again (the server lost the page's
# fragment in a restart, or the page's own connection died while the push stream lived on,
# and the phone kept drawing ideas on an old step: a fresh-eyes trial). Its address holds the
# participant's link; the idea box keeps an unsent text (sessionStorage).
STEP_JS = (
    HOLDER_JS
    + """
const app = () => document.querySelector('[data-testid="stApp"]');
const state = () => (app() ? app().getAttribute("data-test-connection-state") : "CONNECTED");
const running = () => (app() ? app().getAttribute("data-test-script-state") : "notRunning");

const shown = (el) => el.getClientRects().length > 0;
// A heading the keyboard goes on at, where a step took its place away: the first of
// ``headings`` on the screen, made focusable (``how``: the focus options).
const focusFirstShown = (headings, how = {}) => {
  const heading = [...headings].find(shown);
  if (!heading) return;
  heading.tabIndex = -1;
  heading.focus(how);
};

// The idea typed and not sent before the brainstorm ended (kept by the idea box): said at
// the top of the next step, with the text, never as HTML; "delete" forgets it.
const unsent = (parent, data) => {
  let text = "";
  // Not on a step with the idea box: the text is still in it there.
  try { text = (!data.box && sessionStorage.getItem(data.draft)) || ""; } catch (e) { /* */ }
  const root = holder(parent, "notes");
  root.replaceChildren();
  if (!text.trim()) return;
  const box = document.createElement("div");
  box.className = "unsent";
  box.dataset.testid = "idea-unsent";
  box.setAttribute("role", "status");  // a screen reader hears it as the step opens
  const said = document.createElement("p");
  said.textContent = data.words.unsent;
  const quote = document.createElement("blockquote");
  quote.textContent = text;
  const drop = document.createElement("button");
  drop.type = "button";
  drop.textContent = data.words.discard;
  drop.addEventListener("click", () => {
    try { sessionStorage.removeItem(data.draft); } catch (e) { /* */ }
    // The keyboard goes on at the step's heading, not at the top of the page.
    const block = (parent.host || parent).closest('[data-testid="stVerticalBlock"]');
    const headings = [
      ...(early.root ? early.root.querySelectorAll("h3") : []),
      ...(block ? block.querySelectorAll("h3") : []),
    ];
    box.remove();
    focusFirstShown(headings);
  });
  box.append(said, quote, drop);
  root.append(box);
};

// The ballot drawn before the page's run: the step component asks the ballot route for this
// phone's first page and draws it with the ballot's own module, in its own place at the top of
// the body, the rest of the old step hidden (never removed: the page's run redraws it). The
// page's ballot takes over when its run draws it (taps in flight included: one ballot state
// a tab), or the run shows something else and this goes when the run is over.
const EARLY_CSS = `
.early { padding-top: 1rem; }
.early > .ballot, .early > .prompt { margin-top: 1rem; }
.early .prompt {
  display: flex; gap: 0.5rem; align-items: flex-start; padding: 0 0 2rem 1rem;
  border-radius: var(--st-base-radius, 0.5rem); font-family: var(--st-font, inherit);
  color: var(--st-text-color, inherit); line-height: 1.6;
}
.early .prompt .avatar {
  flex: 0 0 2rem; height: 2rem; display: flex; align-items: center; justify-content: center;
  border-radius: var(--st-base-radius, 0.5rem); font-family: "Material Symbols Rounded";
  font-size: 1.25rem; border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  box-sizing: border-box;
}
.early .prompt p { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.early h3 {
  font-family: var(--st-heading-font, var(--st-font, inherit)); font-size: 1.75rem;
  font-weight: 600; line-height: 1.2; margin: 0; padding: 0.75rem 0 1rem 0;
  color: var(--st-text-color, inherit);
}`;
const early = (window.__samskabEarly = window.__samskabEarly || { c: 0, root: null });
const hide = (on, host) => {
  if (!document.getElementById("samskab-early-style")) {
    const style = document.createElement("style");
    style.id = "samskab-early-style";
    style.textContent = "[data-samskab-early] > :not([data-samskab-keep]),"
      + " html[data-samskab-early-page] [data-testid='stBottom'] { display: none !important; }";
    document.head.append(style);
  }
  const item = host && host.closest('[data-testid="stElementContainer"]');
  const block = item && item.parentElement;
  for (const el of document.querySelectorAll("[data-samskab-early], [data-samskab-keep]")) {
    el.removeAttribute("data-samskab-early");
    el.removeAttribute("data-samskab-keep");
  }
  document.documentElement.removeAttribute("data-samskab-early-page");
  if (on && block) {
    item.setAttribute("data-samskab-keep", "");
    block.setAttribute("data-samskab-early", "");
    document.documentElement.setAttribute("data-samskab-early-page", "");
  }
};
const focused = () => {  // the early ballot's button the keyboard is on, if any
  const active = early.root && early.root.getRootNode().activeElement;
  return active && early.root.contains(active) ? active.dataset.key || null : null;
};
const release = () => {
  if (!early.root) return;
  const active = early.root.getRootNode().activeElement;
  const tab = (window.__samskabDots = window.__samskabDots || {});
  const onTitle = active && active.tagName === "H3" && early.root.contains(active);
  const block = document.querySelector("[data-samskab-early]");
  tab.early = null;
  early.root.remove();
  early.root = null;
  hide(false);
  // The focus goes on at the page's own heading of the step.
  if (onTitle && block) focusFirstShown(block.querySelectorAll("h3"), { preventScroll: true });
};
const askBallot = async (b, page) => {  // the ballot route's answer, or null (no network, refused)
  try {
    const answer = await fetch(b.url, {
      method: "POST", cache: "no-store", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ p: b.token, l: b.lang, g: page }),
    });
    return answer.ok ? await answer.json() : null;
  } catch (error) {
    return null;  // the page's run draws the step, as without this
  }
};
const lost = () => {  // the focus is nowhere a reader can see (it was in what is now hidden)
  const active = document.activeElement;
  return !active || active === document.body || !shown(active);
};
const drawEarly = async (parent, data, setStateValue, c) => {
  const b = data.ballot;
  if (!b) return 0;
  const body = await askBallot(b, b.page || 0);
  const drawn = () => (window.__samskabStepDrawn || 0) >= c;
  if (!body || !body.ballot || drawn()) return 0;
  const dots = await import(new URL(b.module, window.location.href).href);
  if (drawn()) return 0;
  release();
  unsent(parent, { ...data, box: false });  // as the page's run will show it
  const root = document.createElement("div");
  root.className = "early";
  root.dataset.testid = "ballot-early";
  const style = document.createElement("style");
  style.textContent = dots.css + EARLY_CSS;
  const title = document.createElement("h3");
  title.textContent = body.title;
  title.tabIndex = -1;  // where the focus goes when the step took it away
  const ballot = document.createElement("div");
  ballot.className = "ballot";
  root.append(style, title);
  if (body.prompt) {  // as the page's chat message: the avatar, "Facilitator", the words
    const said = document.createElement("div");
    said.className = "prompt";
    const avatar = document.createElement("span");
    avatar.className = "avatar";
    avatar.setAttribute("aria-hidden", "true");
    avatar.textContent = "campaign";
    const words = document.createElement("p");
    const who = document.createElement("strong");
    who.textContent = body.prompt.who;
    words.append(who, document.createElement("br"), document.createTextNode(body.prompt.text));
    said.append(avatar, words);
    root.append(said);
  }
  root.append(ballot);
  parent.append(root);
  early.root = root;
  early.c = c;
  (window.__samskabDots = window.__samskabDots || {}).early = { release, focused };
  hide(true, parent.host);
  // A reader scrolled down the brainstorm sees the vote from its heading; a keyboard or a
  // screen reader whose place was in the brainstorm (the idea box) goes on at the heading.
  if (title.getBoundingClientRect().top < 0) title.scrollIntoView({ block: "start" });
  if (lost()) title.focus({ preventScroll: true });
  // A page turned here is drawn at once from the route, and asks the body's run for it, as
  // the page's ballot does; a failed tap asks the run too.
  const draw = (answer) => dots.default({
    data: { ...answer.ballot, preview: true },
    parentElement: ballot,
    setStateValue: (name, value) => {
      setStateValue(name, value);
      if (name !== "page") return;
      askBallot(b, value.to).then((turned) => {
        if (turned && turned.ballot && early.root === root) draw(turned);
      });
    },
  });
  draw(body);
  // When to ask for the page's run: as the route said (ballot_routes.py), within 3 s
  return Math.min(body.wait || 0, 800) + Math.random() * Math.min(body.spread || 0, 2200);
};

export default function (component) {
  const { data, setStateValue, parentElement } = component;
  window.__samskabStepDrawn = data.c;  // the change this run of the body drew
  unsent(parentElement, data);
  if (early.root && data.c >= early.c) {
    // This run drew the step: the early ballot goes when the run is over, if the page's own
    // ballot did not take over before (a step without one).
    // (A moment after it: the page's ballot, whose module loads after the run, takes over
    // by itself when it draws, and the early one must not leave a blank frame before.)
    const later = () => setTimeout(release, 500);
    const done = () => running() === "notRunning";
    const watch = new MutationObserver(() => { if (done()) { watch.disconnect(); later(); } });
    if (done()) later();
    else if (app()) watch.observe(app(), { attributes: true });
  }
  let asked = 0;
  const ask = (c) => { asked += 1; setStateValue("moved", { c, asked }); };
  const whole = (c) => {
    clearTimeout(window.__samskabStepCheck);
    // The ballot first (a small request, no run), then the run, within the spread the route
    // said: at 500 phones the runs keep the server busy for seconds, the ballot requests for
    // a fraction of one.
    clearTimeout(window.__samskabStepAsk);
    if (state() === "CONNECTED") {
      drawEarly(parentElement, data, setStateValue, c).then(
        (after) => { window.__samskabStepAsk = setTimeout(() => ask(c), after); },
        () => ask(c),
      );
    }
    const page = () => (window.__samskabRejoinAsk ? window.__samskabRejoinAsk() : ask(c));
    const patience = window.__samskabStepPatience || 30000;
    const drawn = () => (window.__samskabStepDrawn || 0) >= c;
    // A run asked for or under way (a busy room), no network, no connection: wait on.
    const busy = () => running() !== "notRunning" || !navigator.onLine || state() !== "CONNECTED";
    // Not drawn after a few seconds: the whole page runs; after a longer while, it loads again.
    window.__samskabStepCheck = setTimeout(() => {
      if (drawn()) return;
      if (!busy()) page();
      const check = () => {
        if (drawn()) return;
        if (busy()) window.__samskabStepCheck = setTimeout(check, patience);
        else window.location.reload();
      };
      window.__samskabStepCheck = setTimeout(check, patience);
    }, Math.min(4000, patience / 2));
  };
  window.__samskabStep = whole;
  return () => { if (window.__samskabStep === whole) window.__samskabStep = null; };
}
"""
)
STEP_KEY = "samskab_step"


STEP_CSS = """
.unsent {
  font-family: var(--st-font, inherit); color: var(--st-text-color, #111111); line-height: 1.6;
  border-left: 0.25rem solid #8a6100; background: #fff4d6; padding: 0.75rem 1rem;
  border-radius: var(--st-base-radius, 0.5rem); margin-bottom: 1rem;
}
.unsent p { margin: 0 0 0.5rem 0; color: #4d3800; }
.unsent blockquote {
  margin: 0 0 0.75rem 0; padding: 0.5rem 0.75rem; background: #ffffff;
  border-radius: var(--st-base-radius, 0.5rem); overflow-wrap: anywhere; white-space: pre-wrap;
}
.unsent button {
  min-height: 2.75rem; padding: 0.25rem 0.75rem; font: inherit; cursor: pointer;
  border-radius: var(--st-base-radius, 0.5rem); color: #111111; background: #ffffff;
  border: 1px solid rgba(49, 51, 63, 0.4);
}
.unsent button:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
"""


@worded_once
def _step_words() -> dict[str, str]:
    return {"unsent": t("participate.draft_unsent"), "discard": t("participate.draft_discard")}


def follow_steps(change_seq: int, token: str, draft: str, *, idea_box: bool) -> None:
    """Mount the step component (in the phone's body fragment, drawn for ``change_seq``): a
    step change the push connection hears draws the ballot of a dot vote from the ballot
    route (``ballot_routes``, the participant of ``token``), then runs the body. ``draft``:
    where the browser keeps the idea typed and not sent (``idea_composer.draft_key``); on a
    step without the idea box (and above the ballot drawn before the run) the component shows
    that text, if any, at the top of the step."""
    ballot = {
        "url": f"{base_path()}{BALLOT_PATH}",
        "token": token,
        "lang": current_language(),
        "module": dot_ballot.module_url(),
        "page": st.session_state.get(state.BALLOT_PAGE, 0),  # the ballot's page it showed last
    }
    data = {
        "c": change_seq,
        "ballot": ballot,
        "draft": draft,
        "box": idea_box,  # the text typed and not sent is in the idea box, not said above
        "words": _step_words(),
    }
    _step_renderer()(
        key=STEP_KEY,
        data=data,
        on_moved_change=lambda: None,
        on_page_change=lambda: dot_ballot.turn_page(STEP_KEY),
        on_sync_change=lambda: None,
    )


_renderer = component("samskab.push", JS, CSS)
_step_renderer = component("samskab.step", STEP_JS, STEP_CSS)


def push_url(token: str) -> str:
    from urllib.parse import quote

    return f"{base_path()}{PUSH_PATH}?p={quote(token, safe='')}"


def push_failed(key: str = KEY) -> bool:
    """Whether the push connection of the component at ``key`` (this phone's, or a screen's:
    ``workshop/ui/screen_push.py``) is down: then fragments refresh on a timer."""
    value = st.session_state.get(key)
    live = getattr(value, "live", None) if value is not None else None
    if live is None and isinstance(value, dict):
        live = value.get("live")
    return isinstance(live, dict) and live.get("ok") is False


def run_every(refresh: float, key: str = KEY, mode: str = MODE) -> float | None:
    """The ``run_every`` of a fragment that follows the room by the component at ``key``:
    none while push works, the timer otherwise. Remembers in ``mode`` which it drew, so the
    component's ``follow`` reruns the page when that must change."""
    failed = push_failed(key)
    st.session_state[mode] = not failed
    return refresh if failed else None


def connected(key: str = KEY, mode: str = MODE) -> bool:
    """After the component at ``key`` was mounted: whether its push works. When that changed
    since the page's fragments were drawn (with or without their timer, :func:`run_every`),
    the whole page runs again to draw them the other way."""
    pushed = not push_failed(key)
    if st.session_state.get(mode, True) != pushed:
        st.rerun(scope="app")
    return pushed


@worded_once
def _words() -> dict[str, str]:
    """What the component writes, in the reader's language (placeholders filled in there);
    worded once per language per process."""
    return {
        "anonymous": t("idea.anonymous"),
        "behalf": t("idea.on_behalf", name="{name}"),
        "edited": t("idea.edited"),
        "own": t("frontend.chat_own"),
        "other": t("frontend.chat_other"),
        "list": t("push.new_ideas"),
        "none": t("participate.no_ideas_yet"),
        "one": t("push.announce_one", name="{name}", text="{text}"),
        "many": t("push.announce_many", count="{count}"),
        "away": t("push.reconnecting"),
    }


def follow(token: str, change_seq: int, stream: Sequence[Idea] | None = None) -> None:
    """Mount the component (inside the fragment that shows the room) for the change it drew.

    ``stream``: the ideas the fragment drew in the brainstorm stream, below which the
    component draws the ideas pushed since (see the module's docstring); elsewhere (a ballot,
    the wrap-up) every change reruns the fragment. A change of the connection's health reruns
    the whole page, so that the fragments are drawn again with or without their timer; while
    it is down the phone says so.
    """
    words = _words()
    data: dict[str, object] = {
        "url": push_url(token),
        "seq": change_seq,
        "away": words["away"],
        "silent": silent_ms(),
    }
    if stream is not None:
        data |= {
            "stream": True,
            "drawn": [[idea.id, idea.seq] for idea in stream],
            "length": STREAM_LENGTH,
            "words": words,
        }
    _renderer()(key=KEY, data=data, on_live_change=lambda: None)
    connected()  # the component itself says "reconnecting…" while the connection is down
