"""Recruitment review: applications with statuses and reasons, coverage against targets, draw."""

from functools import partial

import streamlit as st

from workshop import committees, privacy
from workshop.committees import mandates, recruitment
from workshop.committees.records import (
    DIVERSITY_ATTRIBUTES,
    DIVERSITY_OPTIONS,
    Action,
    ApplicationStatus,
)
from workshop.errors import WorkshopError
from workshop.model import Role
from workshop.ui.committee_widgets import (
    committee_header,
    day_text,
    phase_label,
    picked_committee,
    public_url,
)
from workshop.ui.correction_widgets import rationale_correction, send_outcomes_panel
from workshop.ui.i18n import error_text, t, tn
from workshop.ui.link_widgets import renew_link
from workshop.ui.privacy_widgets import erase_person_control
from workshop.ui.session import flash, require_role, show_flash, store
from workshop.ui.widgets import user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
committee = picked_committee()
state = committees.get_state(db, committee.id)
mandate = mandates.approved_mandate(db, committee.id) or mandates.find_mandate(db, committee.id)


def value_label(attribute: str, value: str) -> str:
    if attribute == "competence" or attribute == "district":
        return value
    return t(f"diversity.{attribute}.{value}")


committee_header(
    committee, state.phase, t("recruitment.title", title=committee.title), "recruitment"
)

open_now = committees.can(state.phase, Action.APPLY)
if open_now:
    st.success(t("recruitment.open"), icon=":material/campaign:")
else:
    st.info(t("recruitment.not_open", phase=phase_label(state.phase)), icon=":material/lock:")
public = committees.public_link_token(db, committee.id)
if public is not None:
    st.code(public_url("apply", public), language=None)
renew_link(
    public,
    lambda: committees.new_public_link(db, committee.id, actor=user),
    key="recruitment_new_link",
)

taken, target = recruitment.citizen_seats(db, committee.id)
st.metric(t("recruitment.citizen_seats"), t("recruitment.seats_value", taken=taken, target=target))

applications_tab, coverage_tab, draw_tab = st.tabs(
    [t("recruitment.tab.applications"), t("recruitment.tab.coverage"), t("recruitment.tab.draw")]
)

# -- applications -----------------------------------------------------------------------------
with applications_tab:
    everyone = recruitment.list_applications(db, committee.id)
    rationale_fixes = recruitment.rationale_corrections(db, committee.id)
    shown_status = st.segmented_control(
        t("recruitment.filter"),
        list(ApplicationStatus),
        format_func=lambda s: t(f"application.status.{s}"),
        key="recruitment_filter",
    )
    listed = [a for a in everyone if shown_status is None or a.status == shown_status]
    st.caption(tn("recruitment.count", len(listed)))
    can_review = committees.can(state.phase, Action.REVIEW_APPLICATIONS)
    for application in listed:
        with st.container(border=True, key=f"recruitment_app_{application.id}"):
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{user_text(application.name)}**")
                st.badge(t(f"application.status.{application.status.value}"), color="gray")
            st.caption(
                t("recruitment.submitted", date=day_text(application.submitted_at))
                + (f" · {user_text(application.contact)}" if application.contact else "")
            )
            st.markdown(user_text(application.motivation))
            if application.competences:
                st.markdown(
                    t("recruitment.competences")
                    + " "
                    + ", ".join(user_text(c) for c in application.competences)
                )
            if application.consent_at:
                answers = [
                    f"{t(f'diversity.{a}')}: {user_text(value_label(a, v))}"
                    for a in DIVERSITY_ATTRIBUTES
                    if (v := application.attribute(a))
                ]
                st.caption(
                    t("recruitment.consent_at", date=day_text(application.consent_at))
                    + (" · " + " · ".join(answers) if answers else "")
                )
            for review in recruitment.list_reviews(db, application.id):
                st.caption(
                    t(
                        "recruitment.review_line",
                        status=t(f"application.status.{review['status']}"),
                        name=review["reviewer"] or "—",
                        date=day_text(review["reviewed_at"]),
                    )
                    + f" {user_text(review['rationale'])}"
                )
            rationale_correction(db, application, rationale_fixes.get(application.id, []), user)
            erase_person_control(
                "application",
                application.id,
                application.name,
                privacy.applicant_erased(db, application_id=application.id),
                partial(recruitment.erase_application, db, application.id, actor=user),
            )
            if can_review and application.status is not ApplicationStatus.APPOINTED:
                with st.popover(
                    t("recruitment.decide"),
                    icon=":material/rule:",
                    key=f"recruitment_decide_{application.id}",
                ):
                    new_status = st.selectbox(
                        t("recruitment.new_status"),
                        [s for s in ApplicationStatus if s is not application.status],
                        format_func=lambda s: t(f"application.status.{s}"),
                        key=f"recruitment_status_{application.id}",
                    )
                    rationale = st.text_area(
                        t("recruitment.rationale"),
                        max_chars=recruitment.RATIONALE_MAX,
                        help=t("recruitment.rationale_help"),
                        key=f"recruitment_rationale_{application.id}",
                    )
                    over = st.checkbox(
                        t("members.confirm_over_target"), key=f"recruitment_over_{application.id}"
                    )
                    if st.button(
                        t("recruitment.record"),
                        type="primary",
                        key=f"recruitment_record_{application.id}",
                    ):
                        try:
                            recruitment.review_application(
                                db,
                                application.id,
                                new_status or ApplicationStatus.SHORTLISTED,
                                rationale=rationale,
                                actor=user,
                                confirm_over_target=over,
                            )
                        except WorkshopError as error:
                            st.error(error_text(error))
                        else:
                            flash(t("recruitment.recorded", name=application.name))
                            st.rerun()

    send_outcomes_panel(db, committee.id, user)

