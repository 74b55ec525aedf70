"""One person, one voice in AppTest: the console's join watch and participant removal, and the
message a phone gets when its participant no longer exists (issue 14, points 1 and 8)."""

from __future__ import annotations

from tests.factories import join
from tests.ui.conftest import open_console, texts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, participants
from workshop.model import Role
from workshop.voting import ballots as voting


def people_tab(make_app, world):
    """The console's participants tab, as the meeting's facilitator sees it."""
    return open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id, "people")


def test_console_shows_joins_per_minute_and_warns_above_the_expected_size(world, make_app):
    db, meeting = world["store"], world["meeting"]
    at = people_tab(make_app, world)
    assert translate("da", "identity.expected_unset") in texts(at)
    # The facilitator says the room is for 2; Anna is in, two more join.
    at.number_input(key="console_expected").set_value(2)
    at.button(key="console_expected_save").click().run()
    assert participants.join_watch(db, meeting.id).expected == 2
    join(db, meeting, "Bo")
    join(db, meeting, "Bot")
    at = people_tab(make_app, world)
    shown = texts(at)
    warning = translate("da", "identity.over_expected", participants=3, joins=3, expected=2)
    assert warning in shown
    watch = {m.label: m.value for m in at.metric}
    assert watch[translate("da", "identity.joins_per_minute")] == "3"


def test_a_bad_expected_size_is_refused_in_the_console(world, make_app):
    at = people_tab(make_app, world)
    at.number_input(key="console_expected").set_value(0)  # 0 means "not set": allowed
    at.button(key="console_expected_save").click().run()
    assert participants.join_watch(world["store"], world["meeting"].id).expected is None


def test_the_facilitator_removes_a_participant_with_their_votes(world, make_app):
    db, meeting, anna = world["store"], world["meeting"], world["anna"]
    bot = join(db, meeting, "Bot")
    spam = ideas.submit_idea(db, bot, "køb billige ure")
    meetings.next_step(db, meeting.id, actor=None)  # the dot vote
    vote_round = voting.current_round(db, meeting.id)
    voting.place_dot(db, bot, vote_round.id, ideas.list_participant_ideas(db, anna.id)[0].id)
    voting.place_dot(db, anna, vote_round.id, ideas.list_participant_ideas(db, anna.id)[0].id)

    at = people_tab(make_app, world)
    picked = next(p for p in participants.list_participants(db, meeting.id) if p.id == bot.id)
    at.selectbox(key="console_remove_pick").set_value(picked)
    at.button(key="console_remove_submit").click().run()  # not confirmed: nothing happens
    assert translate("da", "identity.remove_unconfirmed") in texts(at)
    assert meetings.count_participants(db, meeting.id) == 2

    at.selectbox(key="console_remove_pick").set_value(picked)
    at.checkbox(key="console_remove_confirm").check()
    at.button(key="console_remove_submit").click().run()
    assert not at.exception, at.exception
    assert meetings.count_participants(db, meeting.id) == 1
    seq = meetings.meeting_state(db, meeting.id).vote_seq
    assert sum(voting.dot_totals(db, vote_round.id, seq).values()) == 1  # Anna's dot only
    assert ideas.get_idea(db, spam.id).hidden
    removed = translate("da", "identity.removed", id=bot.id, ballots=1, pairwise=0, ideas=1)
    assert any(removed in toast.value for toast in at.toast), [t.value for t in at.toast]
    # The form is empty again: the next removal needs its own choice and confirmation.
    assert at.selectbox(key="console_remove_pick").value is None
    assert not at.checkbox(key="console_remove_confirm").value


def test_a_phone_whose_participant_vanished_is_told_and_can_join_again(world, make_app):
    """After a restore of an older backup (or a removal) the link names nobody."""
    db, meeting = world["store"], world["meeting"]
    ghost = join(db, meeting, "Ghost")
    participants.remove_participant(db, meeting.id, ghost.id, reason="x", actor=None)
    for lang in ("da", "nb", "en"):
        at = make_app(query={"p": ghost.token, "lang": lang}).run()
        assert not at.exception, at.exception
        shown = texts(at)
        assert translate(lang, "identity.vanished_title") in shown
        assert translate(lang, "identity.vanished_body") in shown
        assert at.text_input(key="start_code") is not None  # the join form, right there
    at = make_app(query={"p": "never-a-participant", "lang": "da"}).run()
    assert translate("da", "identity.vanished_title") in texts(at)


def test_a_phone_whose_participant_vanished_with_a_restore_is_told_so(
    tmp_path, monkeypatch, make_app
):
    """``samskab restore`` of a backup older than the phone's join: the link names nobody."""
    from tests.factories import make_meeting, start
    from workshop import backup
    from workshop.app import open_store, restore_backup

    live, older = tmp_path / "live.db", tmp_path / "older.db"
    store = open_store(live)
    meeting = make_meeting(store)
    start(store, meeting)
    backup.backup(live, older)  # the backup is taken before Kari joins...
    kari = join(store, meeting, "Kari")
    store.close()
    restore_backup(older, live)  # ...and restored after: Kari's row is gone
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(live))
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    at = make_app(query={"p": kari.token, "lang": "nb"}).run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert translate("nb", "identity.vanished_title") in shown
    assert at.text_input(key="start_code") is not None


def test_the_console_says_how_many_joined_on_the_join_watch_timer(world, make_app, sent) -> None:
    """A room fills while the console sits open: the count is drawn by the join watch's timed
    fragment, not once with the console (it said 0 beside "2 joined in the last minute")."""
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    assert not at.exception, at.exception
    status = translate("da", "meeting.status.running")
    line = translate("da", "console.status_line.one", count=1, status=status)
    timed = {m.auto_rerun.fragment_id for m in sent if m.HasField("auto_rerun")}
    drawn_in = {
        m.delta.fragment_id
        for m in sent
        if m.HasField("delta") and line in m.delta.new_element.markdown.body
    }
    assert drawn_in and drawn_in <= timed, (drawn_in, timed)
