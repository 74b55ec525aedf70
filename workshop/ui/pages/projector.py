"""The projector: join code and QR, the prompt, a live wall of ideas, the timer, results.

Opened by staff (``?meeting=<id>``) or by the meeting's screen link (``?screen=<token>``),
which shows this one page and nothing else, so the laptop on the projector needs no login.
"""

import html
import time

import streamlit as st

from workshop.meetings import core as meetings
from workshop.meetings import ideas, qr, themes
from workshop.model import Idea, Meeting, MeetingStatus, Role, Step, StepKind
from workshop.ui.i18n import t, tn
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.process import settings, store
from workshop.ui.results import show_round_results
from workshop.ui.session import current_user, recheck_staff, screen_meeting
from workshop.ui.widgets import seconds_left, step_label
from workshop.ui.wrapup import show_wrapup
from workshop.voting import ballots as voting
from workshop.voting import wrapup

PER_PAGE = 12
PINNED = 6  # the newest ideas, always on the wall
ROTATE_SECONDS = 12

db = store()
config = settings()

picked = screen_meeting()
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

st.html(
    """<style>
    header[data-testid="stHeader"], [data-testid="stToolbar"] {display: none;}
    .block-container {padding-top: 1.2rem; max-width: 100%;}
    .sk-steprow {display: flex; gap: 2rem; align-items: baseline; justify-content: space-between;}
    .sk-themes {display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr));
              gap: 1rem; align-items: start;}
    .sk-theme {background: #eef6f2; border-radius: .6rem; padding: .8rem; display: grid;
              gap: .6rem;}
    .sk-theme.loose {background: #f3f3f3;}
    .sk-theme-name {font-size: 1.8rem; font-weight: 800; color: #0b6e4f;}
    .sk-theme .sk-card {font-size: 1.3rem; padding: .6rem .8rem;}
    .sk-count {font-size: 1.2rem; color: #555; font-weight: 600;}
    .sk-rank {font-weight: 800; color: #0b6e4f;}
    .sk-code {font-size: 4.2rem; font-weight: 800; letter-spacing: .08em; line-height: 1;}
    .sk-join {font-size: 1.6rem; color: #333;}
    .sk-prompt {font-size: 2.6rem; font-weight: 700; margin: .6rem 0 1rem;}
    .sk-step {font-size: 1.4rem; color: #0b6e4f; font-weight: 700; text-transform: uppercase;}
    .sk-timer {font-size: 2.4rem; font-weight: 800; color: #0b6e4f;}
    .sk-timer.over {color: #b00020;}
    .sk-wall {display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr));
              gap: 1rem;}
    .sk-card {background: #fff8d6; border-radius: .6rem; padding: 1rem 1.2rem;
              font-size: 1.7rem; line-height: 1.25; box-shadow: 0 2px 6px rgba(0,0,0,.12);
              overflow-wrap: anywhere;}
    .sk-card .sk-dots {display: block; margin-top: .5rem; font-size: 1.4rem; color: #0b6e4f;
              font-weight: 700;}
    .sk-page {font-size: 1.2rem; color: #555;}
    </style>"""
)


base = qr.base_url(config.public_url, st.context.url)
link = qr.join_url(base, meeting.join_code)
code = html.escape(meetings.format_code(meeting.join_code))

# The join code and QR code never change: drawn once, outside the refreshing fragment.
top_left, top_right = st.columns([4, 1], vertical_alignment="center")
with top_left:
    st.html(
        f'<div class="sk-join">{html.escape(t("projector.join_at", url=base))}</div>'
        f'<div class="sk-code" data-testid="projector-code">{code}</div>'
    )
with top_right:
    st.image(qr.qr_png(link, scale=8), width=200)


def timer_html(step: Step) -> str:
    left = seconds_left(step)
    if left is None:
        return ""
    over = " over" if left < 0 else ""
    minutes, seconds = divmod(abs(left), 60)
    sign = "+" if left < 0 else ""
    return (
        f'<span class="sk-timer{over}" data-testid="projector-timer">'
        f"{sign}{minutes:02d}:{seconds:02d}</span>"
    )


