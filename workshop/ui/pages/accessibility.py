"""Public: the accessibility statement (da "tilgængelighedserklæring", nb
"tilgjengelighetserklæring"), with the result axe-core measured (``MEASURED``), the conformance
status in the statement templates' words, what is and is not checked, a contact
(``SAMSKAB_ACCESSIBILITY_CONTACT``, else who to ask in words) and the national complaint route."""

import streamlit as st

from workshop.ui.accessibility import ISSUE_COUNT, MEASURED
from workshop.ui.i18n import day, language_switcher, t
from workshop.ui.process import settings
from workshop.ui.widgets import contact_link

with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("a11y.title"), width="stretch")
    language_switcher("accessibility_language")
st.markdown(t("a11y.intro"))
st.subheader(t("a11y.status_heading"))
st.markdown(t("a11y.status"))
st.subheader(t("a11y.measured_heading"))
st.markdown(
    t(
        "a11y.measured",
        date=day(MEASURED.day),
        version=MEASURED.axe_version,
        pages=MEASURED.pages,
        critical=MEASURED.critical,
        serious=MEASURED.serious,
    )
)
st.markdown(
    t(
        "a11y.before",
        pages=MEASURED.pages,
        before=MEASURED.pages_failing_before,
        before_critical=MEASURED.critical_states_before,
        before_serious=MEASURED.serious_states_before,
        **ISSUE_COUNT,
    )
)
st.subheader(t("a11y.done_heading"))
st.markdown(t("a11y.done"))
st.subheader(t("a11y.known_heading"))
st.markdown(t("a11y.known"))
st.subheader(t("a11y.contact_heading"))
contact = settings().accessibility_contact
st.markdown(t("a11y.contact_to", contact=contact_link(contact)) if contact else t("a11y.contact"))
st.markdown(t("a11y.complaint"))
