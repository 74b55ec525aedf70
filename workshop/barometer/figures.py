"""National reference figures of the Innovationsbarometer, read from
``workshop/data/reference_figures.csv``: one row per published figure with metric key, subgroup,
percentage, n, edition, period, source and address. A figure whose round is not confirmed has
``verified = false`` and says why in ``note``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from workshop.errors import NotFound

REFERENCE_FIGURES_PATH = Path(__file__).parent.parent / "data" / "reference_figures.csv"
_REFERENCE_COLUMNS = (
    "metric_key",
    "subgroup",
    "value_pct",
    "n",
    "edition",
    "period",
    "source",
    "url",
    "note",
    "approximate",
    "verified",
)
_CSV_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class ReferenceFigure:
    """One published national figure: ``value_pct`` % of ``subgroup``'s innovations.

    ``n`` is the base the publication states (for subgroups, usually the whole round's n; the
    note says so). ``approximate`` marks verbal figures such as "tre ud af fire"; ``verified`` is
    false when the survey round is inferred rather than stated.
    """

    metric_key: str
    subgroup: str
    value_pct: float
    n: int | None
    edition: str
    period: str
    source: str
    url: str | None
    note: str | None
    approximate: bool
    verified: bool

    @property
    def share(self) -> float:
        """The figure as a fraction in [0, 1], the unit our own shares use."""
        return self.value_pct / 100


@cache
def _reference_frame() -> pd.DataFrame:
    raw = pd.read_csv(REFERENCE_FIGURES_PATH, dtype=str, keep_default_na=False)
    if tuple(raw.columns) != _REFERENCE_COLUMNS:
        raise ValueError(f"{REFERENCE_FIGURES_PATH.name}: unexpected columns {list(raw.columns)}")
    for column in ("metric_key", "subgroup", "value_pct", "edition", "period", "source"):
        if (raw[column].str.strip() == "").any():
            raise ValueError(f"{REFERENCE_FIGURES_PATH.name}: empty {column!r}")
    if not raw["edition"].str.fullmatch(r"\d+").all():
        raise ValueError(f"{REFERENCE_FIGURES_PATH.name}: editions must be numbers")
    frame = raw.copy()
    frame["value_pct"] = raw["value_pct"].astype(float)
    frame["n"] = pd.to_numeric(raw["n"].replace("", None)).astype("Int64")
    for column in ("url", "note"):
        frame[column] = raw[column].replace("", None)
    for column in ("approximate", "verified"):
        if not raw[column].isin(list(_CSV_BOOLEANS)).all():
            raise ValueError(f"{REFERENCE_FIGURES_PATH.name}: {column!r} must be true/false")
        frame[column] = raw[column].map(_CSV_BOOLEANS).astype(bool)
    if frame.duplicated(["metric_key", "subgroup", "edition"]).any():
        raise ValueError(f"{REFERENCE_FIGURES_PATH.name}: duplicate metric/subgroup/edition")
    return frame


def load_reference_figures() -> pd.DataFrame:
    """All national reference figures, one row per figure (a copy: callers may modify it)."""
    return _reference_frame().copy()


def _optional_text(value: object) -> str | None:
    return None if is_missing(value) else str(value)


@cache
def _reference_figures() -> tuple[ReferenceFigure, ...]:
    return tuple(
        ReferenceFigure(
            metric_key=str(row["metric_key"]),
            subgroup=str(row["subgroup"]),
            value_pct=float(row["value_pct"]),
            n=None if pd.isna(row["n"]) else int(row["n"]),
            edition=str(row["edition"]),
            period=str(row["period"]),
            source=str(row["source"]),
            url=_optional_text(row["url"]),
            note=_optional_text(row["note"]),
            approximate=bool(row["approximate"]),
            verified=bool(row["verified"]),
        )
        for row in _reference_frame().to_dict("records")
    )


def list_reference_figures(
    *,
    metric_key: str | None = None,
    subgroup: str | None = None,
    edition: str | None = None,
    verified_only: bool = False,
) -> list[ReferenceFigure]:
    """Reference figures in file order, optionally filtered."""
    return [
        figure
        for figure in _reference_figures()
        if (metric_key is None or figure.metric_key == metric_key)
        and (subgroup is None or figure.subgroup == subgroup)
        and (edition is None or figure.edition == edition)
        and (figure.verified or not verified_only)
    ]


def get_reference_figure(
    metric_key: str, subgroup: str = "all", edition: str | None = None
) -> ReferenceFigure:
    """One figure. Without ``edition``: the newest round, a confirmed round before a guessed one.

    Raises NotFound when no such figure is published.
    """
    candidates = list_reference_figures(metric_key=metric_key, subgroup=subgroup, edition=edition)
    if not candidates:
        raise NotFound(
            "error.barometer.unknown_figure",
            metric_key=metric_key,
            subgroup=subgroup,
            edition=edition or "",
        )
    return max(candidates, key=lambda figure: (figure.verified, int(figure.edition)))


def is_missing(cell: object) -> bool:
    """A missing cell of a CSV row or DataFrame record: None, ``pd.NA`` or NaN."""
    return cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))
