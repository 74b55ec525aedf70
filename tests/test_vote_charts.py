"""Every method's chart builds from a real tally and encodes what it should."""

from __future__ import annotations

import numpy as np

from workshop import opinion_groups, tallies, vote_charts

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
