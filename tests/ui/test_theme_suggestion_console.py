"""The console at the scale of a full room, in AppTest: suggested themes in the themes tab
(rename, leave out, accept; a co-facilitator acting first; a name already taken) and the live
tab drawing a capped list with "show more"."""

from __future__ import annotations

import pytest

from tests.factories import join
from tests.ui.conftest import open_console, texts
from workshop import committees
from workshop.accounts import users as accounts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, theme_suggestions, themes
from workshop.model import Role, StepKind
from workshop.ui import theme_suggestion_panel

PARK = ["Flere bænke i parken", "Toilet i parken", "Legeplads i parken"]
SCHOOL = ["Cykelsti til skolen", "Fodgængerfelt ved skolen", "Lektiehjælp på skolen"]


@pytest.fixture
def room(app_store):
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Parken", "Opgave", actor=fie)
    meeting = meetings.create_meeting(
        app_store,
        committee.id,
        "Borgermøde",
        agenda=meetings.full_agenda("Hvad savner du?"),
        actor=fie,
    )
    steps = {s.kind: s for s in meetings.list_steps(app_store, meeting.id)}
    meetings.go_to_step(app_store, meeting.id, steps[StepKind.BRAINSTORM].id, actor=fie)
    anna = join(app_store, meeting, "Anna")
    return {"store": app_store, "fie": fie, "meeting": meeting, "anna": anna}


def console(room, make_app):
    return open_console(make_app, room["fie"], room["meeting"].id, "themes")


def _submit(room, lines: list[str]) -> list[ideas.Idea]:
    return [ideas.submit_idea(room["store"], room["anna"], x, per_minute=1000) for x in lines]


def _with_two_themes(room, make_app):
    park, school = _submit(room, PARK), _submit(room, SCHOOL)
    at = console(room, make_app)
    at.number_input(key=theme_suggestion_panel.K_KEY).set_value(2).run()
    store, meeting_id = room["store"], room["meeting"].id
    seq = meetings.meeting_state(store, meeting_id).change_seq
    for _ in range(3):  # a computation for the old k may still be running: then one more
        theme_suggestions.themes_worker.wait()
        if theme_suggestions.themes_snapshot(store, meeting_id, seq, 2).up_to_date:
            break
    at.run()
    assert not at.exception, at.exception
    return at, park, school


def test_the_themes_tab_shows_suggested_themes_with_names_and_ideas(room, make_app) -> None:
    at, park, school = _with_two_themes(room, make_app)
    shown = texts(at)
    assert translate("da", "theme_suggestions.title") in shown
    assert translate("da", "theme_suggestions.size.other", count=3) in shown
    name = at.text_input(key=f"console_theme_suggestion_{park[0].id}_name").value
    assert "parken" in name
    assert "skolen" in at.text_input(key=f"console_theme_suggestion_{school[0].id}_name").value
    assert f"`#{park[1].id}` Toilet i parken" in shown


def test_enter_in_a_suggested_name_does_not_create_the_theme(room, make_app) -> None:
    """A trial pressed Enter after renaming and the theme was created with every idea: the
    suggestion's form is sent only by its button."""
    at, park, _ = _with_two_themes(room, make_app)
    wanted = f"console_theme_suggestion_{park[0].id}"

    def forms(node):
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "form") and proto.HasField("form"):
            yield proto.form
        for child in getattr(node, "children", {}).values():
            yield from forms(child)

    (form,) = [f for f in forms(at._tree) if f.form_id.endswith(wanted)]
    assert form.enter_to_submit is False


def test_accepting_a_renamed_suggestion_without_one_idea_creates_the_theme(room, make_app) -> None:
    at, park, _ = _with_two_themes(room, make_app)
    key = f"console_theme_suggestion_{park[0].id}"
    at.text_input(key=f"{key}_name").input("Parken")
    at.multiselect(key=f"{key}_out").select(park[2].id)
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception, at.exception
    [theme] = themes.list_themes(room["store"], room["meeting"].id)
    assert theme.name == "Parken"
    placed = [ideas.get_idea(room["store"], i.id).theme_id for i in park]
    assert placed == [theme.id, theme.id, None]
    assert translate("da", "theme_suggestions.done.other", count=2, name="Parken") in _toasts(at)


def test_a_co_facilitator_acting_first_is_said_and_a_taken_name_changes_nothing(
    room, make_app
) -> None:
    at, park, school = _with_two_themes(room, make_app)
    store, fie = room["store"], room["fie"]
    # While this console shows the suggestions, a co-facilitator puts an idea into "Skolen".
    other = themes.create_theme(store, room["meeting"].id, "Skolen", actor=fie)
    themes.assign_theme(store, park[1].id, other.id, actor=fie)
    key = f"console_theme_suggestion_{park[0].id}"
    at.text_input(key=f"{key}_name").input("Parken")
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception, at.exception
    shown = _toasts(at)
    assert translate("da", "theme_suggestions.done.other", count=2, name="Parken") in shown
    assert translate("da", "theme_suggestions.done_skipped", ideas=f"#{park[1].id}") in shown
    assert ideas.get_idea(store, park[1].id).theme_id == other.id
    # A name already taken: a clear message, nothing saved.
    at.run()
    key = f"console_theme_suggestion_{school[0].id}"
    at.text_input(key=f"{key}_name").input("skolen")
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception, at.exception
    assert translate("da", "error.theme_suggestions.name_taken", name="skolen") in _toasts(at)
    assert [t.name for t in themes.list_themes(store, room["meeting"].id)] == ["Skolen", "Parken"]
    assert all(ideas.get_idea(store, i.id).theme_id is None for i in school)


