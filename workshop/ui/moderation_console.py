"""The console's moderation tab at the scale of a full room: ideas held for personal data
(hide with a reason or let through, one tap each), suggested duplicate groups (merge in one
tap), and a searchable, filtered, paged list of every idea.

The console page calls :func:`held_panel`, :func:`duplicates_panel` and :func:`idea_browser`
(with :func:`keep_choice_fresh`); the rules live in
``workshop.meetings.moderation``, ``personal_data`` and ``suggestions``.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from workshop.db import Store
from workshop.meetings import core as meetings
from workshop.meetings import duplicates, idea_search, ideas, moderation
from workshop.meetings.idea_search import IdeaFilter
from workshop.model import Idea, Step, Theme, User
from workshop.ui.actions import act, flash_refusal
from workshop.ui.frontend_words import name_controls
from workshop.ui.i18n import t, tn
from workshop.ui.widgets import (
    author_label,
    background_state,
    flag_words,
    one_tap_reason,
    user_text,
)

SUGGESTIONS_REFRESH_SECONDS = 2
SUGGESTIONS_SHOWN = 15
HELD_SHOWN = 30
# A pick list (select box, multiselect) offers at most this many ideas: each option is a string
# sent to the browser and indexed there, and 3,000 of them in three lists made the console take
# seconds to draw. The search above narrows what the lists offer.
PICK_SHOWN = 100
THEME_SHOWN = 10  # ideas drawn under a theme in the themes tab before "show all"
LOG_SHOWN = 200  # the newest moderation log entries in the log table; the CSV has every one
PAGE_KEY = "console_browse_page"
CHOSEN_KEY = "console_mod_idea"


@st.fragment(run_every=SUGGESTIONS_REFRESH_SECONDS)
def held_panel(db: Store, meeting_id: int, user: User, step: Step | None) -> None:
    """Ideas held back before the wall (possible personal data, or pre-moderation): hide
    (the author is told why) or show, one tap each; the oldest also from the keyboard.
    Refreshes by itself: an idea a phone sends while the console is open appears."""
    held = moderation.list_held(db, meeting_id)
    with st.container(border=True, key="console_held"):
        st.markdown(f"**{t('moderation_scale.held_title', count=len(held))}**")
        if step is not None and step.kind.takes_ideas:
            pre_moderation_toggle(db, step.id, user)
        if not held:
            st.caption(t("moderation_scale.held_none"))
        else:
            st.caption(t("moderation_scale.keyboard_hint"))
        # The keys act on the oldest held idea, but Alt+A (show on the wall) never on one held
        # for personal data: letting that through must be a deliberate tap (a trial clearing
        # a pre-moderation queue by keyboard put an e-mail address on the projector).
        clean = next((i.id for i in held if not i.flags), None)
        for number, idea in enumerate(held[:HELD_SHOWN]):
            held_row(db, idea, user, hide_key=number == 0, show_key=idea.id == clean)
        if len(held) > HELD_SHOWN:
            st.caption(t("moderation_scale.held_more", count=len(held) - HELD_SHOWN))


def _switch_pre_moderation(db: Store, step_id: int, key: str, user: User) -> None:
    flash_refusal(
        moderation.set_pre_moderation, db, step_id, bool(st.session_state[key]), actor=user
    )


def pre_moderation_toggle(db: Store, step_id: int, user: User) -> None:
    """The step's pre-moderation as it is in the database (a co-facilitator may have switched
    it); only the facilitator's own change of the toggle writes."""
    key = f"console_pre_moderation_{step_id}"
    st.session_state[key] = moderation.has_pre_moderation(db, step_id)
    st.toggle(
        t("moderation_scale.pre_moderation"),
        key=key,
        help=t("moderation_scale.pre_moderation_help"),
        on_change=_switch_pre_moderation,
        args=(db, step_id, key, user),
    )


def held_row(
    db: Store, idea: Idea, user: User, *, hide_key: bool = False, show_key: bool = False
) -> None:
    with st.container(horizontal=True, vertical_alignment="center", key=f"console_held_{idea.id}"):
        with st.container(width="stretch"):
            st.markdown(f"`#{idea.id}` {user_text(idea.text)}")
            details = [user_text(author_label(idea))]
            if idea.flags:
                details.append(t("moderation_scale.held_flags", what=flag_words(idea.flags)))
            st.caption(" · ".join(details))
        reason = one_tap_reason(idea.flags)
        if st.button(
            t("moderation_scale.hide_personal") if idea.flags else t("console.hide"),
            key=f"console_held_hide_{idea.id}",
            type="primary",
            icon=":material/visibility_off:",
            shortcut="Alt+H" if hide_key else None,
        ):
            act(
                moderation.hide_idea,
                db,
                idea.id,
                reason,
                actor=user,
                done=t("moderation_scale.done_hidden"),
            )
        if st.button(
            t("moderation_scale.release"),
            key=f"console_held_release_{idea.id}",
            icon=":material/visibility:",
            shortcut="Alt+A" if show_key else None,
        ):
            act(
                moderation.release_idea,
                db,
                idea.id,
                actor=user,
                done=t("moderation_scale.done_released"),
            )


