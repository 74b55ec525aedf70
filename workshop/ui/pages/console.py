"""The facilitator's console: run a meeting step by step, moderate, group ideas into themes.

Top: the join code and the agenda with the controls for the current step. Below, in tabs:
the live idea list, moderation (hide with a reason, edit, merge), themes, the agenda editor,
and the moderation log with its exports (a CSV for reading, the stored record as JSON).
"""

import html

import streamlit as st

from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, qr, themes
from workshop.meetings import rules as meeting_rules
from workshop.meetings import screen as screen_settings
from workshop.meetings.agenda import AgendaTemplate, template_agenda
from workshop.meetings.core import ERASED_IDEA_REASON
from workshop.model import Idea, Meeting, MeetingStatus, Role, Step, StepKind
from workshop.ui import moderation_console, screen_push, theme_suggestion_panel
from workshop.ui.actions import act, flash_refusal, shows_refusal, verdict_text
from workshop.ui.i18n import current_language, moment, t, tn
from workshop.ui.link_widgets import renew_link
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.participant_widgets import join_watch, participants_tab
from workshop.ui.process import settings, store
from workshop.ui.results import show_round_results
from workshop.ui.runtime import fragment_run
from workshop.ui.session import flash, recheck_staff, require_role, show_flash
from workshop.ui.widgets import (
    author_label,
    demo_badge,
    flag_words,
    hide_reason_text,
    minutes_left,
    step_label,
    user_text,
    word_list,
)
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

LIVE_REFRESH_SECONDS = 3  # the live tab's timer while its push connection is down
TIME_LEFT_SECONDS = 5  # the "minutes left" line's own timer (one laptop: a cheap read)
LIVE_SHOWN = 50  # ideas drawn in the live tab before "show more"
LIVE_LIMIT_KEY = "console_live_limit"
TAB_KEY = "console_tab"  # the open tab (its label)
CLOSE_KEY = "console_close_ask"  # the "end the meeting?" question: open or not

user = require_role(Role.FACILITATOR, Role.ADMIN)
db = store()
config = settings()
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


state_now = meetings.meeting_state(db, meeting.id)
steps = meetings.list_steps(db, meeting.id)
step = meetings.current_step(db, meeting.id)
closed = state_now.status == MeetingStatus.CLOSED

info, controls = st.columns([2, 3], gap="large")


def _end_meeting() -> None:
    st.session_state[CLOSE_KEY] = False  # the question closes with the meeting
    flash_refusal(meetings.close_meeting, db, meeting.id, actor=user, done=t("console.closed"))


def _keep_meeting() -> None:
    st.session_state[CLOSE_KEY] = False


def close_meeting_control(joined: int) -> None:
    """Ending the meeting ends it on every phone and the projector: the button asks first,
    in a popover (as erasing a person does), and only its "yes" ends it; "cancel" or Escape
    closes the question. A mis-tap on a laptop beside 300 people ends nothing."""
    with st.popover(
        t("console.close_meeting"),
        icon=":material/stop_circle:",
        key=CLOSE_KEY,
        on_change="rerun",
    ):
        st.markdown(tn("console.close_question", joined))
        with st.container(horizontal=True):
            st.button(
                t("console.close_yes"),
                type="primary",
                key="console_close_confirm",
                on_click=_end_meeting,
            )
            st.button(t("console.close_cancel"), key="console_close_cancel", on_click=_keep_meeting)


@st.fragment(run_every=TIME_LEFT_SECONDS)
def time_left() -> None:
    """The current step's minutes left, on a timer of its own: the rest of the console runs
    when someone acts, and in a quiet room the line stayed minutes behind the projector's
    countdown. Read anew each time (a co-facilitator may have added time or moved on)."""
    running = meetings.meeting_state(db, meeting.id).status == MeetingStatus.RUNNING
    now = meetings.current_step(db, meeting.id) if running else None
    left = None if now is None else minutes_left(now)
    if left is not None:
        st.caption(
            tn("console.minutes_left", left) if left >= 0 else tn("console.minutes_over", -left)
        )


