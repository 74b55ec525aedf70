"""The dot route: a phone's tap on its dot ballot, without a Streamlit run.

``POST /push/dots`` with a small JSON body ``{"p": <participant link secret>, "r": <round>,
"i": <idea>, "d": 1 | -1, "l": <language>}`` places (``1``) or takes back (``-1``) one of the
participant's dots through ``workshop.voting.ballots`` (the database's rules unchanged: the
round open and of the participant's meeting, the idea votable, the dot limits) and answers
with the participant's dots in the round: ``{"ok": true, "mine": [[idea, dots], …],
"left": n}``. The phone's ballot (``workshop/ui/dot_ballot.py``) draws that itself.

Why a route: a dot tap drawn by Streamlit was a fragment run of ~55 elements, ~18 ms of server
CPU, and 300 phones voting at once offer ~100 taps a second: 1.8 cores (room_load, README
"Benchmarks"). Here a tap is one write and one read.

Answers (``message`` in the phone's language, never what the request said):

* 200 ``ok: false`` with ``message``, ``mine`` and ``left``: the ballot refused the tap (no
  dots left, the idea's cap, no dot to take back); nothing was written and the
  phone shows the truth again;
* 409 ``rerun: true`` with ``message``: the page must run again (the round is closed or no
  longer the step's, the idea was hidden, the participant was removed, or an agreement changed
  materially and must be acknowledged first): nothing was written;
* 503 with ``message``: the database failed (it is logged); nothing was written;
* 403: an unknown, forged or too long link secret, or none (whether a meeting exists is not
  said), or a browser's request from another site (its ``Origin``); 400: a body that is not
  the JSON above; 413: a body over ``MAX_BODY`` bytes;
* 429 with ``Retry-After``: more than ``TAPS`` taps within ``PER_SECONDS`` seconds from one
  participant in this process (a phone's thumb is slower; a script is not).

Taps are written by ``WRITERS`` threads per process, not by the request's own: writes wait
for one write lock anyway, and forty threads contending for the GIL made the one holding it
forty times slower (py-spy, README "Live updates"). Who taps is looked up before, in the
server's common threads, so forged secrets never queue in front of the room's votes.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from workshop.agreements import core as agreements
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate_error
from workshop.model import Participant
from workshop.ui.phone_routes import (
    Recent,
    answer,
    identify,
    in_writer,
    phone_request,
    post_only,
)
from workshop.ui.process import store
from workshop.voting import ballots as voting

DOTS_PATH = "/push/dots"
MAX_BODY = 512  # bytes: a secret, three numbers and a language
TAPS = 20  # taps per participant ...
PER_SECONDS = 5.0  # ... within this many seconds


_recent = Recent(TAPS, PER_SECONDS)  # (database, participant) -> tap moments


def _parse(body: bytes) -> tuple[str, int, int, int, str] | None:
    try:
        found = json.loads(body)
        token, round_id, idea_id, way = found["p"], found["r"], found["i"], found["d"]
    except (ValueError, TypeError, KeyError):
        return None
    language = found.get("l")
    if not (
        isinstance(token, str)
        and 0 < len(token) <= 200
        and all(type(n) is int and 0 < n < 2**63 for n in (round_id, idea_id))
        and way in (1, -1)
        and type(way) is int
    ):
        return None
    return token, round_id, idea_id, way, language if language in LANGUAGES else DEFAULT_LANGUAGE


def tap(token: str, round_id: int, idea_id: int, way: int, language: str) -> Response:
    """One tap, as the route carries it out."""
    participant = identify(token)
    if participant is None:
        return answer(403, ok=False)
    return carry_out(participant, round_id, idea_id, way, language)


def carry_out(
    participant: Participant, round_id: int, idea_id: int, way: int, language: str
) -> Response:
    """The tap of a known participant (in a writer thread)."""
    db = store()
    if refused := _recent.refusal((db.path, participant.id), language, ok=False):
        return refused
    if agreements.pending_agreement(db, participant) is not None:
        return answer(409, ok=False, rerun=True, message="")
    try:
        action = voting.place_dot if way == 1 else voting.remove_dot
        left = action(db, participant, round_id, idea_id)
    except (NotAllowed, NotFound) as error:  # closed, hidden, removed: the page runs again
        return answer(409, ok=False, rerun=True, message=translate_error(language, error))
    except InvalidInput as error:  # the ballot's rules: nothing written, the truth told
        return _ballot(db, participant, round_id, translate_error(language, error))
    return _ballot(db, participant, round_id, None, left)


def _ballot(
    db: Store, participant: Participant, round_id: int, refusal: str | None, left: int = -1
) -> Response:
    """The participant's dots in the round, as the database holds them after the tap, and the
    dots left (the write's own count; after a refusal, from the round)."""
    mine = voting.my_dots(db, round_id, participant.id)
    if refusal is not None:
        left = voting.get_round(db, round_id).dots_per_participant - sum(mine.values())
    return answer(
        200,
        ok=refusal is None,
        message=refusal,
        mine=sorted([idea, dots] for idea, dots in mine.items()),
        left=left,
    )


async def dots(request: Request) -> Response:
    asked = await phone_request(request, MAX_BODY, _parse)
    if isinstance(asked, Response):
        return asked
    participant, (_, round_id, idea_id, way, language) = asked
    return await in_writer(
        language, "dot tap", lambda: carry_out(participant, round_id, idea_id, way, language)
    )


def routes() -> list[BaseRoute]:
    return post_only(DOTS_PATH, dots)
