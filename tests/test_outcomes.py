"""Outcome records: created by the council's adoption or an idea's implementation, answered in
the barometer's terms, followed up with reviews."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import join, make_meeting, start
from workshop import audit, outcomes
from workshop.db import Store
from workshop.errors import InvalidInput, NotFound
from workshop.i18n import formats
from workshop.meetings import idea_status, ideas
from workshop.model import IdeaStatus, Meeting, User, utcnow
from workshop.outcomes import EvidenceKind, OutcomeStatus, ReviewState

TODAY = date(2026, 11, 22)


def add_recommendation(store: Store, committee_id: int, title: str = "Åbent bibliotek") -> int:
    now = utcnow()
    with store.transaction() as db:
        return int(
            db.execute(
                "INSERT INTO recommendations (committee_id, title, body, created_at, updated_at)"
                " VALUES (?, ?, '', ?, ?) RETURNING id",
                [committee_id, title, now, now],
            ).fetchall()[0][0]
        )


def decide(store: Store, recommendation_id: int, body: str, outcome: str, why: str = "") -> None:
    now = utcnow()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [recommendation_id, body, outcome, now[:10], why, now],
        )


@pytest.fixture
def adopted(store: Store, meeting: Meeting) -> outcomes.Outcome:
    recommendation = add_recommendation(store, meeting.committee_id)
    decide(store, recommendation, "standing_committee", "adopted")
    decide(store, recommendation, "council", "adopted_with_changes", "Kortere åbningstid")
    [outcome] = outcomes.list_outcomes(store, meeting.committee_id)
    return outcome


def test_the_councils_adoption_creates_one_outcome_record(store, meeting) -> None:
    recommendation = add_recommendation(store, meeting.committee_id)
    decide(store, recommendation, "standing_committee", "adopted")
    assert outcomes.list_outcomes(store) == []  # the standing committee alone is not enough
    decide(store, recommendation, "council", "postponed", "Mangler budget")
    assert outcomes.list_outcomes(store) == []
    decide(store, recommendation, "council", "adopted")
    decide(store, recommendation, "council", "adopted")  # recorded twice: still one outcome
    [outcome] = outcomes.list_outcomes(store)
    assert outcome.recommendation_id == recommendation and outcome.idea_id is None
    assert outcome.title == "Åbent bibliotek" and outcome.committee_id == meeting.committee_id
    assert outcome.source is outcomes.Source.RECOMMENDATION
    assert outcome.status is OutcomeStatus.NOT_STARTED and outcome.progress == 0


def test_a_rejected_recommendation_gets_no_outcome(store, meeting) -> None:
    recommendation = add_recommendation(store, meeting.committee_id)
    decide(store, recommendation, "standing_committee", "adopted")
    decide(store, recommendation, "council", "rejected", "For dyrt")
    assert outcomes.list_outcomes(store) == []


def test_an_implemented_idea_gets_an_outcome_record(store, meeting, facilitator) -> None:
    start(store, meeting)
    idea = ideas.submit_idea(store, join(store, meeting, "Anna"), "Lektiecafé om eftermiddagen")
    idea_status.change_status(
        store, idea.id, IdeaStatus.SHORTLISTED, reason=None, actor=facilitator
    )
    assert outcomes.list_outcomes(store) == []
    idea_status.change_status(
        store, idea.id, IdeaStatus.IMPLEMENTED, reason=None, actor=facilitator
    )
    [outcome] = outcomes.list_outcomes(store, meeting.committee_id)
    assert outcome.idea_id == idea.id and outcome.source is outcomes.Source.IDEA
    assert outcome.title == "Lektiecafé om eftermiddagen"


def test_the_database_refuses_an_outcome_of_nothing_or_of_both(store, meeting) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute(
            "INSERT INTO outcomes (committee_id, title, created_at, updated_at)"
            " VALUES (?, 'x', 'now', 'now')",
            [meeting.committee_id],
        )


def test_expected_values_replace_the_earlier_choice_and_are_audited(
    store, adopted, facilitator
) -> None:
    outcomes.record_expected_values(
        store, adopted.id, ["quality", "citizen_involvement"], actor=facilitator
    )
    outcome = outcomes.record_expected_values(
        store, adopted.id, ["political_goals", "quality"], actor=facilitator
    )
    assert set(outcome.expected) == {"quality", "political_goals"}
    assert outcome.realised == ()
    actions = [e["action"] for e in audit.list_entries(store)]
    assert actions.count("record_expected_values") == 2


@pytest.mark.parametrize(
    ("kind", "evidence", "key"),
    [
        (None, "", "error.outcomes.evidence_required"),
        ("text", "   ", "error.outcomes.evidence_required"),
        ("figure", "meget bedre", "error.outcomes.evidence_figure"),
        ("link", "se rapporten", "error.outcomes.evidence_link"),
        ("photo", "x", "error.outcomes.evidence_kind"),
    ],
)
def test_a_realised_value_without_proper_evidence_is_refused(
    store, adopted, facilitator, kind, evidence, key
) -> None:
    with pytest.raises(InvalidInput) as error:
        outcomes.record_realised_value(
            store, adopted.id, "quality", evidence_kind=kind, evidence=evidence, actor=facilitator
        )
    assert error.value.key == key
    assert outcomes.get_outcome(store, adopted.id).realised == ()


def test_the_database_itself_refuses_a_realised_value_without_evidence(store, adopted) -> None:
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute(
            "INSERT INTO outcome_values (outcome_id, stage, value, recorded_at)"
            " VALUES (?, 'realised', 'quality', 'now')",
            [adopted.id],
        )


def test_realised_values_with_evidence(store, adopted, facilitator) -> None:
    outcomes.record_realised_value(
        store,
        adopted.id,
        "efficiency",
        evidence_kind="figure",
        evidence="Ventetid ned fra 14 til 6 dage",
        actor=facilitator,
    )
    outcome = outcomes.record_realised_value(
        store,
        adopted.id,
        "citizen_involvement",
        evidence_kind="link",
        evidence="https://nordby.dk/evaluering.pdf",
        actor=facilitator,
    )
    assert set(outcome.realised) == {"efficiency", "citizen_involvement"}
    kinds = {v.value: v.evidence_kind for v in outcome.values}
    assert kinds["efficiency"] is EvidenceKind.FIGURE
    outcome = outcomes.withdraw_realised_value(store, adopted.id, "efficiency", actor=facilitator)
    assert outcome.realised == ("citizen_involvement",)


def test_barometer_answers_are_checked_and_stored_as_keys(store, adopted, facilitator) -> None:
    outcome = outcomes.record_barometer_answers(
        store,
        adopted.id,
        innovation_types=["service", "process_organisation"],
        novelty="inspired_adapted",
        initiators=["citizens_users", "nearest_political_leadership"],
        partners=["citizens", "voluntary_orgs"],
        evaluated="internal",
        shared=True,
        factors={"citizens": "promoted_high", "limited_financial_resources": "hindered_some"},
        actor=facilitator,
    )
    assert outcome.novelty == "inspired_adapted" and outcome.evaluated == "internal"
    assert outcome.initiated_politically is True and outcome.shared is True
    assert outcome.factors == {
        "citizens": "promoted_high",
        "limited_financial_resources": "hindered_some",
    }
    with pytest.raises(InvalidInput, match="too_many_initiators"):
        outcomes.record_barometer_answers(
            store,
            adopted.id,
            initiators=["employees", "citizens_users", "new_technology", "other"],
            actor=facilitator,
        )
    with pytest.raises(InvalidInput, match="unknown_key"):
        outcomes.record_barometer_answers(store, adopted.id, novelty="brand_new", actor=facilitator)
    assert outcomes.get_outcome(store, adopted.id).initiators == (
        "citizens_users",
        "nearest_political_leadership",
    )


def test_follow_up_owner_status_and_progress(store, adopted, facilitator) -> None:
    outcome = outcomes.update_follow_up(
        store,
        adopted.id,
        owner="Kultur og Fritid",
        status="in_progress",
        progress=40,
        actor=facilitator,
    )
    assert (outcome.owner, outcome.status, outcome.progress) == (
        "Kultur og Fritid",
        OutcomeStatus.IN_PROGRESS,
        40,
    )
    assert (
        outcomes.update_follow_up(
            store, adopted.id, owner="x", status="done", progress=60, actor=facilitator
        ).progress
        == 100
    )
    for status, progress, key in (
        ("paused", 10, "unknown_status"),
        ("in_progress", 120, "progress_range"),
    ):
        with pytest.raises(InvalidInput, match=key):
            outcomes.update_follow_up(
                store, adopted.id, owner="", status=status, progress=progress, actor=facilitator
            )


def test_a_review_date_in_the_past_is_refused(store, adopted, facilitator) -> None:
    with pytest.raises(InvalidInput) as error:
        outcomes.schedule_review(
            store, adopted.id, TODAY - timedelta(days=1), actor=facilitator, today=TODAY
        )
    assert error.value.key == "error.outcomes.review_in_past"
    assert error.value.params == {"date": "2026-11-21"}
    with pytest.raises(InvalidInput, match="review_date"):
        outcomes.schedule_review(store, adopted.id, None, actor=facilitator, today=TODAY)
    assert outcomes.list_reviews(store) == []


def test_due_and_overdue_reviews_are_listed(store, adopted, facilitator) -> None:
    soon = outcomes.schedule_review(
        store, adopted.id, TODAY + timedelta(days=3), actor=facilitator, today=TODAY
    )
    later = outcomes.schedule_review(
        store, adopted.id, TODAY + timedelta(days=60), actor=facilitator, today=TODAY
    )
    today_review = outcomes.schedule_review(
        store, adopted.id, TODAY, actor=facilitator, today=TODAY
    )
    # Ten days on, the review planned for "today" is overdue and the one in three days too.
    then = TODAY + timedelta(days=10)
    states = {r.id: r.state for r in outcomes.list_reviews(store, today=then)}
    assert states == {
        today_review: ReviewState.OVERDUE,
        soon: ReviewState.OVERDUE,
        later: ReviewState.UPCOMING,
    }
    assert [r.id for r in outcomes.list_due_reviews(store, today=TODAY)] == [today_review, soon]
    with pytest.raises(InvalidInput, match="review_note_required"):
        outcomes.complete_review(store, soon, "  ", actor=facilitator)
    outcomes.complete_review(store, soon, "Åbent hver søndag fra januar", actor=facilitator)
    with pytest.raises(InvalidInput, match="review_done"):
        outcomes.complete_review(store, soon, "igen", actor=facilitator)
    assert [r.id for r in outcomes.list_due_reviews(store, today=then)] == [today_review]
    with pytest.raises(NotFound):
        outcomes.complete_review(store, 999, "x", actor=facilitator)


def test_every_write_moves_the_version_that_summaries_cache_on(store, adopted, facilitator) -> None:
    before = outcomes.outcomes_version(store)
    outcomes.schedule_review(store, adopted.id, formats.today(), actor=facilitator)
    assert outcomes.outcomes_version(store) != before


def test_barometer_records_feed_the_aggregation(store, adopted, facilitator: User) -> None:
    outcomes.record_expected_values(store, adopted.id, ["quality"], actor=facilitator)
    outcomes.record_realised_value(
        store,
        adopted.id,
        "quality",
        evidence_kind="text",
        evidence="Flere brugere",
        actor=facilitator,
    )
    [record] = outcomes.barometer_records(store)
    assert record["values_expected"] == ["quality"] and record["values_realised"] == ["quality"]
    assert record["initiators"] is None  # not answered: unknown, not "other"


def test_unknown_outcome_is_not_found(store, facilitator) -> None:
    with pytest.raises(NotFound):
        outcomes.get_outcome(store, 42)
    with pytest.raises(NotFound):
        outcomes.record_expected_values(store, 42, ["quality"], actor=facilitator)


def test_records_made_before_the_migration_are_backfilled(tmp_path) -> None:
    """Opening an older database creates the outcome records it should already have."""
    from sqlite_utils import Database

    from workshop.app import migration_sets
    from workshop.db import connect

    conn = connect(tmp_path / "old.db")
    db = Database(conn)
    for migration_set in migration_sets():
        if migration_set.name != "samskab.outcomes":
            migration_set.apply(db)
    store = Store(conn, str(tmp_path / "old.db"))
    meeting = make_meeting(store)
    recommendation = add_recommendation(store, meeting.committee_id)
    decide(store, recommendation, "council", "adopted")
    for migration_set in migration_sets():
        migration_set.apply(db)
    [outcome] = outcomes.list_outcomes(store)
    assert outcome.recommendation_id == recommendation


@given(kind=st.sampled_from(["text", "figure", "link", "", None]), evidence=st.text(max_size=300))
def test_evidence_is_accepted_or_refused_with_a_message_never_a_crash(kind, evidence) -> None:
    try:
        checked_kind, text = outcomes.check_evidence(kind, evidence)
    except InvalidInput as error:
        assert error.key.startswith("error.")
    else:
        assert text.strip() and checked_kind in set(EvidenceKind)
        if checked_kind is EvidenceKind.FIGURE:
            assert any(ch.isdigit() for ch in text)
