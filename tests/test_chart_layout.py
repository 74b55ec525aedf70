"""The summary's charts read on a 390 px phone: labels wrapped into short lines, legends below
the plot in one column, no label cut short or hidden (the journey looks at the drawn result)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.outcome_world import build_outcome_world
from workshop import chart_layout
from workshop.chart_layout import AXIS_CHARS, LABEL_LIMIT, LEGEND_CHARS, LINES, wrap
from workshop.i18n import LANGUAGES, formats
from workshop.reports import summary as reports


def fits(label: str, width: int) -> bool:
    """Every line within ``width`` characters, unless it is one word that cannot break."""
    return all(len(line) <= width or " " not in line for line in label.split("\n"))


def walk(spec: Any) -> Iterator[dict[str, Any]]:
    """Every view of a (layered) Vega-Lite spec."""
    if isinstance(spec, dict):
        if "encoding" in spec:
            yield spec
        for layer in spec.get("layer", []):
            yield from walk(layer)


def values(spec: dict[str, Any], view: dict[str, Any], field: str) -> set[str]:
    rows = spec["datasets"][view.get("data", spec.get("data"))["name"]]
    return {row[field] for row in rows}


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F), max_size=120))
def test_wrapping_keeps_every_word_and_the_width(text: str) -> None:
    wrapped = wrap(text, AXIS_CHARS)
    assert wrapped.split() == text.split() or wrapped == text
    assert fits(wrapped, AXIS_CHARS)


def test_wrapping_breaks_at_the_separator_and_keeps_long_words_whole() -> None:
    assert wrap("Bedre borgerinddragelse · igangsat af ny lovgivning", 28, breaks=" · ") == (
        "Bedre borgerinddragelse\nigangsat af ny lovgivning"
    )
    assert wrap("Landstall (det danske Innovationsbarometeret)", LEGEND_CHARS) == (
        "Landstall (det danske\nInnovationsbarometeret)"
    )
    assert (
        wrap("Medarbejdertilfredshedsundersøgelsen", 10) == "Medarbejdertilfredshedsundersøgelsen"
    )


def test_rows_are_tall_enough_for_their_lines() -> None:
    assert chart_layout.row_step(["a"]).to_dict() == {"step": 28}
    assert chart_layout.row_step(["a\nb\nc"]).to_dict() == {"step": 52}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_summary_chart_fits_a_phone(store, facilitator, lang: str) -> None:
    built = build_outcome_world(store, facilitator)
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    charts = reports.summary_charts(summary, lang)
    assert set(charts) == {"top_ideas", "values", "national"}
    legends = 0
    for name, spec in charts.items():
        for view in walk(spec):
            encoding = view["encoding"]
            y = encoding["y"]
            if y["type"] == "nominal":
                # Category labels: drawn as their wrapped lines, whole, none hidden.
                assert y["axis"]["labelExpr"] == LINES, name
                assert y["axis"]["labelLimit"] == LABEL_LIMIT, name
                assert y["axis"]["labelOverlap"] is False, name
                assert all(fits(v, AXIS_CHARS) for v in values(spec, view, y["field"])), name
            for channel in ("color", "shape"):
                legend = encoding.get(channel, {}).get("legend")
                if legend is None:
                    continue
                legends += 1
                # Below the plot, one entry a line, wrapped labels drawn whole.
                assert legend["orient"] == "bottom", name
                assert legend["direction"] == "vertical" and legend["columns"] == 1, name
                assert legend["labelExpr"] == LINES, name
                assert legend["labelLimit"] == LABEL_LIMIT, name
                field = encoding[channel]["field"]
                assert all(fits(v, LEGEND_CHARS) for v in values(spec, view, field)), name
    assert legends == 3  # stage (values); colour and shape of one series legend (national)
    national = charts["national"]
    lines = max(
        label.count("\n") + 1 for label in values(national, national["layer"][1], "row_lines")
    )
    assert national["height"]["step"] >= 14 * lines + 10  # Vega hides labels that overlap


def test_a_long_idea_is_wrapped_and_its_row_grows() -> None:
    text = "Et bibliotek der er åbent hele døgnet for alle borgere i hele kommunen"
    frame = pd.DataFrame(
        {"idea_id": [1], "text": [text], "meeting": ["Møde"], "committee_id": [1], "dots": [3]}
    )
    spec = reports.top_ideas_chart(frame, dots_title="Prikker", idea_title="Idé").to_dict()
    (label,) = values(spec, spec, "label")
    assert label.count("\n") >= 2 and fits(label, AXIS_CHARS) and label.endswith("…")
    assert spec["height"]["step"] >= 14 * (label.count("\n") + 1) + 10
    assert spec["encoding"]["tooltip"][0]["field"] == "text"  # the whole text, on hover