# -- coverage ---------------------------------------------------------------------------------
with coverage_tab:
    profile = mandate.competences if mandate is not None else []
    rows = recruitment.coverage(db, committee.id, profile)
    if not rows:
        st.info(t("recruitment.coverage_empty"))
    else:
        st.dataframe(
            [
                {
                    t("recruitment.col.kind"): t(f"recruitment.kind.{r.kind}"),
                    t("recruitment.col.value"): value_label(r.kind, r.value),
                    t("recruitment.col.target"): (
                        f"{r.target_min}–{r.target_max}"
                        if r.target_max is not None
                        else f"≥ {r.target_min}"
                    ),
                    t("recruitment.col.appointed"): r.appointed,
                    t("recruitment.col.shortlisted"): r.shortlisted,
                    t("recruitment.col.applicants"): r.applicants,
                    t("recruitment.col.met"): "✓" if r.met else "✗",
                }
                for r in rows
            ],
            hide_index=True,
            key="recruitment_coverage",
        )
    if committees.can(state.phase, Action.SET_TARGETS):
        with (
            st.expander(t("recruitment.targets"), icon=":material/tune:"),
            st.form("recruitment_target"),
        ):
            st.caption(t("recruitment.targets_help"))
            attribute = st.selectbox(
                t("recruitment.target_attribute"),
                DIVERSITY_ATTRIBUTES,
                format_func=lambda a: t(f"diversity.{a}"),
                key="recruitment_target_attribute",
            )
            value = st.text_input(
                t("recruitment.target_value"),
                help=t(
                    "recruitment.target_value_help",
                    options=", ".join(
                        f"{key} ({t(f'diversity.{a}.{key}')})"
                        for a, keys in DIVERSITY_OPTIONS.items()
                        for key in keys
                    ),
                ),
                key="recruitment_target_value",
            )
            with st.container(horizontal=True):
                minimum = st.number_input(
                    t("recruitment.target_min"), 0, 200, 1, key="recruitment_target_min"
                )
                maximum = st.number_input(
                    t("recruitment.target_max"),
                    0,
                    200,
                    value=None,
                    key="recruitment_target_max",
                )
            if st.form_submit_button(t("common.save"), type="primary"):
                try:
                    recruitment.set_target(
                        db,
                        committee.id,
                        str(attribute),
                        value,
                        minimum=int(minimum or 0),
                        maximum=int(maximum) if maximum is not None else None,
                        actor=user,
                    )
                except WorkshopError as error:
                    st.error(error_text(error))
                else:
                    flash(t("recruitment.target_saved"))
                    st.rerun()

# -- draw -------------------------------------------------------------------------------------
with draw_tab:
    st.write(t("recruitment.draw_intro"))
    pool = recruitment.draw_pool(db, committee.id)
    st.caption(tn("recruitment.draw_pool", len(pool)))
    if committees.can(state.phase, Action.DRAW):
        with st.form("recruitment_draw"):
            seats = st.number_input(
                t("recruitment.draw_seats"),
                1,
                200,
                max(1, min(len(pool), target - taken)) if pool else 1,
                key="recruitment_draw_seats",
            )
            seed = st.text_input(
                t("recruitment.draw_seed"),
                max_chars=recruitment.SEED_MAX,
                help=t("recruitment.draw_seed_help"),
                key="recruitment_draw_seed",
            )
            if st.form_submit_button(t("recruitment.draw_run"), type="primary"):
                try:
                    drawn = recruitment.run_draw(
                        db, committee.id, seats=int(seats), seed=seed, actor=user
                    )
                except WorkshopError as error:
                    st.error(error_text(error))
                else:
                    flash(tn("recruitment.drawn", len(drawn.selected)))
                    st.rerun()
    names = {a.id: a.name for a in everyone}
    for draw in recruitment.list_draws(db, committee.id):
        with st.expander(
            t("recruitment.draw_line", id=draw["id"], date=day_text(draw["drawn_at"])),
            icon=":material/casino:",
        ):
            st.markdown(t("recruitment.draw_seed_shown"))
            st.code(draw["seed"], language=None)
            st.caption(t("recruitment.draw_digest", digest=draw["applicants_digest"]))
            st.markdown(", ".join(user_text(names.get(i, str(i))) for i in draw["selected"]))
            st.dataframe(draw["steps"], hide_index=True, key=f"recruitment_steps_{draw['id']}")