def _live_ideas(at) -> list[str]:
    return [m.value for m in at.tabs[0].markdown if m.value.startswith("`#")]


def _toasts(at) -> str:
    return "\n".join(x.value for x in at.toast)


def test_the_live_tab_draws_a_capped_list_with_show_more(room, make_app) -> None:
    _submit(room, [f"Idé nummer {n}" for n in range(1, 61)])
    at = open_console(make_app, room["fie"], room["meeting"].id, "live")
    drawn = _live_ideas(at)
    assert len(drawn) == 50
    assert drawn[0].endswith("Idé nummer 60")  # the newest first (no dots yet)
    assert translate("da", "live_list.shown", shown=50, total=60) in texts(at)
    at.button(key="console_live_more").click().run()
    assert not at.exception, at.exception
    assert len(_live_ideas(at)) == 60
    assert translate("da", "live_list.shown", shown=50, total=60) not in texts(at)


def test_an_idea_left_out_then_hidden_by_a_co_facilitator_breaks_nothing(room, make_app) -> None:
    at, park, _ = _with_two_themes(room, make_app)
    key = f"console_theme_suggestion_{park[0].id}"
    at.multiselect(key=f"{key}_out").select(park[2].id).run()
    moderation.hide_idea(room["store"], park[2].id, "Dobbelt", actor=room["fie"])
    at.run()
    assert not at.exception, at.exception
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception, at.exception
    [theme] = themes.list_themes(room["store"], room["meeting"].id)
    assert [ideas.get_idea(room["store"], i.id).theme_id for i in park] == [
        theme.id,
        theme.id,
        None,
    ]


def test_suggestions_stay_put_while_the_facilitator_works_and_newer_come_on_request(
    room, make_app
) -> None:
    """A trial lost a half-typed name: new ideas recomputed the suggestions under it. The
    suggestions on screen stay until the facilitator asks for the newer ones."""
    at, park, _ = _with_two_themes(room, make_app)
    store, meeting_id = room["store"], room["meeting"].id
    [late] = _submit(room, ["Udendørs fitness i parken"])
    seq = meetings.meeting_state(store, meeting_id).change_seq
    for _ in range(3):
        theme_suggestions.themes_snapshot(store, meeting_id, seq, 2)
        theme_suggestions.themes_worker.wait()
        if theme_suggestions.themes_snapshot(store, meeting_id, seq, 2).up_to_date:
            break
    at.run()
    assert not at.exception, at.exception
    assert "Udendørs fitness" not in texts(at)  # the suggestions on screen did not change
    assert at.text_input(key=f"console_theme_suggestion_{park[0].id}_name").value
    assert translate("da", "theme_suggestions.newer") in texts(at)
    at.button(key="console_theme_newer").click().run()
    assert not at.exception, at.exception
    assert f"`#{late.id}` Udendørs fitness i parken" in texts(at)
    assert translate("da", "theme_suggestions.newer") not in texts(at)


def test_a_suggestion_taken_by_a_co_facilitator_says_so_and_where_its_ideas_went(
    room, make_app
) -> None:
    """A trial's half-typed rename vanished without a word when a co-facilitator accepted the
    same suggestion first. The console says who took it and where the ideas went; accepting
    one's own suggestion says nothing of the kind."""
    at, park, school = _with_two_themes(room, make_app)
    store, meeting_id = room["store"], room["meeting"].id
    key = f"console_theme_suggestion_{park[0].id}"
    suggested = at.text_input(key=f"{key}_name").value
    at.text_input(key=f"{key}_name").input("Leg og ophold")  # typed, not yet sent
    theme_suggestions.accept_suggestion(  # elsewhere, meanwhile
        store, meeting_id, "Parken", [i.id for i in park], actor=room["fie"]
    )
    at.run()
    assert not at.exception, at.exception
    said = translate("da", "theme_suggestions.taken", name=suggested, themes="Parken")
    assert said in _toasts(at), _toasts(at)
    key = f"console_theme_suggestion_{school[0].id}"
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception, at.exception
    assert "taget af en anden" not in _toasts(at)


def test_the_capped_list_says_how_many_of_its_ideas_are_hidden(room, make_app) -> None:
    """ "64 ideas on the wall" above "Showing 50 of 69": the list counts the hidden ideas it
    lists last; it says so now."""
    _submit(room, [f"Idé nummer {n}" for n in range(1, 61)])
    for listed in ideas.list_ideas(room["store"], room["meeting"].id)[:3]:
        moderation.hide_idea(room["store"], listed.id, "Dobbelt", actor=room["fie"])
    at = open_console(make_app, room["fie"], room["meeting"].id, "live")
    shown = translate("da", "live_list.shown_hidden", shown=50, total=60, hidden=3)
    assert shown in texts(at)
    assert translate("da", "console.ideas_count.other", count=57) in [s.value for s in at.subheader]
