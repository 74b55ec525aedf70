"""Building the agenda from the pages, and changes reaching the phones, driven through AppTest:
the new-meeting form's templates, inserting and duplicating steps in the console, the
confirmation before a material agreement change in a running meeting, the gate at a phone's
next tap, and a merged idea's author."""

from __future__ import annotations

import pytest

from tests.factories import join, make_meeting, start
from tests.ui import dots
from tests.ui.conftest import PAGES, open_console, texts
from workshop import committees
from workshop.accounts import users as accounts
from workshop.agreements import core as agreements
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.model import Role, StepKind
from workshop.ui.widgets import user_text
from workshop.voting import ballots as voting


def da(key: str, **params) -> str:
    return translate("da", key, **params)


@pytest.fixture
def fie(app_store):
    return accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR, "Fie")


def console(make_app, user, meeting_id: int):
    return open_console(make_app, user, meeting_id, "agenda")


def kinds(store, meeting_id: int) -> list[StepKind]:
    return [s.kind for s in meetings.list_steps(store, meeting_id)]


def test_the_new_meeting_form_makes_the_ten_step_citizens_meeting(app_store, fie, make_app) -> None:
    committee = committees.create_committee(app_store, "Havnen", "Opgave", actor=fie)
    at = make_app(user=fie).run()
    at.switch_page(f"{PAGES}/committees.py").run()
    assert not at.exception, at.exception
    at.text_input(key=f"committees_meeting_title_{committee.id}").input("Borgermøde")
    at.selectbox(key=f"committees_meeting_template_{committee.id}").select("citizens_meeting")
    at.button(key=f"FormSubmitter:committees_meeting_{committee.id}-{da('meeting.create')}").click()
    at.run()
    assert not at.exception, at.exception
    (made,) = meetings.list_meetings(app_store, committee.id)
    assert kinds(app_store, made.id) == [
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.CLUSTERING,
        StepKind.DOT_VOTE,
        StepKind.STATEMENTS,
        StepKind.PAIRWISE,
        StepKind.TWO_AXIS,
        StepKind.RANKED,
        StepKind.CONSENT,
        StepKind.WRAP_UP,
    ]


def test_the_console_inserts_a_step_at_a_position_and_duplicates_one(
    app_store, fie, make_app
) -> None:
    meeting = make_meeting(app_store, fie)
    at = console(make_app, fie, meeting.id)
    brainstorm, vote, _ = meetings.list_steps(app_store, meeting.id)
    at.selectbox(key="console_new_step_kind").select(StepKind.WELCOME)
    at.selectbox(key="console_new_step_position").select(1)
    at.button(key="console_add_step").click().run()
    assert not at.exception, at.exception
    assert kinds(app_store, meeting.id)[0] is StepKind.WELCOME
    at.button(key=f"console_step_duplicate_{vote.id}").click().run()
    assert kinds(app_store, meeting.id) == [
        StepKind.WELCOME,
        StepKind.BRAINSTORM,
        StepKind.DOT_VOTE,
        StepKind.DOT_VOTE,
        StepKind.WRAP_UP,
    ]
    # a vote before any brainstorm: a clear message, nothing changed
    at.selectbox(key="console_new_step_kind").select(StepKind.RANKED)
    at.selectbox(key="console_new_step_position").select(1)
    at.button(key="console_add_step").click().run()
    assert da("error.agenda.vote_without_ideas") in [toast.value for toast in at.toast]
    assert len(kinds(app_store, meeting.id)) == 5
    assert brainstorm.id in {s.id for s in meetings.list_steps(app_store, meeting.id)}


def test_the_console_applies_a_template_before_the_start_and_not_after(
    app_store, fie, make_app
) -> None:
    meeting = make_meeting(app_store, fie)
    at = console(make_app, fie, meeting.id)
    at.selectbox(key="console_agenda_template").select("prioritisation")
    at.button(key="console_apply_template").click().run()
    assert not at.exception, at.exception
    assert len(kinds(app_store, meeting.id)) == 8
    start(app_store, meeting)
    before = meetings.list_steps(app_store, meeting.id)
    at = console(make_app, fie, meeting.id)
    # running: the reason is shown and the template cannot be applied
    assert da("error.agenda.template_running") in texts(at)
    assert at.button(key="console_apply_template").disabled
    assert meetings.list_steps(app_store, meeting.id) == before


