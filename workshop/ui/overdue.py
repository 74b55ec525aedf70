"""The overdue list for front pages: commitments and feedback promises past their date."""

from __future__ import annotations

from datetime import date

import streamlit as st

from workshop.agreements import core as agreements
from workshop.i18n import formats
from workshop.ui.agreement_widgets import day
from workshop.ui.i18n import t, tn
from workshop.ui.process import store
from workshop.ui.widgets import user_text


def overdue_panel(committee_id: int | None = None, *, today: date | None = None) -> None:
    """Everything overdue (of one committee, or all), oldest first; a quiet line if nothing is."""
    items = agreements.list_overdue(store(), today or formats.today(), committee_id=committee_id)
    if not items:
        st.caption(t("overdue.none"))
        return
    with st.container(border=True, key="overdue_panel"):
        st.badge(f"{t('overdue.title')} ({len(items)})", icon=":material/schedule:", color="red")
        for item in items:
            if item.kind == "commitment":
                head = t(
                    "overdue.commitment",
                    what=user_text(item.what),
                    owner=user_text(item.owner),
                    date=day(item.due_on),
                )
            else:
                head = (
                    f"{t('overdue.feedback', date=day(item.due_on))} · "
                    f"{tn('overdue.waiting', item.ideas_without_feedback)}"
                )
            st.markdown(
                f"{tn('overdue.days', item.days_over)} · {head}  \n"
                f"{t('overdue.agreement', title=user_text(item.agreement_title))}"
            )
