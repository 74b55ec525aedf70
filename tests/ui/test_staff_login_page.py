"""The login page hands a successful login to /auth/session with a one-time ticket."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.ui.conftest import PAGES, texts
from workshop.accounts import sessions as staff_sessions
from workshop.i18n import translate
from workshop.model import Role


def submit(make_app, username: str, password: str, next_path: str | None = None):
    at = make_app(script=f"{PAGES}/login.py", query={"next": next_path} if next_path else None)
    at.run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[-1].click()
    return at.run()


def ticket_in(at) -> str:
    links = [m.value for m in at.markdown if "/auth/session?ticket=" in m.value]
    assert len(links) == 1, texts(at)
    url = links[0].split("](", 1)[1].rstrip(")")
    return parse_qs(urlsplit(url).query)["ticket"][0]


@pytest.mark.parametrize(
    ("role", "next_path", "lands"),
    [
        (Role.FACILITATOR, "/console?meeting=4", "/console?meeting=4"),
        (Role.POLITICIAN, "/console?meeting=4", "/"),  # not theirs: home instead
        (Role.FACILITATOR, "https://evil.example/", "/"),
        (Role.FACILITATOR, None, "/"),
    ],
)
def test_a_login_makes_a_ticket_for_the_page_asked_for(
    world, make_app, role, next_path, lands
) -> None:
    at = submit(make_app, f"{role.value}-user", "a long passphrase", next_path)
    assert not at.exception
    assert translate("da", "auth.logging_in", name=f"{role.value}-user") in texts(at)
    token, target = staff_sessions.redeem_ticket(world["store"], ticket_in(at))
    assert target == lands
    session = staff_sessions.resolve_session(world["store"], token)
    assert session is not None and session.user.role == role


def test_a_wrong_password_makes_no_ticket(world, make_app) -> None:
    at = submit(make_app, "facilitator-user", "wrong password!!")
    assert translate("da", "error.login.failed") in texts(at)
    assert world["store"].scalar("SELECT count(*) FROM staff_login_tickets") == 0
