"""One committee at a glance: phase on the timeline, what is due next, members and meetings."""

from datetime import date, datetime, time
from functools import partial

import streamlit as st

from workshop import committees
from workshop.committees import members
from workshop.committees.model import AttendanceStatus, MemberRole, Phase
from workshop.i18n import formats
from workshop.model import Role
from workshop.privacy import core as privacy
from workshop.ui import correction_widgets
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import (
    DRAFT,
    EVENT,
    MAIL,
    PLACE,
    TODO,
    committee_header,
    day_text,
    deadline_text,
    invitation_controls,
    minutes_approval_control,
    phase_label,
    picked_committee,
)
from workshop.ui.i18n import date_format, moment, t, tn
from workshop.ui.privacy_widgets import erase_person_control
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
committee = picked_committee()
state = committees.get_state(db, committee.id)
overview = committees.get_overview(db, committee.id)
phase = state.phase

committee_header(committee, phase, user_text(committee.title), "committee")

overview_tab, members_tab, meetings_tab = st.tabs(
    [t("committee.tab.overview"), t("committee.tab.members"), t("committee.tab.meetings")]
)

# -- at a glance ------------------------------------------------------------------------------
with overview_tab:
    people = members.list_members(db, committee.id)
    today = formats.today().isoformat()
    active = [m for m in people if m.is_active(today)]
    coming = members.next_meeting(db, committee.id)
    with st.container(horizontal=True, key="committee_glance"):
        st.metric(t("committee.glance.phase"), phase_label(phase), border=True)
        st.metric(
            t("committee.glance.members"),
            t(
                "committee.glance.members_value",
                active=len(active),
                target=committee.politicians_target + committee.citizens_target,
            ),
            border=True,
        )
        st.metric(
            t("committee.glance.next_meeting"),
            day_text(coming.planned_at) if coming else "—",
            border=True,
        )
    st.markdown(f"{EVENT} {deadline_text(overview.next_deadline)}")

    with st.container(border=True, key="committee_next"):
        st.subheader(t("committee.next.title"))
        st.write(t(f"phase.hint.{phase.value}"))
        reasons = committees.blockers(db, committee.id)
        following = phase.next
        for reason in reasons:
            st.markdown(f"{TODO} {t(reason)}")
        if following is not None and st.button(
            t("committee.advance", phase=phase_label(following)),
            type="primary",
            disabled=bool(reasons),
            key="committee_advance",
            icon=":material/arrow_forward:",
        ):
            with shows_refusal():
                committees.advance_phase(db, committee.id, expected=phase, actor=user)
                correction_widgets.forget_seen(f"committee_back_{committee.id}")
                flash(t("committee.advanced", phase=phase_label(following)))
                st.rerun()
        correction_widgets.go_back_control(db, committee.id, phase, user)

    st.subheader(t("committee.timeline"))
    entered = committees.phase_history(db, committee.id)
    planned = {d.phase: d.due_on for d in committees.list_deadlines(db, committee.id)}
    steps = list(Phase)
    for index, step in enumerate(steps):
        # A phase that is over ends when the next began ("afsluttet 06.12.2026"); the current
        # one runs since it began ("i gang siden 06.12.2026").
        ended = entered.get(steps[index + 1]) if index + 1 < len(steps) else None
        if step.position < phase.position:
            icon = ":material/check_circle:"
            note = (
                t("committee.timeline.done_on", date=day_text(ended))
                if ended
                else t("committee.timeline.done")
            )
        elif step is phase:
            icon = ":material/radio_button_checked:"
            note = (
                t("committee.timeline.now_since", date=day_text(entered[step]))
                if step in entered
                else t("committee.timeline.now")
            )
        else:
            icon, note = ":material/radio_button_unchecked:", ""
        parts = [f"{icon} **{phase_label(step)}**"]
        if note:
            parts.append(note)
        if step in planned:
            parts.append(t("committee.timeline.due", date=day_text(planned[step])))
        st.markdown(" · ".join(parts))
    correction_widgets.deadline_corrections(db, committee.id)
    correction_widgets.phase_history(db, committee.id)

    with (
        st.expander(t("committee.deadlines.edit"), icon=":material/edit_calendar:"),
        st.form("committee_deadlines"),
    ):
        chosen: dict[Phase, date | None] = {}
        seen = correction_widgets.seen_deadline_versions(db, committee.id)
        for step in Phase:
            current = date.fromisoformat(planned[step]) if step in planned else None
            chosen[step] = st.date_input(
                phase_label(step),
                value=current,
                min_value=min(date(2000, 1, 1), current or date.max),
                max_value=max(date(formats.today().year + 15, 12, 31), current or date.min),
                format=date_format(),
                key=f"committee_due_{step.value}",
            )
        if st.form_submit_button(t("common.save"), type="primary"):
            correction_widgets.save_correction(
                f"committee_deadlines_{committee.id}",
                lambda: committees.set_deadlines(
                    db,
                    committee.id,
                    {p: d for p, d in chosen.items() if d or p in planned},
                    actor=user,
                    seen_versions=seen,
                ),
                t("committee.deadlines.saved"),
            )

