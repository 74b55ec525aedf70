"""Innovationsbarometeret: its dimensions, the national reference figures, and the pure arithmetic
that sets our committees' outcomes beside them.

The barometer (COI, now CO-PI, with Danmarks Statistik; domain.md §2) asks public workplaces about
their latest innovation: what value it created, who initiated it, whom they worked with, and so
on. We ask the same questions about a committee's outcomes, so that follow-up speaks the
barometer's language and a municipality can compare itself with the national figures.

Where things live, and why:

- **Dimensions** are StrEnums. Their keys are stable and are what the database stores. Their
  labels in Danish, Norwegian bokmål and English are *not* in this file: they live in the i18n
  catalogues (``workshop/i18n/<lang>/barometer.json``, keys ``barometer.option.<dimension>.<key>``
  and, for values, ``barometer.option_short.value.<key>``). That way every string the UI shows goes
  through one ``translate``, and a translator edits one file per language. The Danish labels keep
  the barometer's own wording (domain.md §2.2–2.3: co-pi.dk, innovationstesten.dk, seed 003). The
  Norwegian value labels follow KS's survey (§2.5). The rest are our translations, and so are the
  Danish labels where no barometer wording was found (``Evaluated``, the KS extras).
- **National reference figures** are data, in ``workshop/data/reference_figures.csv``: one row
  per published figure with metric key, subgroup, percentage, n, edition, period, source and
  address. A figure whose round is not confirmed has ``verified = false`` and says why in ``note``.
- **Aggregation** works on plain records (a DataFrame or a list of dicts), so it needs no
  database and is easy to test. Shares come with their n and a Wilson 95 % interval. Below
  ``MIN_N`` outcomes, a row is flagged so that the UI can say "too few outcomes to compare"
  instead of drawing a confident-looking bar.
- **Charts** are Altair specifications and never import streamlit.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import altair as alt
import numpy as np
import pandas as pd

from workshop.errors import InvalidInput, NotFound
from workshop.i18n import LANGUAGES, translate

# --------------------------------------------------------------------------------------------
# Dimensions
# --------------------------------------------------------------------------------------------


class Value(StrEnum):
    """Value created: "Hvilken form for værdi har I alt i alt opnået med den seneste innovation?"

    Multi-select. The first five are the barometer's; edition 3 (2018–19) confirms all five. The
    last two are options only in Norway's KS survey (domain.md §2.5). They are kept so that
    Norwegian users can record them, but they are flagged in ``EXTRA_VALUES`` because no Danish
    figure exists to compare them with.
    """

    QUALITY = "quality"
    EFFICIENCY = "efficiency"
    CITIZEN_INVOLVEMENT = "citizen_involvement"
    EMPLOYEE_SATISFACTION = "employee_satisfaction"
    POLITICAL_GOALS = "political_goals"
    AVOIDED_COSTS = "avoided_costs"
    VALUE_FOR_BUSINESS = "value_for_business"


CORE_VALUES: tuple[Value, ...] = (
    Value.QUALITY,
    Value.EFFICIENCY,
    Value.CITIZEN_INVOLVEMENT,
    Value.EMPLOYEE_SATISFACTION,
    Value.POLITICAL_GOALS,
)
EXTRA_VALUES: frozenset[Value] = frozenset({Value.AVOIDED_COSTS, Value.VALUE_FOR_BUSINESS})


class InnovationType(StrEnum):
    """Kind of innovation (multi-select; innovationstesten.dk)."""

    PRODUCT = "product"
    SERVICE = "service"
    PROCESS_ORGANISATION = "process_organisation"
    COMMUNICATION = "communication"


class Novelty(StrEnum):
    """Whether the innovation is new or reused (single choice; innovationstesten.dk)."""

    FIRST_OF_KIND = "first_of_kind"
    INSPIRED_ADAPTED = "inspired_adapted"
    LARGELY_COPY = "largely_copy"
    DONT_KNOW = "dont_know"


class PracticeDeparture(StrEnum):
    """Whether it develops or breaks with previous practice (single choice; co-pi.dk)."""

    FURTHER_DEVELOPMENT = "further_development"
    NEW_APPROACH = "new_approach"
    DONT_KNOW = "dont_know"


class Initiator(StrEnum):
    """Who or what mainly led to the innovation being started: at most ``MAX_INITIATORS`` choices.

    Options confirmed by seed 003, co-pi.dk and innovationstesten.dk. Other options of the real
    questionnaire (private firms, other public workplaces, …) are unverified and left out.
    """

    EMPLOYEES = "employees"
    WORKPLACE_MANAGER = "workplace_manager"
    NEAREST_POLITICAL_LEADERSHIP = "nearest_political_leadership"
    NEW_LEGISLATION_NATIONAL_REQUIREMENTS = "new_legislation_national_requirements"
    ECONOMIC_PRESSURE = "economic_pressure"
    NEW_TECHNOLOGY = "new_technology"
    CITIZENS_USERS = "citizens_users"
    OTHER = "other"
    DONT_KNOW = "dont_know"


class Partner(StrEnum):
    """Collaboration partners (multi-select; seed 003 and innovationstesten.dk)."""

    INTERNAL_OWN_ORG = "internal_own_org"
    MUNICIPAL_WORKPLACES = "municipal_workplaces"
    REGIONAL_OWN_REGION = "regional_own_region"
    REGIONAL_OTHER_REGION = "regional_other_region"
    STATE_WORKPLACES = "state_workplaces"
    HIGHER_EDUCATION_RESEARCH = "higher_education_research"
    CITIZENS = "citizens"
    VOLUNTARY_ORGS = "voluntary_orgs"
    PRIVATE_COMPANIES = "private_companies"
    NONE = "none"


class PromoteHinderScale(StrEnum):
    """How much a factor promoted or hindered the innovation (one answer per factor; co-pi.dk)."""

    HINDERED_HIGH = "hindered_high"
    HINDERED_SOME = "hindered_some"
    PROMOTED_SOME = "promoted_some"
    PROMOTED_HIGH = "promoted_high"
    NOT_RELEVANT = "not_relevant"
    DONT_KNOW = "dont_know"


class PromoteHinderFactor(StrEnum):
    """Factors rated on ``PromoteHinderScale`` (co-pi.dk "hæmmere og fremmere"; seed 003 fig. 2)."""

    EMPLOYEE_PARTICIPATION = "employee_participation"
    CROSS_WORKPLACE_COLLABORATION = "cross_workplace_collaboration"
    FOCUS_ON_SAFE_OPERATIONS = "focus_on_safe_operations"
    LIMITED_FINANCIAL_RESOURCES = "limited_financial_resources"
    NEAREST_POLITICAL_LEADERSHIP = "nearest_political_leadership"
    NEW_LEGISLATION_NATIONAL_REQUIREMENTS = "new_legislation_national_requirements"
    CITIZENS = "citizens"
    VOLUNTARY_ASSOCIATIONS = "voluntary_associations"
    NEW_TECHNOLOGY = "new_technology"


class Evaluated(StrEnum):
    """Whether the innovation was evaluated (co-pi.dk "tjek om det virker"; wording ours)."""

    NO = "no"
    INTERNAL = "internal"
    EXTERNAL_ASSISTED = "external_assisted"
    DONT_KNOW = "dont_know"


#: Dimension names (domain.md §5) → enum. The names are also the i18n key segments.
DIMENSIONS: dict[str, type[StrEnum]] = {
    "value": Value,
    "innovation_type": InnovationType,
    "novelty": Novelty,
    "practice_departure": PracticeDeparture,
    "initiator": Initiator,
    "partner": Partner,
    "promote_hinder": PromoteHinderScale,
    "promote_hinder_factor": PromoteHinderFactor,
    "evaluated": Evaluated,
}
_DIMENSION_NAMES: dict[type[StrEnum], str] = {enum: name for name, enum in DIMENSIONS.items()}

MAX_INITIATORS = 3
#: Seed 003's definition of "igangsat af politiske beslutninger".
POLITICAL_INITIATORS: frozenset[Initiator] = frozenset(
    {Initiator.NEAREST_POLITICAL_LEADERSHIP, Initiator.NEW_LEGISLATION_NATIONAL_REQUIREMENTS}
)

# Answers that contradict any other answer in the same multi-select, and the error they raise.
# Keyed by (enum, key) because StrEnum members of different enums with equal keys compare equal.
_EXCLUSIVE_OPTIONS: dict[tuple[type[StrEnum], str], str] = {
    (Initiator, Initiator.DONT_KNOW.value): "error.barometer.dont_know_alone",
    (Partner, Partner.NONE.value): "error.barometer.no_partner_alone",
}

E = TypeVar("E", bound=StrEnum)


def get_dimension(name: str) -> type[StrEnum]:
    """The enum for a dimension name such as ``"initiator"``; unknown names raise InvalidInput."""
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise InvalidInput("error.barometer.unknown_dimension", dimension=name) from None


def dimension_name(dimension: type[StrEnum]) -> str:
    """The stable name of a dimension enum (``Initiator`` → ``"initiator"``)."""
    try:
        return _DIMENSION_NAMES[dimension]
    except KeyError:
        name = getattr(dimension, "__name__", repr(dimension))
        raise InvalidInput("error.barometer.unknown_dimension", dimension=name) from None


def parse_option(dimension: type[E], key: object) -> E:
    """The member of ``dimension`` with this key.

    A member of *another* dimension is rejected even when its key matches. Mixing up, say,
    ``Partner.CITIZENS`` and ``PromoteHinderFactor.CITIZENS`` is a bug we want to catch.
    """
    if isinstance(key, dimension):
        return key
    if isinstance(key, str) and not isinstance(key, StrEnum):
        try:
            return dimension(key)
        except ValueError:
            pass
    raise InvalidInput(
        "error.barometer.unknown_key", option=str(key), dimension=dimension_name(dimension)
    )


def _check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InvalidInput("error.barometer.unknown_language", lang=lang)


def _resolve(item: StrEnum | str, dimension: type[StrEnum] | None) -> StrEnum:
    if dimension is not None:
        return parse_option(dimension, item)
    if isinstance(item, StrEnum):
        dimension_name(type(item))  # raises unless it is one of ours
        return item
    matches = [enum(item) for enum in DIMENSIONS.values() if item in {m.value for m in enum}]
    if not matches:
        raise InvalidInput("error.barometer.unknown_key", option=item)
    if len(matches) > 1:
        raise InvalidInput("error.barometer.ambiguous_key", option=item)
    return matches[0]


def label(
    item: StrEnum | str,
    lang: str,
    dimension: type[StrEnum] | None = None,
    *,
    short: bool = False,
) -> str:
    """The label of a dimension option in ``lang`` ("da", "nb" or "en").

    ``item`` is a member or a bare key. A bare key that occurs in several dimensions (for example
    ``"dont_know"``) needs ``dimension``. ``short=True`` gives the compact value labels used on
    chart axes; the other dimensions have only one label.
    """
    _check_language(lang)
    member = _resolve(item, dimension)
    name = dimension_name(type(member))
    if short and name == "value":
        return translate(lang, f"barometer.option_short.value.{member.value}")
    return translate(lang, f"barometer.option.{name}.{member.value}")


def dimension_label(dimension: type[StrEnum], lang: str) -> str:
    """The heading of a dimension in ``lang`` (e.g. "Igangsat af")."""
    _check_language(lang)
    return translate(lang, f"barometer.dimension.{dimension_name(dimension)}")


def options(
    dimension: type[E], lang: str, *, include_extras: bool = False, short: bool = False
) -> list[tuple[E, str]]:
    """``(member, label)`` pairs in questionnaire order, ready for a select widget.

    The Norwegian-only values are left out unless ``include_extras``; a Norwegian UI may pass
    ``include_extras=(lang == "nb")``.
    """
    _check_language(lang)
    return [
        (member, label(member, lang, short=short))
        for member in dimension
        if include_extras or not (isinstance(member, Value) and member in EXTRA_VALUES)
    ]


def is_extra_value(value: Value | str) -> bool:
    """True for the Norwegian KS extras, which have no Danish reference figures."""
    return parse_option(Value, value) in EXTRA_VALUES


def validate_choice(dimension: type[E], key: object) -> E:
    """Validate a single-choice answer (novelty, practice departure, evaluated, …)."""
    return parse_option(dimension, key)


def validate_choices(dimension: type[E], keys: Iterable[object]) -> tuple[E, ...]:
    """Validate a multi-select answer and return it in the order given, without duplicates.

    Raises InvalidInput for an unknown key, for "don't know"/"no collaboration" together with
    other answers, and for more than ``MAX_INITIATORS`` initiators.
    """
    if isinstance(keys, str):
        raise TypeError("validate_choices expects a collection of keys, not one string")
    chosen: list[E] = []
    for key in keys:
        member = parse_option(dimension, key)
        if member not in chosen:
            chosen.append(member)
    if len(chosen) > 1:
        for member in chosen:
            error = _EXCLUSIVE_OPTIONS.get((dimension, member.value))
            if error:
                raise InvalidInput(error)
    if dimension is Initiator and len(chosen) > MAX_INITIATORS:
        raise InvalidInput(
            "error.barometer.too_many_initiators", max=MAX_INITIATORS, count=len(chosen)
        )
    return tuple(chosen)


def validate_promote_hinder(
    ratings: Mapping[str, str],
) -> dict[PromoteHinderFactor, PromoteHinderScale]:
    """Validate factor → scale ratings ("what promoted or hindered the outcome?")."""
    return {
        parse_option(PromoteHinderFactor, factor): parse_option(PromoteHinderScale, scale)
        for factor, scale in ratings.items()
    }


def is_politically_initiated(initiators: Iterable[object]) -> bool:
    """Seed 003's "igangsat af politiske beslutninger": nearest political leadership or law."""
    return any(member in POLITICAL_INITIATORS for member in validate_choices(Initiator, initiators))


