"""A phone's ballot for each voting method.

Each function renders inside the caller's fragment. Taps are handled in ``on_click``
callbacks, which Streamlit runs before the fragment draws again, so the phone shows the new
state at once with a single (fragment) rerun. A tap after a material change of the agreement
is not carried out: the phone shows the agreement first (``agreement_gate.gated_tap``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Literal

import streamlit as st

from workshop.model import Idea, Participant
from workshop.ui.agreement_gate import gated_tap
from workshop.ui.frontend_words import name_controls
from workshop.ui.i18n import t, tn
from workshop.ui.process import store
from workshop.ui.session import show_flash
from workshop.ui.widgets import user_text
from workshop.voting import methods as vote_methods
from workshop.voting.tallies import ConsentResponse

SCORES = [1, 2, 3, 4, 5]
STANCE = {1: "agree", -1: "disagree", 0: "pass"}
ButtonKind = Literal["primary", "secondary", "tertiary"]
STANCE_BUTTONS: tuple[tuple[int, str, ButtonKind], ...] = (
    (1, "agree", "primary"),
    (-1, "disagree", "secondary"),
    (0, "pass", "tertiary"),
)


def _from_state(action: Callable[..., object], *args: Any, keys: Sequence[str]) -> None:
    """A callback whose last arguments are the current values of widgets."""
    gated_tap(action, *args, *(st.session_state.get(key) for key in keys))


def statements_ballot(participant: Participant, round_id: int, ideas: Sequence[Idea]) -> None:
    """One statement at a time, Pol.is style: agree, disagree or pass."""
    show_flash()
    cast = partial(vote_methods.cast_stance, store(), participant, round_id)
    mine = vote_methods.my_ballot(store(), round_id, participant.id)["entries"]
    open_ones = [i for i in ideas if i.id not in mine]
    st.caption(tn("ballot.statements.progress", len(mine), total=len(ideas)))
    if open_ones:
        statement = open_ones[0]
        with st.container(border=True, key="ballot_statement_card"):
            st.markdown(f"### {user_text(statement.text)}")
            with st.container(horizontal=True, gap="small"):
                for stance, word, kind in STANCE_BUTTONS:
                    st.button(
                        t(f"ballot.statements.{word}"),
                        key=f"ballot_{word}_{statement.id}",
                        type=kind,
                        on_click=gated_tap,
                        args=(cast, statement.id, stance),
                    )
    else:
        st.success(t("ballot.statements.done"))
    if mine:
        with st.expander(t("ballot.statements.change"), key="ballot_statements_change"):
            for idea in ideas:
                if idea.id not in mine:
                    continue
                key = f"ballot_change_{idea.id}"
                st.segmented_control(
                    user_text(idea.text),
                    list(STANCE),
                    key=key,
                    default=mine[idea.id][0],
                    format_func=lambda s: t(f"ballot.statements.{STANCE[s]}"),
                    on_change=_from_state,
                    args=(cast, idea.id),
                    kwargs={"keys": [key]},
                )


def pairwise_ballot(participant: Participant, round_id: int, ideas: Sequence[Idea]) -> None:
    """Two ideas one above the other: tap the better one, or "I can't decide"."""
    show_flash()
    pair = vote_methods.next_pair(store(), round_id, participant)
    if pair is None:
        st.info(t("ballot.pairwise.too_few"))
        return
    texts = {i.id: i.text for i in ideas}
    judged = len(vote_methods.my_ballot(store(), round_id, participant.id)["pairs"])
    st.caption(tn("ballot.pairwise.judged", judged))
    st.markdown(f"**{t('ballot.pairwise.question')}**")
    left, right = pair
    cast = partial(vote_methods.cast_pairwise, store(), participant, round_id, left, right)
    for idea_id in (left, right):
        st.button(
            user_text(texts.get(idea_id, "?")),  # a label is markdown: the idea as typed
            key=f"ballot_pick_{idea_id}_{left}_{right}",
            width="stretch",
            type="primary",
            on_click=gated_tap,
            args=(cast, idea_id),
        )
    st.button(
        t("ballot.pairwise.cant_decide"),
        key=f"ballot_cant_{left}_{right}",
        width="stretch",
        type="tertiary",
        on_click=gated_tap,
        args=(cast, None),
    )


def two_axis_ballot(participant: Participant, round_id: int, ideas: Sequence[Idea]) -> None:
    """Each idea scored 1–5 for impact and for feasibility."""
    show_flash()
    mine = vote_methods.my_ballot(store(), round_id, participant.id)["entries"]
    st.caption(tn("ballot.two_axis.progress", len(mine), total=len(ideas)))
    names: dict[str, str] = {}  # each idea's two groups and button name their idea
    impact, feasibility, save = (
        t("ballot.two_axis.impact"),
        t("ballot.two_axis.feasibility"),
        t("ballot.two_axis.save"),
    )
    for idea in ideas:
        done = mine.get(idea.id)
        impact_key, feasible_key = f"ballot_impact_{idea.id}", f"ballot_feasible_{idea.id}"
        save_key, whole = f"ballot_save_{idea.id}", " ".join(idea.text.split())
        for key, what in ((impact_key, impact), (feasible_key, feasibility), (save_key, save)):
            names[key] = t("a11y.for_idea", what=what, idea=whole)
        with st.container(border=True, key=f"ballot_scores_{idea.id}"):
            st.markdown(user_text(idea.text))
            st.segmented_control(
                impact,
                SCORES,
                key=impact_key,
                default=done[0] if done else None,
            )
            st.segmented_control(
                feasibility,
                SCORES,
                key=feasible_key,
                default=done[1] if done else None,
            )
            chosen = (st.session_state.get(impact_key), st.session_state.get(feasible_key))
            st.button(
                save,
                key=save_key,
                type="primary",
                disabled=None in chosen or chosen == done,
                on_click=_from_state,
                args=(vote_methods.cast_scores, store(), participant, round_id, idea.id),
                kwargs={"keys": [impact_key, feasible_key]},
            )
            if done:
                st.caption(t("ballot.two_axis.saved", impact=done[0], feasibility=done[1]))
    name_controls("two_axis", names)


def ranked_ballot(participant: Participant, round_id: int, ideas: Sequence[Idea]) -> None:
    """Pick ideas in order of preference; the order picked is the ranking."""
    show_flash()
    mine = vote_methods.my_ballot(store(), round_id, participant.id)["entries"]
    current = sorted(mine, key=lambda i: mine[i][0])
    texts = {i.id: i.text for i in ideas}
    chosen = st.multiselect(
        t("ballot.ranked.pick"),
        [i.id for i in ideas],
        default=[i for i in current if i in texts],
        format_func=lambda i: texts.get(i, "?"),
        key="ballot_ranking",
        placeholder=t("ballot.ranked.placeholder"),
        select_all=False,
    )
    for place, idea_id in enumerate(chosen, start=1):
        st.markdown(f"**{place}.** {user_text(texts.get(idea_id, ''))}")
    st.button(
        t("ballot.ranked.save"),
        key="ballot_ranked_save",
        type="primary",
        disabled=not chosen or chosen == current,
        on_click=_from_state,
        args=(vote_methods.cast_ranking, store(), participant, round_id),
        kwargs={"keys": ["ballot_ranking"]},
    )
    if current:
        st.caption(t("ballot.ranked.saved"))


def consent_ballot(participant: Participant, round_id: int, proposal: str) -> None:
    """Agree, abstain, concerns or block; a block must say why."""
    show_flash()
    mine = vote_methods.my_ballot(store(), round_id, participant.id)
    with st.container(border=True, key="ballot_proposal"):
        st.markdown(f"**{t('ballot.consent.proposal')}**  \n{user_text(proposal)}")
    options = [r.value for r in ConsentResponse]
    response = st.radio(
        t("ballot.consent.question"),
        options,
        key="ballot_consent_response",
        index=options.index(mine["response"]) if mine["response"] in options else None,
        format_func=lambda r: t(f"tally.consent.{r}"),
    )
    reason = st.text_area(
        t("ballot.consent.reason"),
        value=mine["reason"] or "",
        key="ballot_consent_reason",
        max_chars=vote_methods.REASON_MAX,
        help=t("ballot.consent.reason_help"),
    )
    st.button(
        t("ballot.consent.send"),
        key="ballot_consent_send",
        type="primary",
        disabled=response is None,
        on_click=_from_state,
        args=(vote_methods.cast_consent, store(), participant, round_id),
        kwargs={"keys": ["ballot_consent_response", "ballot_consent_reason"]},
    )
    if mine["response"]:
        st.caption(t("ballot.consent.saved", response=t(f"tally.consent.{mine['response']}")))
    # A choice not sent (the tap lost on a dropped network, or never made) is said, not left
    # beside "Your answer is saved: …" of another choice.
    if response is not None and (response, reason) != (mine["response"], mine["reason"] or ""):
        st.warning(t("ballot.consent.unsent"), icon=":material/send:")
