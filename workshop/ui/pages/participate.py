"""A citizen's phone: follow the current step, post ideas in a chat stream, place dots.

Layout of this page: who is this (and the gates before taking part), the header, then one
view per kind of step. Every view refreshes in a small fragment that first asks whether the
room moved on (one indexed SELECT) and otherwise fetches only what changed.
"""

import streamlit as st

from workshop.errors import NotFound
from workshop.meetings import core as meetings
from workshop.meetings import ideas, themes
from workshop.meetings.stream import StreamWindow
from workshop.model import Idea, MeetingState, MeetingStatus, Step, StepKind
from workshop.ui import ballots, push, state
from workshop.ui.agreement_gate import agreement_changed, agreement_gate
from workshop.ui.agreement_widgets import my_ideas_link
from workshop.ui.dot_ballot import dot_ballot, phone_ballot
from workshop.ui.i18n import language_switcher, t, tn
from workshop.ui.idea_composer import draft_key, idea_composer
from workshop.ui.participant_widgets import remember_after_join
from workshop.ui.privacy_widgets import my_data_link
from workshop.ui.process import settings, store
from workshop.ui.runtime import once_per_run, taking_turns
from workshop.ui.session import require_participant, show_flash
from workshop.ui.widgets import idea_message, prompt_message, step_label, user_text
from workshop.ui.wrapup import show_wrapup
from workshop.voting import ballots as voting
from workshop.voting import wrapup

# -- who is this ------------------------------------------------------------------------------
participant = require_participant()
remember_after_join(participant)  # just joined: the browser keeps a cookie for this meeting
config = settings()
db = store()
meeting = meetings.get_meeting(db, participant.meeting_id)


def room_now() -> MeetingState:
    """The meeting's numbers, status and step, read once per run: the body and the fragments
    in it ask three times a run, and each is a read of its own (a seventh of a step change's
    CPU). A fragment that runs alone (push, a timer, a tap) is a run of its own: it reads anew."""
    return once_per_run("participate.room", lambda: meetings.meeting_state(db, meeting.id))


now = room_now()
step: Step | None = None  # the current step: read by the body (below) at each of its runs
window = StreamWindow(participant.id, seed=meeting.id)  # what this phone shows, in its order
refresh: float | None = None

# -- header -----------------------------------------------------------------------------------
with st.container(horizontal=True, vertical_alignment="center"):
    st.caption(user_text(meeting.title), width="stretch")
    language_switcher("participate_language")
my_ideas_link(participant)
show_flash()
agreement_gate(participant, now.change_seq)  # the agreement, acknowledged before taking part


def room_moved_on(*, any_change: bool = False, ballot: bool = False, follow: bool = True) -> int:
    """Called on every refresh: a new step, status or intake reloads the page, and so does a
    published or materially changed agreement (the page then shows it to acknowledge).

    ``any_change``: also reload on any other change (for quiet views such as the wrap-up,
    where the facilitator revealing the results is the change). ``ballot``: also reload when
    the ideas on the ballot changed (a merge, a hide), so the phone votes on what the room
    votes on. ``follow``: mount the push component here (the stream mounts it below its
    ideas instead). Returns ``change_seq``.
    """
    try:
        latest = room_now()
    except NotFound:  # the meeting is gone (a restore): the full run says so, not an error
        st.rerun()
    seen = (latest.status, latest.current_step_id, latest.intake_open)
    moved = latest.change_seq != now.change_seq
    if (
        seen != st.session_state.get(state.STEP_SEEN)
        or (any_change and moved)
        or agreement_changed(latest.change_seq)
        or (ballot and moved and ballot_changed(latest.change_seq))
    ):
        st.rerun()
    if follow:
        push.follow(participant.token, latest.change_seq)  # the next change reruns this fragment
    return latest.change_seq


def seen_ideas(latest: int) -> dict[int, Idea]:
    """The newest ideas this phone has seen; asks the database only for changes since its last
    look, and keeps a small window (500 phones must not each hold every idea of the room)."""
    seen: dict[int, Idea] = st.session_state.setdefault(state.STREAM_IDEAS, {})
    last = st.session_state.get(state.STREAM_SEQ, -1)
    if st.session_state.get(state.STREAM_MEETING) != meeting.id:
        seen = {}
        last = -1
        st.session_state[state.STREAM_MEETING] = meeting.id
    if latest != last:
        fresh = (
            [] if last < 0 else ideas.ideas_changed_since(db, meeting.id, last, limit=window.keep)
        )
        if window.needs_full_look(last < 0, fresh):
            seen = {}
            fresh = ideas.newest_ideas(db, meeting.id, window.keep)
            fresh += ideas.own_set_aside(db, participant.id)
        seen = window.remember(seen, fresh)
        st.session_state[state.STREAM_IDEAS] = seen
        st.session_state[state.STREAM_SEQ] = latest
    return seen


