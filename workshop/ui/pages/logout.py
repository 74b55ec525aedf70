"""Log out: end the staff session in the database, then clear the cookie and show the login."""

import streamlit as st

from workshop.ui.i18n import t
from workshop.ui.session import log_out

url = log_out()
st.info(t("auth.logging_out"), icon=":material/logout:")
st.markdown(f"[{t('auth.go_login')}]({url})")
