"""The phone's dot ballot, drawn in the browser: a tap is a small request, not a page run.

A ``st.components.v2`` component (inline JavaScript, no build step) draws one page of the
ballot the fragment hands it (``BALLOT_PAGE`` ideas in this phone's order, each with its text,
the reader's dots on it in glyphs and in words, − and +), the dots left, and the page buttons.
A tap is sent to ``workshop/ui/dot_routes.py`` (``POST /push/dots``) and the answer, the
participant's dots as the database holds them, is drawn at once. Why: drawn by Streamlit, a
tap was a fragment run of ~55 elements (~18 ms of server CPU), and a step change to the vote
drew those elements for every phone (~25 ms each); now a tap is one write and one read, and
the ballot is one element (README, "Live updates").

**What the reader sees and hears.** The tap shows at once (the dot is drawn while the request
travels; taps are sent one after another, in order) and the answer replaces it with the truth.
A tap that does nothing is said in the idea's own card, where the reader looks, and at once to
a screen reader (``role="alert"``): refused by a rule (no dots left, the idea's cap, no dot to
take back) with the reason, or not saved (no network, the server gone; then the dots shown are
those the server confirmed, so nothing looks saved that was not). A screen reader
hears each saved tap ("Dot placed: <idea>. 2 left."). Every button has the whole idea in its
name ("+ Dot: <idea>"); its visible label is "+ Dot", in the card of its idea. A button that
cannot be used now (+ with no dots left, − with none on the idea) stays in the tab order with
``aria-disabled``, so the keyboard's place is never lost when the last dot is placed. Text is
set as text, never HTML.

**What reruns the fragment** (the component's state values): a page turn (``page``), and
``sync`` when the page must read the database again: the round closed or moved on, the idea
was hidden, an agreement must be acknowledged first (the route's 409), a tap failed on the
server, or, once the network is back, a tap was not answered.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from workshop.db import Store
from workshop.i18n import translate
from workshop.meetings import ideas
from workshop.meetings.stream import BallotPage, StreamWindow
from workshop.model import Idea, Participant
from workshop.ui import state
from workshop.ui.components import HOLDER_JS, VISUALLY_HIDDEN, component
from workshop.ui.dot_routes import DOTS_PATH
from workshop.ui.i18n import current_language
from workshop.ui.session import base_path
from workshop.voting import ballots as voting
from workshop.voting.ballots import Round

KEY = "samskab_dots"

JS = (
    HOLDER_JS
    + """
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const w = data.words;
  const fill = (text, params) =>
    text.replace(/\\{(\\w+)\\}/g, (m, k) => (k in params ? String(params[k]) : m));
  const strong = (el, text) => {  // our own words only: **left** drawn bold, as text
    el.replaceChildren();
    text.split("**").forEach((part, i) => {
      if (!part) return;
      if (i % 2) { const b = document.createElement("strong"); b.textContent = part; el.append(b); }
      else el.append(document.createTextNode(part));
    });
  };
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  // What this ballot knows survives the fragment's reruns (a page turn) while a tap is on
  // its way, and so does what the ballot drawn before the page's run knew (the step
  // component's, from the ballot route: a tap made there is answered here); otherwise the
  // page's reading of the database is the truth. One ballot a tab.
  const tab = (window.__samskabDots = window.__samskabDots || {});
  let s = tab.state;
  // The page's ballot after the early one: the page's run may have read the database before
  // the taps made there; it keeps what their answers said and reads the truth once more.
  const takeOver = !data.preview && s && s.early && s.round === data.round;
  const tappedEarly = takeOver && s.tapped;
  if (takeOver) s.early = false;
  if (!s || s.round !== data.round || (!s.busy && !tappedEarly)) {
    s = tab.state = {
      round: data.round, mine: new Map(data.mine), left: data.left, queue: [], busy: false,
      sync: (s && s.sync) || 0, note: null, turns: (s && s.turns) || 0,
      early: !!data.preview, tapped: false,
    };
  }
  const ideas = data.ideas;  // [id, text]
  const placed = (id) =>
    (s.mine.get(id) || 0) + s.queue.reduce((n, op) => n + (op.id === id ? op.d : 0), 0);
  const left = () => s.left - s.queue.reduce((n, op) => n + op.d, 0);
  const root = holder(parentElement, "dots-holder");
  // The page's own ballot takes over from the one drawn before its run (data.preview): the
  // keyboard stays on the button it was on there, and that one goes once this is drawn.
  const takingOver = !data.preview && tab.early ? tab.early : null;
  const focusedKey = (() => {
    const active = root.getRootNode().activeElement;
    if (active && root.contains(active)) return active.dataset.key;
    return takingOver ? takingOver.focused() : null;
  })();
  const box = make("div", "dots");
  const head = make("p", "left");
  const bar = make("div", "bar");
  bar.setAttribute("aria-hidden", "true");
  const fillBar = make("div", "fill");
  bar.append(fillBar);
  const list = make("ul", "ballot");
  const rows = new Map();
  // Ideas taken off the wall that hold the reader's dots come first: never their text (it was
  // hidden for a reason), only that the dots can be taken back and used again.
  const cards = [
    ...(data.gone || []).map((id) => [id, w.gone, true]),
    ...ideas.map(([id, text]) => [id, text, false]),
  ];
  for (const [id, text, gone] of cards) {
    const li = make("li", gone ? "card gone" : "card");
    li.dataset.idea = String(id);
    const p = make("p", "text", text);
    const line = make("p", "here");
    const glyphs = make("strong", "glyphs");
    glyphs.setAttribute("aria-hidden", "true");
    const words = make("span", "words");
    line.append(glyphs, words);
    const buttons = make("div", "buttons");
    const whole = gone ? w.gone_idea : text.split(/\\s+/).filter(Boolean).join(" ");
    const minus = make("button", "minus", w.minus);
    minus.type = "button";
    minus.dataset.key = "minus-" + id;
    minus.setAttribute("aria-label", fill(w.named, { plus: w.minus, idea: whole }));
    const plus = make("button", "plus", w.plus);
    plus.type = "button";
    plus.dataset.key = "plus-" + id;
    plus.setAttribute("aria-label", fill(w.named, { plus: w.plus, idea: whole }));
    minus.addEventListener("click", () => tap(id, -1, whole));
    plus.addEventListener("click", () => tap(id, 1, whole));
    buttons.append(minus);
    if (!gone) buttons.append(plus);
    // Why the last tap on this idea did nothing, where the reader looks (and said at once).
    const note = make("p", "note");
    note.setAttribute("role", "alert");
    li.append(p, line, buttons, note);
    list.append(li);
    rows.set(id, { glyphs, words, minus, plus: gone ? null : plus, note, text: gone ? p : null });
  }
  const nav = make("div", "pages");
  if (data.pages > 1) {
    const prev = make("button", "page", w.previous);
    prev.type = "button"; prev.dataset.key = "prev";
    const where = make("span", "where", fill(w.page, { page: data.page + 1, pages: data.pages }));
    const next = make("button", "page", w.next);
    next.type = "button"; next.dataset.key = "next";
    const turn = (to) => {
      // Counted, so that asking for the page the component last asked for (the wall shrank
      // in between and the server showed another) still runs the fragment.
      if (to >= 0 && to < data.pages && !s.queue.length) {
        s.turns = (s.turns || 0) + 1;
        setStateValue("page", { to, turn: s.turns });
      }
    };
    if (data.page === 0) prev.setAttribute("aria-disabled", "true");
    if (data.page >= data.pages - 1) next.setAttribute("aria-disabled", "true");
    prev.addEventListener("click", () => turn(data.page - 1));
    next.addEventListener("click", () => turn(data.page + 1));
    nav.append(prev, where, next);
  }
  const status = make("p", "announce");
  status.setAttribute("role", "status");
  box.append(head, bar, list, nav, status);
  root.replaceChildren(box);

  s.draw = draw;
  s.say = say;
  s.warn = warn;
  function draw() {
    const n = left();
    box.dataset.pending = String(s.queue.length);  // taps not yet answered (tests wait on 0)
    strong(head, fill(n > 0 ? w.left : w.none_left_head, { left: n, total: data.total }));
    fillBar.style.width = (100 * Math.max(0, n) / data.total) + "%";
    for (const [id, row] of rows) {
      const note = s.note && s.note.id === id ? s.note : null;
      const said = note ? note.text : "";
      if (row.note.textContent !== said) row.note.textContent = said;
      row.note.className = note ? "note " + note.kind : "note";
      const here = placed(id);
      const dots = "\\u25cf".repeat(here) + "\\u25cb".repeat(Math.max(0, n));
      row.glyphs.textContent = dots ? dots + " " : "";
      row.words.textContent = fill(w.here, { placed: here, left: Math.max(0, n) });
      const full = n <= 0 || (data.cap !== null && here >= data.cap);
      if (row.plus) row.plus.setAttribute("aria-disabled", String(full));
      row.minus.setAttribute("aria-disabled", String(here <= 0));
      // An idea taken down: once its dots are back, the card says so (it went on asking)
      if (row.text) row.text.textContent = here > 0 ? w.gone : w.gone_back;
    }
  }
  function say(text) {  // a polite status line; the same words twice are said twice
    status.textContent = "";
    setTimeout(() => { status.textContent = text; }, 50);
  }
  function warn(id, text, kind) {  // kind: "refused" (a rule) or "failed" (not saved)
    // Emptied first, so that the same words after a second tap are said again.
    s.note = null;
    s.draw();
    if (text) setTimeout(() => { s.note = { id, text, kind }; s.draw(); }, 50);
  }
  function rerun() {
    s.sync += 1;
    setStateValue("sync", s.sync);
  }
  function tap(id, d, whole) {
    if (d > 0 && left() <= 0) {
      return s.warn(id, fill(w.none_left, { dots: data.total }), "refused");
    }
    if (d > 0 && data.cap !== null && placed(id) >= data.cap) {
      return s.warn(id, fill(w.cap, { cap: data.cap }), "refused");
    }
    if (d < 0 && placed(id) <= 0) return s.warn(id, w.none_here, "refused");
    s.note = null;
    s.queue.push({ id, d, whole });
    draw();
    send();
  }
  async function send() {
    if (s.busy) return;
    s.busy = true;
    while (s.queue.length) {
      const op = s.queue[0];
      let answer = null, body = {};
      try {
        answer = await fetch(data.url, {
          method: "POST", cache: "no-store", credentials: "same-origin",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ p: data.token, r: data.round, i: op.id, d: op.d, l: data.lang }),
        });
        body = await answer.json().catch(() => ({}));
      } catch (error) {
        answer = null;
      }
      s.queue.shift();
      if (s.early) s.tapped = true;
      if (answer && answer.ok && Array.isArray(body.mine)) {
        s.mine = new Map(body.mine);
        s.left = body.left;
        if (body.ok) {
          const words = op.d > 0 ? w.placed : w.removed;
          s.say(fill(words, { idea: op.whole, left: Math.max(0, left()) }));
        } else {
          s.queue.length = 0;
          s.warn(op.id, body.message || "", "refused");
        }
      } else {
        s.queue.length = 0;  // what was not saved is not shown as saved
        const status = answer ? answer.status : 0;
        // 409: the page runs again and shows why (the vote closed, the agreement to read).
        // The server's reason when it gave one (a rule, a flood, its database); else none.
        const why = body.message || (status === 409 ? "" : w.failed);
        s.warn(op.id, why, status === 409 ? "refused" : "failed");
        // The page reads the truth again: at once; or, with no answer (the tap may have been
        // saved on the way), once the network is back and in a few seconds anyway (an answer
        // lost while the network looked fine).
        if (status === 0) {
          window.addEventListener("online", rerun, { once: true });
          setTimeout(rerun, 3000);
        }
        else if (status !== 429) rerun();
      }
      s.draw();
    }
    s.busy = false;
  }
  draw();
  // Only now, with this drawn in its place: the page keeps its height and its scroll.
  if (takingOver) takingOver.release();
  if (tappedEarly && !s.busy) rerun();  // (a tap on its way: its answer is the truth)
  // A page turned by its own button: the keyboard goes on at the new page's first idea, and
  // a screen reader hears which page it is ("2 of 3"), not the button it pressed again.
  const turned = parentElement.__samskabDotsPage !== undefined
    && parentElement.__samskabDotsPage !== data.page;
  parentElement.__samskabDotsPage = data.page;
  if (turned && (focusedKey === "next" || focusedKey === "prev")) {
    const first = box.querySelector("li.card button");
    if (first) first.focus();
    say(fill(w.page, { page: data.page + 1, pages: data.pages }));
  } else if (focusedKey) {
    // The same button; or, when it is not on this page (a page turned while the page's run
    // was on its way), the keyboard stays in the ballot, at its first idea.
    const again = box.querySelector(`[data-key="${focusedKey}"]`)
      || box.querySelector("li.card button");
    if (again) again.focus();
  }
}
"""
)

# The look of the Streamlit page around it: bordered cards, the theme's buttons and colours,
# touch targets of at least 44 px (WCAG 2.5.5), a visible focus ring.
CSS = (
    """
