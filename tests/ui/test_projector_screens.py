"""The room's screens in AppTest: what the projector says in each state, the QR code's alt text
and size, the console's switch for a large QR code, and bad input (results revealed before
anyone voted, a vote step without ideas) answered with a message that changes nothing."""

from __future__ import annotations

import re

import pytest

from tests.factories import join
from tests.ui.conftest import PAGES
from workshop import committees
from workshop.accounts import users as accounts
from workshop.meetings import core as meetings
from workshop.meetings import ideas, screen
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting


@pytest.fixture
def room(app_store):
    """Welcome, brainstorm, a dot vote, statements; two people."""
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Havnen", "Opgave", actor=fie)
    agenda = [
        StepSpec(StepKind.WELCOME, ""),
        StepSpec(StepKind.BRAINSTORM, "Hvad savner du ved havnen?"),
        StepSpec(StepKind.DOT_VOTE, ""),
        StepSpec(StepKind.STATEMENTS, ""),
    ]
    meeting = meetings.create_meeting(
        app_store, committee.id, "Borgermøde", agenda=agenda, dots_per_participant=3, actor=fie
    )
    steps = {s.kind: s for s in meetings.list_steps(app_store, meeting.id)}
    meetings.next_step(app_store, meeting.id, actor=fie)
    return {
        "store": app_store,
        "fie": fie,
        "meeting": meeting,
        "steps": steps,
        "anna": join(app_store, meeting, "Anna"),
        "bo": join(app_store, meeting, "Bo"),
    }


def go(room, kind: StepKind) -> None:
    meetings.go_to_step(room["store"], room["meeting"].id, room["steps"][kind].id, actor=None)


def post(room, *texts: str) -> None:
    go(room, StepKind.BRAINSTORM)
    for text in texts:
        ideas.submit_idea(room["store"], room["anna"], text)


def projector(room, make_app):
    token = meetings.screen_link_token(room["store"], room["meeting"].id)
    at = make_app(query={"screen": token}).run()
    assert not at.exception, at.exception
    return at, " ".join(e.proto.body for e in at.get("html"))


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def qr_img(html: str) -> str:
    found = re.search(r'<img[^>]*data-testid="projector-qr"[^>]*>', html)
    assert found, "no QR code on the projector"
    return found.group(0)


def test_the_qr_code_names_the_join_address_in_its_alt_text(room, make_app) -> None:
    _, html = projector(room, make_app)
    img = qr_img(html)
    code = room["meeting"].join_code
    assert re.search(rf'alt="QR-kode: deltag på http://[^"]*/\?code={code}"', img), img
    assert 'src="data:image/svg+xml;base64,' in img


