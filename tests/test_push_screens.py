"""The push route for the room's screens, on the real server (``streamlit run``): the projector
by its screen link secret, the facilitator's console by the staff session cookie.

* a screen secret opens an event stream of the meeting's numbers (``change_seq``, ``vote_seq``,
  step) at once and when they move, dots too; no idea's text travels to a screen;
* a facilitator's or an admin's live staff session follows the meeting it names;
* refused with the phones' answer (403 "forbidden", nothing about any meeting): a forged or
  renewed screen secret; a forged, ended or politician's staff cookie; a staff session for a
  meeting that does not exist; no cookie at all;
* a screen secret follows its own meeting whatever the address asks for;
* more than ``PER_SCREEN`` streams for one screen, or ``PER_STAFF`` for one staff session:
  429; the server still answers everyone else;
* a stream whose screen link was renewed or whose staff session ended closes within a few
  seconds, in a quiet room too, so the page falls back to its timer and its next run finds
  the link or the login gone (a deactivation reached an open console within its 3 s timer).
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest

from tests.browser.conftest import Server, serving
from tests.factories import join, make_meeting, start
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role
from workshop.ui.push_routes import PER_SCREEN, PER_STAFF, PUSH_PATH
from workshop.voting import ballots as voting

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]

PASSWORD = "a long passphrase for staff"


def _staff_cookie(store, user) -> str:
    ticket = staff_sessions.create_ticket(store, user)
    token, _ = staff_sessions.redeem_ticket(store, ticket)
    return token


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db_path = tmp_path_factory.mktemp("screens") / "screens.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie")
    ada = accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada")
    mette = accounts.create_user(store, "mette", PASSWORD, Role.POLITICIAN, "Mette")
    meeting = make_meeting(store, fie)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    other = make_meeting(store, fie)
    start(store, other)
    world = {
        "db_path": db_path,
        "meeting": meeting.id,
        "other": other.id,
        "anna": anna,
        "screen": meetings.screen_link_token(store, meeting.id),
        "other_screen": meetings.screen_link_token(store, other.id),
        "fie": fie,
        "fie_cookie": _staff_cookie(store, fie),
        "ada_cookie": _staff_cookie(store, ada),
        "mette_cookie": _staff_cookie(store, mette),
    }
    store.close()
    with serving(db_path) as running:
        world["server"] = running
        yield world


def _open(server: Server, query: str, cookie: str | None = None) -> http.client.HTTPResponse:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    headers = {"Accept": "text/event-stream"}
    if cookie is not None:
        headers["Cookie"] = f"{staff_sessions.COOKIE_NAME}={cookie}"
    connection.request("GET", f"{PUSH_PATH}?{query}", headers=headers)
    return connection.getresponse()


def _next_event(stream: http.client.HTTPResponse, deadline: float) -> dict:
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise AssertionError("the stream ended")
        if line.startswith(b"data: {"):  # an event, not the keep-alive
            return json.loads(line[6:])
    raise AssertionError("no event before the deadline")


def _numbers(store, meeting_id: int) -> dict:
    state = meetings.meeting_state(store, meeting_id)
    return {
        "c": state.change_seq,
        "v": state.vote_seq,
        "s": f"{state.status}:{state.current_step_id}:{int(state.intake_open)}",
    }


def test_a_projector_follows_its_meeting_by_its_screen_secret_ideas_and_dots_too(room) -> None:
    stream = _open(room["server"], f"screen={quote(room['screen'])}")
    try:
        assert stream.status == 200
        assert stream.getheader("Content-Type", "").startswith("text/event-stream")
        store = open_store(room["db_path"])
        try:
            first = _next_event(stream, time.monotonic() + 5)
            assert {k: first[k] for k in "cvs"} == _numbers(store, room["meeting"])
            # An idea: the screen is told the new number, never the idea's text.
            ideas.submit_idea(store, room["anna"], "Et hemmeligt ord på væggen")
            submitted = time.monotonic()
            told = _next_event(stream, submitted + 5)
            assert time.monotonic() - submitted < 2
            assert told["c"] > first["c"]
            assert set(told) <= {"c", "v", "s", "g"}, told
            # A dot moves vote_seq only: a projector that shows results follows it too.
            meetings.next_step(store, room["meeting"], actor=None)  # the dot vote
            moved = _next_event(stream, time.monotonic() + 5)
            assert moved["s"] != told["s"]
            vote_round = voting.current_round(store, room["meeting"])
            assert vote_round is not None
            wall = ideas.list_ideas(store, room["meeting"])
            voting.place_dot(store, room["anna"], vote_round.id, wall[0].id)
            dotted = _next_event(stream, time.monotonic() + 5)
            assert dotted["v"] > moved["v"]
            assert dotted["c"] == meetings.meeting_state(store, room["meeting"]).change_seq
        finally:
            store.close()
    finally:
        stream.close()


@pytest.mark.parametrize("who", ["fie_cookie", "ada_cookie"])
def test_a_facilitators_or_admins_console_follows_the_meeting_by_the_staff_cookie(
    room, who: str
) -> None:
    stream = _open(room["server"], f"meeting={room['other']}", cookie=room[who])
    try:
        assert stream.status == 200
        store = open_store(room["db_path"])
        try:
            first = _next_event(stream, time.monotonic() + 5)
            assert {k: first[k] for k in "cvs"} == _numbers(store, room["other"])
            other = meetings.get_meeting(store, room["other"])
            ideas.submit_idea(store, join(store, other, "B"), "x")
            told = _next_event(stream, time.monotonic() + 5)
            assert told["c"] > first["c"]
            assert set(told) <= {"c", "v", "s", "g"}, told
        finally:
            store.close()
    finally:
        stream.close()


def _refused(answer: http.client.HTTPResponse) -> None:
    assert answer.status == 403
    body = answer.read().decode()
    assert body == "forbidden"  # the phones' answer: nothing about any meeting


@pytest.mark.parametrize(
    "query",
    ["screen=", "screen=forged-screen-" + "x" * 30, "screen=" + "y" * 500, "meeting=1"],
)
def test_a_forged_screen_secret_or_no_cookie_is_refused_and_nothing_leaks(room, query) -> None:
    _refused(_open(room["server"], query))


def test_staff_cookies_that_do_not_follow_a_meeting_are_refused(room) -> None:
    server = room["server"]
    meeting = room["meeting"]
    _refused(_open(server, f"meeting={meeting}", cookie="forged-" + "z" * 40))
    _refused(_open(server, f"meeting={meeting}", cookie=room["mette_cookie"]))  # a politician
    # A meeting that does not exist is refused as a forged cookie is: nothing leaks.
    _refused(_open(server, "meeting=987654", cookie=room["fie_cookie"]))
    _refused(_open(server, "meeting=abc", cookie=room["fie_cookie"]))
    _refused(_open(server, "", cookie=room["fie_cookie"]))
    store = open_store(room["db_path"])
    try:
        ended = _staff_cookie(store, room["fie"])
        staff_sessions.end_session(store, ended, actor=room["fie"])
    finally:
        store.close()
    _refused(_open(server, f"meeting={meeting}", cookie=ended))


def test_a_screen_follows_its_own_meeting_whatever_the_address_asks_for(room) -> None:
    stream = _open(room["server"], f"screen={quote(room['screen'])}&meeting={room['other']}")
    try:
        assert stream.status == 200
        store = open_store(room["db_path"])
        try:
            mine = _numbers(store, room["meeting"])
        finally:
            store.close()
        first = _next_event(stream, time.monotonic() + 5)
        assert {k: first[k] for k in "cvs"} == mine
    finally:
        stream.close()


def test_too_many_streams_for_one_screen_or_staff_session_are_refused(room) -> None:
    server = room["server"]
    screens = [_open(server, f"screen={quote(room['other_screen'])}") for _ in range(PER_SCREEN)]
    consoles = [
        _open(server, f"meeting={room['other']}", cookie=room["ada_cookie"])
        for _ in range(PER_STAFF)
    ]
    try:
        assert [s.status for s in screens + consoles] == [200] * (PER_SCREEN + PER_STAFF)
        for stream in screens + consoles:
            _next_event(stream, time.monotonic() + 5)
        refused = _open(server, f"screen={quote(room['other_screen'])}")
        assert refused.status == 429
        assert refused.getheader("Retry-After") == "10"
        refused.read()
        refused = _open(server, f"meeting={room['other']}", cookie=room["ada_cookie"])
        assert refused.status == 429
        refused.read()
        # Everyone else is still served: the other screen, another staff session.
        other = _open(server, f"screen={quote(room['screen'])}")
        assert other.status == 200
        other.close()
        other = _open(server, f"meeting={room['other']}", cookie=room["fie_cookie"])
        assert other.status == 200
        other.close()
    finally:
        for stream in screens + consoles:
            stream.close()


def test_a_renewed_screen_link_and_an_ended_staff_session_close_their_streams(room) -> None:
    server = room["server"]
    store = open_store(room["db_path"])
    try:
        cookie = _staff_cookie(store, room["fie"])
        screen = _open(server, f"screen={quote(room['other_screen'])}")
        console = _open(server, f"meeting={room['other']}", cookie=cookie)
        try:
            _next_event(screen, time.monotonic() + 5)
            _next_event(console, time.monotonic() + 5)
            meetings.new_screen_link(store, room["other"], actor=room["fie"])
            staff_sessions.end_session(store, cookie, actor=room["fie"])
            # In a quiet room too: within a few seconds their streams end.
            for stream in (screen, console):
                with pytest.raises(AssertionError, match="the stream ended"):
                    _next_event(stream, time.monotonic() + 10)
        finally:
            screen.close()
            console.close()
        _refused(_open(server, f"screen={quote(room['other_screen'])}"))
    finally:
        store.close()