# --------------------------------------------------------------------------------------------
# National reference figures
# --------------------------------------------------------------------------------------------

REFERENCE_FIGURES_PATH = Path(__file__).parent / "data" / "reference_figures.csv"
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
    return None if _is_missing(value) else str(value)


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


# --------------------------------------------------------------------------------------------
# Aggregation of our outcomes
# --------------------------------------------------------------------------------------------

#: Below this many outcomes a share is flagged as too uncertain to compare.
MIN_N = 30
#: Two-sided 95 % normal quantile.
Z_95 = 1.959963984540054

#: Outcomes as a DataFrame or as records with the keys ``outcome_id``, ``values_expected`` and
#: ``values_realised`` (lists of Value keys), plus ``initiated_politically`` (bool) and/or
#: ``initiators`` (list of Initiator keys) for the national comparison.
Outcomes = pd.DataFrame | Iterable[Mapping[str, Any]]


class Stage(StrEnum):
    """Whether a value was expected when the outcome was decided, or realised at follow-up."""

    EXPECTED = "expected"
    REALISED = "realised"


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


def _is_missing(cell: object) -> bool:
    return cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))


def _key_list(cell: object, column: str, outcome_id: object) -> list[object] | None:
    if _is_missing(cell):
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
        if not _is_missing(outcome_id):
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
        if _is_missing(flag):
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


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------

