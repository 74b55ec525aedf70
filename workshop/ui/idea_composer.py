"""The phone's idea box in the brainstorm, drawn in the browser: an idea is a small request,
not a page run.

A ``st.components.v2`` component (inline JavaScript, no build step) in Streamlit's bottom
container, where ``st.chat_input`` stood: a text box that grows with the text, a send button,
and a line below that says what became of the last idea. Sending posts the text to
``workshop/ui/idea_routes.py`` (``POST /push/ideas``); the idea then reaches this phone's
stream, as every other phone's, by the push connection (``workshop/ui/push.py``). Why: through
``st.chat_input`` each idea ran its author's whole page (~7 ms of server CPU, queued behind the
room's other runs), and 1,000 phones posting every 10 s waited 9.4 s at p95 (README, "Live
updates").

**What the author sees and hears.** Enter sends, Shift+Enter starts a new line (as in
``st.chat_input``). While the idea travels the box is read-only and the button says it is
busy (``aria-disabled``: it keeps its place in the tab order); a second Enter does not send it
twice. Posted: the box is emptied and the line says so (``role="status"``). Not posted, for
any reason (a rule such as too many a minute, ideas closed, no network, the server's database
down): **the text stays in the box** and the line says why at once (``role="alert"``); nothing
is sent again by itself. Over the length limit the counter says how many characters too many,
and the idea is not sent. Text is set as text, never HTML.

**What runs the page** (the component's state values, at the page's level): ``sync`` when the
page must read the database again (the route's 409: ideas closed, the step moved on, an
agreement to acknowledge), and ``held`` when the idea was held for the facilitator (it is not
on the wall, so the author's stream draws it, with why it waits, from the database).
"""

from __future__ import annotations

import streamlit as st

from workshop.model import Participant, Step
from workshop.ui.components import HOLDER_JS, VISUALLY_HIDDEN, component, worded_once
from workshop.ui.i18n import current_language, t
from workshop.ui.idea_routes import IDEAS_PATH
from workshop.ui.session import base_path

KEY = "samskab_idea"

