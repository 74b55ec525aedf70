"""A citizen's phone: follow the current step, post ideas in a chat stream, place dots."""

from collections.abc import Callable

import streamlit as st

from workshop import ideas, meetings, voting
from workshop.errors import WorkshopError
from workshop.model import Idea, MeetingStatus, StepKind
from workshop.ui import state
from workshop.ui.i18n import error_text, language_switcher, t
from workshop.ui.session import require_participant, settings, show_flash, store
from workshop.ui.widgets import idea_message, prompt_message, step_label, user_text

STREAM_LENGTH = 20  # the newest ideas shown; phones stay fast with 500 ideas in the room

participant = require_participant()
config = settings()
db = store()
meeting = meetings.get_meeting(db, participant.meeting_id)
now = meetings.meeting_state(db, meeting.id)
step = meetings.current_step(db, meeting.id)
st.session_state[state.STEP_SEEN] = (now.status, now.current_step_id)

with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(user_text(meeting.title), width="stretch")
    language_switcher("participate_language")
show_flash()


def follow_the_room() -> None:
    """Called on every refresh: a new step or status reloads the whole page."""
    latest = meetings.meeting_state(db, meeting.id)
    if (latest.status, latest.current_step_id) != st.session_state.get(state.STEP_SEEN):
        st.rerun()


def seen_ideas() -> dict[int, Idea]:
    """What this phone has seen; asks the database only for changes since the last look."""
    latest = meetings.meeting_state(db, meeting.id).change_seq
    seen: dict[int, Idea] = st.session_state.setdefault(state.STREAM_IDEAS, {})
    last = st.session_state.get(state.STREAM_SEQ, -1)
    if st.session_state.get("stream_meeting") != meeting.id:
        seen.clear()
        last = -1
        st.session_state["stream_meeting"] = meeting.id
    if latest != last:
        for idea in ideas.ideas_changed_since(db, meeting.id, last):
            seen[idea.id] = idea
        st.session_state[state.STREAM_SEQ] = latest
    return seen


def visible(idea: Idea) -> bool:
    return not idea.hidden or idea.participant_id == participant.id


# -- brainstorm: the chat stream ---------------------------------------------------------------
if step is not None and now.status == MeetingStatus.RUNNING and step.kind == StepKind.BRAINSTORM:
    # Handle a new idea before drawing the stream, so the sender sees it at once.
    text = st.chat_input(
        t("participate.idea_placeholder") if step.intake_open else t("participate.intake_closed"),
        max_chars=config.idea_max_chars,
        disabled=not step.intake_open,
        key="participate_idea",
    )
    if text:
        try:
            ideas.submit_idea(
                db,
                participant,
                text,
                max_chars=config.idea_max_chars,
                per_minute=config.ideas_per_minute,
            )
        except WorkshopError as error:
            st.error(error_text(error))
        else:
            st.toast(t("participate.idea_sent"), icon=":material/check:")

    st.subheader(step_label(step))

    brainstorm = step

    @st.fragment(run_every=config.citizen_refresh_seconds)
    def stream() -> None:
        follow_the_room()
        shown = [i for i in seen_ideas().values() if visible(i)]
        shown.sort(key=lambda i: i.id)
        prompt_message(brainstorm)
        if len(shown) > STREAM_LENGTH:
            st.caption(t("participate.older_ideas", count=len(shown) - STREAM_LENGTH))
        for idea in shown[-STREAM_LENGTH:]:
            idea_message(idea, own=idea.participant_id == participant.id)
        if not shown:
            st.caption(t("participate.no_ideas_yet"))

    stream()

# -- dot vote ----------------------------------------------------------------------------------
elif step is not None and now.status == MeetingStatus.RUNNING and step.kind == StepKind.DOT_VOTE:
    vote_round = voting.current_round(db, meeting.id)
    st.subheader(step_label(step))

    @st.fragment(run_every=config.citizen_refresh_seconds)
    def watch() -> None:
        follow_the_room()

    watch()

    def change_dot(action: Callable[..., int], round_id: int, idea_id: int) -> None:
        try:
            action(db, participant, round_id, idea_id)
        except WorkshopError as error:
            st.session_state[state.FLASH] = error_text(error)
        st.rerun(scope="fragment")

    @st.fragment
    def ballot() -> None:
        if vote_round is None or not vote_round.is_open:
            st.info(t("participate.vote_closed"))
            return
        show_flash()
        mine = voting.my_dots(db, vote_round.id, participant.id)
        left = vote_round.dots_per_participant - sum(mine.values())
        st.markdown(t("participate.dots_left", left=left, total=vote_round.dots_per_participant))
        st.progress(left / vote_round.dots_per_participant)
        for idea in ideas.list_ideas(db, meeting.id):
            placed = mine.get(idea.id, 0)
            with st.container(border=True, key=f"participate_idea_{idea.id}"):
                st.markdown(user_text(idea.text))
                with st.container(horizontal=True, vertical_alignment="center", gap="medium"):
                    if st.button(
                        "−",
                        key=f"participate_minus_{idea.id}",
                        disabled=placed == 0,
                        help=t("participate.remove_dot"),
                    ):
                        change_dot(voting.remove_dot, vote_round.id, idea.id)
                    st.markdown(
                        f"**{'●' * placed}{'○' * max(0, left)}**" if placed or left else "·",
                        width="content",
                    )
                    if st.button(
                        t("participate.dot_button"),
                        key=f"participate_plus_{idea.id}",
                        disabled=left == 0,
                        type="primary",
                        help=t("participate.add_dot"),
                    ):
                        change_dot(voting.place_dot, vote_round.id, idea.id)

    ballot()

# -- before the start, wrap-up, and after the end ----------------------------------------------
else:
    if now.status == MeetingStatus.READY:
        st.subheader(t("participate.lobby_title"))
        st.write(t("participate.lobby_body"))
    elif now.status == MeetingStatus.CLOSED:
        st.subheader(t("participate.closed_title"))
        st.write(t("participate.closed_body"))
    elif step is not None:
        st.subheader(step_label(step))
        if step.prompt:
            prompt_message(step)
        st.write(t(f"participate.step_body.{step.kind}"))

    if now.status != MeetingStatus.CLOSED:

        @st.fragment(run_every=config.citizen_refresh_seconds)
        def wait() -> None:
            follow_the_room()

        wait()

    mine = ideas.list_participant_ideas(db, participant.id)
    if mine:
        st.markdown(f"**{t('participate.my_ideas')}**")
        for idea in mine:
            idea_message(idea, own=True)
