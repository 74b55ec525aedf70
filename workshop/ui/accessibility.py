"""What every page needs for WCAG 2.1 AA beyond Streamlit's defaults (issue 18, point 1):
captions and the current page's link dark enough to read (4.5:1), and a chart's data as a
table a screen reader reads (visually hidden) next to the chart."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from workshop.i18n import formats
from workshop.text import escape_markdown
from workshop.ui.i18n import current_language, t


@dataclass(frozen=True)
class Measurement:
    """What tests/browser/test_accessibility.py measured last; the statement page shows it and
    the test fails when the figures it measures differ from these."""

    day: date
    axe_version: str
    pages: int
    critical: int
    serious: int
    pages_failing_before: int
    # Before the fixes, each rule counted once per page state: the critical rule (the console's
    # QR code without alt text) and the serious one (captions at 3.88:1).
    critical_states_before: int
    serious_states_before: int


# What issue 18 counted before any of this: axe-core on six page states.
ISSUE_COUNT = {"issue_states": 6, "issue_critical": 3, "issue_serious": 10}

MEASURED = Measurement(date(2026, 12, 5), "4.14.1", 50, 0, 0, 29, 6, 29)

# Streamlit draws captions in the text colour at 60 % opacity (#828180, 3.88:1 on white) and a
# disabled page link (the page one is on) at #acabaa (2.29:1); #595857, opaque, is 7:1.
CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #595857 !important; opacity: 1 !important; }
a[data-testid="stPageLink-NavLink"][disabled] *, a[data-testid="stPageLink-NavLink"] [disabled] {
  color: #595857 !important; opacity: 1 !important; font-weight: 600; }
/* A multiselect's list (the ranking on a phone): a long idea wraps and is read whole.
   Streamlit's list is virtual, each option 40 px high at a fixed place; here the list is as
   high as all options at 40 px (the list draws only what fits in its own height, so it draws
   every option), the options flow, each as high as its text, and the drop-down around them
   scrolls. */
[data-testid="stMultiSelectDropdown"] { overflow-y: auto !important; }
[data-testid="stMultiSelectDropdown"] [role="listbox"] {
  max-height: none !important; height: auto !important; overflow: visible !important; }
[data-testid="stMultiSelectDropdown"] [role="listbox"] > [role="presentation"] > * {
  position: relative !important; top: auto !important; height: auto !important;
  contain: none !important; }
[data-testid="stMultiSelectDropdown"] [role="option"] {
  height: auto !important; min-height: 2.5rem; padding-top: 0.5rem; padding-bottom: 0.5rem; }
[data-testid="stMultiSelectDropdown"] [role="option"] [data-item-hl] {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: anywhere; }
/* Keyboard focus that shows (2.4.7): a heading's link, drawn only under the pointer, showed
   nothing when Tab reached it, and a page link ("My ideas") only a faint tint. */
[data-testid="stHeaderActionElements"] a:focus-visible { opacity: 1 !important; transition: none;
  outline: 3px solid #0b6e4f !important; outline-offset: 2px; border-radius: 2px; }
a[data-testid="stPageLink-NavLink"]:focus-visible {
  outline: 3px solid #0b6e4f !important; outline-offset: 2px; }
/* A text field showed its focus as a 1 px border turning green; every other control a ring. */
[data-testid="stTextInputRootElement"]:focus-within,
[data-testid="stTextAreaRootElement"]:focus-within,
[data-testid="stNumberInputContainer"]:focus-within {
  outline: 3px solid #0b6e4f !important; outline-offset: 1px; }
/* Streamlit keeps the bottom container (the brainstorm's idea box) after the box is gone, an
   empty band of 72 px over the ballot (a phone's 844 px, a 200 % zoom's 540). */
[data-testid="stBottom"]:not(:has(
  [data-testid="stElementContainer"] > :not([data-testid="stEmpty"]))) { display: none; }
.sk-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
</style>"""


