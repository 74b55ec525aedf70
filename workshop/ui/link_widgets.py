"""Links staff must see again (projector, mandate and application, outcome page).

Their secrets are derived with the server key (``workshop.link_secrets``); a link made before
links were stored as hashes, or under another key, cannot be shown again. Then the page says
so and offers a new link; the button is always there, so a leaked link can be withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import t
from workshop.ui.session import flash


def renew_link(
    secret: str | None, renew: Callable[[], str], *, key: str, label: str = "links.make_new"
) -> None:
    """Below a shown link (or in its place): "make a new link", which retires the old one."""
    if secret is None:
        st.warning(t("links.cannot_show"), icon=":material/link_off:")
    if st.button(
        t(label),
        key=key,
        icon=":material/autorenew:",
        type="primary" if secret is None else "tertiary",
        help=t("links.make_new_help"),
    ):
        with shows_refusal():
            renew()
            flash(t("links.made_new"))
            st.rerun()
