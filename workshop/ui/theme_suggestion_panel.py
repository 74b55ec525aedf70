"""The console's themes tab: suggested themes for the ideas in no theme yet, computed in the
background (``workshop.meetings.theme_suggestions``). The facilitator picks how many themes
(k), renames a suggestion, leaves ideas out of it and accepts: the theme and its ideas are
saved together, or not at all."""

from __future__ import annotations

import streamlit as st

from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.meetings import ideas, theme_suggestions, themes
from workshop.model import Idea, User
from workshop.ui import state
from workshop.ui.actions import act
from workshop.ui.i18n import t, tn
from workshop.ui.moderation_console import short
from workshop.ui.widgets import background_state, user_text, word_list

REFRESH_SECONDS = 2
IDEAS_SHOWN = 8  # ideas listed under a suggestion; the rest are counted
K_KEY = "console_theme_k"
PINNED_KEY = "console_theme_pinned"  # the suggestions on screen (see ``_pinned``)


def _accept(db: Store, meeting_id: int, name: str, idea_ids: list[int], user: User) -> None:
    def accept() -> None:
        accepted = theme_suggestions.accept_suggestion(db, meeting_id, name, idea_ids, actor=user)
        done = tn("theme_suggestions.done", len(accepted.assigned), name=accepted.theme.name)
        if accepted.skipped:
            which = ", ".join(f"#{i}" for i in accepted.skipped)
            done = f"{done} {t('theme_suggestions.done_skipped', ideas=which)}"
        st.session_state[state.FLASH] = done

    act(accept)  # a refusal becomes the next run's message; nothing was saved


@st.fragment(run_every=REFRESH_SECONDS)
def theme_suggestions_panel(db: Store, meeting_id: int, user: User) -> None:
    """Suggested themes, newest computation; polls the background result, never computes."""
    with st.container(border=True, key="console_theme_suggestions"):
        st.markdown(f"**{t('theme_suggestions.title')}**")
        k = st.number_input(
            t("theme_suggestions.k"),
            min_value=theme_suggestions.K_MIN,
            max_value=theme_suggestions.K_MAX,
            value=theme_suggestions.DEFAULT_K,
            step=1,
            key=K_KEY,
            help=t("theme_suggestions.k_help"),
        )
        change_seq = meetings.meeting_state(db, meeting_id).change_seq
        newest = theme_suggestions.themes_snapshot(db, meeting_id, change_seq, int(k))
        free: dict[int, Idea] = {
            i.id: i
            for i in ideas.every_idea(db, meeting_id, change_seq)
            if not i.hidden and i.theme_id is None and i.merged_into_id is None
        }
        snapshot = _pinned(newest, int(k), free)
        if snapshot is None:
            st.caption(t("theme_suggestions.computing"))
            return
        if snapshot.version != newest.version and newest.k == int(k):
            with st.container(horizontal=True, vertical_alignment="center"):
                st.caption(t("theme_suggestions.newer"))
                st.button(
                    t("theme_suggestions.show_newer"),
                    key="console_theme_newer",
                    icon=":material/refresh:",
                    on_click=lambda: st.session_state.update({PINNED_KEY: newest}),
                )
        else:
            background_state(snapshot.up_to_date, snapshot.seconds, keys="theme_suggestions.")
        shown = 0
        for suggestion in snapshot.themes:
            # Ideas placed, hidden or merged since the computation drop out at once.
            members = [free[i] for i in suggestion.idea_ids if i in free]
            if not members:
                _say_taken(db, meeting_id, change_seq, suggestion)
                continue
            shown += 1
            _suggestion_form(db, meeting_id, user, suggestion, members)
        if not shown:
            st.caption(t("theme_suggestions.none"))


def _say_taken(
    db: Store, meeting_id: int, change_seq: int, suggestion: theme_suggestions.SuggestedTheme
) -> None:
    """A suggestion this console drew whose ideas someone else placed meanwhile says so once,
    with where they went (a trial's half-typed rename vanished without a word when a
    co-facilitator accepted the same suggestion)."""
    seen_key = f"console_theme_suggestion_{suggestion.idea_ids[0]}_seen"
    if not st.session_state.pop(seen_key, None):
        return
    placed = {
        i.theme_id
        for i in ideas.every_idea(db, meeting_id, change_seq)
        if i.id in set(suggestion.idea_ids) and i.theme_id is not None
    }
    names = [x.name for x in themes.list_themes(db, meeting_id) if x.id in placed]
    if names:
        st.toast(
            t(
                "theme_suggestions.taken",
                name=user_text(suggestion.name),
                themes=user_text(word_list(names)),
            ),
            icon=":material/group:",
        )


def _pinned(
    newest: theme_suggestions.ThemeSnapshot, k: int, free: dict[int, Idea]
) -> theme_suggestions.ThemeSnapshot | None:
    """The suggestions the facilitator is working on. They stay put while new ideas come in
    (a trial lost a half-typed name when the suggestions were recomputed under it: a form's
    typing is not sent until its button is, so the page cannot tell that someone is editing);
    newer ones are taken on request, or when k changed, or when nothing is left of these."""
    pinned: theme_suggestions.ThemeSnapshot | None = st.session_state.get(PINNED_KEY)
    spent = pinned is not None and not any(
        i in free for suggestion in pinned.themes for i in suggestion.idea_ids
    )
    if newest.version is not None and newest.k == k and (pinned is None or pinned.k != k or spent):
        pinned = newest
        st.session_state[PINNED_KEY] = pinned
    if pinned is not None and pinned.k != k:
        return None  # the new k is still being computed
    return pinned


def _suggestion_form(
    db: Store,
    meeting_id: int,
    user: User,
    suggestion: theme_suggestions.SuggestedTheme,
    members: list[Idea],
) -> None:
    key = f"console_theme_suggestion_{suggestion.idea_ids[0]}"
    by_id = {i.id: i for i in members}
    # Accept what the facilitator saw: ideas a co-facilitator placed since the last drawing
    # are sent too, so the answer can say which were left out.
    seen_key = f"{key}_seen"
    seen: list[int] = st.session_state.get(seen_key) or list(by_id)
    st.session_state[seen_key] = list(by_id)
    # Enter in the name field must not create the theme: the facilitator may still leave ideas
    # out (a trial created two themes by pressing Enter after renaming).
    with st.form(key, enter_to_submit=False):
        name = st.text_input(
            t("theme_suggestions.name"),
            value=suggestion.name,
            max_chars=themes.NAME_MAX,
            key=f"{key}_name",
            help=t("theme_suggestions.name_help"),
        )
        st.caption(tn("theme_suggestions.size", len(members)))
        for idea in members[:IDEAS_SHOWN]:
            st.markdown(f"`#{idea.id}` {user_text(short(idea.text))}")
        if len(members) > IDEAS_SHOWN:
            st.caption(tn("theme_suggestions.more", len(members) - IDEAS_SHOWN))
        left_out = st.multiselect(
            t("theme_suggestions.leave_out"),
            list(by_id),
            format_func=lambda i: f"#{i} · {short(by_id[i].text, 70)}",
            key=f"{key}_out",
            placeholder=t("console.choose_ideas"),
            select_all=False,
        )
        if st.form_submit_button(
            t("theme_suggestions.accept"), key=f"{key}_accept", type="primary"
        ):
            kept = [i for i in seen if i not in set(left_out)]
            st.session_state.pop(seen_key, None)  # taken here: nothing to say of it later
            _accept(db, meeting_id, name, kept, user)
