"""Tests for workshop.barometer: dimensions and labels, reference figures, aggregation, charts."""

from __future__ import annotations

import ast
import json
import math
import re
import string
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop import barometer as b
from workshop.errors import InvalidInput, NotFound
from workshop.i18n import LANGUAGES, translate

MODULES = sorted(Path(b.__file__).parent.glob("*.py"))
PACKAGE = Path(b.__file__).parent.parent
CATALOGUES = {lang: PACKAGE / "i18n" / lang / "barometer.json" for lang in LANGUAGES}


def load_catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(CATALOGUES[lang].read_text(encoding="utf-8"))
    return data


def outcome(
    outcome_id: int,
    expected: list[str] | None = None,
    realised: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "outcome_id": outcome_id,
        "values_expected": expected or [],
        "values_realised": realised or [],
        **extra,
    }


def row(frame: pd.DataFrame, **match: str) -> pd.Series:
    selected = frame
    for column, wanted in match.items():
        selected = selected[selected[column] == wanted]
    assert len(selected) == 1, match
    return selected.iloc[0]


# --- dimensions and labels ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("dimension", list(b.DIMENSIONS.values()), ids=list(b.DIMENSIONS))
def test_every_option_has_a_label_in_every_language(dimension: type[StrEnum], lang: str) -> None:
    labels = [b.label(member, lang) for member in dimension]
    assert all(text.strip() for text in labels)
    assert len(set(labels)) == len(labels), "two options of one question share a label"
    assert b.dimension_label(dimension, lang).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_values_have_short_labels(lang: str) -> None:
    for value in b.Value:
        assert b.label(value, lang, short=True).strip()