def my_order(change_seq: int) -> list[Idea]:
    """The ideas on the wall in this phone's own order, so the first ones are not favoured.

    Ordered once per set of ideas on the wall and kept in the session: a tap on a ballot of
    a thousand ideas does not order a thousand ideas again, and a merge or a hide (the set
    changes) orders them afresh.
    """
    key = (meeting.id, participant.id, ideas.wall_ids(db, meeting.id, change_seq))
    kept = st.session_state.get(state.BALLOT_ORDER)
    if kept is not None and kept[0] == key:
        return kept[1]
    order = window.ballot(ideas.wall_votable(db, meeting.id, change_seq))
    st.session_state[state.BALLOT_ORDER] = (key, order)
    return order


def ballot_changed(change_seq: int) -> bool:
    """Whether the ideas this phone's ballot was drawn with are no longer the wall's."""
    kept = st.session_state.get(state.BALLOT_ORDER)
    return kept is not None and kept[0][2] != ideas.wall_ids(db, meeting.id, change_seq)


def follow_the_room(*, any_change: bool = False, ballot: bool = False) -> None:
    @st.fragment(run_every=refresh)
    @taking_turns
    def watch() -> None:
        room_moved_on(any_change=any_change, ballot=ballot)

    watch()


def my_ideas(moment: str) -> None:
    mine = ideas.list_participant_ideas(db, participant.id)
    if mine:
        st.markdown(f"**{t('participate.my_ideas')}**")
        merged_with = ideas.merged_into_texts(db, mine)
        for idea in mine:
            idea_message(idea, own=True, merged_with=merged_with.get(idea.id), moment=moment)


# -- brainstorm: the chat stream ----------------------------------------------------------------
def brainstorm_view(brainstorm: Step) -> None:
    # The idea box, drawn in the browser: an idea is a small request, not a run of this page;
    # it reaches this phone's stream as every other phone's, by push (README, "Live updates").
    idea_composer(participant, brainstorm, max_chars=config.idea_max_chars)
    st.subheader(step_label(brainstorm))

    @st.fragment(run_every=refresh)
    @taking_turns
    def stream() -> None:
        latest = room_moved_on(follow=False)
        shown = window.stream(seen_ideas(latest).values())
        prompt_message(brainstorm)
        # Counted from the wall every phone shares (computed once per change).
        earlier = window.earlier(ideas.wall_count(db, meeting.id, latest), shown)
        if earlier > 0:
            st.caption(tn("participate.earlier_ideas", earlier))
        merged_with = ideas.merged_into_texts(db, shown)  # asks only when one was merged
        for idea in shown:
            idea_message(
                idea,
                own=idea.participant_id == participant.id,
                merged_with=merged_with.get(idea.id),
            )
        # New ideas are drawn below by the push component, without a rerun of this fragment;
        # it also says when there are none yet (and stops saying so when one arrives).
        push.follow(participant.token, latest, stream=shown)

    stream()


# -- dot vote -----------------------------------------------------------------------------------
def vote_view(vote_step: Step) -> None:
    # No link to the heading: it means nothing to a citizen, and it showed when the focus
    # came to the heading after the ballot drawn before the run (push.STEP_JS).
    st.subheader(step_label(vote_step), anchor=False)
    if vote_step.prompt:
        prompt_message(vote_step)
    follow_the_room(ballot=True)

    @st.fragment
    @taking_turns
    def ballot() -> None:
        latest = room_now().change_seq
        if agreement_changed(latest):  # a tap found the agreement changed: show the gate
            st.rerun()
        # Read again: the ballot runs this fragment when a tap found the round closed, and the
        # round the page read then still said "open" (the ballot was drawn again, stale).
        vote_round = voting.current_round(db, meeting.id)
        if vote_round is None or not vote_round.is_open:
            st.info(t("participate.vote_closed"))
            return
        page = st.session_state.get(state.BALLOT_PAGE, 0)
        found = phone_ballot(
            db, meeting.id, participant.id, vote_round, latest, my_order(latest), page
        )
        if found is None:  # nothing posted (or all hidden): say so, not an empty ballot
            total = vote_round.dots_per_participant
            st.markdown(t("participate.dots_left", left=total, total=total))
            st.info(t("participate.no_ideas_to_vote"))
            return
        # Drawn in the browser; a tap is a small request to workshop/ui/dot_routes.py, not a
        # run of this fragment (README, "Live updates").
        dot_ballot(participant, vote_round, found)

    ballot()


