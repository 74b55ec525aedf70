"""User text in and out: normalise what people type, neutralise it when shown.

Stored text is what the person wrote (NFC-normalised, control characters removed); it is made
safe at display time, so that an export shows the words and not escape characters.
"""

from __future__ import annotations

import re
import unicodedata

from workshop.errors import InvalidInput

# Everything in Unicode category C* (controls, format, surrogates, private use, unassigned)
# except newline and tab.
_KEEP = {"\n", "\t"}


def clean_text(raw: str | None) -> str:
    """NFC-normalise, drop control and format characters, trim, collapse blank-line runs."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", str(raw))
    text = "".join(ch for ch in text if ch in _KEEP or not unicodedata.category(ch).startswith("C"))
    text = text.replace("\t", " ")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def require_text(raw: str | None, *, max_chars: int, field: str) -> str:
    """Clean ``raw`` and insist that something is left and that it is not too long."""
    text = clean_text(raw)
    if not text:
        raise InvalidInput("error.text.empty", field=field)
    if len(text) > max_chars:
        raise InvalidInput("error.text.too_long", field=field, max=max_chars, length=len(text))
    return text


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")


def escape_markdown(text: str) -> str:
    """Make user text render literally in ``st.markdown``: no links, images, HTML or LaTeX."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    # Keep line breaks visible without letting them start block syntax.
    return escaped.replace("\n", "  \n")
