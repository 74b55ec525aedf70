"""The projector: join code and QR, the prompt, a live wall of ideas, the timer, results.

Opened by staff (``?meeting=<id>``) or by the meeting's screen link (``?screen=<token>``),
which shows this one page and nothing else, so the laptop on the projector needs no login.

The slide follows the room by push (``workshop/ui/screen_push.py``): it runs again when the
room moved (an idea, a dot, a new step), not every second; the countdown ticks in the browser
from the moment its step ends. Its timer (``SAMSKAB_PROJECTOR_REFRESH_SECONDS``) is the fallback
while the push connection is down.

Every state fits one screen without scrolling: the slide is laid out for 1920×1080 and scaled
to the window (a 1280×720 projector shows the same slide at two thirds), its smallest text
24 px at 1080p; long lists show their top ideas and say how many more the console has.
"""

import html
import time

import streamlit as st

from workshop.meetings import core as meetings
from workshop.meetings import ideas, qr, screen, themes
from workshop.model import Idea, Meeting, MeetingState, MeetingStatus, Role, Step
from workshop.ui import screen_push
from workshop.ui.i18n import t, tn
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.process import settings, store
from workshop.ui.projector_results import show_results
from workshop.ui.session import current_user, recheck_staff, screen_meeting
from workshop.ui.widgets import seconds_left, step_label
from workshop.ui.wrapup import show_wrapup
from workshop.voting import ballots as voting
from workshop.voting import wrapup

PER_PAGE = 12
PINNED = 6  # the newest ideas, always on the wall
ROTATE_SECONDS = 12
THEMES_PER_ROW = 5
CARDS_PER_THEME = {1: 5}  # rows of themes -> ideas per theme that fit; more say "+ n"
CARDS_PER_THEME_OTHERWISE = 2
# The QR code's side in pixels of the 1080p slide: normal, and large (≥ 35 % of the height).
QR_PX = 220
BIG_QR_PX = 440

db = store()
config = settings()

picked = screen_meeting()
# The projector's stream: by its screen link, or for the staff member who opened it.
push_url = screen_push.screen_url(st.query_params["screen"]) if picked is not None else ""
if picked is None:
    user = current_user()
    if user is None or user.role not in (Role.FACILITATOR, Role.ADMIN):
        st.error(t("access.denied"))
        st.stop()
    picked = pick_meeting("projector_meeting")
    if picked is None:
        st.stop()
assert picked is not None
meeting: Meeting = picked
push_url = push_url or screen_push.staff_url(meeting.id)

# The slide is 1920×1080; the zoom fits it to the window (at most 1:1 in either direction).
# Text sizes are in rem of the 16 px root: 1.5rem is the smallest, 24 px at 1080p.
st.html(
    """<style>
    header[data-testid="stHeader"], [data-testid="stToolbar"] {display: none;}
    [data-testid="stMainBlockContainer"] {padding: 1rem 2rem 0; max-width: 100%;
        zoom: min(1, calc(100vh / 1080px), calc(100vw / 1920px));}
    .sk-steprow {display: flex; gap: 2rem; align-items: baseline; justify-content: space-between;}
    .sk-themes {display: grid; gap: 1rem; align-items: start;}
    .sk-theme {background: #eef6f2; border-radius: .6rem; padding: .8rem; display: grid;
              gap: .6rem;}
    .sk-theme.loose {background: #f3f3f3;}
    .sk-theme-name {font-size: 1.8rem; font-weight: 800; color: #0b6e4f;}
    .sk-theme .sk-card {font-size: 1.5rem; padding: .5rem .8rem;}
    .sk-count {font-size: 1.5rem; color: #333; font-weight: 700;}
    .sk-rank {font-weight: 800; color: #0b6e4f;}
    .sk-side {display: grid; gap: .6rem; justify-items: center; text-align: center;}
    .sk-code {font-size: 3.6rem; font-weight: 800; letter-spacing: .06em; line-height: 1;
              color: #111; white-space: nowrap;}
    .sk-join {font-size: 1.5rem; color: #1a1a1a; overflow-wrap: anywhere;}
    .sk-qr {display: block; background: #fff;}
    .sk-prompt {font-size: 2.6rem; font-weight: 700; margin: .3rem 0 .2rem; line-height: 1.2;
              color: #111; display: -webkit-box; -webkit-line-clamp: 2;
              -webkit-box-orient: vertical; overflow: hidden;}
    .sk-sub {font-size: 1.8rem; color: #1a1a1a; margin-bottom: .6rem;
              display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical;
              overflow: hidden;}
    .sk-step {font-size: 1.5rem; color: #0b6e4f; font-weight: 700; text-transform: uppercase;}
    .sk-timer {font-size: 2.4rem; font-weight: 800; color: #0b6e4f;}
    .sk-timer.over {color: #b00020;}
    .sk-banner {background: #7a1020; color: #fff; border-radius: .6rem; padding: .5rem 1.1rem;
              margin: .3rem 0 .8rem; font-size: 2rem; font-weight: 800;}
    .sk-banner span {font-size: 1.5rem; font-weight: 600; margin-left: 1rem;}
    .sk-notice {background: #eef6f2; color: #1a1a1a; border-radius: .6rem;
              padding: .5rem 1.1rem; margin: .3rem 0 .8rem; font-size: 2rem; font-weight: 800;}
    .sk-notice span {font-size: 1.5rem; font-weight: 600; margin-left: 1rem;}
    .sk-wall {display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr));
              gap: 1rem; margin-top: .6rem;}
    .sk-card {background: #fff8d6; border-radius: .6rem; padding: .8rem 1.1rem;
              font-size: 1.7rem; line-height: 1.25; box-shadow: 0 2px 6px rgba(0,0,0,.12);
              overflow-wrap: anywhere; color: #1a1a1a;}
    /* A long idea ends with "…" after three lines (the card's padding shows no cut line). */
    .sk-card-text {display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical;
              overflow: hidden;}
    .sk-page {font-size: 1.5rem; color: #333; margin-top: .6rem;}
    </style>"""
)


