"""Every method's chart builds from a real tally and encodes what it should."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from tests.test_chart_layout import fits, values, walk
from workshop.chart_layout import AXIS_CHARS, LABEL_LIMIT, LINES
from workshop.voting import charts as vote_charts
from workshop.voting import opinion_groups, tallies

TEXTS = {1: "Længere åbent", 2: "Stillerum", 3: "Værktøj til udlån"}
STANCES = {
    "agree": "Enig",
    "disagree": "Uenig",
    "pass": "Spring over",
    "share": "Andel",
    "statement": "Udsagn",
}


def fields(chart) -> str:
    return str(chart.to_dict())


def test_dots_chart() -> None:
    tally = tallies.tally_dots([tallies.DotVote(1, 1, 2), tallies.DotVote(2, 3, 1)], [1, 2, 3])
    spec = fields(vote_charts.dots_chart(tally, TEXTS, dots="Prikker", idea="Idé"))
    assert "Prikker" in spec and "Længere åbent" in spec


def test_statements_chart_uses_the_given_words() -> None:
    lines = tallies.tally_statements(
        [tallies.StatementVote(1, 1, 1), tallies.StatementVote(2, 1, -1)]
    )
    chart = vote_charts.statements_chart(lines, TEXTS, words=STANCES)
    spec = fields(chart)
    assert "Enig" in spec and "Uenig" in spec and "normalize" in spec
    # Below the bars, one stance a line: a side legend halves the bars on a phone.
    legend = chart.to_dict()["encoding"]["color"]["legend"]
    assert (legend["orient"], legend["columns"]) == ("bottom", 1)


def test_pairwise_chart_scale_is_0_to_100() -> None:
    scores = tallies.tally_pairwise([tallies.PairwiseVote(1, 2, 1)], [1, 2])
    spec = vote_charts.pairwise_chart(scores, TEXTS, score="Score", idea="Idé").to_dict()
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 100]


def test_two_axis_chart_marks_the_middle_of_the_scale() -> None:
    positions = tallies.tally_two_axis([tallies.AxisScore(1, 1, 5, 4)], [1, 2])
    spec = fields(
        vote_charts.two_axis_chart(positions, TEXTS, impact="Effekt", feasibility="Gennemførlighed")
    )
    assert "Effekt" in spec and "Gennemførlighed" in spec and "3.0" in spec


def test_ranked_chart_lists_the_winner_first() -> None:
    result = tallies.tally_ranked([[2, 1, 3], [2, 3, 1], [1, 2, 3]], [1, 2, 3])
    spec = fields(vote_charts.ranked_chart(result, TEXTS, wins="Slår", idea="Idé"))
    assert "1. Stillerum" in spec


def test_consent_chart_counts_blocks() -> None:
    result = tallies.check_consent(
        [tallies.ConsentVote(1, "agree"), tallies.ConsentVote(2, "block", "nej")]
    )
    words = {
        "agree": "Enig",
        "abstain": "Afstår",
        "concerns": "Betænkeligheder",
        "block": "Blokerer",
        "count": "Antal",
    }
    assert "Blokerer" in fields(vote_charts.consent_chart(result, words=words))


def test_opinion_map_chart_colours_groups() -> None:
    rng = np.random.default_rng(1)
    votes = [
        (p, s, 1 if (p % 2) == (s % 2) else -1)
        for p in range(30)
        for s in range(8)
        if rng.random() < 0.9
    ]
    groups = opinion_groups.compute_opinion_groups(opinion_groups.build_vote_matrix(votes))
    chart = vote_charts.opinion_map_chart(groups, group="Gruppe", names={0: "A", 1: "B"})
    spec = fields(chart)
    assert "Gruppe" in spec
    assert chart.to_dict()["encoding"]["color"]["legend"]["orient"] == "bottom"
    assert "'A'" in spec or '"A"' in spec


# -- a 390 px phone: idea texts wrapped into short lines, drawn whole --------------------------

LONG = {
    1: "Et bibliotek der er åbent hele døgnet for alle borgere i hele kommunen, også om natten",
    2: "Stillerum",
    3: "Medarbejdertilfredshedsundersøgelsen skal bruges til at planlægge bemandingen",
}


def idea_charts() -> dict[str, dict[str, Any]]:
    """Every chart that draws idea texts on its axis, built from long ideas."""
    dots = tallies.tally_dots([tallies.DotVote(1, 1, 2), tallies.DotVote(2, 3, 1)], [1, 2, 3])
    statements = tallies.tally_statements(
        [tallies.StatementVote(1, 1, 1), tallies.StatementVote(2, 3, -1)]
    )
    pairwise = tallies.tally_pairwise([tallies.PairwiseVote(1, 2, 1)], [1, 2, 3])
    ranked = tallies.tally_ranked([[2, 1, 3], [1, 3, 2]], [1, 2, 3])
    charts = {
        "dots": vote_charts.dots_chart(dots, LONG, dots="Prikker", idea="Idé"),
        "statements": vote_charts.statements_chart(statements, LONG, words=STANCES),
        "pairwise": vote_charts.pairwise_chart(pairwise, LONG, score="Score", idea="Idé"),
        "ranked": vote_charts.ranked_chart(ranked, LONG, wins="Slår", idea="Idé"),
    }
    return {name: chart.to_dict() for name, chart in charts.items()}


@pytest.mark.parametrize("name", ["dots", "statements", "pairwise", "ranked"])
def test_every_idea_axis_wraps_its_labels_and_fits_its_rows(name: str) -> None:
    spec = idea_charts()[name]
    y = spec["encoding"]["y"]
    # Drawn as their lines, whole (a limit wide enough for the projector's type), none hidden.
    assert y["axis"]["labelExpr"] == LINES
    assert y["axis"]["labelOverlap"] is False
    assert y["axis"]["labelLimit"] >= LABEL_LIMIT
    labels = values(spec, spec, y["field"])
    assert all(fits(label, AXIS_CHARS) for label in labels), labels
    lines = max(label.count("\n") + 1 for label in labels)
    assert lines >= 3  # the long ideas did wrap
    # Tall enough for the lines in the projector's 20 px type (on a phone, 14 px a line).
    assert spec["height"]["step"] >= vote_charts.IDEA_LINE_PX * lines + 10
    # Every word of a shortened text is kept whole, and the tooltip has the whole text.
    assert any("Medarbejdertilfredshedsundersøgelsen" in label for label in labels)
    tooltip = spec["encoding"]["tooltip"][0]
    assert tooltip["field"] == "text"
    assert set(LONG.values()) >= values(spec, spec, "text") >= {LONG[1], LONG[3]}


def test_a_short_idea_keeps_one_line_and_the_usual_row() -> None:
    tally = tallies.tally_dots([tallies.DotVote(1, 1, 2)], [1, 2])
    spec = vote_charts.dots_chart(tally, TEXTS, dots="Prikker", idea="Idé").to_dict()
    assert values(spec, spec, "idea") == {"Længere åbent", "Stillerum"}
    assert spec["height"] == {"step": vote_charts.IDEA_LINE_PX + 10}


def test_ranked_labels_keep_their_place_on_the_first_line() -> None:
    spec = idea_charts()["ranked"]
    first = {label.split("\n")[0] for label in values(spec, spec, "idea")}
    assert {line.split(" ")[0] for line in first} == {"1.", "2.", "3."}


def test_two_axis_names_wrap_and_run_towards_the_middle() -> None:
    positions = tallies.tally_two_axis(
        [tallies.AxisScore(1, 1, 5, 5), tallies.AxisScore(1, 3, 2, 1)], [1, 3]
    )
    spec = vote_charts.two_axis_chart(
        positions, LONG, impact="Effekt", feasibility="Gennemførlighed"
    ).to_dict()
    texts = [view for view in walk(spec) if "text" in view["encoding"]]
    assert len(texts) == 2
    for view in texts:
        assert view["mark"]["lineBreak"] == "\n"
        # A side without points is an empty layer: an unnamed graphics symbol unless hidden
        # from the accessibility tree (the points name their ideas).
        assert view["mark"]["aria"] is False
        (where,) = view["transform"]
        # Right of the middle a name ends at its point; left of it, it starts there.
        assert view["mark"]["align"] == ("right" if ">" in where["filter"] else "left")
    labels = values(spec, spec["layer"][2], "label")
    assert all(fits(label, vote_charts.POINT_CHARS) for label in labels), labels
    assert values(spec, spec["layer"][2], "idea") == {LONG[1], LONG[3]}  # whole, in the tooltip
    # The 2×2 split on the points' own scale, which does not start at 0.
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [1, 5]
    assert spec["layer"][1]["encoding"]["y"]["scale"]["domain"] == [1, 5]


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_every_tooltip_and_number_of_the_result_charts_reads_in_the_readers_language(
    lang,
) -> None:
    """Tooltips (and the screen-reader tables built from them) showed "stance", "count", "wins",
    "losses", "n" and "idea"; Vega wrote numbers as "1,234.5" and "50%"."""
    from streamlit.testing.v1 import AppTest

    def draw() -> None:
        import json

        import streamlit as st

        from workshop.chart_layout import with_reader_locale
        from workshop.ui import state
        from workshop.ui.results import pairwise_words, stance_words, two_axis_words
        from workshop.voting import charts, tallies

        st.session_state[state.LANG] = st.query_params["lang"]
        texts = {1: "Bænke", 2: "Lys"}
        built = [
            charts.statements_chart(
                (tallies.StatementTally(1, 3, 1, 1),), texts, words=stance_words()
            ),
            charts.pairwise_chart(
                (tallies.PairwiseScore(1, 3, 1, 0, 75.0),), texts, idea="Idé", **pairwise_words()
            ),
            charts.two_axis_chart(
                (tallies.IdeaPosition(1, 2, 4.5, 3.5, None),), texts, **two_axis_words()
            ),
        ]
        specs = [with_reader_locale(c, st.query_params["lang"]).to_dict() for c in built]
        st.session_state["specs"] = json.dumps(specs, ensure_ascii=False)

    at = AppTest.from_function(draw, default_timeout=30)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    specs = json.loads(at.session_state["specs"])
    titles: list[str] = []

    def tooltips(node) -> None:
        if isinstance(node, dict):
            tooltip = node.get("tooltip")
            if isinstance(tooltip, list):
                titles.extend(str(t.get("title")) for t in tooltip if isinstance(t, dict))
            for value in node.values():
                tooltips(value)
        elif isinstance(node, list):
            for value in node:
                tooltips(value)

    tooltips(specs)
    assert titles and not {"None", "stance", "count", "wins", "losses", "n", "idea"} & set(titles)
    for spec in specs:
        assert spec["config"]["locale"]["number"]["decimal"] == ","
