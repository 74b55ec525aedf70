"""My data: a citizen downloads everything stored about them, or deletes it."""

import json

import streamlit as st

from workshop.privacy import core as privacy
from workshop.ui import state
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import language_switcher, moment, t, tn
from workshop.ui.privacy_widgets import data_in_words, vote_facts
from workshop.ui.process import store
from workshop.ui.session import require_participant
from workshop.ui.widgets import user_text

participant = require_participant()
db = store()
policy = privacy.load_privacy_settings()
keep_ideas = privacy.ideas_stay_anonymised(db, participant.meeting_id, policy)
data = privacy.export_participant_data(db, participant)

with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(user_text(data["meeting"]["title"]), width="stretch")
    language_switcher("my_data_language")
st.title(t("page.my_data"))
st.write(t("privacy.my_data.lead"))

name = data["participant"]["name"]
with st.container(border=True, key="my_data_summary"):
    facts = [
        t("privacy.my_data.name", name=user_text(name)) if name else t("privacy.my_data.no_name"),
        t("privacy.my_data.joined", when=moment(data["participant"]["joined_at"])),
        tn("privacy.my_data.ideas", len(data["ideas"])),
        *vote_facts(privacy.vote_counts(data)),
    ]
    if data["acknowledgements"]:
        facts.append(tn("privacy.my_data.count.acknowledgements", len(data["acknowledgements"])))
    if data["contact"]:
        facts.append(t("privacy.my_data.contact", email=user_text(data["contact"]["email"])))
    st.markdown("\n".join(f"- {fact}" for fact in facts))
    with st.expander(t("privacy.my_data.preview")):
        # In words, in the reader's language; the file below keeps the machine keys.
        for heading, body in data_in_words(data):
            st.markdown(f"#### {heading}")
            st.markdown(body)
    st.download_button(
        t("privacy.my_data.download"),
        data=json.dumps(data, ensure_ascii=False, indent=2),
        file_name="samskab-my-data.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
        key="my_data_download",
    )

st.subheader(t("privacy.my_data.delete_title"))
st.write(t("privacy.my_data.delete_what"))
st.info(
    t("privacy.my_data.stays_keep") if keep_ideas else t("privacy.my_data.stays_delete"),
    icon=":material/info:",
)
confirmed = st.checkbox(t("privacy.my_data.confirm"), key="my_data_confirm")
if st.button(
    t("privacy.my_data.delete"),
    type="primary",
    disabled=not confirmed,
    icon=":material/delete_forever:",
    width="stretch",
    key="my_data_delete",
):
    with shows_refusal():
        privacy.erase_participant(db, participant, settings=policy)
        # The link works no more: this browser is a visitor now. The link stays in the address
        # bar, so this tab, a reload or the old QR link says "your data was deleted".
        st.session_state.pop(state.PARTICIPANT, None)
        st.rerun()

st.divider()
st.page_link(
    "workshop/ui/pages/participate.py",
    label=t("privacy.my_data.back"),
    icon=":material/arrow_back:",
    query_params={"p": participant.token},
)
