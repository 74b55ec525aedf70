"""Facilitators' landing page: every committee with its phase and next deadline.

Create a committee here; its own page (``committee.py``) carries the lifecycle.
"""

import streamlit as st

from workshop import committees
from workshop.meetings import core as meetings
from workshop.meetings.agenda import AgendaTemplate
from workshop.model import MeetingKind, Role
from workshop.ui.actions import shows_refusal
from workshop.ui.committee_widgets import EVENT, deadline_text, phase_badge
from workshop.ui.i18n import t, tn
from workshop.ui.overdue import overdue_panel
from workshop.ui.process import store
from workshop.ui.runtime import closable, close_next_run
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import demo_badge, user_text

NEW_COMMITTEE = "committees_new"

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
st.title(t("committees.title"))
overdue_panel()  # commitments and feedback promises past their date

with (
    st.expander(
        t("committees.new"), icon=":material/add:", key=closable(NEW_COMMITTEE), on_change="rerun"
    ),
    st.form("committees_create", clear_on_submit=True),
):
    title = st.text_input(
        t("committees.field.title"), max_chars=committees.TITLE_MAX, key="committees_title"
    )
    task = st.text_area(
        t("committees.field.task"), max_chars=committees.TASK_MAX, key="committees_task"
    )
    left, right = st.columns(2)
    politicians = left.number_input(
        t("committees.field.politicians"), 0, 50, 5, key="committees_politicians"
    )
    citizens = right.number_input(
        t("committees.field.citizens"), 0, 200, 10, key="committees_citizens"
    )
    if st.form_submit_button(t("committees.create"), type="primary"):
        with shows_refusal():
            made = committees.create_committee(
                db,
                title,
                task,
                politicians_target=int(politicians),
                citizens_target=int(citizens),
                actor=user,
            )
            flash(t("committees.created", title=made.title))
            close_next_run(NEW_COMMITTEE)
            st.rerun()

overviews = committees.list_overviews(db)
if not overviews:
    st.info(t("committees.empty"))
else:
    st.caption(tn("committee.count", len(overviews)))

for overview in overviews:
    committee = committees.get_committee(db, overview.id)
    with st.container(border=True, key=f"committees_card_{committee.id}"):
        with st.container(horizontal=True, vertical_alignment="center"):
            demo_badge(committee.is_demo)
            phase_badge(overview.phase)
        st.subheader(user_text(committee.title))
        st.markdown(
            f"{EVENT} {deadline_text(overview.next_deadline)}",
            help=t("committee.deadline_help"),
        )
        st.caption(
            " · ".join(
                [
                    tn("committee.members", overview.members),
                    tn("committee.meetings", overview.meetings),
                    tn("committee.applications", overview.applications),
                    tn("committee.recommendations", overview.recommendations),
                ]
            )
        )
        st.page_link(
            "workshop/ui/pages/committee.py",
            label=t("committee.open"),
            icon=":material/arrow_forward:",
            query_params={"committee": str(committee.id)},
        )
        for meeting in meetings.list_meetings(db, committee.id):
            # One row that stays a row on a phone.
            with st.container(
                horizontal=True, vertical_alignment="center", key=f"committees_row_{meeting.id}"
            ):
                st.markdown(
                    f"**{user_text(meeting.title)}** · {t(f'meeting.status.{meeting.status}')}"
                )
                st.page_link(
                    "workshop/ui/pages/console.py",
                    label=t("committees.open_console"),
                    icon=":material/tune:",
                    query_params={"meeting": str(meeting.id)},
                )
        new_meeting = f"committees_new_meeting_{committee.id}"
        with (
            st.popover(
                t("committees.new_meeting"),
                icon=":material/add:",
                key=closable(new_meeting),
                on_change="rerun",
            ),
            st.form(f"committees_meeting_{committee.id}", clear_on_submit=True),
        ):
            m_title = st.text_input(
                t("meeting.field.title"),
                max_chars=120,
                key=f"committees_meeting_title_{committee.id}",
            )
            kind = st.selectbox(
                t("meeting.field.kind"),
                list(MeetingKind),
                format_func=lambda k: t(f"meeting.kind.{k}"),
                key=f"committees_meeting_kind_{committee.id}",
            )
            prompt = st.text_area(
                t("meeting.field.prompt"),
                max_chars=meetings.PROMPT_MAX,
                key=f"committees_meeting_prompt_{committee.id}",
            )
            template = st.selectbox(
                t("agenda.template_field"),
                list(AgendaTemplate),
                format_func=lambda tpl: t(f"agenda.template.{tpl}"),
                help=t("agenda.template_help"),
                key=f"committees_meeting_template_{committee.id}",
            )
            dots = st.number_input(
                t("meeting.field.dots"),
                1,
                20,
                meetings.DEFAULT_DOTS,
                key=f"committees_meeting_dots_{committee.id}",
            )
            if st.form_submit_button(t("meeting.create"), type="primary"):
                with shows_refusal():
                    made_meeting = meetings.create_meeting(
                        db,
                        committee.id,
                        m_title,
                        kind=MeetingKind(kind or MeetingKind.DIALOGUE_SESSION),
                        prompt=prompt,
                        template=template or AgendaTemplate.SHORT,
                        dots_per_participant=int(dots),
                        actor=user,
                    )
                    flash(t("meeting.created", code=meetings.format_code(made_meeting.join_code)))
                    close_next_run(new_meeting)
                    st.rerun()
