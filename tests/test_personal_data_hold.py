"""An idea with personal data in it is held for the facilitator: not on the wall, not on other
phones, not on a ballot, not in an export, until the facilitator hides it (one tap, with a
reason its author sees) or lets it through; its author is told why it waits."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.errors import NotAllowed
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.meetings.stream import StreamWindow
from workshop.reports import exports
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods


@pytest.fixture
def room(store, meeting):
    start(store, meeting)
    return join(store, meeting, "Anna"), join(store, meeting, "Bo")


def test_an_idea_with_a_phone_number_is_held_and_flagged(store, meeting, room) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Ring til mig på 22 33 44 55 om bænkene")
    assert idea.held and idea.hidden
    assert idea.flags == ("phone",)
    clean = ideas.submit_idea(store, anna, "Flere bænke i skyggen")
    assert not clean.held and not clean.hidden and clean.flags == ()


def test_a_held_idea_reaches_no_read_path_of_the_room(store, meeting, room, facilitator) -> None:
    anna, bo = room
    held = ideas.submit_idea(store, anna, "Skriv til lone.hansen@gmail.com")
    shown = ideas.submit_idea(store, anna, "Flere bænke")
    state = meetings.meeting_state(store, meeting.id)
    # the wall (projector) and its count
    assert [i.id for i in ideas.wall_ideas(store, meeting.id, state.change_seq)] == [shown.id]
    assert ideas.wall_count(store, meeting.id, state.change_seq) == 1
    # other phones: Bo's stream leaves it out; Anna, its author, keeps seeing it
    fresh = ideas.ideas_changed_since(store, meeting.id, 0)
    assert held.id not in [i.id for i in StreamWindow(bo.id).stream(fresh)]
    assert held.id in [i.id for i in StreamWindow(anna.id).stream(fresh)]
    # ballots: nobody can place a dot on it
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    assert held.id not in [
        i.id for i in StreamWindow(bo.id).ballot(ideas.list_ideas(store, meeting.id))
    ]
    with pytest.raises(NotAllowed):
        voting.place_dot(store, bo, vote_round.id, held.id)
    # later rounds and exports
    assert held.id not in vote_methods._candidates(store.db, meeting.id)
    exported = exports.export_records(store, meeting.committee_id)
    assert list(exported.tables["ideas"]["id"]) == [shown.id]


def test_one_tap_hides_a_held_idea_and_its_author_sees_why(
    store, meeting, room, facilitator
) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Min søns cpr er 120512-3456")
    seen = meetings.meeting_state(store, meeting.id).change_seq
    moderation.hide_idea(store, idea.id, "Personoplysninger", actor=facilitator)
    [changed] = ideas.ideas_changed_since(store, meeting.id, seen)
    assert (changed.hidden, changed.held, changed.hide_reason) == (True, False, "Personoplysninger")
    assert changed.flags == ("national_id",)  # the flag stays for the record


def test_a_false_alarm_is_let_through_and_reaches_the_wall(
    store, meeting, room, facilitator
) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Bekkestuveien 27 trenger fartsdumper")
    assert idea.held
    moderation.release_idea(store, idea.id, actor=facilitator)
    released = ideas.get_idea(store, idea.id)
    assert not released.hidden and not released.held
    assert idea.id in [i.id for i in ideas.list_ideas(store, meeting.id)]
    assert [e["action"] for e in moderation.list_log(store, meeting.id)][-1] == "release_idea"


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_the_log_says_what_was_held_and_let_through_or_hidden(
    store, meeting, room, facilitator, lang
) -> None:
    """The console's log in words: letting a held idea through raised an error in the log
    table (its flags were logged as "phone,…" and read letter by letter), and hiding one said
    "Hidden → Hidden" (a held idea is hidden from the room) instead of "Held → Hidden"."""
    from workshop.i18n import formats, translate

    anna, _ = room
    released = ideas.submit_idea(store, anna, "Ring på 22 33 44 55 eller lone@example.dk")
    hidden = ideas.submit_idea(store, anna, "Min søns cpr er 120512-3456")
    moderation.release_idea(store, released.id, actor=facilitator)
    moderation.hide_idea(store, hidden.id, "Personoplysninger", actor=facilitator)
    frame = moderation.log_frame(store, meeting.id, lang=lang)

    def say(key: str, **params: object) -> str:
        return translate(lang, f"moderation.log.{key}", **params)

    def kinds(*names: str) -> str:
        found = [translate(lang, f"personal_data.kind.{name}") for name in names]
        return formats.word_list(found, lang)

    let_through, hid = frame.to_dict("records")
    assert let_through["before"] == say("held_because", what=kinds("phone", "email"))
    assert let_through["after"] == say("shown")
    assert hid["before"] == say("held_because", what=kinds("national_id"))
    assert hid["after"] == say("hidden")


def test_releasing_an_idea_that_is_not_held_changes_nothing(
    store, meeting, room, facilitator
) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Flere bænke")
    before = moderation.list_log(store, meeting.id)
    with pytest.raises(NotAllowed) as raised:
        moderation.release_idea(store, idea.id, actor=facilitator)
    assert raised.value.key == "error.moderation.not_held"
    assert moderation.list_log(store, meeting.id) == before


def test_an_edit_that_removes_the_number_clears_the_flag_but_keeps_the_hold(
    store, meeting, room, facilitator
) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Ring 22 33 44 55 om legepladsen")
    moderation.edit_idea(store, idea.id, "Ring om legepladsen", actor=facilitator)
    edited = ideas.get_idea(store, idea.id)
    assert edited.flags == () and edited.held  # the facilitator lets it through when ready


def test_an_idea_entered_on_behalf_is_held_too(store, meeting, room, facilitator) -> None:
    idea = ideas.submit_on_behalf(
        store, meeting.id, "Kari på Storgata 5B vil ha lys", author_name="Kari", actor=facilitator
    )
    assert idea.held and idea.flags == ("address",)


def test_held_ideas_are_listed_for_the_console(store, meeting, room) -> None:
    anna, bo = room
    first = ideas.submit_idea(store, anna, "tlf 28934512")
    ideas.submit_idea(store, bo, "Flere bænke")
    second = ideas.submit_idea(store, bo, "Storgata 5B")
    assert [i.id for i in moderation.list_held(store, meeting.id)] == [first.id, second.id]


def test_pre_moderation_holds_every_idea_of_the_step_until_approved(
    store, meeting, room, facilitator
) -> None:
    anna, bo = room
    step = meetings.current_step(store, meeting.id)
    before = ideas.submit_idea(store, anna, "Før forhåndsgodkendelse")
    moderation.set_pre_moderation(store, step.id, True, actor=facilitator)
    assert moderation.has_pre_moderation(store, step.id)
    waiting = ideas.submit_idea(store, bo, "Flere bænke")
    assert waiting.held and waiting.hidden and waiting.flags == ()
    assert not ideas.get_idea(store, before.id).held
    state = meetings.meeting_state(store, meeting.id)
    assert [i.id for i in ideas.wall_ideas(store, meeting.id, state.change_seq)] == [before.id]
    moderation.release_idea(store, waiting.id, actor=facilitator)
    assert not ideas.get_idea(store, waiting.id).hidden
    moderation.set_pre_moderation(store, step.id, False, actor=facilitator)
    assert not ideas.submit_idea(store, anna, "Cykelsti").held
    actions = [e["action"] for e in moderation.list_log(store, meeting.id)]
    assert actions.count("set_pre_moderation") == 2