def short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_list(members: list[Idea]) -> str:
    """A suggested group's ideas as one markdown list, each on one line (a line break in an
    idea would end its list item)."""
    return "\n".join(f"- `#{i.id}` {user_text(short(' '.join(i.text.split())))}" for i in members)


MERGED_KEY = "console_dup_acted"


def _merge_suggested(db: Store, idea_ids: list[int], user: User) -> None:
    # Says what went where ("31 dubletter lagt sammen med #101"), not only "done".
    done = tn("moderation_scale.merged_group_done", len(idea_ids) - 1, keep=idea_ids[0])
    flash_refusal(duplicates.merge_group, db, idea_ids, actor=user, done=done)
    st.session_state[MERGED_KEY] = True


@st.fragment(run_every=SUGGESTIONS_REFRESH_SECONDS)
def duplicates_panel(db: Store, meeting_id: int, user: User) -> None:
    """Suggested duplicate groups, the group with the newest idea first; one tap merges a
    group into its oldest idea. Polls the background result; never computes on this run."""
    if st.session_state.pop(MERGED_KEY, False):
        st.rerun()  # the whole console: its lists changed, and the answer shows as a toast
    change_seq = meetings.meeting_state(db, meeting_id).change_seq
    snapshot = duplicates.duplicates_snapshot(db, meeting_id, change_seq)
    shown_ids = [i for g in snapshot.groups[:SUGGESTIONS_SHOWN] for i in g.idea_ids]
    texts = {i.id: i for i in ideas.ideas_on_wall_by_id(db, meeting_id, shown_ids)}
    shown = [
        [texts[i] for i in group.idea_ids if i in texts]
        for group in snapshot.groups[:SUGGESTIONS_SHOWN]
    ]
    # A group a facilitator has acted on since the computation drops out until the next one.
    shown = [members for members in shown if len(members) >= 2]
    with st.container(border=True, key="console_duplicates"):
        # The heading counts every group, not only those drawn (it said 15 above "188 more").
        more = max(0, len(snapshot.groups) - SUGGESTIONS_SHOWN)
        st.markdown(f"**{tn('moderation_scale.duplicates_title', len(shown) + more)}**")
        if snapshot.version is None:
            st.caption(t("moderation_scale.duplicates_computing"))
            return
        background_state(snapshot.up_to_date, snapshot.seconds, keys="moderation_scale.duplicates_")
        for number, members in enumerate(shown):
            with st.container(border=True, key=f"console_dup_{members[0].id}"):
                # One list per group, not one element per idea: at 3,000 ideas the fifteen
                # groups held about 280 ideas, and drawing each as its own element was most
                # of the browser's work when the tab opened.
                st.markdown(group_list(members))
                # A callback, with the ideas as drawn: a co-facilitator's hide or merge in the
                # meantime drops the group from the next drawing, and a plain button's click
                # would then vanish without a word; the service refuses it and says why.
                st.button(
                    tn("moderation_scale.merge_group", len(members) - 1, keep=members[0].id),
                    key=f"console_dup_merge_{members[0].id}",
                    icon=":material/merge:",
                    shortcut="Alt+M" if number == 0 else None,
                    on_click=_merge_suggested,
                    args=(db, [i.id for i in members], user),
                )
        if more:
            st.caption(t("moderation_scale.duplicates_more", count=more))


def _choose(idea: Idea) -> None:
    st.session_state[CHOSEN_KEY] = idea


