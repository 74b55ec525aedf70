"""Recommendations drafted from ideas (with their dots), and the decision path to the council."""

from datetime import date

import streamlit as st

from workshop import committees
from workshop.committees import recommendations
from workshop.committees.model import (
    FINAL_STAGES,
    OUTCOMES_FOR,
    Action,
    Decision,
    DecisionOutcome,
    SourceIdea,
)
from workshop.i18n import formats
from workshop.model import Role
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import (
    GAVEL,
    committee_header,
    day_text,
    phase_label,
    picked_committee,
)
from workshop.ui.correction_widgets import save_correction, seen_version, was_lines
from workshop.ui.i18n import date_format, t, tn
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
committee = picked_committee()
state = committees.get_state(db, committee.id)
drafting = committees.can(state.phase, Action.DRAFT_RECOMMENDATION)
deciding = committees.can(state.phase, Action.RECORD_DECISION)
candidates = recommendations.candidate_ideas(db, committee.id) if drafting else []
# After a decision is recorded, the decision form of that recommendation starts empty again;
# widget state can only be reset before the widget is drawn, hence here.
RESET = "recommendations_reset_decision"
if (done := st.session_state.pop(RESET, None)) is not None:
    st.session_state[f"recommendations_rationale_{done}"] = ""


def idea_label(idea: SourceIdea) -> str:
    label = tn("recommendations.idea_option", idea.dots, text=idea.text, meeting=idea.meeting_title)
    return f"{idea.theme} · {label}" if idea.theme else label


themes = sorted({i.theme for i in candidates if i.theme})


def decision_text(values: dict) -> str:
    """A decision's outcome, date and rationale as one line (for "was: …")."""
    outcome = t(f"decision.outcome.{values['outcome']}")
    text = f"{outcome} ({day_text(values['decided_at'])})"
    return text + (f" · {user_text(values['rationale'])}" if values.get("rationale") else "")


def correct_decision_control(decision: Decision) -> None:
    """Correct a recorded decision as a new version (the page sends the version it showed)."""
    key = f"recommendations_fix_{decision.id}"
    version = seen_version(key, decision.version)
    with (
        st.popover(t("recommendations.correct"), icon=":material/edit_note:", key=key),
        st.form(f"{key}_form", border=False),
    ):
        st.caption(t("recommendations.correct_help"))
        outcomes = OUTCOMES_FOR[decision.body]
        outcome = st.selectbox(
            t("recommendations.field.outcome"),
            outcomes,
            index=outcomes.index(decision.outcome),
            format_func=lambda o: t(f"decision.outcome.{o}"),
            key=f"{key}_outcome",
        )
        decided_on = st.date_input(
            t("recommendations.field.decided_on"),
            value=date.fromisoformat(decision.decided_at),
            format=date_format(),
            key=f"{key}_date",
        )
        rationale = st.text_area(
            t("recommendations.field.rationale"),
            value=decision.rationale,
            max_chars=recommendations.RATIONALE_MAX,
            key=f"{key}_rationale",
        )
        if st.form_submit_button(t("correction.save"), type="primary"):
            save_correction(
                key,
                lambda: recommendations.correct_decision(
                    db,
                    decision.id,
                    expected_version=version,
                    outcome=outcome or decision.outcome,
                    decided_on=decided_on or decision.decided_at,
                    rationale=rationale,
                    actor=user,
                ),
            )


committee_header(
    committee, state.phase, t("recommendations.title", title=committee.title), "recommendations"
)
if not drafting and not deciding:
    st.info(t("recommendations.read_only", phase=phase_label(state.phase)))

listed = recommendations.list_recommendations(db, committee.id)
if not listed:
    st.info(t("recommendations.empty"))

