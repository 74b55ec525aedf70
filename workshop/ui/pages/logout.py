"""Log out and return to the start page."""

import streamlit as st

from workshop.ui.session import log_out

log_out()
st.rerun()
