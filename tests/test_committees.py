"""Committees from mandate to council decision: phase rules, versioning, recruitment, draw."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import join, start
from workshop import committees
from workshop.committees import mandates, members, recommendations, recruitment
from workshop.committees.model import (
    ApplicationStatus,
    DecisionBody,
    DecisionOutcome,
    MemberRole,
    Phase,
)
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Committee, User
from workshop.voting import ballots as voting

MANDATE = {
    "background": "Biblioteket bruges mindre af unge.",
    "purpose": "Anbefalinger til et levende bibliotek.",
    "deliverables": "Et forslag til organisering\nEn økonomisk model",
    "in_scope": "Åbningstider, indretning",
    "out_of_scope": "Bygningens placering",
    "constraints": "Budgetrammen ligger fast.",
    "budget": "2 mio. kr.",
    "politicians_target": 5,
    "citizens_target": 10,
    "competence_profile": "Ungdomsarbejde\nArkitektur\nFrivillighed",
    "decision_path": "Kultur- og fritidsudvalget, derefter kommunalbestyrelsen",
    "timeline": "Marts til december",
    "recipient": "Kommunalbestyrelsen",
}


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    return committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)


def approve(store: Store, committee: Committee, facilitator: User) -> None:
    made = mandates.save_mandate(store, committee.id, MANDATE, based_on=None, actor=facilitator)
    mandates.approve_mandate(
        store,
        committee.id,
        made.version,
        body="Kommunalbestyrelsen",
        approved_on="2026-03-01",
        actor=facilitator,
    )


def to_recruitment(store: Store, committee: Committee, facilitator: User) -> None:
    approve(store, committee, facilitator)
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=facilitator)


def apply(store: Store, committee: Committee, name: str, **kw) -> int:
    return recruitment.submit_application(
        store, committee.id, name=name, motivation="Jeg vil gerne", **kw
    ).id


# -- phases ---------------------------------------------------------------------------------


def test_a_new_committee_starts_in_the_mandate_phase_with_a_public_link(store, committee):
    state = committees.get_state(store, committee.id)
    assert state.phase is Phase.MANDATE
    link = committees.public_link_token(store, committee.id)
    assert link is not None and committees.get_committee_by_token(store, link) == committee
    with pytest.raises(NotFound):
        committees.get_committee_by_token(store, "nope")


def test_recruitment_needs_an_approved_mandate(store, committee, facilitator):
    assert committees.blockers(store, committee.id) == ["phase.blocker.mandate_not_approved"]
    with pytest.raises(NotAllowed) as caught:
        committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=facilitator)
    assert caught.value.key == "phase.blocker.mandate_not_approved"
    to_recruitment(store, committee, facilitator)
    assert committees.get_state(store, committee.id).phase is Phase.RECRUITMENT


def test_advancing_from_a_stale_page_changes_nothing(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    with pytest.raises(NotAllowed) as caught:
        committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=facilitator)
    assert caught.value.key == "error.phase.changed_meanwhile"
    assert committees.get_state(store, committee.id).phase is Phase.RECRUITMENT


def test_applications_only_during_recruitment(store, committee, facilitator):
    with pytest.raises(NotAllowed) as caught:
        apply(store, committee, "Anna")
    assert caught.value.key == "error.phase.apply"
    to_recruitment(store, committee, facilitator)
    application_id = apply(store, committee, "Anna")
    recruitment.review_application(
        store, application_id, "appointed", rationale="Ungdomsarbejde", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    with pytest.raises(NotAllowed):
        apply(store, committee, "Bo")
    assert [a.name for a in recruitment.list_applications(store, committee.id)] == ["Anna"]


def test_the_database_refuses_an_application_outside_recruitment(store, committee):
    """The rule holds even for a caller that skips the service layer."""
    with pytest.raises(sqlite3.IntegrityError, match="recruitment_closed"):
        store.execute(
            "INSERT INTO applications (committee_id, name, motivation, submitted_at)"
            " VALUES (?, 'X', 'Y', '2026-01-01')",
            [committee.id],
        )


def test_each_phase_allows_only_its_actions(store, committee, facilitator):
    with pytest.raises(NotAllowed) as caught:
        recommendations.draft_recommendation(
            store, committee.id, title="For tidligt", body="", actor=facilitator
        )
    assert caught.value.key == "error.phase.draft_recommendation"
    with pytest.raises(NotAllowed):
        members.plan_meeting(
            store, committee.id, "Møde 1", planned_at="2026-04-01T17:00", actor=facilitator
        )


def test_phases_run_in_order_to_evaluation(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    with pytest.raises(NotAllowed, match=r"phase.blocker.no_members"):
        committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    committees.advance_phase(store, committee.id, expected=Phase.COMMITTEE_WORK, actor=facilitator)
    with pytest.raises(NotAllowed, match=r"phase.blocker.no_recommendations"):
        committees.advance_phase(
            store, committee.id, expected=Phase.RECOMMENDATIONS, actor=facilitator
        )
    rec = recommendations.draft_recommendation(
        store, committee.id, title="Længere åbent", body="...", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECOMMENDATIONS, actor=facilitator)
    with pytest.raises(NotAllowed, match=r"phase.blocker.decisions_missing"):
        committees.advance_phase(
            store, committee.id, expected=Phase.POLITICAL_DECISION, actor=facilitator
        )
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="adopted",
        decided_on="2026-10-01",
        actor=facilitator,
    )
    recommendations.record_decision(
        store,
        rec.id,
        body="council",
        outcome="adopted",
        decided_on="2026-10-20",
        actor=facilitator,
    )
    committees.advance_phase(
        store, committee.id, expected=Phase.POLITICAL_DECISION, actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.IMPLEMENTATION, actor=facilitator)
    with pytest.raises(NotAllowed, match=r"phase.blocker.last_phase"):
        committees.advance_phase(store, committee.id, expected=Phase.EVALUATION, actor=facilitator)
    history = committees.phase_history(store, committee.id)
    assert list(history) == list(Phase)
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM phase_changes")


def test_timeline_dates_must_not_go_back(store, committee, facilitator):
    committees.set_deadlines(
        store,
        committee.id,
        {Phase.MANDATE: "2026-03-01", Phase.RECRUITMENT: date(2026, 4, 15)},
        actor=facilitator,
    )
    with pytest.raises(InvalidInput) as caught:
        committees.set_deadlines(
            store, committee.id, {Phase.COMMITTEE_WORK: "2026-04-01"}, actor=facilitator
        )
    assert caught.value.key == "error.timeline.out_of_order"
    overview = committees.get_overview(store, committee.id)
    assert overview.next_deadline is not None
    assert overview.next_deadline.due_on == "2026-03-01"
    to_recruitment(store, committee, facilitator)
    overview = committees.get_overview(store, committee.id)
    assert overview.next_deadline is not None
    assert overview.next_deadline.phase is Phase.RECRUITMENT
    with pytest.raises(InvalidInput):
        committees.set_deadlines(
            store, committee.id, {Phase.EVALUATION: "31/12"}, actor=facilitator
        )


def test_many_committees_each_with_their_own_members(store, facilitator):
    first = committees.create_committee(store, "Én", "", actor=facilitator)
    second = committees.create_committee(store, "To", "", actor=facilitator)
    members.add_member(
        store, first.id, name="Mette", role="chair", starts_on="2026-01-01", actor=facilitator
    )
    overviews = {o.id: o for o in committees.list_overviews(store)}
    assert overviews[first.id].members == 1 and overviews[second.id].members == 0
    assert members.list_members(store, second.id) == []


# -- mandate versions -------------------------------------------------------------------------


def test_every_save_keeps_the_earlier_version(store, committee, facilitator):
    first = mandates.save_mandate(store, committee.id, MANDATE, based_on=None, actor=facilitator)
    second = mandates.save_mandate(
        store,
        committee.id,
        {**MANDATE, "budget": "3 mio. kr.", "citizens_target": 12},
        based_on=1,
        actor=facilitator,
        change_note="Større budget",
    )
    assert (first.version, second.version) == (1, 2)
    assert [v.version for v in mandates.list_versions(store, committee.id)] == [2, 1]
    assert mandates.get_mandate(store, committee.id, 1).budget == "2 mio. kr."
    assert second.created_by_name == "Fie"
    changes = {c.field: c for c in mandates.compare_versions(store, committee.id, 1, 2)}
    assert set(changes) == {"budget", "citizens_target"}
    assert changes["budget"].diff == ("-2 mio. kr.", "+3 mio. kr.")
    assert committees.get_committee(store, committee.id).citizens_target == 12
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE mandate_versions SET budget = 'x'")


def test_a_stale_editor_does_not_overwrite_a_newer_version(store, committee, facilitator):
    mandates.save_mandate(store, committee.id, MANDATE, based_on=None, actor=facilitator)
    mandates.save_mandate(
        store, committee.id, {**MANDATE, "budget": "1"}, based_on=1, actor=facilitator
    )
    with pytest.raises(NotAllowed) as caught:
        mandates.save_mandate(
            store, committee.id, {**MANDATE, "budget": "9"}, based_on=1, actor=facilitator
        )
    assert caught.value.key == "error.mandate.changed_meanwhile"
    assert mandates.get_mandate(store, committee.id).budget == "1"


def test_an_approved_mandate_changes_only_as_a_new_version(store, committee, facilitator):
    approve(store, committee, facilitator)
    changed = {**MANDATE, "purpose": "Noget andet"}
    with pytest.raises(NotAllowed) as caught:
        mandates.save_mandate(store, committee.id, changed, based_on=1, actor=facilitator)
    assert caught.value.key == "error.mandate.approved_needs_new_version"
    with pytest.raises(InvalidInput, match=r"error.mandate.note_required"):
        mandates.save_mandate(
            store, committee.id, changed, based_on=1, actor=facilitator, new_version=True
        )
    made = mandates.save_mandate(
        store,
        committee.id,
        changed,
        based_on=1,
        actor=facilitator,
        new_version=True,
        change_note="Ændret efter høring",
    )
    assert made.version == 2 and not made.is_approved
    assert mandates.approved_mandate(store, committee.id).version == 1  # type: ignore[union-attr]
    assert mandates.get_mandate(store, committee.id, 1).purpose == MANDATE["purpose"]


def test_approval_is_recorded_once_for_the_latest_version(store, committee, facilitator):
    mandates.save_mandate(store, committee.id, MANDATE, based_on=None, actor=facilitator)
    mandates.save_mandate(
        store, committee.id, {**MANDATE, "budget": "1"}, based_on=1, actor=facilitator
    )
    with pytest.raises(NotAllowed, match="approve_latest_only"):
        mandates.approve_mandate(
            store, committee.id, 1, body="KB", approved_on="2026-03-01", actor=facilitator
        )
    made = mandates.approve_mandate(
        store, committee.id, 2, body="KB", approved_on="2026-03-01", actor=facilitator
    )
    assert (made.approved_by_body, made.approved_on) == ("KB", "2026-03-01")
    with pytest.raises(NotAllowed, match="already_approved"):
        mandates.approve_mandate(
            store, committee.id, 2, body="KB", approved_on="2026-03-02", actor=facilitator
        )


def test_a_mandate_needs_a_purpose_and_a_sane_composition(store, committee, facilitator):
    with pytest.raises(InvalidInput, match="purpose_missing"):
        mandates.save_mandate(
            store, committee.id, {**MANDATE, "purpose": " "}, based_on=None, actor=facilitator
        )
    with pytest.raises(InvalidInput, match="bad_composition"):
        mandates.save_mandate(
            store,
            committee.id,
            {**MANDATE, "politicians_target": 0, "citizens_target": 0},
            based_on=None,
            actor=facilitator,
        )
    assert mandates.find_mandate(store, committee.id) is None


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_stored_as_written_or_refused_clearly(store, facilitator, text):
    committee = committees.create_committee(store, "H", "", actor=facilitator)
    try:
        made = mandates.save_mandate(
            store, committee.id, {**MANDATE, "background": text}, based_on=None, actor=facilitator
        )
    except InvalidInput:
        return
    assert mandates.get_mandate(store, committee.id, made.version).background == made.background


# -- recruitment ------------------------------------------------------------------------------


def test_diversity_answers_need_consent_and_record_its_time(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    with pytest.raises(InvalidInput, match="consent_needed"):
        apply(store, committee, "Anna", diversity=recruitment.Diversity(age_band="25_39"))
    plain = recruitment.get_application(store, apply(store, committee, "Bo"))
    assert plain.consent_at is None and plain.age_band is None
    told = recruitment.get_application(
        store,
        apply(
            store,
            committee,
            "Cai",
            consent=True,
            diversity=recruitment.Diversity(age_band="25_39", district="Nord"),
            competences=["Arkitektur", "Arkitektur", " "],
        ),
    )
    assert told.consent_at is not None and told.age_band == "25_39" and told.district == "Nord"
    assert told.competences == ("Arkitektur",)
    with pytest.raises(InvalidInput, match="bad_option"):
        apply(store, committee, "Dea", consent=True, diversity=recruitment.Diversity(gender="x"))
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE applications SET age_band = '25_39' WHERE consent_at IS NULL")


def test_every_review_decision_needs_a_rationale(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    application_id = apply(store, committee, "Anna")
    with pytest.raises(InvalidInput, match=r"error.text.empty"):
        recruitment.review_application(
            store, application_id, "declined", rationale="  ", actor=facilitator
        )
    assert recruitment.get_application(store, application_id).status is ApplicationStatus.INTERESTED
    recruitment.review_application(
        store, application_id, "shortlisted", rationale="Dækker ungdom", actor=facilitator
    )
    made = recruitment.review_application(
        store, application_id, "appointed", rationale="Valgt af KB", actor=facilitator
    )
    assert made.status is ApplicationStatus.APPOINTED
    reviews = recruitment.list_reviews(store, application_id)
    assert [r["status"] for r in reviews] == ["shortlisted", "appointed"]
    assert reviews[-1]["reviewer"] == "Fie"
    (member,) = members.list_members(store, committee.id)
    assert (member.name, member.role, member.application_id) == (
        "Anna",
        MemberRole.CITIZEN,
        application_id,
    )


def test_appointing_beyond_the_target_needs_confirmation(store, committee, facilitator):
    mandates.save_mandate(
        store,
        committee.id,
        {**MANDATE, "citizens_target": 1},
        based_on=None,
        actor=facilitator,
    )
    mandates.approve_mandate(
        store, committee.id, 1, body="KB", approved_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=facilitator)
    first, second = apply(store, committee, "Anna"), apply(store, committee, "Bo")
    recruitment.review_application(store, first, "appointed", rationale="A", actor=facilitator)
    with pytest.raises(NotAllowed) as caught:
        recruitment.review_application(store, second, "appointed", rationale="B", actor=facilitator)
    assert caught.value.key == "error.recruitment.over_target"
    assert caught.value.params == {"taken": 1, "target": 1}
    assert recruitment.get_application(store, second).status is ApplicationStatus.INTERESTED
    recruitment.review_application(
        store, second, "appointed", rationale="B", actor=facilitator, confirm_over_target=True
    )
    assert len(members.list_members(store, committee.id)) == 2


def test_politician_seats_have_a_target_too(store, committee, facilitator):
    for name in "ABCDE":
        members.add_member(
            store,
            committee.id,
            name=name,
            role="politician",
            starts_on="2026-01-01",
            actor=facilitator,
        )
    with pytest.raises(NotAllowed, match="over_target"):
        members.add_member(
            store,
            committee.id,
            name="F",
            role="vice_chair",
            starts_on="2026-01-01",
            actor=facilitator,
        )
    members.add_member(
        store,
        committee.id,
        name="Sekretær",
        role="secretariat_facilitator",
        starts_on="2026-01-01",
        actor=facilitator,
    )


def test_coverage_counts_competences_and_targets(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    recruitment.set_target(
        store, committee.id, "age_band", "under_25", minimum=2, maximum=None, actor=facilitator
    )
    young = recruitment.Diversity(age_band="under_25")
    a = apply(store, committee, "A", consent=True, diversity=young, competences=["arkitektur"])
    apply(store, committee, "B", consent=True, diversity=young)
    recruitment.review_application(store, a, "appointed", rationale="x", actor=facilitator)
    rows = {
        (r.kind, r.value): r
        for r in recruitment.coverage(store, committee.id, ["Arkitektur", "Frivillighed"])
    }
    assert rows[("competence", "Arkitektur")].appointed == 1
    assert rows[("competence", "Arkitektur")].met
    assert not rows[("competence", "Frivillighed")].met
    young_row = rows[("age_band", "under_25")]
    assert (young_row.appointed, young_row.applicants, young_row.met) == (1, 2, False)


# -- sortition --------------------------------------------------------------------------------


def _pool(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    recruitment.set_target(
        store, committee.id, "district", "Nord", minimum=2, maximum=3, actor=facilitator
    )
    recruitment.set_target(
        store, committee.id, "gender", "woman", minimum=2, maximum=None, actor=facilitator
    )
    for i in range(12):
        apply(
            store,
            committee,
            f"P{i}",
            consent=True,
            diversity=recruitment.Diversity(
                district="Nord" if i % 4 == 0 else "Syd",
                gender="woman" if i % 3 == 0 else "man",
            ),
        )


def test_the_same_seed_gives_the_same_draw_and_quotas_are_met(store, committee, facilitator):
    _pool(store, committee, facilitator)
    draw = recruitment.run_draw(
        store, committee.id, seats=5, seed="lotto 12 17 33", actor=facilitator
    )
    chosen = [recruitment.get_application(store, i) for i in draw.selected]
    assert 2 <= sum(a.district == "Nord" for a in chosen) <= 3
    assert sum(a.gender == "woman" for a in chosen) >= 2
    assert all(a.status is ApplicationStatus.SHORTLISTED for a in chosen)
    assert all("lotto 12 17 33" in a.rationale for a in chosen)
    # Anyone can replay it from what was published: the same pool, quotas and seed.
    (stored,) = recruitment.list_draws(store, committee.id)
    assert stored["selected"] == list(draw.selected)
    from workshop.committees import sortition

    replay = sortition.draw_panel(
        [
            sortition.Applicant(a.id, {"district": a.district or "", "gender": a.gender or ""})
            for a in recruitment.list_applications(store, committee.id)
        ],
        seats=5,
        seed="lotto 12 17 33",
        quotas=[sortition.Quota(**q) for q in stored["quotas"]],
    )
    assert replay.selected == draw.selected
    assert replay.applicants_digest == stored["applicants_digest"]


def test_a_draw_with_impossible_quotas_changes_nothing(store, committee, facilitator):
    _pool(store, committee, facilitator)
    with pytest.raises(InvalidInput, match="sortition"):
        recruitment.run_draw(store, committee.id, seats=20, seed="x", actor=facilitator)
    assert recruitment.list_draws(store, committee.id) == []
    assert {a.status for a in recruitment.list_applications(store, committee.id)} == {
        ApplicationStatus.INTERESTED
    }


# -- meetings ---------------------------------------------------------------------------------


def test_meeting_plan_with_agenda_minutes_and_attendance(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    chair = members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    plan = members.plan_meeting(
        store,
        committee.id,
        "Første møde",
        planned_at="2099-04-01T17:00",
        location="Rådhuset",
        agenda="1. Velkomst",
        actor=facilitator,
    )
    assert meetings.get_meeting(store, plan.meeting_id).kind == "committee_meeting"
    assert members.next_meeting(store, committee.id) == plan
    held = "2099-04-01T19:00"  # attendance is recorded once the meeting has started
    members.record_attendance(store, plan.meeting_id, {chair.id: True}, actor=facilitator, now=held)
    done = members.record_minutes(
        store, plan.meeting_id, agenda="1. Velkomst", minutes="Vi mødtes.", actor=facilitator
    )
    assert (done.present, done.recorded, done.minutes) == (1, 1, "Vi mødtes.")
    other = committees.create_committee(store, "Andet", "", actor=facilitator)
    stranger = members.add_member(
        store, other.id, name="X", role="observer", starts_on="2026-01-01", actor=facilitator
    )
    with pytest.raises(NotFound):
        members.record_attendance(
            store, plan.meeting_id, {stranger.id: True}, actor=facilitator, now=held
        )


# -- recommendations and decisions -------------------------------------------------------------


@pytest.fixture
def deciding(store, committee, facilitator):
    """A committee with one recommendation built from a voted idea, at the decision phase."""
    to_recruitment(store, committee, facilitator)
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    meeting = meetings.create_meeting(store, committee.id, "Dialogmøde", prompt="?", actor=None)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    idea = ideas.submit_idea(store, anna, "Åbent om søndagen")
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    voting.place_dot(store, anna, vote_round.id, idea.id)
    voting.place_dot(store, anna, vote_round.id, idea.id)
    (candidate,) = recommendations.candidate_ideas(store, committee.id)
    assert (candidate.id, candidate.dots) == (idea.id, 2)
    rec = recommendations.draft_recommendation(
        store,
        committee.id,
        title="Søndagsåbent",
        body="Biblioteket holder åbent om søndagen.",
        theme="Åbningstider",
        idea_ids=[idea.id],
        actor=facilitator,
    )
    assert ideas.get_idea(store, idea.id).status == "in_recommendation"
    committees.advance_phase(store, committee.id, expected=Phase.COMMITTEE_WORK, actor=facilitator)
    committees.advance_phase(store, committee.id, expected=Phase.RECOMMENDATIONS, actor=facilitator)
    return rec, idea


def test_a_recommendation_keeps_its_source_ideas_and_their_dots(store, deciding):
    rec, idea = deciding
    (source,) = recommendations.get_recommendation(store, rec.id).ideas
    assert (source.id, source.dots, source.meeting_title) == (idea.id, 2, "Dialogmøde")


def test_decision_path_standing_committee_then_council(store, deciding, facilitator):
    rec, idea = deciding
    with pytest.raises(NotAllowed, match="wrong_body"):
        recommendations.record_decision(
            store,
            rec.id,
            body="council",
            outcome="adopted",
            decided_on="2026-10-01",
            actor=facilitator,
        )
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="adopted_with_changes",
        decided_on="2026-10-01",
        rationale="Kun i vinterhalvåret",
        actor=facilitator,
    )
    # Forwarded, not yet decided: the idea waits for the council.
    assert ideas.get_idea(store, idea.id).status == "in_recommendation"
    assert recommendations.get_recommendation(store, rec.id).stage == "at_council"
    with pytest.raises(InvalidInput, match="before_previous"):
        recommendations.record_decision(
            store,
            rec.id,
            body="council",
            outcome="adopted",
            decided_on="2026-09-01",
            actor=facilitator,
        )
    recommendations.record_decision(
        store,
        rec.id,
        body="council",
        outcome="postponed",
        decided_on="2026-10-20",
        rationale="Afventer budget",
        actor=facilitator,
    )
    decision = recommendations.record_decision(
        store,
        rec.id,
        body=DecisionBody.COUNCIL,
        outcome=DecisionOutcome.ADOPTED,
        decided_on="2026-11-20",
        actor=facilitator,
    )
    assert decision.outcome is DecisionOutcome.ADOPTED
    assert recommendations.get_recommendation(store, rec.id).stage == "adopted"
    assert ideas.get_idea(store, idea.id).status == "decided"
    with pytest.raises(NotAllowed, match="path_ended"):
        recommendations.record_decision(
            store,
            rec.id,
            body="council",
            outcome="rejected",
            decided_on="2026-12-01",
            rationale="x",
            actor=facilitator,
        )


@pytest.mark.parametrize(
    "outcome", ["rejected", "postponed", "not_forwarded", "adopted_with_changes"]
)
def test_anything_but_adoption_needs_a_rationale(store, deciding, facilitator, outcome):
    rec, _ = deciding
    with pytest.raises(InvalidInput, match="rationale_required"):
        recommendations.record_decision(
            store,
            rec.id,
            body="standing_committee",
            outcome=outcome,
            decided_on="2026-10-01",
            actor=facilitator,
        )
    assert recommendations.get_recommendation(store, rec.id).decisions == ()
    with pytest.raises(sqlite3.IntegrityError):
        store.execute(
            "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
            " recorded_at) VALUES (?, 'council', 'rejected', '2026-01-01', ' ', 'x')",
            [rec.id],
        )


def test_not_forwarded_ends_the_path_and_rejects_the_ideas(store, deciding, facilitator):
    rec, idea = deciding
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="not_forwarded",
        decided_on="2026-10-01",
        rationale="Ligger uden for budgettet",
        actor=facilitator,
    )
    assert ideas.get_idea(store, idea.id).status == "rejected"
    with pytest.raises(InvalidInput, match="outcome_not_for_body"):
        recommendations.record_decision(
            store,
            rec.id,
            body="council",
            outcome="not_forwarded",
            decided_on="2026-10-02",
            rationale="x",
            actor=facilitator,
        )


def test_ideas_from_another_committee_cannot_be_linked(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    other = committees.create_committee(store, "Andet", "", actor=facilitator)
    meeting = meetings.create_meeting(store, other.id, "Møde", prompt="?", actor=None)
    start(store, meeting)
    stranger = ideas.submit_idea(store, join(store, meeting, "Bo"), "Fremmed idé")
    with pytest.raises(NotFound):
        recommendations.draft_recommendation(
            store, committee.id, title="x", body="", idea_ids=[stranger.id], actor=facilitator
        )
    assert recommendations.list_recommendations(store, committee.id) == []
    assert ideas.get_idea(store, stranger.id).status == "submitted"


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=150),
    motivation=st.text(max_size=400),
    competences=st.lists(st.text(max_size=130), max_size=25),
    district=st.text(max_size=100),
)
def test_any_application_is_stored_as_written_or_refused_clearly(
    store, facilitator, name, motivation, competences, district
):
    committee = committees.create_committee(store, "H", "", actor=facilitator)
    to_recruitment(store, committee, facilitator)
    try:
        made = recruitment.submit_application(
            store,
            committee.id,
            name=name,
            motivation=motivation,
            competences=competences,
            consent=True,
            diversity=recruitment.Diversity(district=district),
        )
    except InvalidInput:
        assert recruitment.list_applications(store, committee.id) == []
        return
    stored = recruitment.get_application(store, made.id)
    assert stored == made and stored.name.strip() and stored.motivation.strip()
    assert len(stored.competences) <= recruitment.COMPETENCES_MAX
