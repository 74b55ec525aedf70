"""AppTest: going back a phase with a reason, and corrections kept as versions on the
committee, recommendations and recruitment pages."""

from __future__ import annotations

import pytest

from tests.ui.conftest import texts
from tests.ui.test_committee_pages import da, lifecycle, open_page
from workshop import committees
from workshop.committees import corrections, members, recommendations, recruitment
from workshop.committees.model import Phase
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role

fixture = lifecycle  # keep the imported fixture visible to pytest


def test_the_committee_goes_back_a_phase_only_with_a_reason(lifecycle, make_app) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    members.add_member(
        db, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=user
    )
    committees.advance_phase(db, committee.id, expected=Phase.RECRUITMENT, actor=user)
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    go = at.button(key="committee_back_go")
    assert go.label == da("committee.back.button", phase=da("phase.recruitment"))
    go.click().run()
    assert da("error.text.empty", field="reason") in texts(at)
    assert committees.get_state(db, committee.id).phase is Phase.COMMITTEE_WORK

    at.text_area(key="committee_back_reason").input("For få ansøgere under 25")
    at.button(key="committee_back_go").click().run()
    assert not at.exception
    assert committees.get_state(db, committee.id).phase is Phase.RECRUITMENT
    shown = texts(at)
    assert da("committee.history.back", reason="For få ansøgere under 25") in shown
    assert da("committee.history.title") in [e.label for e in at.expander]


def test_the_first_phase_offers_no_way_back(world, make_app) -> None:
    db, user = world["store"], world["users"][Role.FACILITATOR]
    committee = committees.create_committee(db, "Nyt udvalg", "", actor=user)
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    assert not [b for b in at.button if b.key == "committee_back_go"]


@pytest.fixture
def decided(lifecycle):
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    members.add_member(
        db, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=user
    )
    committees.advance_phase(db, committee.id, expected=Phase.RECRUITMENT, actor=user)
    meeting = meetings.create_meeting(db, committee.id, "Dialogmøde", prompt="?", actor=user)
    meetings.next_step(db, meeting.id, actor=None)
    idea = ideas.submit_idea(
        db, meetings.join_meeting(db, meeting.join_code, "Anna", client="t"), "Søndagsåbent"
    )
    rec = recommendations.draft_recommendation(
        db, committee.id, title="Åbent om søndagen", body="", idea_ids=[idea.id], actor=user
    )
    committees.advance_phase(db, committee.id, expected=Phase.COMMITTEE_WORK, actor=user)
    committees.advance_phase(db, committee.id, expected=Phase.RECOMMENDATIONS, actor=user)
    decision = recommendations.record_decision(
        db,
        rec.id,
        body="standing_committee",
        outcome="rejected",
        decided_on="2026-05-04",
        rationale="For dyrt",
        actor=user,
    )
    return {**lifecycle, "rec": rec, "decision": decision}


def test_a_decision_is_corrected_as_a_new_version_with_the_old_shown(decided, make_app) -> None:
    db, user = decided["store"], decided["users"][Role.FACILITATOR]
    rec, decision = decided["rec"], decided["decision"]
    at = open_page(make_app, user, "recommendations", committee=str(decided["committee"].id))
    key = f"recommendations_fix_{decision.id}"
    submit = f"FormSubmitter:{key}_form-{da('correction.save')}"
    at.button(key=submit).click().run()  # nothing changed
    assert da("error.correction.unchanged") in texts(at)
    at.text_area(key=f"{key}_rationale").input("Udgiften passer ikke i budgettet")
    at.button(key=submit).click().run()
    assert not at.exception
    (now,) = recommendations.get_recommendation(db, rec.id).decisions
    assert (now.version, now.rationale) == (2, "Udgiften passer ikke i budgettet")
    at.run()
    shown = texts(at)
    assert "Udgiften passer ikke i budgettet" in shown
    (fix,) = now.corrections
    was = f"{da('decision.outcome.rejected')} (04.05.2026) · For dyrt"
    assert (
        da(
            "correction.line",
            # The page shows the installation's local date, which differs from
            # the stored UTC date around midnight.
            date=formats.date_text(fix.corrected_at, "da"),
            name=user.display_name,
            was=was,
        )
        in shown
    )