def running_room(store, fie):
    meeting = make_meeting(store, fie)
    start(store, meeting)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    for text in ("Flere bænke", "Flere bænke og skygge", "Badezone"):
        ideas.submit_idea(store, bo, text, per_minute=10)
    made = agreements.create_agreement(
        store, "dialogue_session", lang="da", meeting_id=meeting.id, actor=fie
    )
    agreements.publish_agreement(store, made.id, actor=fie)
    agreements.acknowledge_agreement(store, anna, made.current.id)
    return meeting, anna, bo, made


def test_a_material_change_in_a_running_meeting_is_saved_only_when_confirmed(
    app_store, fie, make_app
) -> None:
    meeting, _, _, made = running_room(app_store, fie)
    at = make_app(user=fie, query={"committee": str(meeting.committee_id)}).run()
    at.switch_page(f"{PAGES}/agreements.py").run()
    at.selectbox(key=f"agreements_scope_{meeting.committee_id}").select(meeting.id).run()
    assert not at.exception, at.exception
    at.text_area(key=f"agreements_fixed_{made.id}_1").set_value("Skolen lukker ikke.")
    save = next(b for b in at.button if b.label == da("agreements.save"))
    save.click().run()
    assert da("error.agreement.confirm_running", meetings=meeting.title) in texts(at)
    assert agreements.get_agreement(app_store, made.id).current.version == 1
    at.checkbox(key=f"agreements_confirm_running_{made.id}_1").check()
    next(b for b in at.button if b.label == da("agreements.save")).click().run()
    assert not at.exception, at.exception
    assert agreements.get_agreement(app_store, made.id).current.version == 2


def test_a_tap_after_a_material_change_shows_the_agreement_and_places_no_dot(
    app_store, fie, make_app
) -> None:
    meeting, anna, _, made = running_room(app_store, fie)
    meetings.next_step(app_store, meeting.id, actor=fie)  # the dot vote
    phone = make_app(query={"p": anna.token}).run()
    assert not phone.exception, phone.exception
    shown = dots.idea_ids(phone)
    assert len(shown) == 3
    agreements.save_version(
        app_store,
        made.id,
        {"fixed": "Skolen lukker ikke."},
        material=True,
        confirm_running=True,
        actor=fie,
    )
    status, answer = dots.tap(phone, shown[0])
    assert (status, answer["rerun"]) == (409, True)  # the ballot runs the page again ...
    phone.run()
    vote_round = voting.current_round(app_store, meeting.id)
    assert voting.my_dots(app_store, vote_round.id, anna.id) == {}
    assert phone.button(key="agreement_gate_acknowledge")
    assert da("agreement_gate.changed", version=1) in texts(phone)


def test_a_merged_ideas_author_reads_what_it_was_merged_with(app_store, fie, make_app) -> None:
    meeting, _, bo, _ = running_room(app_store, fie)
    kept, duplicate, _ = ideas.list_ideas(app_store, meeting.id)
    moderation.merge_ideas(app_store, duplicate.id, [kept.id], actor=fie)
    agreements.acknowledge_agreement(
        app_store, bo, agreements.list_agreements(app_store, meeting_id=meeting.id)[0].current.id
    )
    phone = make_app(query={"p": bo.token}).run()
    assert not phone.exception, phone.exception
    said = da("idea.merged_with", idea=user_text(duplicate.text))
    assert said in texts(phone)
    mine = make_app(query={"p": bo.token}).run()
    mine.switch_page(f"{PAGES}/my_ideas.py").run()
    assert not mine.exception, mine.exception
    assert da("my_ideas.merged_with", idea=user_text(duplicate.text)) in texts(mine)
    assert da("my_ideas.hidden") not in texts(mine)


def test_a_vote_with_no_ideas_says_so_on_the_phone(app_store, fie, make_app) -> None:
    meeting = make_meeting(app_store, fie)
    start(app_store, meeting)
    anna = join(app_store, meeting, "Anna")
    meetings.next_step(app_store, meeting.id, actor=fie)  # the dot vote, with nothing posted
    phone = make_app(query={"p": anna.token}).run()
    assert not phone.exception, phone.exception
    assert da("participate.no_ideas_to_vote") in texts(phone)
