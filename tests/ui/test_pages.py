"""Every page renders for every role that may see it, and no one else gets in."""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import PAGES, texts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Role
from workshop.ui.navigation import CITIZEN, EVERYONE, FACILITATOR, pages_for
from workshop.ui.navigation import PAGES as PAGE_SPECS

STAFF_PAGES = ["committees", "console", "projector", "summary"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR])
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_render(world, make_app, role, page) -> None:
    at = make_app(user=world["users"][role], query={"meeting": str(world["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception, at.exception
    assert translate("da", "access.denied") not in texts(at)


def test_admin_sees_users_page(world, make_app) -> None:
    at = make_app(user=world["users"][Role.ADMIN]).run()
    at.switch_page(f"{PAGES}/users.py").run()
    assert not at.exception
    assert "politician-user" in str(at.dataframe[0].value)


def test_politician_lands_on_the_summary_with_a_chart(world, make_app) -> None:
    at = make_app(user=world["users"][Role.POLITICIAN]).run()
    assert not at.exception
    assert at.title[0].value == translate("da", "summary.title")
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_anonymous_visitor_sees_the_join_page(world, make_app) -> None:
    at = make_app().run()
    assert not at.exception
    assert at.title[0].value == translate("da", "start.title")


def test_login_page_renders(world, make_app) -> None:
    at = make_app().run()
    at.switch_page(f"{PAGES}/login.py").run()
    assert not at.exception


def test_citizen_page_renders_the_stream(world, make_app) -> None:
    at = make_app(query={"p": world["anna"].token}).run()
    assert not at.exception
    assert "Flere bænke i parken" in texts(at)


def test_projector_opens_by_its_screen_link_without_login(world, make_app) -> None:
    screen = meetings.screen_link_token(world["store"], world["meeting"].id)
    at = make_app(query={"screen": screen}).run()
    assert not at.exception
    html = " ".join(str(e.proto) for e in at.get("html"))
    assert world["meeting"].join_code[:3] in html and "Flere b" in html


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ADMIN, Role.POLITICIAN])
def test_the_screen_link_shows_the_projector_in_a_staff_browser_too(world, make_app, role) -> None:
    """The console's "open the projector view" opens the screen link in the facilitator's own
    browser: it showed the staff's committee list, every meeting on the room's wall, where
    the projector should be (fresh-eyes trial). The screen link wins, as a phone's does."""
    screen = meetings.screen_link_token(world["store"], world["meeting"].id)
    at = make_app(user=world["users"][role], query={"screen": screen}).run()
    assert not at.exception
    html = " ".join(str(e.proto) for e in at.get("html"))
    assert world["meeting"].join_code[:3] in html and "Flere b" in html
    assert translate("da", "page.committees") not in texts(at)


@pytest.mark.parametrize("page", [*STAFF_PAGES, "users"])
def test_a_citizen_cannot_open_staff_pages_by_url(world, make_app, page) -> None:
    """Even running the page script directly (a hand-typed URL), the door stays shut."""
    at = make_app(
        query={"p": world["anna"].token, "meeting": str(world["meeting"].id)},
        script=f"{PAGES}/{page}.py",
    ).run()
    assert not at.exception
    assert translate("da", "access.denied") in texts(at)
    assert "Flere bænke i parken" not in texts(at)


@pytest.mark.parametrize("page", [*STAFF_PAGES, "users"])
def test_a_citizen_is_offered_only_citizen_pages(world, make_app, page) -> None:
    """The router never registers staff pages for a citizen: there is nothing to navigate to."""
    at = make_app(query={"p": world["anna"].token}).run()
    with pytest.raises(ValueError, match="Known pages") as raised:
        at.switch_page(f"{PAGES}/{page}.py")
    known = set(re.findall(r"pages/(\w+)\.py", str(raised.value).split("Known pages")[1]))
    assert "participate" in known
    assert known <= {spec.name for spec in pages_for(CITIZEN)}
    for_everyone = {spec.name for spec in PAGE_SPECS if spec.audiences == EVERYONE}  # the statement
    assert not known & ({spec.name for spec in pages_for(FACILITATOR)} - for_everyone)


@pytest.mark.parametrize("page", ["committees", "console", "users"])
def test_a_politician_cannot_open_facilitator_pages(world, make_app, page) -> None:
    at = make_app(
        user=world["users"][Role.POLITICIAN],
        script=f"{PAGES}/{page}.py",
        query={"meeting": str(world["meeting"].id)},
    ).run()
    assert translate("da", "access.denied") in texts(at)


def test_pages_follow_the_chosen_language(world, make_app) -> None:
    at = make_app(query={"lang": "nb"}).run()
    assert at.title[0].value == translate("nb", "start.title")
    at = make_app(query={"lang": "en"}).run()
    assert at.title[0].value == translate("en", "start.title")
