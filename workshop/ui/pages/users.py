"""Admins: staff accounts — create one; deactivate, reactivate, change the role of or reset
the password of another. The rules (never the last active administrator, not yourself) and
the audit log live in ``workshop.accounts.users``.

Forms keep what was typed after a refusal; they are emptied only after a success (the page
sets a flag, and clears the fields at the start of the next run, before they are drawn).
"""

import streamlit as st

from workshop.accounts import users as accounts
from workshop.model import ACCOUNT_ROLES, Role
from workshop.ui import state
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import t
from workshop.ui.process import store
from workshop.ui.session import flash, require_role, show_flash
from workshop.ui.widgets import user_text

NEW_ACCOUNT_FIELDS = {
    "users_username": "",
    "users_name": "",
    "users_role": None,
    "users_password": "",
}

user = require_role(Role.ADMIN)
db = store()
if st.session_state.pop(state.USERS_CLEAR_NEW, False):
    for field, empty in NEW_ACCOUNT_FIELDS.items():
        st.session_state[field] = empty
if st.session_state.pop(state.USERS_CLEAR_PASSWORD, False):
    st.session_state["users_new_password"] = ""
show_flash()
st.title(t("users.title"))


def role_label(role: str) -> str:
    return t(f"role.{role}")


# -- a new account -------------------------------------------------------------------------------
with st.form("users_create", clear_on_submit=False):
    st.markdown(f"**{t('users.new')}**")
    username = st.text_input(t("login.username"), max_chars=40, key="users_username")
    name = st.text_input(t("users.display_name"), max_chars=80, key="users_name")
    # No role is chosen in advance: an administrator is never made by not looking.
    role = st.selectbox(
        t("users.role"),
        ACCOUNT_ROLES,
        index=None,
        placeholder=t("staff.choose_role"),
        format_func=role_label,
        key="users_role",
    )
    password = st.text_input(
        t("login.password"),
        type="password",
        key="users_password",
        autocomplete="new-password",
        help=t("users.password_help", min=accounts.MIN_PASSWORD_CHARS),
    )
    create = st.form_submit_button(t("users.create"), type="primary", key="users_create_submit")
if create:
    with shows_refusal():
        made = accounts.create_user(db, username, password, role, name, actor=user)
        flash(t("users.created", username=made.username))
        st.session_state[state.USERS_CLEAR_NEW] = True
        st.rerun()

# -- an existing account -------------------------------------------------------------------------
rows = accounts.list_users(db)
by_id = {row["id"]: row for row in rows}
st.subheader(t("staff.manage"))
picked = st.selectbox(
    t("staff.pick"),
    list(by_id),
    index=None,
    placeholder=t("staff.pick_placeholder"),
    format_func=lambda user_id: f"{by_id[user_id]['username']} · {by_id[user_id]['display_name']}",
    key="users_pick",
)
if picked is not None:
    account = by_id[picked]
    who = account["username"]
    status = t("staff.status_active") if account["active"] else t("staff.status_inactive")
    st.markdown(
        f"**{user_text(account['display_name'])}** · `{who}` · {role_label(account['role'])}"
        f" · {status}"
    )
    role_col, password_col = st.columns(2, gap="large")
    with role_col, st.form("users_role_form", clear_on_submit=False):
        new_role = st.selectbox(
            t("users.role"),
            ACCOUNT_ROLES,
            index=ACCOUNT_ROLES.index(Role(account["role"])),
            format_func=role_label,
            key=f"users_new_role_{picked}",
        )
        save_role = st.form_submit_button(t("staff.save_role"), key="users_save_role")
    with password_col, st.form("users_password_form", clear_on_submit=False):
        new_password = st.text_input(
            t("staff.new_password"),
            type="password",
            key="users_new_password",
            autocomplete="new-password",
            help=t("staff.new_password_help", min=accounts.MIN_PASSWORD_CHARS),
        )
        reset = st.form_submit_button(t("staff.reset_password"), key="users_reset_password")
    if account["active"]:
        toggle = st.button(
            t("staff.deactivate"), key="users_deactivate", help=t("staff.deactivate_help")
        )
    else:
        toggle = st.button(t("staff.reactivate"), key="users_reactivate")

    with shows_refusal():
        if save_role:
            accounts.set_role(db, picked, new_role, actor=user)
            flash(t("staff.role_saved", username=who, role=role_label(new_role)))
            st.rerun()
        if reset:
            accounts.set_password(db, picked, new_password, actor=user)
            flash(t("staff.password_reset", username=who))
            st.session_state[state.USERS_CLEAR_PASSWORD] = True
            st.rerun()
        if toggle:
            accounts.set_active(db, picked, not account["active"], actor=user)
            if account["active"]:
                flash(t("staff.deactivated", username=who))
            else:
                flash(t("staff.reactivated", username=who))
            st.rerun()

# -- everyone ------------------------------------------------------------------------------------
st.dataframe(
    [
        {
            t("login.username"): r["username"],
            t("users.display_name"): r["display_name"],
            t("users.role"): role_label(r["role"]),
            t("users.active"): bool(r["active"]),
        }
        for r in rows
    ],
    hide_index=True,
    width="stretch",
    placeholder=t("table.empty"),
)
