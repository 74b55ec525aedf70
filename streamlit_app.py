"""Samskab's entry point: decide who this is, offer only their pages, run the chosen one."""

import streamlit as st

from workshop.model import Role
from workshop.ui.i18n import t
from workshop.ui.session import who_am_i

st.set_page_config(page_title="Samskab", page_icon=":material/forum:", layout="centered")

PAGES = "workshop/ui/pages"


def page(name: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(
        f"{PAGES}/{name}.py", title=t(f"page.{name}"), icon=icon, url_path=name, default=default
    )


visitor = who_am_i()

if visitor.role is Role.CITIZEN:
    pages = [page("participate", ":material/chat:", default=True)]
elif visitor.role is Role.POLITICIAN:
    pages = [
        page("summary", ":material/bar_chart:", default=True),
        page("logout", ":material/logout:"),
    ]
elif visitor.role in (Role.FACILITATOR, Role.ADMIN):
    pages = [
        page("committees", ":material/groups:", default=True),
        page("console", ":material/tune:"),
        page("projector", ":material/cast:"),
        page("summary", ":material/bar_chart:"),
    ]
    if visitor.role is Role.ADMIN:
        pages.append(page("users", ":material/manage_accounts:"))
    pages.append(page("logout", ":material/logout:"))
elif visitor.screen is not None:
    pages = [page("projector", ":material/cast:", default=True)]
else:
    pages = [page("start", ":material/login:", default=True), page("login", ":material/badge:")]

# Citizens, the projector and visitors get no menu: nothing to wander into.
position = "top" if visitor.user is not None else "hidden"
st.navigation(pages, position=position).run()
