"""Start: join a meeting by code (typed, or from a link or QR code carrying ``?code=``).

A browser that already joined the meeting (its cookie, ``workshop.ui.participant_routes``)
is offered to continue as that participant instead; "not you?" shows the form.
"""

import streamlit as st

from workshop.meetings import core as meetings
from workshop.privacy import core as privacy
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import language_switcher, t
from workshop.ui.participant_widgets import joined, lost_link_notice, welcome_back
from workshop.ui.privacy_widgets import erased_link_notice
from workshop.ui.process import settings, store
from workshop.ui.session import client_id, has_lost_link, network_id, show_flash
from workshop.ui.widgets import contact_link, user_text

with st.container(horizontal=True, horizontal_alignment="right"):
    language_switcher("start_language")
show_flash()
# An erased phone's old link: "your data was deleted"; any other dead link (removed by the
# facilitator, or gone with a restored backup): "this link no longer works".
erased = erased_link_notice()
st.title(t("start.title"))
if not erased and has_lost_link():
    lost_link_notice()
st.write(t("start.lead"))
retention_days = privacy.load_privacy_settings().retention_days

linked_code = st.query_params.get("code", "")
meeting = None
if linked_code:
    with shows_refusal():
        meeting = meetings.find_joinable_meeting(
            store(), linked_code, client=client_id(), network=network_id()
        )

if welcome_back(meeting):
    st.divider()
    st.page_link(
        "workshop/ui/pages/login.py", label=t("start.staff_login"), icon=":material/badge:"
    )
    st.stop()

with st.form("start_join", border=True):
    if meeting is not None:
        st.subheader(meeting.title)
        code = meeting.join_code
    else:
        code = st.text_input(
            t("start.code_label"),
            max_chars=12,
            placeholder=t("start.code_placeholder"),
            key="start_code",
        )
    # Consent comes before the only personal field a citizen is asked for.
    with st.container(key="start_consent"):
        st.caption(f"{t('privacy.consent.name')} {t('privacy.consent.agree')}")
        with st.expander(t("privacy.consent.title"), icon=":material/shield_person:"):
            st.caption(
                t("privacy.consent.record", days=retention_days)
                if retention_days
                else t("privacy.consent.record_no_retention")
            )
            # Who is responsible and whom to ask: the installation's settings, written by the
            # municipality (not citizen text); without them, in words (a data-protection
            # officer's trial found the notice silent on both).
            config = settings()
            controller, contact = config.privacy_controller, config.privacy_contact
            st.caption(
                " ".join(
                    [
                        t("privacy.consent.controller", controller=user_text(controller))
                        if controller
                        else t("privacy.consent.controller_unset"),
                        t("privacy.consent.who"),
                        t("privacy.consent.contact", contact=contact_link(contact))
                        if contact
                        else t("privacy.consent.contact_unset"),
                    ]
                )
            )
    name = st.text_input(
        t("start.name_label"),
        max_chars=meetings.NAME_MAX,
        help=t("start.name_help"),
        key="start_name",
    )
    submitted = st.form_submit_button(t("start.join"), type="primary", width="stretch")

if submitted:
    with shows_refusal():
        participant = meetings.join_meeting(
            store(),
            code,
            name,
            client=client_id(),
            network=network_id(),
            limits=meetings.JoinLimits.from_settings(settings()),
        )
        # The token in the URL is the phone's identity: a reload brings the same person back,
        # and the first page run sends the browser to remember it (a cookie per meeting).
        joined(participant)
        st.query_params.clear()
        st.query_params["p"] = participant.token
        st.rerun()

st.divider()
st.page_link("workshop/ui/pages/login.py", label=t("start.staff_login"), icon=":material/badge:")
st.page_link(
    "workshop/ui/pages/accessibility.py",
    label=t("a11y.statement_link"),
    icon=":material/accessibility:",
)