# -- join code, QR, projector ------------------------------------------------------------------
with info:
    with st.container(key="console_join_code"):  # a stable selector beside the join watch
        st.metric(t("console.join_code"), meetings.format_code(meeting.join_code))
    alt = html.escape(t("projector.qr_alt", url=join_link))  # a text alternative (WCAG 1.1.1)
    st.html(f'<img src="{qr.qr_data_uri(join_link)}" alt="{alt}" width="180" height="180">')
    st.code(join_link, language=None)
    screen = meetings.screen_link_token(db, meeting.id)
    if screen is not None:
        st.link_button(
            t("console.open_projector"),
            qr.screen_url(base, screen),
            icon=":material/cast:",
            key="console_projector",
        )
        st.caption(t("console.projector_hint"))
    # The projector's large QR code (welcome and brainstorm): the meeting's setting, so every
    # console shows what the screen does.
    st.session_state["console_big_qr"] = screen_settings.has_big_qr(db, meeting.id)
    st.toggle(
        t("console.big_qr"),
        key="console_big_qr",
        help=t("console.big_qr_help"),
        on_change=lambda: flash_refusal(
            screen_settings.set_big_qr,
            db,
            meeting.id,
            st.session_state["console_big_qr"],
            actor=user,
        ),
    )
    renew_link(
        screen,
        lambda: meetings.new_screen_link(db, meeting.id, actor=user),
        key="console_new_screen_link",
        label="links.make_new_screen",
    )

# -- the agenda and the current step's controls ------------------------------------------------
# The step this console showed when its buttons were pressed: a tap's run reads the room
# anew, so a move made from what the last run drew, not from what this run reads, is refused
# if another console has moved the room since (``meetings.next_step``'s ``from_step``).
shown_key = f"console_step_shown_{meeting.id}"
shown_step = st.session_state.get(shown_key, state_now.current_step_id)
st.session_state[shown_key] = state_now.current_step_id
results_seq: int | None = None  # the votes the round's results were drawn with, if shown
results_behind = False  # their opinion groups were still being computed
shown_round: voting.Round | None = None  # the round whose results' button this run drew

