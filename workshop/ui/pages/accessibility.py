"""Public: the accessibility statement (da "tilgængelighedserklæring", nb
"tilgjengelighetserklæring"), with the result axe-core measured (``MEASURED``)."""

import streamlit as st

from workshop.ui.accessibility import MEASURED
from workshop.ui.i18n import day, language_switcher, t

with st.container(horizontal=True, vertical_alignment="center"):
    st.title(t("a11y.title"), width="stretch")
    language_switcher("accessibility_language")
st.markdown(t("a11y.intro"))
st.subheader(t("a11y.measured_heading"))
st.markdown(
    t(
        "a11y.measured",
        date=day(MEASURED.day),
        version=MEASURED.axe_version,
        pages=MEASURED.pages,
        critical=MEASURED.critical,
        serious=MEASURED.serious,
        before=MEASURED.pages_failing_before,
    )
)
st.subheader(t("a11y.done_heading"))
st.markdown(t("a11y.done"))
st.subheader(t("a11y.known_heading"))
st.markdown(t("a11y.known"))
st.subheader(t("a11y.contact_heading"))
st.markdown(t("a11y.contact"))
