"""The facilitator's console: run a meeting step by step."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from workshop import ideas, meetings, qr, voting
from workshop.errors import WorkshopError
from workshop.model import Meeting, MeetingStatus, Role
from workshop.ui.i18n import error_text, t, tn
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.session import flash, require_role, settings, show_flash, store
from workshop.ui.widgets import author_label, demo_badge, minutes_left, step_label, user_text

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
config = settings()
st.set_page_config(layout="wide")
show_flash()

picked = pick_meeting("console_meeting")
if picked is None:
    st.stop()
assert picked is not None
meeting: Meeting = picked

demo_badge(meeting.is_demo)
st.title(user_text(meeting.title))
base = qr.base_url(config.public_url, st.context.url)
join_link = qr.join_url(base, meeting.join_code)


def act(action: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """Run a facilitator action; show its refusal in the user's language."""
    try:
        action(*args, **kwargs)
    except WorkshopError as error:
        flash(error_text(error))
    st.rerun()


info, controls = st.columns([2, 3], gap="large")

with info:
    st.metric(t("console.join_code"), meetings.format_code(meeting.join_code))
    st.image(qr.qr_png(join_link, scale=6), width=180)
    st.code(join_link, language=None)
    st.link_button(
        t("console.open_projector"),
        qr.screen_url(base, meeting.screen_token),
        icon=":material/cast:",
        key="console_projector",
    )
    st.caption(t("console.projector_hint"))

with controls:
    state_now = meetings.meeting_state(db, meeting.id)
    st.markdown(
        t(
            "console.status_line",
            status=t(f"meeting.status.{state_now.status}"),
            people=meetings.count_participants(db, meeting.id),
        )
    )
    steps = meetings.list_steps(db, meeting.id)
    for item in steps:
        current = item.id == state_now.current_step_id
        row = st.columns([5, 2], vertical_alignment="center")
        marker = "▶ " if current else ""
        minutes = t("common.minutes_short", minutes=item.time_box_minutes)
        label = f"{marker}{item.position}. {step_label(item)} · {minutes}"
        row[0].markdown(f"**{label}**" if current else label)
        if item.prompt:
            row[0].caption(user_text(item.prompt))
        if (
            not current
            and state_now.status != MeetingStatus.CLOSED
            and row[1].button(t("console.go_to_step"), key=f"console_go_{item.id}")
        ):
            act(
                meetings.go_to_step,
                db,
                meeting.id,
                item.id,
                actor=user,
                join_code_hours=config.join_code_hours,
            )

    step = meetings.current_step(db, meeting.id)
    if state_now.status == MeetingStatus.READY:
        if st.button(t("console.start"), type="primary", key="console_start"):
            act(
                meetings.next_step,
                db,
                meeting.id,
                actor=user,
                join_code_hours=config.join_code_hours,
            )
    elif state_now.status == MeetingStatus.RUNNING:
        buttons = st.columns(3)
        if (
            step is not None
            and step.position < len(steps)
            and buttons[0].button(t("console.next_step"), type="primary", key="console_next")
        ):
            act(
                meetings.next_step,
                db,
                meeting.id,
                actor=user,
                join_code_hours=config.join_code_hours,
            )
        if step is not None and step.kind.takes_ideas:
            label = t("console.close_intake") if step.intake_open else t("console.open_intake")
            if buttons[1].button(label, key="console_intake"):
                act(meetings.set_intake, db, step.id, not step.intake_open, actor=user)
        if buttons[2].button(t("console.close_meeting"), key="console_close"):
            act(meetings.close_meeting, db, meeting.id, actor=user)
        if step is not None:
            left = minutes_left(step)
            if left is not None:
                st.caption(t("console.minutes_left", minutes=left))

    vote_round = voting.current_round(db, meeting.id)
    if vote_round is not None:
        label = t("console.hide_results") if vote_round.revealed else t("console.reveal_results")
        if st.button(label, key="console_reveal"):
            act(voting.reveal_results, db, vote_round.id, not vote_round.revealed)

    if step is not None and step.kind.takes_ideas and step.intake_open:
        with st.form("console_on_behalf", clear_on_submit=True):
            st.markdown(f"**{t('console.on_behalf_title')}**")
            text = st.text_area(
                t("console.on_behalf_text"),
                max_chars=config.idea_max_chars,
                key="console_on_behalf_text",
            )
            name = st.text_input(
                t("console.on_behalf_name"), max_chars=40, key="console_on_behalf_name"
            )
            if st.form_submit_button(t("console.on_behalf_submit")):
                try:
                    ideas.submit_on_behalf(
                        db,
                        meeting.id,
                        text,
                        author_name=name,
                        actor=user,
                        max_chars=config.idea_max_chars,
                    )
                except WorkshopError as error:
                    st.error(error_text(error))
                else:
                    flash(t("console.on_behalf_done"))
                    st.rerun()


@st.fragment(run_every=3)
def live_ideas() -> None:
    current = meetings.meeting_state(db, meeting.id)
    latest = voting.latest_round(db, meeting.id)
    totals = voting.dot_totals(db, latest.id, current.vote_seq) if latest else {}
    listed = ideas.list_ideas(db, meeting.id, include_hidden=True)
    st.subheader(t("console.ideas_title", count=len(listed)))
    for idea in sorted(listed, key=lambda i: (-totals.get(i.id, 0), -i.id)):
        with st.container(border=True):
            st.markdown(user_text(idea.text))
            st.caption(
                f"{user_text(author_label(idea))} · {tn('common.dots', totals.get(idea.id, 0))}"
            )


live_ideas()