def page_style() -> None:
    """The colours above, once per run (the router calls it for every page)."""
    st.html(CSS)


def _titles(spec: Any, found: dict[str, str]) -> dict[str, str]:
    """field name -> axis, legend or tooltip title, from a chart's Vega-Lite spec."""
    if isinstance(spec, dict):
        field, title = spec.get("field"), spec.get("title")
        if isinstance(field, str) and isinstance(title, str) and field not in found:
            found[field] = title
        for value in spec.values():
            _titles(value, found)
    elif isinstance(spec, list):
        for value in spec:
            _titles(value, found)
    return found


def _frame(chart: Any, datasets: dict[str, Any] | None = None) -> pd.DataFrame | None:
    """The chart's data: its own, or its first layer's (or facet's) that has some (an Altair
    chart, or a Vega-Lite spec as a dict: inline values or a named dataset)."""
    if isinstance(chart, dict):
        datasets = {**(datasets or {}), **(chart.get("datasets") or {})}
        data = chart.get("data") or {}
        values = data.get("values", datasets.get(data.get("name", "")))
        if isinstance(values, list):
            return pd.DataFrame(values)
        layers = [*(chart.get("layer") or []), chart.get("spec")]
        frames = (_frame(part, datasets) for part in layers if part)
        return next((frame for frame in frames if frame is not None), None)
    data = getattr(chart, "data", None)
    if isinstance(data, pd.DataFrame):
        return data
    for part in [*(getattr(chart, "layer", None) or []), getattr(chart, "spec", None)]:
        found = _frame(part) if part is not None else None
        if found is not None:
            return found
    return None


def _shares(spec: Any, found: set[str]) -> set[str]:
    """The fields a chart's spec formats as percentages (an axis or tooltip format with %)."""
    if isinstance(spec, dict):
        field = spec.get("field")
        formats_ = [spec.get("format"), (spec.get("axis") or {}).get("format")]
        if isinstance(field, str) and any(isinstance(f, str) and "%" in f for f in formats_):
            found.add(field)
        for value in spec.values():
            _shares(value, found)
    elif isinstance(spec, list):
        for value in spec:
            _shares(value, found)
    return found


def chart_table(chart: Any, lang: str = "en") -> pd.DataFrame | None:
    """The data a chart shows, its columns named as the chart names them (axis, legend,
    tooltip titles), shares as percentages in ``lang``'s style (as the chart's axis shows them,
    "21 %", not 0.21); None when the chart has no data frame."""
    frame = _frame(chart)
    if frame is None:
        return None
    spec = chart if isinstance(chart, dict) else chart.to_dict(validate=False)
    titles = _titles(spec, {})
    shares = _shares(spec, set())
    columns: dict[str, str] = {}
    for column in frame.columns:
        title = titles.get(str(column))
        if title is not None and title not in columns.values():
            columns[str(column)] = title
    if not columns:
        return frame
    table = frame[list(columns)].copy()
    for column in set(columns) & shares:
        table[column] = [
            formats.percent(float(v), lang, decimals=0) if pd.notna(v) else "–"
            for v in table[column]
        ]
    return table.rename(columns=columns)


def chart_text(chart: Any) -> None:
    """The chart's data as a table for screen readers, right after the chart (hidden from
    sight: the chart shows the same)."""
    frame = chart_table(chart, current_language())
    if frame is None or frame.empty:
        return
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    caption = html.escape(t("a11y.chart_table"))
    st.html(
        f'<table class="sk-sr-only" data-testid="chart-text"><caption>{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def short(text: str, limit: int = 24) -> str:
    """An idea's first words for a button's name ("+ Prik: Bænke under træerne"), cut at a
    word with "…" past ``limit`` characters, escaped for the label's markdown."""
    words = " ".join(text.split())
    if len(words) > limit:
        cut = words[:limit].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
        words = cut.rstrip(" ,.;:-") + "…"
    return escape_markdown(words)
