"""Facilitators: outcome records in the Innovationsbarometer's terms, and their follow-up.

An outcome record appears by itself when the council adopts a recommendation or an idea is
implemented. Here a facilitator records the values expected and realised (with evidence),
the barometer's questions, an owner, status and progress, and review dates.
"""

from datetime import date

import streamlit as st

from workshop import barometer, committees, outcomes
from workshop.barometer import (
    Evaluated,
    Initiator,
    InnovationType,
    Novelty,
    Partner,
    PromoteHinderFactor,
    PromoteHinderScale,
    Value,
)
from workshop.model import Role
from workshop.outcomes import EvidenceKind, OutcomeStatus, ReviewState
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import current_language, date_format, day, t, tn
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import demo_badge, user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
lang = current_language()
show_flash()
st.title(t("outcomes.title"))

# -- what is due --------------------------------------------------------------------------
due = outcomes.list_due_reviews(db)
if due:
    st.markdown(f"**{t('outcomes.due_title')}**")
    for review in due:
        line = t(
            f"summary.review.{review.state}", title=review.outcome_title, date=day(review.due_on)
        )
        if review.state is ReviewState.OVERDUE:
            st.warning(user_text(line), icon=":material/schedule:")
        else:
            st.caption(user_text(line))

all_committees = {c.id: c for c in committees.list_committees(db)}
if not all_committees:
    st.info(t("summary.empty"))
    st.stop()
committee_id = st.selectbox(
    t("summary.committee"),
    list(all_committees),
    format_func=lambda cid: all_committees[cid].title,
    key="outcomes_committee",
)
demo_badge(all_committees[committee_id].is_demo)
records = outcomes.list_outcomes(db, committee_id)
if not records:
    st.info(t("outcomes.none"))
    st.stop()

by_id = {o.id: o for o in records}
outcome_id = st.selectbox(
    tn("outcomes.pick", len(records)),
    list(by_id),
    format_func=lambda oid: f"{t(f'outcomes.source.{by_id[oid].source}')}: {by_id[oid].title}",
    key="outcomes_pick",
)
outcome = by_id[outcome_id]
st.subheader(user_text(outcome.title))
st.caption(
    t(
        "outcomes.status_line",
        status=t(f"outcomes.status.{outcome.status}"),
        progress=outcome.progress,
        owner=outcome.owner or t("outcomes.no_owner"),
    )
)
st.progress(outcome.progress / 100)


def saved(message_key: str) -> None:
    flash(t(message_key))
    st.rerun()


# -- follow-up ----------------------------------------------------------------------------
with st.form(key=f"outcomes_follow_up_{outcome.id}"):
    st.markdown(f"**{t('outcomes.follow_up')}**")
    owner = st.text_input(t("outcomes.owner"), value=outcome.owner, key="outcomes_owner")
    status = st.selectbox(
        t("outcomes.status_label"),
        list(OutcomeStatus),
        index=list(OutcomeStatus).index(outcome.status),
        format_func=lambda s: t(f"outcomes.status.{s}"),
        key="outcomes_status",
    )
    progress = st.slider(
        t("outcomes.progress"), 0, 100, outcome.progress, step=5, key="outcomes_progress"
    )
    if st.form_submit_button(t("outcomes.save"), key="outcomes_save_follow_up"):
        with shows_refusal():
            outcomes.update_follow_up(
                db, outcome.id, owner=owner, status=str(status), progress=progress, actor=user
            )
            saved("outcomes.saved")

# -- values -------------------------------------------------------------------------------
value_options = [v for v, _ in barometer.options(Value, lang, include_extras=lang == "nb")]
with st.form(key=f"outcomes_expected_{outcome.id}"):
    st.markdown(f"**{t('outcomes.expected')}**")
    st.caption(t("outcomes.expected_help"))
    expected = st.multiselect(
        barometer.dimension_label(Value, lang),
        value_options,
        default=[v for v in outcome.expected if v in value_options],
        format_func=lambda v: barometer.label(v, lang),
        key="outcomes_expected_values",
        placeholder=t("common.choose_many"),
        select_all=False,
    )
    if st.form_submit_button(t("outcomes.save"), key="outcomes_save_expected"):
        with shows_refusal():
            outcomes.record_expected_values(db, outcome.id, expected, actor=user)
            saved("outcomes.saved")

st.markdown(f"**{t('outcomes.realised')}**")
realised = [v for v in outcome.values if v.stage is barometer.Stage.REALISED]
if not realised:
    st.caption(t("outcomes.no_realised"))
for item in realised:
    with st.container(horizontal=True, key=f"outcomes_realised_{item.value}"):
        st.markdown(
            f"**{barometer.label(item.value, lang, short=True)}** · "
            f"{t(f'outcomes.evidence_kind.{item.evidence_kind}')}: {user_text(item.evidence)}"
        )
        if st.button(
            t("outcomes.withdraw"), key=f"outcomes_withdraw_{item.value}", type="tertiary"
        ):
            outcomes.withdraw_realised_value(db, outcome.id, item.value, actor=user)
            saved("outcomes.saved")
with st.form(key=f"outcomes_realise_{outcome.id}", clear_on_submit=True):
    value = st.selectbox(
        t("outcomes.realised_value"),
        value_options,
        format_func=lambda v: barometer.label(v, lang),
        key="outcomes_realised_value",
    )
    kind = st.segmented_control(
        t("outcomes.evidence_kind_label"),
        list(EvidenceKind),
        format_func=lambda k: t(f"outcomes.evidence_kind.{k}"),
        default=EvidenceKind.TEXT,
        key="outcomes_evidence_kind",
    )
    evidence = st.text_area(
        t("outcomes.evidence"), help=t("outcomes.evidence_help"), key="outcomes_evidence"
    )
    if st.form_submit_button(t("outcomes.record_realised"), key="outcomes_save_realised"):
        with shows_refusal():
            outcomes.record_realised_value(
                db, outcome.id, value, evidence_kind=kind, evidence=evidence, actor=user
            )
            saved("outcomes.saved")

