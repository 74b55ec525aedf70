"""The console's moderation tab at scale, in AppTest: held ideas with one-tap hide or let
through, the author's phone saying why an idea waits."""

from __future__ import annotations

import pytest

from tests.factories import join
from tests.ui.conftest import open_console, texts
from workshop import committees
from workshop.accounts import users as accounts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import duplicates, ideas, moderation
from workshop.model import Role, StepKind


@pytest.fixture
def room(app_store):
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Parken", "Opgave", actor=fie)
    meeting = meetings.create_meeting(
        app_store,
        committee.id,
        "Borgermøde",
        agenda=meetings.full_agenda("Hvad savner du i parken?"),
        actor=fie,
    )
    steps = {s.kind: s for s in meetings.list_steps(app_store, meeting.id)}
    meetings.go_to_step(app_store, meeting.id, steps[StepKind.BRAINSTORM].id, actor=fie)
    anna, bo = join(app_store, meeting, "Anna"), join(app_store, meeting, "Bo")
    held = ideas.submit_idea(app_store, anna, "Ring til mig på 22 33 44 55 om bænkene")
    shown = ideas.submit_idea(app_store, bo, "Flere bænke i skyggen")
    return {
        "store": app_store,
        "fie": fie,
        "meeting": meeting,
        "anna": anna,
        "bo": bo,
        "held": held,
        "shown": shown,
    }


def console(room, make_app):
    return open_console(make_app, room["fie"], room["meeting"].id)


def test_the_console_lists_held_ideas_with_what_was_found(room, make_app) -> None:
    at = console(room, make_app)
    shown = texts(at)
    assert translate("da", "moderation_scale.held_title", count=1) in shown
    assert translate("da", "moderation_scale.held_flags", what="et telefonnummer") in shown


def test_one_tap_hides_a_held_idea_and_the_author_learns_why(room, make_app) -> None:
    at = console(room, make_app)
    at.button(key=f"console_held_hide_{room['held'].id}").click().run()
    assert not at.exception, at.exception
    hidden = ideas.get_idea(room["store"], room["held"].id)
    assert hidden.hidden and not hidden.held
    assert hidden.hide_reason == translate(
        "da", "moderation_scale.personal_reason", what="et telefonnummer"
    )
    assert translate("da", "moderation_scale.held_title", count=0) in texts(at)
    phone = make_app(query={"p": room["anna"].token}).run()
    assert hidden.hide_reason in texts(phone)


def test_letting_a_held_idea_through_puts_it_on_the_wall(room, make_app) -> None:
    at = console(room, make_app)
    at.button(key=f"console_held_release_{room['held'].id}").click().run()
    released = ideas.get_idea(room["store"], room["held"].id)
    assert not released.hidden and not released.held


def test_the_author_is_told_why_their_idea_waits_and_others_do_not_see_it(room, make_app) -> None:
    anna = make_app(query={"p": room["anna"].token}).run()
    assert not anna.exception, anna.exception
    assert translate("da", "idea.held_for_you", what="et telefonnummer") in texts(anna)
    bo = make_app(query={"p": room["bo"].token}).run()
    assert "22 33 44 55" not in texts(bo)
    assert "Flere bænke i skyggen" in texts(bo)


def test_search_and_filters_narrow_the_list_and_a_row_picks_the_idea(room, make_app) -> None:
    more = [
        ideas.submit_idea(room["store"], room["bo"], f"Idé nummer {n}", per_minute=60)
        for n in range(40)
    ]
    at = console(room, make_app)
    assert translate("da", "moderation_scale.page", number=1, pages=2) in texts(at)
    at.text_input(key="console_browse_search").input("NUMMER 37").run()
    # "Idé nummer 37", and "Idé nummer 34", which is #37
    assert translate("da", "moderation_scale.browse_count.other", count=2) in texts(at)
    at.text_input(key="console_browse_search").input("").run()
    at.selectbox(key="console_browse_status").select("held").run()
    assert translate("da", "moderation_scale.browse_count.one", count=1) in texts(at)
    at.selectbox(key="console_browse_status").select("all").run()
    at.checkbox(key="console_browse_flagged").check().run()
    assert translate("da", "moderation_scale.browse_count.one", count=1) in texts(at)
    at.checkbox(key="console_browse_flagged").uncheck().run()
    at.button(key=f"console_browse_pick_{more[-1].id}").click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key="console_mod_idea").value.id == more[-1].id


def test_a_suggested_duplicate_group_merges_in_one_tap(room, make_app) -> None:
    store = room["store"]
    dup = ideas.submit_idea(store, room["anna"], "flere bænke i skyggen tak")
    seq = meetings.meeting_state(store, room["meeting"].id).change_seq
    duplicates.duplicates_snapshot(store, room["meeting"].id, seq)
    duplicates.duplicates_worker.wait()
    at = console(room, make_app)
    assert translate("da", "moderation_scale.duplicates_title.one", count=1) in texts(at)
    at.button(key=f"console_dup_merge_{room['shown'].id}").click().run()
    assert not at.exception, at.exception
    assert ideas.get_idea(store, dup.id).merged_into_id == room["shown"].id


def test_a_suggestion_gone_stale_is_refused_in_words_not_silently(room, make_app) -> None:
    """A co-facilitator hides an idea of a suggested group while it is on screen: the tap is
    refused with a message (it vanished without a word: the group was gone from the redraw)."""
    store = room["store"]
    dup = ideas.submit_idea(store, room["anna"], "flere bænke i skyggen tak")
    seq = meetings.meeting_state(store, room["meeting"].id).change_seq
    duplicates.duplicates_snapshot(store, room["meeting"].id, seq)
    duplicates.duplicates_worker.wait()
    at = console(room, make_app)
    moderation.hide_idea(store, dup.id, "Dublet", actor=room["fie"])  # elsewhere, meanwhile
    at.button(key=f"console_dup_merge_{room['shown'].id}").click().run()
    assert not at.exception, at.exception
    assert translate("da", "error.suggestions.stale") in [toast.value for toast in at.toast]
    assert ideas.get_idea(store, dup.id).merged_into_id is None


def test_pre_moderation_is_switched_on_in_the_console_and_holds_new_ideas(room, make_app) -> None:
    at = console(room, make_app)
    step = meetings.current_step(room["store"], room["meeting"].id)
    at.toggle(key=f"console_pre_moderation_{step.id}").set_value(True).run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    waiting = ideas.submit_idea(room["store"], room["bo"], "Cykelsti langs åen")
    assert waiting.held and waiting.flags == ()
    at.run()
    assert translate("da", "moderation_scale.held_title", count=2) in texts(at)
    at.button(key=f"console_held_hide_{waiting.id}").click().run()
    hidden = ideas.get_idea(room["store"], waiting.id)
    assert hidden.hide_reason == translate("da", "moderation_scale.not_approved_reason")


def test_the_toggle_follows_a_co_facilitator_and_does_not_switch_back(room, make_app) -> None:
    at = console(room, make_app)
    step = meetings.current_step(room["store"], room["meeting"].id)
    moderation.set_pre_moderation(room["store"], step.id, True, actor=room["fie"])  # elsewhere
    at.run()
    assert moderation.has_pre_moderation(room["store"], step.id)
    assert at.toggle(key=f"console_pre_moderation_{step.id}").value is True
