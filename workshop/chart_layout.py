"""Shared layout for the Altair charts, so they read on a 390 px phone as well as on a laptop.

Vega does not wrap text: a long category or legend label is cut ("Landstal (Innovationsbar…")
or pushes the plot into a sliver. So the builders wrap labels here, in Python, into lines joined
by a newline, and axes and legends draw each line with ``LINES``. Legends go below the chart in
one column: a side legend halves the bars on a phone, and a row of entries runs off the screen.
No streamlit here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

import altair as alt
from babel import Locale

#: Characters per line of a wrapped category label (≈ 160 px at Vega's 11 px axis font), so the
#: labels leave most of a phone's width to the plot.
AXIS_CHARS = 28
#: Characters per line of a wrapped legend label; the legend starts where the plot starts.
LEGEND_CHARS = 24
#: Pixels a line may take before Vega cuts it: wider than any wrapped line, so nothing is cut.
LABEL_LIMIT = 220
#: The expression that draws a wrapped label as its lines.
LINES = "split(datum.label, '\\n')"
_LINE_PX, _ROW_PADDING_PX = 14, 10


def wrap(text: str, width: int, *, breaks: str | None = None) -> str:
    """``text`` in lines of at most ``width`` characters, joined by newlines.

    ``breaks`` is a separator that always starts a new line (and is dropped), such as " · " in
    "value · subgroup". A word longer than ``width`` gets a line of its own rather than a cut.
    """
    parts = text.split(breaks) if breaks else [text]
    lines = [
        line
        for part in parts
        for line in textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False)
    ]
    return "\n".join(lines) or text


def line_count(labels: Iterable[str]) -> int:
    """The most lines any of the wrapped ``labels`` takes (at least 1)."""
    return max((label.count("\n") + 1 for label in labels), default=1)


def row_step(labels: Iterable[str], *, minimum: int = 28, line_px: int = _LINE_PX) -> alt.Step:
    """A height per category row that fits its wrapped labels, so Vega hides none of them.

    ``line_px``: the height of a label's line, more for a chart also drawn in larger type.
    """
    return alt.Step(max(minimum, line_count(labels) * line_px + _ROW_PADDING_PX))


def category_axis(**options: Any) -> alt.Axis:
    """The axis of wrapped category labels: every line drawn whole, none hidden for overlap.

    ``options`` may widen ``labelLimit`` for a chart also drawn in larger type (a projector).
    """
    return alt.Axis(
        **{"labelExpr": LINES, "labelLimit": LABEL_LIMIT, "labelOverlap": False, **options}
    )


def percent_axis(lang: str, **options: Any) -> alt.Axis:
    """An axis of shares (0–1) labelled as percentages; the reader's sign ("100 %" in da and
    nb, "100%" in en) comes from the chart's number locale (:func:`with_reader_locale`)."""
    del lang  # kept for the callers: the locale is the chart's, set once for all its numbers
    return alt.Axis(format="%", **options)


def number_locale(lang: str) -> dict[str, Any]:
    """d3's number locale in the reader's style, from Babel (as ``formats`` writes numbers):
    decimal sign, thousands separator and percent sign. Vega formats every axis label and
    tooltip number with it (Vega's own is English: "1,234.5", "50%")."""
    from workshop.i18n.formats import locale_name

    locale = Locale.parse(locale_name(lang))
    symbols = locale.number_symbols["latn"]
    pattern = locale.percent_formats[None].pattern
    return {
        "decimal": symbols["decimal"],
        "thousands": symbols["group"],
        "grouping": [3],
        "currency": ["", ""],
        "percent": pattern[pattern.rindex("0") + 1 :],
    }


def with_reader_locale(chart: Any, lang: str) -> Any:
    """``chart`` (an Altair chart or a Vega-Lite spec) whose numbers read in ``lang``."""
    number = number_locale(lang)
    if isinstance(chart, dict):
        return {**chart, "config": {**chart.get("config", {}), "locale": {"number": number}}}
    locale = alt.Locale(number=alt.NumberLocale(**number))
    copy = chart.copy(deep=False)
    if copy.config is alt.Undefined:
        copy.config = alt.Config(locale=locale)
    else:
        config = copy.config.copy(deep=False)
        config.locale = locale
        copy.config = config
    return copy


def bottom_legend(**options: Any) -> alt.Legend:
    """A legend below the plot, one entry per line, its wrapped labels drawn whole."""
    return alt.Legend(
        orient="bottom",
        direction="vertical",
        columns=1,
        labelExpr=LINES,
        labelLimit=LABEL_LIMIT,
        titleLimit=LABEL_LIMIT,
        **options,
    )
