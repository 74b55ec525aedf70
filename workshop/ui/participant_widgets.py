"""One person, one voice, on screen: "continue as …" on the start page, the message for a
phone whose participant is gone, and the console's join rate and participant removal."""

from __future__ import annotations

import streamlit as st

from workshop.meetings import core as meetings
from workshop.meetings import participants
from workshop.model import Meeting, Participant, User
from workshop.ui import state
from workshop.ui.actions import shows_refusal
from workshop.ui.i18n import moment, t, tn
from workshop.ui.process import store
from workshop.ui.session import base_path, flash, remember_participant, remembered_participants
from workshop.ui.widgets import user_text

JOIN_WATCH_SECONDS = 3


# -- phones ---------------------------------------------------------------------------------------


def lost_link_notice() -> None:
    """A link whose participant no longer exists: say so, and offer a fresh join."""
    st.warning(f"**{t('identity.vanished_title')}**  \n{t('identity.vanished_body')}")


def lost_link_page() -> None:
    """The whole page for a participant-only address (``/my_data?p=…``) with a dead link."""
    st.title(t("identity.vanished_title"))
    st.warning(t("identity.vanished_body"))
    st.markdown(f"[{t('identity.join_again')}]({base_path()}/)")


def welcome_back(meeting: Meeting | None) -> bool:
    """Offer to continue as the participant this browser joined as; True if it was offered.

    ``meeting``: the meeting of the join link or QR code, or None on the bare site (then every
    meeting this browser joined). "Not you?" is deliberate: it shows the join form, and a
    join there makes a new participant.
    """
    if st.session_state.get(state.NOT_ME):
        return False
    known = remembered_participants(meeting.id if meeting is not None else None)
    if not known:
        return False
    for participant in known:
        joined = meetings.get_meeting(store(), participant.meeting_id)
        with st.container(border=True, key=f"start_known_{participant.meeting_id}"):
            st.markdown(t("identity.welcome_back", meeting=user_text(joined.title)))
            label = (
                t("identity.continue_as", name=participant.display_name)
                if participant.display_name
                else t("identity.continue_anonymous")
            )
            if st.button(
                label,
                key=f"start_continue_{participant.meeting_id}",
                type="primary",
                width="stretch",
                icon=":material/login:",
            ):
                # The participant's own link: from here on this tab is that participant.
                st.query_params.clear()
                st.query_params["p"] = participant.token
                st.rerun()
    if st.button(
        t("identity.not_you"),
        key="start_not_you",
        help=t("identity.not_you_help"),
        type="tertiary",
        icon=":material/person_add:",
    ):
        st.session_state[state.NOT_ME] = True
        st.rerun()
    return True


def joined(participant: Participant) -> None:
    """After a join: this session will have the browser remember the participant."""
    st.session_state[state.JUST_JOINED] = participant.id
    st.session_state.pop(state.NOT_ME, None)


def remember_after_join(participant: Participant) -> None:
    """First page run after a join: the browser goes through the cookie route, once."""
    if st.session_state.pop(state.JUST_JOINED, None) == participant.id:
        remember_participant(participant)


# -- the console ----------------------------------------------------------------------------------


def join_watch(meeting_id: int, status: str) -> None:
    """The meeting's ``status`` and how many have joined, joins in the last minute beside the
    room's size, and a warning above the expected size: all on the watch's timer (the count
    drawn with the console said 0 beside "2 joined in the last minute": a fresh-eyes trial)."""

    @st.fragment(run_every=JOIN_WATCH_SECONDS)
    def watch() -> None:
        now = participants.join_watch(store(), meeting_id)
        st.markdown(tn("console.status_line", now.participants, status=status))
        with st.container(horizontal=True, key="console_join_watch"):
            st.metric(t("identity.joins_per_minute"), now.joins_last_minute)
            st.metric(
                t("identity.expected_metric"),
                now.expected if now.expected is not None else "–",
            )
        if now.over_expected:
            st.warning(
                t(
                    "identity.over_expected",
                    participants=now.participants,
                    joins=now.joins_last_minute,
                    expected=now.expected,
                ),
                icon=":material/group_add:",
            )
        elif now.expected is None:
            st.caption(t("identity.expected_unset"))

    watch()


def participants_tab(meeting: Meeting, user: User) -> None:
    """Set the room's expected size; remove a participant together with their votes."""
    db = store()
    watch = participants.join_watch(db, meeting.id)
    with st.form("console_expected_form"):
        size = st.number_input(
            t("identity.expected_label"),
            min_value=0,
            max_value=participants.EXPECTED_MAX,
            value=watch.expected or 0,
            step=10,
            help=t("identity.expected_help"),
            key="console_expected",
        )
        if st.form_submit_button(t("identity.expected_save"), key="console_expected_save"):
            with shows_refusal():
                participants.set_expected_participants(
                    db, meeting.id, int(size) or None, actor=user
                )
                flash(t("identity.expected_saved"))
                st.rerun()

    st.markdown(f"**{t('identity.remove_title')}**")
    st.caption(t("identity.remove_lead"))
    people = participants.list_participants(db, meeting.id)
    if not people:
        st.caption(t("identity.nobody_yet"))
        return
    with st.form("console_remove_form"):
        chosen = st.selectbox(
            t("identity.remove_pick"),
            people,
            format_func=lambda p: t(
                "identity.remove_choice",
                id=p.id,
                name=p.display_name or t("identity.no_name"),
                time=moment(p.joined_at, seconds=True),
                ideas=p.ideas,
                ballots=p.ballots,
            ),
            index=None,
            placeholder=t("identity.remove_placeholder"),
            key="console_remove_pick",
        )
        reason = st.text_input(
            t("identity.remove_reason"),
            value=t("identity.remove_reason_default"),
            max_chars=participants.REASON_MAX,
            key="console_remove_reason",
        )
        sure = st.checkbox(t("identity.remove_confirm"), key="console_remove_confirm")
        if st.form_submit_button(
            t("identity.remove_button"), type="primary", key="console_remove_submit"
        ):
            if chosen is None:
                st.error(t("identity.remove_none"))
            elif not sure:
                st.error(t("identity.remove_unconfirmed"))
            else:
                with shows_refusal():
                    done = participants.remove_participant(
                        db, meeting.id, chosen.id, reason=reason, actor=user
                    )
                    for key in ("console_remove_pick", "console_remove_reason"):
                        st.session_state.pop(key, None)  # an empty form for the next one
                    st.session_state.pop("console_remove_confirm", None)
                    flash(
                        t(
                            "identity.removed",
                            id=done.participant_id,
                            ballots=done.ballots,
                            pairwise=done.pairwise_choices,
                            ideas=done.ideas_hidden,
                        )
                    )
                    st.rerun()
