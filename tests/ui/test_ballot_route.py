"""The ballot route (``POST /push/ballot``): a phone's first ballot page at a step change,
drawn by its step component before the page's run (workshop/ui/ballot_routes.py).

* it answers exactly what the page's run hands its ballot (the same ideas in the same order,
  the phone's dots, its words), and the step's name, in the phone's language;
* no ballot when there is none to draw now: not a dot vote, the round closed, an agreement to
  acknowledge first, nothing to vote on;
* a forged secret, a bad or too large body, a GET, a browser on another site are refused; a
  flood from one participant is limited; another meeting's participant gets nothing of it.

Every test runs on both engines (``app_store``).
"""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette

from tests.asgi import call
from tests.factories import join, make_meeting, start
from tests.ui import dots
from workshop.agreements import core as agreements
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import StepKind
from workshop.ui import ballot_routes, state
from workshop.ui.ballot_routes import BALLOT_PATH
from workshop.ui.components import mounted_data
from workshop.voting import ballots as voting
from workshop.voting import methods


def _post(body: bytes | dict, method: str = "POST", **headers: str) -> tuple[int, dict, dict]:
    """``body`` sent to the route as the server would hand it over (ASGI, no network)."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    app = Starlette(routes=ballot_routes.routes())
    answer = call(
        app,
        BALLOT_PATH,
        method,
        body=body,
        then="leave",
        content_type="application/json",
        **headers,
    )
    found = answer.json() if answer.content.startswith(b"{") else {}
    return answer.status_code, answer.headers, found


@pytest.fixture(autouse=True)
def _fresh_limits(monkeypatch):
    monkeypatch.setattr(
        ballot_routes,
        "_recent",
        ballot_routes.Recent(ballot_routes.ASKS, ballot_routes.PER_SECONDS),
    )


@pytest.fixture
def room(world):
    """The world's meeting in its brainstorm with twelve ideas (two ballot pages)."""
    store, meeting = world["store"], world["meeting"]
    for n in range(11):
        ideas.submit_idea(store, join(store, meeting, f"Forfatter {n}"), f"Forslag {n}")
    return world


def test_the_route_answers_the_first_page_the_pages_run_draws(room, make_app) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote
    status, headers, answer = _post({"p": anna.token, "l": "nb"})
    assert status == 200
    assert headers["cache-control"] == "no-store"
    phone = make_app(query={"p": anna.token, "lang": "nb"}).run()
    assert not phone.exception, phone.exception
    drawn = dots.ballot(phone)
    assert drawn is not None and len(drawn["ideas"]) == 8 and drawn["pages"] == 2
    assert answer["ballot"] == drawn  # the same ideas in the same order, dots, words, address
    assert answer["title"] == translate("nb", "step.dot_vote")
    assert answer["c"] == meetings.meeting_state(store, meeting.id).change_seq
    assert answer["prompt"] is None  # the vote has no words of the facilitator's
    assert 0 < answer["wait"] <= 800 and 0 < answer["spread"] <= 2200
    step = meetings.current_step(store, meeting.id)
    meetings.update_step(store, step.id, prompt="<b>Vælg</b> det vigtigste", actor=None)
    said = _post({"p": anna.token, "l": "nb"})[2]["prompt"]
    who = translate("nb", "participate.facilitator")
    assert said == {"who": who, "text": "<b>Vælg</b> det vigtigste"}  # drawn as text
    # The page the phone showed last (the step component sends it), clamped into range
    second = _post({"p": anna.token, "l": "nb", "g": 1})[2]["ballot"]
    assert (second["page"], len(second["ideas"])) == (1, 4)
    assert {i for i, _ in second["ideas"]}.isdisjoint(i for i, _ in drawn["ideas"])
    assert _post({"p": anna.token, "g": 99})[2]["ballot"]["page"] == 1
    # ... which the page hands its step component, to ask for at the next step change
    phone.session_state[state.BALLOT_PAGE] = 1
    phone.run()
    [step_component] = [
        e for e in phone.get("bidi_component") if e.proto.component_name.endswith("step")
    ]
    asked = mounted_data(step_component.proto.json)["ballot"]
    assert (asked["page"], asked["token"], asked["lang"]) == (1, anna.token, "nb")
    phone.session_state[state.BALLOT_PAGE] = 0
    phone.run()
    # A dot placed (here on the ballot drawn before the run) is in the next answer and run.
    first = drawn["ideas"][0][0]
    assert dots.tap(phone, first)[1]["ok"]
    _, _, again = _post({"p": anna.token, "l": "nb"})
    assert (again["ballot"]["mine"], again["ballot"]["left"]) == ([[first, 1]], 2)
    assert dots.ballot(phone.run())["mine"] == [[first, 1]]