def test_danish_labels_keep_the_barometers_wording() -> None:
    assert b.label(b.Value.POLITICAL_GOALS, "da") == "Indfrielse af politiske mål"
    assert b.label(b.Initiator.NEW_LEGISLATION_NATIONAL_REQUIREMENTS, "da") == (
        "Ny lovgivning og nationalt fastsatte krav"
    )
    assert b.label(b.PromoteHinderScale.HINDERED_HIGH, "da") == "Hæmmede i høj grad"


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    catalogues = {lang: load_catalogue(lang) for lang in LANGUAGES}
    keys = {lang: set(catalogue) for lang, catalogue in catalogues.items()}
    assert keys["da"] == keys["nb"] == keys["en"]

    def placeholders(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    for key in keys["en"]:
        assert all(isinstance(catalogues[lang][key], str) for lang in LANGUAGES)
        assert placeholders(catalogues["da"][key]) == placeholders(catalogues["en"][key]), key
        assert placeholders(catalogues["nb"][key]) == placeholders(catalogues["en"][key]), key
    assert all(k.startswith(("error.barometer.", "barometer.")) for k in keys["en"])


def test_every_message_key_in_the_module_is_in_the_catalogues() -> None:
    source = "\n".join(module.read_text(encoding="utf-8") for module in MODULES)
    literal_keys = set(re.findall(r'"((?:error\.barometer|barometer\.[a-z_]+)\.[a-z_.]+)"', source))
    literal_keys |= {comparison.row_key for comparison in b.COMPARISONS}
    literal_keys |= {f"barometer.stage.{stage.value}" for stage in b.Stage}
    assert "error.barometer.too_many_initiators" in literal_keys
    assert "barometer.note.small_n" in literal_keys
    for lang in LANGUAGES:
        missing = literal_keys - set(load_catalogue(lang))
        assert not missing, (lang, missing)


def imported_packages(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.stem)
def test_module_stays_pure(module: Path) -> None:
    assert not imported_packages(module) & {"streamlit", "sqlite3", "sqlite_utils"}


def test_the_aggregation_draws_no_charts() -> None:
    aggregation = Path(b.__file__).parent / "aggregation.py"
    assert not imported_packages(aggregation) & {"altair", "streamlit", "sqlite3", "sqlite_utils"}


def test_the_package_states_its_public_names_once() -> None:
    assert sorted(b.__all__) == sorted(set(b.__all__))
    assert all(hasattr(b, name) for name in b.__all__)


def test_label_accepts_bare_keys_when_unambiguous() -> None:
    assert b.label("political_goals", "en") == "Fulfilment of political goals"
    assert b.label("dont_know", "nb", b.Novelty) == "Vet ikke"
    with pytest.raises(InvalidInput) as error:
        b.label("dont_know", "da")
    assert error.value.key == "error.barometer.ambiguous_key"
    with pytest.raises(InvalidInput) as error:
        b.label("happiness", "da")
    assert error.value.key == "error.barometer.unknown_key"
    with pytest.raises(InvalidInput) as error:
        b.label(b.Value.QUALITY, "sv")
    assert error.value.key == "error.barometer.unknown_language"


def test_options_leave_out_the_norwegian_extras_unless_asked() -> None:
    core = [member for member, _ in b.options(b.Value, "da")]
    assert core == list(b.CORE_VALUES)
    everything = [member for member, _ in b.options(b.Value, "nb", include_extras=True)]
    assert everything == list(b.Value)
    assert {m for m in everything if b.is_extra_value(m)} == b.EXTRA_VALUES
    assert b.options(b.Evaluated, "en")[0] == (b.Evaluated.NO, "No, not evaluated")


def test_get_dimension() -> None:
    assert b.get_dimension("initiator") is b.Initiator
    with pytest.raises(InvalidInput) as error:
        b.get_dimension("mood")
    assert error.value.key == "error.barometer.unknown_dimension"


# --- validation -----------------------------------------------------------------------------


def test_at_most_three_initiators() -> None:
    three = ["employees", "citizens_users", "nearest_political_leadership"]
    assert b.validate_choices(b.Initiator, three) == tuple(b.Initiator(k) for k in three)
    with pytest.raises(InvalidInput) as error:
        b.validate_choices(b.Initiator, [*three, "new_technology"])
    assert error.value.key == "error.barometer.too_many_initiators"
    assert error.value.params["max"] == 3
    assert error.value.params["count"] == 4


def test_duplicate_choices_count_once() -> None:
    chosen = b.validate_choices(b.Initiator, ["employees", "employees", "other", "other"])
    assert chosen == (b.Initiator.EMPLOYEES, b.Initiator.OTHER)


@pytest.mark.parametrize(
    ("dimension", "keys", "error_key"),
    [
        (b.Initiator, ["dont_know", "employees"], "error.barometer.dont_know_alone"),
        (b.Partner, ["none", "citizens"], "error.barometer.no_partner_alone"),
        (b.Partner, ["citizens", "aliens"], "error.barometer.unknown_key"),
        (b.Value, [b.Partner.CITIZENS], "error.barometer.unknown_key"),
        (b.Value, [None], "error.barometer.unknown_key"),
    ],
)
def test_invalid_choices(dimension: type[StrEnum], keys: list[Any], error_key: str) -> None:
    with pytest.raises(InvalidInput) as error:
        b.validate_choices(dimension, keys)
    assert error.value.key == error_key


def test_exclusive_answers_are_fine_alone() -> None:
    assert b.validate_choices(b.Partner, ["none"]) == (b.Partner.NONE,)
    assert b.validate_choice(b.Novelty, "largely_copy") is b.Novelty.LARGELY_COPY


def test_a_lone_string_is_not_a_list_of_choices() -> None:
    with pytest.raises(TypeError):
        b.validate_choices(b.Value, "quality")


def test_promote_hinder_ratings() -> None:
    ratings = b.validate_promote_hinder(
        {"citizens": "promoted_high", "new_technology": "dont_know"}
    )
    assert ratings == {
        b.PromoteHinderFactor.CITIZENS: b.PromoteHinderScale.PROMOTED_HIGH,
        b.PromoteHinderFactor.NEW_TECHNOLOGY: b.PromoteHinderScale.DONT_KNOW,
    }
    with pytest.raises(InvalidInput):
        b.validate_promote_hinder({"citizens": "loved_it"})


def test_politically_initiated_follows_seed_003() -> None:
    assert b.is_politically_initiated(["nearest_political_leadership"])
    assert b.is_politically_initiated(["employees", "new_legislation_national_requirements"])
    assert not b.is_politically_initiated(["employees", "citizens_users"])


# --- reference figures ----------------------------------------------------------------------


def test_reference_figures_load_with_provenance() -> None:
    frame = b.load_reference_figures()
    assert len(frame) >= 40
    for column in ("edition", "period", "source"):
        assert frame[column].notna().all()
        assert (frame[column].str.strip() != "").all(), column
    assert frame["value_pct"].between(0, 100).all()
    assert frame["edition"].isin(["1", "2", "3", "4"]).all()
    assert (frame["n"].dropna() > 0).all()
    # Anything unconfirmed or approximate must say why.
    flagged = frame[~frame["verified"] | frame["approximate"]]
    assert flagged["note"].notna().all()


def test_unverified_rounds_are_flagged() -> None:
    figure = b.get_reference_figure("initiated_by_workplace_manager")
    assert figure.value_pct == 39
    assert figure.n == 1352
    assert not figure.verified
    assert figure.note is not None and "unverified" in figure.note


def test_political_goals_pair_is_present() -> None:
    ours = b.get_reference_figure("value_political_goals", "politically_initiated", "3")
    others = b.get_reference_figure("value_political_goals", "other_initiated", "3")
    assert (ours.value_pct, others.value_pct) == (57, 25)
    assert ours.n == others.n == 1877
    assert ours.period == "2018–19"
    assert "Fornyelse fra oven" in ours.source
    assert ours.share == pytest.approx(0.57)


@pytest.mark.parametrize(
    ("metric_key", "subgroup", "value_pct"),
    [
        ("political_decisions_positive_role", "all", 59),
        ("promoted_by_nearest_political_leadership", "all", 41),
        ("initiated_by_political_decisions", "regional", 13),
        ("value_citizen_involvement", "initiated_nearest_political_leadership", 37),
        ("value_citizen_involvement", "initiated_new_legislation", 29),
        ("value_employee_satisfaction", "politically_initiated", 37),
        ("value_employee_satisfaction", "other_initiated", 51),
        ("novelty_largely_copy", "politically_initiated", 17),
        ("citizens_positive_role", "all", 57),
    ],
)
def test_seed_003_figures(metric_key: str, subgroup: str, value_pct: float) -> None:
    assert b.get_reference_figure(metric_key, subgroup, "3").value_pct == value_pct


def test_newest_confirmed_round_wins() -> None:
    # Edition 3 says 11 %; the 12 % figure is probably edition 4 but unconfirmed.
    assert b.get_reference_figure("initiated_by_nearest_political_leadership").value_pct == 11
    later = b.get_reference_figure("initiated_by_nearest_political_leadership", edition="4")
    assert later.value_pct == 12
    assert not later.verified
    assert b.get_reference_figure("evaluated_any").edition == "2"
    assert [f.edition for f in b.list_reference_figures(metric_key="evaluated_any")] == [
        "2",
        "1",
        "3",
    ]


def test_unknown_figure() -> None:
    with pytest.raises(NotFound) as error:
        b.get_reference_figure("value_happiness")
    assert error.value.key == "error.barometer.unknown_figure"


def test_every_comparison_has_a_national_figure() -> None:
    for comparison in b.COMPARISONS:
        figure = b.get_reference_figure(comparison.metric_key, comparison.subgroup, "3")
        assert figure.verified
        assert not figure.approximate


def test_loader_returns_a_copy() -> None:
    frame = b.load_reference_figures()
    frame.loc[0, "value_pct"] = -1
    assert float(b.load_reference_figures()["value_pct"].iloc[0]) >= 0


# --- value shares ---------------------------------------------------------------------------

EXAMPLE = [
    outcome(1, ["quality", "political_goals"], ["political_goals"], initiated_politically=True),
    outcome(2, ["quality", "efficiency"], ["quality", "efficiency", "quality"]),
    outcome(3, ["citizen_involvement"], []),  # not followed up yet
    outcome(4, [], ["employee_satisfaction"]),
]


def test_value_shares_on_a_hand_made_example() -> None:
    frame = b.value_shares_frame(EXAMPLE)
    assert list(frame.columns) == ["value", "stage", "count", "n", "share", "small_n"]
    assert set(frame["value"]) == {v.value for v in b.CORE_VALUES}

    quality_expected = row(frame, value="quality", stage="expected")
    assert (quality_expected["count"], quality_expected["n"]) == (2, 3)
    assert quality_expected["share"] == pytest.approx(2 / 3)

    # Outcome 3 has no realised values yet and stays out of the realised base.
    quality_realised = row(frame, value="quality", stage="realised")
    assert (quality_realised["count"], quality_realised["n"]) == (1, 3)
    assert row(frame, value="citizen_involvement", stage="realised")["count"] == 0
    assert row(frame, value="employee_satisfaction", stage="expected")["count"] == 0
    assert frame["small_n"].all()


def test_value_shares_accept_a_dataframe() -> None:
    from_records = b.value_shares_frame(EXAMPLE)
    from_frame = b.value_shares_frame(pd.DataFrame(EXAMPLE))
    pd.testing.assert_frame_equal(from_records, from_frame)


def test_norwegian_extras_appear_only_when_used() -> None:
    frame = b.value_shares_frame([outcome(1, ["avoided_costs"], ["quality"])])
    assert "avoided_costs" in set(frame["value"])
    assert "value_for_business" not in set(frame["value"])


def test_no_outcomes_means_no_shares() -> None:
    frame = b.value_shares_frame([])
    assert (frame["n"] == 0).all()
    assert frame["share"].isna().all()


@pytest.mark.parametrize(
    ("records", "error_key"),
    [
        ([outcome(1, ["happiness"])], "error.barometer.unknown_key"),
        ([{"outcome_id": 1, "values_expected": []}], "error.barometer.missing_column"),
        ([outcome(1), outcome(1)], "error.barometer.duplicate_outcome"),
        ([outcome(1) | {"values_realised": "quality"}], "error.barometer.invalid_field"),
    ],
)
def test_bad_outcome_records(records: list[dict[str, Any]], error_key: str) -> None:
    with pytest.raises(InvalidInput) as error:
        b.value_shares_frame(records)
    assert error.value.key == error_key


value_keys = st.lists(st.sampled_from([v.value for v in b.Value]), max_size=9)
outcome_lists = st.lists(
    st.tuples(value_keys, value_keys, st.sampled_from([True, False, None])), max_size=40
).map(
    lambda rows: [
        outcome(i, expected, realised, initiated_politically=political)
        for i, (expected, realised, political) in enumerate(rows)
    ]
)


@given(outcome_lists)
def test_shares_are_proportions(records: list[dict[str, Any]]) -> None:
    frame = b.value_shares_frame(records)
    assert (frame["count"] <= frame["n"]).all()
    with_base = frame[frame["n"] > 0]
    assert with_base["share"].between(0, 1).all()
    assert frame.loc[frame["n"] == 0, "share"].isna().all()
    realised_n = sum(bool(r["values_realised"]) for r in records)
    assert (frame.loc[frame["stage"] == "realised", "n"] == realised_n).all()


# --- Wilson interval ------------------------------------------------------------------------


@given(
    st.integers(min_value=1, max_value=2000).flatmap(
        lambda n: st.tuples(st.integers(0, n), st.just(n))
    )
)
def test_wilson_interval_contains_the_estimate(pair: tuple[int, int]) -> None:
    successes, n = pair
    low, high = b.wilson_interval(successes, n)
    assert 0.0 <= low <= successes / n <= high <= 1.0


def test_wilson_interval_known_values() -> None:
    assert b.wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    low, high = b.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    with pytest.raises(ValueError):
        b.wilson_interval(0, 0)
    with pytest.raises(ValueError):
        b.wilson_interval(3, 2)


# --- national comparison --------------------------------------------------------------------


def test_comparison_on_a_small_hand_made_example() -> None:
    records = [
        outcome(1, realised=["political_goals", "quality"], initiated_politically=True),
        outcome(2, realised=["political_goals"], initiated_politically=True),
        outcome(3, realised=["employee_satisfaction"], initiated_politically=True),
        outcome(4, realised=["employee_satisfaction"], initiated_politically=False),
        outcome(5, expected=["political_goals"], initiated_politically=True),  # no value yet
    ]
    frame = b.national_comparison_frame(records)
    assert len(frame) == len(b.COMPARISONS)

    political = row(frame, metric_key="value_political_goals", subgroup="politically_initiated")
    assert (political["our_count"], political["our_n"]) == (2, 3)
    assert political["our_share"] == pytest.approx(2 / 3)
    assert political["ci_low"] < 2 / 3 < political["ci_high"]
    assert political["national_share"] == pytest.approx(0.57)
    assert political["national_n"] == 1877
    assert political["edition"] == "3"
    assert political["small_n"]
    assert political["note_key"] == "barometer.note.small_n"

    other = row(frame, metric_key="value_political_goals", subgroup="other_initiated")
    assert (other["our_count"], other["our_n"]) == (0, 1)
    assert other["national_share"] == pytest.approx(0.25)

    # No initiators recorded: the rows that need them say so instead of showing 0 %.
    nearest = row(frame, subgroup="initiated_nearest_political_leadership")
    assert nearest["our_n"] == 0
    assert math.isnan(nearest["our_share"])
    assert nearest["note_key"] == "barometer.note.needs_initiators"

    text = translate("en", political["note_key"], n=political["our_n"], min_n=political["min_n"])
    assert "3" in text and "30" in text


def test_comparison_with_enough_outcomes_has_no_note() -> None:
    records = [
        outcome(
            i, realised=["political_goals"] if i % 2 else ["quality"], initiated_politically=True
        )
        for i in range(40)
    ]
    political = row(
        b.national_comparison_frame(records),
        metric_key="value_political_goals",
        subgroup="politically_initiated",
    )
    assert (political["our_count"], political["our_n"]) == (20, 40)
    assert not political["small_n"]
    assert political["note_key"] == ""


def test_comparison_uses_initiators() -> None:
    records = [
        outcome(1, realised=["citizen_involvement"], initiators=["nearest_political_leadership"]),
        outcome(2, realised=["quality"], initiators=["new_legislation_national_requirements"]),
        outcome(3, realised=["citizen_involvement"], initiators=["employees"]),
        # An explicit flag wins over what the initiators would imply.
        outcome(
            4, realised=["political_goals"], initiators=["employees"], initiated_politically=True
        ),
    ]
    frame = b.national_comparison_frame(records)
    nearest = row(frame, subgroup="initiated_nearest_political_leadership")
    assert (nearest["our_count"], nearest["our_n"]) == (1, 1)
    assert nearest["national_share"] == pytest.approx(0.37)
    law = row(frame, subgroup="initiated_new_legislation")
    assert (law["our_count"], law["our_n"]) == (0, 1)
    political = row(frame, metric_key="value_political_goals", subgroup="politically_initiated")
    assert (political["our_count"], political["our_n"]) == (1, 3)
    other = row(frame, metric_key="value_citizen_involvement", subgroup="other_initiated")
    assert (other["our_count"], other["our_n"]) == (1, 1)


def test_comparison_needs_to_know_who_initiated() -> None:
    with pytest.raises(InvalidInput) as error:
        b.national_comparison_frame([outcome(1, realised=["quality"])])
    assert error.value.key == "error.barometer.missing_column"


def test_comparison_of_nothing() -> None:
    frame = b.national_comparison_frame([])
    assert (frame["our_n"] == 0).all()
    assert frame["small_n"].all()
    assert set(frame["note_key"]) <= {
        "barometer.note.no_outcomes",
        "barometer.note.needs_initiators",
    }


# --- charts ---------------------------------------------------------------------------------


def dataset(spec: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = spec["datasets"][data["name"]]
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_value_shares_chart(lang: str) -> None:
    spec = b.value_shares_chart(b.value_shares_frame(EXAMPLE), lang).to_dict()
    assert spec["mark"]["type"] == "bar"
    encoding = spec["encoding"]
    assert encoding["x"]["field"] == "share"
    assert encoding["x"]["title"] == translate(lang, "barometer.chart.share")
    assert encoding["y"]["field"] == "value_label"
    assert encoding["yOffset"]["field"] == "stage_label"
    assert encoding["color"]["field"] == "stage_label"
    assert spec["title"] == translate(lang, "barometer.chart.value_shares_title")
    rows = dataset(spec, spec["data"])
    assert {r["value_label"] for r in rows} == {b.label(v, lang, short=True) for v in b.CORE_VALUES}
    assert {r["stage_label"] for r in rows} == {
        translate(lang, f"barometer.stage.{stage.value}") for stage in b.Stage
    }


def test_value_shares_chart_of_nothing() -> None:
    spec = b.value_shares_chart(b.value_shares_frame([]), "da").to_dict()
    assert dataset(spec, spec["data"]) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_national_comparison_chart(lang: str) -> None:
    records = [
        outcome(1, realised=["political_goals"], initiated_politically=True),
        outcome(2, realised=["quality"], initiated_politically=False),
    ]
    spec = b.national_comparison_chart(b.national_comparison_frame(records), lang).to_dict()
    intervals, markers = spec["layer"]
    assert intervals["mark"]["type"] == "rule"
    assert intervals["encoding"]["x"]["field"] == "ci_low"
    assert intervals["encoding"]["x2"]["field"] == "ci_high"
    assert markers["mark"]["type"] == "point"
    assert markers["encoding"]["x"]["field"] == "share"
    assert markers["encoding"]["y"]["field"] == "row_lines"  # row_label, wrapped into lines
    assert markers["encoding"]["color"]["field"] == "series"
    series = {r["series"].replace("\n", " ") for r in dataset(spec, markers["data"])}
    assert series == {
        translate(lang, "barometer.series.ours"),
        translate(lang, "barometer.series.national"),
    }
    labels = {r["row_label"] for r in dataset(spec, markers["data"])}
    assert labels == {translate(lang, c.row_key) for c in b.COMPARISONS}
    notes = {r["note"] for r in dataset(spec, markers["data"])}
    assert translate(lang, "barometer.note.small_n", n=1, min_n=b.MIN_N) in notes
    assert spec["title"]["text"] == translate(lang, "barometer.chart.national_title")


def test_national_chart_without_outcomes_of_ours_draws_no_empty_layer() -> None:
    """An empty layer is drawn as an unnamed graphics symbol (axe-core: svg-img-alt, serious);
    before the first outcome only the national figures are drawn."""
    spec = b.national_comparison_chart(b.national_comparison_frame([]), "da").to_dict()
    (markers,) = spec["layer"]
    assert markers["mark"]["type"] == "point"
    series = {r["series"].replace("\n", " ") for r in dataset(spec, spec["data"])}  # on top
    assert series == {translate("da", "barometer.series.national")}


def test_national_chart_writes_n_the_local_way() -> None:
    frame = b.national_comparison_frame([])
    subtitles = {
        lang: " ".join(b.national_comparison_chart(frame, lang).to_dict()["title"]["subtitle"])
        for lang in LANGUAGES
    }
    assert "1.877" in subtitles["da"]
    assert "1\u00a0877" in subtitles["nb"]
    assert "1,877" in subtitles["en"]


def test_national_chart_fits_a_phone() -> None:
    """Subtitle lines are short and row labels break at " · ", so a 390 px phone shows them."""
    spec = b.national_comparison_chart(b.national_comparison_frame([]), "da").to_dict()
    assert all(len(line) <= 46 for line in spec["title"]["subtitle"])
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert "split" in axis["labelExpr"]
