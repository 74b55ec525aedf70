"""The live-session pages in AppTest: console tabs, every kind of step on a phone, the projector."""

from __future__ import annotations

import pytest

from tests.factories import join
from tests.ui import dots
from tests.ui.conftest import PAGES, console_tab, texts
from workshop import committees
from workshop.accounts import users as accounts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.model import Role, StepKind
from workshop.ui import state
from workshop.ui.widgets import flag_words
from workshop.voting import ballots as voting


@pytest.fixture
def room(app_store):
    """A full agenda with ideas, a theme, a hidden and a merged idea."""
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Havnen", "Opgave", actor=fie)
    meeting = meetings.create_meeting(
        app_store,
        committee.id,
        "Borgermøde",
        agenda=meetings.full_agenda("Hvad savner du ved havnen?"),
        actor=fie,
    )
    steps = {s.kind: s for s in meetings.list_steps(app_store, meeting.id)}
    meetings.go_to_step(app_store, meeting.id, steps[StepKind.BRAINSTORM].id, actor=fie)
    anna, bo = join(app_store, meeting, "Anna"), join(app_store, meeting, "Bo")
    posted = [ideas.submit_idea(app_store, bo, f"Idé nummer {n}", per_minute=20) for n in range(10)]
    secret = ideas.submit_idea(app_store, anna, "Ring til 12345678")
    moderation.hide_idea(app_store, secret.id, "Telefonnummer", actor=fie)
    moderation.merge_ideas(app_store, posted[0].id, [posted[1].id], actor=fie)
    theme = themes.create_theme(app_store, meeting.id, "Badeliv", actor=fie)
    themes.assign_theme(app_store, posted[2].id, theme.id, actor=fie)
    return {
        "store": app_store,
        "fie": fie,
        "meeting": meeting,
        "steps": steps,
        "anna": anna,
        "bo": bo,
        "ideas": posted,
    }


def go(room, kind: StepKind) -> None:
    meetings.go_to_step(room["store"], room["meeting"].id, room["steps"][kind].id, actor=None)


