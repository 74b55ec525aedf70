"""The projector: join code and QR, the prompt, a live wall of ideas, the timer, results.

Opened by staff (``?meeting=<id>``) or by the meeting's screen link (``?screen=<token>``),
which shows this one page and nothing else, so the laptop on the projector needs no login.
"""

import html
import time

import streamlit as st

from workshop import ideas, meetings, qr, voting
from workshop.model import Meeting, MeetingStatus, Role, StepKind
from workshop.ui.i18n import t, tn
from workshop.ui.meeting_picker import pick_meeting
from workshop.ui.session import current_user, screen_meeting, settings, store
from workshop.ui.widgets import minutes_left, step_label

PER_PAGE = 12
ROTATE_SECONDS = 12

st.set_page_config(layout="wide")
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
    .sk-top {display: flex; gap: 2rem; align-items: center; justify-content: space-between;}
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


@st.fragment(run_every=config.projector_refresh_seconds)
def wall() -> None:
    now = meetings.meeting_state(db, meeting.id)
    step = meetings.current_step(db, meeting.id)
    base = qr.base_url(config.public_url, st.context.url)
    link = qr.join_url(base, meeting.join_code)
    code = html.escape(meetings.format_code(meeting.join_code))

    left, right = st.columns([4, 1], vertical_alignment="center")
    with left:
        if now.status == MeetingStatus.CLOSED:
            heading = t("projector.closed")
        elif step is None:
            heading = t("projector.waiting")
        else:
            heading = step.prompt or t(f"projector.prompt.{step.kind}")
        step_html = html.escape(step_label(step)) if step else ""
        timer = ""
        if step is not None and now.status == MeetingStatus.RUNNING:
            left_min = minutes_left(step)
            if left_min is not None:
                over = " over" if left_min < 0 else ""
                minutes = html.escape(t("projector.minutes", minutes=left_min))
                timer = f'<span class="sk-timer{over}">{minutes}</span>'
        st.html(
            f'<div class="sk-top"><div><div class="sk-join">'
            f"{html.escape(t('projector.join_at', url=base))}</div>"
            f'<div class="sk-code" data-testid="projector-code">{code}</div></div>{timer}</div>'
            f'<div class="sk-step">{step_html}</div>'
            f'<div class="sk-prompt">{html.escape(heading)}</div>'
        )
    with right:
        st.image(qr.qr_png(link, scale=8), width=220)

    shown = ideas.list_ideas(db, meeting.id)
    latest = voting.latest_round(db, meeting.id)
    show_dots = (
        latest is not None
        and latest.revealed
        and (
            step is None
            or step.kind in (StepKind.DOT_VOTE, StepKind.WRAP_UP)
            or now.status == MeetingStatus.CLOSED
        )
    )
    totals = voting.dot_totals(db, latest.id, now.vote_seq) if latest and show_dots else {}
    if show_dots:
        shown.sort(key=lambda i: (-totals.get(i.id, 0), i.id))
    else:
        shown.sort(key=lambda i: -i.id)  # newest first

    if not shown:
        st.html(f'<div class="sk-page">{html.escape(t("projector.no_ideas"))}</div>')
        return
    pages = max(1, -(-len(shown) // PER_PAGE))
    page = int(time.time() // ROTATE_SECONDS) % pages
    cards = []
    for idea in shown[page * PER_PAGE : (page + 1) * PER_PAGE]:
        dots = ""
        if show_dots:
            count = html.escape(tn("common.dots", totals.get(idea.id, 0)))
            dots = f'<span class="sk-dots">{count}</span>'
        cards.append(f'<div class="sk-card">{html.escape(idea.text)}{dots}</div>')
    footer = ""
    if pages > 1:
        where = t("projector.page", page=page + 1, pages=pages, count=len(shown))
        footer = f'<div class="sk-page">{html.escape(where)}</div>'
    st.html(f'<div class="sk-wall" data-testid="projector-wall">{"".join(cards)}</div>{footer}')


wall()