def card(idea: Idea, dots: str = "", rank: int | None = None) -> str:
    place = f'<span class="sk-rank">{rank}.</span> ' if rank else ""
    return f'<div class="sk-card">{place}{html.escape(idea.text)}{dots}</div>'


def theme_columns(shown: list[Idea]) -> None:
    columns = []
    for theme in themes.list_themes(db, meeting.id):
        inside = [card(i) for i in shown if i.theme_id == theme.id]
        columns.append(
            f'<div class="sk-theme"><div class="sk-theme-name">{html.escape(theme.name)}'
            f' <span class="sk-count">{len(inside)}</span></div>{"".join(inside)}</div>'
        )
    loose = [card(i) for i in shown if i.theme_id is None]
    if loose:
        columns.append(
            f'<div class="sk-theme loose"><div class="sk-theme-name">'
            f"{html.escape(t('projector.no_theme'))}</div>{''.join(loose[:PER_PAGE])}</div>"
        )
    st.html(f'<div class="sk-themes" data-testid="projector-themes">{"".join(columns)}</div>')


@st.fragment(run_every=config.projector_refresh_seconds)
def wall() -> None:
    recheck_staff()  # a staff login that ended stops here; a screen link has none to check
    now = meetings.meeting_state(db, meeting.id)
    step = meetings.current_step(db, meeting.id)
    if now.status == MeetingStatus.CLOSED:
        heading = t("projector.closed")
    elif step is None:
        heading = t("projector.waiting")
    else:
        heading = step.prompt or t(f"projector.prompt.{step.kind}")
    step_html = html.escape(step_label(step)) if step else ""
    timer = timer_html(step) if step is not None and now.status == MeetingStatus.RUNNING else ""
    st.html(
        f'<div class="sk-steprow"><span class="sk-step">{step_html}</span>{timer}</div>'
        f'<div class="sk-prompt" data-testid="projector-prompt">{html.escape(heading)}</div>'
    )
    # A vote step shows its own round, never the round opened last elsewhere in the meeting.
    vote_round = voting.current_round(db, meeting.id) if step and step.kind.is_vote else None
    if vote_round is not None and vote_round.revealed and vote_round.method != StepKind.DOT_VOTE:
        # Every other method's results are a chart (and, for statements, the opinion groups).
        texts = {i.id: i.text for i in ideas.wall_ideas(db, meeting.id, now.change_seq)}
        show_round_results(
            db, vote_round.id, vote_round.method, now.vote_seq, texts, key="projector", large=True
        )
        return
    if step is not None and not step.kind.shows_ideas and now.status != MeetingStatus.CLOSED:
        return

    # Shared by every screen and phone in the process; recomputed once per change.
    shown = list(ideas.wall_ideas(db, meeting.id, now.change_seq))
    if step is not None and step.kind.shows_themes and now.status == MeetingStatus.RUNNING:
        theme_columns(shown)
        return
    if wrapup.shows_wrapup(now.status, step):
        results = wrapup.wrapup_results(db, meeting.id, now.vote_seq)
        if results:  # without a vote step that ran, the wall of ideas below
            show_wrapup(results, {i.id: i.text for i in shown})
            return
    show_dots = vote_round is not None and vote_round.revealed
    totals = voting.dot_totals(db, vote_round.id, now.vote_seq) if vote_round and show_dots else {}
    if show_dots:
        shown.sort(key=lambda i: (-totals.get(i.id, 0), i.id))
    else:
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
    cards = []
    for idea in page_ideas:
        dots = ""
        if show_dots:
            count = html.escape(tn("common.dots", totals.get(idea.id, 0)))
            dots = f'<span class="sk-dots">{count}</span>'
        cards.append(card(idea, dots))
    footer = ""
    if pages > 1:
        where = t("projector.page", page=page + 1, pages=pages, count=len(shown))
        footer = f'<div class="sk-page">{html.escape(where)}</div>'
    st.html(f'<div class="sk-wall" data-testid="projector-wall">{"".join(cards)}</div>{footer}')


wall()