def test_the_console_switch_makes_the_qr_code_large_on_welcome_and_brainstorm(
    room, make_app
) -> None:
    at = make_app(user=room["fie"], query={"meeting": str(room["meeting"].id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    at.toggle(key="console_big_qr").set_value(True).run()
    assert not at.exception, at.exception
    assert screen.has_big_qr(room["store"], room["meeting"].id)
    assert at.toggle(key="console_big_qr").value is True
    audit = room["store"].query("SELECT action, after FROM audit_log WHERE action = 'set_big_qr'")
    assert audit == [{"action": "set_big_qr", "after": '{"big_qr": true}'}]

    _, html = projector(room, make_app)  # welcome
    assert 'width="440"' in qr_img(html)
    go(room, StepKind.BRAINSTORM)
    assert 'width="440"' in qr_img(projector(room, make_app)[1])
    go(room, StepKind.DOT_VOTE)  # the room has joined: the screen goes to the vote
    assert 'width="220"' in qr_img(projector(room, make_app)[1])


def test_the_large_qr_code_is_switched_off_again_and_a_repeat_changes_nothing(room) -> None:
    store, meeting_id = room["store"], room["meeting"].id
    screen.set_big_qr(store, meeting_id, True, actor=room["fie"])
    seq = meetings.meeting_state(store, meeting_id).change_seq
    screen.set_big_qr(store, meeting_id, True, actor=room["fie"])  # already on
    assert meetings.meeting_state(store, meeting_id).change_seq == seq
    screen.set_big_qr(store, meeting_id, False, actor=room["fie"])
    assert not screen.has_big_qr(store, meeting_id)
    assert meetings.meeting_state(store, meeting_id).change_seq == seq + 1  # projectors redraw
    assert [
        r["action"]
        for r in store.query(
            "SELECT action FROM audit_log WHERE entity_id = ? AND action = 'set_big_qr'",
            [meeting_id],
        )
    ] == [
        "set_big_qr",
        "set_big_qr",
    ]


def test_a_closed_intake_says_so_on_the_projector(room, make_app) -> None:
    post(room, "Bænke", "Badebro")
    assert "Lukket for idéer" not in plain(projector(room, make_app)[1])
    meetings.set_intake(room["store"], room["steps"][StepKind.BRAINSTORM].id, False, actor=None)
    shown = plain(projector(room, make_app)[1])
    assert "Lukket for idéer" in shown and "Bænke" in shown


def test_results_shown_before_anyone_voted_say_so_and_draw_nothing_empty(room, make_app) -> None:
    post(room, "Bænke", "Badebro")
    go(room, StepKind.STATEMENTS)  # results show from the start of a round
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    assert vote_round is not None and vote_round.revealed
    at, html = projector(room, make_app)
    shown = plain(html)
    assert "Ingen har stemt endnu" in shown
    assert not at.get("arrow_vega_lite_chart")  # no empty chart
    assert "Sig enig eller uenig på telefonen" in shown  # still the call to vote
    assert "Bænke" in shown  # the ideas to vote on
    assert voting.current_round(room["store"], room["meeting"].id).revealed  # nothing changed


def test_the_heading_names_the_results_once_they_show(room, make_app) -> None:
    post(room, "Bænke", "Badebro")
    go(room, StepKind.DOT_VOTE)
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    voting.reveal_results(room["store"], vote_round.id, False)
    voting.place_dot(
        room["store"],
        room["bo"],
        vote_round.id,
        ideas.list_ideas(room["store"], room["meeting"].id)[1].id,
    )
    shown = plain(projector(room, make_app)[1])
    assert "Sæt jeres prikker på telefonen" in shown and "Resultat" not in shown
    voting.reveal_results(room["store"], vote_round.id)
    shown = plain(projector(room, make_app)[1])
    assert "Resultat: Prikafstemning" in shown
    assert "Sæt jeres prikker" not in shown
    assert "1. Badebro 1 prik" in shown


def test_a_vote_step_without_ideas_says_so(room, make_app) -> None:
    go(room, StepKind.DOT_VOTE)
    shown = plain(projector(room, make_app)[1])
    assert "Der er ingen idéer at stemme om endnu." in shown
    assert "Ingen har stemt endnu" not in shown


def test_opinion_groups_older_than_the_votes_are_looked_at_again_within_a_second(
    room, make_app
) -> None:
    """The projector drew the groups of an earlier vote ("needs votes on 2 statements, so far
    1") while the newest were computed in the background: it asks for a run at the next second
    to draw them, whatever the older result said (it waited for the next vote instead)."""
    from tests.ui.test_screens_push import _component
    from workshop.voting import methods as vote_methods

    store = room["store"]
    post(room, "Bænke", "Badebro")
    go(room, StepKind.STATEMENTS)
    vote_round = voting.current_round(store, room["meeting"].id)
    first, second = [i.id for i in ideas.list_ideas(store, room["meeting"].id)]
    vote_methods.cast_stance(store, room["anna"], vote_round.id, first, 1)
    seq = meetings.meeting_state(store, room["meeting"].id).vote_seq
    vote_methods.opinion_groups_snapshot(store, vote_round.id, seq)  # e.g. the console's
    vote_methods.groups_worker.wait()
    vote_methods.cast_stance(store, room["bo"], vote_round.id, second, -1)
    at, _ = projector(room, make_app)
    assert 0 < _component(at)["turn"] <= 1_050
    vote_methods.groups_worker.wait()


def test_the_consoles_results_say_whether_the_room_sees_them(room, make_app) -> None:
    """The console's results said "only you see them until you show them" while the room saw
    them (a round's results show from its start)."""
    from tests.ui.conftest import open_console
    from workshop.i18n import translate

    post(room, "Bænke", "Badebro")
    go(room, StepKind.STATEMENTS)
    vote_round = voting.current_round(room["store"], room["meeting"].id)
    at = open_console(make_app, room["fie"], room["meeting"].id)
    labels = [e.label for e in at.expander]
    assert translate("da", "console.round_results_shown", number=1) in labels, labels
    voting.reveal_results(room["store"], vote_round.id, False)
    at = open_console(make_app, room["fie"], room["meeting"].id)
    labels = [e.label for e in at.expander]
    assert translate("da", "console.round_results", number=1) in labels, labels


def test_the_console_looks_again_within_a_second_while_its_opinion_groups_are_computed(
    room, make_app
) -> None:
    """The console drew its results before their opinion groups were computed: nothing else
    tells it they are done, so it asks for a run at the next second (it showed "computing"
    until the next vote)."""
    from tests.ui.conftest import open_console
    from tests.ui.test_screens_push import _component
    from workshop.voting import methods as vote_methods

    store = room["store"]
    post(room, "Bænke", "Badebro")
    go(room, StepKind.STATEMENTS)
    vote_round = voting.current_round(store, room["meeting"].id)
    first = ideas.list_ideas(store, room["meeting"].id)[0].id
    vote_methods.cast_stance(store, room["anna"], vote_round.id, first, 1)
    at = open_console(make_app, room["fie"], room["meeting"].id)
    assert 0 < _component(at)["turn"] <= 1_050
    vote_methods.groups_worker.wait()
    at = open_console(make_app, room["fie"], room["meeting"].id)
    assert _component(at)["turn"] == 0  # computed: nothing more to look for


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_a_renewed_screen_link_says_so_on_the_wall_not_the_join_form(
    room, make_app, language
) -> None:
    """The console made a new screen link: a projector still on the old one says why it shows
    nothing, in the reader's language (it turned into the citizens' join form, silently)."""
    from workshop.i18n import translate

    old = meetings.screen_link_token(room["store"], room["meeting"].id)
    meetings.new_screen_link(room["store"], room["meeting"].id, actor=None)
    at = make_app(query={"screen": old, "lang": language}).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == [translate(language, "screen_gone.title")]
    assert [e.value for e in at.warning] == [translate(language, "screen_gone.body")]
    assert not at.text_input  # no join form
    at = make_app(query={"screen": "forged-secret", "lang": language}).run()
    assert [e.value for e in at.title] == [translate(language, "screen_gone.title")]


def test_the_closing_slide_names_no_step(room, make_app) -> None:
    post(room, "Bænke")
    go(room, StepKind.DOT_VOTE)
    assert '<span class="sk-step">Prikafstemning</span>' in projector(room, make_app)[1]
    meetings.close_meeting(room["store"], room["meeting"].id, actor=None)
    html = projector(room, make_app)[1]
    assert "Tak fordi I deltog!" in plain(html)
    assert '<span class="sk-step"></span>' in html  # the last step's label was there


def test_a_wall_of_pages_says_the_newest_ideas_stay_on_every_page(room, make_app) -> None:
    """The newest six ideas stay on the wall while older ones take turns: the footer says so
    (a fresh-eyes trial read page 2's first six cards as page 1's ideas shown twice)."""
    go(room, StepKind.BRAINSTORM)
    for n in range(1, 19):
        ideas.submit_on_behalf(
            room["store"],
            room["meeting"].id,
            f"Idé {n:02}",
            author_name="Karen",
            actor=room["fie"],
            max_chars=500,
        )
    shown = plain(projector(room, make_app)[1])
    assert "De 6 nyeste idéer står fast" in shown, shown
    assert "side 1 af 2 · 18 idéer i alt" in shown or "side 2 af 2 · 18 idéer i alt" in shown
