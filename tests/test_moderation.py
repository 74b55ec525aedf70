"""Moderation: hide with a reason, edit with a trail, merge duplicates, and the exported log."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import join, start
from workshop.errors import InvalidInput, NotAllowed
from workshop.i18n import translate_error
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod


@pytest.fixture
def room(store, meeting):
    start(store, meeting)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    return anna, bo


def test_hidden_idea_leaves_the_wall_and_its_author_learns_why(
    store, meeting, room, facilitator
) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "Navn og telefonnummer på naboen")
    seen = meetings.meeting_state(store, meeting.id).change_seq
    moderation.hide_idea(store, idea.id, "Personoplysninger", actor=facilitator)
    assert idea.id not in [i.id for i in ideas.list_ideas(store, meeting.id)]
    # the author's phone asks for changes since its last look and gets the hidden idea back
    changed = ideas.ideas_changed_since(store, meeting.id, seen)
    assert [(i.id, i.hidden, i.hide_reason) for i in changed] == [
        (idea.id, True, "Personoplysninger")
    ]


def test_hiding_needs_a_reason(store, room, facilitator) -> None:
    idea = ideas.submit_idea(store, room[0], "x")
    with pytest.raises(InvalidInput) as raised:
        moderation.hide_idea(store, idea.id, "   ", actor=facilitator)
    assert raised.value.key == "error.moderation.reason_required"
    assert not ideas.get_idea(store, idea.id).hidden


def test_an_edit_keeps_the_old_wording(store, room, facilitator) -> None:
    idea = ideas.submit_idea(store, room[0], "Flere bæmke")
    moderation.edit_idea(store, idea.id, "Flere bænke", reason="stavefejl", actor=facilitator)
    edited = ideas.get_idea(store, idea.id)
    assert edited.text == "Flere bænke" and edited.edited and edited.seq > idea.seq
    [trail] = moderation.list_idea_edits(store, idea.id)
    assert (trail.before, trail.after, trail.reason) == ("Flere bæmke", "Flere bænke", "stavefejl")


def test_merge_keeps_every_author_and_every_dot(store, meeting, room, facilitator) -> None:
    anna, bo = room
    keep = ideas.submit_idea(store, anna, "Cykelsti langs åen")
    dup = ideas.submit_idea(store, bo, "En cykelsti ved åen")
    other = ideas.submit_idea(store, bo, "Bænke")
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    carl = join(store, meeting, "Carl")
    voting.place_dot(store, anna, vote_round.id, keep.id)
    voting.place_dot(store, bo, vote_round.id, dup.id)
    voting.place_dot(store, bo, vote_round.id, dup.id)
    voting.place_dot(store, carl, vote_round.id, keep.id)
    voting.place_dot(store, carl, vote_round.id, dup.id)
    voting.place_dot(store, carl, vote_round.id, other.id)

    moved = moderation.merge_ideas(store, keep.id, [dup.id], actor=facilitator)

    assert moved == 3
    state = meetings.meeting_state(store, meeting.id)
    totals = voting.dot_totals(store, vote_round.id, state.vote_seq)
    assert totals == {keep.id: 5, other.id: 1}
    assert voting.my_dots(store, vote_round.id, carl.id) == {keep.id: 2, other.id: 1}
    assert [r["author_name"] for r in moderation.credits(store, meeting.id)[keep.id]] == ["Bo"]
    assert [i.id for i in ideas.list_ideas(store, meeting.id)] == [keep.id, other.id]
    merged = ideas.get_idea(store, dup.id)
    assert merged.merged_into_id == keep.id and merged.hidden
    # nobody can vote on the merged duplicate any more
    with pytest.raises(NotAllowed):
        voting.place_dot(store, anna, vote_round.id, dup.id)


def test_a_vote_on_ones_own_merged_idea_is_refused_as_merged_not_hidden(
    store, meeting, room
) -> None:
    """The author of a merged duplicate who acts on it (a dot, a stance on a ballot drawn
    before the merge) is told it was merged into another idea: "hidden" would say the
    facilitator took it down."""
    anna, bo = room
    keep = ideas.submit_idea(store, anna, "Cykelsti langs åen")
    own = ideas.submit_idea(store, bo, "En cykelsti ved åen")
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    moderation.merge_ideas(store, keep.id, [own.id], actor=None)
    with pytest.raises(NotAllowed) as raised:
        voting.place_dot(store, bo, vote_round.id, own.id)
    assert raised.value.key == "error.vote.idea_merged"
    said = {lang: translate_error(lang, raised.value) for lang in ("da", "nb", "en")}
    assert "lagt sammen" in said["da"] and "skjult" not in said["da"]
    assert "slått sammen" in said["nb"] and "skjult" not in said["nb"]
    assert "merged" in said["en"] and "hidden" not in said["en"]
    # Every voting method reads the idea the same way (a statement on a ballot drawn before).
    step = meetings.current_step(store, meeting.id)
    statements = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    with pytest.raises(NotAllowed) as raised:
        vote_methods.cast_stance(store, bo, statements, own.id, 1)
    assert raised.value.key == "error.vote.idea_merged"
    # A hidden idea is still said to be hidden.
    moderation.hide_idea(store, keep.id, "Personoplysninger", actor=None)
    with pytest.raises(NotAllowed) as raised:
        vote_methods.cast_stance(store, bo, statements, keep.id, 1)
    assert raised.value.key == "error.vote.idea_hidden"


def test_merging_twice_points_everything_at_the_last_kept_idea(store, meeting, room) -> None:
    anna, _ = room
    a, b, c = (ideas.submit_idea(store, anna, text) for text in ("a", "b", "c"))
    moderation.merge_ideas(store, b.id, [a.id], actor=None)
    moderation.merge_ideas(store, c.id, [b.id], actor=None)
    assert {r["id"] for r in moderation.credits(store, meeting.id)[c.id]} == {a.id, b.id}
    with pytest.raises(NotAllowed):
        moderation.merge_ideas(store, a.id, [c.id], actor=None)


def test_a_merge_that_breaks_a_dot_cap_changes_nothing(store, meeting, room) -> None:
    anna, bo = room
    keep = ideas.submit_idea(store, anna, "a")
    dup = ideas.submit_idea(store, bo, "b")
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    store.execute("UPDATE rounds SET max_dots_per_idea = 1 WHERE id = ?", [vote_round.id])
    voting.place_dot(store, anna, vote_round.id, keep.id)
    voting.place_dot(store, anna, vote_round.id, dup.id)
    with pytest.raises(InvalidInput) as raised:
        moderation.merge_ideas(store, keep.id, [dup.id], actor=None)
    assert raised.value.key == "error.moderation.merge_cap"
    assert voting.my_dots(store, vote_round.id, anna.id) == {keep.id: 1, dup.id: 1}
    assert ideas.get_idea(store, dup.id).merged_into_id is None


def test_the_database_refuses_a_dot_on_a_hidden_idea(store, meeting, room) -> None:
    anna, _ = room
    idea = ideas.submit_idea(store, anna, "a")
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    moderation.hide_idea(store, idea.id, "off topic", actor=None)
    with pytest.raises(NotAllowed) as raised:
        voting.place_dot(store, anna, vote_round.id, idea.id)
    assert raised.value.key == "error.vote.idea_hidden"
    store.execute(
        "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
        " VALUES (?, ?, 'x', 'x')",
        [vote_round.id, anna.id],
    )
    with pytest.raises(sqlite3.IntegrityError, match="idea_hidden"):
        store.execute(
            "INSERT INTO ballot_entries (ballot_id, idea_id, value)"
            " SELECT id, ?, 1 FROM ballots WHERE participant_id = ?",
            [idea.id, anna.id],
        )


def test_every_action_is_logged_and_exported(store, meeting, room, facilitator) -> None:
    anna, bo = room
    a = ideas.submit_idea(store, anna, "a")
    b = ideas.submit_idea(store, bo, "b, med komma")
    moderation.hide_idea(store, a.id, "dublet", actor=facilitator)
    moderation.unhide_idea(store, a.id, actor=facilitator)
    moderation.edit_idea(store, b.id, "b, rettet", actor=facilitator)
    moderation.merge_ideas(store, b.id, [a.id], actor=facilitator)
    codes = ["hide_idea", "unhide_idea", "edit_idea", "merge_idea"]
    # The stored record, for a machine or an auditor: codes, ids, decoded changes, an offset.
    record = json.loads(moderation.log_json(store, meeting.id))
    assert [r["action"] for r in record] == codes
    assert {r["actor"] for r in record} == {"fie"}
    assert record[0]["reason"] == "dublet" and record[0]["idea_id"] == a.id
    assert record[2]["after"] == {"text": "b, rettet"}
    assert all(r["at"].endswith(("+01:00", "+02:00")) for r in record)  # Copenhagen time
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM moderation_log")


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_the_log_for_a_spreadsheet_reads_in_the_readers_language(
    store, meeting, room, facilitator, lang
) -> None:
    """The CSV read like the console's table: headings, actions and changes in words, local
    time, ideas as #n; it held the stored codes and JSON ({"text": ...}) before."""
    from workshop.i18n import formats, translate

    anna, _ = room
    a = ideas.submit_idea(store, anna, "Bænke, tak")
    moderation.hide_idea(store, a.id, "dublet", actor=facilitator)
    moderation.edit_idea(store, a.id, "Bænke ved søen", actor=facilitator)
    (stored_at,) = (r["at"] for r in moderation.list_log(store, meeting.id)[:1])
    text = moderation.log_csv(store, meeting.id, lang)
    # A byte-order mark (Excel read "IdÃ©" without one) and the reader's list separator
    # (Danish and Norwegian Excel split on ";": a comma file opened in one column).
    assert text.startswith("\ufeff")
    separator = {"da": ";", "nb": ";", "en": ","}[lang]
    header, *rows = csv.reader(io.StringIO(text[1:]), delimiter=separator)
    assert header == [
        translate(lang, moderation.COLUMN_HEADINGS[c]) for c in moderation.EXPORT_COLUMNS
    ]
    hid, edited = (dict(zip(moderation.EXPORT_COLUMNS, row, strict=True)) for row in rows)
    assert hid["action"] == translate(lang, "moderation.action.hide_idea")
    assert edited["action"] == translate(lang, "moderation.action.edit_idea")
    assert hid["at"] == formats.datetime_text(stored_at, lang, seconds=True)
    assert hid["idea_id"] == f"#{a.id}" and hid["reason"] == "dublet"
    assert edited["after"] == "Bænke ved søen"
    assert "{" not in "".join(edited.values()) and "hide_idea" not in "".join(hid.values())
    # named in the reader's language (it was moderation-3.csv); the stored record in English
    name = {"da": "moderationslog", "nb": "moderasjonslogg", "en": "moderation-log"}[lang]
    assert moderation.log_file_name(meeting.id, lang, "csv") == f"samskab-{name}-{meeting.id}.csv"
    json_name = f"samskab-moderation-log-{meeting.id}.json"
    assert moderation.log_file_name(meeting.id, lang, "json") == json_name


