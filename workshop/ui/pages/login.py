"""Staff login: facilitators, politicians and admins."""

import streamlit as st

from workshop import accounts
from workshop.errors import WorkshopError
from workshop.ui.i18n import error_text, language_switcher, t
from workshop.ui.session import log_in, network_id, store

with st.container(horizontal=True, horizontal_alignment="right"):
    language_switcher("login_language")
st.title(t("login.title"))

with st.form("login_form"):
    username = st.text_input(t("login.username"), key="login_username", autocomplete="username")
    password = st.text_input(
        t("login.password"),
        type="password",
        key="login_password",
        autocomplete="current-password",
    )
    submitted = st.form_submit_button(t("login.submit"), type="primary")

if submitted:
    try:
        user = accounts.authenticate(store(), username, password, network=network_id())
    except WorkshopError as error:
        st.error(error_text(error))
    else:
        log_in(user)
        st.rerun()

st.caption(t("login.first_time"))