def test_no_ballot_when_there_is_none_to_draw_now(room, make_app) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    facilitator = room["users"][next(iter(room["users"]))]
    assert _post({"p": anna.token})[2] == {"ballot": None}  # the brainstorm
    meetings.next_step(store, meeting.id, actor=None)
    assert meetings.current_step(store, meeting.id).kind is StepKind.DOT_VOTE
    assert _post({"p": anna.token})[2]["ballot"] is not None
    # An agreement to acknowledge first: the page shows it, not a ballot.
    made = agreements.create_agreement(
        store, "dialogue_session", lang="da", meeting_id=meeting.id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    assert agreements.pending_agreement(store, anna) is not None
    assert _post({"p": anna.token})[2] == {"ballot": None}
    agreements.acknowledge_agreement(store, anna, made.current.id)
    assert _post({"p": anna.token})[2]["ballot"] is not None
    # The round closed.
    methods.close_round(store, voting.current_round(store, meeting.id).id, actor=None)
    assert _post({"p": anna.token})[2] == {"ballot": None}


def test_no_ballot_when_there_is_nothing_to_vote_on(world) -> None:
    store, meeting, anna = world["store"], world["meeting"], world["anna"]
    meetings.next_step(store, meeting.id, actor=None)  # one idea, Anna's
    assert _post({"p": anna.token})[2]["ballot"] is not None
    [only] = ideas.list_ideas(store, meeting.id)
    from workshop.meetings import moderation

    moderation.hide_idea(store, only.id, "Personoplysninger", actor=None)
    assert _post({"p": anna.token})[2] == {"ballot": None}


def test_the_route_refuses_forgeries_bad_bodies_other_sites_and_a_flood(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    meetings.next_step(store, meeting.id, actor=None)
    assert _post({"p": "not-a-secret"})[::2] == (403, {"ok": False})  # nothing about a meeting
    assert _post(b"not json")[0] == 400
    assert _post({"l": "da"})[0] == 400
    assert _post({"p": "x" * 201})[0] == 400
    for page in ("1", -1, 1.5, None, 10**6):
        assert _post({"p": anna.token, "g": page})[0] == 400, page
    assert _post({"p": anna.token, "l": "x" * 600})[0] == 413
    assert _post(b"", method="GET")[0] == 405
    foreign = _post({"p": anna.token}, origin="https://evil.example", host="samskab.example")
    assert foreign[0] == 403
    same = _post({"p": anna.token}, origin="https://samskab.example", host="samskab.example")
    assert same[0] == 200 and same[2]["ballot"] is not None
    for _ in range(ballot_routes.ASKS - 1):
        assert _post({"p": anna.token})[0] == 200
    status, headers, answer = _post({"p": anna.token, "l": "en"})
    assert status == 429 and int(headers["retry-after"]) >= 1
    assert answer["ballot"] is None and "second" in answer["message"]
    # Another phone is not slowed by Anna's flood.
    bo = join(store, meeting, "Bo")
    assert _post({"p": bo.token})[0] == 200


def test_another_meetings_participant_gets_nothing_of_this_vote(room) -> None:
    store, meeting = room["store"], room["meeting"]
    meetings.next_step(store, meeting.id, actor=None)  # this meeting votes
    other = make_meeting(store)
    start(store, other)  # the other brainstorms
    dorte = join(store, other, "Dorte")
    assert _post({"p": dorte.token})[2] == {"ballot": None}