def test_the_log_on_screen_names_ideas_and_themes_and_draws_as_a_table(
    store, meeting, room, facilitator
) -> None:
    """A log with theme rows (no idea) and idea rows (no theme) made a mixed column that the
    console's table could not draw (Arrow refused it): ideas read #n, themes by name."""
    import pyarrow as pa

    from workshop.meetings import themes

    a = ideas.submit_idea(store, room[0], "Bænke")
    theme = themes.create_theme(store, meeting.id, "Parken", actor=facilitator)
    themes.assign_theme(store, a.id, theme.id, actor=facilitator)
    moderation.hide_idea(store, a.id, "dublet", actor=facilitator)
    frame = moderation.log_frame(store, meeting.id)
    pa.Table.from_pandas(frame)  # raised ArrowTypeError on the mixed column
    assert f"#{a.id}" in set(frame["idea_id"])
    assert "Parken" in set(frame["theme_id"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=600), reason=st.text(max_size=400))
def test_any_edit_or_reason_is_stored_cleanly_or_refused_whole(store, room, text, reason) -> None:
    idea = ideas.submit_idea(store, room[0], "original", per_minute=10_000)
    entries = len(moderation.list_log(store, idea.meeting_id))
    try:
        moderation.edit_idea(store, idea.id, text, reason=reason, actor=None)
    except InvalidInput:
        assert ideas.get_idea(store, idea.id).text == "original"
        assert len(moderation.list_log(store, idea.meeting_id)) == entries
    else:
        stored = ideas.get_idea(store, idea.id).text
        assert stored.strip() and len(stored) <= 500
        edits = moderation.list_idea_edits(store, idea.id)
        assert (edits[-1].after if edits else "original") == stored
