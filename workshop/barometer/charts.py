"""Charts of the barometer as Altair specifications (they never import streamlit)."""

from __future__ import annotations

import textwrap
from typing import Any

import altair as alt
import pandas as pd

from workshop.barometer.dimensions import Stage, Value
from workshop.barometer.labels import check_language, label
from workshop.chart_layout import (
    AXIS_CHARS,
    LEGEND_CHARS,
    bottom_legend,
    category_axis,
    percent_axis,
    row_step,
    wrap,
)
from workshop.i18n import translate

_OURS_COLOUR = "#4c78a8"
_NATIONAL_COLOUR = "#e45756"
_SHARE_SCALE = alt.Scale(domain=[0, 1])


def format_count(number: int, lang: str) -> str:
    """Thousands separators as each language writes them: 1.877 (da), 1 877 (nb), 1,877 (en)."""
    from workshop.i18n.formats import number as format_number

    return format_number(int(number), lang)


def value_shares_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Grouped horizontal bars: expected vs realised share per value, from ``value_shares_frame``.

    Stages with n = 0 draw no bar rather than a misleading 0 %.
    """
    check_language(lang)

    def t(key: str) -> str:
        return translate(lang, key)

    data = frame.loc[frame["n"] > 0, ["value", "stage", "count", "n", "share"]].copy()
    # Labels wrapped into lines (chart_layout), so a phone shows them whole.
    data["value_label"] = [
        wrap(label(Value(v), lang, short=True), AXIS_CHARS) for v in data["value"]
    ]
    data["stage_label"] = [
        wrap(t(f"barometer.stage.{stage}"), LEGEND_CHARS) for stage in data["stage"]
    ]
    present = set(frame["value"])
    value_order = [
        wrap(label(v, lang, short=True), AXIS_CHARS) for v in Value if v.value in present
    ]
    stage_order = [wrap(t(f"barometer.stage.{stage.value}"), LEGEND_CHARS) for stage in Stage]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=t("barometer.chart.share"),
                scale=_SHARE_SCALE,
                axis=percent_axis(lang),
            ),
            y=alt.Y(
                "value_label:N",
                title=t("barometer.chart.value"),
                sort=value_order,
                axis=category_axis(),
            ),
            yOffset=alt.YOffset("stage_label:N", sort=stage_order),
            color=alt.Color(
                "stage_label:N",
                title=t("barometer.chart.stage"),
                sort=stage_order,
                legend=bottom_legend(),
            ),
            tooltip=[
                alt.Tooltip("value_label:N", title=t("barometer.chart.value")),
                alt.Tooltip("stage_label:N", title=t("barometer.chart.stage")),
                alt.Tooltip("share:Q", title=t("barometer.chart.share"), format=".0%"),
                alt.Tooltip("count:Q", title=t("barometer.chart.count")),
                alt.Tooltip("n:Q", title=t("barometer.chart.n")),
            ],
        )
        .properties(title=t("barometer.chart.value_shares_title"))
    )


def national_comparison_chart(frame: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Per comparison row, our share with its 95 % interval beside the national share.

    The input is ``national_comparison_frame``. Rows with too few outcomes are drawn faded, and
    the tooltip carries the note. Rows with none draw only the national marker.
    """
    check_language(lang)

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    rows = frame.reset_index(drop=True)
    row_labels = [t(key) for key in rows["row_key"]]
    # Row labels read "value · subgroup": a line each, wrapped, so that a phone shows them whole
    # and leaves room for the plot and the legend below it.
    row_lines = [wrap(text, AXIS_CHARS, breaks=" · ") for text in row_labels]
    ours_name, national_name = (
        wrap(t("barometer.series.ours"), LEGEND_CHARS),
        wrap(t("barometer.series.national"), LEGEND_CHARS),
    )
    notes = [
        t(key, n=int(n), min_n=int(min_n)) if key else ""
        for key, n, min_n in zip(rows["note_key"], rows["our_n"], rows["min_n"], strict=True)
    ]
    ours = pd.DataFrame(
        {
            "row_label": row_labels,
            "row_lines": row_lines,
            "series": ours_name,
            "share": rows["our_share"],
            "ci_low": rows["ci_low"],
            "ci_high": rows["ci_high"],
            "n": rows["our_n"].astype(float),
            "small_n": rows["small_n"].astype(bool),
            "note": notes,
        }
    ).loc[rows["our_n"] > 0]
    national = pd.DataFrame(
        {
            "row_label": row_labels,
            "row_lines": row_lines,
            "series": national_name,
            "share": rows["national_share"],
            "n": rows["national_n"].astype(float),
            "small_n": False,
            "note": "",
        }
    )
    points = pd.concat([ours.drop(columns=["ci_low", "ci_high"]), national], ignore_index=True)

    y = alt.Y("row_lines:N", title=None, sort=row_lines, axis=category_axis())
    faded = alt.when(alt.datum.small_n).then(alt.value(0.4)).otherwise(alt.value(1.0))
    intervals = (
        alt.Chart(ours)
        .mark_rule(strokeWidth=2, color=_OURS_COLOUR)
        .encode(
            y=y,
            x=alt.X(
                "ci_low:Q",
                title=t("barometer.chart.share"),
                scale=_SHARE_SCALE,
                axis=percent_axis(lang),
            ),
            x2="ci_high:Q",
            opacity=faded,
            tooltip=[
                alt.Tooltip("row_label:N", title=t("barometer.chart.comparison")),
                alt.Tooltip("ci_low:Q", title=t("barometer.chart.interval_low"), format=".0%"),
                alt.Tooltip("ci_high:Q", title=t("barometer.chart.interval_high"), format=".0%"),
            ],
        )
    )
    markers = (
        alt.Chart(points)
        .mark_point(filled=True, size=90)
        .encode(
            y=y,
            x=alt.X(
                "share:Q",
                title=t("barometer.chart.share"),
                scale=_SHARE_SCALE,
                axis=percent_axis(lang),
            ),
            color=alt.Color(
                "series:N",
                title=t("barometer.chart.series"),
                scale=alt.Scale(
                    domain=[ours_name, national_name], range=[_OURS_COLOUR, _NATIONAL_COLOUR]
                ),
                legend=bottom_legend(),
            ),
            shape=alt.Shape(
                "series:N",
                title=t("barometer.chart.series"),  # same title: one legend, not two
                scale=alt.Scale(domain=[ours_name, national_name], range=["circle", "diamond"]),
                legend=bottom_legend(),
            ),
            opacity=faded,
            tooltip=[
                alt.Tooltip("row_label:N", title=t("barometer.chart.comparison")),
                alt.Tooltip("series:N", title=t("barometer.chart.series")),
                alt.Tooltip("share:Q", title=t("barometer.chart.share"), format=".0%"),
                alt.Tooltip("n:Q", title=t("barometer.chart.n")),
                alt.Tooltip("note:N", title=t("barometer.chart.note")),
            ],
        )
    )
    # No outcome of ours yet: no interval layer. Vega draws an empty layer as a graphics
    # symbol without a name, which a screen reader announces as an unnamed image (axe-core's
    # svg-img-alt, serious: a fresh-eyes trial on a committee's first overview).
    layers = [intervals, markers] if len(ours) else [markers]
    title = t("barometer.chart.national_title")
    if len(rows):
        first = rows.iloc[0]
        national_n = (
            "–" if pd.isna(first["national_n"]) else format_count(first["national_n"], lang)
        )
        lines = [
            t(
                "barometer.chart.subtitle_national",
                edition=first["edition"],
                period=first["period"],
                n=national_n,
            ),
            t("barometer.chart.subtitle_ours"),
        ]
        # Short lines: a chart title does not wrap, and a phone is 390 px wide.
        subtitle = [part for line in lines for part in textwrap.wrap(line, 46)]
        return alt.LayerChart(
            layer=layers,
            title=alt.Title(title, subtitle=subtitle),
            height=row_step(row_lines),
        )
    return alt.LayerChart(layer=layers, title=title, height=row_step(row_lines))
