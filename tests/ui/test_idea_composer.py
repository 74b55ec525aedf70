"""The brainstorm's idea box drawn in the phone's browser, and its ideas by ``POST /push/ideas``.

* the brainstorm draws the idea box (one component in the bottom container, what the route
  needs in its data), not ``st.chat_input``: sending an idea is not a run of the page;
* an idea is posted once (a double send gives back the first idea) and answered in the
  phone's language; a held idea says it waits for the facilitator;
* an idea the author can mend (empty, too long, too many a minute) is refused with the reason
  and writes nothing; ideas closed or the step moved on answer 409 and write nothing;
* a forged secret, a bad or too large body, a foreign site's request are refused; a database
  failure is said in the phone's language, not a bare 500; ideas are written by the routes'
  writer threads.

Every test runs on both engines (``app_store``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

import pytest
from starlette.applications import Starlette
from streamlit.testing.v1 import AppTest

from tests.asgi import call
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.ui import idea_routes
from workshop.ui.components import mounted_data
from workshop.ui.idea_routes import IDEAS_PATH


def composer(at: AppTest) -> dict[str, Any] | None:
    """The data of the idea box on the page, or None when none is drawn."""
    mounted = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("idea")]
    assert len(mounted) <= 1, mounted
    return mounted_data(mounted[0].proto.json) if mounted else None


@pytest.fixture
def phone(world, make_app):
    """Anna's phone in the world's brainstorm, in Norwegian."""
    at = make_app(query={"p": world["anna"].token, "lang": "nb"}).run()
    assert not at.exception, at.exception
    return at


def _post(body: bytes | dict, **headers: str) -> tuple[int, dict]:
    """``body`` sent to the route as the server would hand it over (ASGI, no network)."""
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    app = Starlette(routes=idea_routes.routes())
    answer = call(
        app, IDEAS_PATH, "POST", body=raw, then="leave", content_type="application/json", **headers
    )
    return answer.status_code, answer.json() if answer.content.startswith(b"{") else {}


def _idea(data: dict[str, Any], text: str, **changes: Any) -> dict[str, Any]:
    return {"p": data["token"], "s": data["step"], "t": text, "l": data["lang"]} | changes


def _texts(world) -> list[str]:
    return [i.text for i in ideas.list_ideas(world["store"], world["meeting"].id)]


def test_the_brainstorm_draws_the_idea_box_not_a_chat_input(world, phone) -> None:
    data = composer(phone)
    assert data is not None, "no idea box on the page"
    step = meetings.current_step(world["store"], world["meeting"].id)
    assert (data["step"], data["open"], data["max"], data["lang"]) == (step.id, True, 500, "nb")
    assert data["url"].endswith(IDEAS_PATH) and data["token"] == world["anna"].token
    assert data["words"]["placeholder"] == translate("nb", "participate.idea_placeholder")
    assert not phone.chat_input  # sending an idea is not a run of the page


def test_an_idea_is_posted_once_and_answered_in_the_phones_language(world, phone) -> None:
    data = composer(phone)
    status, answer = _post(_idea(data, "Et udekøkken ved søen"))
    assert (status, answer["ok"], answer["held"]) == (200, True, False)
    assert answer["message"] == translate("nb", "participate.idea_sent")
    again = _post(_idea(data, "Et udekøkken ved søen"))  # a double send: the first idea
    assert again[1]["id"] == answer["id"]
    assert _texts(world).count("Et udekøkken ved søen") == 1


def test_an_idea_with_a_phone_number_is_held_and_says_so(world, phone) -> None:
    status, answer = _post(_idea(composer(phone), "Ring til mig på 22 33 44 55"))
    assert (status, answer["ok"], answer["held"]) == (200, True, True)
    assert answer["message"] == translate("nb", "idea_composer.held")


def test_an_idea_the_author_can_mend_is_refused_with_why_and_writes_nothing(
    world, phone, monkeypatch
) -> None:
    data = composer(phone)
    before = _texts(world)
    status, answer = _post(_idea(data, "   "))
    assert (status, answer["ok"]) == (200, False)
    assert answer["message"] == translate("nb", "error.text.empty")
    status, answer = _post(_idea(data, "x" * 501))
    assert (status, answer["ok"]) == (200, False)
    assert answer["message"] == translate("nb", "error.text.too_long", length=501, max=500)
    assert _texts(world) == before
    monkeypatch.setenv("SAMSKAB_IDEAS_PER_MINUTE", "2")
    assert _post(_idea(data, "Første"))[1]["ok"]
    status, answer = _post(_idea(data, "Andet"))  # Anna's world idea was this minute too
    assert (status, answer["ok"]) == (200, False)
    assert answer["message"] == translate("nb", "error.idea.too_fast", per_minute=2)
    assert "Andet" not in _texts(world)


def test_ideas_closed_or_the_step_moved_on_run_the_page_again_and_write_nothing(
    world, phone
) -> None:
    store, meeting = world["store"], world["meeting"]
    data = composer(phone)
    meetings.set_intake(store, data["step"], False, actor=None)
    status, answer = _post(_idea(data, "For sent"))
    assert (status, answer["rerun"]) == (409, True)
    assert answer["message"] == translate("nb", "error.idea.intake_closed")
    meetings.set_intake(store, data["step"], True, actor=None)
    meetings.next_step(store, meeting.id, actor=None)
    status, answer = _post(_idea(data, "For sent"))
    assert (status, answer["rerun"]) == (409, True)
    assert "For sent" not in _texts(world)
    phone.run()
    assert composer(phone) is None  # the dot vote: no idea box


def test_the_route_refuses_forged_secrets_bad_bodies_and_other_sites(world, phone) -> None:
    data = composer(phone)
    assert _post(_idea(data, "Forfalsket", p="x" * 43))[0] == 403
    assert _post(_idea(data, "For lang hemmelighed", p="x" * 201))[0] == 400
    for bad in (
        b"not json",
        b"[]",
        json.dumps({"p": data["token"], "t": "ingen trin"}).encode(),
        json.dumps(_idea(data, "trin som tekst", s=str(data["step"]))).encode(),
        json.dumps(_idea(data, "trin 0", s=0)).encode(),
        json.dumps(_idea(data, "trin for stort", s=2**63)).encode(),
        json.dumps(_idea(data, "x", t=42)).encode(),
        json.dumps(_idea(data, "x", s=True)).encode(),
    ):
        assert _post(bad)[0] == 400, bad
    assert _post(_idea(data, "x" * (idea_routes.MAX_BODY + 1)))[0] == 413
    status, _ = _post(_idea(data, "Fra en anden side"), origin="https://evil.example", host="a")
    assert status == 403
    assert _post(_idea(data, "Samme side"), origin="http://a:8501", host="a:8501")[0] == 200
    texts = _texts(world)
    assert "Forfalsket" not in texts and "Fra en anden side" not in texts


def test_a_database_failure_is_said_in_the_phones_language_not_a_bare_500(
    world, phone, monkeypatch
) -> None:
    def failing(*args, **kwargs):
        raise sqlite3.OperationalError("the connection is closed")

    monkeypatch.setattr(ideas, "submit_idea", failing)
    status, answer = _post(_idea(composer(phone), "Et idé"))
    assert (status, answer["ok"]) == (503, False)
    assert answer["message"] == translate("nb", "error.database.unavailable")


def test_ideas_are_written_by_the_routes_writer_threads(world, phone, monkeypatch) -> None:
    writers: list[str] = []
    real = ideas.submit_idea

    def submit(*args, **kwargs):
        writers.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ideas, "submit_idea", submit)
    assert _post(_idea(composer(phone), "Skrevet af en skriver"))[0] == 200
    assert len(writers) == 1 and writers[0].startswith("samskab-writes"), writers
