"""User text in and out: normalise what people type, neutralise it when shown.

Stored text is what the person wrote (NFC-normalised, control characters removed); it is made
safe at display time, so that an export shows the words and not escape characters: on a page
by ``escape_markdown``, in a spreadsheet by ``spreadsheet_cell``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from workshop.errors import InvalidInput

# Everything in Unicode category C* (controls, format, surrogates, private use, unassigned) is
# dropped except newline and tab, and except the zero-width (non-)joiners: emoji sequences
# (👨‍👩‍👧) and Persian or Indic words need them. Bidi overrides (U+202A–U+202E, U+2066–U+2069)
# are format characters and go, so that nobody can make an idea read backwards.
_KEEP = {"\n", "\t", "\u200c", "\u200d"}
# Characters that draw nothing: text made only of these (and spaces) counts as empty.
_INVISIBLE = {"\u200c", "\u200d", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
# Every way to end a line becomes "\n": CR LF, CR, NEL, LINE and PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile(r"\r\n|[\r\x85\u2028\u2029\x0b\x0c]")


def clean_text(raw: str | None) -> str:
    """NFC-normalise, drop control and format characters, trim, collapse blank-line runs."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFC", str(raw))
    text = _LINE_BREAKS.sub("\n", text)
    text = "".join(ch for ch in text if ch in _KEEP or not unicodedata.category(ch).startswith("C"))
    text = text.replace("\t", " ")
    text = re.sub(r"[ \u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def is_blank(text: str) -> bool:
    """True when nothing visible is left: only spaces and invisible characters."""
    return all(ch.isspace() or ch in _INVISIBLE for ch in text)


def require_text(raw: str | None, *, max_chars: int, field: str) -> str:
    """Clean ``raw`` and insist that something is left and that it is not too long."""
    text = clean_text(raw)
    if is_blank(text):
        raise InvalidInput("error.text.empty", field=field)
    if len(text) > max_chars:
        raise InvalidInput("error.text.too_long", field=field, max=max_chars, length=len(text))
    return text


# Every ASCII punctuation character with a meaning in CommonMark, GitHub-flavoured markdown or
# Streamlit's extensions (":material/…:" icons, ":red[…]" colours, "$…$" LaTeX). "=" and "-"
# underline setext headings; "|" starts tables; "~" strikes through; "<" and "&" start HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:=\"'^%@/])")


# GitHub-flavoured markdown turns a bare "https://…", "www.…" or "name@host" into a link even
# when every character is escaped (checked in chromium with Streamlit 1.67): a word joiner
# (U+2060, invisible, not read aloud) right before ":", "." or "@" breaks the pattern.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


@functools.lru_cache(maxsize=4096)
def escape_markdown(text: str) -> str:
    """Make user text render literally in ``st.markdown``: no links (not even a bare address),
    images, HTML or LaTeX. Kept for the texts seen last: 300 phones draw the same ideas."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))
    # Leading spaces would start an indented code block; a no-break space keeps the indent.
    escaped = re.sub(r"(?m)^ +", lambda m: "\u00a0" * len(m.group(0)), escaped)
    # Keep line breaks visible without letting them start block syntax.
    return escaped.replace("\n", "  \n")


# A spreadsheet (Excel, LibreOffice, Google Sheets) runs a cell that starts with one of these as
# a formula, also after leading spaces: "=HYPERLINK(…)" links away, "=cmd|' /C calc'!A0" asks to
# start a program (DDE), "+", "-" and "@" start formulas too. The full-width forms count, since
# some spreadsheets fold them to ASCII. A leading tab or carriage return is refused as such.
_FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CONTROL_START = ("\t", "\r")


def spreadsheet_cell(value: Any) -> Any:
    """A value for one cell of a CSV or Excel export that no spreadsheet runs as a formula.

    Text that a spreadsheet would read as a formula gets a leading apostrophe, the spreadsheet
    convention for "this is text": the words stay readable and nothing runs. Numbers (also
    negative ones), dates and empty cells are returned as they are: only text is neutralised.
    Every export writes its cells through this one function (``workshop.spreadsheets``).
    """
    if isinstance(value, str) and (
        value.startswith(_CONTROL_START) or value.lstrip().startswith(_FORMULA_START)
    ):
        return "'" + value
    return value
