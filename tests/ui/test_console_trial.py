"""Small defects a fresh-eyes trial of the facilitator's console found (AppTest): ending the
meeting asks first; the moderation log's before/after read as words, with typed text as typed;
the minutes left of a timed step stay right while the console sits open; the moderation tab's
"Vælg" buttons say which idea each picks."""

from __future__ import annotations

from tests.ui.conftest import open_console, texts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.model import MeetingStatus, Role


def da(key: str, /, **params: object) -> str:
    return translate("da", key, **params)


def status(world) -> MeetingStatus:
    return meetings.meeting_state(world["store"], world["meeting"].id).status


def test_ending_the_meeting_asks_first_and_only_yes_ends_it(world, make_app) -> None:
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    # Whatever carries "Afslut mødet", pressing it ends nothing by itself.
    for button in [b for b in at.button if b.label == da("console.close_meeting")]:
        button.click().run()
        assert not at.exception, at.exception
    assert status(world) == MeetingStatus.RUNNING
    assert da("console.close_question.one", count=1) in texts(at)
    at.button(key="console_close_cancel").click().run()
    assert not at.exception, at.exception
    assert status(world) == MeetingStatus.RUNNING
    assert at.session_state["console_close_ask"] is False  # the question closed
    at.button(key="console_close_confirm").click().run()
    assert not at.exception, at.exception
    assert status(world) == MeetingStatus.CLOSED
    assert da("console.close_yes") not in texts(at)  # nothing left to end
