"""Altair charts for every voting method and for opinion groups. No streamlit here.

Each builder takes a tally from :mod:`workshop.voting.tallies` (or opinion groups), the ideas' texts
by id, and the already translated words it needs, so the same chart serves the phone, the
projector, the summary and the PDF in any language.

Idea texts are wrapped into short lines in Python (:mod:`workshop.chart_layout`), so a long idea
neither squeezes the bars on a 390 px phone nor is cut by Vega; rows grow to fit their lines, and
the tooltip keeps the whole text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from workshop.chart_layout import AXIS_CHARS, bottom_legend, category_axis, row_step, wrap
from workshop.voting import opinion_groups, tallies

GREEN, RED, GREY, BLUE = "#0b6e4f", "#b00020", "#9e9e9e", "#1f5f99"
#: An idea's label is its first characters (the tooltip has the whole text): at most 3 lines.
LABEL_CHARS = 60
#: Characters per line of an idea's name beside its point on the impact × feasibility plot:
#: half a phone's plot, as a name runs from its point towards the middle.
POINT_CHARS = 20
#: Pixels a wrapped idea line may take: on a phone a line of ``AXIS_CHARS`` takes ≈ 170 px,
#: and a limit never widens a label (the projector's 26 px type has its own, ``for_projector``).
IDEA_LABEL_LIMIT = 400
#: Pixels a wrapped idea line takes (generous for Vega's 11 px axis type): rows are sized for
#: it, so a three-line label overlaps no other.
IDEA_LINE_PX = 23
#: Text on the projector: axis labels, numbers, titles and legends, readable from the back row
#: (at least 24 px at 1080p), dark on white (contrast ≥ 4.5:1; Vega's own greys are lighter).
PROJECTOR_FONT_PX = 26
INK = "#1a1a1a"


@dataclass(frozen=True)
class TypeSize:
    """How a chart's idea labels are laid out: characters per wrapped line, the height of a
    line, the size of the names beside the points of the impact × feasibility plot, how wide
    a label may be, and whether the idea axis has a title."""

    axis_chars: int = AXIS_CHARS
    line_px: int = IDEA_LINE_PX
    point_font_px: int = 12
    point_chars: int = POINT_CHARS
    label_limit_px: int = IDEA_LABEL_LIMIT
    #: The idea axis's title ("Idea"); the projector's heading already says what is shown.
    idea_title: bool = True


#: Phones, the console and the summaries.
NORMAL = TypeSize()
#: The projector: 26 px type; a line of 40 characters takes ≈ 560 px of a 1,400 px chart.
PROJECTOR = TypeSize(
    axis_chars=40,
    line_px=32,
    point_font_px=PROJECTOR_FONT_PX,
    point_chars=24,
    label_limit_px=IDEA_LABEL_LIMIT + 300,
    idea_title=False,
)


def rows_that_fit(texts: Sequence[str], height_px: int, size: TypeSize = PROJECTOR) -> int:
    """How many of the ideas ``texts`` (best first) fit as bars in ``height_px``: rows are as
    tall as the longest wrapped label among those shown (:func:`row_step`), so one long idea
    among the first makes every row taller and fewer fit. At least one."""
    labels: list[str] = []
    fits = 1
    for text in texts:
        labels.append(wrap(_short(text), size.axis_chars))
        if len(labels) * int(row_step(labels, line_px=size.line_px).step) > height_px:
            break
        fits = len(labels)
    return fits


def for_projector(chart: Any) -> Any:
    """``chart`` in the projector's type: every label, number, title and legend at
    ``PROJECTOR_FONT_PX`` in dark ink, drawn as SVG (its text measurable and sharp)."""
    font = PROJECTOR_FONT_PX
    return (
        chart.configure_axis(
            labelFontSize=font,
            titleFontSize=font,
            labelColor=INK,
            titleColor=INK,
            labelLimit=IDEA_LABEL_LIMIT + 300,
            titlePadding=12,
        )
        .configure_legend(
            labelFontSize=font, titleFontSize=font, labelColor=INK, titleColor=INK, symbolSize=400
        )
        .configure_text(fontSize=font, color=INK)
        # Room around the chart: a large rotated axis title's box stays inside it.
        .properties(
            padding={"left": 12, "right": 12, "top": 12, "bottom": 12},
            usermeta={"embedOptions": {"renderer": "svg"}},
        )
    )


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _text(texts: Mapping[tallies.Id, str], idea_id: tallies.Id) -> str:
    return texts.get(idea_id, str(idea_id))


def _label(
    texts: Mapping[tallies.Id, str], idea_id: tallies.Id, *, prefix: str = "", width: int = 0
) -> str:
    """The idea's (shortened) text in lines of at most ``width`` characters."""
    return wrap(prefix + _short(_text(texts, idea_id)), width or AXIS_CHARS)