with controls:
    joined = meetings.count_participants(db, meeting.id)
    # The status, who joined, joins per minute, a warning above the room's expected size.
    join_watch(meeting.id, t(f"meeting.status.{state_now.status}"))
    for item in steps:
        current = item.id == state_now.current_step_id
        with st.container(horizontal=True, vertical_alignment="center"):
            marker = "▶ " if current else ("✓ " if item.ended_at else "")
            minutes = t("common.minutes_short", minutes=item.time_box_minutes)
            label = f"{marker}{item.position}. {step_label(item)} · {minutes}"
            with st.container(width="stretch"):
                st.markdown(f"**{label}**" if current else label)
                if item.prompt:
                    st.caption(user_text(item.prompt))
            if meeting_rules.can_go_to_step(state_now, steps, item.id) and st.button(
                # Named with its step: eight "Gå til trin" say nothing to a screen reader.
                t("console.go_to_step_named", position=item.position, step=step_label(item)),
                key=f"console_go_{item.id}",
            ):
                act(
                    meetings.go_to_step,
                    db,
                    meeting.id,
                    item.id,
                    actor=user,
                    join_code_hours=config.join_code_hours,
                    from_step=shown_step,
                )

    forward = meeting_rules.can_move_to_next_step(state_now, steps)
    if state_now.status == MeetingStatus.READY:
        if forward and st.button(t("console.start"), type="primary", key="console_start"):
            act(
                meetings.next_step,
                db,
                meeting.id,
                actor=user,
                join_code_hours=config.join_code_hours,
                from_step=shown_step,
            )
    elif state_now.status == MeetingStatus.RUNNING:
        with st.container(horizontal=True):
            back = meeting_rules.can_go_back(state_now, steps)
            if st.button(
                t("console.previous_step"),
                key="console_previous",
                disabled=not back,
                help=verdict_text(back),
            ):
                act(
                    meetings.previous_step,
                    db,
                    meeting.id,
                    actor=user,
                    join_code_hours=config.join_code_hours,
                    from_step=shown_step,
                )
            if st.button(
                t("console.next_step"),
                type="primary",
                key="console_next",
                disabled=not forward,
                help=verdict_text(forward),
            ):
                act(
                    meetings.next_step,
                    db,
                    meeting.id,
                    actor=user,
                    join_code_hours=config.join_code_hours,
                    from_step=shown_step,
                )
            if step is not None and step.kind.takes_ideas:
                label = t("console.close_intake") if step.intake_open else t("console.open_intake")
                if st.button(label, key="console_intake"):
                    act(meetings.set_intake, db, step.id, not step.intake_open, actor=user)
            more_time = meeting_rules.can_extend_timer(state_now, step)
            if st.button(
                t("console.add_time"),
                key="console_add_time",
                disabled=not more_time,
                help=verdict_text(more_time),
            ):
                act(meetings.extend_step_timer, db, meeting.id, actor=user)
            close_meeting_control(joined)
        if forward.reason == "error.step.consent_without_proposal":
            st.warning(verdict_text(forward))  # said before the room reaches the step
        time_left()

    # On a vote step, that step's round (also when the facilitator went back to it); elsewhere
    # (the wrap-up), the newest round.
    vote_round = (
        voting.current_round(db, meeting.id)
        if step is not None and step.kind.is_vote
        else voting.latest_round(db, meeting.id)
    )
    shown_round = vote_round
    if vote_round is not None:
        label = t("console.hide_results") if vote_round.revealed else t("console.reveal_results")
        # What the button said is what it does (the arguments of the run that drew it): on a
        # console behind another one, "Hide results" read the round anew at the tap, found it
        # hidden by the other console, and showed the results to the room.
        st.button(
            label,
            key="console_reveal",
            on_click=flash_refusal,
            args=(voting.reveal_results, db, vote_round.id, not vote_round.revealed),
            kwargs={"actor": user},
        )
    if meeting_rules.can_open_round(state_now, step) and st.button(
        t("console.new_round"), key="console_new_round", help=t("console.new_round_help")
    ):
        act(vote_methods.open_next_round, db, meeting.id, actor=user)
    if vote_round is not None and vote_round.method != StepKind.DOT_VOTE:
        shown_to = "console.round_results_shown" if vote_round.revealed else "console.round_results"
        with st.expander(t(shown_to, number=vote_round.number), expanded=True):
            texts = {i.id: i.text for i in ideas.list_ideas(db, meeting.id)}
            results_seq = meetings.meeting_state(db, meeting.id).vote_seq
            results_behind = not show_round_results(
                db, vote_round.id, vote_round.method, results_seq, texts, key="console"
            )
            if results_behind:  # opinion groups computed in the background: look each second
                screen_push.rerun_at_turn(1)

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
                with shows_refusal():
                    ideas.submit_on_behalf(
                        db,
                        meeting.id,
                        text,
                        author_name=name,
                        actor=user,
                        max_chars=config.idea_max_chars,
                    )
                    flash(t("console.on_behalf_done"))
                    st.rerun()

all_ideas = list(ideas.every_idea(db, meeting.id, state_now.change_seq))
on_wall = [i for i in all_ideas if not i.hidden]
all_themes = themes.list_themes(db, meeting.id)
theme_names = {theme.id: theme.name for theme in all_themes}

# Lazy tabs: only the open tab's content runs and is sent (Streamlit's ``on_change="rerun"``
# with ``.open``); its fragments refresh only while it is open. At 3,000 ideas every tab drew
# its lists on every run, and the timed panels of hidden tabs kept the page busy.
live_tab, moderate_tab, themes_tab, agenda_tab, log_tab, people_tab = st.tabs(
    [
        t("console.tab.live"),
        t("console.tab.moderate"),
        t("console.tab.themes"),
        t("console.tab.agenda"),
        t("console.tab.log"),
        t("identity.tab"),
    ],
    key=TAB_KEY,
    on_change="rerun",
)