# -- members ----------------------------------------------------------------------------------
with members_tab:
    st.caption(
        t(
            "committees.composition",
            politicians=committee.politicians_target,
            citizens=committee.citizens_target,
        )
    )
    if not people:
        st.info(t("members.empty"))
    for member in people:
        with st.container(border=True, key=f"committee_member_{member.id}"):
            st.markdown(f"**{user_text(member.name)}** · {t(f'member.role.{member.role.value}')}")
            st.caption(
                t("members.period", start=day_text(member.starts_on), end=day_text(member.ends_on))
            )
            if member.email:
                st.caption(f"{MAIL} {user_text(member.email)}")
            if member.ends_on is None and committees.is_allowed(
                db, committee.id, committees.Action.ADD_MEMBER
            ):
                with st.popover(
                    t("members.end"), icon=":material/logout:", key=f"committee_end_{member.id}"
                ):
                    last_day = st.date_input(
                        t("members.field.ends_on"),
                        format=date_format(),
                        key=f"committee_end_date_{member.id}",
                    )
                    if st.button(t("members.end"), key=f"committee_end_go_{member.id}"):
                        with shows_refusal():
                            members.end_membership(db, member.id, last_day, actor=user)
                            st.rerun()
            erase_person_control(
                "member",
                member.id,
                member.name,
                privacy.applicant_erased(db, member_id=member.id),
                partial(members.erase_member, db, member.id, actor=user),
            )

    if committees.is_allowed(db, committee.id, committees.Action.ADD_MEMBER):
        with (
            st.expander(t("members.add"), icon=":material/person_add:"),
            st.form("committee_add_member", clear_on_submit=True),
        ):
            name = st.text_input(
                t("members.field.name"), max_chars=members.NAME_MAX, key="committee_member_name"
            )
            role = st.selectbox(
                t("members.field.role"),
                list(MemberRole),
                format_func=lambda r: t(f"member.role.{r}"),
                key="committee_member_role",
            )
            starts = st.date_input(
                t("members.field.starts_on"),
                format=date_format(),
                key="committee_member_start",
            )
            ends = st.date_input(
                t("members.field.ends_on"),
                value=None,
                format=date_format(),
                key="committee_member_end",
            )
            email = st.text_input(
                t("members.field.email"),
                max_chars=members.EMAIL_MAX,
                help=t("members.email_help"),
                key="committee_member_email",
            )
            over = st.checkbox(t("members.confirm_over_target"), key="committee_member_over")
            if st.form_submit_button(t("members.add"), type="primary"):
                with shows_refusal():
                    made = members.add_member(
                        db,
                        committee.id,
                        name=name,
                        role=role or MemberRole.CITIZEN,
                        starts_on=starts or formats.today(),
                        ends_on=ends,
                        actor=user,
                        confirm_over_target=over,
                        email=email,
                    )
                    flash(t("members.added", name=made.name))
                    st.rerun()
    else:
        st.caption(t("members.closed", phase=phase_label(phase)))

