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
"""

from __future__ import annotations

import json

import streamlit as st

from workshop.ui.i18n import t

# Streamlit 1.67's English (frontend InputInstructions and the app's skip link) → our keys.
HINTS = {
    "Press Enter to apply": "frontend.press_enter",
    "Press Enter to submit form": "frontend.press_enter_form",
    "Press Ctrl+Enter to apply": "frontend.press_ctrl_enter",
    "Press ⌘+Enter to apply": "frontend.press_cmd_enter",
    "Press Ctrl+Enter to submit form": "frontend.press_ctrl_enter_form",
    "Press ⌘+Enter to submit form": "frontend.press_cmd_enter_form",
}

# A download whose file could not be built: Streamlit writes its English under the button
# (``stDownloadButtonError``) for five seconds; the reader gets it in words instead.
DOWNLOAD_ERRORS = ("Failed to generate file for download", "Request timed out", "Download failed")

SCRIPT = """
<style>.st-key-sk_frontend_words { display: none; }</style>
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
    document.querySelectorAll('[data-testid="stDownloadButtonError"]').forEach(box => {
      if (words.download_errors.includes(box.textContent)) box.textContent = words.download_failed;
    });
  };
  if (!window.__samskabWordsObserver) {
    window.__samskabWordsObserver = new MutationObserver(apply);
    window.__samskabWordsObserver.observe(
      document.body, { childList: true, subtree: true, characterData: true }
    );
  }
  apply();
})();
</script>
"""


def words() -> dict[str, object]:
    return {
        "skip": t("frontend.skip_to_content"),
        "hints": {english: t(key) for english, key in HINTS.items()},
        "download_errors": list(DOWNLOAD_ERRORS),
        "download_failed": t("frontend.download_failed"),
    }


def install() -> None:
    """Put the current language's words for Streamlit's own strings on the page."""
    payload = json.dumps(words(), ensure_ascii=False).replace("</", "<\\/")
    with st.container(key="sk_frontend_words"):
        st.html(SCRIPT % payload, unsafe_allow_javascript=True)