JS = (
    HOLDER_JS
    + """
export default function (component) {
  const { data, setStateValue, parentElement } = component;
  const w = data.words;
  const fill = (text, params) =>
    text.replace(/\\{(\\w+)\\}/g, (m, k) => (k in params ? String(params[k]) : m));
  const make = (tag, cls) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    return el;
  };
  // Built once and kept across the page's runs: what the author typed survives them.
  let s = parentElement.__samskabIdea;
  if (!s) {
    s = parentElement.__samskabIdea = { busy: false, runs: 0 };
    const form = (s.form = make("form", "composer"));
    form.noValidate = true;
    const label = (s.label = make("label", "hidden"));
    label.htmlFor = "samskab-idea-text";
    const box = make("div", "box");
    const text = (s.text = make("textarea", "idea-text"));
    text.id = "samskab-idea-text";
    text.rows = 1;
    text.setAttribute("aria-describedby", "samskab-idea-count samskab-idea-said");
    const send = (s.send = make("button", "send"));
    send.type = "submit";
    send.innerHTML =  // our own markup: an arrow, hidden from screen readers (the name says it)
      '<svg aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="20" height="20">'
      + '<path fill="currentColor" d="M3 20.5v-17L22 12 3 20.5Zm2-3 11.9-5.5L5 6.5v4l6 1.5-6 '
      + '1.5v4Z"/></svg>';
    box.append(text, send);
    const count = (s.count = make("p", "count"));
    count.id = "samskab-idea-count";
    const said = (s.said = make("p", "said"));
    said.id = "samskab-idea-said";
    form.append(label, box, count, said);
    holder(parentElement, "idea-holder").replaceChildren(form);
    const grow = () => {
      text.style.height = "auto";
      text.style.height = Math.min(text.scrollHeight, 160) + "px";
    };
    s.grow = grow;
    text.addEventListener("input", () => {
      grow();
      s.keep();
      // What the line said was about the last text: it goes once the reader writes again.
      if (form.dataset.state && form.dataset.state !== "closed") s.tell("", "");
      s.check();
    });
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        s.submit();
      }
    });
    form.addEventListener("submit", (event) => { event.preventDefault(); s.submit(); });
    // The reader took the focus elsewhere (a link, a button): not to be pulled back.
    form.addEventListener("focusout", (event) => {
      if (event.relatedTarget && !form.contains(event.relatedTarget)) s.movedOn = true;
    });
  }
  s.data = data;
  const { form, text, send, count, said, label } = s;
  // An unsent text outlives the page: a step change, a reload (sessionStorage: this tab only).
  const draft = data.draft;
  s.keep = () => {
    try {
      if (text.value) sessionStorage.setItem(draft, text.value);
      else sessionStorage.removeItem(draft);
    } catch (error) { /* storage refused (a private window): the text stays in the box */ }
  };
  if (!text.value) {
    try { text.value = sessionStorage.getItem(draft) || ""; } catch (error) { /* none */ }
  }
  label.textContent = w.label;
  text.placeholder = data.open ? w.placeholder : w.closed;
  text.disabled = !data.open;  // the text stays in a closed box, to be copied
  send.setAttribute("aria-label", w.send);
  s.tell = (words, kind) => {  // "sent", "closed" (a status); "refused", "failed" (an alert)
    said.textContent = "";
    said.className = "said " + (kind || "");
    said.setAttribute("role", kind === "refused" || kind === "failed" ? "alert" : "status");
    form.dataset.state = kind || "";
    // Emptied first, so that the same words after a second try are said again.
    if (words) setTimeout(() => { said.textContent = words; }, 50);
  };
  s.check = () => {
    const length = [...text.value].length;
    const over = length - s.data.max;
    count.textContent = over > 0 ? fill(w.over, { count: over })
      : length >= 0.8 * s.data.max ? fill(w.left, { count: -over }) : "";
    count.className = over > 0 ? "count over" : "count";
    const idle = !s.busy && s.data.open && text.value.trim() !== "" && over <= 0;
    send.setAttribute("aria-disabled", String(!idle));
    form.dataset.pending = s.busy ? "1" : "0";
    return idle;
  };
  s.submit = async () => {
    if (s.busy || !s.data.open || text.value.trim() === "") return;
    if (!s.check()) {
      s.tell(w.too_long, "refused");
      return;
    }
    const d = s.data;
    // Given back after the answer to a reader who sent from the box and lost the focus to a
    // redraw, not to one who moved on meanwhile: a late answer pulled the focus in from a
    // link, and the next words typed there became an idea (a fresh-eyes trial).
    const inBox = form.contains(form.getRootNode().activeElement);  // in its shadow root
    s.movedOn = false;
    s.busy = true;
    form.dataset.state = "sending";
    text.readOnly = true;
    s.check();
    let answer = null, body = {};
    try {
      answer = await fetch(d.url, {
        method: "POST", cache: "no-store", credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ p: d.token, s: d.step, t: text.value, l: d.lang }),
      });
      body = await answer.json().catch(() => ({}));
    } catch (error) {
      answer = null;
    }
    s.busy = false;
    text.readOnly = false;
    if (answer && answer.status === 200 && body.ok) {
      text.value = "";
      s.keep();
      s.grow();
      s.tell(body.message || w.sent, "sent");
      if (body.held) { s.runs += 1; setStateValue("held", s.runs); }
    } else {
      // Not posted: the text stays where it was typed, and the reason is said.
      const status = answer ? answer.status : 0;
      s.tell(body.message || (status === 0 ? w.offline : w.failed),
             status === 0 || status >= 500 ? "failed" : "refused");
      if (status === 409) { s.runs += 1; setStateValue("sync", s.runs); }
    }
    s.check();
    if (inBox && !s.movedOn && document.activeElement === document.body) text.focus();
  };
  // Ideas closed with a text in the box, where the placeholder cannot say so: the line does.
  if (!data.open && form.dataset.state !== "closed") s.tell(w.closed, "closed");
  else if (data.open && form.dataset.state === "closed") s.tell("", "");
  s.grow();
  s.check();
}
"""
)

