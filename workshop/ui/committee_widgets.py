"""UI pieces shared by the committee pages: which committee, its phase line, public links."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import streamlit as st

from workshop import committees
from workshop.committees import invitations, members
from workshop.committees.model import Action, Deadline, MeetingPlan, Phase
from workshop.db import Store
from workshop.errors import NotFound
from workshop.i18n import formats
from workshop.meetings import qr
from workshop.model import Committee, User
from workshop.ui.actions import or_stop, shows_refusal
from workshop.ui.i18n import clock, current_language, day, t, tn
from workshop.ui.navigation import page_file
from workshop.ui.process import settings, store
from workshop.ui.session import flash
from workshop.ui.widgets import demo_badge, user_text

EVENT = ":material/event:"
TODO = ":material/radio_button_unchecked:"
PLACE = ":material/place:"
GAVEL = ":material/gavel:"
MAIL = ":material/mail:"
DRAFT = ":material/edit_note:"

PHASE_ICONS = {
    Phase.MANDATE: ":material/description:",
    Phase.RECRUITMENT: ":material/person_add:",
    Phase.COMMITTEE_WORK: ":material/groups:",
    Phase.RECOMMENDATIONS: ":material/lightbulb:",
    Phase.POLITICAL_DECISION: ":material/gavel:",
    Phase.IMPLEMENTATION: ":material/construction:",
    Phase.EVALUATION: ":material/fact_check:",
}


def picked_committee() -> Committee:
    """The committee named by ``?committee=<id>``; stops the page with a message otherwise."""
    wanted = st.query_params.get("committee", "")
    try:
        if not wanted.isdigit():
            raise NotFound("error.not_found")
        return committees.get_committee(store(), int(wanted))
    except NotFound:
        st.warning(t("committee.pick_from_list"))
        st.page_link(
            "workshop/ui/pages/committees.py",
            label=t("page.committees"),
            icon=":material/arrow_back:",
        )
        st.stop()
        raise  # for type checkers: st.stop() does not return


def linked_committee() -> Committee:
    """The committee named by a public page's ``?link=<token>``; stops the page with the error
    otherwise."""
    return or_stop(committees.get_committee_by_token, store(), st.query_params.get("link", ""))


def committee_header(committee: Committee, phase: Phase, title: str, here: str) -> None:
    """The top of a staff page of one committee: demo and phase badges, title, page links."""
    with st.container(horizontal=True, vertical_alignment="center"):
        demo_badge(committee.is_demo)
        phase_badge(phase)
    st.title(title)
    committee_nav(committee, here)


def committee_nav(committee: Committee, here: str) -> None:
    """Links between the pages of one committee, as a row that stays a row on a phone."""
    links = [
        ("committee", ":material/dashboard:"),
        ("mandate_editor", ":material/description:"),
        ("recruitment", ":material/person_add:"),
        ("recommendations", ":material/lightbulb:"),
    ]
    with st.container(horizontal=True, key=f"{here}_nav"):
        for page, icon in links:
            target = page_file(page)
            st.page_link(
                target,
                label=t(f"page.{page}"),
                icon=icon,
                query_params={"committee": str(committee.id)},
                disabled=page == here,
            )


def phase_label(phase: Phase) -> str:
    return t(f"phase.{phase.value}")


def phase_badge(phase: Phase) -> None:
    st.badge(phase_label(phase), icon=PHASE_ICONS[phase], color="blue")


def deadline_text(deadline: Deadline | None) -> str:
    if deadline is None:
        return t("committee.no_deadline")
    days = (date.fromisoformat(deadline.due_on) - formats.today()).days
    when = day(deadline.due_on)
    if days < 0:
        return t("committee.deadline_overdue", phase=phase_label(deadline.phase), date=when)
    return t("committee.deadline", phase=phase_label(deadline.phase), date=when, days=days)


def day_text(iso: str | None) -> str:
    """An ISO date or stored moment in the reader's date style (workshop.i18n.formats)."""
    return day(iso, empty="—")