def test_a_stale_decision_correction_is_refused_and_changes_nothing(decided, make_app) -> None:
    db, user = decided["store"], decided["users"][Role.FACILITATOR]
    rec, decision = decided["rec"], decided["decision"]
    at = open_page(make_app, user, "recommendations", committee=str(decided["committee"].id))
    # Someone else corrects the decision while this page is open.
    recommendations.correct_decision(
        db,
        decision.id,
        expected_version=1,
        outcome="rejected",
        decided_on="2026-05-04",
        rationale="Rettet af en kollega",
        actor=user,
    )
    key = f"recommendations_fix_{decision.id}"
    at.text_area(key=f"{key}_rationale").input("Min rettelse")
    at.button(key=f"FormSubmitter:{key}_form-{da('correction.save')}").click().run()
    assert da("error.correction.stale", version=2) in texts(at)
    (now,) = recommendations.get_recommendation(db, rec.id).decisions
    assert (now.version, now.rationale) == (2, "Rettet af en kollega")


def test_a_review_rationale_is_corrected_on_the_recruitment_page(lifecycle, make_app) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    application = lifecycle["application"]
    recruitment.review_application(
        db, application.id, "declined", rationale="Bor uden for kommunen", actor=user
    )
    at = open_page(make_app, user, "recruitment", committee=str(lifecycle["committee"].id))
    key = f"recruitment_fix_{application.id}"
    at.text_area(key=f"{key}_text").input("Profilen er dækket af andre")
    at.button(key=f"{key}_go").click().run()
    assert not at.exception
    now = recruitment.get_application(db, application.id)
    assert (now.rationale, now.rationale_version) == ("Profilen er dækket af andre", 2)
    at.run()
    shown = texts(at)
    assert da("recruitment.rationale_now", rationale="Profilen er dækket af andre") in shown
    assert "var: Bor uden for kommunen" in shown


def test_a_meeting_date_is_corrected_on_the_committee_page(lifecycle, make_app) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    plan = members.plan_meeting(
        db, committee.id, "Første møde", planned_at="2026-04-02T17:00", actor=user
    )
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    key = f"committee_redate_{plan.meeting_id}"
    at.date_input(key=f"{key}_day").set_value(__import__("datetime").date(2026, 4, 9))
    at.button(key=f"{key}_go").click().run()
    assert not at.exception
    assert members.get_meeting_plan(db, plan.meeting_id).planned_at == "2026-04-09T17:00"
    (fix,) = corrections.history(db, "meeting_date", plan.meeting_id)
    assert fix.before == {"planned_at": "2026-04-02T17:00"}
    at.run()
    assert "var: 02.04.2026 17.00" in texts(at)  # Danish time: 17.00


def test_going_back_from_a_stale_page_changes_nothing(lifecycle, make_app) -> None:
    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    members.add_member(
        db, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=user
    )
    committees.advance_phase(db, committee.id, expected=Phase.RECRUITMENT, actor=user)
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    # A colleague moves the committee on while this page shows committee work.
    committees.advance_phase(db, committee.id, expected=Phase.COMMITTEE_WORK, actor=user)
    at.text_area(key="committee_back_reason").input("Tilbage til rekruttering")
    at.button(key="committee_back_go").click().run()
    assert da("error.phase.changed_meanwhile") in texts(at)
    assert committees.get_state(db, committee.id).phase is Phase.RECOMMENDATIONS


def test_a_changed_deadline_keeps_the_old_date_and_a_stale_one_is_refused(
    lifecycle, make_app
) -> None:
    from datetime import date

    db, user = lifecycle["store"], lifecycle["users"][Role.FACILITATOR]
    committee = lifecycle["committee"]
    committees.set_deadlines(db, committee.id, {Phase.RECRUITMENT: date(2030, 5, 1)}, actor=user)
    at = open_page(make_app, user, "committee", committee=str(committee.id))
    save = f"FormSubmitter:committee_deadlines-{da('common.save')}"
    at.date_input(key="committee_due_recruitment").set_value(date(2030, 5, 15))
    at.button(key=save).click().run()
    assert not at.exception, [e.value for e in at.error]
    assert committees.list_deadlines(db, committee.id)[0].due_on == "2030-05-15"
    at.run()
    assert "var: 01.05.2030" in texts(at)

    # A colleague corrects the date while this page is open: this save is refused.
    committees.correct_deadline(
        db, committee.id, Phase.RECRUITMENT, "2030-06-01", expected_version=2, actor=user
    )
    at.date_input(key="committee_due_recruitment").set_value(date(2030, 5, 20))
    at.button(key=save).click().run()
    assert da("error.correction.stale", version=3) in texts(at)
    assert committees.list_deadlines(db, committee.id)[0].due_on == "2030-06-01"