# The look of st.chat_input (a rounded box, the send button inside it on the right) with the
# theme's colours; touch targets of at least 44 px (WCAG 2.5.5), a visible focus ring.
CSS = (
    """
.composer {
  font-family: var(--st-font, inherit); color: var(--st-text-color, inherit);
  padding: 0 0 0.25rem 0; margin: 0;
}
.composer .box {
  display: flex; align-items: flex-end; gap: 0.25rem; padding: 0.25rem 0.25rem 0.25rem 1rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem);
  background: var(--st-secondary-background-color, #f0f2f6);
}
.composer .box:focus-within { outline: 3px solid #1a56db; outline-offset: 1px; }
.composer textarea {
  flex: 1 1 auto; min-height: 2.75rem; max-height: 10rem; resize: none; border: 0;
  box-sizing: border-box;
  padding: 0.6rem 0; background: transparent; color: inherit; font: inherit; line-height: 1.5;
  outline: none;
}
.composer textarea::placeholder { color: #5c5c5c; opacity: 1; }
.composer textarea:disabled { cursor: not-allowed; }
.composer button.send {
  flex: 0 0 auto; min-width: 2.75rem; min-height: 2.75rem; border: 0; cursor: pointer;
  border-radius: var(--st-base-radius, 0.5rem); background: transparent;
  color: var(--st-primary-color, #0b6e4f); display: flex; align-items: center;
  justify-content: center;
}
.composer button.send[aria-disabled="true"] { color: #5c5c5c; cursor: not-allowed; }
.composer button.send:focus-visible { outline: 3px solid #1a56db; outline-offset: 2px; }
.composer .count, .composer .said { margin: 0.25rem 0 0 0; font-size: 0.875rem; }
.composer .count:empty, .composer .said:empty { display: none; }
.composer .count.over { color: #7d1a12; }
.composer .said.refused { color: #4d3800; background: #fff4d6; padding: 0.25rem 0.5rem; }
.composer .said.failed { color: #7d1a12; background: #fdecea; padding: 0.25rem 0.5rem; }
"""
    + f".composer .hidden {{ {VISUALLY_HIDDEN} }}\n"
)

_renderer = component("samskab.idea", JS, CSS)


@worded_once
def _words() -> dict[str, str]:
    """What the component writes, in the reader's language (placeholders filled in there);
    worded once per language per process."""
    return {
        "label": t("idea_composer.label"),
        "placeholder": t("participate.idea_placeholder"),
        "closed": t("participate.intake_closed"),
        "send": t("idea_composer.send"),
        "sent": t("participate.idea_sent"),
        "left": t("idea_composer.left", count="{count}"),
        "over": t("idea_composer.over", count="{count}"),
        "too_long": t("idea_composer.too_long"),
        "offline": t("idea_composer.offline"),
        "failed": t("idea_composer.failed"),
    }


def draft_key(participant: Participant) -> str:
    """Where the browser keeps this participant's unsent idea (``sessionStorage``: this tab
    only): the idea box keeps it there across runs, reloads and step changes, and the step
    component (``push.follow_steps``) shows it when the brainstorm ended before it was sent."""
    return f"samskab.idea.{participant.token[:12]}"


def idea_composer(participant: Participant, brainstorm: Step, *, max_chars: int) -> None:
    """Mount the idea box (at the page's level, in Streamlit's bottom container) for the
    brainstorm step the page shows."""
    data = {
        "url": f"{base_path()}{IDEAS_PATH}",
        "token": participant.token,
        "draft": draft_key(participant),
        "step": brainstorm.id,
        "lang": current_language(),
        "open": brainstorm.intake_open,
        "max": max_chars,
        "words": _words(),
    }
    with st.bottom:
        _renderer()(key=KEY, data=data, on_sync_change=lambda: None, on_held_change=lambda: None)