def idea_browser(found: list[Idea], themes: list[Theme]) -> list[Idea]:
    """Search, filter and page every idea of the meeting; return the filtered list (what the
    pick list below offers). A row's button picks it for hide, edit and merge."""
    with st.container(border=True, key="console_browse"):
        st.markdown(f"**{t('moderation_scale.browse_title')}**")
        with st.container(horizontal=True, vertical_alignment="bottom"):
            text = st.text_input(
                t("moderation_scale.search"),
                key="console_browse_search",
                placeholder=t("moderation_scale.search_hint"),
            )
            status = st.selectbox(
                t("moderation_scale.filter_status"),
                idea_search.STATUSES,
                format_func=lambda key: t(f"moderation_scale.filter.{key}"),
                key="console_browse_status",
            )
            theme_options: list[int | None] = [None, idea_search.NO_THEME] + [x.id for x in themes]
            names = {x.id: x.name for x in themes}
            theme_id = st.selectbox(
                t("moderation_scale.filter_theme"),
                theme_options,
                format_func=lambda key: (
                    t("moderation_scale.filter.any_theme")
                    if key is None
                    else t("moderation_scale.filter.no_theme")
                    if key == idea_search.NO_THEME
                    else names[key]
                ),
                key="console_browse_theme",
            )
            flagged = st.checkbox(
                t("moderation_scale.filter_flagged"), key="console_browse_flagged"
            )
        wanted = IdeaFilter(text=text or "", status=status, theme_id=theme_id, flagged=flagged)
        matching = idea_search.search_ideas(found, wanted)
        page = idea_search.page_of(matching, int(st.session_state.get(PAGE_KEY, 0)))
        st.caption(tn("moderation_scale.browse_count", page.total))
        # Each row's short "Vælg" is heard with the idea it picks (a page of "Vælg, Vælg, …"
        # told a screen reader nothing): the accessible name starts with the visible label.
        pick_names: dict[str, str] = {}
        for idea in page.ideas:
            with st.container(
                horizontal=True, vertical_alignment="center", key=f"console_browse_{idea.id}"
            ):
                with st.container(width="stretch"):
                    st.markdown(f"`#{idea.id}` {user_text(short(idea.text, 140))}")
                    details = [
                        user_text(author_label(idea)),
                        t(f"moderation_scale.filter.{idea_search.status_of(idea)}"),
                    ]
                    if idea.theme_id in names:
                        details.append(user_text(names[idea.theme_id]))
                    if idea.flags:
                        details.append(
                            t("moderation_scale.held_flags", what=flag_words(idea.flags))
                        )
                    st.caption(" · ".join(details))
                if idea.merged_into_id is not None:
                    # Nothing left to moderate: say where it went (a pick did nothing visible).
                    st.caption(t("moderation_scale.merged_into", idea=f"#{idea.merged_into_id}"))
                else:
                    key = f"console_browse_pick_{idea.id}"
                    st.button(
                        t("moderation_scale.pick"),
                        key=key,
                        on_click=_choose,
                        args=(idea,),
                        type="tertiary",
                    )
                    pick_names[key] = pick_name(idea)
        name_controls("console_browse", pick_names)
        if page.pages > 1:
            with st.container(horizontal=True, vertical_alignment="center"):
                if st.button(
                    t("moderation_scale.previous_page"),
                    key="console_browse_previous",
                    disabled=page.number == 0,
                ):
                    st.session_state[PAGE_KEY] = page.number - 1
                    st.rerun()
                st.caption(t("moderation_scale.page", number=page.number + 1, pages=page.pages))
                if st.button(
                    t("moderation_scale.next_page"),
                    key="console_browse_next",
                    disabled=page.number + 1 >= page.pages,
                ):
                    st.session_state[PAGE_KEY] = page.number + 1
                    st.rerun()
    return matching


def pick_name(idea: Idea) -> str:
    """What a row's "Vælg" button says to a screen reader: the idea it picks, whole."""
    return t(
        "moderation_scale.pick_named",
        pick=t("moderation_scale.pick"),
        idea=f"#{idea.id}",
        text=" ".join(idea.text.split()),
    )


def pick_options(candidates: list[Idea], chosen: Idea | None = None) -> list[Idea]:
    """What a pick list offers: the first PICK_SHOWN of ``candidates`` (in their order), and
    the idea already chosen even if it lies further down (a list must show its own value)."""
    shown = candidates[:PICK_SHOWN]
    if chosen is not None and all(i.id != chosen.id for i in shown):
        now = next((i for i in candidates if i.id == chosen.id), None)
        if now is not None:
            shown = [now, *shown]
    return shown


def pick_ideas(label: str, candidates: list[Idea], *, key: str, **kwargs: Any) -> list[Idea]:
    """A multiselect of ideas (in a form): the first PICK_SHOWN of ``candidates``, saying so
    when there are more; returns the ideas picked."""
    offered = pick_options(candidates)
    picked = st.multiselect(
        label,
        offered,
        format_func=idea_choice,
        key=key,
        placeholder=t("console.choose_ideas"),
        select_all=False,
        **kwargs,
    )
    pick_caption(len(offered), len(candidates))
    return picked


def idea_choice(idea: Idea) -> str:
    """An idea as a pick list shows it: its number and the start of its text."""
    return f"#{idea.id} · {short(idea.text, 70)}"


def pick_caption(offered: int, total: int) -> None:
    """Say so when a pick list offers fewer ideas than there are (and how to find the rest)."""
    if offered < total:
        st.caption(t("moderation_scale.pick_capped", shown=offered, total=total))


def fresh_choice(before: object, candidates: list[Idea]) -> Idea | None:
    """The picked idea as it is now (edited since?), or none if the filter left it out.

    ``before`` is what the pick list's state holds: the idea, or, when Streamlit hands back
    the list's value as the text it showed (its options had changed meanwhile, e.g. after
    moving to another meeting's console; a trial saw the console fail on it), that text."""
    if isinstance(before, Idea):
        return next((i for i in candidates if i.id == before.id), None)
    if isinstance(before, str):
        return next((i for i in candidates if idea_choice(i) == before), None)
    return None


def keep_choice_fresh(candidates: list[Idea]) -> None:
    """Keep the pick list's state an idea of ``candidates`` as it is now, or no pick."""
    if st.session_state.get(CHOSEN_KEY) is None:
        return
    now = fresh_choice(st.session_state[CHOSEN_KEY], candidates)
    if now is None:
        del st.session_state[CHOSEN_KEY]
    else:
        st.session_state[CHOSEN_KEY] = now
