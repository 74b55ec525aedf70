"""Corrections: a committee goes back a phase with a reason; a decision, a date or a rationale
is corrected as a new version with the old one kept. Both are audited; bad input changes
nothing."""

from __future__ import annotations

import json

import pytest

from tests import test_committees
from tests.test_committees import apply, to_recruitment
from workshop import audit, committees
from workshop.committees import corrections, members, recommendations, recruitment
from workshop.committees.model import Phase
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed
from workshop.meetings import ideas
from workshop.model import Committee, User


@pytest.fixture
def committee(store: Store, facilitator: User) -> Committee:
    return committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)


deciding = test_committees.deciding  # a committee at the decision phase (fixture)


def actions(store: Store) -> list[dict]:
    return audit.list_entries(store)


def count(store: Store, table: str) -> int:
    return int(store.scalar(f"SELECT COUNT(*) FROM {table}"))


# -- going back a phase -------------------------------------------------------------------------


def test_going_back_to_recruitment_reopens_applications_and_keeps_everything(
    store, committee, facilitator
):
    to_recruitment(store, committee, facilitator)
    first = apply(store, committee, "Anna")
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    with pytest.raises(NotAllowed):
        apply(store, committee, "For sent")

    for empty in ("", "   "):
        with pytest.raises(InvalidInput, match="empty"):
            committees.go_back_phase(
                store, committee.id, expected=Phase.COMMITTEE_WORK, reason=empty, actor=facilitator
            )
    assert committees.get_state(store, committee.id).phase is Phase.COMMITTEE_WORK

    back = committees.go_back_phase(
        store,
        committee.id,
        expected=Phase.COMMITTEE_WORK,
        reason="For få unge ansøgere: vi rekrutterer igen",
        actor=facilitator,
    )
    assert back is Phase.RECRUITMENT
    assert committees.get_state(store, committee.id).phase is Phase.RECRUITMENT
    late = apply(store, committee, "Bo")  # the form takes applications again
    assert [a.id for a in recruitment.list_applications(store, committee.id)] == [first, late]
    assert [m.name for m in members.list_members(store, committee.id)] == ["Mette"]

    history = committees.phase_changes(store, committee.id)
    assert [(c.from_phase, c.to_phase) for c in history] == [
        (None, Phase.MANDATE),
        (Phase.MANDATE, Phase.RECRUITMENT),
        (Phase.RECRUITMENT, Phase.COMMITTEE_WORK),
        (Phase.COMMITTEE_WORK, Phase.RECRUITMENT),
    ]
    assert history[-1].is_back and not history[-2].is_back
    assert history[-1].reason == "For få unge ansøgere: vi rekrutterer igen"
    assert history[-1].changed_by_name == "Fie"
    entry = next(e for e in actions(store) if e["action"] == "go_back_phase")
    assert json.loads(entry["after"]) == {
        "phase": "recruitment",
        "reason": "For få unge ansøgere: vi rekrutterer igen",
    }
    # Moving forward again asks the same readiness as the first time.
    assert committees.blockers(store, committee.id) == []
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)


def test_going_back_from_the_first_phase_or_a_stale_page_changes_nothing(
    store, committee, facilitator
):
    before = count(store, "phase_changes")
    with pytest.raises(NotAllowed, match="first_phase"):
        committees.go_back_phase(
            store, committee.id, expected=Phase.MANDATE, reason="Fejl", actor=facilitator
        )
    to_recruitment(store, committee, facilitator)
    with pytest.raises(NotAllowed, match="changed_meanwhile"):
        committees.go_back_phase(
            store, committee.id, expected=Phase.COMMITTEE_WORK, reason="Fejl", actor=facilitator
        )
    assert committees.get_state(store, committee.id).phase is Phase.RECRUITMENT
    assert count(store, "phase_changes") == before + 1  # only the advance


def test_going_back_from_the_decision_phase_keeps_the_decisions(store, deciding, facilitator):
    rec, _ = deciding
    committee_id = rec.committee_id
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="adopted",
        decided_on="2026-05-01",
        actor=facilitator,
    )
    committees.go_back_phase(
        store,
        committee_id,
        expected=Phase.POLITICAL_DECISION,
        reason="Anbefalingen skal omskrives",
        actor=facilitator,
    )
    assert committees.is_allowed(store, committee_id, committees.Action.DRAFT_RECOMMENDATION)
    assert len(recommendations.get_recommendation(store, rec.id).decisions) == 1


# -- correcting a decision ----------------------------------------------------------------------


def _decided(store, deciding, facilitator):
    rec, idea = deciding
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="adopted",
        decided_on="2026-05-01",
        actor=facilitator,
    )
    council = recommendations.record_decision(
        store,
        rec.id,
        body="council",
        outcome="rejected",
        decided_on="2026-06-01",
        rationale="For dyrt",
        actor=facilitator,
    )
    return rec, idea, council