def _idea_y(field: str, title: str, *, sort: Any = alt.Undefined, size: TypeSize = NORMAL) -> alt.Y:
    """The axis of wrapped idea labels, every line drawn whole."""
    return alt.Y(
        f"{field}:N",
        title=title if size.idea_title else None,
        sort=sort,
        axis=category_axis(labelLimit=size.label_limit_px),
    )


def _idea_bars(
    frame: pd.DataFrame,
    x: alt.X,
    *,
    idea: str,
    color: str,
    sort: Any,
    tooltip: list[Any],
    size: TypeSize = NORMAL,
) -> alt.Chart:
    """One bar per idea (column ``idea``: its wrapped label), each row tall enough for its lines;
    the tooltip starts with the whole text (column ``text``)."""
    return (
        alt.Chart(frame)
        .mark_bar(color=color)
        .encode(
            x=x,
            y=_idea_y("idea", idea, sort=sort, size=size),
            tooltip=[alt.Tooltip("text:N", title=idea), *tooltip],
        )
        .properties(height=row_step(frame["idea"], line_px=size.line_px))
    )


def _titled(*fields: tuple[str, str | None, str | None]) -> list[alt.Tooltip]:
    """Tooltip fields, each under the reader's word for it (the screen-reader table uses the
    same titles); a field without a word is left out rather than shown by its code."""
    return [
        alt.Tooltip(field, title=title, format=fmt) if fmt else alt.Tooltip(field, title=title)
        for field, title, fmt in fields
        if title
    ]


def dots_chart(
    tally: tallies.DotTally, texts: Mapping[tallies.Id, str], *, dots: str, idea: str
) -> alt.Chart:
    frame = pd.DataFrame(
        [
            {
                "idea": _label(texts, line.idea_id),
                "text": _text(texts, line.idea_id),
                "dots": line.dots,
            }
            for line in tally.ideas
        ],
        columns=["idea", "text", "dots"],
    )
    return _idea_bars(
        frame,
        alt.X("dots:Q", title=dots, axis=alt.Axis(tickMinStep=1)),
        idea=idea,
        color=GREEN,
        sort="-x",
        tooltip=[alt.Tooltip("dots:Q", title=dots)],
    )


def statements_chart(
    lines: tuple[tallies.StatementTally, ...],
    texts: Mapping[tallies.Id, str],
    *,
    words: Mapping[str, str],
    order: Sequence[tallies.Id] | None = None,
    size: TypeSize = NORMAL,
) -> alt.Chart:
    """Stacked shares of agree / pass / disagree per statement; ``words`` holds the labels
    for ``agree``, ``disagree``, ``pass``, ``share`` and ``statement``. ``order``: only these
    statements, in this order (the projector's top ones); else all, by their labels."""
    if order is not None:
        by_id = {line.statement_id: line for line in lines}
        lines = tuple(by_id[i] for i in order if i in by_id)
    rows = []
    for line in lines:
        for stance, count, share in (
            ("agree", line.agree, line.agree_share),
            ("pass", line.passed, line.pass_share),
            ("disagree", line.disagree, line.disagree_share),
        ):
            rows.append(
                {
                    "statement": _label(texts, line.statement_id, width=size.axis_chars),
                    "text": _text(texts, line.statement_id),
                    "stance": words[stance],
                    "order": ("agree", "pass", "disagree").index(stance),
                    "share": share,
                    "count": count,
                }
            )
    frame = pd.DataFrame(rows, columns=["statement", "text", "stance", "order", "share", "count"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("share:Q", title=words["share"], stack="normalize", axis=alt.Axis(format="%")),
            y=_idea_y(
                "statement",
                words["statement"],
                sort=list(dict.fromkeys(frame["statement"]))
                if order is not None
                else alt.Undefined,
                size=size,
            ),
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
            tooltip=_titled(
                ("text:N", words["statement"], None),
                ("stance:N", words.get("answer"), None),
                ("count:Q", words.get("count"), None),
                ("share:Q", words["share"], ".0%"),
            ),
        )
        .properties(height=row_step(frame["statement"], line_px=size.line_px))
    )


def pairwise_chart(
    scores: tuple[tallies.PairwiseScore, ...],
    texts: Mapping[tallies.Id, str],
    *,
    score: str,
    idea: str,
    wins: str = "",
    losses: str = "",
    top: int | None = None,
    size: TypeSize = NORMAL,
) -> alt.Chart:
    """Scores out of 100, best first; ``top``: only the first so many ideas. The tooltip (and
    the screen-reader table) adds wins and losses when given their words."""
    frame = pd.DataFrame(
        [
            {
                "idea": _label(texts, s.idea_id, width=size.axis_chars),
                "text": _text(texts, s.idea_id),
                "score": s.score,
                "wins": s.wins,
                "losses": s.losses,
            }
            for s in scores[:top]
        ],
        columns=["idea", "text", "score", "wins", "losses"],
    )
    return _idea_bars(
        frame,
        alt.X("score:Q", title=score, scale=alt.Scale(domain=[0, 100])),
        idea=idea,
        color=BLUE,
        sort="-x",
        tooltip=_titled(
            ("score:Q", score, ".0f"), ("wins:Q", wins, None), ("losses:Q", losses, None)
        ),
        size=size,
    )


