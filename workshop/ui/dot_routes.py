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

import asyncio
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from workshop.agreements import core as agreements
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound, WorkshopError
from workshop.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate, translate_error
from workshop.meetings import core as meetings
from workshop.model import Participant
from workshop.ui.process import store
from workshop.voting import ballots as voting

DOTS_PATH = "/push/dots"
MAX_BODY = 512  # bytes: a secret, three numbers and a language
TAPS = 20  # taps per participant ...
PER_SECONDS = 5.0  # ... within this many seconds
WRITERS = 2
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

log = logging.getLogger(__name__)
Parsed = TypeVar("Parsed", bound=tuple[Any, ...])
_recent: dict[tuple[str, int], deque[float]] = {}  # (database, participant) -> tap moments
_recent_lock = threading.Lock()
_writers = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="samskab-writes")


def answer(status: int, headers: dict[str, str] | None = None, **body: Any) -> Response:
    return JSONResponse(body, status_code=status, headers=HEADERS | (headers or {}))


def post_only(path: str, endpoint: Callable[[Request], Awaitable[Response]]) -> list[BaseRoute]:
    """The route, and a 405 for any other method at its address: a GET (a link followed, a
    crawler) was answered with the app's page, since Streamlit's page route takes any path."""

    async def not_allowed(_: Request) -> Response:
        return answer(405, {"Allow": "POST"}, error="method not allowed")

    others = ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return [Route(path, endpoint, methods=["POST"]), Route(path, not_allowed, methods=others)]


def _too_fast(who: tuple[str, int], now: float) -> float:
    """Seconds to wait when the participant tapped ``TAPS`` times within ``PER_SECONDS``
    (0: go on). Counted per process; a refused tap is not counted."""
    with _recent_lock:
        taps = _recent.setdefault(who, deque())
        while taps and taps[0] <= now - PER_SECONDS:
            taps.popleft()
        if len(taps) >= TAPS:
            return taps[0] + PER_SECONDS - now
        taps.append(now)
        if len(_recent) > 20_000:  # forget the quiet ones: memory stays bounded
            for key in [k for k, v in _recent.items() if not v or v[-1] <= now - PER_SECONDS]:
                del _recent[key]
        return 0.0


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


def identify(token: str) -> Participant | None:
    """The participant of a link secret, or None (unknown, forged, removed)."""
    try:
        return meetings.get_participant(store(), token)
    except WorkshopError:
        return None


def carry_out(
    participant: Participant, round_id: int, idea_id: int, way: int, language: str
) -> Response:
    """The tap of a known participant (in a writer thread)."""
    db = store()
    wait = _too_fast((db.path, participant.id), time.monotonic())
    if wait > 0:
        seconds = max(1, round(wait + 0.5))
        message = translate(language, "error.rate_limited", seconds=seconds)
        return answer(429, {"Retry-After": str(seconds)}, ok=False, message=message)
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


def foreign(request: Request) -> bool:
    """A browser on another site sent this (its ``Origin`` names another host than the one
    asked). The link secret in the body already keeps a foreign page from voting; this is the
    same-origin rule Streamlit's own writes follow, as a second lock. Ports are not compared:
    nginx passes the host without its port."""
    origin = request.headers.get("origin")
    if not origin:
        return False  # not a browser's cross-site request (a script, a test)
    from urllib.parse import urlsplit

    asked = (request.headers.get("host") or "").rsplit(":", 1)[0].strip("[]").lower()
    return (urlsplit(origin).hostname or "") != asked


async def read_body(request: Request, limit: int) -> bytes | Response:
    """The request's body, or the answer that refuses it: a browser on another site (403), a
    length missing or over ``limit`` bytes (400, 413; counted as it arrives, whatever the
    header said)."""
    if foreign(request):
        return answer(403, ok=False)
    length = request.headers.get("content-length") or "0"
    if not length.isdigit() or int(length) > limit:
        return answer(413 if length.isdigit() else 400, ok=False)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return answer(413, ok=False)
    return body


async def in_writer(language: str, what: str, work: Callable[[], Response]) -> Response:
    """``work`` carried out by one of the ``WRITERS`` threads; a database failure (not a rule)
    is logged and said in ``language`` (503), never a bare 500."""
    try:
        return await asyncio.wrap_future(_writers.submit(work))
    except Exception:
        log.exception("%s not carried out", what)
        return answer(503, ok=False, message=translate(language, "error.database.unavailable"))


async def phone_request(
    request: Request, limit: int, parse: Callable[[bytes], Parsed | None]
) -> tuple[Participant, Parsed] | Response:
    """A phone's JSON request to one of its routes: the body (at most ``limit`` bytes) parsed
    by ``parse`` (a tuple, the link secret first) and the participant of that secret; or the
    answer that refuses it (403, 400, 413). Who asks is found outside the writers: a flood of
    forged secrets waits for the server's common threads, not in front of the room's writes."""
    body = await read_body(request, limit)
    if isinstance(body, Response):
        return body
    parsed = parse(body)
    if parsed is None:
        return answer(400, ok=False)
    participant = await run_in_threadpool(identify, parsed[0])
    if participant is None:
        return answer(403, ok=False)
    return participant, parsed


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