# -- live ideas --------------------------------------------------------------------------------
# The live tab reruns when the room moved (an idea, a dot, a hidden idea: workshop/ui/
# screen_push.py), not every few seconds; its timer is the fallback while push is down.
@st.fragment(run_every=screen_push.run_every(LIVE_REFRESH_SECONDS))
def live_ideas() -> None:
    recheck_staff()  # a deactivated or logged-out facilitator stops seeing the wall
    current = meetings.meeting_state(db, meeting.id)
    if (current.status, current.current_step_id) != (state_now.status, state_now.current_step_id):
        st.rerun()  # moved on from another console: the agenda and its buttons, drawn anew
    # The round's results above the tabs were drawn with older votes, or before their opinion
    # groups were computed: the whole console runs (at most once a second while votes come
    # in: push's pace for screens). Not in the page's own run, which drew them just now.
    behind = results_seq is not None and (current.vote_seq > results_seq or results_behind)
    # Results shown or hidden from another console: this one's button says the truth again.
    flipped = shown_round is not None and voting.get_round(db, shown_round.id).revealed != (
        shown_round.revealed
    )
    if (behind or flipped) and fragment_run():
        st.rerun()
    latest = voting.latest_round(db, meeting.id, StepKind.DOT_VOTE)
    totals = voting.dot_totals(db, latest.id, current.vote_seq) if latest else {}
    listed = ideas.every_idea(db, meeting.id, current.change_seq)
    credits = moderation.credits(db, meeting.id)
    shown = [i for i in listed if i.merged_into_id is None]
    st.subheader(tn("console.ideas_count", len([i for i in shown if not i.hidden])))
    # A room of 3,000 ideas is not drawn whole on every refresh: the first LIVE_SHOWN (most
    # dots, then newest), more on request; the moderation tab searches and pages them all.
    limit = int(st.session_state.get(LIVE_LIMIT_KEY, LIVE_SHOWN))
    ordered = sorted(shown, key=lambda i: (i.hidden, -totals.get(i.id, 0), -i.id))
    if len(ordered) > limit:
        hidden = sum(i.hidden for i in ordered)  # listed too, last: the heading counts the wall
        key = "live_list.shown_hidden" if hidden else "live_list.shown"
        st.caption(t(key, shown=limit, total=len(ordered), hidden=hidden))
    for idea in ordered[:limit]:
        with st.container(border=True, key=f"console_live_{idea.id}"):
            st.markdown(f"`#{idea.id}` {user_text(idea.text)}")
            details = [user_text(author_label(idea)), tn("common.dots", totals.get(idea.id, 0))]
            if idea.theme_id in theme_names:
                details.append(user_text(theme_names[idea.theme_id]))
            merged = credits.get(idea.id, [])
            if merged:
                names = word_list([r["author_name"] or t("idea.anonymous") for r in merged])
                details.append(t("console.also_from", names=user_text(names)))
            if idea.edited:
                details.append(t("idea.edited"))
            st.caption(" · ".join(details))
            if idea.held:  # waiting for a facilitator: what was found, not an empty reason
                st.caption(
                    t("moderation.log.held_because", what=flag_words(idea.flags))
                    if idea.flags
                    else t("moderation.log.held")
                )
            elif idea.hidden:
                st.caption(t("console.hidden_because", reason=user_text(hide_reason_text(idea))))
    if len(ordered) > limit:
        st.button(
            t("live_list.more"),
            key="console_live_more",
            on_click=lambda: st.session_state.update({LIVE_LIMIT_KEY: limit + LIVE_SHOWN}),
        )
    screen_push.follow(screen_push.staff_url(meeting.id), current)


if live_tab.open:
    with live_tab:
        live_ideas()


