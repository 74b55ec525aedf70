"""Every value category beside its national figure, in words.

For each value an outcome can create, one row: how many of our outcomes with a realised value
realised it, and the Innovationsbarometer's figure for that value with its edition, period and
n – or, for a value the barometer does not measure, a sentence saying so. No row is ever empty.
"""

from __future__ import annotations

import math

import pandas as pd

from workshop.barometer.aggregation import Outcomes, _normalise
from workshop.barometer.dimensions import Value
from workshop.barometer.figures import ReferenceFigure, list_reference_figures
from workshop.barometer.labels import label
from workshop.i18n import formats, translate

#: Subgroups in the order a figure's parts are read.
SUBGROUPS = (
    "all",
    "politically_initiated",
    "initiated_nearest_political_leadership",
    "initiated_new_legislation",
    "other_initiated",
)


def national_figures(value: Value) -> list[ReferenceFigure]:
    """The newest edition's figures for ``value`` (one per subgroup), confirmed rounds first."""
    figures = list_reference_figures(metric_key=f"value_{value.value}")
    if not figures:
        return []
    newest = max(figures, key=lambda f: (f.verified, int(f.edition)))
    same = [f for f in figures if f.edition == newest.edition and f.subgroup in SUBGROUPS]
    return sorted(same, key=lambda f: SUBGROUPS.index(f.subgroup))


def national_text(value: Value, lang: str) -> str:
    """The national figure of ``value`` with edition, period and n, or that there is none."""
    figures = national_figures(value)
    if not figures:
        return translate(lang, "national.no_figure")
    parts = [
        formats.percent(f.share, lang, decimals=0)
        if f.subgroup == "all"
        else translate(
            lang,
            "national.subgroup_figure",
            subgroup=translate(lang, f"national.subgroup.{f.subgroup}"),
            share=formats.percent(f.share, lang, decimals=0),
        )
        for f in figures
    ]
    first = figures[0]
    n = (
        translate(lang, "national.n", n=formats.number(first.n, lang))
        if first.n
        else translate(lang, "national.n_unknown")
    )
    return translate(
        lang,
        "national.figure",
        figures=", ".join(parts),
        edition=translate(lang, "national.edition", edition=first.edition),
        period=first.period,
        n=n,
    )


def national_by_value_frame(outcomes: Outcomes, lang: str) -> pd.DataFrame:
    """One row per value: ``value``, ``label``, ``our_count``, ``our_n``, ``ours`` (words),
    ``has_figure``, ``edition``, ``national`` (words, never empty)."""
    records = _normalise(outcomes, need_origin=False)
    base = [o for o in records if o.realised]
    rows = []
    for value in Value:
        count = sum(value in o.realised for o in base)
        n = len(base)
        figures = national_figures(value)
        ours = (
            translate(
                lang,
                "national.ours",
                count=count,
                n=n,
                share=formats.percent(count / n, lang, decimals=0),
            )
            if n
            else translate(lang, "national.ours_none")
        )
        rows.append(
            {
                "value": value.value,
                "label": label(value, lang, short=True),
                "our_count": count,
                "our_n": n,
                "our_share": count / n if n else math.nan,
                "ours": ours,
                "has_figure": bool(figures),
                "edition": figures[0].edition if figures else "",
                "national": national_text(value, lang),
            }
        )
    return pd.DataFrame(rows)