# -- meetings ---------------------------------------------------------------------------------
with meetings_tab:
    plans = members.list_meeting_plans(db, committee.id)
    st.caption(tn("meetings.planned", len(plans)))
    for plan in plans:
        label = f"{moment(plan.planned_at)} · {plan.title}"
        with st.expander(label, icon=":material/event:", key=f"committee_plan_{plan.meeting_id}"):
            if plan.location:
                st.markdown(f"{PLACE} {user_text(plan.location)}")
            correction_widgets.meeting_date_correction(db, plan, user)
            st.caption(
                t(
                    "meetings.attendance_summary_status",
                    present=plan.present,
                    apologies=plan.apologies,
                    recorded=plan.recorded,
                )
            )
            st.page_link(
                "workshop/ui/pages/console.py",
                label=t("committees.open_console"),
                icon=":material/tune:",
                query_params={"meeting": str(plan.meeting_id)},
            )
            invitation_controls(db, plan, user)
            can_write = committees.is_allowed(db, committee.id, committees.Action.KEEP_MINUTES)
            locked = plan.approved_at is not None
            if locked:
                st.success(
                    t(
                        "meetings.minutes_approved",
                        meeting=user_text(plan.approved_at_title or ""),
                        date=day_text(plan.approved_at),
                    ),
                    icon=":material/verified:",
                )
            elif plan.minutes.strip():
                st.caption(f"{DRAFT} {t('meetings.minutes_draft')}")
            with st.form(f"committee_minutes_{plan.meeting_id}"):
                agenda = st.text_area(
                    t("meetings.field.agenda"),
                    value=plan.agenda,
                    max_chars=members.AGENDA_MAX,
                    key=f"committee_agenda_{plan.meeting_id}",
                    disabled=not can_write or locked,
                )
                minutes = st.text_area(
                    t("meetings.field.minutes"),
                    value=plan.minutes,
                    max_chars=members.MINUTES_MAX,
                    height=200,
                    key=f"committee_minutes_text_{plan.meeting_id}",
                    disabled=not can_write or locked,
                )
                st.markdown(f"**{t('meetings.attendance')}**")
                started = members.has_started(plan.planned_at)
                if not started:
                    st.caption(t("meetings.attendance_after_start"))
                was = members.attendance(db, plan.meeting_id)
                statuses = {
                    m.id: st.radio(
                        f"{user_text(m.name)} ({t(f'member.role.{m.role.value}')})",
                        list(AttendanceStatus),
                        index=list(AttendanceStatus).index(was[m.id]) if m.id in was else None,
                        format_func=lambda s: t(f"attendance.{s}"),
                        horizontal=True,
                        key=f"committee_status_{plan.meeting_id}_{m.id}",
                        disabled=not can_write,
                    )
                    for m in people
                    if started and m.is_active(plan.planned_at[:10])  # data, not text
                }
                if st.form_submit_button(
                    t("meetings.save_minutes"), type="primary", disabled=not can_write
                ):
                    with shows_refusal():
                        if not locked:
                            members.record_minutes(
                                db, plan.meeting_id, agenda=agenda, minutes=minutes, actor=user
                            )
                        marked = {k: v for k, v in statuses.items() if v is not None}
                        if marked:
                            members.record_attendance(db, plan.meeting_id, marked, actor=user)
                        flash(t("meetings.minutes_saved"))
                        st.rerun()
            if can_write and not locked and plan.minutes.strip():
                minutes_approval_control(db, plan, plans, user)

    if committees.is_allowed(db, committee.id, committees.Action.PLAN_MEETING):
        with (
            st.expander(t("meetings.plan"), icon=":material/add:"),
            st.form("committee_plan_meeting", clear_on_submit=True),
        ):
            title = st.text_input(
                t("meeting.field.title"), max_chars=120, key="committee_plan_title"
            )
            with st.container(horizontal=True):
                day = st.date_input(
                    t("meetings.field.date"), format=date_format(), key="committee_plan_date"
                )
                at = st.time_input(
                    t("meetings.field.time"), value=time(17, 0), key="committee_plan_time"
                )
            where = st.text_input(
                t("meetings.field.location"),
                max_chars=members.LOCATION_MAX,
                key="committee_plan_location",
            )
            plan_agenda = st.text_area(
                t("meetings.field.agenda"),
                max_chars=members.AGENDA_MAX,
                key="committee_plan_agenda",
            )
            if st.form_submit_button(t("meetings.plan"), type="primary"):
                with shows_refusal():
                    members.plan_meeting(
                        db,
                        committee.id,
                        title,
                        planned_at=datetime.combine(day or formats.today(), at or time(17, 0)),
                        location=where,
                        agenda=plan_agenda,
                        actor=user,
                    )
                    flash(t("meetings.planned_ok"))
                    st.rerun()
    else:
        st.caption(t("meetings.closed", phase=phase_label(phase)))
