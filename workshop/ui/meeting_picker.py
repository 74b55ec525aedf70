"""Which meeting a staff page is about: ``?meeting=<id>``, else a picker."""

from __future__ import annotations

import streamlit as st

from workshop import committees
from workshop.errors import NotFound
from workshop.meetings import core as meetings
from workshop.model import Meeting
from workshop.ui.i18n import t
from workshop.ui.process import store


def pick_meeting(key: str) -> Meeting | None:
    db = store()
    wanted = st.query_params.get("meeting")
    if wanted and wanted.isdigit():
        try:
            return meetings.get_meeting(db, int(wanted))
        except NotFound:
            st.warning(t("error.not_found"))
    options = [
        meeting
        for committee in committees.list_committees(db)
        for meeting in meetings.list_meetings(db, committee.id)
    ]
    if not options:
        st.info(t("console.no_meetings"))
        return None
    chosen = st.selectbox(
        t("console.pick_meeting"),
        options,
        format_func=lambda m: m.title,
        key=key,
        index=None,
        placeholder=t("common.choose_one"),
    )
    if chosen is not None:
        st.query_params["meeting"] = str(chosen.id)
    return chosen