def test_a_corrected_decision_is_a_new_version_and_the_old_stays(store, deciding, facilitator):
    rec, idea, council = _decided(store, deciding, facilitator)
    assert council.version == 1
    fixed = recommendations.correct_decision(
        store,
        council.id,
        expected_version=1,
        outcome="rejected",
        decided_on="2026-06-02",
        rationale="Udgiften passer ikke i budgettet for 2027",
        actor=facilitator,
    )
    assert (fixed.version, fixed.decided_at, fixed.rationale) == (
        2,
        "2026-06-02",
        "Udgiften passer ikke i budgettet for 2027",
    )
    (was,) = fixed.corrections
    assert was.before == {
        "outcome": "rejected",
        "decided_at": "2026-06-01",
        "rationale": "For dyrt",
    }
    assert (was.version, was.corrected_by_name) == (2, "Fie")
    shown = recommendations.get_recommendation(store, rec.id).decisions[-1]
    assert shown == fixed
    # The recorded row is untouched; the correction is in the audit log.
    row = store.query_one("SELECT decided_at, rationale FROM decisions WHERE id = ?", [council.id])
    assert row == {"decided_at": "2026-06-01", "rationale": "For dyrt"}
    entry = next(e for e in actions(store) if e["action"] == "correct_decision")
    assert json.loads(entry["before"])["rationale"] == "For dyrt"
    # The rejected idea carries the corrected reason.
    assert ideas.get_idea(store, idea.id).status == "rejected"


def test_correcting_the_last_outcome_moves_the_ideas(store, deciding, facilitator):
    rec, idea, council = _decided(store, deciding, facilitator)
    first = recommendations.get_recommendation(store, rec.id).decisions[0]
    with pytest.raises(NotAllowed, match="outcome_not_last"):
        recommendations.correct_decision(
            store,
            first.id,
            expected_version=1,
            outcome="rejected",
            decided_on="2026-05-01",
            rationale="Nej",
            actor=facilitator,
        )
    recommendations.correct_decision(
        store,
        council.id,
        expected_version=1,
        outcome="adopted",
        decided_on="2026-06-01",
        rationale="",
        actor=facilitator,
    )
    assert recommendations.get_recommendation(store, rec.id).stage == "adopted"
    assert ideas.get_idea(store, idea.id).status == "decided"
    # Adopted by the council after all: the recommendation gets its outcome record.
    assert store.scalar("SELECT COUNT(*) FROM outcomes WHERE recommendation_id = ?", [rec.id]) == 1


def test_bad_decision_corrections_change_nothing(store, deciding, facilitator):
    rec, _, council = _decided(store, deciding, facilitator)
    same = {"outcome": "rejected", "decided_on": "2026-06-01", "rationale": "For dyrt"}
    with pytest.raises(InvalidInput, match=r"correction\.unchanged"):
        recommendations.correct_decision(
            store, council.id, expected_version=1, actor=facilitator, **same
        )
    with pytest.raises(InvalidInput, match="rationale_required"):
        recommendations.correct_decision(
            store,
            council.id,
            expected_version=1,
            outcome="rejected",
            decided_on="2026-06-01",
            rationale=" ",
            actor=facilitator,
        )
    with pytest.raises(InvalidInput, match="before_previous"):
        recommendations.correct_decision(
            store,
            council.id,
            expected_version=1,
            outcome="rejected",
            decided_on="2026-04-01",
            rationale="For dyrt",
            actor=facilitator,
        )
    recommendations.correct_decision(
        store,
        council.id,
        expected_version=1,
        outcome="rejected",
        decided_on="2026-06-01",
        rationale="Første rettelse",
        actor=facilitator,
    )
    # Someone else corrected first: the page still shows version 1.
    with pytest.raises(NotAllowed, match=r"correction\.stale"):
        recommendations.correct_decision(
            store,
            council.id,
            expected_version=1,
            outcome="rejected",
            decided_on="2026-06-01",
            rationale="Anden rettelse",
            actor=facilitator,
        )
    assert count(store, "corrections") == 1
    assert recommendations.get_recommendation(store, rec.id).decisions[-1].rationale == (
        "Første rettelse"
    )


# -- correcting dates ---------------------------------------------------------------------------


