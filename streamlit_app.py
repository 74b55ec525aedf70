"""Samskab's entry point: decide who this is, offer only their pages, run the chosen one."""

import streamlit as st

from workshop.ui.i18n import t
from workshop.ui.navigation import page_file, pages_for
from workshop.ui.session import who_am_i

st.set_page_config(page_title="Samskab", page_icon=":material/forum:", layout="centered")

visitor = who_am_i()
pages = [
    st.Page(
        page_file(spec.name),
        title=t(f"page.{spec.name}"),
        icon=spec.icon,
        url_path=spec.name,
        default=visitor.audience in spec.default_for,
        visibility="hidden" if spec.linked else "visible",
    )
    for spec in pages_for(visitor.audience)
]
# Only logged-in staff get a menu; citizens, the projector and visitors have nothing to wander into.
st.navigation(pages, position="top" if visitor.user is not None else "hidden").run()