def public_url(page: str, token: str) -> str:
    base = qr.base_url(settings().public_url, st.context.url)
    return f"{base.rstrip('/')}/{page}?{urlencode({'link': token})}"


# Session-state key: the application this browser just sent (the apply page shows a receipt).
APPLIED = "committee_applied"


def invitation_controls(db: Store, plan: MeetingPlan, user: User) -> None:
    """The meeting's calendar file to download, and "send invitations" to the members."""
    lang = current_language()
    zone = settings().time_zone
    with st.container(horizontal=True, key=f"committee_invitation_{plan.meeting_id}"):
        st.download_button(
            t("meetings.download_ics"),
            data=invitations.invitation_calendar(db, plan.meeting_id, time_zone=zone, lang=lang),
            file_name=invitations.file_name(plan),
            mime="text/calendar",
            icon=":material/calendar_month:",
            key=f"committee_ics_{plan.meeting_id}",
        )
        coming = not members.has_started(plan.planned_at)
        allowed = committees.is_allowed(db, plan.committee_id, Action.PLAN_MEETING)
        sent = invitations.list_invitations(db, plan.meeting_id)
        resend = False
        if coming and allowed and sent:
            local = invitations.local_time(sent[-1].sent_at, zone)
            st.caption(t("meetings.invitations_last_sent", date=day(local), time=clock(local)))
            resend = st.checkbox(
                t("meetings.confirm_resend"), key=f"committee_resend_{plan.meeting_id}"
            )
        clicked = (
            coming
            and allowed
            and st.button(
                t("meetings.send_again" if sent else "meetings.send_invitations"),
                help=t("meetings.invitations_help"),
                icon=":material/send:",
                disabled=bool(sent) and not resend,
                key=f"committee_invite_{plan.meeting_id}",
            )
        )
    if clicked:
        with shows_refusal():
            report = invitations.send_invitations(
                db, plan.meeting_id, actor=user, lang=lang, time_zone=zone, resend=resend
            )
            st.success(tn("meetings.invitations_sent", len(report.sent)))
            if report.failed:
                names = ", ".join(user_text(m.name) for m in report.failed)
                st.error(t("meetings.invitations_failed", names=names))
            if report.without_address:
                names = ", ".join(user_text(m.name) for m in report.without_address)
                st.warning(t("meetings.tell_another_way", names=names), icon=":material/call:")
    sent = invitations.list_invitations(db, plan.meeting_id)
    if sent:
        st.caption(
            t(
                "meetings.invitation_log",
                delivered=sum(s.status == "delivered" for s in sent),
                failed=sum(s.status == "failed" for s in sent),
                date=day_text(sent[-1].sent_at),
            )
        )


def minutes_approval_control(
    db: Store, plan: MeetingPlan, plans: list[MeetingPlan], user: User
) -> None:
    """Approve a meeting's draft minutes at one of the committee's later meetings."""
    later = [
        p
        for p in plans
        if p.planned_at > plan.planned_at
        or (p.planned_at == plan.planned_at and p.meeting_id > plan.meeting_id)
    ]
    if not later:
        st.caption(t("meetings.no_later_meeting"))
        return
    held = [p for p in later if members.has_started(p.planned_at)]
    if not held:  # minutes are approved at a meeting that has taken place
        st.caption(t("meetings.approve_after_start", meeting=user_text(later[0].title)))
        return
    later = held
    titles = {p.meeting_id: f"{day_text(p.planned_at)} · {p.title}" for p in later}
    with st.container(horizontal=True, vertical_alignment="bottom"):
        at_meeting = st.selectbox(
            t("meetings.approve_at"),
            list(titles),
            format_func=lambda meeting_id: titles[meeting_id],
            key=f"committee_approve_at_{plan.meeting_id}",
        )
        clicked = st.button(
            t("meetings.approve_minutes"),
            icon=":material/verified:",
            key=f"committee_approve_{plan.meeting_id}",
        )
    if clicked and at_meeting is not None:
        with shows_refusal():
            members.approve_minutes(db, plan.meeting_id, at_meeting=at_meeting, actor=user)
            flash(t("meetings.minutes_approved_ok"))
            st.rerun()