.dots {
  font-family: var(--st-font, inherit); color: var(--st-text-color, inherit); line-height: 1.6;
}
.dots p { margin: 0; }
.dots .left { margin-bottom: 0.5rem; }
.dots .bar {
  height: 0.5rem; border-radius: 0.25rem; margin-bottom: 1rem;
  background: var(--st-secondary-background-color, #f0f2f6); overflow: hidden;
}
.dots .bar .fill { height: 100%; background: var(--st-primary-color, #0b6e4f); }
.dots ul.ballot { list-style: none; margin: 0; padding: 0; }
.dots li.card {
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem); padding: 0.75rem 1rem; margin: 0 0 0.75rem 0;
}
.dots li.card .text { overflow-wrap: anywhere; white-space: pre-wrap; }
.dots li.card .here { margin: 0.25rem 0 0.5rem 0; }
.dots .buttons { display: grid; grid-template-columns: 1fr 1fr; gap: 0.5rem; }
.dots .pages { display: flex; gap: 0.5rem; align-items: center; }
.dots .pages .where { flex: 1 1 auto; text-align: center; font-size: 0.875rem; }
.dots button {
  min-height: 2.75rem; min-width: 2.75rem; padding: 0.25rem 0.75rem; font: inherit;
  border-radius: var(--st-base-radius, 0.5rem); cursor: pointer;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  background: var(--st-background-color, #ffffff); color: var(--st-text-color, #111111);
  overflow-wrap: anywhere;
}
.dots button.plus {
  background: var(--st-primary-color, #0b6e4f); border-color: var(--st-primary-color, #0b6e4f);
  color: #ffffff;
}
.dots button[aria-disabled="true"] {
  cursor: not-allowed; background: var(--st-secondary-background-color, #f0f2f6);
  border-color: var(--st-border-color, rgba(49, 51, 63, 0.2)); color: #5c5c5c;
}
.dots button:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
.dots .note:not(:empty) {
  margin-top: 0.5rem; padding: 0.5rem 0.75rem; border-radius: var(--st-base-radius, 0.5rem);
  background: #fff4d6; color: #4d3800;
}
.dots .note.failed:not(:empty) { background: #fdecea; color: #7d1a12; }
"""
    + f".dots .announce {{ {VISUALLY_HIDDEN} }}\n"
)

# The module also exports its style sheet, for the step component that draws a ballot in its
# own shadow root before the page's run (``push.follow_steps``).
_renderer = component("samskab.dots", JS + f"\nexport const css = {json.dumps(CSS)};\n", CSS)


@functools.cache
def words_in(language: str) -> dict[str, str]:
    """What the component writes, in ``language`` (placeholders filled in there); worded once
    per language per process, for the page's runs and the ballot route alike."""

    def t(key: str, **params: str) -> str:
        return translate(language, key, **params)

    return {
        "left": t("participate.dots_left", left="{left}", total="{total}"),
        "plus": t("participate.dot_button"),
        "minus": t("a11y.dot_remove_button"),
        "named": t("a11y.dot_button_named", plus="{plus}", idea="{idea}"),
        "here": t("a11y.dots_here", placed="{placed}", left="{left}"),
        "previous": t("participate.previous_page"),
        "next": t("participate.next_page"),
        "page": t("participate.page", page="{page}", pages="{pages}"),
        "placed": t("dot_ballot.placed", idea="{idea}", left="{left}"),
        "removed": t("dot_ballot.removed", idea="{idea}", left="{left}"),
        "none_left": t("error.vote.no_dots_left", dots="{dots}"),
        "none_left_head": t("dot_ballot.none_left", total="{total}"),
        "none_here": t("error.vote.no_dot_here"),
        "cap": t("error.vote.idea_cap", cap="{cap}"),
        "failed": t("dot_ballot.failed"),
        "gone": t("dot_ballot.gone"),
        "gone_idea": t("dot_ballot.gone_idea"),
        "gone_back": t("dot_ballot.gone_back"),
    }


@dataclass(frozen=True)
class PhoneBallot:
    """What one phone's ballot shows: a page of ideas in its order, the participant's dots on
    every idea of the round, and the ideas taken off the wall that hold some of them."""

    shown: BallotPage
    mine: dict[int, int]
    gone: list[int]


def phone_ballot(
    db: Store,
    meeting_id: int,
    participant_id: int,
    vote_round: Round,
    change_seq: int,
    order: Sequence[Idea],
    page: int,
) -> PhoneBallot | None:
    """The ballot of ``order`` (the wall in the phone's order, read at ``change_seq``) at
    ``page``; None when there is nothing to vote on and no dot to take back. The one reading
    of a ballot, for the page's fragment and the ballot route (``ballot_routes``) alike."""
    mine = voting.my_dots(db, vote_round.id, participant_id)
    # Dots on ideas taken off the wall (hidden): offered back, not lost to the voter.
    on_wall = ideas.wall_ids(db, meeting_id, change_seq)  # the ids ``order`` was made from
    gone = sorted(idea for idea, dots in mine.items() if dots and idea not in on_wall)
    if not order and not gone:
        return None
    window = StreamWindow(participant_id, seed=meeting_id)
    return PhoneBallot(window.page(order, page), mine, gone)


def ballot_data(
    participant: Participant,
    vote_round: Round,
    ballot: PhoneBallot,
    language: str,
    base: str,
) -> dict[str, Any]:
    """What the component is given to draw ``ballot`` (``base``: the app's base path)."""
    mine = ballot.mine
    return {
        "url": f"{base}{DOTS_PATH}",
        "token": participant.token,
        "round": vote_round.id,
        "lang": language,
        "total": vote_round.dots_per_participant,
        "cap": vote_round.max_dots_per_idea,
        "left": vote_round.dots_per_participant - sum(mine.values()),
        "mine": sorted([idea, dots] for idea, dots in mine.items()),
        "ideas": [[i.id, i.text] for i in ballot.shown.ideas],
        "gone": list(ballot.gone),
        "page": ballot.shown.page,
        "pages": ballot.shown.pages,
        "words": words_in(language),
    }


def turn_page(key: str = KEY) -> None:
    """The page a ballot's ``page`` state asks for (the component's at ``key``), kept for the
    fragment's run that follows."""
    value = st.session_state.get(key)
    asked = getattr(value, "page", None)
    page = asked.get("to") if isinstance(asked, dict) else None
    if isinstance(page, int):
        st.session_state[state.BALLOT_PAGE] = page


def dot_ballot(participant: Participant, vote_round: Round, ballot: PhoneBallot) -> None:
    """Mount the ballot (inside the fragment that draws it) for one page of ideas."""
    data = ballot_data(participant, vote_round, ballot, current_language(), base_path())
    _renderer()(key=KEY, data=data, on_page_change=turn_page, on_sync_change=lambda: None)


def module_url() -> str:
    """Where the browser loads the ballot's module (the step component draws the ballot the
    ballot route answers with it before the page's run: ``push.follow_steps``)."""
    return _renderer.address()
