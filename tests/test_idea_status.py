"""Idea status history: every change recorded, rejection only with a reason."""

from __future__ import annotations

import pytest

from tests.factories import join, start
from workshop.errors import InvalidInput
from workshop.meetings import idea_status, ideas
from workshop.model import IdeaStatus


@pytest.fixture
def idea(store, meeting):
    start(store, meeting)
    return ideas.submit_idea(store, join(store, meeting, "Anna"), "Bænke ved søen")


def test_status_changes_are_kept_as_history(store, idea, facilitator) -> None:
    idea_status.change_status(
        store, idea.id, IdeaStatus.SHORTLISTED, reason=None, actor=facilitator
    )
    idea_status.change_status(
        store, idea.id, IdeaStatus.IMPLEMENTED, reason="Opsat i maj", actor=facilitator
    )
    assert [e["status"] for e in idea_status.history(store, idea.id)] == [
        "shortlisted",
        "implemented",
    ]
    assert ideas.get_idea(store, idea.id).status is IdeaStatus.IMPLEMENTED


def test_rejection_without_a_reason_is_refused_and_nothing_changes(
    store, idea, facilitator
) -> None:
    with pytest.raises(InvalidInput) as raised:
        idea_status.change_status(
            store, idea.id, IdeaStatus.REJECTED, reason="  ", actor=facilitator
        )
    assert raised.value.key == "error.idea_status.reason_required"
    assert ideas.get_idea(store, idea.id).status is IdeaStatus.SUBMITTED
    assert idea_status.history(store, idea.id) == []


def test_a_status_change_reaches_the_phones(store, meeting, idea, facilitator) -> None:
    from workshop.meetings import core as meetings

    before = meetings.meeting_state(store, meeting.id).change_seq
    idea_status.change_status(store, idea.id, IdeaStatus.THEMED, reason=None, actor=facilitator)
    changed = ideas.ideas_changed_since(store, meeting.id, before)
    assert [(i.id, i.status) for i in changed] == [(idea.id, IdeaStatus.THEMED)]


def test_an_unknown_status_is_refused_with_a_clear_message(store, idea, facilitator) -> None:
    with pytest.raises(InvalidInput) as raised:
        idea_status.change_status(store, idea.id, "maybe", reason=None, actor=facilitator)
    assert raised.value.key == "error.idea_status.unknown"
    assert idea_status.history(store, idea.id) == []


def _recommendation(store, meeting, idea_ids) -> int:
    """A bare recommendation row linking ideas (the committee feature owns the real flow)."""
    with store.transaction() as db:  # the new id is read before the commit
        rec_id = db.execute(
            "INSERT INTO recommendations (committee_id, title, created_at, updated_at)"
            " VALUES (?, 'Bænke', '2026-01-01', '2026-01-01') RETURNING id",
            [meeting.committee_id],
        ).fetchall()[0][0]
    for idea_id in idea_ids:
        store.execute(
            "INSERT INTO recommendation_ideas (recommendation_id, idea_id) VALUES (?, ?)",
            [rec_id, idea_id],
        )
    return int(rec_id)


@pytest.mark.parametrize(
    ("outcome", "rationale", "expected"),
    [
        ("adopted", None, IdeaStatus.DECIDED),
        ("adopted_with_changes", "Kun ved søen", IdeaStatus.DECIDED),
        ("rejected", "Pengene rækker ikke", IdeaStatus.REJECTED),
        ("not_forwarded", "Ligger uden for opgaven", IdeaStatus.REJECTED),
        ("postponed", "Næste møde", IdeaStatus.SUBMITTED),
    ],
)
def test_a_decision_moves_every_linked_idea_and_the_citizen_reads_why(
    store, meeting, idea, facilitator, outcome, rationale, expected
) -> None:
    from workshop.feedback import core as feedback

    other = ideas.submit_idea(store, join(store, meeting, "Bo"), "Lys på stien")
    rec_id = _recommendation(store, meeting, [idea.id, other.id])
    with store.transaction() as db:
        moved = idea_status.apply_decision(db, rec_id, outcome, rationale, facilitator)
    assert moved == (0 if expected is IdeaStatus.SUBMITTED else 2)
    [mine] = feedback.my_ideas(store, idea.participant_id)
    assert mine.status is expected
    if moved:
        assert mine.reason == rationale
        assert mine.history[-1].source == "decision"


def test_a_rejecting_decision_without_a_rationale_moves_nothing(
    store, meeting, idea, facilitator
) -> None:
    rec_id = _recommendation(store, meeting, [idea.id])
    with pytest.raises(InvalidInput), store.transaction() as db:
        idea_status.apply_decision(db, rec_id, "rejected", "", facilitator)
    assert ideas.get_idea(store, idea.id).status is IdeaStatus.SUBMITTED


def test_the_council_decision_reaches_my_ideas_without_copying(store, facilitator) -> None:
    """The real path: recommendation from an idea, standing committee, then the council."""
    from workshop import committees
    from workshop.committees import mandates, members, recommendations
    from workshop.committees.model import Phase
    from workshop.feedback import core as feedback
    from workshop.meetings import core as meetings

    committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=facilitator)
    made = mandates.save_mandate(
        store,
        committee.id,
        {"purpose": "Et levende bibliotek", "decision_path": "Udvalg, derefter byråd"},
        based_on=None,
        actor=facilitator,
    )
    mandates.approve_mandate(
        store,
        committee.id,
        made.version,
        body="Kommunalbestyrelsen",
        approved_on="2026-03-01",
        actor=facilitator,
    )
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=facilitator)
    members.add_member(
        store, committee.id, name="Mette", role="chair", starts_on="2026-03-01", actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=facilitator)
    meeting = meetings.create_meeting(store, committee.id, "Dialogmøde", actor=facilitator)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    idea = ideas.submit_idea(store, anna, "Åbent om søndagen")
    rec = recommendations.draft_recommendation(
        store, committee.id, title="Søndagsåbent", body="", idea_ids=[idea.id], actor=facilitator
    )
    committees.advance_phase(store, committee.id, expected=Phase.COMMITTEE_WORK, actor=facilitator)
    committees.advance_phase(store, committee.id, expected=Phase.RECOMMENDATIONS, actor=facilitator)
    recommendations.record_decision(
        store,
        rec.id,
        body="standing_committee",
        outcome="adopted",
        decided_on="2026-09-01",
        actor=facilitator,
    )
    assert feedback.my_ideas(store, anna.id)[0].status is IdeaStatus.IN_RECOMMENDATION
    recommendations.record_decision(
        store,
        rec.id,
        body="council",
        outcome="rejected",
        decided_on="2026-10-01",
        rationale="Budgettet rækker ikke i 2027.",
        actor=facilitator,
    )
    [mine] = feedback.my_ideas(store, anna.id)
    assert (mine.status, mine.reason) == (IdeaStatus.REJECTED, "Budgettet rækker ikke i 2027.")
    assert [e.status for e in mine.history] == [IdeaStatus.IN_RECOMMENDATION, IdeaStatus.REJECTED]