def test_a_corrected_deadline_keeps_the_old_date(store, committee, facilitator):
    committees.set_deadlines(
        store, committee.id, {Phase.RECRUITMENT: "2026-05-01"}, actor=facilitator
    )
    version = committees.correct_deadline(
        store, committee.id, Phase.RECRUITMENT, "2026-05-15", expected_version=1, actor=facilitator
    )
    assert version == 2
    assert committees.list_deadlines(store, committee.id)[0].due_on == "2026-05-15"
    (was,) = corrections.deadline_corrections(store, committee.id)["recruitment"]
    assert (was.before, was.after) == ({"due_on": "2026-05-01"}, {"due_on": "2026-05-15"})
    with pytest.raises(NotAllowed, match="stale"):
        committees.correct_deadline(
            store,
            committee.id,
            Phase.RECRUITMENT,
            "2026-05-20",
            expected_version=1,
            actor=facilitator,
        )
    with pytest.raises(InvalidInput, match="unchanged"):
        committees.correct_deadline(
            store,
            committee.id,
            Phase.RECRUITMENT,
            "2026-05-15",
            expected_version=2,
            actor=facilitator,
        )
    assert committees.list_deadlines(store, committee.id)[0].due_on == "2026-05-15"
    assert count(store, "corrections") == 1
    assert any(e["action"] == "correct_deadline" for e in actions(store))
    # The timeline editor: a changed date is a correction too, refused when stale.
    with pytest.raises(NotAllowed, match="stale"):
        committees.set_deadlines(
            store,
            committee.id,
            {Phase.RECRUITMENT: "2026-05-31"},
            actor=facilitator,
            seen_versions={Phase.RECRUITMENT: 1},
        )
    committees.set_deadlines(
        store,
        committee.id,
        {Phase.RECRUITMENT: "2026-05-31"},
        actor=facilitator,
        seen_versions={Phase.RECRUITMENT: 2},
    )
    fixes = corrections.deadline_corrections(store, committee.id)["recruitment"]
    assert [f.before["due_on"] for f in fixes] == ["2026-05-01", "2026-05-15"]


def test_a_corrected_meeting_date_keeps_the_old_date(store, committee, facilitator):
    to_recruitment(store, committee, facilitator)
    plan = members.plan_meeting(
        store, committee.id, "Første møde", planned_at="2026-04-02T17:00", actor=facilitator
    )
    version = corrections.correct_meeting_date(
        store, plan.meeting_id, "2026-04-09T17:00", expected_version=1, actor=facilitator
    )
    assert version == 2
    assert members.get_meeting_plan(store, plan.meeting_id).planned_at == "2026-04-09T17:00"
    (was,) = corrections.history(store, "meeting_date", plan.meeting_id)
    assert was.before == {"planned_at": "2026-04-02T17:00"}
    for bad, error in (("2026-04-09T17:00", InvalidInput), ("2026-04-16T17:00", NotAllowed)):
        with pytest.raises(error):
            corrections.correct_meeting_date(
                store,
                plan.meeting_id,
                bad,
                expected_version=2 if error is InvalidInput else 1,
                actor=facilitator,
            )
    assert members.get_meeting_plan(store, plan.meeting_id).planned_at == "2026-04-09T17:00"


# -- correcting a review rationale --------------------------------------------------------------


def test_a_corrected_rationale_keeps_the_old_one_and_erasure_redacts_both(
    store, committee, facilitator
):
    to_recruitment(store, committee, facilitator)
    anna = apply(store, committee, "Anna")
    with pytest.raises(NotAllowed, match="nothing_decided"):
        recruitment.correct_rationale(store, anna, "Grund", expected_version=1, actor=facilitator)
    recruitment.review_application(
        store, anna, "declined", rationale="Bor uden for kommunen", actor=facilitator
    )
    fixed = recruitment.correct_rationale(
        store, anna, "Dækket af andre med samme profil", expected_version=1, actor=facilitator
    )
    assert (fixed.rationale, fixed.rationale_version) == ("Dækket af andre med samme profil", 2)
    (was,) = recruitment.rationale_corrections(store, committee.id)[anna]
    assert was.before == {"rationale": "Bor uden for kommunen"}
    assert [r["rationale"] for r in recruitment.list_reviews(store, anna)] == [
        "Bor uden for kommunen"
    ]
    with pytest.raises(NotAllowed, match="stale"):
        recruitment.correct_rationale(
            store, anna, "Noget tredje", expected_version=1, actor=facilitator
        )
    with pytest.raises(InvalidInput, match="unchanged"):
        recruitment.correct_rationale(
            store, anna, "Dækket af andre med samme profil", expected_version=2, actor=facilitator
        )
    assert any(e["action"] == "correct_application_rationale" for e in actions(store))

    recruitment.erase_application(store, anna, actor=facilitator)
    (erased,) = recruitment.rationale_corrections(store, committee.id)[anna]
    assert erased.before == erased.after == {"rationale": "—"}
    with pytest.raises(Exception, match="append-only"):
        store.execute("UPDATE corrections SET version = 9")
