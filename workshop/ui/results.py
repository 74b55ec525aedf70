"""Results of a vote round, for the projector, the console and the summaries.

One function per place would drift apart; this one picks the chart for the round's method,
and shows opinion groups ("what unites the room") for statement rounds. All tallies come from
:mod:`workshop.voting.methods`, computed once per change and shared by every viewer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

import altair as alt
import streamlit as st

from workshop.chart_layout import with_reader_locale
from workshop.db import Store
from workshop.ui.accessibility import chart_text
from workshop.ui.i18n import current_language, t, tn
from workshop.ui.widgets import user_text
from workshop.voting import charts as vote_charts
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod
from workshop.voting.opinion_groups import GroupingStatus
from workshop.voting.tallies import Id


def stance_words() -> dict[str, str]:
    """The statements chart's words (its legend, axis and tooltip) in the reader's language."""
    return {
        "agree": t("ballot.statements.agree"),
        "disagree": t("ballot.statements.disagree"),
        "pass": t("ballot.statements.pass"),
        "share": t("results.share"),
        "statement": t("results.statement"),
        "answer": t("results.answer"),
        "count": t("results.count"),
    }


class PairwiseWords(TypedDict):
    score: str
    wins: str
    losses: str


class TwoAxisWords(TypedDict):
    impact: str
    feasibility: str
    idea: str
    ratings: str


def pairwise_words() -> PairwiseWords:
    return {"score": t("results.score"), "wins": t("results.wins"), "losses": t("results.losses")}


def two_axis_words() -> TwoAxisWords:
    return {
        "impact": t("ballot.two_axis.impact"),
        "feasibility": t("ballot.two_axis.feasibility"),
        "idea": t("results.idea"),
        "ratings": t("results.ratings"),
    }


def group_name(label: int) -> str:
    return t("results.group_name", letter=chr(ord("A") + label))


def show_round_results(
    db: Store,
    round_id: int,
    method: VoteMethod | str,
    vote_seq: int,
    texts: Mapping[Any, str],  # idea id -> text
    *,
    key: str,
) -> bool:
    """The chart of one round's results (and, for statements, the opinion groups), for the
    console and the summaries; the projector draws its own (``workshop.ui.projector_results``).
    False while the opinion groups of these votes are still being computed."""
    method = VoteMethod(method)
    result = vote_methods.round_results(db, round_id, vote_seq)
    idea = t("results.idea")
    chart: alt.Chart | alt.LayerChart | alt.FacetChart
    if method is VoteMethod.DOT_VOTE:
        chart = vote_charts.dots_chart(result, texts, dots=t("results.dots"), idea=idea)
    elif method is VoteMethod.STATEMENTS:
        chart = vote_charts.statements_chart(result, texts, words=stance_words())
    elif method is VoteMethod.PAIRWISE:
        chart = vote_charts.pairwise_chart(result, texts, idea=idea, **pairwise_words())
    elif method is VoteMethod.TWO_AXIS:
        chart = vote_charts.two_axis_chart(result, texts, **two_axis_words())
    elif method is VoteMethod.RANKED:
        chart = vote_charts.ranked_chart(result, texts, wins=t("results.beats"), idea=idea)
    else:
        words = {r: t(f"tally.consent.{r}") for r in ("agree", "abstain", "concerns", "block")}
        chart = vote_charts.consent_chart(result, words={**words, "count": t("results.count")})
        st.markdown(f"**{t(result.outcome_key)}**")
        for vote in (*result.blocks, *result.concerns):
            st.caption(f"{t(f'tally.consent.{vote.response}')}: {user_text(vote.reason)}")
    st.altair_chart(
        with_reader_locale(chart, current_language()), width="stretch", key=f"{key}_chart"
    )
    chart_text(chart)
    if method is VoteMethod.STATEMENTS:
        return show_opinion_groups(db, round_id, vote_seq, texts, key=key)
    return True


def show_voters_missing(missing: int, *, large: bool = False) -> None:
    """Under the minimum number of voters: how many more the room needs for opinion groups.

    ``large`` (the projector): heading-sized, so the back of the room can read it.
    """
    text = tn("results.groups_missing", missing)
    st.markdown(f"### {text}" if large else f"**{text}**")


def show_opinion_groups(
    db: Store,
    round_id: int,
    vote_seq: int,
    texts: Mapping[Id, str],
    *,
    key: str,
    large: bool = False,
) -> bool:
    """What unites the room, and the groups that think alike, from the latest computation;
    whether that computation described ``vote_seq``."""
    snapshot = vote_methods.opinion_groups_snapshot(db, round_id, vote_seq)
    st.markdown(f"#### {t('results.unites')}")
    if snapshot.result is None:
        st.caption(t("results.groups_computing"))
        return False
    groups = snapshot.result
    if groups.status is GroupingStatus.NOT_ENOUGH_PARTICIPANTS:
        show_voters_missing(groups.missing_participants, large=large)
        return snapshot.up_to_date
    if groups.status is not GroupingStatus.OK:
        st.caption(t(groups.status.message_key, **groups.status_params))
        return snapshot.up_to_date
    if not snapshot.up_to_date:
        st.caption(t("results.groups_stale"))
    if groups.consensus_agree:
        for statement in groups.consensus_agree:
            share = round(statement.share * 100)
            st.markdown(
                f"- {user_text(texts.get(statement.statement_id, ''))} · "
                f"{t('results.agree_share', share=share)}"
            )
    else:
        st.caption(t("results.no_consensus"))
    names = {g.label: group_name(g.label) for g in groups.groups}
    opinion_map = vote_charts.opinion_map_chart(groups, group=t("results.group"), names=names)
    st.altair_chart(
        with_reader_locale(opinion_map, current_language()), width="stretch", key=f"{key}_groups"
    )
    chart_text(opinion_map)
    for group in groups.groups:
        with st.container(border=True, key=f"{key}_group_{group.label}"):
            st.markdown(
                f"**{names[group.label]}** · {tn('results.people', len(group.participant_ids))}"
            )
            for representative in group.representative:
                agrees = representative.stance > 0
                word = t("ballot.statements.agree" if agrees else "ballot.statements.disagree")
                text = user_text(texts.get(representative.statement_id, ""))
                share = round(representative.share_in_group * 100)
                st.caption(f"{word}: {text} ({share} %)")
    return snapshot.up_to_date