def two_axis_chart(
    positions: tuple[tallies.IdeaPosition, ...],
    texts: Mapping[tallies.Id, str],
    *,
    impact: str,
    feasibility: str,
    idea: str = "",
    ratings: str = "",
    low: float = 1,
    high: float = 5,
    order: Sequence[tallies.Id] | None = None,
    size: TypeSize = NORMAL,
    height: int = 360,
) -> alt.LayerChart | alt.FacetChart:
    """Ideas on impact × feasibility with the 2×2 split at the middle of the scale.
    ``order``: only these ideas (the projector's top ones)."""
    if order is not None:
        keep = set(order)
        positions = tuple(p for p in positions if p.idea_id in keep)
    frame = pd.DataFrame(
        [
            {
                "idea": _text(texts, p.idea_id),
                "label": _label(texts, p.idea_id, width=size.point_chars),
                "impact": p.impact,
                "feasibility": p.feasibility,
                "n": p.n,
            }
            for p in positions
            if p.n
        ],
        columns=["idea", "label", "impact", "feasibility", "n"],
    )
    middle = (low + high) / 2
    scale = alt.Scale(domain=[low, high])
    points = (
        alt.Chart(frame)
        .mark_circle(size=160, color=GREEN, opacity=0.85)
        .encode(
            x=alt.X("feasibility:Q", title=feasibility, scale=scale),
            y=alt.Y("impact:Q", title=impact, scale=scale),
            tooltip=_titled(
                ("idea:N", idea, None),
                ("impact:Q", impact, ".1f"),
                ("feasibility:Q", feasibility, ".1f"),
                ("n:Q", ratings, None),
            ),
        )
    )
    # Each name in short lines, running from its point towards the middle, so none leaves the
    # plot on a phone: right of the middle it ends at its point.
    # Out of the accessibility tree (``aria=False``): the points already name their ideas, and
    # a side with no point is an empty layer, which Vega draws as a graphics symbol without a
    # name (axe-core: svg-img-alt, serious).
    names = points.encode(text="label:N")
    font = size.point_font_px
    text = {"fontSize": font, "lineBreak": "\n", "aria": False}
    left = names.mark_text(align="left", dx=9, **text).transform_filter(
        alt.datum.feasibility <= middle
    )
    right = names.mark_text(align="right", dx=-9, **text).transform_filter(
        alt.datum.feasibility > middle
    )
    rules = alt.Chart(pd.DataFrame({"v": [middle]}))
    return alt.layer(
        # On the points' scale: a rule's own scale would start at 0 and stretch the plot.
        rules.mark_rule(color=GREY, strokeDash=[4, 4]).encode(x=alt.X("v:Q", scale=scale)),
        rules.mark_rule(color=GREY, strokeDash=[4, 4]).encode(y=alt.Y("v:Q", scale=scale)),
        points,
        left,
        right,
    ).properties(height=height)


def ranked_chart(
    result: tallies.RankedResult,
    texts: Mapping[tallies.Id, str],
    *,
    wins: str,
    idea: str,
    top: int | None = None,
    size: TypeSize = NORMAL,
) -> alt.Chart:
    """Candidates in the result's order, with how many others each beats head to head;
    ``top``: only the first so many places."""
    index = {c: i for i, c in enumerate(result.candidates)}
    rows = []
    for place, candidate in enumerate(result.ranking[:top], start=1):
        i = index[candidate]
        beaten = sum(
            1
            for j in range(len(result.candidates))
            if j != i and result.pairwise[i][j] > result.pairwise[j][i]
        )
        rows.append(
            {
                "idea": _label(texts, candidate, prefix=f"{place}. ", width=size.axis_chars),
                "text": _text(texts, candidate),
                "place": place,
                "beats": beaten,
            }
        )
    frame = pd.DataFrame(rows, columns=["idea", "text", "place", "beats"])
    return _idea_bars(
        frame,
        alt.X("beats:Q", title=wins, axis=alt.Axis(tickMinStep=1)),
        idea=idea,
        color=GREEN,
        sort=alt.EncodingSortField("place"),
        tooltip=[alt.Tooltip("beats:Q", title=wins)],
        size=size,
    )


def consent_chart(
    result: tallies.ConsentResult,
    *,
    words: Mapping[str, str],
    step_px: int = 34,
) -> alt.Chart:
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
        .properties(height=alt.Step(step_px))
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
