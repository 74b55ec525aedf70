"""One person, one voice on the real server (``streamlit run``), over HTTP and the websocket.

* ``/auth/participant`` sets the participant cookie (HttpOnly, SameSite=Lax, Path=/) only for
  a link that names a participant, never from another site, and redirects on this site only;
* a page load with that cookie offers "continue as <name>" instead of a second participant;
* a scripted websocket client pressing Join again and again is stopped after the per-session
  limit, and fresh sessions from one network address after the per-network limit.
"""

from __future__ import annotations

import asyncio
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.conftest import Server, serving
from tests.factories import make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Meeting, Role
from workshop.ui.participant_routes import BROWSER_COOKIE, cookie_name

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import stclient  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]

PER_NETWORK = 5
JOIN = translate("da", "start.join")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("identity") / "identity.db"
    env = {
        # nginx's X-Forwarded-For is believed from loopback, as in deploy/samskab@.service
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "SAMSKAB_JOINS_PER_SESSION": "3",
        "SAMSKAB_JOINS_PER_NETWORK_MINUTE": str(PER_NETWORK),
    }
    with serving(db_path, env=env) as running:
        yield running


@pytest.fixture
def db(server: Server) -> Iterator[Store]:
    store = open_store(server.db_path)
    yield store
    store.close()


@pytest.fixture
def meeting(db: Store) -> Meeting:
    fie = accounts.create_user(
        db, f"fie{len(db.query('SELECT id FROM users'))}", "a long passphrase", Role.FACILITATOR
    )
    made = make_meeting(db, fie)
    start(db, made)
    return made


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, **headers: str) -> tuple[int, dict[str, list[str]]]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=15) as response:
            status, message = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, message = error.code, error.headers
    found: dict[str, list[str]] = {}
    for name, value in message.items():
        found.setdefault(name.lower(), []).append(value)
    return status, found


def participant_cookie(headers: dict[str, list[str]], meeting_id: int) -> str | None:
    for line in headers.get("set-cookie", []):
        if line.startswith(f"{cookie_name(meeting_id)}="):
            return line
    return None


def refusal(key: str, text: str) -> bool:
    """``text`` is the Danish message ``key`` with some number of seconds in it."""
    before, _, after = translate("da", key, seconds="\0").partition("\0")
    return re.fullmatch(re.escape(before) + r"\d+" + re.escape(after), text) is not None


# -- the cookie route --------------------------------------------------------------------------


def test_the_route_remembers_a_real_participant_in_an_httponly_cookie(server, db, meeting):
    anna = meetings.join_meeting(db, meeting.join_code, "Anna", client="t")
    back = f"/?p={anna.token}"
    status, headers = fetch(f"{server.url}/auth/participant?p={anna.token}&next={quote(back)}")
    assert status == 303 and headers["location"] == [back]
    line = participant_cookie(headers, meeting.id)
    assert line is not None and line.startswith(f"{cookie_name(meeting.id)}={anna.token};")
    attributes = {part.strip().split("=")[0].lower() for part in line.split(";")}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes
    assert "samesite=lax" in line.lower() and "secure" not in attributes
    assert "no-store" in headers["cache-control"][0]
    assert headers["referrer-policy"] == ["no-referrer"]


@pytest.mark.parametrize(
    ("token", "extra"),
    [("made-up", {}), ("", {}), ("x" * 300, {}), (None, {"Sec-Fetch-Site": "cross-site"})],
)
def test_no_cookie_for_an_unknown_link_or_from_another_site(server, db, meeting, token, extra):
    if token is None:
        token = meetings.join_meeting(db, meeting.join_code, "Bo", client="t").token
    status, headers = fetch(f"{server.url}/auth/participant?p={token}&next=/", **extra)
    assert status == 303 and headers["location"] == ["/"]
    assert not headers.get("set-cookie")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/auth/x"])
def test_the_route_never_sends_the_browser_off_the_site(server, db, meeting, target):
    anna = meetings.join_meeting(db, meeting.join_code, "Anna", client="t")
    status, headers = fetch(f"{server.url}/auth/participant?p={anna.token}&next={quote(target)}")
    assert status == 303 and headers["location"] == ["/"]


# -- a page load with the cookie ---------------------------------------------------------------