def test_console_shows_every_tab_and_the_moderation_log(room, make_app) -> None:
    at = make_app(user=room["fie"], query={"meeting": str(room["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "Idé nummer 3" in shown and "Badeliv" in shown
    assert "2 deltagere er med" in shown
    assert translate("da", "console.hidden_because", reason="Telefonnummer") in shown
    assert not at.dataframe, "only the open tab runs"
    console_tab(at, "log").run()
    assert not at.exception, at.exception
    assert at.dataframe, "the moderation log is shown"
    assert len(at.dataframe[0].value) == len(moderation.list_log(room["store"], room["meeting"].id))
    for tab in ("moderate", "themes", "agenda", "people"):
        console_tab(at, tab).run()
        assert not at.exception, (tab, at.exception)


def test_the_console_says_an_idea_is_held_and_why_not_an_empty_hide_reason(room, make_app) -> None:
    """A held idea (personal data found) is listed last, under the wall, saying it is held and
    what was found; it read "Hidden:" with nothing after it (a fresh-eyes trial)."""
    held = ideas.submit_idea(room["store"], room["anna"], "Skriv til anna@example.dk")
    assert held.held and held.flags
    at = make_app(user=room["fie"], query={"meeting": str(room["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    what = flag_words(held.flags, "da")
    assert translate("da", "moderation.log.held_because", what=what) in captions
    assert translate("da", "console.hidden_because", reason="") not in captions


def test_the_console_says_an_idea_was_erased_at_its_authors_request(room, make_app) -> None:
    """Anna's hidden idea with her phone number goes with her data; the row the moderation
    log points at stays, and the console says why in words, not as the code "erased"."""
    from workshop.privacy import core as privacy

    flagged = ideas.submit_idea(room["store"], room["anna"], "Ring til mig på 22 33 44 55")
    moderation.hide_idea(room["store"], flagged.id, "Telefonnummer", actor=room["fie"])
    privacy.erase_participant(
        room["store"], room["anna"], settings=privacy.PrivacySettings(True, 365)
    )
    at = make_app(user=room["fie"], query={"meeting": str(room["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    reason = translate("da", "idea.erased_reason")
    assert translate("da", "console.hidden_because", reason=reason) in captions
    assert "22 33 44 55" not in texts(at)


def test_console_moves_to_the_next_step_and_adds_time(room, make_app) -> None:
    at = make_app(user=room["fie"], query={"meeting": str(room["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    at.button(key="console_add_time").click().run()
    step = meetings.current_step(room["store"], room["meeting"].id)
    assert step.time_box_minutes == 20
    at.button(key="console_next").click().run()
    assert meetings.current_step(room["store"], room["meeting"].id).kind is StepKind.CLUSTERING


def test_phone_in_the_welcome_step_shows_the_facilitators_message(room, make_app) -> None:
    meetings.update_step(
        room["store"], room["steps"][StepKind.WELCOME].id, prompt="Vi svarer inden jul", actor=None
    )
    go(room, StepKind.WELCOME)
    at = make_app(query={"p": room["anna"].token}).run()
    assert not at.exception
    assert "Vi svarer inden jul" in texts(at)


def test_author_sees_why_their_idea_was_hidden_others_do_not_see_it(room, make_app) -> None:
    anna = make_app(query={"p": room["anna"].token}).run()
    assert "Telefonnummer" in texts(anna)
    bo = make_app(query={"p": room["bo"].token}).run()
    assert "Ring til 12345678" not in texts(bo)


def test_a_phone_that_missed_a_burst_shows_the_newest_ideas_with_their_edits(
    room, make_app
) -> None:
    phone = make_app(query={"p": room["anna"].token}).run()
    assert "Idé nummer 9" in texts(phone)
    store, bo = room["store"], room["bo"]
    burst = [ideas.submit_idea(store, bo, f"Ny idé {n}", per_minute=100) for n in range(50)]
    moderation.edit_idea(store, burst[45].id, "Ny idé 45, rettet", actor=room["fie"])
    shown = texts(phone.run())
    assert "Ny idé 49" in shown and "Ny idé 45, rettet" in shown
    assert "Ny idé 37" not in shown  # the stream shows the newest twelve
    assert "Idé nummer 9" not in shown


def test_phone_in_the_themes_step_sees_the_grouping(room, make_app) -> None:
    go(room, StepKind.CLUSTERING)
    at = make_app(query={"p": room["anna"].token}).run()
    assert not at.exception
    assert "Badeliv" in texts(at) and "Idé nummer 2" in texts(at)


def test_ballot_is_paged_and_a_tap_places_a_dot(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    at = make_app(query={"p": room["anna"].token}).run()
    assert not at.exception
    first = dots.idea_ids(at)
    assert len(first) == 8  # 9 ideas on the wall: hidden and merged ones are not on the ballot
    assert (dots.ballot(at)["page"], dots.ballot(at)["pages"]) == (0, 2)
    status, answer = dots.tap(at, first[0])
    assert (status, answer["ok"], answer["mine"], answer["left"]) == (200, True, [[first[0], 1]], 2)
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    assert sum(voting.my_dots(room["store"], vote_round.id, room["anna"].id).values()) == 1
    at.session_state[state.BALLOT_PAGE] = 1  # what the ballot's "Next" sets (browser journeys)
    at.run()
    rest = dots.idea_ids(at)
    assert len(rest) == 1 and rest[0] not in first
    assert dots.ballot(at)["mine"] == [[first[0], 1]]  # the dot placed on page 1 is still there


def test_wrap_up_shows_the_revealed_results_on_the_phone(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    voting.place_dot(room["store"], room["anna"], vote_round.id, room["ideas"][4].id)
    go(room, StepKind.WRAP_UP)
    at = make_app(query={"p": room["bo"].token}).run()
    shown = " ".join(e.proto.body for e in at.get("html"))
    assert translate("da", "participate.results_title") in texts(at)
    assert translate("da", "common.dots.one", count=1) in shown
    voting.reveal_results(room["store"], vote_round.id, False)
    at = make_app(query={"p": room["bo"].token}).run()
    shown = " ".join(e.proto.body for e in at.get("html"))
    assert translate("da", "common.dots.one", count=1) not in shown
    assert translate("da", "wrapup.hidden") in shown


def test_projector_groups_ideas_by_theme_in_the_themes_step(room, make_app) -> None:
    go(room, StepKind.CLUSTERING)
    screen = meetings.screen_link_token(room["store"], room["meeting"].id)
    at = make_app(query={"screen": screen}).run()
    assert not at.exception
    html = " ".join(str(e.proto) for e in at.get("html"))
    assert "projector-themes" in html and "Badeliv" in html and "Ring til" not in html
