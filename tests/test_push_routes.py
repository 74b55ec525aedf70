"""The push route on the real server (``streamlit run``): what it tells, and whom it refuses.

* a participant's link secret opens an event stream that says the meeting's numbers at once
  and again when the facilitator moves on (a write by another process: this test's store);
* no secret, a forged one, or one too long: 403 with nothing about any meeting;
* asking for another meeting than the secret's own changes nothing: the phone follows its
  own meeting; a removed participant's secret (the link no longer works) is refused;
* more than ``PER_PARTICIPANT`` open streams for one participant: 429, and the server still
  answers everyone else; a closed stream frees its place;
* a quiet stream says it is alive with a named event a browser's ``EventSource`` shows the
  page (a comment it does not), so a page can tell a quiet room from a dead connection.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Server, serving
from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas, participants
from workshop.ui.push_routes import PER_PARTICIPANT, PUSH_PATH

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, list]]:
    db_path = tmp_path_factory.mktemp("push") / "push.db"
    store = open_store(db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    phones = [join(store, meeting, f"Borger {i}") for i in range(3)]
    other = make_meeting(store)
    start(store, other)
    ideas.submit_idea(store, join(store, other, "Dorte"), "Et andet møde")
    store.close()
    # A keep-alive each second (10 s by default), so that a test sees one soon.
    with serving(db_path, env={"SAMSKAB_PUSH_HEARTBEAT_SECONDS": "1"}) as running:
        yield running, meeting.id, phones


def _open(server: Server, token: str) -> http.client.HTTPResponse:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", f"{PUSH_PATH}?p={token}", headers={"Accept": "text/event-stream"})
    return connection.getresponse()


def _next_event(stream: http.client.HTTPResponse, deadline: float) -> dict:
    while time.monotonic() < deadline:
        line = stream.readline()
        if line.startswith(b"data: {"):  # an event, not the keep-alive
            return json.loads(line[6:])
    raise AssertionError("no event before the deadline")


def test_a_phone_is_told_the_numbers_at_once_and_when_the_room_moves(room) -> None:
    server, meeting_id, phones = room
    stream = _open(server, phones[0].token)
    try:
        assert stream.status == 200
        assert stream.getheader("Content-Type", "").startswith("text/event-stream")
        assert stream.getheader("X-Accel-Buffering") == "no"
        store = open_store(server.db_path)
        try:
            state = meetings.meeting_state(store, meeting_id)
            first = _next_event(stream, time.monotonic() + 5)
            assert first == {
                "c": state.change_seq,
                "v": state.vote_seq,
                "s": f"running:{state.current_step_id}:1",
                "g": 1.0,
            }
            meetings.next_step(store, meeting_id, actor=None)
            moved = time.monotonic()
            after = _next_event(stream, moved + 5)
            assert time.monotonic() - moved < 2
            assert after["c"] == meetings.meeting_state(store, meeting_id).change_seq
            assert after["c"] > first["c"]
            assert after["s"] != first["s"]  # a new step: the phone reruns at once
        finally:
            store.close()
    finally:
        stream.close()


@pytest.mark.parametrize("token", ["", "forged-token-" + "x" * 30, "y" * 500])
def test_no_or_a_forged_secret_is_refused_and_nothing_leaks(room, token: str) -> None:
    server, _, _ = room
    answer = _open(server, token)
    assert answer.status == 403
    body = answer.read().decode()
    assert body == "forbidden"
    assert "data:" not in body


def test_too_many_streams_for_one_participant_are_refused_and_the_server_stays_up(
    room,
) -> None:
    server, _, phones = room
    token = phones[1].token
    streams = [_open(server, token) for _ in range(PER_PARTICIPANT)]
    try:
        assert [s.status for s in streams] == [200] * PER_PARTICIPANT
        for stream in streams:
            _next_event(stream, time.monotonic() + 5)
        refused = _open(server, token)
        assert refused.status == 429
        assert refused.getheader("Retry-After") == "10"
        refused.read()
        # Everyone else is still served: another participant, and the app's health check.
        other = _open(server, phones[0].token)
        assert other.status == 200
        other.close()
        address = urlsplit(server.url)
        health = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        health.request("GET", "/_stcore/health")
        assert health.getresponse().status == 200
        health.close()
    finally:
        for stream in streams:
            stream.close()
    # A closed stream frees its place (the server notices the closed connection).
    deadline = time.monotonic() + 10
    while True:
        again = _open(server, token)
        if again.status == 200 or time.monotonic() > deadline:
            break
        again.read()
        time.sleep(0.2)  # the server frees places as it notices closed connections
    assert again.status == 200
    again.close()


def test_a_phone_follows_its_own_meeting_whatever_it_asks_for(room) -> None:
    server, meeting_id, phones = room
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    other_id = meeting_id + 1
    connection.request("GET", f"{PUSH_PATH}?p={phones[0].token}&meeting={other_id}&m={other_id}")
    stream = connection.getresponse()
    try:
        assert stream.status == 200
        store = open_store(server.db_path)
        try:
            mine = meetings.meeting_state(store, meeting_id)
        finally:
            store.close()
        first = _next_event(stream, time.monotonic() + 5)
        assert first["s"] == f"{mine.status}:{mine.current_step_id}:{int(mine.intake_open)}"
        assert first["c"] == mine.change_seq
    finally:
        stream.close()


def test_a_removed_participants_secret_is_refused(room) -> None:
    server, meeting_id, phones = room
    store = open_store(server.db_path)
    try:
        participants.remove_participant(
            store, meeting_id, phones[2].id, reason="scripted", actor=None
        )
    finally:
        store.close()
    answer = _open(server, phones[2].token)
    assert answer.status == 403
    assert answer.read().decode() == "forbidden"


def test_a_quiet_stream_says_it_is_alive_with_an_event_the_page_sees(room) -> None:
    server, _, phones = room
    stream = _open(server, phones[0].token)
    try:
        deadline = time.monotonic() + 10
        _next_event(stream, deadline)  # the numbers, at once
        lines = []
        while time.monotonic() < deadline and b"event: alive\n" not in lines:
            lines.append(stream.readline())
        # A named event with data: EventSource dispatches it to the page's listener for
        # "alive" (an event without data, or a ": comment", it drops).
        assert b"event: alive\n" in lines, lines
        assert stream.readline() == b"data: 1\n"
        assert stream.readline() == b"\n"
    finally:
        stream.close()


@pytest.mark.parametrize("path", ["/push/ideas", "/push/dots"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_the_phones_post_routes_answer_other_methods_405(room, path: str, method: str) -> None:
    """A link followed or a crawler: 405 with what is allowed (a GET was answered with the
    app's page, 200, since Streamlit's page route takes any path)."""
    server, _, _ = room
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        assert response.status == 405
        assert response.getheader("Allow") == "POST"
        assert b"<html" not in response.read().lower()
    finally:
        connection.close()
