"""The ballot route: a phone's ballot page at a step change, without a Streamlit run.

``POST /push/ballot`` with ``{"p": <participant link secret>, "l": <language>, "g": <page>}``
answers
``{"ballot": {…}, "title": "…", "prompt": …, "c": <change_seq>, "wait": <ms>, "spread": <ms>}``:
what the dot ballot's component is given by the page (``dot_ballot.ballot_data``: page ``g``,
0 when not given, clamped into range, of the ideas in this phone's own order, its dots, the
dots left, the words in ``l``), read by the same function the page's fragment reads it with
(``dot_ballot.phone_ballot``), the step's name and the facilitator's prompt for it
(``{"who", "text"}`` or null).
``{"ballot": null}`` when there is no ballot to draw now: the meeting does not run a dot vote,
its round is closed, an agreement must be acknowledged first, or there is nothing to vote on.
The page's run, which follows, draws whatever the step shows then.

Why: when the facilitator opens the vote, every phone's page runs its body once (~5 ms of
server CPU, of which ~3 ms is Streamlit's own cost of a run; README, "Live updates"), and at
500 phones on two cores the last phone's run came 2 s after the step change. The step
component (``push.follow_steps``) asks this route first and draws the ballot from the answer,
~1 ms of server CPU and no run; the page's run follows after ``wait`` and within ``spread``
ms (below) and takes over, taps in flight included (one ballot state per tab).

Answers: 403 for an unknown, forged or too long link secret, or a browser on another site
(whether a meeting exists is not said); 400 for a body that is not the JSON above; 413 over
``MAX_BODY`` bytes; 429 with ``Retry-After`` after ``ASKS`` asks within ``PER_SECONDS``
seconds from one participant in this process (a phone asks once a step change).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from workshop.agreements import core as agreements
from workshop.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.stream import StreamWindow
from workshop.model import MeetingStatus, Participant, StepKind
from workshop.ui.dot_ballot import ballot_data, phone_ballot
from workshop.ui.phone_routes import (
    Recent,
    answer,
    identify,
    in_common_thread,
    parsed_request,
    post_only,
)
from workshop.ui.process import store
from workshop.ui.session import base_path
from workshop.voting import ballots as voting

BALLOT_PATH = "/push/ballot"
MAX_BODY = 512  # bytes: a secret and a language
ASKS = 10  # asks per participant ...
PER_SECONDS = 5.0  # ... within this many seconds

# The phone shows the ballot of the answer and asks for its page's run ``wait`` ms later, plus
# a moment of its own choosing within ``spread`` ms: first the room's ballot requests (~1 ms
# of server CPU each), which arrive within a few tenths of a second of the step change, then
# the runs (~5 ms each, one core a process), which come one after another anyway; begun at
# once, they held up the ballot requests behind them. Together below the step watchdog's 4 s
# (``push.STEP_JS``).
WAIT_MS_PER_PHONE = 1.6
MAX_WAIT_MS = 800
SPREAD_MS_PER_PHONE = 2.2
MAX_SPREAD_MS = 2200

_recent = Recent(ASKS, PER_SECONDS)


def _parse(body: bytes) -> tuple[str, str, int] | None:
    try:
        found = json.loads(body)
        token = found["p"]
        page = found.get("g", 0)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(token, str) or not 0 < len(token) <= 200:
        return None
    if type(page) is not int or not 0 <= page < 100_000:
        return None
    language = found.get("l")
    return token, language if language in LANGUAGES else DEFAULT_LANGUAGE, page


def first_page(participant: Participant, language: str, page: int = 0) -> Response:
    """The participant's ballot at ``page`` (the page it showed last, clamped into range) now,
    or ``ballot: null`` (in a common thread)."""
    db = store()
    if refused := _recent.refusal((db.path, participant.id), language, ballot=None):
        return refused
    meeting_id = participant.meeting_id
    now = meetings.meeting_state(db, meeting_id)
    step = meetings.current_step(db, meeting_id)
    if now.status != MeetingStatus.RUNNING or step is None or step.kind is not StepKind.DOT_VOTE:
        return answer(200, ballot=None)
    vote_round = voting.current_round(db, meeting_id)
    if vote_round is None or not vote_round.is_open:
        return answer(200, ballot=None)
    if agreements.pending_agreement(db, participant) is not None:
        return answer(200, ballot=None)  # the page shows the agreement first
    window = StreamWindow(participant.id, seed=meeting_id)
    order = window.ballot(ideas.wall_votable(db, meeting_id, now.change_seq))
    ballot = phone_ballot(db, meeting_id, participant.id, vote_round, now.change_seq, order, page)
    if ballot is None:
        return answer(200, ballot=None)  # nothing to vote on: the page says so
    room = meetings.count_participants(db, meeting_id)
    return answer(
        200,
        ballot=ballot_data(participant, vote_round, ballot, language, base_path()),
        title=translate(language, f"step.{step.kind}"),
        # The facilitator's words for the step, as the page shows them above the ballot (so
        # that nothing moves when the page's ballot takes over); written as text there.
        prompt=(
            {"who": translate(language, "participate.facilitator"), "text": step.prompt}
            if step.prompt
            else None
        ),
        c=now.change_seq,
        wait=min(MAX_WAIT_MS, round(room * WAIT_MS_PER_PHONE)),
        spread=min(MAX_SPREAD_MS, round(room * SPREAD_MS_PER_PHONE)),
    )


def _asked(token: str, language: str, page: int = 0) -> Response:
    """Who asks, and their first page: one hop to a common thread, not two (at a step change
    500 phones ask at once, beside the event loop's other work)."""
    participant = identify(token)
    if participant is None:
        return answer(403, ok=False)
    return first_page(participant, language, page)


async def ballot(request: Request) -> Response:
    parsed = await parsed_request(request, MAX_BODY, _parse)
    if isinstance(parsed, Response):
        return parsed
    token, language, page = parsed
    return await in_common_thread(language, "ballot", lambda: _asked(token, language, page))


def routes() -> list[BaseRoute]:
    return post_only(BALLOT_PATH, ballot)
