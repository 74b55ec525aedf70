"""The console's moderation tab at the scale of a full room: ideas held for personal data
(hide with a reason or let through, one tap each), suggested duplicate groups (merge in one
tap), and a searchable, filtered, paged list of every idea.

The console page calls :func:`moderation_panel`; the rules live in
``workshop.meetings.moderation``, ``personal_data`` and ``suggestions``.
"""

from __future__ import annotations

import streamlit as st

from workshop.db import Store
from workshop.meetings import moderation
from workshop.model import Idea, User
from workshop.ui.actions import act
from workshop.ui.i18n import t
from workshop.ui.widgets import author_label, flag_words, user_text


def held_panel(db: Store, meeting_id: int, user: User) -> None:
    """Ideas held back for possible personal data: hide (author told why) or show, one tap."""
    held = moderation.list_held(db, meeting_id)
    with st.container(border=True, key="console_held"):
        st.markdown(f"**{t('moderation_scale.held_title', count=len(held))}**")
        if not held:
            st.caption(t("moderation_scale.held_none"))
        for idea in held:
            held_row(db, idea, user)


def held_row(db: Store, idea: Idea, user: User) -> None:
    with st.container(horizontal=True, vertical_alignment="center", key=f"console_held_{idea.id}"):
        with st.container(width="stretch"):
            st.markdown(f"`#{idea.id}` {user_text(idea.text)}")
            details = [user_text(author_label(idea))]
            if idea.flags:
                details.append(t("moderation_scale.held_flags", what=flag_words(idea.flags)))
            st.caption(" · ".join(details))
        if st.button(
            t("moderation_scale.hide_personal"),
            key=f"console_held_hide_{idea.id}",
            type="primary",
            icon=":material/visibility_off:",
        ):
            act(
                moderation.hide_idea,
                db,
                idea.id,
                t("moderation_scale.personal_reason", what=flag_words(idea.flags) or "—"),
                actor=user,
                done=t("moderation_scale.done_hidden"),
            )
        if st.button(
            t("moderation_scale.release"),
            key=f"console_held_release_{idea.id}",
            icon=":material/visibility:",
        ):
            act(
                moderation.release_idea,
                db,
                idea.id,
                actor=user,
                done=t("moderation_scale.done_released"),
            )
