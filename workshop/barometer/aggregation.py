"""Aggregation of our outcomes beside the national figures: pure arithmetic on plain records.

It works on a DataFrame or a list of dicts, so it needs no database (it imports neither
sqlite_utils nor streamlit) and is easy to test. Shares come with their n and a Wilson 95 %
interval. Below ``MIN_N`` outcomes, a row is flagged so that the UI can say "too few outcomes to
compare" instead of drawing a confident-looking bar.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workshop.barometer.dimensions import (
    EXTRA_VALUES,
    POLITICAL_INITIATORS,
    Initiator,
    Stage,
    Value,
    parse_option,
    validate_choices,
)
from workshop.barometer.figures import get_reference_figure, is_missing
from workshop.errors import InvalidInput

#: Below this many outcomes a share is flagged as too uncertain to compare.
MIN_N = 30
#: Two-sided 95 % normal quantile.
Z_95 = 1.959963984540054

#: Outcomes as a DataFrame or as records with the keys ``outcome_id``, ``values_expected`` and
#: ``values_realised`` (lists of Value keys), plus ``initiated_politically`` (bool) and/or
#: ``initiators`` (list of Initiator keys) for the national comparison.
Outcomes = pd.DataFrame | Iterable[Mapping[str, Any]]


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for ``successes``/``n``.

    We use Wilson rather than the textbook normal interval because our n is small and shares are
    often 0 or 1. At those values the normal interval collapses to a point or leaves [0, 1];
    Wilson does neither. The result is clamped so that it always contains the point estimate.
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes}/{n}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, min(p, centre - half_width)), min(1.0, max(p, centre + half_width))


@dataclass(frozen=True)
class _Outcome:
    outcome_id: object
    politically: bool | None  # None: not recorded
    initiators: frozenset[Initiator] | None  # None: not recorded
    expected: frozenset[Value]
    realised: frozenset[Value]


def _key_list(cell: object, column: str, outcome_id: object) -> list[object] | None:
    if is_missing(cell):
        return None
    if isinstance(cell, str | bytes | Mapping) or not isinstance(cell, Iterable):
        raise InvalidInput("error.barometer.invalid_field", column=column, outcome_id=outcome_id)
    return list(cell)


def _normalise(outcomes: Outcomes, *, need_origin: bool) -> list[_Outcome]:
    records: list[Mapping[Any, Any]] = []
    if isinstance(outcomes, pd.DataFrame):
        records.extend(outcomes.to_dict("records"))
    else:
        records.extend(outcomes)
    if (
        need_origin
        and records
        and not any(
            "initiated_politically" in record or "initiators" in record for record in records
        )
    ):
        raise InvalidInput("error.barometer.missing_column", column="initiated_politically")
    seen: set[object] = set()
    result: list[_Outcome] = []
    for record in records:
        for column in ("outcome_id", "values_expected", "values_realised"):
            if column not in record:
                raise InvalidInput("error.barometer.missing_column", column=column)
        outcome_id = record["outcome_id"]
        if not is_missing(outcome_id):
            if outcome_id in seen:
                raise InvalidInput("error.barometer.duplicate_outcome", outcome_id=outcome_id)
            seen.add(outcome_id)
        values = {}
        for column in ("values_expected", "values_realised"):
            keys = _key_list(record[column], column, outcome_id) or []
            values[column] = frozenset(parse_option(Value, key) for key in keys)
        initiator_keys = _key_list(record.get("initiators"), "initiators", outcome_id)
        initiators = (
            None
            if initiator_keys is None
            else frozenset(validate_choices(Initiator, initiator_keys))
        )
        flag = record.get("initiated_politically")
        politically: bool | None
        if is_missing(flag):
            politically = None if initiators is None else bool(initiators & POLITICAL_INITIATORS)
        elif isinstance(flag, bool | np.bool_):
            politically = bool(flag)
        else:
            raise InvalidInput(
                "error.barometer.invalid_field",
                column="initiated_politically",
                outcome_id=outcome_id,
            )
        result.append(
            _Outcome(
                outcome_id=outcome_id,
                politically=politically,
                initiators=initiators,
                expected=values["values_expected"],
                realised=values["values_realised"],
            )
        )
    return result


def value_shares_frame(outcomes: Outcomes, *, min_n: int = MIN_N) -> pd.DataFrame:
    """Per value and stage: how many outcomes named it, out of how many, and the share.

    Columns: ``value``, ``stage`` ("expected"/"realised"), ``count``, ``n``, ``share`` (NaN when
    n = 0) and ``small_n``. A stage's n counts only outcomes with at least one value recorded for
    that stage. An outcome not yet followed up therefore does not pull the realised shares down.
    This also matches the barometer, which counts an innovation only once it has created value.
    The KS extras appear only if some outcome uses them.
    """
    records = _normalise(outcomes, need_origin=False)
    used = frozenset().union(*(o.expected | o.realised for o in records))
    values = [v for v in Value if v not in EXTRA_VALUES or v in used]
    stage_sets = {
        Stage.EXPECTED: [o.expected for o in records if o.expected],
        Stage.REALISED: [o.realised for o in records if o.realised],
    }
    rows = []
    for value in values:
        for stage, sets in stage_sets.items():
            n = len(sets)
            count = sum(value in chosen for chosen in sets)
            rows.append(
                {
                    "value": value.value,
                    "stage": stage.value,
                    "count": count,
                    "n": n,
                    "share": count / n if n else math.nan,
                    "small_n": n < min_n,
                }
            )
    columns = ["value", "stage", "count", "n", "share", "small_n"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"count": "int64", "n": "int64", "share": "float64", "small_n": "bool"}
    )


@dataclass(frozen=True)
class Comparison:
    """A row of the national comparison: realised ``value`` among ``subgroup``'s outcomes."""

    metric_key: str
    subgroup: str
    value: Value

    @property
    def row_key(self) -> str:
        """i18n key of the row's label."""
        return f"barometer.row.{self.metric_key}.{self.subgroup}"


