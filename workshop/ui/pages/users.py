"""Admins: staff accounts."""

import streamlit as st

from workshop import accounts
from workshop.errors import WorkshopError
from workshop.model import ACCOUNT_ROLES, Role
from workshop.ui.i18n import error_text, t
from workshop.ui.session import flash, require_role, show_flash, store

user = require_role(Role.ADMIN)
db = store()
show_flash()
st.title(t("users.title"))

with st.form("users_create", clear_on_submit=True):
    st.markdown(f"**{t('users.new')}**")
    username = st.text_input(t("login.username"), max_chars=40, key="users_username")
    name = st.text_input(t("users.display_name"), max_chars=80, key="users_name")
    role = st.selectbox(
        t("users.role"), ACCOUNT_ROLES, format_func=lambda r: t(f"role.{r}"), key="users_role"
    )
    password = st.text_input(
        t("login.password"),
        type="password",
        key="users_password",
        help=t("users.password_help", min=accounts.MIN_PASSWORD_CHARS),
    )
    if st.form_submit_button(t("users.create"), type="primary"):
        try:
            made = accounts.create_user(db, username, password, Role(role), name, actor=user)
        except WorkshopError as error:
            st.error(error_text(error))
        else:
            flash(t("users.created", username=made.username))
            st.rerun()

rows = accounts.list_users(db)
st.dataframe(
    [
        {
            t("login.username"): r["username"],
            t("users.display_name"): r["display_name"],
            t("users.role"): t(f"role.{r['role']}"),
            t("users.active"): bool(r["active"]),
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
)