for rec in listed:
    with st.container(border=True, key=f"recommendations_card_{rec.id}"):
        with st.container(horizontal=True, vertical_alignment="center"):
            if rec.theme:
                st.badge(rec.theme, color="violet")
            st.badge(t(f"recommendation.stage.{rec.stage}"), color="blue")
        st.subheader(user_text(rec.title))
        if rec.body:
            st.markdown(user_text(rec.body))
        if rec.ideas:
            st.markdown(f"**{tn('recommendations.source_ideas', len(rec.ideas))}**")
            for idea in rec.ideas:
                st.markdown(
                    f"- {user_text(idea.text)} · "
                    + tn(
                        "recommendations.idea_meta",
                        idea.dots,
                        meeting=user_text(idea.meeting_title),
                    )
                )
        for decision in rec.decisions:
            line = t(
                "recommendations.decision_line",
                body=t(f"decision.body.{decision.body.value}"),
                outcome=t(f"decision.outcome.{decision.outcome.value}"),
                date=day_text(decision.decided_at),
            )
            st.markdown(f"{GAVEL} {line}")
            if decision.rationale:
                st.caption(user_text(decision.rationale))
            was_lines(decision.corrections, decision_text)
            correct_decision_control(decision)

        if drafting:
            with (
                st.popover(
                    t("recommendations.revise"),
                    icon=":material/edit:",
                    key=f"recommendations_revise_{rec.id}",
                ),
                st.form(f"recommendations_revise_form_{rec.id}"),
            ):
                new_title = st.text_input(
                    t("recommendations.field.title"),
                    value=rec.title,
                    max_chars=recommendations.TITLE_MAX,
                    key=f"recommendations_revise_title_{rec.id}",
                )
                new_theme = st.text_input(
                    t("recommendations.field.theme"),
                    value=rec.theme,
                    max_chars=recommendations.THEME_MAX,
                    key=f"recommendations_revise_theme_{rec.id}",
                )
                new_body = st.text_area(
                    t("recommendations.field.body"),
                    value=rec.body,
                    max_chars=recommendations.BODY_MAX,
                    key=f"recommendations_revise_body_{rec.id}",
                )
                linked = {i.id for i in rec.ideas}
                more = st.multiselect(
                    t("recommendations.field.add_ideas"),
                    [i for i in candidates if i.id not in linked],
                    format_func=idea_label,
                    key=f"recommendations_revise_ideas_{rec.id}",
                    placeholder=t("common.choose_many"),
                    select_all=False,
                )
                if st.form_submit_button(t("common.save"), type="primary"):
                    with shows_refusal():
                        recommendations.revise_recommendation(
                            db,
                            rec.id,
                            title=new_title,
                            body=new_body,
                            theme=new_theme,
                            add_idea_ids=[i.id for i in more],
                            actor=user,
                        )
                        flash(t("recommendations.saved"))
                        st.rerun()

        if deciding and rec.stage not in FINAL_STAGES:
            body = recommendations.BODY_AT_STAGE[rec.stage]
            with st.form(f"recommendations_decide_{rec.id}", border=False):
                st.markdown(
                    f"**{t('recommendations.record_for', body=t(f'decision.body.{body.value}'))}**"
                )
                outcome = st.selectbox(
                    t("recommendations.field.outcome"),
                    OUTCOMES_FOR[body],
                    format_func=lambda o: t(f"decision.outcome.{o}"),
                    key=f"recommendations_outcome_{rec.id}",
                )
                decided_on = st.date_input(
                    t("recommendations.field.decided_on"),
                    value=formats.today(),
                    format=date_format(),
                    key=f"recommendations_date_{rec.id}",
                )
                rationale = st.text_area(
                    t("recommendations.field.rationale"),
                    max_chars=recommendations.RATIONALE_MAX,
                    help=t("recommendations.rationale_help"),
                    key=f"recommendations_rationale_{rec.id}",
                )
                if st.form_submit_button(t("recommendations.record"), type="primary"):
                    with shows_refusal():
                        recommendations.record_decision(
                            db,
                            rec.id,
                            body=body,
                            outcome=outcome or DecisionOutcome.ADOPTED,
                            decided_on=decided_on or formats.today(),
                            rationale=rationale,
                            actor=user,
                        )
                        # The next body starts with an empty form (on an error, text stays).
                        st.session_state[RESET] = rec.id
                        flash(t("recommendations.recorded"))
                        st.rerun()

if drafting:
    with (
        st.expander(t("recommendations.new"), icon=":material/add:", expanded=not listed),
        st.form("recommendations_new", clear_on_submit=True),
    ):
        title = st.text_input(
            t("recommendations.field.title"),
            max_chars=recommendations.TITLE_MAX,
            key="recommendations_title",
        )
        theme = st.text_input(
            t("recommendations.field.theme"),
            max_chars=recommendations.THEME_MAX,
            key="recommendations_theme",
        )
        text = st.text_area(
            t("recommendations.field.body"),
            max_chars=recommendations.BODY_MAX,
            key="recommendations_body",
        )
        chosen = st.multiselect(
            t("recommendations.field.ideas"),
            candidates,
            format_func=idea_label,
            help=t("recommendations.field.ideas_help"),
            key="recommendations_ideas",
            placeholder=t("common.choose_many"),
            select_all=False,
        )
        whole_themes = (
            st.multiselect(
                t("recommendations.field.themes"),
                themes,
                help=t("recommendations.field.themes_help"),
                key="recommendations_themes",
                placeholder=t("common.choose_many"),
                select_all=False,
            )
            if themes
            else []
        )
        if st.form_submit_button(t("recommendations.create"), type="primary"):
            with shows_refusal():
                recommendations.draft_recommendation(
                    db,
                    committee.id,
                    title=title,
                    body=text,
                    theme=theme,
                    idea_ids=[i.id for i in chosen]
                    + [i.id for i in candidates if i.theme in whole_themes],
                    actor=user,
                )
                flash(t("recommendations.created"))
                st.rerun()
