"""Facilitators: committees and their meetings; create both."""

import streamlit as st

from workshop import committees, meetings
from workshop.errors import WorkshopError
from workshop.model import MeetingKind, Role
from workshop.ui.i18n import error_text, t
from workshop.ui.session import flash, require_role, show_flash, store
from workshop.ui.widgets import demo_badge, user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
st.title(t("committees.title"))

with (
    st.expander(t("committees.new"), icon=":material/add:", key="committees_new"),
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
        try:
            made = committees.create_committee(
                db,
                title,
                task,
                politicians_target=int(politicians),
                citizens_target=int(citizens),
                actor=user,
            )
        except WorkshopError as error:
            st.error(error_text(error))
        else:
            flash(t("committees.created", title=made.title))
            st.rerun()

all_committees = committees.list_committees(db)
if not all_committees:
    st.info(t("committees.empty"))

for committee in all_committees:
    with st.container(border=True, key=f"committees_card_{committee.id}"):
        demo_badge(committee.is_demo)
        st.subheader(user_text(committee.title))
        if committee.task:
            st.write(user_text(committee.task))
        st.caption(
            t(
                "committees.composition",
                politicians=committee.politicians_target,
                citizens=committee.citizens_target,
            )
        )
        for meeting in meetings.list_meetings(db, committee.id):
            cols = st.columns([4, 2, 2], vertical_alignment="center")
            cols[0].markdown(f"**{user_text(meeting.title)}**")
            cols[1].markdown(t(f"meeting.status.{meeting.status}"))
            cols[2].page_link(
                "workshop/ui/pages/console.py",
                label=t("committees.open_console"),
                icon=":material/tune:",
                query_params={"meeting": str(meeting.id)},
            )
        with (
            st.popover(
                t("committees.new_meeting"),
                icon=":material/add:",
                key=f"committees_new_meeting_{committee.id}",
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
            dots = st.number_input(
                t("meeting.field.dots"),
                1,
                20,
                meetings.DEFAULT_DOTS,
                key=f"committees_meeting_dots_{committee.id}",
            )
            if st.form_submit_button(t("meeting.create"), type="primary"):
                try:
                    made_meeting = meetings.create_meeting(
                        db,
                        committee.id,
                        m_title,
                        kind=MeetingKind(kind or MeetingKind.DIALOGUE_SESSION),
                        prompt=prompt,
                        dots_per_participant=int(dots),
                        actor=user,
                    )
                except WorkshopError as error:
                    st.error(error_text(error))
                else:
                    flash(t("meeting.created", code=meetings.format_code(made_meeting.join_code)))
                    st.rerun()