_OURS_COLOUR = "#4c78a8"
_NATIONAL_COLOUR = "#e45756"
_SHARE_SCALE = alt.Scale(domain=[0, 1])


def _format_count(number: int, lang: str) -> str:
    """Thousands separators as each language writes them: 1.877 (da), 1 877 (nb), 1,877 (en)."""
    separator = {"da": ".", "nb": "\u00a0", "en": ","}[lang]
    return f"{int(number):,}".replace(",", separator)


def value_shares_chart(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """Grouped horizontal bars: expected vs realised share per value, from ``value_shares_frame``.

    Stages with n = 0 draw no bar rather than a misleading 0 %.
    """
    _check_language(lang)

    def t(key: str) -> str:
        return translate(lang, key)

    data = frame.loc[frame["n"] > 0, ["value", "stage", "count", "n", "share"]].copy()
    data["value_label"] = [label(Value(v), lang, short=True) for v in data["value"]]
    data["stage_label"] = [t(f"barometer.stage.{stage}") for stage in data["stage"]]
    present = set(frame["value"])
    value_order = [label(v, lang, short=True) for v in Value if v.value in present]
    stage_order = [t(f"barometer.stage.{stage.value}") for stage in Stage]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "share:Q",
                title=t("barometer.chart.share"),
                scale=_SHARE_SCALE,
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y("value_label:N", title=t("barometer.chart.value"), sort=value_order),
            yOffset=alt.YOffset("stage_label:N", sort=stage_order),
            # Legends below the chart: on a 390 px phone a side legend halves the bars.
            color=alt.Color(
                "stage_label:N",
                title=t("barometer.chart.stage"),
                sort=stage_order,
                legend=alt.Legend(orient="bottom"),
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
    _check_language(lang)

    def t(key: str, **params: Any) -> str:
        return translate(lang, key, **params)

    rows = frame.reset_index(drop=True)
    row_labels = [t(key) for key in rows["row_key"]]
    ours_name, national_name = t("barometer.series.ours"), t("barometer.series.national")
    notes = [
        t(key, n=int(n), min_n=int(min_n)) if key else ""
        for key, n, min_n in zip(rows["note_key"], rows["our_n"], rows["min_n"], strict=True)
    ]
    ours = pd.DataFrame(
        {
            "row_label": row_labels,
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
            "series": national_name,
            "share": rows["national_share"],
            "n": rows["national_n"].astype(float),
            "small_n": False,
            "note": "",
        }
    )
    points = pd.concat([ours.drop(columns=["ci_low", "ci_high"]), national], ignore_index=True)

    # Row labels read "value · subgroup": two lines, so that a phone shows them whole.
    y = alt.Y(
        "row_label:N",
        title=None,
        sort=row_labels,
        axis=alt.Axis(labelExpr="split(datum.label, ' · ')", labelLimit=240),
    )
    faded = alt.when(alt.datum.small_n).then(alt.value(0.4)).otherwise(alt.value(1.0))
    intervals = (
        alt.Chart(ours)
        .mark_rule(strokeWidth=2, color=_OURS_COLOUR)
        .encode(
            y=y,
            x=alt.X("ci_low:Q", title=t("barometer.chart.share"), scale=_SHARE_SCALE),
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
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "series:N",
                title=t("barometer.chart.series"),
                scale=alt.Scale(
                    domain=[ours_name, national_name], range=[_OURS_COLOUR, _NATIONAL_COLOUR]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            shape=alt.Shape(
                "series:N",
                title=t("barometer.chart.series"),  # same title: one legend, not two
                scale=alt.Scale(domain=[ours_name, national_name], range=["circle", "diamond"]),
                legend=alt.Legend(orient="bottom"),
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
    title = t("barometer.chart.national_title")
    if len(rows):
        first = rows.iloc[0]
        national_n = (
            "–" if pd.isna(first["national_n"]) else _format_count(first["national_n"], lang)
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
        return alt.LayerChart(layer=[intervals, markers], title=alt.Title(title, subtitle=subtitle))
    return alt.LayerChart(layer=[intervals, markers], title=title)
