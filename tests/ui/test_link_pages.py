"""Pages that show links staff need again: the link is derived on demand; when it cannot be
(made before links were stored as hashes), the page says so and offers a new link."""

from __future__ import annotations

import pytest

from tests.ui.conftest import PAGES, texts
from workshop import committees
from workshop.errors import NotFound
from workshop.feedback import core as feedback
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import Role


def da(key: str, **params: str) -> str:
    return translate("da", key, **params)


def link_buttons(at) -> list[str]:
    return [str(e.proto.url) for e in at.get("link_button")]


def codes(at) -> str:
    return " ".join(c.value for c in at.code)


def forget_salts(store) -> None:
    """What a link made before hashing looks like: a digest with nothing to derive it from."""
    store.execute("UPDATE meetings SET screen_salt = NULL")
    store.execute("UPDATE committee_states SET public_salt = NULL")
    store.execute("UPDATE meeting_outcome_links SET salt = NULL")


@pytest.mark.parametrize(
    ("page", "new_link_key"),
    [
        ("console", "console_new_screen_link"),
        ("feedback", "feedback_new_outcome_link"),
        ("mandate_editor", "mandate_editor_new_link"),
        ("recruitment", "recruitment_new_link"),
    ],
)
def test_a_link_that_cannot_be_shown_is_replaced_on_request(
    world, make_app, page, new_link_key
) -> None:
    db, meeting = world["store"], world["meeting"]
    old_screen = meetings.screen_link_token(db, meeting.id)
    old_public = committees.public_link_token(db, meeting.committee_id)
    old_outcome = feedback.outcome_token(db, meeting.id)
    forget_salts(db)
    query = {"meeting": str(meeting.id), "committee": str(meeting.committee_id)}
    at = make_app(user=world["users"][Role.FACILITATOR], query=query).run()
    at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception, at.exception
    assert da("links.cannot_show") in texts(at)
    shown = codes(at) + " ".join(link_buttons(at))
    assert not any(old in shown for old in (old_screen, old_public, old_outcome) if old)
    # The old link still works until a new one is made.
    assert meetings.get_meeting_by_screen_token(db, old_screen).id == meeting.id

    at.button(key=new_link_key).click().run()
    assert not at.exception, at.exception
    assert da("links.cannot_show") not in texts(at)
    shown = codes(at) + " ".join(link_buttons(at))
    if page == "console":
        new = meetings.screen_link_token(db, meeting.id)
        assert new and f"screen={new}" in shown
    elif page == "feedback":
        new = feedback.existing_outcome_token(db, meeting.id)
        assert new and f"o={new}" in shown
        assert feedback.meeting_by_outcome_token(db, new).id == meeting.id
    else:
        new = committees.public_link_token(db, meeting.committee_id)
        assert new and f"link={new}" in shown
        with pytest.raises(NotFound):  # the old mandate and application link is retired
            committees.get_committee_by_token(db, old_public or "")


def test_the_console_shows_the_projector_link_derived_again(world, make_app) -> None:
    db, meeting = world["store"], world["meeting"]
    at = make_app(user=world["users"][Role.FACILITATOR], query={"meeting": str(meeting.id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    screen = meetings.screen_link_token(db, meeting.id)
    assert screen and any(f"screen={screen}" in url for url in link_buttons(at))
    assert da("links.cannot_show") not in texts(at)
