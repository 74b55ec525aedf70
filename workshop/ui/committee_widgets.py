"""UI pieces shared by the committee pages: which committee, its phase line, public links."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

import streamlit as st

from workshop import committees, qr
from workshop.committees.records import Deadline, Phase
from workshop.errors import NotFound, WorkshopError
from workshop.model import Committee
from workshop.ui.i18n import error_text, t
from workshop.ui.navigation import page_file
from workshop.ui.session import settings, store
from workshop.ui.widgets import demo_badge

EVENT = ":material/event:"
TODO = ":material/radio_button_unchecked:"
PLACE = ":material/place:"
GAVEL = ":material/gavel:"

PHASE_ICONS = {
    Phase.MANDATE: ":material/description:",
    Phase.RECRUITMENT: ":material/person_add:",
    Phase.COMMITTEE_WORK: ":material/groups:",
    Phase.RECOMMENDATIONS: ":material/lightbulb:",
    Phase.POLITICAL_DECISION: ":material/gavel:",
    Phase.IMPLEMENTATION: ":material/construction:",
    Phase.EVALUATION: ":material/fact_check:",
}


def picked_committee() -> Committee:
    """The committee named by ``?committee=<id>``; stops the page with a message otherwise."""
    wanted = st.query_params.get("committee", "")
    try:
        if not wanted.isdigit():
            raise NotFound("error.not_found")
        return committees.get_committee(store(), int(wanted))
    except NotFound:
        st.warning(t("committee.pick_from_list"))
        st.page_link(
            "workshop/ui/pages/committees.py",
            label=t("page.committees"),
            icon=":material/arrow_back:",
        )
        st.stop()
        raise  # for type checkers: st.stop() does not return


def linked_committee() -> Committee:
    """The committee named by a public page's ``?link=<token>``; stops the page with the error
    otherwise."""
    try:
        return committees.get_committee_by_token(store(), st.query_params.get("link", ""))
    except WorkshopError as error:
        st.error(error_text(error))
        st.stop()
        raise  # for type checkers: st.stop() does not return


def committee_header(committee: Committee, phase: Phase, title: str, here: str) -> None:
    """The top of a staff page of one committee: demo and phase badges, title, page links."""
    with st.container(horizontal=True, vertical_alignment="center"):
        demo_badge(committee.is_demo)
        phase_badge(phase)
    st.title(title)
    committee_nav(committee, here)


def committee_nav(committee: Committee, here: str) -> None:
    """Links between the pages of one committee, as a row that stays a row on a phone."""
    links = [
        ("committee", ":material/dashboard:"),
        ("mandate_editor", ":material/description:"),
        ("recruitment", ":material/person_add:"),
        ("recommendations", ":material/lightbulb:"),
    ]
    with st.container(horizontal=True, key=f"{here}_nav"):
        for page, icon in links:
            target = page_file(page)
            st.page_link(
                target,
                label=t(f"page.{page}"),
                icon=icon,
                query_params={"committee": str(committee.id)},
                disabled=page == here,
            )


def phase_label(phase: Phase) -> str:
    return t(f"phase.{phase.value}")


def phase_badge(phase: Phase) -> None:
    st.badge(phase_label(phase), icon=PHASE_ICONS[phase], color="blue")


def deadline_text(deadline: Deadline | None) -> str:
    if deadline is None:
        return t("committee.no_deadline")
    days = (date.fromisoformat(deadline.due_on) - date.today()).days
    when = date.fromisoformat(deadline.due_on).strftime("%d.%m.%Y")
    if days < 0:
        return t("committee.deadline_overdue", phase=phase_label(deadline.phase), date=when)
    return t("committee.deadline", phase=phase_label(deadline.phase), date=when, days=days)


def day_text(iso: str | None) -> str:
    """An ISO date or timestamp as dd.mm.yyyy (the way Danes and Norwegians write dates)."""
    if not iso:
        return "—"
    return date.fromisoformat(iso[:10]).strftime("%d.%m.%Y")


def public_url(page: str, token: str) -> str:
    base = qr.base_url(settings().public_url, st.context.url)
    return f"{base.rstrip('/')}/{page}?{urlencode({'link': token})}"


# Session-state key: the application this browser just sent (the apply page shows a receipt).
APPLIED = "committee_applied"
