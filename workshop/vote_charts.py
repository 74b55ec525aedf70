"""Altair charts for every voting method and for opinion groups. No streamlit here.

Each builder takes a tally from :mod:`workshop.tallies` (or opinion groups), the ideas' texts
by id, and the already translated words it needs, so the same chart serves the phone, the
projector, the summary and the PDF in any language.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from workshop import opinion_groups, tallies
from workshop.chart_layout import bottom_legend

GREEN, RED, GREY, BLUE = "#0b6e4f", "#b00020", "#9e9e9e", "#1f5f99"
LABEL_CHARS = 60


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _label(texts: Mapping[tallies.Id, str], idea_id: tallies.Id) -> str:
    return _short(texts.get(idea_id, str(idea_id)))


def dots_chart(
    tally: tallies.DotTally, texts: Mapping[tallies.Id, str], *, dots: str, idea: str
) -> alt.Chart:
    frame = pd.DataFrame(
        [{"idea": _label(texts, line.idea_id), "dots": line.dots} for line in tally.ideas],
        columns=["idea", "dots"],
    )
    return (
        alt.Chart(frame)
        .mark_bar(color=GREEN)
        .encode(
            x=alt.X("dots:Q", title=dots, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("idea:N", title=idea, sort="-x", axis=alt.Axis(labelLimit=380)),
        )
        .properties(height=alt.Step(28))
    )


def statements_chart(
    lines: tuple[tallies.StatementTally, ...],
    texts: Mapping[tallies.Id, str],
    *,
    words: Mapping[str, str],
) -> alt.Chart:
    """Stacked shares of agree / pass / disagree per statement; ``words`` holds the labels
    for ``agree``, ``disagree``, ``pass``, ``share`` and ``statement``."""
    rows = []
    for line in lines:
        for stance, count, share in (
            ("agree", line.agree, line.agree_share),
            ("pass", line.passed, line.pass_share),
            ("disagree", line.disagree, line.disagree_share),
        ):
            rows.append(
                {
                    "statement": _label(texts, line.statement_id),
                    "stance": words[stance],
                    "order": ("agree", "pass", "disagree").index(stance),
                    "share": share,
                    "count": count,
                }
            )
    frame = pd.DataFrame(rows, columns=["statement", "stance", "order", "share", "count"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=words["share"], stack="normalize", axis=alt.Axis(format="%")),
            y=alt.Y("statement:N", title=words["statement"], axis=alt.Axis(labelLimit=380)),
            color=alt.Color(
                "stance:N",
                title=None,
                scale=alt.Scale(
                    domain=[words["agree"], words["pass"], words["disagree"]],
                    range=[GREEN, GREY, RED],
                ),
                legend=bottom_legend(),
            ),
            order=alt.Order("order:Q"),
            tooltip=["statement:N", "stance:N", "count:Q", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=alt.Step(28))
    )


def pairwise_chart(
    scores: tuple[tallies.PairwiseScore, ...],
    texts: Mapping[tallies.Id, str],
    *,
    score: str,
    idea: str,
) -> alt.Chart:
    frame = pd.DataFrame(
        [
            {"idea": _label(texts, s.idea_id), "score": s.score, "wins": s.wins, "losses": s.losses}
            for s in scores
        ],
        columns=["idea", "score", "wins", "losses"],
    )
    return (
        alt.Chart(frame)
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X("score:Q", title=score, scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("idea:N", title=idea, sort="-x", axis=alt.Axis(labelLimit=380)),
            tooltip=["idea:N", alt.Tooltip("score:Q", format=".0f"), "wins:Q", "losses:Q"],
        )
        .properties(height=alt.Step(28))
    )


def two_axis_chart(
    positions: tuple[tallies.IdeaPosition, ...],
    texts: Mapping[tallies.Id, str],
    *,
    impact: str,
    feasibility: str,
    low: float = 1,
    high: float = 5,
) -> alt.LayerChart | alt.FacetChart:
    """Ideas on impact × feasibility with the 2×2 split at the middle of the scale."""
    frame = pd.DataFrame(
        [
            {
                "idea": _label(texts, p.idea_id),
                "impact": p.impact,
                "feasibility": p.feasibility,
                "n": p.n,
            }
            for p in positions
            if p.n
        ],
        columns=["idea", "impact", "feasibility", "n"],
    )
    middle = (low + high) / 2
    scale = alt.Scale(domain=[low, high])
    points = (
        alt.Chart(frame)
        .mark_circle(size=160, color=GREEN, opacity=0.85)
        .encode(
            x=alt.X("feasibility:Q", title=feasibility, scale=scale),
            y=alt.Y("impact:Q", title=impact, scale=scale),
            tooltip=[
                "idea:N",
                alt.Tooltip("impact:Q", format=".1f"),
                alt.Tooltip("feasibility:Q", format=".1f"),
                "n:Q",
            ],
        )
    )
    names = points.mark_text(align="left", dx=9, fontSize=12).encode(text="idea:N")
    rules = alt.Chart(pd.DataFrame({"v": [middle]}))
    return alt.layer(
        rules.mark_rule(color=GREY, strokeDash=[4, 4]).encode(x="v:Q"),
        rules.mark_rule(color=GREY, strokeDash=[4, 4]).encode(y="v:Q"),
        points,
        names,
    ).properties(height=360)


def ranked_chart(
    result: tallies.RankedResult, texts: Mapping[tallies.Id, str], *, wins: str, idea: str
) -> alt.Chart:
    """Candidates in the result's order, with how many others each beats head to head."""
    index = {c: i for i, c in enumerate(result.candidates)}
    rows = []
    for place, candidate in enumerate(result.ranking, start=1):
        i = index[candidate]
        beaten = sum(
            1
            for j in range(len(result.candidates))
            if j != i and result.pairwise[i][j] > result.pairwise[j][i]
        )
        rows.append(
            {"idea": f"{place}. {_label(texts, candidate)}", "place": place, "beats": beaten}
        )
    frame = pd.DataFrame(rows, columns=["idea", "place", "beats"])
    return (
        alt.Chart(frame)
        .mark_bar(color=GREEN)
        .encode(
            x=alt.X("beats:Q", title=wins, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y(
                "idea:N",
                title=idea,
                sort=alt.EncodingSortField("place"),
                axis=alt.Axis(labelLimit=380),
            ),
        )
        .properties(height=alt.Step(28))
    )


def consent_chart(result: tallies.ConsentResult, *, words: Mapping[str, str]) -> alt.Chart:
    """Responses to a consent check; ``words`` labels agree/abstain/concerns/block/count."""
    frame = pd.DataFrame(
        [
            {"response": words["agree"], "count": result.agree, "order": 0},
            {"response": words["abstain"], "count": result.abstain, "order": 1},
            {"response": words["concerns"], "count": len(result.concerns), "order": 2},
            {"response": words["block"], "count": len(result.blocks), "order": 3},
        ]
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=words["count"], axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("response:N", title=None, sort=alt.EncodingSortField("order")),
            color=alt.Color(
                "response:N",
                legend=None,
                scale=alt.Scale(
                    domain=[words["agree"], words["abstain"], words["concerns"], words["block"]],
                    range=[GREEN, GREY, "#e0a800", RED],
                ),
            ),
        )
        .properties(height=alt.Step(34))
    )


def opinion_map_chart(
    groups: opinion_groups.OpinionGroups, *, group: str, names: Mapping[int, str]
) -> alt.Chart:
    """Each participant as a point on the two opinion axes, coloured by group (A, B, …)."""
    frame = pd.DataFrame(
        {
            "x": groups.coordinates[:, 0] if len(groups.coordinates) else [],
            "y": groups.coordinates[:, 1] if len(groups.coordinates) else [],
            "group": [names.get(int(label), str(label)) for label in groups.labels],
        }
    )
    return (
        alt.Chart(frame)
        .mark_circle(size=70, opacity=0.8)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            color=alt.Color("group:N", title=group, legend=bottom_legend()),
        )
        .properties(height=320)
    )
