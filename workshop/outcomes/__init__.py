"""Outcomes: what adopted recommendations and implemented ideas became, followed up in the
Innovationsbarometer's terms (``workshop.barometer``).

- ``schema``: the ``samskab.outcomes`` migration set (tables and the triggers that create an
  outcome record for each council adoption and each implemented idea);
- ``records``: the outcome record, its barometer answers and its expected/realised values;
- ``followup``: owner, status, progress and review dates.
"""

from workshop.outcomes.followup import (
    DUE_SOON_DAYS,
    Review,
    ReviewState,
    complete_review,
    list_due_reviews,
    list_reviews,
    review_state,
    schedule_review,
    update_follow_up,
)
from workshop.outcomes.records import (
    EvidenceKind,
    Outcome,
    OutcomeStatus,
    OutcomeValue,
    Source,
    barometer_records,
    check_evidence,
    get_outcome,
    list_outcomes,
    outcomes_version,
    record_barometer_answers,
    record_expected_values,
    record_realised_value,
    withdraw_realised_value,
)

__all__ = [
    "DUE_SOON_DAYS",
    "EvidenceKind",
    "Outcome",
    "OutcomeStatus",
    "OutcomeValue",
    "Review",
    "ReviewState",
    "Source",
    "barometer_records",
    "check_evidence",
    "complete_review",
    "get_outcome",
    "list_due_reviews",
    "list_outcomes",
    "list_reviews",
    "outcomes_version",
    "record_barometer_answers",
    "record_expected_values",
    "record_realised_value",
    "review_state",
    "schedule_review",
    "update_follow_up",
    "withdraw_realised_value",
]