base = qr.base_url(config.public_url, st.context.url)
link = qr.join_url(base, meeting.join_code)
code = html.escape(meetings.format_code(meeting.join_code))


def join_panel(size_px: int) -> None:
    """The join address, the code and the QR code, whose alt text names the address."""
    alt = html.escape(t("projector.qr_alt", url=link))
    st.html(
        f'<div class="sk-side"><div class="sk-join">{html.escape(t("projector.join_at", url=base))}'
        f'</div><div class="sk-code" data-testid="projector-code">{code}</div>'
        f'<img class="sk-qr" data-testid="projector-qr" src="{qr.qr_data_uri(link)}"'
        f' alt="{alt}" width="{size_px}" height="{size_px}"></div>'
    )


def timer_html(step: Step) -> str:
    left = seconds_left(step)
    if left is None:
        return ""
    over = " over" if left < 0 else ""
    minutes, seconds = divmod(abs(left), 60)
    sign = "+" if left < 0 else ""
    # The browser redraws it every second from the moment the step ends (screen_push).
    ends = screen_push.step_ends_at(step)
    return (
        f'<span class="sk-timer{over}" data-testid="projector-timer" data-ends="{ends}">'
        f"{sign}{minutes:02d}:{seconds:02d}</span>"
    )


def card(idea: Idea) -> str:
    return f'<div class="sk-card"><span class="sk-card-text">{html.escape(idea.text)}</span></div>'


def notice(testid: str, title: str, hint: str = "", *, kind: str = "sk-notice") -> str:
    more = f" <span>{html.escape(hint)}</span>" if hint else ""
    return f'<div class="{kind}" data-testid="{testid}">{html.escape(title)}{more}</div>'


