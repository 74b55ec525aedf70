"""The staff-cookie routes on the real server (``streamlit run``), over plain HTTP and websockets.

The login page cannot set a cookie over its websocket; these routes do. What must hold: the
cookie is HttpOnly, SameSite=Lax, Path=/ and Secure behind HTTPS; a ticket works once; the
redirect never leaves the site; a browser that sends the cookie is that staff member on
every new page load; and logging out ends it.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
from websockets.asyncio.client import connect

from tests.browser.conftest import Server, serving
from workshop.accounts import sessions as staff_sessions
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.i18n import translate
from workshop.model import Role, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "route passphrase 2026"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("auth") / "auth.db"
    store = open_store(db_path)
    accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    store.close()
    with serving(db_path) as running:
        yield running


@pytest.fixture
def db(server: Server) -> Iterator[Store]:
    store = open_store(server.db_path)
    yield store
    store.close()


@pytest.fixture
def fie(db: Store) -> User:
    return accounts.authenticate(db, "fie", PASSWORD)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def fetch(url: str, **headers: str) -> tuple[int, dict[str, list[str]], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=15) as response:
            status, message, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, body = error.code, error.headers, error.read()
    found: dict[str, list[str]] = {}
    for name, value in message.items():
        found.setdefault(name.lower(), []).append(value)
    return status, found, body.decode("utf-8", "replace")


def staff_cookie(headers: dict[str, list[str]]) -> str | None:
    for line in headers.get("set-cookie", []):
        if line.startswith(f"{staff_sessions.COOKIE_NAME}="):
            return line
    return None


def test_a_ticket_sets_an_httponly_cookie_and_redirects_on_this_site(server, db, fie) -> None:
    ticket = staff_sessions.create_ticket(db, fie, next_path="/console?meeting=3")
    status, headers, _ = fetch(f"{server.url}/auth/session?ticket={ticket}")
    assert status == 303
    assert headers["location"] == ["/console?meeting=3"]
    line = staff_cookie(headers)
    assert line is not None
    attributes = {part.strip().split("=")[0].lower() for part in line.split(";")}
    assert {"httponly", "path", "samesite", "max-age"} <= attributes
    assert "samesite=lax" in line.lower() and "path=/;" in line.lower() + ";"
    assert "secure" not in attributes  # plain HTTP here: a Secure cookie would never return
    token = SimpleCookie(line)[staff_sessions.COOKIE_NAME].value
    session = staff_sessions.resolve_session(db, token)
    assert session is not None and session.user.username == "fie"
    assert "no-store" in headers["cache-control"][0]


def test_a_used_ticket_is_refused_in_the_browsers_language(server, db, fie) -> None:
    ticket = staff_sessions.create_ticket(db, fie)
    assert fetch(f"{server.url}/auth/session?ticket={ticket}")[0] == 303
    status, headers, body = fetch(
        f"{server.url}/auth/session?ticket={ticket}", **{"Accept-Language": "da-DK,da;q=0.9"}
    )
    assert status == 400
    assert staff_cookie(headers) is None
    assert body == translate("da", "auth.ticket_invalid")
    assert fetch(f"{server.url}/auth/session?ticket=guess")[0] == 400
    assert fetch(f"{server.url}/auth/session")[0] == 400


def test_behind_https_the_cookie_is_secure(server, db, fie) -> None:
    ticket = staff_sessions.create_ticket(db, fie)
    status, headers, _ = fetch(
        f"{server.url}/auth/session?ticket={ticket}", **{"X-Forwarded-Proto": "https"}
    )
    assert status == 303
    line = staff_cookie(headers)
    assert line is not None and "secure" in line.lower()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil.example"],
)
def test_the_redirect_never_leaves_the_site(server, db, fie, target) -> None:
    ticket = staff_sessions.create_ticket(db, fie, next_path=target)
    status, headers, _ = fetch(f"{server.url}/auth/session?ticket={ticket}&next={quote(target)}")
    assert status == 303
    assert headers["location"] == ["/"]


def test_a_ticket_from_another_site_is_not_redeemed(server, db, fie) -> None:
    """Login CSRF: a link elsewhere must not log this browser into someone's account."""
    ticket = staff_sessions.create_ticket(db, fie)
    status, headers, _ = fetch(
        f"{server.url}/auth/session?ticket={ticket}", **{"Sec-Fetch-Site": "cross-site"}
    )
    assert status == 400 and staff_cookie(headers) is None


def _page_texts(server: Server, cookie: str | None, monkeypatch: pytest.MonkeyPatch) -> str:
    """Load the app over its websocket as a browser holding ``cookie`` would (a reload)."""
    bench = ROOT / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    import stclient

    extra = {"Cookie": f"{staff_sessions.COOKIE_NAME}={cookie}"} if cookie else {}

    def connect_with_cookie(*args, **kwargs):  # type: ignore[no-untyped-def]
        headers = dict(kwargs.pop("additional_headers", None) or {})
        headers.update(extra)
        return connect(*args, additional_headers=headers or None, **kwargs)

    monkeypatch.setattr(stclient, "connect", connect_with_cookie)

    async def load() -> str:
        async with stclient.StreamlitSession(server.url) as tab:
            await tab.run()
            return "\n".join(element.text for element in tab.elements)

    return asyncio.run(load())


def test_every_page_load_with_the_cookie_is_the_staff_member_until_logout(
    server, db, fie, monkeypatch
) -> None:
    ticket = staff_sessions.create_ticket(db, fie)
    _, headers, _ = fetch(f"{server.url}/auth/session?ticket={ticket}")
    line = staff_cookie(headers)
    assert line is not None
    token = SimpleCookie(line)[staff_sessions.COOKIE_NAME].value

    assert translate("da", "committees.title") in _page_texts(server, token, monkeypatch)
    assert translate("da", "start.title") in _page_texts(server, None, monkeypatch)
    assert translate("da", "start.title") in _page_texts(server, "forged", monkeypatch)

    # /auth/logout does not clear a live session's cookie (a link from elsewhere)...
    cookie = {"Cookie": f"{staff_sessions.COOKIE_NAME}={token}"}
    status, headers, _ = fetch(f"{server.url}/auth/logout", **cookie)
    assert status == 303 and staff_cookie(headers) is None
    # ...the logout page ends it in the database first, then the route clears the cookie.
    assert staff_sessions.end_session(db, token, actor=fie)
    status, headers, _ = fetch(f"{server.url}/auth/logout?next=/login", **cookie)
    assert status == 303 and headers["location"] == ["/login"]
    cleared = staff_cookie(headers)
    assert cleared is not None and ('=""' in cleared or "max-age=0" in cleared.lower())
    assert translate("da", "start.title") in _page_texts(server, token, monkeypatch)