# -- the barometer's questions ------------------------------------------------------------
NOT_ANSWERED = ""
with st.form(key=f"outcomes_barometer_{outcome.id}"):
    st.markdown(f"**{t('outcomes.barometer')}**")
    types = st.multiselect(
        barometer.dimension_label(InnovationType, lang),
        list(InnovationType),
        default=list(outcome.innovation_types),
        format_func=lambda k: barometer.label(k, lang),
        key="outcomes_types",
        placeholder=t("common.choose_many"),
        select_all=False,
    )
    novelty_options = [NOT_ANSWERED, *Novelty]
    novelty = st.selectbox(
        barometer.dimension_label(Novelty, lang),
        novelty_options,
        index=novelty_options.index(outcome.novelty or NOT_ANSWERED),
        format_func=lambda k: barometer.label(k, lang, Novelty) if k else t("outcomes.unanswered"),
        key="outcomes_novelty",
    )
    initiators = st.multiselect(
        barometer.dimension_label(Initiator, lang),
        list(Initiator),
        default=list(outcome.initiators),
        max_selections=barometer.MAX_INITIATORS,
        format_func=lambda k: barometer.label(k, lang, Initiator),
        key="outcomes_initiators",
        placeholder=t("common.choose_many"),
        select_all=False,
    )
    partners = st.multiselect(
        barometer.dimension_label(Partner, lang),
        list(Partner),
        default=list(outcome.partners),
        format_func=lambda k: barometer.label(k, lang, Partner),
        key="outcomes_partners",
        placeholder=t("common.choose_many"),
        select_all=False,
    )
    evaluated_options = [NOT_ANSWERED, *Evaluated]
    evaluated = st.selectbox(
        barometer.dimension_label(Evaluated, lang),
        evaluated_options,
        index=evaluated_options.index(outcome.evaluated or NOT_ANSWERED),
        format_func=lambda k: (
            barometer.label(k, lang, Evaluated) if k else t("outcomes.unanswered")
        ),
        key="outcomes_evaluated",
    )
    shared_options = [NOT_ANSWERED, "yes", "no"]
    shared = st.selectbox(
        t("outcomes.shared_label"),
        shared_options,
        index=shared_options.index(
            NOT_ANSWERED if outcome.shared is None else ("yes" if outcome.shared else "no")
        ),
        format_func=lambda k: t(f"outcomes.shared.{k}") if k else t("outcomes.unanswered"),
        key="outcomes_shared",
    )
    st.markdown(f"*{barometer.dimension_label(PromoteHinderFactor, lang)}*")
    scale_options = [NOT_ANSWERED, *PromoteHinderScale]
    factors = {}
    for factor in PromoteHinderFactor:
        current = outcome.factors.get(factor)
        factors[factor.value] = st.selectbox(
            barometer.label(factor, lang, PromoteHinderFactor),
            scale_options,
            index=scale_options.index(current or NOT_ANSWERED),
            format_func=lambda k: (
                barometer.label(k, lang, PromoteHinderScale) if k else t("outcomes.unanswered")
            ),
            key=f"outcomes_factor_{factor.value}",
        )
    if st.form_submit_button(t("outcomes.save"), key="outcomes_save_barometer"):
        with shows_refusal():
            outcomes.record_barometer_answers(
                db,
                outcome.id,
                innovation_types=types,
                novelty=novelty or None,
                initiators=initiators,
                partners=partners,
                evaluated=evaluated or None,
                shared=None if not shared else shared == "yes",
                factors={k: v for k, v in factors.items() if v},
                actor=user,
            )
            saved("outcomes.saved")

# -- reviews ------------------------------------------------------------------------------
st.markdown(f"**{t('outcomes.reviews')}**")
reviews = outcomes.list_reviews(db, outcome_id=outcome.id)
if not reviews:
    st.caption(t("outcomes.no_reviews"))
for review in reviews:
    line = t(f"outcomes.review_state.{review.state}", date=day(review.due_on))
    st.markdown(line + (f" – {user_text(review.note)}" if review.note else ""))
with st.form(key=f"outcomes_schedule_{outcome.id}"):
    due_on = st.date_input(
        t("outcomes.review_date"), format=date_format(), key="outcomes_review_date"
    )
    if st.form_submit_button(t("outcomes.schedule"), key="outcomes_save_schedule"):
        with shows_refusal():
            outcomes.schedule_review(
                db, outcome.id, due_on if isinstance(due_on, date) else None, actor=user
            )
            saved("outcomes.scheduled")
open_reviews = [r for r in reviews if r.state is not ReviewState.DONE]
if open_reviews:
    with st.form(key=f"outcomes_complete_{outcome.id}", clear_on_submit=True):
        review_id = st.selectbox(
            t("outcomes.review_to_complete"),
            [r.id for r in open_reviews],
            format_func=lambda rid: next(day(r.due_on) for r in open_reviews if r.id == rid),
            key="outcomes_review_pick",
        )
        note = st.text_area(t("outcomes.review_note"), key="outcomes_review_note")
        if st.form_submit_button(t("outcomes.complete"), key="outcomes_save_complete"):
            with shows_refusal():
                outcomes.complete_review(db, review_id, note, actor=user)
                saved("outcomes.completed")
