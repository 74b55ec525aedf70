"""The dot ballot drawn in the phone's browser, and its taps by ``POST /push/dots``.

* the step change to the vote draws the ballot as one element, not four an idea (a run every
  phone makes at once when the facilitator moves on), with the phone's dots in it;
* a tap places or takes back one dot and answers with the dots as the database holds them;
  a refused tap (no dots left) is said in the phone's language and writes nothing;
* a tap the page must follow up (the idea hidden, the round closed) answers 409 and writes
  nothing; a forged secret, another meeting's round, a bad or too large body are refused;
* a flood of taps from one participant is limited, others are not slowed;
* taps are written by the route's few writer threads, not by each request's thread.

Every test runs on both engines (``app_store``).
"""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from starlette.applications import Starlette

from tests.asgi import call
from tests.factories import join, make_meeting, start
from tests.ui import dots
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.model import StepKind
from workshop.ui import dot_routes
from workshop.ui.dot_routes import DOTS_PATH
from workshop.voting import ballots as voting
from workshop.voting import methods


@pytest.fixture
def vote(world, make_app):
    """The world's meeting in its dot vote with three ideas, and Anna's phone on the ballot."""
    store, meeting, anna = world["store"], world["meeting"], world["anna"]
    ideas.submit_idea(store, anna, "Lys på stien")
    ideas.submit_idea(store, join(store, meeting, "Bo"), "Et udekøkken")
    meetings.next_step(store, meeting.id, actor=None)
    assert meetings.current_step(store, meeting.id).kind is StepKind.DOT_VOTE
    phone = make_app(query={"p": anna.token, "lang": "nb"}).run()
    assert not phone.exception, phone.exception
    round_id = voting.current_round(store, meeting.id).id
    return {**world, "phone": phone, "round": round_id}


def _elements(node) -> int:
    children = getattr(node, "children", None)
    if not children:
        return 1
    return 1 + sum(_elements(child) for child in children.values())


def test_the_ballot_is_one_element_with_the_phones_dots_not_four_an_idea(vote) -> None:
    phone = vote["phone"]
    data = dots.ballot(phone)
    assert data is not None
    assert len(data["ideas"]) == 3
    assert {text for _, text in data["ideas"]} == {
        "Flere bænke i parken",
        "Lys på stien",
        "Et udekøkken",
    }
    assert (data["total"], data["left"], data["mine"]) == (3, 3, [])
    assert not [
        b
        for b in phone.button
        if (b.key or "").startswith(("participate_plus", "participate_minus"))
    ]
    # The whole page: header, language, links, heading, the push and step components, the
    # rejoin component and the ballot. Drawn by Streamlit, each idea added four elements and a
    # container.
    assert _elements(phone.main) <= 20, _elements(phone.main)  # 19; drawn by Streamlit, 31


def test_a_tap_places_and_takes_back_a_dot_and_answers_with_the_truth(vote) -> None:
    phone, store = vote["phone"], vote["store"]
    first, second, _ = dots.idea_ids(phone)
    assert dots.tap(phone, first) == (
        200,
        {"ok": True, "message": None, "mine": [[first, 1]], "left": 2},
    )
    status, answer = dots.tap(phone, second)
    assert (status, answer["mine"], answer["left"]) == (200, sorted([[first, 1], [second, 1]]), 1)
    status, answer = dots.tap(phone, first, -1)
    assert (status, answer["ok"], answer["mine"], answer["left"]) == (200, True, [[second, 1]], 2)
    assert voting.my_dots(store, vote["round"], vote["anna"].id) == {second: 1}
    phone.run()  # the next run of the page draws what the database holds
    assert dots.ballot(phone)["mine"] == [[second, 1]]
    assert dots.ballot(phone)["left"] == 2


def test_a_tap_beyond_the_dots_is_refused_in_the_phones_language_and_writes_nothing(
    vote,
) -> None:
    phone, store = vote["phone"], vote["store"]
    first, *_ = dots.idea_ids(phone)
    for _ in range(3):
        assert dots.tap(phone, first)[1]["ok"]
    status, answer = dots.tap(phone, first)
    assert (status, answer["ok"]) == (200, False)
    assert answer["message"] == "Du har brukt alle 3 prikkene. Ta en tilbake for å flytte den."
    assert (answer["mine"], answer["left"]) == ([[first, 3]], 0)
    status, answer = dots.tap(phone, dots.idea_ids(phone)[1], -1)  # no dot there to take back
    assert (status, answer["ok"], answer["left"]) == (200, False, 0)
    assert voting.my_dots(store, vote["round"], vote["anna"].id) == {first: 3}


