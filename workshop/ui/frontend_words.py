"""Streamlit's own words in the reader's language.

Streamlit's frontend writes a few English strings by itself, in the browser, where no
``t()`` reaches: the skip link ("Skip to main content", for keyboard users) and the hints under
text fields ("Press Enter to apply", "Press Enter to submit form", "Press Ctrl+Enter to
apply"). Every run, the router puts one small script on the page (``st.html`` with
``unsafe_allow_javascript``) that hands the current language's words to a single
``MutationObserver`` on the document: whenever Streamlit draws (or redraws) the skip link or a
hint, the observer replaces the English text with ours; so too the line Streamlit writes under a
download button whose file could not be built. The hint keeps the character counter
beside it (we change the text of the hint's own span only), and a language switch takes effect
at the next run. Hiding the hints with CSS would also hide that counter; the skip link must
stay (it is how a keyboard user skips the menu). ``select_all=False`` on every multiselect and
a placeholder on each keep "Select all" and "Choose options" off the page in the first place
(``tests/ui/test_every_word.py`` checks the code; ``tests/browser/test_every_word_journey.py``
checks what the browser shows).

When the server cannot be reached (stopped, restarting, the phone's network gone) Streamlit draws
its own "Connection error" dialog and a status at the top ("Connecting", "Error", with a
tooltip); the same observer words them in the reader's language. The dialog's English message
differs with the cause ("Is Streamlit still running? ... streamlit run yourscript.py", "Streamlit
server is not responding", "Connection failed with status 502" and a proxy's HTML, ...), none of
it meant for a citizen: every one is replaced by what the reader can do, chosen by the page's
connection state (still trying, or given up: reload), and the code block below it is hidden
(``tests/browser/test_connection_words.py``). So too the main menu's items (⋮: "Print",
"Record screen") and its "Made with Streamlit" line.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable

import streamlit as st

from workshop.i18n import LANGUAGES, translate
from workshop.ui.i18n import current_language

# Streamlit 1.67's English (frontend InputInstructions and the app's skip link) → our keys.
HINTS = {
    "Press Enter to apply": "frontend.press_enter",
    "Press Enter to submit form": "frontend.press_enter_form",
    "Press Ctrl+Enter to apply": "frontend.press_ctrl_enter",
    "Press ⌘+Enter to apply": "frontend.press_cmd_enter",
    "Press Ctrl+Enter to submit form": "frontend.press_ctrl_enter_form",
    "Press ⌘+Enter to submit form": "frontend.press_cmd_enter_form",
}

# A date picker's empty segments, as Streamlit 1.67's DateInput (react-aria) writes them in
# English: "dd.mm.yyyy" → da/nb "dd.mm.åååå".
DATE_PARTS = {"dd": "frontend.date_day", "mm": "frontend.date_month", "yyyy": "frontend.date_year"}

# A download whose file could not be built: Streamlit writes its English under the button
# (``stDownloadButtonError``) for five seconds; the reader gets it in words instead.
DOWNLOAD_ERRORS = ("Failed to generate file for download", "Request timed out", "Download failed")

# What a screen reader hears: the accessible names Streamlit 1.67's frontend writes in English
# (aria-label and title, found in static/js: StreamlitMarkdown, index, ChatInput, Selectbox,
# NumberInput, Multiselect, ProgressBar) and react-aria's overlay "Dismiss" → our keys.
NAMES = {
    "Link to heading": "frontend.link_to_heading",
    "Main menu": "frontend.main_menu",
    "Chat message from user": "frontend.chat_own",
    "Chat message from assistant": "frontend.chat_other",
    "Send message": "frontend.send_message",
    "Stop script": "frontend.stop",
    "Open": "frontend.open",
    "Help": "frontend.help",
    "Increment": "frontend.increment",
    "Decrement": "frontend.decrement",
    "Clear value": "frontend.clear_value",
    "progress": "frontend.progress",
    "Selected values": "frontend.selected_values",
    "Clear all": "frontend.clear_all",
    "Dismiss": "frontend.dismiss",
    "Close": "frontend.close",
    "Running...": "frontend.running",
    "Copy to clipboard": "frontend.copy",
    "Copy version to clipboard": "frontend.copy_version",
    "Copied": "frontend.copied",
}
# The status at the top right while Streamlit is away or busy (StatusWidget: label, tooltip, the
# Stop button; the running icon's name is in NAMES) → our keys. Our words arrive with the first
# run, so the "Connecting" they replace is always a reconnection.
STATUS = {
    "Connecting": "frontend.status_connecting",
    "Error": "frontend.status_error",
    "Connecting to Streamlit server": "frontend.status_connecting_tooltip",
    "Connecting to static app": "frontend.status_connecting_tooltip",
    "Unable to connect to Streamlit server": "frontend.status_error_tooltip",
    "Stop": "frontend.stop_button",
    "Stopping...": "frontend.stopping",
}
# The main menu (⋮, top right, on every page, a phone's too): its items and the version line
# under them ("Made with Streamlit v" and the version are two texts).
MENU = {
    "Print": "frontend.menu_print",
    "Record screen": "frontend.menu_record",
    "Stop recording": "frontend.menu_stop_recording",
    "Cancel recording": "frontend.menu_cancel_recording",
    "Made with Streamlit v": "frontend.menu_made_with",
}
# Streamlit's own dialogs that a visitor can meet: the title it writes → (our title, whether our
# message is chosen by the connection state). "Bad message format": a message the page could not
# read (a Streamlit of another version behind a cache), which only a reload mends.
DIALOGS = {
    "Connection error": "frontend.connection_error",
    "Bad message format": "frontend.bad_message",
}

# Names with a label inside ("Help for Alder", "Remove Bænke under træerne"): a regular
# expression and our words, "$1" standing for the label.
PATTERNS = {
    r"^Help for (.+)$": "frontend.help_for",
    r"^Remove (.+)$": "frontend.remove_value",
}
# react-aria's live region (``[data-live-announcer]``) under a multiselect: the number of
# options when the list opens, and "…, selected" when one is picked.
ANNOUNCEMENTS = {
    r"^(1) options? available\.$": "frontend.options_one",
    r"^(\d+) options? available\.$": "frontend.options_other",
    r"^(.+), selected$": "frontend.chosen",
}

SCRIPT = """
<style>.st-key-sk_frontend_words, [class*="st-key-sk_names_"] { display: none; }
[data-sk-dialog] h2 + div [data-testid="stErrorCodeBlock"], [data-sk-dialog] h2 + div a {
  display: none;
}</style>
<script>
(() => {
  window.__samskabWords = %s;
  const apply = () => {
    const words = window.__samskabWords;
    const skip = document.querySelector('[data-testid="stSkipToContent"]');
    if (skip && skip.textContent !== words.skip) skip.textContent = words.skip;
    document.querySelectorAll('[data-testid="InputInstructions"] span').forEach(span => {
      const own = words.hints[span.textContent];
      if (own !== undefined && own !== span.textContent) span.textContent = own;
    });
    // A date picker's empty segments ("dd", "mm", "yyyy"): the text node itself is changed,
    // so React's next value (a typed digit) still lands in it.
    document.querySelectorAll(
      '[data-testid="stDateInput"] [role="spinbutton"][data-placeholder="true"]'
    ).forEach(segment => {
      const text = [...segment.childNodes].find(node => node.nodeType === Node.TEXT_NODE);
      const own = text && words.date_parts[text.data];
      if (own && own !== text.data) text.data = own;
    });
    document.querySelectorAll('[data-testid="stDownloadButtonError"]').forEach(box => {
      if (words.download_errors.includes(box.textContent)) box.textContent = words.download_failed;
    });
    // Text Streamlit drew: each text node changed in place, so that React's next English (a
    // status that moves from "Connecting" to "Error") lands in the same node and is seen here.
    const retext = (root, table) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const mine = table[node.data];
        if (mine !== undefined && mine !== node.data) node.data = mine;
      }
    };
    document.querySelectorAll(
      '[data-testid="stStatusWidget"], [data-testid="stTooltipContent"]'
    ).forEach(box => retext(box, words.status));
    document.querySelectorAll('[data-testid="stMainMenuPopover"]').forEach(
      box => retext(box, words.menu));
    // Streamlit's dialogs (connection lost): our title, and our message in place of every
    // English one, by the page's connection state: trying again, or given up for good.
    const app = document.querySelector('[data-testid="stApp"]');
    const lost = app !== null
      && app.getAttribute('data-test-connection-state') === 'DISCONNECTED_FOREVER';
    document.querySelectorAll('[data-testid="stDialog"] [role="dialog"]').forEach(dialog => {
      const title = dialog.querySelector('h2[slot="title"]');
      if (!title) return;
      const english = words.dialogs[title.textContent];
      if (english) dialog.setAttribute('data-sk-dialog', english.kind);
      const kind = dialog.getAttribute('data-sk-dialog');
      const mine = kind && Object.values(words.dialogs).find(d => d.kind === kind);
      if (!mine || (!english && title.textContent !== mine.title)) {
        dialog.removeAttribute('data-sk-dialog');  // another dialog in the same place
        return;
      }
      // In place: the first text node says it all, any other (a link's) says nothing.
      const write = (box, text) => {
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        const first = walker.nextNode();
        if (!first) { box.textContent = text; return; }
        if (first.data !== text) first.data = text;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.data !== '') node.data = '';
        }
      };
      write(title, mine.title);
      const body = title.nextElementSibling && title.nextElementSibling.firstElementChild;
      if (body) write(body, kind === 'connection_error' && !lost ? words.retrying : words.reload);
    });
    const own = (value, exact, patterns) => {
      if (exact[value] !== undefined) return exact[value];
      for (const [pattern, mine] of patterns) {
        const found = new RegExp(pattern).exec(value);
        if (found) return mine.split('$1').join(found[1]);
      }
      return null;
    };
    // Streamlit's English names. A multiselect's chosen values carry the idea's own text as
    // their name: those are left alone, but for their "Remove …" button.
    document.querySelectorAll('[aria-label], [title], [aria-roledescription]').forEach(el => {
      const inTag = el.closest('[data-tag]') !== null;
      for (const attr of ['aria-label', 'title', 'aria-roledescription']) {
        const value = el.getAttribute(attr);
        if (value === null) continue;
        const removes = attr === 'aria-label' && el.tagName === 'BUTTON';
        const mine = inTag
          ? (removes ? own(value, {}, words.patterns) : null)
          : own(value, words.names, words.patterns);
        if (mine !== null && mine !== value) el.setAttribute(attr, mine);
      }
    });
    document.querySelectorAll('[data-live-announcer] div:not(:has(*))').forEach(line => {
      const mine = own(line.textContent, {}, words.announcements);
      if (mine !== null && mine !== line.textContent) line.textContent = mine;
    });
    // Names the page asks for (a repeated control named with what it acts on): a hidden
    // element carries {widget key: name}; the name goes on the widget's control.
    document.querySelectorAll('[data-sk-names]').forEach(box => {
      let names;
      try { names = JSON.parse(box.getAttribute('data-sk-names')); } catch (e) { return; }
      for (const [key, name] of Object.entries(names)) {
        document.querySelectorAll('.st-key-' + CSS.escape(key)).forEach(widget => {
          // The widget's first control, and any copy of it Streamlit keeps beside it.
          const controls = [...widget.querySelectorAll(
            'button, input, textarea, [role="radiogroup"], [role="group"]'
          )];
          const first = controls[0];
          controls.filter(control => first && control.tagName === first.tagName
              && control.getAttribute('role') === first.getAttribute('role'))
            .forEach(control => {
              if (control.getAttribute('aria-label') !== name) {
                control.setAttribute('aria-label', name);
              }
            });
        });
      }
    });
  };
  // A language chosen from the language menu: the page runs again in that language and the
  // menu closes, and the keyboard's focus fell to the page's top (a fresh-eyes trial). It
  // goes back to the menu's button once the menu has closed.
  const refocus = () => {
    // Opened from the keyboard, the menu takes the focus to its first language (Streamlit
    // draws its content at the page's end: Tab went through the whole page to reach it).
    const opened = window.__samskabMenuOpened;
    if (opened) {
      const opener = document.querySelector('.st-key-' + CSS.escape(opened) + ' button');
      const first = document.querySelector(
        window.__samskabWords.languages.map(code => '.st-key-' + CSS.escape(opened + '_' + code)
          + ' button:not([disabled])').join(', '));
      if (first && first.offsetParent !== null
          && [opener, document.body].includes(document.activeElement)) {
        window.__samskabMenuOpened = null;
        first.focus();
      }
    }
    const key = window.__samskabRefocus;
    if (!key || document.activeElement !== document.body) return;
    const opener = document.querySelector('.st-key-' + CSS.escape(key) + ' button');
    if (!opener || opener.getAttribute('aria-expanded') === 'true') return;
    window.__samskabRefocus = null;
    opener.focus();
  };
  if (!window.__samskabWordsObserver) {
    // The language menu's key (``language_switcher``: it ends in "_language") that the
    // event's target is in: as its button (``option`` false) or as one of its languages.
    const menuKey = (event, option) => {
      const codes = window.__samskabWords.languages.join('|');
      const ending = option ? '_(?:' + codes + ')$' : '$';
      const pattern = new RegExp('^st-key-(.+_language)' + ending);
      for (let el = event.target; el && el.classList; el = el.parentElement) {
        const found = [...el.classList].map(c => pattern.exec(c)).find(Boolean);
        if (found) return found[1];
      }
      return null;
    };
    document.addEventListener('click', event => {
      const key = menuKey(event, true);
      if (key) window.__samskabRefocus = key;
    }, true);
    document.addEventListener('keydown', event => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      const key = menuKey(event, false);
      if (key) window.__samskabMenuOpened = key;
    }, true);
    window.__samskabWordsObserver = new MutationObserver(() => { apply(); refocus(); });
    window.__samskabWordsObserver.observe(document.body, {
      childList: true, subtree: true, characterData: true,
      attributes: true,
      attributeFilter: [
        'aria-label', 'title', 'aria-roledescription', 'data-test-connection-state',
      ],
    });
  }
  apply();
})();
</script>
"""


def words(language: str) -> dict[str, object]:
    def say(key: str) -> str:
        return translate(language, key)

    return {
        "skip": say("frontend.skip_to_content"),
        "hints": {english: say(key) for english, key in HINTS.items()},
        "download_errors": list(DOWNLOAD_ERRORS),
        "download_failed": say("frontend.download_failed"),
        "date_parts": {english: say(key) for english, key in DATE_PARTS.items()},
        "names": {english: say(key) for english, key in NAMES.items()},
        "patterns": [[pattern, say(key)] for pattern, key in PATTERNS.items()],
        "announcements": [[pattern, say(key)] for pattern, key in ANNOUNCEMENTS.items()],
        "status": {english: say(key) for english, key in STATUS.items()},
        "menu": {english: say(key) for english, key in MENU.items()},
        "dialogs": {
            english: {"kind": key.removeprefix("frontend."), "title": say(key)}
            for english, key in DIALOGS.items()
        },
        "languages": list(LANGUAGES),  # the language menu's options (``language_switcher``)
        "retrying": say("frontend.connection_retrying"),
        "reload": say("frontend.connection_reload"),
    }


def name_controls(key: str, names: dict[str, str]) -> None:
    """Give repeated controls an accessible name that says what each acts on, where the visible
    label stays short (a phone): ``names`` maps a widget's key to its name, which the
    observer above puts on the widget's button, field or group as ``aria-label``. One hidden
    element for the lot (a ballot of many ideas stays cheap to draw)."""
    if not names:
        return
    payload = html.escape(json.dumps(names, ensure_ascii=False), quote=True)
    with st.container(key=f"sk_names_{key}"):
        st.html(f'<div hidden data-sk-names="{payload}"></div>')


CONTAINER = "sk_frontend_words"  # hidden by the script's own style


def install(*more: Callable[[], None]) -> None:
    """Put the current language's words for Streamlit's own strings on the page, in a hidden
    container; ``more`` draws other hidden parts of the page in it (a container of their own
    would add the page's gap between elements: the page moved down 16 px)."""
    with st.container(key=CONTAINER):
        st.html(_script(current_language()), unsafe_allow_javascript=True)
        for draw in more:
            draw()


@functools.lru_cache(maxsize=len(LANGUAGES))
def _script(language: str) -> str:
    """The script with one language's words, worded once per process: every run of every
    page puts it on the page (a tenth of a busy room's script CPU went to wording it anew)."""
    payload = json.dumps(words(language), ensure_ascii=False).replace("</", "<\\/")
    return SCRIPT % payload
