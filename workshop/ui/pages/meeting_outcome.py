"""Public, read-only: what came out of one meeting. Opened by its link (``?o=``); no names."""

import streamlit as st

from workshop.feedback import core as feedback
from workshop.model import IdeaStatus
from workshop.ui.actions import or_stop
from workshop.ui.agreement_widgets import STATUS_ICONS, day, status_label
from workshop.ui.i18n import language_switcher, percent, t
from workshop.ui.process import store
from workshop.ui.widgets import demo_badge, user_text

db = store()
token = st.query_params.get("o")
if not token:
    st.info(t("outcome.no_link"))
    st.stop()
meeting = or_stop(feedback.meeting_by_outcome_token, db, token)
report = feedback.outcome_report(db, meeting.id)

with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(t("outcome.subtitle"), width="stretch")
    language_switcher("outcome_language")
st.title(user_text(meeting.title))
demo_badge(meeting.is_demo)
with st.container(horizontal=True, key="outcome_headline"):
    st.metric(t("outcome.participants"), report.participants, border=True)
    st.metric(t("outcome.ideas"), len(report.ideas), border=True)
    st.metric(
        t("feedback.share"),
        percent(report.share.share) if report.share.share is not None else "–",
        border=True,
    )

if not report.ideas:
    st.info(t("outcome.no_ideas"))
# Furthest along first: what was decided and carried out, then the rest, then the rejections.
ORDER = [
    IdeaStatus.IMPLEMENTED,
    IdeaStatus.DECIDED,
    IdeaStatus.IN_RECOMMENDATION,
    IdeaStatus.SHORTLISTED,
    IdeaStatus.THEMED,
    IdeaStatus.SUBMITTED,
    IdeaStatus.REJECTED,
]
for status in ORDER:
    group = [i for i in report.ideas if i.status == status]
    if not group:
        continue
    st.subheader(
        t("outcome.status_count", status=status_label(status), count=len(group)),
    )
    st.caption(t(f"idea_status.explain.{status}"))
    for idea in group:
        with st.container(border=True):
            st.markdown(f"{STATUS_ICONS[status]} {user_text(idea.text)}")
            if idea.reason:
                st.caption(t("my_ideas.reason", reason=user_text(idea.reason)))

if report.messages:
    st.subheader(t("outcome.messages"))
    for message in report.messages:
        with st.container(border=True):
            st.caption(day(message.sent_at))
            st.markdown(user_text(message.body))
