"""Facilitators: close the loop. Set each idea's status (a rejection needs a reason), send
feedback to the people behind ideas, and share the meeting's public outcome page."""

import streamlit as st

from workshop.feedback import core as feedback
from workshop.meetings import idea_status, ideas, qr
from workshop.model import IdeaStatus, Role
from workshop.ui.actions import shows_refusal
from workshop.ui.agreement_widgets import day, status_label
from workshop.ui.i18n import percent, t, tn
from workshop.ui.link_widgets import renew_link
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.process import settings, store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

SNIPPET = 70  # characters of an idea shown in pickers
# Forms keep what was typed when something is refused; after a success they start empty.
RESET = "feedback_reset"
FORM_KEYS = {
    "status": ("feedback_status_value", "feedback_status_reason"),
    "send": ("feedback_send_ideas", "feedback_send_body"),
}

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
show_flash()
for form in st.session_state.pop(RESET, ()):
    for widget in FORM_KEYS[form]:
        st.session_state.pop(widget, None)
st.title(t("page.feedback"))
st.caption(t("feedback.intro"))
meeting = pick_meeting("feedback_meeting")
if meeting is None:
    st.stop()

base = qr.base_url(settings().public_url, st.context.url)
share = feedback.feedback_share(db, meeting_id=meeting.id)
with st.container(horizontal=True, key="feedback_headline"):
    st.metric(
        t("feedback.share"),
        percent(share.share) if share.share is not None else "–",
        help=t("feedback.share_help", done=share.with_feedback, total=share.ideas),
        border=True,
    )
st.markdown(t("feedback.outcome_link"))
meeting_id = meeting.id
outcome = feedback.outcome_token(db, meeting_id)
if outcome is not None:
    st.code(feedback.outcome_url(base, outcome), language=None)
renew_link(
    outcome,
    lambda: feedback.new_outcome_link(db, meeting_id, actor=user),
    key="feedback_new_outcome_link",
)

listed = ideas.list_ideas(db, meeting.id)
if not listed:
    st.info(t("feedback.no_ideas_yet"))
    st.stop()
by_id = {i.id: i for i in listed}


def snippet(idea_id: int) -> str:
    idea = by_id[idea_id]
    text = idea.text if len(idea.text) <= SNIPPET else idea.text[: SNIPPET - 1] + "…"
    return f"{status_label(idea.status)} · {text}"


# -- status, with the reason the citizen will read --------------------------------------------
st.subheader(t("feedback.set_status"))
with st.form("feedback_status_form"):
    idea_id = st.selectbox(
        t("feedback.idea"), list(by_id), format_func=snippet, key="feedback_status_idea"
    )
    status = st.selectbox(
        t("feedback.status"),
        list(IdeaStatus),
        format_func=status_label,
        key="feedback_status_value",
    )
    reason = st.text_area(
        t("feedback.reason"), max_chars=idea_status.REASON_MAX, key="feedback_status_reason"
    )
    if st.form_submit_button(t("feedback.apply_status"), type="primary"):
        with shows_refusal():
            idea_status.change_status(db, idea_id, status or "", reason=reason, actor=user)
            flash(t("feedback.status_saved"))
            st.session_state[RESET] = ("status",)
            st.rerun()

# -- a feedback message -----------------------------------------------------------------------
st.subheader(t("feedback.send_title"))
with st.form("feedback_send_form"):
    chosen = st.multiselect(
        t("feedback.send_ideas"),
        list(by_id),
        format_func=snippet,
        placeholder=t("feedback.pick_ideas"),
        key="feedback_send_ideas",
        select_all=False,
    )
    body = st.text_area(t("feedback.body"), max_chars=feedback.BODY_MAX, key="feedback_send_body")
    if st.form_submit_button(t("feedback.send"), type="primary"):
        with shows_refusal():
            sent = feedback.send_feedback(
                db, idea_ids=chosen, body=body, actor=user, link_base=base
            )
            flash(t("feedback.sent", app=sent.in_app, email=sent.emailed))
            st.session_state[RESET] = ("send",)
            if sent.failed:
                st.session_state["feedback_failed"] = sent.failed
            st.rerun()
failed = st.session_state.pop("feedback_failed", 0)
if failed:
    st.warning(t("feedback.sent_failed", failed=failed))

# -- what was sent, and where every idea stands -----------------------------------------------
st.subheader(t("feedback.history"))
messages = feedback.list_messages(db, meeting_id=meeting.id)
if not messages:
    st.caption(t("feedback.none_sent"))
for message in messages:
    with st.container(border=True):
        st.caption(
            tn(
                "feedback.message_meta",
                len(message.idea_ids),
                date=day(message.sent_at),
                app=message.in_app,
                email=message.emailed,
            )
        )
        st.markdown(user_text(message.body))

st.subheader(t("feedback.ideas_title"))
outcomes = {o.idea_id: o for o in feedback.outcome_report(db, meeting.id).ideas}
st.dataframe(
    [
        {
            t("feedback.col_idea"): idea.text,
            t("feedback.col_status"): status_label(idea.status),
            t("feedback.col_reason"): (outcomes[idea.id].reason or "")
            if idea.id in outcomes
            else "",
            t("feedback.col_feedback"): len(outcomes[idea.id].feedback)
            if idea.id in outcomes
            else 0,
        }
        for idea in listed
    ],
    hide_index=True,
    key="feedback_ideas",
    placeholder=t("table.empty"),
)