def test_a_tap_on_a_hidden_idea_or_in_a_closed_round_runs_the_page_again_and_writes_nothing(
    vote,
) -> None:
    phone, store = vote["phone"], vote["store"]
    first, second, _ = dots.idea_ids(phone)
    moderation.hide_idea(store, first, "Personoplysninger", actor=None)
    status, answer = dots.tap(phone, first)
    assert (status, answer["rerun"], answer["ok"]) == (409, True, False)
    assert answer["message"]  # said in Norwegian, not a key
    assert not answer["message"].startswith("error.")
    methods.close_round(store, vote["round"], actor=None)
    status, answer = dots.tap(phone, second)
    assert (status, answer["rerun"]) == (409, True)
    assert voting.my_dots(store, vote["round"], vote["anna"].id) == {}
    phone.run()
    assert dots.ballot(phone) is None  # the page says the vote is closed instead


def test_a_tap_on_ones_own_idea_merged_into_another_says_merged_not_hidden(vote) -> None:
    """Anna's ballot was drawn before the facilitator merged her idea into Bo's: her tap on it
    is refused, and she reads that it was merged into another idea (it was not taken down)."""
    phone, store, anna = vote["phone"], vote["store"], vote["anna"]
    [own] = [i.id for i in ideas.list_participant_ideas(store, anna.id) if i.text == "Lys på stien"]
    [bos] = [i for i in dots.idea_ids(phone) if ideas.get_idea(store, i).text == "Et udekøkken"]
    moderation.merge_ideas(store, bos, [own], actor=None)
    status, answer = dots.tap(phone, own)
    assert (status, answer["rerun"], answer["ok"]) == (409, True, False)
    assert answer["message"] == translate("nb", "error.vote.idea_merged")
    assert "slått sammen" in answer["message"] and "skjult" not in answer["message"]
    assert voting.my_dots(store, vote["round"], anna.id) == {}


def test_a_forged_secret_or_another_meetings_round_is_refused(vote) -> None:
    store, anna = vote["store"], vote["anna"]
    first = dots.idea_ids(vote["phone"])[0]
    forged = dot_routes.tap("not-a-secret", vote["round"], first, 1, "da")
    assert forged.status_code == 403
    assert json.loads(bytes(forged.body)) == {"ok": False}  # nothing about any meeting
    other = make_meeting(store)
    start(store, other)
    stranger = join(store, other, "Dorte")
    meetings.next_step(store, other.id, actor=None)
    answer = dot_routes.tap(stranger.token, vote["round"], first, 1, "da")
    assert answer.status_code == 409  # not a round of Dorte's meeting
    assert voting.my_dots(store, vote["round"], stranger.id) == {}
    assert voting.my_dots(store, vote["round"], anna.id) == {}


def _post(body: bytes, method: str = "POST", **headers: str) -> tuple[int, dict[str, str], dict]:
    """``body`` sent to the route as the server would hand it over (ASGI, no network)."""
    app = Starlette(routes=dot_routes.routes())
    answer = call(
        app, DOTS_PATH, method, body=body, then="leave", content_type="application/json", **headers
    )
    found = answer.json() if answer.content.startswith(b"{") else {}
    return answer.status_code, answer.headers, found


def test_the_route_takes_the_ballots_json_and_refuses_anything_else(vote) -> None:
    data, store = dots.ballot(vote["phone"]), vote["store"]
    first = data["ideas"][0][0]
    good = {"p": data["token"], "r": data["round"], "i": first, "d": 1, "l": "en"}
    status, headers, answer = _post(json.dumps(good).encode())
    assert (status, answer["ok"], answer["left"]) == (200, True, 2)
    assert headers["cache-control"] == "no-store"
    for bad in (
        b"",
        b"not json",
        b"[1, 2]",
        json.dumps({**good, "d": 2}).encode(),
        json.dumps({**good, "d": True}).encode(),
        json.dumps({**good, "i": "1"}).encode(),
        json.dumps({**good, "r": 1.5}).encode(),
        json.dumps({**good, "i": 2**63}).encode(),  # past SQLite's integers: was a 500
        json.dumps({**good, "i": 0}).encode(),
        json.dumps({**good, "p": 7}).encode(),
        json.dumps({k: v for k, v in good.items() if k != "i"}).encode(),
    ):
        assert _post(bad)[0] == 400, bad
    assert _post(json.dumps({**good, "p": "x" * 600}).encode())[0] == 413
    assert _post(json.dumps(good).encode(), method="GET")[0] == 405
    status, _, answer = _post(json.dumps({**good, "l": "xx", "i": 99999}).encode())
    assert (status, answer["message"]) == (409, translate("da", "error.not_found"))
    assert voting.my_dots(store, data["round"], vote["anna"].id) == {first: 1}


