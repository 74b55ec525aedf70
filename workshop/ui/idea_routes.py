"""The idea route: a phone posts an idea in the brainstorm without a Streamlit run.

``POST /push/ideas`` with a small JSON body ``{"p": <participant link secret>, "s": <the step
the phone shows>, "t": <the idea's text>, "l": <language>}`` posts the idea through the
unchanged ``workshop.meetings.ideas.submit_idea`` (the database's rules: the meeting running,
the step still the phone's and open for ideas, the text's length, the installation's and the
step's ideas a minute; a double tap gives back the first idea, not a copy) and answers
``{"ok": true, "id": n, "held": bool, "message": …}``. The idea reaches every phone's stream,
its author's too, by the push connection (``workshop/ui/push.py``); a held idea (flagged, or a
step the facilitator moderates first) is not on the wall, so the author's page runs once to
show it with why it waits.

Why a route: posted through ``st.chat_input``, an idea was a run of the author's whole page
(~7 ms of server CPU, in the phone's turn behind the room's other runs), and a room of 1,000
phones posting one idea every 10 s offered 100 such runs a second: idea submit p95 9.4 s
(README, "Benchmarks"). Here it is one write.

Answers (``message`` in the phone's language, never what the request said):

* 200 ``ok: true``: posted (or the same text posted just before: the first idea);
* 200 ``ok: false`` with ``message``: refused by a rule that the author can mend by waiting
  or rewriting (empty, too long, too many a minute); nothing was written and the phone keeps
  the text;
* 409 ``rerun: true`` with ``message``: the page must run again (ideas closed, the step moved
  on, the meeting not running, the participant removed, an agreement to acknowledge first);
  nothing was written and the phone keeps the text;
* 503 with ``message``: the database failed (logged); nothing was written;
* 403: an unknown, forged or too long link secret (whether a meeting exists is not said), or
  a browser's request from another site; 400: a body that is not the JSON above; 413: a body
  over ``MAX_BODY`` bytes.

Written by the phones' routes' writer threads (``phone_routes.in_writer``): one write lock either
way, and who posts is looked up before, in the server's common threads.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from workshop.agreements import core as agreements
from workshop.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from workshop.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate, translate_error
from workshop.meetings import ideas
from workshop.model import Participant
from workshop.ui.phone_routes import answer, in_writer, phone_request, post_only
from workshop.ui.process import settings, store

IDEAS_PATH = "/push/ideas"
# A secret, a number, a language and the text: an idea of the longest allowed (500 characters
# by default) written as JSON escapes (\uXXXX, six bytes a character) fits, twice over.
MAX_BODY = 8192


def _parse(body: bytes) -> tuple[str, int, str, str] | None:
    try:
        found = json.loads(body)
        token, step_id, text = found["p"], found["s"], found["t"]
    except (ValueError, TypeError, KeyError):
        return None
    language = found.get("l")
    if not (
        isinstance(token, str)
        and 0 < len(token) <= 200
        and type(step_id) is int
        and 0 < step_id < 2**63
        and isinstance(text, str)
    ):
        return None
    return token, step_id, text, language if language in LANGUAGES else DEFAULT_LANGUAGE


def post(participant: Participant, step_id: int, text: str, language: str) -> Response:
    """The idea of a known participant (in a writer thread)."""
    db = store()
    config = settings()
    if agreements.pending_agreement(db, participant) is not None:
        return answer(409, ok=False, rerun=True, message="")
    try:
        idea = ideas.submit_idea(
            db,
            participant,
            text,
            max_chars=config.idea_max_chars,
            per_minute=config.ideas_per_minute,
            step_id=step_id,
        )
    except (NotAllowed, NotFound) as error:  # closed, moved on, removed: the page runs again
        return answer(409, ok=False, rerun=True, message=translate_error(language, error))
    except (InvalidInput, RateLimited) as error:  # the author can mend it: the text is kept
        return answer(200, ok=False, message=translate_error(language, error))
    key = "idea_composer.held" if idea.held else "participate.idea_sent"
    return answer(200, ok=True, id=idea.id, held=idea.held, message=translate(language, key))


async def post_idea(request: Request) -> Response:
    asked = await phone_request(request, MAX_BODY, _parse)
    if isinstance(asked, Response):
        return asked
    participant, (_, step_id, text, language) = asked
    return await in_writer(language, "idea", lambda: post(participant, step_id, text, language))


def routes() -> list[BaseRoute]:
    return post_only(IDEAS_PATH, post_idea)
