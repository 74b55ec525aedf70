"""Politicians (and staff): where each committee stands and what the citizens prioritised."""

import streamlit as st

from workshop import committees, reports
from workshop.model import Role
from workshop.ui.i18n import t
from workshop.ui.session import require_role, store
from workshop.ui.widgets import demo_badge, user_text

require_role(Role.POLITICIAN, Role.FACILITATOR, Role.ADMIN)
db = store()
st.title(t("summary.title"))

overview = reports.committee_overview_frame(db)
if overview.empty:
    st.info(t("summary.empty"))
    st.stop()

all_committees = {c.id: c for c in committees.list_committees(db)}
chosen = st.selectbox(
    t("summary.committee"),
    list(all_committees),
    format_func=lambda cid: all_committees[cid].title,
    key="summary_committee",
)
committee = all_committees[chosen]
row = overview[overview["id"] == chosen].iloc[0]

demo_badge(committee.is_demo)
st.subheader(user_text(committee.title))
cols = st.columns(4)
cols[0].metric(t("summary.meetings"), int(row["meetings"]))
cols[1].metric(t("summary.participants"), int(row["participants"]))
cols[2].metric(t("summary.ideas"), int(row["ideas"]))
cols[3].metric(t("summary.dots"), int(row["dots"]))

top = reports.top_ideas_frame(db, chosen)
st.markdown(f"**{t('summary.top_ideas')}**")
if top.empty:
    st.info(t("summary.no_ideas"))
else:
    st.altair_chart(
        reports.top_ideas_chart(top, dots_title=t("summary.dots"), idea_title=t("summary.idea")),
        width="stretch",
    )
    st.dataframe(
        top.rename(
            columns={
                "text": t("summary.idea"),
                "meeting": t("summary.meeting"),
                "dots": t("summary.dots"),
            }
        ).drop(columns=["idea_id"]),
        hide_index=True,
        width="stretch",
    )