# -- moderation ---------------------------------------------------------------------------------
if moderate_tab.open:
    with moderate_tab:
        moderation_console.held_panel(db, meeting.id, user, step)
        moderation_console.duplicates_panel(db, meeting.id, user)
        candidates = [
            i
            for i in moderation_console.idea_browser(all_ideas, all_themes)
            if i.merged_into_id is None
        ]
        moderation_console.keep_choice_fresh(candidates)
        offered = moderation_console.pick_options(
            candidates, st.session_state.get(moderation_console.CHOSEN_KEY)
        )
        chosen: Idea | None = st.selectbox(
            t("console.pick_idea"),
            offered,
            format_func=moderation_console.idea_choice,
            index=None,
            key=moderation_console.CHOSEN_KEY,
            placeholder=t("console.choose_idea"),
        )
        moderation_console.pick_caption(len(offered), len(candidates))
        if chosen is not None and chosen.hide_reason == ERASED_IDEA_REASON:
            # Its words are gone at its author's request: nothing to show, edit or merge.
            st.caption(t("console.hidden_because", reason=hide_reason_text(chosen)))
        elif chosen is not None:
            st.markdown(f"**{user_text(author_label(chosen))}**  \n{user_text(chosen.text)}")
            hide_col, edit_col, merge_col = st.columns(3, gap="large")
            with hide_col, st.form("console_hide_form", clear_on_submit=True):
                if chosen.hidden:
                    st.caption(
                        t("console.hidden_because", reason=user_text(hide_reason_text(chosen)))
                    )
                    if st.form_submit_button(t("console.unhide"), key="console_unhide"):
                        act(
                            moderation.unhide_idea,
                            db,
                            chosen.id,
                            actor=user,
                            done=t("console.done"),
                        )
                else:
                    reason = st.text_input(
                        t("console.hide_reason"),
                        max_chars=moderation.REASON_MAX,
                        key="console_hide_reason",
                        help=t("console.hide_reason_help"),
                    )
                    if st.form_submit_button(t("console.hide"), key="console_hide"):
                        act(
                            moderation.hide_idea,
                            db,
                            chosen.id,
                            reason,
                            actor=user,
                            done=t("console.done"),
                        )
            with edit_col, st.form("console_edit_form"):
                new_text = st.text_area(
                    t("console.edit_text"),
                    value=chosen.text,
                    max_chars=config.idea_max_chars,
                    key=f"console_edit_text_{chosen.id}",
                )
                edit_reason = st.text_input(
                    t("console.edit_reason"),
                    max_chars=moderation.REASON_MAX,
                    key=f"console_edit_reason_{chosen.id}",
                )
                if st.form_submit_button(t("console.save_edit"), key="console_save_edit"):
                    act(
                        moderation.edit_idea,
                        db,
                        chosen.id,
                        new_text,
                        reason=edit_reason,
                        actor=user,
                        max_chars=config.idea_max_chars,
                        done=t("console.done"),
                    )
            with merge_col, st.form("console_merge_form"):
                # What the search above found (a search for the chosen idea's words finds its
                # duplicates), then the rest of the wall, newest first; capped like every pick list.
                found_ids = {i.id for i in candidates}
                others = sorted(
                    (i for i in on_wall if i.id != chosen.id and i.merged_into_id is None),
                    key=lambda i: (i.id not in found_ids, -i.id),
                )
                duplicates = moderation_console.pick_ideas(
                    t("console.merge_pick"),
                    others,
                    key=f"console_merge_{chosen.id}",
                    help=t("console.merge_help"),
                )
                if st.form_submit_button(t("console.merge"), key="console_merge_submit"):
                    act(
                        moderation.merge_ideas,
                        db,
                        chosen.id,
                        [d.id for d in duplicates],
                        actor=user,
                        done=t("console.done"),
                    )
            edits = moderation.list_idea_edits(db, chosen.id)
            if edits:
                st.markdown(f"**{t('console.edit_history')}**")
                for edit in edits:
                    st.caption(
                        t(
                            "console.edit_entry",
                            at=moment(edit.at),
                            before=user_text(edit.before),
                            reason=user_text(edit.reason or "—"),
                        )
                    )


