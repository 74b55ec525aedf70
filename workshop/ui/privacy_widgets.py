"""Privacy pieces other pages show: the way to "My data" from a phone."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from workshop.model import Participant
from workshop.privacy import core as privacy
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import t, tn
from workshop.ui.process import store
from workshop.ui.session import flash
from workshop.ui.widgets import user_text


def my_data_link(participant: Participant) -> None:
    """A small link to My data (download or delete), carrying the phone's own token."""
    st.page_link(
        "workshop/ui/pages/my_data.py",
        label=t("privacy.my_data_link"),
        icon=":material/shield_person:",
        query_params={"p": participant.token},
    )


# The order the My data page lists votes in, and the phrase for each method's count.
VOTE_FACTS = (
    ("dot_vote", "privacy.my_data.dots"),
    ("statements", "privacy.my_data.count.statements"),
    ("pairwise", "privacy.my_data.count.pairwise"),
    ("two_axis", "privacy.my_data.count.two_axis"),
    ("ranked", "privacy.my_data.count.ranked"),
    ("consent", "privacy.my_data.count.consent"),
)


def vote_facts(counts: dict[str, int]) -> list[str]:
    """ "3 dots placed", "23 statements answered"…: one line per method the person voted in."""
    return [tn(key, counts[method]) for method, key in VOTE_FACTS if counts.get(method)]


def erased_link_notice() -> bool:
    """If this browser's link (``?p=``) belonged to a participant who deleted their data, say
    so plainly, in their language, and return True. The link itself works no more."""
    token = st.query_params.get("p")
    if not token or not privacy.link_was_erased(store(), token):
        return False
    with st.container(key="erased_notice"):
        st.success(t("privacy.erased.notice"), icon=":material/delete_forever:")
        st.caption(t("privacy.erased.join_again"))
    return True


def erase_person_control(
    kind: str, item_id: int, name: str, erased: bool, erase: Callable[[], object]
) -> None:
    """Staff erase one applicant's (``kind="application"``) or member's (``"member"``) data on
    their request: a popover that says what goes and what stays, a confirmation tick, and
    the button. An erased person shows a badge instead."""
    go_key = f"erase_{kind}_go_{item_id}"
    if erased:
        st.badge(t("privacy.erase.erased"), icon=":material/delete_forever:", color="gray")
        if st.session_state.get(go_key):  # pressed here while another tab erased them
            st.warning(t("error.erasure.already_erased"), icon=":material/info:")
        return
    with st.popover(
        t("privacy.erase.open"), icon=":material/person_remove:", key=f"erase_{kind}_{item_id}"
    ):
        st.caption(t(f"privacy.erase.what_{kind}"))
        confirmed = st.checkbox(
            t("privacy.erase.confirm", name=user_text(name)), key=f"erase_{kind}_confirm_{item_id}"
        )
        if st.button(
            t("privacy.erase.go"),
            type="primary",
            disabled=not confirmed,
            icon=":material/delete_forever:",
            key=go_key,
        ):
            with shows_refusal():
                erase()
                flash(t("privacy.erase.done"))
                st.rerun()
