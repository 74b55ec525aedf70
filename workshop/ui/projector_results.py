"""The projector's results of a vote step: what fits one screen, in type the back row reads.

Every method's chart shows its top ideas, as many as fit (``charts.rows_that_fit``), in the
projector's 26 px type, and says how many more the console has. Statements get a second slide,
their opinion groups as large cards, the two slides taking turns. A consent check shows its
outcome in large type with its counts and the first reasons. The order of the ideas is the
wrap-up's (:func:`workshop.voting.wrapup.rank_lines`), so the projector and the wrap-up agree.

Sizes are for a 1920×1080 screen; the projector page scales the whole slide to other screens.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence

import altair as alt
import streamlit as st

from workshop.chart_layout import with_reader_locale
from workshop.db import Store
from workshop.ui import screen_push
from workshop.ui.i18n import current_language, t, tn
from workshop.ui.results import group_name, pairwise_words, stance_words, two_axis_words
from workshop.voting import charts as vote_charts
from workshop.voting import methods as vote_methods
from workshop.voting import wrapup
from workshop.voting.methods import VoteMethod
from workshop.voting.opinion_groups import GroupingStatus
from workshop.voting.tallies import ConsentResult, Id

#: The height a bar chart's bars may take on a 1080-pixel screen: below the heading and above
#: the chart's axis, its title and the line that says how many more the console has.
BARS_PX = 600
#: Statements draw their legend under the bars: less room for bars.
STATEMENT_BARS_PX = 480
#: Points (with their names) on the impact × feasibility plot, and its height.
TWO_AXIS_POINTS = 10
TWO_AXIS_PX = 560
#: Seconds each of the statements' two slides (the statements, the opinion groups) stays up.
SLIDE_SECONDS = 12
#: Opinion groups: representative statements per card, fewer when there are many groups.
STATEMENTS_PER_GROUP = {2: 3, 3: 3}
STATEMENTS_PER_GROUP_OTHERWISE = 2
CONSENSUS_SHOWN = 2
#: Ideas with dots shown as cards: three rows of the wall.
DOT_CARDS = 12
REASONS_SHOWN = 2

CSS = """<style>
.sk-dottext {display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
            overflow: hidden;}
.sk-card .sk-dots {display: block; margin-top: .4rem; font-size: 1.6rem; color: #0b6e4f;
            font-weight: 800;}