# -- themes -------------------------------------------------------------------------------------
if themes_tab.open:
    with themes_tab:
        theme_suggestion_panel.theme_suggestions_panel(db, meeting.id, user)
        with st.form("console_theme_form", clear_on_submit=True):
            theme_name = st.text_input(
                t("console.theme_name"), max_chars=themes.NAME_MAX, key="console_theme_name"
            )
            if st.form_submit_button(t("console.add_theme"), key="console_add_theme"):
                act(themes.create_theme, db, meeting.id, theme_name, actor=user)
        if all_themes:
            with st.form("console_assign_form", clear_on_submit=True):
                target = st.selectbox(
                    t("console.theme_target"),
                    all_themes,
                    format_func=lambda theme: theme.name,
                    key="console_assign_theme",
                )
                # Ideas without a theme first, newest first; capped like every pick list.
                placeable = sorted(
                    (i for i in on_wall if i.merged_into_id is None),
                    key=lambda i: (i.theme_id is not None, -i.id),
                )
                picked_ideas = moderation_console.pick_ideas(
                    t("console.theme_ideas"), placeable, key="console_assign_ideas"
                )
                if st.form_submit_button(t("console.assign"), key="console_assign"):
                    act(
                        themes.assign_ideas_to_theme,
                        db,
                        target.id,
                        [idea.id for idea in picked_ideas],
                        actor=user,
                        done=tn("console.assigned", len(picked_ideas)),
                    )
        for theme in all_themes:
            inside = [i for i in on_wall if i.theme_id == theme.id]
            with st.container(border=True, key=f"console_theme_{theme.id}"):
                st.markdown(
                    f"**{user_text(theme.name)}** · {tn('console.theme_size', len(inside))}"
                )
                whole = st.session_state.get(f"console_theme_whole_{theme.id}", False)
                for idea in inside if whole else inside[: moderation_console.THEME_SHOWN]:
                    with st.container(horizontal=True, vertical_alignment="center"):
                        st.markdown(user_text(idea.text), width="stretch")
                        if st.button(
                            t("console.take_out"),
                            key=f"console_take_out_{idea.id}",
                            type="tertiary",
                        ):
                            act(themes.assign_theme, db, idea.id, None, actor=user)
                if len(inside) > moderation_console.THEME_SHOWN:
                    st.toggle(
                        tn("console.theme_show_all", len(inside), theme=user_text(theme.name)),
                        key=f"console_theme_whole_{theme.id}",
                    )
                if st.button(t("console.delete_theme"), key=f"console_delete_theme_{theme.id}"):
                    act(themes.delete_theme, db, theme.id, actor=user)
        loose = [i for i in on_wall if i.theme_id is None]
        if all_themes and loose:
            st.caption(tn("console.ideas_without_theme", len(loose)))


# -- the agenda ---------------------------------------------------------------------------------
def step_editor(item: Step) -> None:
    # Every field and button names its step (WCAG 2.4.6): the same form repeats for each step.
    def of_step(key: str) -> str:
        return t("console.of_step", what=t(key), position=item.position)

    def named(key: str) -> str:
        return t(key, position=item.position)

    with st.container(border=True, key=f"console_step_{item.id}"):
        st.markdown(f"**{item.position}. {step_label(item)}**")
        with st.form(f"console_step_form_{item.id}"):
            prompt = st.text_input(
                of_step("console.step_prompt"),
                value=item.prompt,
                max_chars=meetings.PROMPT_MAX,
                key=f"console_step_prompt_{item.id}",
            )
            minutes = st.number_input(
                of_step("console.step_minutes"),
                min_value=1,
                max_value=meetings.TIME_BOX_MAX,
                value=item.time_box_minutes,
                key=f"console_step_minutes_{item.id}",
            )
            per_minute = None
            if item.kind.takes_ideas:
                per_minute = st.number_input(
                    of_step("console.step_per_minute"),
                    min_value=1,
                    max_value=60,
                    value=int(item.settings.get("ideas_per_minute", config.ideas_per_minute)),
                    key=f"console_step_per_minute_{item.id}",
                )
            if st.form_submit_button(
                named("console.save_step_named"), key=f"console_save_step_{item.id}"
            ):
                settings_change = (
                    {"ideas_per_minute": int(per_minute)} if per_minute is not None else None
                )
                act(
                    meetings.update_step,
                    db,
                    item.id,
                    prompt=prompt,
                    time_box_minutes=int(minutes),
                    settings=settings_change,
                    actor=user,
                    done=t("console.done"),
                )
        with st.container(horizontal=True):
            if st.button(
                named("console.step_up_named"),
                key=f"console_step_up_{item.id}",
                disabled=item.position == 1,
            ):
                act(meetings.move_step, db, item.id, -1, actor=user)
            if st.button(
                named("console.step_down_named"),
                key=f"console_step_down_{item.id}",
                disabled=item.position == len(steps),
            ):
                act(meetings.move_step, db, item.id, 1, actor=user)
            if st.button(named("console.duplicate_named"), key=f"console_step_duplicate_{item.id}"):
                act(meetings.duplicate_step, db, item.id, actor=user, done=t("agenda.duplicated"))
            if item.started_at is None and st.button(
                named("console.step_remove_named"), key=f"console_step_remove_{item.id}"
            ):
                act(meetings.remove_step, db, item.id, actor=user)


