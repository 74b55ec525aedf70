"""UI pieces shared by the agreement and feedback pages, the phone gate and the front pages."""

from __future__ import annotations

from datetime import date
from typing import Literal

import streamlit as st

from workshop.agreements.core import TEXT_FIELDS, AgreementVersion
from workshop.model import IdeaStatus, Participant
from workshop.ui import i18n
from workshop.ui.i18n import t, tn
from workshop.ui.process import store
from workshop.ui.widgets import user_text

BadgeColour = Literal["gray", "blue", "violet", "orange", "green", "red"]
STATUS_COLOURS: dict[IdeaStatus, BadgeColour] = {
    IdeaStatus.SUBMITTED: "gray",
    IdeaStatus.THEMED: "blue",
    IdeaStatus.SHORTLISTED: "violet",
    IdeaStatus.IN_RECOMMENDATION: "orange",
    IdeaStatus.DECIDED: "green",
    IdeaStatus.IMPLEMENTED: "green",
    IdeaStatus.REJECTED: "red",
}
STATUS_ICONS = {
    IdeaStatus.SUBMITTED: ":material/inbox:",
    IdeaStatus.THEMED: ":material/category:",
    IdeaStatus.SHORTLISTED: ":material/star:",
    IdeaStatus.IN_RECOMMENDATION: ":material/description:",
    IdeaStatus.DECIDED: ":material/gavel:",
    IdeaStatus.IMPLEMENTED: ":material/task_alt:",
    IdeaStatus.REJECTED: ":material/block:",
}


def day(value: str | date | None) -> str:
    """A date (or an ISO timestamp) the way the reader writes dates."""
    if value is None or value == "":
        return t("agreements.no_date")
    return i18n.day(value)


def status_label(status: IdeaStatus | str) -> str:
    return t(f"idea_status.label.{IdeaStatus(status)}")


def status_badge(status: IdeaStatus | str) -> None:
    status = IdeaStatus(status)
    st.badge(status_label(status), icon=STATUS_ICONS[status], color=STATUS_COLOURS[status])


def field_label(name: str) -> str:
    return t(f"agreement.field.{name}")


def full_agreement(version: AgreementVersion) -> None:
    """All ten points, read-only (user text shown literally)."""
    level = version.participation_level
    for name in TEXT_FIELDS[2:]:
        if name == "roles":
            st.markdown(f"**{field_label('participation_level')}**")
            st.markdown(f"{t(f'agreement.level.{level}')}: {t(f'agreement.level_promise.{level}')}")
        text = version.texts[name]
        if text:
            st.markdown(f"**{field_label(name)}**")
            st.markdown(user_text(text))
        if name == "roles" and version.commitments:
            st.markdown(f"**{field_label('commitments')}**")
            for item in version.commitments:
                party = t(f"agreement.party.{item['party']}")
                st.markdown(
                    f"- {party}: {user_text(item['description'])} · "
                    f"{user_text(item['owner'])} · {day(item['due_on'])}"
                )
        if name == "feedback_how" and version.feedback_due_on:
            st.markdown(f"**{field_label('feedback_due_on')}**: {day(version.feedback_due_on)}")
    if version.signed_off_on:
        st.markdown(f"**{field_label('signed_off_on')}**: {day(version.signed_off_on)}")


def my_ideas_link(participant: Participant) -> None:
    """A link from the phone to "my ideas", with the number of unread feedback messages."""
    from workshop.feedback import core as feedback

    unread = feedback.unread_count(store(), participant.id)
    st.page_link(
        "workshop/ui/pages/my_ideas.py",
        label=tn("my_ideas.link_unread", unread) if unread else t("my_ideas.link"),
        icon=":material/mark_chat_unread:" if unread else ":material/lightbulb:",
        query_params={"p": participant.token},
    )