.sk-more {font-size: 1.6rem; font-weight: 700; color: #1a1a1a; margin-top: .2rem;}
.sk-slides {font-size: 1.5rem; color: #333;}
.sk-groups-title {font-size: 2rem; font-weight: 800; color: #0b6e4f; margin: 0 0 .4rem;}
.sk-consensus {display: grid; gap: .4rem; margin-bottom: 1rem;}
.sk-consensus div {font-size: 1.7rem; line-height: 1.25; background: #eef6f2;
            border-radius: .6rem; padding: .5rem .9rem; color: #1a1a1a;
            display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
            overflow: hidden;}
.sk-groups {display: grid; gap: 1rem; align-items: start;}
.sk-group {background: #fff; border: 3px solid #0b6e4f; border-radius: .8rem;
            padding: .7rem 1.1rem; display: grid; gap: .5rem;}
.sk-group-name {font-size: 2rem; font-weight: 800; color: #0b6e4f;}
.sk-group-name span {font-size: 1.6rem; font-weight: 700; color: #333;}
.sk-group-line {font-size: 1.6rem; line-height: 1.25; color: #1a1a1a;
            display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
            overflow: hidden;}
.sk-group-line b {color: #0b6e4f;}
.sk-group-line b.against {color: #b00020;}
.sk-note {font-size: 1.7rem; color: #333;}
.sk-outcome {font-size: 2.6rem; font-weight: 800; color: #0b6e4f; margin-bottom: .6rem;}
.sk-outcome.blocked {color: #b00020;}
.sk-reason {font-size: 1.6rem; line-height: 1.25; color: #1a1a1a; margin-top: .3rem;
            display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
            overflow: hidden;}
</style>"""


def _more(count: int) -> None:
    """How many more ideas the console shows, under a chart that shows the top ones."""
    if count > 0:
        more = html.escape(tn("projector.more_on_console", count))
        st.html(f'<div class="sk-more" data-testid="projector-more">{more}</div>')


def _chart(chart: alt.Chart | alt.LayerChart | alt.FacetChart, key: str) -> None:
    # Streamlit sizes a stretched chart by its width on the screen, after the page's zoom, and
    # Vega draws that inside the zoom: below 1080p a chart takes less of its column (at 720p
    # two thirds), its type and height still scaled with the slide.
    st.altair_chart(
        with_reader_locale(vote_charts.for_projector(chart), current_language()),
        width="stretch",
        key=key,
    )


def show_results(
    db: Store, round_id: int, method: VoteMethod | str, vote_seq: int, texts: Mapping[Id, str]
) -> None:
    """One round's results on the projector (the round has votes: the page checks)."""
    method = VoteMethod(method)
    st.html(CSS)
    result = vote_methods.round_results(db, round_id, vote_seq)
    size = vote_charts.PROJECTOR
    idea = t("results.idea")
    if method is VoteMethod.CONSENT:
        _consent(result)
        return
    lines = wrapup.rank_lines(method, result)
    if method is VoteMethod.DOT_VOTE:
        _dots(lines, texts)
        return
    groups = None
    if method is VoteMethod.STATEMENTS:
        groups = vote_methods.opinion_groups_snapshot(db, round_id, vote_seq)
        found = groups.result is not None and groups.result.status is GroupingStatus.OK
        # Their own slide, in turns with the statements, once there are groups to show; while
        # the newest are computed in the background (the first, or after a vote), the
        # projector looks again each second: nothing else tells it they are done.
        if not groups.up_to_date:
            screen_push.rerun_at_turn(1)
        elif found:
            screen_push.rerun_at_turn(SLIDE_SECONDS)
        if found and int(time.time() // SLIDE_SECONDS) % 2 == 1:
            _opinion_groups(groups, texts)
            return
    order = [line.idea_id for line in lines]
    ranked = [texts.get(i, str(i)) for i in order]
    chart: alt.Chart | alt.LayerChart | alt.FacetChart
    if method is VoteMethod.TWO_AXIS:
        shown = min(len(order), TWO_AXIS_POINTS)
        chart = vote_charts.two_axis_chart(
            result,
            texts,
            **two_axis_words(),
            order=order[:shown],
            size=size,
            height=TWO_AXIS_PX,
        )
    elif method is VoteMethod.STATEMENTS:
        shown = vote_charts.rows_that_fit(ranked, STATEMENT_BARS_PX, size)
        chart = vote_charts.statements_chart(
            result, texts, words=stance_words(), order=order[:shown], size=size
        )
    else:
        shown = vote_charts.rows_that_fit(ranked, BARS_PX, size)
        if method is VoteMethod.PAIRWISE:
            chart = vote_charts.pairwise_chart(
                result, texts, idea=idea, top=shown, size=size, **pairwise_words()
            )
        else:
            chart = vote_charts.ranked_chart(
                result, texts, wins=t("results.beats"), idea=idea, top=shown, size=size
            )
    _chart(chart, "projector_chart")
    _more(len(order) - shown)
    if groups is not None:
        # Where the opinion groups stand: on the next slide, being computed, or too few yet.
        if groups.result is None:
            note = t("results.groups_computing")
        elif groups.result.status is GroupingStatus.OK:
            note = f"{t('results.unites')} →"
        elif groups.result.status is GroupingStatus.NOT_ENOUGH_PARTICIPANTS:
            note = tn("results.groups_missing", groups.result.missing_participants)
        else:
            note = t(groups.result.status.message_key, **groups.result.status_params)
        st.html(f'<div class="sk-slides">{html.escape(note)}</div>')


def _dots(lines: Sequence[wrapup.ResultLine], texts: Mapping[Id, str]) -> None:
    """The ideas with dots as ranked cards, as many as the wall holds."""
    cards = "".join(
        f'<div class="sk-card"><span class="sk-dottext"><span class="sk-rank">'
        f"{line.place}.</span> {html.escape(texts.get(line.idea_id, ''))}</span>"
        f'<span class="sk-dots">{html.escape(tn("common.dots", int(line.value)))}</span></div>'
        for line in lines[:DOT_CARDS]
    )
    st.html(f'<div class="sk-wall" data-testid="projector-dots">{cards}</div>')
    _more(len(lines) - DOT_CARDS)


def _opinion_groups(snapshot: vote_methods.GroupsSnapshot, texts: Mapping[Id, str]) -> None:
    """What unites the room, and one large card per opinion group."""
    title = f'<div class="sk-groups-title">{html.escape(t("results.unites"))}</div>'
    groups = snapshot.result
    assert groups is not None
    consensus = "".join(
        f"<div>{html.escape(texts.get(s.statement_id, ''))} · "
        f"<b>{html.escape(t('results.agree_share', share=round(s.share * 100)))}</b></div>"
        for s in groups.consensus_agree[:CONSENSUS_SHOWN]
    )
    per_group = STATEMENTS_PER_GROUP.get(len(groups.groups), STATEMENTS_PER_GROUP_OTHERWISE)
    cards = []
    for group in groups.groups:
        people = html.escape(tn("results.people", len(group.participant_ids)))
        lines = []
        for representative in group.representative[:per_group]:
            agrees = representative.stance > 0
            word = t("ballot.statements.agree" if agrees else "ballot.statements.disagree")
            share = round(representative.share_in_group * 100)
            text = html.escape(texts.get(representative.statement_id, ""))
            against = "" if agrees else ' class="against"'
            lines.append(
                f'<div class="sk-group-line"><b{against}>{html.escape(word)}</b> {text}'
                f" ({share} %)</div>"
            )
        cards.append(
            f'<div class="sk-group" data-testid="projector-group">'
            f'<div class="sk-group-name">{html.escape(group_name(group.label))} '
            f"<span>· {people}</span></div>{''.join(lines)}</div>"
        )
    columns = min(3, len(cards))
    stale = (
        ""
        if snapshot.up_to_date
        else f'<div class="sk-note">{html.escape(t("results.groups_stale"))}</div>'
    )
    st.html(
        f'{title}<div class="sk-consensus">{consensus}</div>{stale}'
        f'<div class="sk-groups" data-testid="projector-groups"'
        f' style="grid-template-columns: repeat({columns}, minmax(0, 1fr));">'
        f"{''.join(cards)}</div>"
    )


def _consent(result: ConsentResult) -> None:
    """The outcome in large type, the counts as bars, the first reasons."""
    blocked = "" if result.passed else " blocked"
    st.html(
        f'<div class="sk-outcome{blocked}" data-testid="projector-outcome">'
        f"{html.escape(t(result.outcome_key))}</div>"
    )
    words = {r: t(f"tally.consent.{r}") for r in ("agree", "abstain", "concerns", "block")}
    chart = vote_charts.consent_chart(
        result,
        words={**words, "count": t("results.count")},
        step_px=56,
    )
    _chart(chart, "projector_chart")
    reasons = [
        f'<div class="sk-reason"><b>{html.escape(t(f"tally.consent.{vote.response}"))}:</b> '
        f"{html.escape(vote.reason)}</div>"
        for vote in (*result.blocks, *result.concerns)[:REASONS_SHOWN]
    ]
    if reasons:
        st.html("".join(reasons))
