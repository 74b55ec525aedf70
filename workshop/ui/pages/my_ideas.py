"""A citizen's "my ideas": each idea's status, what happened to it and why, and the feedback.

Opened from the participant link (``?p=``), so it works long after the meeting has ended.
"""

import streamlit as st

from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.meetings import qr
from workshop.ui.actions import shows_refusal
from workshop.ui.agreement_widgets import day, status_badge, status_label
from workshop.ui.i18n import current_language, language_switcher, t
from workshop.ui.process import settings, store
from workshop.ui.session import flash, require_participant, show_flash
from workshop.ui.widgets import FACILITATOR_AVATAR, user_text

participant = require_participant()
db = store()
meeting = meetings.get_meeting(db, participant.meeting_id)
show_flash()

with st.container(horizontal=True, vertical_alignment="center"):
    st.page_link(
        "workshop/ui/pages/participate.py",
        label=t("my_ideas.back"),
        icon=":material/arrow_back:",
        query_params={"p": participant.token},
    )
    language_switcher("my_ideas_language")
st.title(t("page.my_ideas"))
st.caption(t("my_ideas.intro", meeting=user_text(meeting.title)))

mine = feedback.my_ideas(db, participant.id)
if not mine:
    st.info(t("my_ideas.none"))
for idea in mine:
    with st.container(border=True, key=f"my_ideas_idea_{idea.idea_id}"):
        status_badge(idea.status)
        st.markdown(user_text(idea.text))
        st.caption(t(f"idea_status.explain.{idea.status}"))
        if idea.reason:
            st.markdown(t("my_ideas.reason", reason=user_text(idea.reason)))
        if idea.merged_into_text is not None:
            st.caption(t("my_ideas.merged_with", idea=user_text(idea.merged_into_text)))
        elif idea.hidden:
            st.caption(t("my_ideas.hidden"))
        for sent_at, body in idea.feedback:
            with st.chat_message("assistant", avatar=FACILITATOR_AVATAR):
                st.markdown(
                    f"**{t('my_ideas.feedback_from', date=day(sent_at))}**  \n{user_text(body)}"
                )
        if not idea.feedback:
            st.caption(t("my_ideas.no_feedback"))
        if idea.history:
            with st.expander(t("my_ideas.history"), icon=":material/history:"):
                for event in idea.history:
                    line = t(
                        "my_ideas.history_line",
                        date=day(event.at),
                        status=status_label(event.status),
                    )
                    reason = f"  \n{user_text(event.reason)}" if event.reason else ""
                    st.markdown(f"{line}{reason}")
feedback.mark_read(db, participant)

token = feedback.existing_outcome_token(db, meeting.id)
if token:
    # The public page opens on its own (in a new tab), as anyone would see it.
    base = qr.base_url(settings().public_url, st.context.url)
    st.link_button(
        t("my_ideas.outcome_link"),
        feedback.outcome_url(base, token),
        icon=":material/public:",
    )

# -- optional e-mail for feedback, with consent ------------------------------------------------
contact = feedback.get_contact(db, participant.id)
with st.expander(t("my_ideas.email_title"), icon=":material/mail:", expanded=False):
    st.caption(t("my_ideas.email_intro"))
    if contact is not None:
        st.markdown(t("my_ideas.email_on", email=user_text(contact.email)))
        if st.button(t("my_ideas.remove_email"), key="my_ideas_remove_email"):
            feedback.remove_contact(db, participant)
            flash(t("my_ideas.email_removed"))
            st.rerun()
    else:
        with st.form("my_ideas_email_form"):
            email = st.text_input(
                t("my_ideas.email"), max_chars=feedback.EMAIL_MAX, key="my_ideas_email"
            )
            consent = st.checkbox(t("my_ideas.consent"), key="my_ideas_consent")
            if st.form_submit_button(t("my_ideas.save_email"), type="primary"):
                with shows_refusal():
                    feedback.set_contact(
                        db, participant, email, consent=consent, lang=current_language()
                    )
                    flash(t("my_ideas.email_saved", email=email.strip()))
                    st.rerun()
