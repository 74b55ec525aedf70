"""Recruitment review: applications with statuses and reasons, coverage against targets, draw."""

import json
from functools import partial

import streamlit as st

from workshop import committees
from workshop.committees import mandates, recruitment, sortition
from workshop.committees.model import (
    DIVERSITY_ATTRIBUTES,
    Action,
    ApplicationStatus,
)
from workshop.errors import WorkshopError
from workshop.i18n import numbers
from workshop.model import Role
from workshop.privacy import core as privacy
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import (
    committee_header,
    day_text,
    phase_label,
    picked_committee,
    public_url,
)
from workshop.ui.correction_widgets import rationale_correction, send_outcomes_panel
from workshop.ui.i18n import current_language, error_text, t, tn
from workshop.ui.link_widgets import renew_link
from workshop.ui.privacy_widgets import erase_person_control
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
committee = picked_committee()
state = committees.get_state(db, committee.id)
mandate = mandates.approved_mandate(db, committee.id) or mandates.find_mandate(db, committee.id)


def attribute_label(attribute: str) -> str:
    """An attribute's name as a label ("Svært tilgængelige grupper"), not the application
    form's question ("Hører du til en af disse grupper?"), so no "?:" follows it."""
    return t(f"summary.attribute.{attribute}")


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
                    f"{attribute_label(a)}: {user_text(value_label(a, v))}"
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
                    + " "
                    + user_text(recruitment.rationale_text(review["rationale"], current_language()))
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
                        with shows_refusal():
                            recruitment.review_application(
                                db,
                                application.id,
                                new_status or ApplicationStatus.SHORTLISTED,
                                rationale=rationale,
                                actor=user,
                                confirm_over_target=over,
                            )
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
            placeholder=t("table.empty"),
        )
    if committees.can(state.phase, Action.SET_TARGETS):
        with st.expander(t("recruitment.targets"), icon=":material/tune:"):
            st.caption(t("recruitment.targets_help"))
            attribute = st.selectbox(
                t("recruitment.target_attribute"),
                DIVERSITY_ATTRIBUTES,
                format_func=attribute_label,
                key="recruitment_target_attribute",
            )
            chosen_attribute = str(attribute or DIVERSITY_ATTRIBUTES[0])
            options = recruitment.target_options(db, committee.id, chosen_attribute)
            if not options:
                st.info(t("draw.target.no_districts"))
            else:
                value = st.selectbox(
                    t("draw.target.value"),
                    options,
                    format_func=partial(value_label, chosen_attribute),
                    key=f"recruitment_target_value_{chosen_attribute}",
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
                if st.button(t("draw.target.save"), type="primary", key="recruitment_target_save"):
                    with shows_refusal():
                        recruitment.set_target(
                            db,
                            committee.id,
                            chosen_attribute,
                            str(value or ""),
                            minimum=int(minimum or 0),
                            maximum=int(maximum) if maximum is not None else None,
                            actor=user,
                        )
                        flash(t("recruitment.target_saved"))
                        st.rerun()

# -- draw -------------------------------------------------------------------------------------


def quota_label(quota: dict) -> str:
    attribute = quota["attribute"]
    return attribute_label(attribute) + " " + value_label(attribute, quota["value"])


def draw_error_text(error: WorkshopError) -> str:
    """Conflicting quotas are named by the labels the facilitator chose them by."""
    if isinstance(error, sortition.QuotaConflict):
        named = "; ".join(
            sortition.quota_text(q, value_label(q.attribute, q.value)).replace(
                f"{q.attribute} ", f"{attribute_label(q.attribute)} ", 1
            )
            for q in error.conflicts
        )
        return t(error.key, **{**error.params, "quotas": named})
    return error_text(error)


def percent(value: float) -> str:
    return numbers.percent(value, current_language())


def record_download(draw: dict) -> None:
    """The record as JSON, to download and to read: all ``samskab replay-draw --record`` needs,
    with application numbers and never names."""
    record = json.dumps(
        recruitment.draw_record(db, draw["id"]), ensure_ascii=False, indent=1, sort_keys=True
    )
    st.download_button(
        t("draw.record.download"),
        data=record,
        file_name=f"samskab-draw-{draw['id']}.json",  # machine-readable: named as its keys
        mime="application/json",
        icon=":material/download:",
        key=f"draw_download_{draw['id']}",
    )
    with st.expander(t("draw.record.json"), icon=":material/data_object:"):
        st.caption(t("draw.record.json_help", id=draw["id"]))
        st.code(record, language="json")


def show_draw(draw: dict, names: dict) -> None:
    st.caption(t(f"draw.method.{draw['method']}"))
    for earlier in draw["earlier"]:
        st.warning(
            t(
                "draw.record.earlier",
                draw=earlier["draw"],
                fingerprint=earlier["applicants_digest"],
                current=draw["applicants_digest"],
            ),
            icon=":material/warning:",
        )
    st.markdown(t("recruitment.draw_seed_shown"))
    st.code(draw["seed"], language=None)
    st.caption(t("draw.record.seed_digest", digest=draw["seed_digest"]))
    st.caption(t("recruitment.draw_digest", digest=draw["applicants_digest"]))
    st.markdown(f"**{t('draw.record.quotas')}**")
    if draw["quotas"]:
        st.dataframe(
            [
                {
                    t("draw.col.attribute"): attribute_label(q["attribute"]),
                    t("draw.col.value"): value_label(q["attribute"], q["value"]),
                    t("draw.col.min"): str(q["minimum"]),
                    t("draw.col.max"): "—" if q["maximum"] is None else str(q["maximum"]),
                }
                for q in draw["quotas"]
            ],
            hide_index=True,
            key=f"draw_quotas_{draw['id']}",
            placeholder=t("table.empty"),
        )
    else:
        st.caption(t("draw.record.no_quotas"))
    st.markdown(
        t("draw.record.selected")
        + " "
        + ", ".join(user_text(names.get(i, str(i))) for i in draw["selected"])
    )
    lottery = draw["distribution"]
    if lottery is None:  # a greedy draw from before the fair lottery
        st.dataframe(
            [
                {
                    t("draw.col.seat"): step["seat"],
                    t("draw.col.phase"): t(f"sortition.phase.{step['phase']}"),
                    t("draw.col.group"): (
                        quota_label({"attribute": step["stratum"][0], "value": step["stratum"][1]})
                        if step.get("stratum")
                        else t("table.empty")
                    ),
                    t("draw.col.pool"): step["pool_size"],
                    t("draw.col.position"): step["position"],
                    t("draw.col.number"): step["applicant_id"],
                    t("draw.col.applicant"): names.get(
                        step["applicant_id"], str(step["applicant_id"])
                    ),
                    t("draw.col.accepted"): bool(step["accepted"]),
                }
                for step in draw["steps"]
            ],
            hide_index=True,
            key=f"recruitment_steps_{draw['id']}",
            placeholder=t("table.empty"),
        )
        return
    st.caption(
        t(
            "draw.record.number",
            number=numbers.decimal(draw["uniform"], current_language(), decimals=9),
            index=lottery["composition"] + 1,
            count=len(lottery["compositions"]),
        )
    )
    chances = dict((i, p) for i, p in lottery["probabilities"])
    st.markdown(f"**{t('draw.record.chances')}**")
    st.caption(
        t(
            "draw.record.chance_range",
            low=percent(min(chances.values())),
            high=percent(max(chances.values())),
        )
    )
    group_of = {
        member: index for index, members in enumerate(lottery["groups"]) for member in members
    }

    def group_text(applicant_id: int) -> str:
        profile = lottery["profiles"][group_of[applicant_id]]
        matched = [quota_label(q) for q, hit in zip(draw["quotas"], profile, strict=True) if hit]
        return ", ".join(matched) or t("draw.group.none")

    drawn = set(draw["selected"])
    st.dataframe(
        [
            {
                t("draw.col.number"): i,
                t("draw.col.applicant"): names.get(i, str(i)),
                t("draw.col.group"): group_text(i),
                t("draw.col.chance"): percent(p),
                t("draw.col.drawn"): "✓" if i in drawn else "",
            }
            for i, p in sorted(chances.items(), key=lambda item: (item[1], item[0]))
        ],
        hide_index=True,
        key=f"draw_chances_{draw['id']}",
        placeholder=t("table.empty"),
    )
    st.markdown(f"**{t('draw.record.groups')}**")
    st.caption(t("draw.record.groups_help"))
    st.dataframe(
        [
            {
                t("draw.col.group_number"): index + 1,
                t("draw.col.group"): ", ".join(
                    quota_label(q)
                    for q, hit in zip(draw["quotas"], lottery["profiles"][index], strict=True)
                    if hit
                )
                or t("draw.group.none"),
                t("draw.col.numbers"): ", ".join(str(i) for i in members),
            }
            for index, members in enumerate(lottery["groups"])
        ],
        hide_index=True,
        key=f"draw_groups_{draw['id']}",
        placeholder=t("table.empty"),
    )
    st.markdown(f"**{t('draw.record.lottery')}**")
    st.caption(t("draw.record.lottery_help"))
    st.dataframe(
        [
            {
                t("draw.col.composition"): index + 1,
                t("draw.col.seats_per_group"): " · ".join(
                    f"{group + 1}: {count}" for group, count in enumerate(counts) if count
                ),
                t("draw.col.probability"): percent(probability),
                t("draw.col.drawn"): "✓" if index == lottery["composition"] else "",
            }
            for index, (counts, probability) in enumerate(lottery["compositions"])
        ],
        hide_index=True,
        key=f"draw_lottery_{draw['id']}",
        placeholder=t("table.empty"),
    )
    st.markdown(f"**{t('draw.record.steps')}**")
    st.caption(t("draw.steps.help"))
    st.dataframe(
        [
            {
                t("draw.col.seat"): s["seat"],
                t("draw.col.group"): group_text(s["applicant_id"]),
                t("draw.col.pool"): s["pool_size"],
                t("draw.col.position"): s["position"],
                t("draw.col.number"): s["applicant_id"],
                t("draw.col.applicant"): names.get(s["applicant_id"], str(s["applicant_id"])),
            }
            for s in draw["steps"]
        ],
        hide_index=True,
        key=f"recruitment_steps_{draw['id']}",
        placeholder=t("table.empty"),
    )
    record_download(draw)
    if st.button(
        t("draw.replay.button"), icon=":material/replay:", key=f"draw_replay_{draw['id']}"
    ):
        replay = recruitment.replay_draw(db, draw["id"])
        lines = [t("draw.replay.fingerprint", fingerprint=replay.recorded_fingerprint)]
        if not replay.fingerprint_matches:
            lines.append(
                t("draw.replay.fingerprint_changed", fingerprint=replay.current_fingerprint)
            )
        elif replay.distribution_matches is not None:
            lines.append(
                t(
                    "draw.replay.lottery_same"
                    if replay.distribution_matches
                    else "draw.replay.lottery_differs",
                    difference=numbers.decimal(
                        replay.largest_difference or 0, current_language(), decimals=9
                    ),
                )
            )
        lines.append(
            t(
                "draw.replay.panel_same" if replay.panel_matches else "draw.replay.panel_differs",
                selected=", ".join(names.get(i, str(i)) for i in replay.recomputed_selected),
            )
        )
        lines.append(t("draw.replay.matches" if replay.matches else "draw.replay.mismatch"))
        (st.success if replay.matches else st.error)("  \n".join(lines))


with draw_tab:
    st.write(t("draw.intro"))
    with st.expander(t("draw.explain.title"), icon=":material/help:"):
        st.markdown(t("draw.explain.body"))
        st.markdown(t("draw.explain.replay"))
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
                with shows_refusal(draw_error_text):
                    drawn = recruitment.run_draw(
                        db, committee.id, seats=int(seats), seed=seed, actor=user
                    )
                    flash(tn("recruitment.drawn", len(drawn.selected)))
                    st.rerun()
    names = {a.id: a.name for a in everyone}
    for draw in recruitment.list_draws(db, committee.id):
        with st.expander(
            t("recruitment.draw_line", id=draw["id"], date=day_text(draw["drawn_at"])),
            icon=":material/casino:",
        ):
            show_draw(draw, names)