if agenda_tab.open:
    with agenda_tab:
        if closed:
            st.info(t("error.meeting.closed"))
        else:
            for item in steps:
                step_editor(item)
            # A new step goes where it is wanted: no row of "move up" clicks after adding it.
            with st.form("console_add_step_form", clear_on_submit=True):
                kind = st.selectbox(
                    t("console.new_step_kind"),
                    list(StepKind),
                    format_func=lambda k: t(f"step.{k}"),
                    key="console_new_step_kind",
                )
                by_position = {s.position: s for s in steps}
                position = st.selectbox(
                    t("agenda.position"),
                    list(range(1, len(steps) + 2)),
                    index=len(steps),
                    format_func=lambda p: (
                        t("agenda.position_before", position=p, step=step_label(by_position[p]))
                        if p in by_position
                        else t("agenda.position_end")
                    ),
                    key="console_new_step_position",
                )
                new_prompt = st.text_input(
                    t("console.step_prompt"),
                    max_chars=meetings.PROMPT_MAX,
                    key="console_new_prompt",
                )
                if st.form_submit_button(t("agenda.insert"), key="console_add_step"):
                    act(
                        meetings.insert_step,
                        db,
                        meeting.id,
                        kind,
                        position,
                        prompt=new_prompt,
                        actor=user,
                    )
            # The whole agenda from a template: only before the start (the rule says why not).
            replace = meeting_rules.can_apply_template(state_now, steps)
            with st.form("console_template_form"):
                st.markdown(f"**{t('agenda.apply_title')}**")
                template = st.selectbox(
                    t("agenda.template_field"),
                    list(AgendaTemplate),
                    format_func=lambda tpl: t(f"agenda.template.{tpl}"),
                    key="console_agenda_template",
                    disabled=not replace,
                )
                if not replace:
                    st.caption(verdict_text(replace) or "")
                template = template or AgendaTemplate.SHORT
                if st.form_submit_button(
                    t("agenda.apply"),
                    key="console_apply_template",
                    disabled=not replace,
                    help=t("agenda.apply_help"),
                ):
                    first_prompt = next((s.prompt for s in steps if s.kind.takes_ideas), "")
                    act(
                        meetings.apply_agenda_template,
                        db,
                        meeting.id,
                        template,
                        prompt=first_prompt,
                        actor=user,
                        done=t("agenda.applied", count=len(template_agenda(template))),
                    )


# -- moderation log -----------------------------------------------------------------------------
if log_tab.open:
    with log_tab:
        entries = moderation.log_size(db, meeting.id)
        if not entries:
            st.caption(t("console.log_empty"))
        else:
            if entries > moderation_console.LOG_SHOWN:
                st.caption(
                    t("console.log_newest", shown=moderation_console.LOG_SHOWN, total=entries)
                )
            st.dataframe(
                moderation.log_frame(
                    db, meeting.id, current_language(), newest=moderation_console.LOG_SHOWN
                ),
                hide_index=True,
                key="console_log_table",
                column_config={
                    column: t(key) for column, key in moderation.COLUMN_HEADINGS.items()
                },
                placeholder=t("table.empty"),
            )
            st.caption(t("privacy.audit.json_note"))
            language = current_language()
            with st.container(horizontal=True):  # built when asked for, not every run
                st.download_button(
                    t("console.log_download"),
                    lambda: moderation.log_csv(db, meeting.id, language),
                    file_name=moderation.log_file_name(meeting.id, language, "csv"),
                    mime="text/csv",
                    icon=":material/download:",
                    key="console_log_download",
                )
                st.download_button(
                    t("console.log_download_json"),
                    lambda: moderation.log_json(db, meeting.id),
                    file_name=moderation.log_file_name(meeting.id, language, "json"),
                    mime="application/json",
                    icon=":material/download:",
                    key="console_log_download_json",
                )


# -- participants: the room's expected size, removing a participant with their votes -----------
if people_tab.open:
    with people_tab:
        participants_tab(meeting, user)