# -- the other voting methods: statements, pairwise, two axes, ranking, consent -----------------
def method_view(vote_step: Step) -> None:
    vote_round = voting.current_round(db, meeting.id)
    st.subheader(step_label(vote_step))
    if vote_step.prompt and vote_step.kind is not StepKind.CONSENT:
        prompt_message(vote_step)
    follow_the_room(ballot=vote_step.kind is not StepKind.CONSENT)

    @st.fragment
    @taking_turns
    def ballot() -> None:
        latest = room_now().change_seq
        if agreement_changed(latest):  # a tap found the agreement changed: show the gate
            st.rerun()
        if vote_round is None or not vote_round.is_open:
            st.info(t("participate.vote_closed"))
            return
        if vote_step.kind is StepKind.CONSENT:
            ballots.consent_ballot(participant, vote_round.id, vote_step.prompt)
            return
        wall = my_order(latest)
        if not wall:
            st.info(t("participate.no_ideas_to_vote"))
            return
        getattr(ballots, f"{vote_step.kind.value}_ballot")(participant, vote_round.id, wall)

    ballot()


# -- clustering: the ideas grouped into themes ---------------------------------------------------
def themes_view(cluster_step: Step) -> None:
    st.subheader(step_label(cluster_step))
    prompt_message(cluster_step)

    @st.fragment(run_every=refresh)
    @taking_turns
    def grouped() -> None:
        latest = room_moved_on()
        wall = ideas.wall_ideas(db, meeting.id, latest)
        for theme in themes.list_themes(db, meeting.id):
            inside = [i for i in wall if i.theme_id == theme.id]
            lines = "\n".join(f"- {user_text(i.text)}" for i in inside)
            st.markdown(f"**{user_text(theme.name)}** · {tn('participate.ideas', len(inside))}")
            if lines:
                st.markdown(lines)
        loose = sum(1 for i in wall if i.theme_id is None)
        if loose:
            st.caption(tn("participate.ideas_without_theme", loose))

    grouped()


# -- results: each vote step's own, as on the projector's wrap-up --------------------------------
def results() -> None:
    # Computed once per change of the votes and shared by every screen and phone in the room.
    found = wrapup.wrapup_results(db, meeting.id, now.vote_seq)
    if found:
        wall = ideas.wall_ideas(db, meeting.id, now.change_seq)
        show_wrapup(found, {i.id: i.text for i in wall}, phone=True)


# -- before the start, welcome, wrap-up, and after the end ----------------------------------------
def waiting_view() -> None:
    if now.status == MeetingStatus.READY:
        st.subheader(t("participate.lobby_title"))
        st.write(t("participate.lobby_body"))
    elif now.status == MeetingStatus.CLOSED:
        st.subheader(t("participate.closed_title"))
        st.write(t("participate.closed_body"))
    elif step is not None:
        st.subheader(step_label(step))
        prompt_message(step)
    wrap_up = wrapup.shows_wrapup(now.status, step)
    if wrap_up:
        results()
    closed = now.status == MeetingStatus.CLOSED
    if not closed:
        follow_the_room(any_change=True)
    my_ideas("closed" if closed else "wrap_up" if wrap_up else "live")


# -- the body: the view of the current step ------------------------------------------------------
@st.fragment
@taking_turns
def body() -> None:
    """Everything below the header, in one fragment: a new step (told by push through the step
    component mounted here) runs this, not the whole page (the router, the header, the
    language box): half the server's work of a step change on every phone (README, "Live
    updates"). A change the header shows (the language, an agreement) runs the whole page."""
    global now, step, refresh
    now = room_now()
    step = meetings.current_step(db, meeting.id)
    st.session_state[state.STEP_SEEN] = (now.status, now.current_step_id, now.intake_open)
    # Phones learn of changes by push (workshop/ui/push.py); the timed refresh is the fallback
    # while the push connection is down.
    refresh = push.run_every(
        meetings.phone_refresh_seconds(
            config.citizen_refresh_seconds, meetings.count_participants(db, meeting.id)
        )
    )
    running = step is not None and now.status == MeetingStatus.RUNNING
    brainstorming = running and step is not None and step.kind.takes_ideas
    # A new step runs this body at once; on a step without the idea box, an idea typed and
    # not sent before the brainstorm ended is shown at the top (kept by the browser).
    push.follow_steps(
        now.change_seq, participant.token, draft_key(participant), idea_box=brainstorming
    )
    if brainstorming and step is not None:
        brainstorm_view(step)
    elif running and step is not None and step.kind is StepKind.DOT_VOTE:
        vote_view(step)
    elif running and step is not None and step.kind.is_vote:
        method_view(step)
    elif running and step is not None and step.kind.shows_themes:
        themes_view(step)
    else:
        waiting_view()
    if not brainstorming:
        with st.bottom:  # the idea box's place, kept for the body's next run
            st.empty()


body()
my_data_link(participant)