def test_a_flood_of_taps_from_one_phone_is_limited_and_others_are_not(vote) -> None:
    phone, store = vote["phone"], vote["store"]
    first = dots.idea_ids(phone)[0]
    for n in range(dot_routes.TAPS):
        assert dots.tap(phone, first, 1 if n % 2 == 0 else -1)[0] == 200
    status, answer = dots.tap(phone, first)
    assert status == 429
    assert "sekund" in answer["message"]  # "Vent … sekunder" in the phone's language
    refused = dot_routes.tap(dots.ballot(phone)["token"], vote["round"], first, 1, "da")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    bo = join(store, vote["meeting"], "Cai")
    assert dot_routes.tap(bo.token, vote["round"], first, 1, "da").status_code == 200
    assert voting.my_dots(store, vote["round"], vote["anna"].id) == {}  # 10 placed, 10 back


def test_taps_are_written_by_the_routes_writer_threads(vote, monkeypatch) -> None:
    data = dots.ballot(vote["phone"])
    writers: list[str] = []
    real = voting.place_dot

    def place(*args, **kwargs):
        writers.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(voting, "place_dot", place)
    body = {"p": data["token"], "r": data["round"], "i": data["ideas"][0][0], "d": 1}
    assert _post(json.dumps(body).encode())[0] == 200
    assert len(writers) == 1 and writers[0].startswith("samskab-writes"), writers


def test_a_database_failure_is_said_in_the_phones_language_not_a_bare_500(
    vote, monkeypatch
) -> None:
    data = dots.ballot(vote["phone"])

    def failing(*args, **kwargs):
        raise sqlite3.OperationalError("the connection is closed")

    monkeypatch.setattr(voting, "place_dot", failing)
    body = {"p": data["token"], "r": data["round"], "i": data["ideas"][0][0], "d": 1, "l": "nb"}
    status, _, answer = _post(json.dumps(body).encode())
    assert (status, answer["ok"]) == (503, False)
    assert answer["message"] == translate("nb", "error.database.unavailable")


def test_dots_on_an_idea_taken_down_are_offered_back_without_its_text(vote) -> None:
    """The facilitator hides an idea that holds a phone's dot: the ballot no longer shows the
    idea, and the dot was lost to its voter ("0 of 3 left", two dots to be seen; fresh-eyes
    trial). Now the ballot offers it back, without the hidden text."""
    phone, store = vote["phone"], vote["store"]
    first, second, _ = dots.idea_ids(phone)
    dots.tap(phone, first)
    dots.tap(phone, second)
    moderation.hide_idea(store, first, "Personoplysninger", actor=None)
    phone.run()
    data = dots.ballot(phone)
    assert data["gone"] == [first]
    assert first not in dots.idea_ids(phone)
    hidden = ideas.get_idea(store, first).text
    assert hidden not in json.dumps(data)  # taken down for a reason: never sent again
    assert data["left"] == 1
    status, answer = dots.tap(phone, first, -1)
    assert (status, answer["ok"], answer["left"]) == (200, True, 2)
    assert dots.tap(phone, first)[0] == 409  # and no new dot on it


def test_a_tap_from_another_site_is_refused_and_the_phones_own_is_not(vote) -> None:
    """Streamlit's own HTTP writes follow the same-origin rule (docs/deployment.md, section 4);
    the dot route did not (fresh-eyes trials). The secret in the body stays the first lock."""
    data, store = dots.ballot(vote["phone"]), vote["store"]
    body = {"p": data["token"], "r": data["round"], "i": data["ideas"][0][0], "d": 1}
    raw = json.dumps(body).encode()
    status, _, _ = _post(raw, host="samskab.example.dk", origin="https://evil.example")
    assert status == 403
    assert voting.my_dots(store, data["round"], vote["anna"].id) == {}
    # The phone's own page, behind nginx (which passes the host without its port).
    status, _, answer = _post(
        raw, host="samskab.example.dk", origin="https://samskab.example.dk:443"
    )
    assert (status, answer["ok"]) == (200, True)
