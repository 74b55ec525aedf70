"""Privacy pieces other pages show: the way to "My data" from a phone."""

from __future__ import annotations

import streamlit as st

from workshop.model import Participant
from workshop.ui.i18n import t


def my_data_link(participant: Participant) -> None:
    """A small link to My data (download or delete), carrying the phone's own token."""
    st.page_link(
        "workshop/ui/pages/my_data.py",
        label=t("privacy.my_data_link"),
        icon=":material/shield_person:",
        query_params={"p": participant.token},
    )