#: The seed 003 figures (fig. 4 and text) that our outcome records can be compared with.
COMPARISONS: tuple[Comparison, ...] = (
    Comparison("value_political_goals", "politically_initiated", Value.POLITICAL_GOALS),
    Comparison("value_political_goals", "other_initiated", Value.POLITICAL_GOALS),
    Comparison(
        "value_citizen_involvement",
        "initiated_nearest_political_leadership",
        Value.CITIZEN_INVOLVEMENT,
    ),
    Comparison("value_citizen_involvement", "initiated_new_legislation", Value.CITIZEN_INVOLVEMENT),
    Comparison("value_citizen_involvement", "other_initiated", Value.CITIZEN_INVOLVEMENT),
    Comparison("value_employee_satisfaction", "politically_initiated", Value.EMPLOYEE_SATISFACTION),
    Comparison("value_employee_satisfaction", "other_initiated", Value.EMPLOYEE_SATISFACTION),
)


def _initiated_by(initiator: Initiator) -> Callable[[_Outcome], bool | None]:
    def member(outcome: _Outcome) -> bool | None:
        if outcome.initiators is None:
            # Without initiators we still know a non-political outcome was not initiated by law.
            return False if outcome.politically is False else None
        return initiator in outcome.initiators

    return member


def _not_political(outcome: _Outcome) -> bool | None:
    return None if outcome.politically is None else not outcome.politically


# Subgroup → membership test; None means "unknown", and the outcome stays out of the base.
_SUBGROUPS: dict[str, Callable[[_Outcome], bool | None]] = {
    "politically_initiated": lambda outcome: outcome.politically,
    "other_initiated": _not_political,
    "initiated_nearest_political_leadership": _initiated_by(Initiator.NEAREST_POLITICAL_LEADERSHIP),
    "initiated_new_legislation": _initiated_by(Initiator.NEW_LEGISLATION_NATIONAL_REQUIREMENTS),
}
_NEEDS_INITIATORS = frozenset(
    {"initiated_nearest_political_leadership", "initiated_new_legislation"}
)


def national_comparison_frame(
    outcomes: Outcomes, *, edition: str = "3", min_n: int = MIN_N
) -> pd.DataFrame:
    """Our realised-value shares beside the national barometer, one row per ``COMPARISONS``.

    Columns: ``metric_key``, ``subgroup``, ``value``, ``row_key`` (i18n label), ``our_count``,
    ``our_n``, ``our_share``, ``ci_low``, ``ci_high`` (Wilson 95 %; NaN when ``our_n`` = 0),
    ``national_share`` (fraction), ``national_n``, ``edition``, ``period``, ``source``, ``url``,
    ``small_n``, ``note_key`` (i18n key, "" when there is nothing to say) and ``min_n``. Format
    the note with ``translate(lang, note_key, n=our_n, min_n=min_n)``.

    The base is outcomes with at least one realised value, because the barometer counts only
    innovations that created value. The national figures are weighted to represent the public
    sector. Ours are plain counts over a few outcomes, so they are a mirror, not a ranking.
    """
    records = _normalise(outcomes, need_origin=True)
    have_initiators = any(o.initiators is not None for o in records)
    rows = []
    for comparison in COMPARISONS:
        figure = get_reference_figure(comparison.metric_key, comparison.subgroup, edition)
        in_subgroup = _SUBGROUPS[comparison.subgroup]
        base = [o for o in records if o.realised and in_subgroup(o) is True]
        n = len(base)
        count = sum(comparison.value in o.realised for o in base)
        low, high = wilson_interval(count, n) if n else (math.nan, math.nan)
        if n == 0 and comparison.subgroup in _NEEDS_INITIATORS and not have_initiators:
            note_key = "barometer.note.needs_initiators"
        elif n == 0:
            note_key = "barometer.note.no_outcomes"
        elif n < min_n:
            note_key = "barometer.note.small_n"
        else:
            note_key = ""
        rows.append(
            {
                "metric_key": comparison.metric_key,
                "subgroup": comparison.subgroup,
                "value": comparison.value.value,
                "row_key": comparison.row_key,
                "our_count": count,
                "our_n": n,
                "our_share": count / n if n else math.nan,
                "ci_low": low,
                "ci_high": high,
                "national_share": figure.share,
                "national_n": figure.n,
                "edition": figure.edition,
                "period": figure.period,
                "source": figure.source,
                "url": figure.url,
                "small_n": n < min_n,
                "note_key": note_key,
                "min_n": min_n,
            }
        )
    frame = pd.DataFrame(rows)
    frame["national_n"] = frame["national_n"].astype("Int64")
    return frame
