"""Log out, by pressing a button. Opening /logout changes nothing.

A link, a redirect or a frame from another site can open this page in a staff member's
browser (cookies and all); only a press on the button ends the staff session — in the
database, audited — and then sends the browser to ``/auth/logout``, which clears the cookie.
"""

import streamlit as st

from workshop.ui.i18n import t
from workshop.ui.session import base_path, current_user, log_out
from workshop.ui.widgets import user_text

st.title(t("page.logout"))
user = current_user()
if user is not None:
    st.markdown(t("staff.logout_question", name=user_text(user.display_name)))
if st.button(
    t("staff.logout_confirm"), type="primary", icon=":material/logout:", key="logout_confirm"
):
    url = log_out()
    st.info(t("auth.logging_out"), icon=":material/logout:")
    st.markdown(f"[{t('auth.go_login')}]({url})")
    st.stop()
st.markdown(f"[{t('staff.logout_stay')}]({base_path()}/)")