def theme_columns(shown: list[Idea]) -> None:
    boxes = []
    for theme in themes.list_themes(db, meeting.id):
        inside = [i for i in shown if i.theme_id == theme.id]
        boxes.append((theme.name, inside, "sk-theme"))
    loose = [i for i in shown if i.theme_id is None]
    if loose:
        boxes.append((t("projector.no_theme"), loose, "sk-theme loose"))
    rows = -(-len(boxes) // THEMES_PER_ROW)
    room = CARDS_PER_THEME.get(rows, CARDS_PER_THEME_OTHERWISE)
    columns = []
    for name, inside, kind in boxes:
        cards = "".join(card(i) for i in inside[:room])
        if len(inside) > room:
            more = html.escape(tn("projector.more_on_console", len(inside) - room))
            cards += f'<div class="sk-count">{more}</div>'
        columns.append(
            f'<div class="{kind}"><div class="sk-theme-name">{html.escape(name)}'
            f' <span class="sk-count">{len(inside)}</span></div>{cards}</div>'
        )
    grid = f"grid-template-columns: repeat({min(len(boxes), THEMES_PER_ROW) or 1}, minmax(0, 1fr));"
    st.html(
        f'<div class="sk-themes" style="{grid}" data-testid="projector-themes">'
        f"{''.join(columns)}</div>"
    )


@st.fragment(run_every=screen_push.run_every(config.projector_refresh_seconds))
def slide() -> None:
    recheck_staff()  # a staff login that ended stops here; a screen link has none to check
    now = meetings.meeting_state(db, meeting.id)
    step = meetings.current_step(db, meeting.id)
    draw(now, step)
    screen_push.follow(push_url, now, slide=True)


def draw(now: MeetingState, step: Step | None) -> None:
    if wrapup.shows_wrapup(now.status, step):
        # The wrap-up's cards take the whole width (laid out for it); the room has joined.
        wall(now, step)
        return
    big = screen.shows_big_qr(screen.has_big_qr(db, meeting.id), step.kind if step else None)
    main, side = st.columns([2.4, 1] if big else [3.6, 1], gap="large")
    with side:
        join_panel(BIG_QR_PX if big else QR_PX)
    with main:
        wall(now, step)


def wall(now: MeetingState, step: Step | None) -> None:
    # A vote step shows its own round, never the round opened last elsewhere in the meeting.
    vote_round = voting.current_round(db, meeting.id) if step and step.kind.is_vote else None
    voters = wrapup.count_voters(db, vote_round.id) if vote_round and vote_round.revealed else 0
    results = vote_round is not None and vote_round.revealed and voters > 0
    sub = ""
    if now.status == MeetingStatus.CLOSED:
        heading = t("projector.closed")
    elif step is None:
        heading = t("projector.waiting")
    elif results:
        # The heading names what is shown: the results, no longer the call to vote.
        heading = t("projector.result_heading", step=step_label(step))
        sub = step.prompt
    else:
        heading = step.prompt or t(f"projector.prompt.{step.kind}")
    # The closing slide names no step (it kept the last one's, "Samtykke" above "Thank you").
    closed = now.status == MeetingStatus.CLOSED
    step_html = html.escape(step_label(step)) if step and not closed else ""
    timer = timer_html(step) if step is not None and now.status == MeetingStatus.RUNNING else ""
    sub_html = f'<div class="sk-sub">{html.escape(sub)}</div>' if sub else ""
    st.html(
        f'<div class="sk-steprow"><span class="sk-step">{step_html}</span>{timer}</div>'
        f'<div class="sk-prompt" data-testid="projector-prompt">{html.escape(heading)}</div>'
        f"{sub_html}"
    )
    running = now.status == MeetingStatus.RUNNING
    if step is not None and step.kind.takes_ideas and running and not now.intake_open:
        st.html(
            notice(
                "projector-intake-closed",
                t("projector.intake_closed"),
                t("projector.intake_closed_hint"),
                kind="sk-banner",
            )
        )
    shown = list(ideas.wall_ideas(db, meeting.id, now.change_seq))
    if vote_round is not None and running and step is not None:
        if step.kind.shows_ideas and not shown:
            st.html(notice("projector-no-ideas", t("projector.no_ideas_to_vote")))
            return
        if results:
            show_results(
                db, vote_round.id, vote_round.method, now.vote_seq, {i.id: i.text for i in shown}
            )
            return
        if vote_round.revealed:
            st.html(
                notice("projector-no-votes", t("projector.no_votes"), t("projector.no_votes_hint"))
            )
    if step is not None and not step.kind.shows_ideas and now.status != MeetingStatus.CLOSED:
        return

    # Shared by every screen and phone in the process; recomputed once per change.
    if step is not None and step.kind.shows_themes and running:
        theme_columns(shown)
        return
    if wrapup.shows_wrapup(now.status, step):
        found = wrapup.wrapup_results(db, meeting.id, now.vote_seq)
        if found:  # without a vote step that ran, the wall of ideas below
            show_wrapup(found, {i.id: i.text for i in shown})
            return
    shown.sort(key=lambda i: -i.id)  # newest first
    if not shown:
        st.html(f'<div class="sk-page">{html.escape(t("projector.no_ideas"))}</div>')
        return
    # The newest ideas stay on the wall; older ones rotate through the remaining places.
    newest, older = shown[:PINNED], shown[PINNED:]
    room = PER_PAGE - PINNED
    pages = max(1, -(-len(older) // room))
    page = int(time.time() // ROTATE_SECONDS) % pages
    page_ideas = newest + older[page * room : (page + 1) * room]
    footer = ""
    if pages > 1:
        where = t("projector.page", pinned=PINNED, page=page + 1, pages=pages, count=len(shown))
        footer = f'<div class="sk-page">{html.escape(where)}</div>'
    cards = "".join(card(idea) for idea in page_ideas)
    st.html(f'<div class="sk-wall" data-testid="projector-wall">{cards}</div>{footer}')
    if pages > 1:  # the next page is the one rerun no change in the room asks for
        screen_push.rerun_at_turn(ROTATE_SECONDS)


slide()
