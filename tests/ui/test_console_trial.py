"""Small defects a fresh-eyes trial of the facilitator's console found (AppTest): ending the
meeting asks first; the moderation log's before/after read as words, with typed text as typed;
the minutes left of a timed step stay right while the console sits open; the moderation tab's
"Vælg" buttons say which idea each picks."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.factories import join
from tests.ui.conftest import open_console, texts
from workshop.errors import NotAllowed
from workshop.i18n import translate, translate_count
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.model import MeetingStatus, Role
from workshop.ui.widgets import minutes_left


def da(key: str, /, **params: object) -> str:
    return translate("da", key, **params)


def tn_da(key: str, count: int) -> str:
    return translate_count("da", key, count)


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


def test_the_moderation_log_reads_as_words_and_typed_text_as_typed(world, make_app) -> None:
    store, fie = world["store"], world["users"][Role.FACILITATOR]
    (idea,) = ideas.list_ideas(store, world["meeting"].id)
    typed = "**Flere** bænke <b>i</b> [parken](https://x.dk)"
    moderation.hide_idea(store, idea.id, "dublet", actor=fie)
    moderation.unhide_idea(store, idea.id, actor=fie)
    moderation.edit_idea(store, idea.id, typed, reason="stavning", actor=fie)
    theme = themes.create_theme(store, world["meeting"].id, "Parken", actor=fie)
    themes.assign_theme(store, idea.id, theme.id, actor=fie)
    twin = ideas.submit_idea(store, join(store, world["meeting"], "Bo"), "Bænke i parken")
    moderation.merge_ideas(store, idea.id, [twin.id], actor=fie)
    at = open_console(make_app, fie, world["meeting"].id, "log")
    (table,) = [frame.value for frame in at.dataframe]
    rows = {row["action"]: row for row in table.to_dict("records")}

    def reads(action: str, before: str, after: str) -> None:
        row = rows[da(f"moderation.action.{action}")]
        assert (row["before"], row["after"]) == (before, after), row

    reads("hide_idea", da("moderation.log.shown"), da("moderation.log.hidden"))
    reads(
        "unhide_idea",
        da("moderation.log.hidden_because", reason="dublet"),
        da("moderation.log.shown"),
    )
    reads("edit_idea", "Flere bænke i parken", typed)  # as typed: no escapes, no markup
    reads("create_theme", "", "Parken")
    reads("assign_theme", da("moderation.log.no_theme"), "Parken")
    reads(
        "merge_idea",
        f"Bænke i parken · {translate_count('da', 'common.dots', 0)}",
        da("moderation.log.merged_into", idea=f"#{idea.id}"),
    )
    cells = " ".join(str(v) for v in table[["before", "after"]].to_numpy().ravel())
    assert "{" not in cells and '"' not in cells  # no JSON left


def test_the_minutes_left_run_on_a_timer_of_their_own(world, make_app, sent) -> None:
    """The line is drawn by a fragment that asks the browser for a timed rerun: it stays
    right while nothing else makes the console run (the projector's countdown did)."""
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    step = meetings.current_step(world["store"], world["meeting"].id)
    assert step is not None and step.started_at
    left = minutes_left(step)
    assert left is not None and left > 0
    line = tn_da("console.minutes_left", left)
    assert line in texts(at)
    timed = {
        m.auto_rerun.fragment_id: m.auto_rerun.interval for m in sent if m.HasField("auto_rerun")
    }
    drawn_in = {
        m.delta.fragment_id
        for m in sent
        if m.HasField("delta") and line in m.delta.new_element.markdown.body
    }
    assert drawn_in and all(timed.get(fragment, 0) > 0 for fragment in drawn_in), (timed, drawn_in)
    assert max(timed[fragment] for fragment in drawn_in) <= 10  # within seconds, not minutes


def test_each_pick_button_is_named_with_the_idea_it_picks(world, make_app) -> None:
    store, fie = world["store"], world["users"][Role.FACILITATOR]
    made = [
        ideas.submit_idea(store, join(store, world["meeting"], f"P{n}"), text)
        for n, text in enumerate(["Bænke i skyggen", "Bænke i solen"])
    ]
    at = open_console(make_app, fie, world["meeting"].id, "moderate")
    picks = {b.key: b.label for b in at.button if (b.key or "").startswith("console_browse_pick_")}
    assert len(picks) == 3 and set(picks.values()) == {da("moderation_scale.pick")}  # short
    # The names the browser puts on the buttons (workshop.ui.frontend_words.name_controls).
    boxes = [
        html.unescape(m.group(1))
        for e in at.get("html")
        for m in [re.search(r'data-sk-names="([^"]*)"', e.proto.body)]
        if m
    ]
    names = {k: v for box in boxes for k, v in json.loads(box).items()}
    for idea in made:
        name = names[f"console_browse_pick_{idea.id}"]
        assert name == da(
            "moderation_scale.pick_named",
            pick=da("moderation_scale.pick"),
            idea=f"#{idea.id}",
            text=idea.text,
        )
        assert name.startswith(picks[f"console_browse_pick_{idea.id}"])  # WCAG 2.5.3
    assert set(picks) <= set(names) and len({names[k] for k in picks}) == len(picks)


def test_a_console_behind_the_room_moves_nothing_and_draws_the_room_anew(world, make_app) -> None:
    """Two consoles on one meeting (co-facilitators, a laptop and a tablet): one moves the room
    on; the other, drawn before, still shows the step before. Its "Previous step" moved the
    room back from where it now was (a fresh-eyes trial: from the brainstorm to the welcome).
    Now it is refused, nothing changes, and the console says why and shows the room as is."""
    store, meeting = world["store"], world["meeting"]
    fie = world["users"][Role.FACILITATOR]
    meetings.next_step(store, meeting.id, actor=None)  # the second step: "Previous" can be used
    behind = open_console(make_app, fie, meeting.id)
    ahead = open_console(make_app, fie, meeting.id)
    ahead.button(key="console_next").click().run()
    assert not ahead.exception, ahead.exception
    moved = meetings.meeting_state(store, meeting.id).current_step_id
    behind.button(key="console_previous").click().run()
    assert not behind.exception, behind.exception
    assert meetings.meeting_state(store, meeting.id).current_step_id == moved  # unchanged
    assert [toast.value for toast in behind.toast] == [da("error.meeting.moved_on")]
    step = meetings.current_step(store, meeting.id)
    assert step is not None and f"▶ {step.position}." in texts(behind)  # drawn anew
    behind.button(key="console_previous").click().run()  # from what it shows now: it acts
    assert not behind.exception, behind.exception
    assert meetings.meeting_state(store, meeting.id).current_step_id != moved


def test_a_step_moved_from_another_console_is_refused_with_nothing_changed(world) -> None:
    store, meeting = world["store"], world["meeting"]
    seen = meetings.meeting_state(store, meeting.id).current_step_id
    meetings.next_step(store, meeting.id, actor=None, from_step=seen)
    now = meetings.meeting_state(store, meeting.id).current_step_id
    last = meetings.list_steps(store, meeting.id)[-1].id
    for move in (
        lambda: meetings.next_step(store, meeting.id, actor=None, from_step=seen),
        lambda: meetings.previous_step(store, meeting.id, actor=None, from_step=seen),
        lambda: meetings.go_to_step(store, meeting.id, last, actor=None, from_step=seen),
    ):
        with pytest.raises(NotAllowed) as refused:
            move()
        assert refused.value.key == "error.meeting.moved_on"
        assert meetings.meeting_state(store, meeting.id).current_step_id == now


def test_a_consent_step_without_its_proposal_is_not_opened_and_the_console_says_why(
    app_store, make_app
) -> None:
    """The citizens' meeting template's consent step has no proposal: phones were asked to
    consent to an empty card, and the wrap-up said "passed" (a fresh-eyes trial). The room is
    not taken there until the proposal is written; the console says so before the step."""
    from workshop import committees
    from workshop.accounts import users as accounts
    from workshop.meetings.core import StepSpec
    from workshop.model import StepKind

    fie = accounts.create_user(app_store, "fie2", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Havnen", "", actor=fie)
    agenda = [StepSpec(StepKind.WELCOME, ""), StepSpec(StepKind.CONSENT, "")]
    meeting = meetings.create_meeting(app_store, committee.id, "Møde", agenda=agenda, actor=fie)
    meetings.next_step(app_store, meeting.id, actor=fie)
    consent = meetings.list_steps(app_store, meeting.id)[1]
    for move in (
        lambda: meetings.next_step(app_store, meeting.id, actor=fie),
        lambda: meetings.go_to_step(app_store, meeting.id, consent.id, actor=fie),
    ):
        with pytest.raises(NotAllowed) as refused:
            move()
        assert refused.value.key == "error.step.consent_without_proposal"
    assert meetings.current_step(app_store, meeting.id).kind is StepKind.WELCOME
    at = open_console(make_app, fie, meeting.id)
    said = translate("da", "error.step.consent_without_proposal", number=2)
    assert said in texts(at)
    assert at.button(key="console_next").disabled
    meetings.update_step(app_store, consent.id, prompt="Åbent til kl. 22", actor=fie)
    meetings.next_step(app_store, meeting.id, actor=fie)
    assert meetings.current_step(app_store, meeting.id).kind is StepKind.CONSENT


def test_hide_results_on_a_console_behind_another_hides_them(world, make_app) -> None:
    """Another console hid the results; this one, drawn before, still said "Hide results", and
    its tap read the round anew and showed them to the room (a fresh-eyes trial). The button
    does what it said."""
    from workshop.voting import ballots as voting

    store, meeting = world["store"], world["meeting"]
    fie = world["users"][Role.FACILITATOR]
    meetings.next_step(store, meeting.id, actor=None)  # the dot vote: its results show
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None and vote_round.revealed
    (idea,) = ideas.list_ideas(store, meeting.id)
    voting.place_dot(store, world["anna"], vote_round.id, idea.id)  # results to show
    behind = open_console(make_app, fie, meeting.id)
    assert behind.button(key="console_reveal").label == da("console.hide_results")
    voting.reveal_results(store, vote_round.id, False, actor=fie)  # from the other console
    behind.button(key="console_reveal").click().run()
    assert not behind.exception, behind.exception
    assert not voting.get_round(store, vote_round.id).revealed
    assert behind.button(key="console_reveal").label == da("console.reveal_results")
