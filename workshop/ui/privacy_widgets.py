"""Privacy pieces other pages show: the way to "My data" from a phone."""

from __future__ import annotations

import streamlit as st

from workshop import privacy
from workshop.model import Participant
from workshop.ui.i18n import t, tn
from workshop.ui.session import store


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