def test_a_browser_with_the_cookie_continues_as_the_same_participant(server, db, meeting):
    anna = meetings.join_meeting(db, meeting.join_code, "Anna", client="t")
    other = make_meeting(db)
    intruder = meetings.join_meeting(db, other.join_code, "Eve", client="t")

    async def scenario() -> tuple[list[str], str, list[str]]:
        s = stclient.StreamlitSession(server.url, f"code={meeting.join_code}")
        # Anna's cookie, and one that names a participant of another meeting under this one.
        s.cookies = {cookie_name(meeting.id): anna.token, cookie_name(other.id + 1): intruder.token}
        async with s:
            await s.run()
            labels = [e.label for e in s.find("button")]
            await s.click(translate("da", "identity.continue_as", name="Anna"))
            token = s.query_params.get("p", [""])[0]
            await s.run(query_string=f"code={meeting.join_code}")
            await s.click("start_not_you")  # deliberately someone new: the join form
            inputs = [e.key or "" for e in s.find("text_input")]
        return labels, token, inputs

    labels, token, inputs = asyncio.run(scenario())
    assert translate("da", "identity.continue_as", name="Anna") in labels
    assert translate("da", "identity.continue_as", name="Eve") not in labels
    assert token == anna.token
    assert "start_name" in inputs
    assert meetings.count_participants(db, meeting.id) == 1


# -- a script pressing Join --------------------------------------------------------------------


async def press_join(s: stclient.StreamlitSession, code: str, name: str) -> tuple[str, list[str]]:
    await s.run(query_string=f"code={code}")
    await s.set_text("start_name", name)
    await s.click(JOIN)
    alerts = [e.text for e in s.elements if e.kind == "alert"]
    return s.query_params.get("p", [""])[0], alerts


def test_a_scripted_session_is_stopped_after_a_handful_of_joins(server, db, meeting):
    async def scenario() -> list[tuple[str, list[str]]]:
        s = stclient.StreamlitSession(server.url, f"code={meeting.join_code}")
        s.headers = {"X-Forwarded-For": "198.51.100.20"}
        async with s:
            return [await press_join(s, meeting.join_code, f"Bot {n}") for n in range(6)]

    presses = asyncio.run(scenario())
    tokens = [token for token, _ in presses if token]
    assert len(tokens) == 3 and len(set(tokens)) == 3
    for token, alerts in presses[3:]:
        assert not token
        assert any(refusal("error.join.too_many_from_browser", text) for text in alerts), alerts
    assert meetings.count_participants(db, meeting.id) == 3


def test_the_route_gives_the_browser_an_id_once(server, db, meeting):
    anna = meetings.join_meeting(db, meeting.join_code, "Anna", client="t")
    status, headers = fetch(f"{server.url}/auth/participant?p={anna.token}&next=/")
    lines = [c for c in headers.get("set-cookie", []) if c.startswith(f"{BROWSER_COOKIE}=")]
    assert status == 303 and len(lines) == 1
    assert "httponly" in lines[0].lower() and "samesite=lax" in lines[0].lower()
    known = f"{BROWSER_COOKIE}=b-{'x' * 24}"
    _, again = fetch(f"{server.url}/auth/participant?p={anna.token}&next=/", Cookie=known)
    assert not [c for c in again.get("set-cookie", []) if c.startswith(f"{BROWSER_COOKIE}=")]


def test_reloads_and_new_tabs_of_one_browser_are_stopped_after_a_handful_of_joins(
    server, db, meeting
):
    """Every reload or new tab is a fresh Streamlit session; the browser's id cookie is not."""

    async def one_tab(n: int) -> tuple[str, list[str]]:
        s = stclient.StreamlitSession(server.url, f"code={meeting.join_code}")
        s.headers = {
            "X-Forwarded-For": "198.51.100.77",
            "Cookie": f"{BROWSER_COOKIE}=one-browser-{'y' * 20}",
        }
        async with s:
            return await press_join(s, meeting.join_code, f"Tab {n}")

    async def scenario() -> list[tuple[str, list[str]]]:
        return [await one_tab(n) for n in range(5)]

    presses = asyncio.run(scenario())
    assert sum(1 for token, _ in presses if token) == 3
    for token, alerts in presses[3:]:
        assert not token
        assert any(refusal("error.join.too_many_from_browser", text) for text in alerts), alerts
    assert meetings.count_participants(db, meeting.id) == 3


def test_fresh_sessions_from_one_network_are_stopped_after_the_network_limit(server, db, meeting):
    async def one_phone(n: int) -> tuple[str, list[str]]:
        s = stclient.StreamlitSession(server.url, f"code={meeting.join_code}")
        s.headers = {"X-Forwarded-For": "203.0.113.9"}
        async with s:
            return await press_join(s, meeting.join_code, f"Phone {n}")

    async def scenario() -> list[tuple[str, list[str]]]:
        return [await one_phone(n) for n in range(PER_NETWORK + 2)]

    presses = asyncio.run(scenario())
    assert sum(1 for token, _ in presses if token) == PER_NETWORK
    for token, alerts in presses[PER_NETWORK:]:
        assert not token
        assert any(refusal("error.join.too_many_from_network", text) for text in alerts), alerts
    assert meetings.count_participants(db, meeting.id) == PER_NETWORK
