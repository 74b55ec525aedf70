"""Recommendations drafted from ideas, and the decision path: standing committee → council.

A recommendation keeps the link to its source ideas (``recommendation_ideas``), and through
them to the meetings and the dots they got. Each step of the decision path is recorded as a
decision (append-only) with a date and, for anything but adoption, a rationale. The linked
ideas follow: linking marks them ``in_recommendation``; a final decision moves them through
``workshop.meetings.idea_status.apply_decision``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlite_utils import Database

from workshop import audit
from workshop.committees import corrections
from workshop.committees.core import iso_date, require
from workshop.committees.model import (
    FINAL_STAGES,
    OUTCOMES_FOR,
    Action,
    Correction,
    Decision,
    DecisionBody,
    DecisionOutcome,
    Recommendation,
    SourceIdea,
    decision_stage,
)
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import idea_status
from workshop.model import IdeaStatus, User, utcnow
from workshop.text import clean_text, require_text

TITLE_MAX = 200
BODY_MAX = 8000
THEME_MAX = 120
RATIONALE_MAX = 4000

# Which body decides at each stage of the path.
BODY_AT_STAGE = {
    "at_standing_committee": DecisionBody.STANDING_COMMITTEE,
    "at_council": DecisionBody.COUNCIL,
}


def _ideas_with_dots(store: Store) -> str:
    """Ideas with their meeting, their dots over all rounds, and their theme (if grouped)."""
    theme = (
        "COALESCE((SELECT t.name FROM themes t WHERE t.id = i.theme_id), '')"
        if store.has_column("ideas", "theme_id")
        else "''"
    )
    return f"""
SELECT i.id, i.text, i.status, m.title AS meeting_title, {theme} AS theme,
       COALESCE((SELECT SUM(e.value) FROM ballot_entries e WHERE e.idea_id = i.id), 0) AS dots
FROM ideas i JOIN meetings m ON m.id = i.meeting_id
"""


def _source(row: dict[str, Any]) -> SourceIdea:
    return SourceIdea(
        id=row["id"],
        text=row["text"],
        meeting_title=row["meeting_title"],
        dots=int(row["dots"]),
        status=row["status"],
        theme=row["theme"],
    )


def candidate_ideas(store: Store, committee_id: int) -> list[SourceIdea]:
    """Visible ideas from the committee's meetings, most dots first."""
    rows = store.query(
        _ideas_with_dots(store)
        + " WHERE m.committee_id = ? AND i.hidden = 0 ORDER BY dots DESC, i.id",
        [committee_id],
    )
    return [_source(r) for r in rows]


def _check_texts(title: str, body: str, theme: str) -> tuple[str, str, str]:
    title = require_text(title, max_chars=TITLE_MAX, field="title")
    body = clean_text(body)
    theme = clean_text(theme)
    if len(body) > BODY_MAX:
        raise InvalidInput("error.text.too_long", field="body", max=BODY_MAX, length=len(body))
    if len(theme) > THEME_MAX:
        raise InvalidInput("error.text.too_long", field="theme", max=THEME_MAX, length=len(theme))
    return title, body, theme


def _link_ideas(
    db: Database, committee_id: int, recommendation_id: int, idea_ids: list[int], actor: User
) -> None:
    for idea_id in dict.fromkeys(idea_ids):
        row = db.execute(
            "SELECT m.committee_id FROM ideas i JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.id = ?",
            [idea_id],
        ).fetchone()
        if row is None or row[0] != committee_id:
            raise NotFound("error.recommendation.idea_not_in_committee", idea_id=idea_id)
        added = db.execute(
            "INSERT INTO recommendation_ideas (recommendation_id, idea_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            [recommendation_id, idea_id],
        ).rowcount
        if added:
            idea_status.set_status(
                db, idea_id, IdeaStatus.IN_RECOMMENDATION.value, reason=None, actor=actor
            )


def draft_recommendation(
    store: Store,
    committee_id: int,
    *,
    title: str,
    body: str,
    theme: str = "",
    idea_ids: list[int] = (),  # type: ignore[assignment]
    actor: User,
) -> Recommendation:
    title, body, theme = _check_texts(title, body, theme)
    now = utcnow()
    with store.transaction() as db:
        require(db, committee_id, Action.DRAFT_RECOMMENDATION)
        cursor = db.execute(
            "INSERT INTO recommendations (committee_id, title, body, theme, created_by,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [committee_id, title, body, theme, actor.id, now, now],
        )
        recommendation_id = cursor.fetchall()[0][0]
        assert recommendation_id is not None
        _link_ideas(db, committee_id, recommendation_id, list(idea_ids), actor)
        audit.record(
            db,
            actor,
            "draft_recommendation",
            "recommendations",
            recommendation_id,
            after={"title": title, "ideas": list(idea_ids)},
        )
    return get_recommendation(store, recommendation_id)


def revise_recommendation(
    store: Store,
    recommendation_id: int,
    *,
    title: str,
    body: str,
    theme: str = "",
    add_idea_ids: list[int] = (),  # type: ignore[assignment]
    actor: User,
) -> Recommendation:
    """Change the text and link more ideas while the committee still drafts."""
    title, body, theme = _check_texts(title, body, theme)
    current = get_recommendation(store, recommendation_id)
    with store.transaction() as db:
        require(db, current.committee_id, Action.DRAFT_RECOMMENDATION)
        db.execute(
            "UPDATE recommendations SET title = ?, body = ?, theme = ?, updated_at = ?"
            " WHERE id = ?",
            [title, body, theme, utcnow(), recommendation_id],
        )
        _link_ideas(db, current.committee_id, recommendation_id, list(add_idea_ids), actor)
        audit.record(
            db,
            actor,
            "revise_recommendation",
            "recommendations",
            recommendation_id,
            before={"title": current.title, "body": current.body},
            after={"title": title, "body": body, "added_ideas": list(add_idea_ids)},
        )
    return get_recommendation(store, recommendation_id)


def _decision(row: dict[str, Any], fixes: list[Correction] | None = None) -> Decision:
    """A decision as it stands: its latest correction, if any, over the recorded row."""
    current = {
        "outcome": row["outcome"],
        "decided_at": row["decided_at"],
        "rationale": row["rationale"],
    }
    for fix in fixes or []:
        current.update(fix.after)
    return Decision(
        id=row["id"],
        recommendation_id=row["recommendation_id"],
        body=DecisionBody(row["body"]),
        outcome=DecisionOutcome(current["outcome"]),
        decided_at=current["decided_at"],
        rationale=current["rationale"],
        recorded_at=row["recorded_at"],
        version=1 + len(fixes or []),
        corrections=tuple(fixes or []),
    )


def _fixes_in(db: Database, decision_ids: list[int]) -> dict[int, list[Correction]]:
    if not decision_ids:
        return {}
    marks = ", ".join("?" for _ in decision_ids)
    cursor = db.execute(
        "SELECT c.subject_id, c.version, c.before, c.after, c.corrected_at,"
        " COALESCE(u.display_name, '') FROM corrections c"
        " LEFT JOIN users u ON u.id = c.corrected_by"
        f" WHERE c.subject = 'decision' AND c.subject_id IN ({marks}) ORDER BY c.id",
        decision_ids,
    )
    found: dict[int, list[Correction]] = {}
    for subject_id, version, before, after, at, name in cursor.fetchall():
        found.setdefault(subject_id, []).append(
            Correction(version, json.loads(before), json.loads(after), name, at)
        )
    return found


def _decisions_in(db: Database, recommendation_id: int) -> list[Decision]:
    cursor = db.execute(
        "SELECT * FROM decisions WHERE recommendation_id = ? ORDER BY id", [recommendation_id]
    )
    names = [c[0] for c in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    fixes = _fixes_in(db, [r["id"] for r in rows])
    return [_decision(r, fixes.get(r["id"])) for r in rows]


def _check_decision(body: DecisionBody, outcome: DecisionOutcome, rationale: str) -> str:
    rationale = clean_text(rationale)
    if outcome.needs_rationale and not rationale:
        raise InvalidInput("error.decision.rationale_required")
    if len(rationale) > RATIONALE_MAX:
        raise InvalidInput(
            "error.text.too_long", field="rationale", max=RATIONALE_MAX, length=len(rationale)
        )
    if outcome not in OUTCOMES_FOR[body]:
        raise InvalidInput("error.decision.outcome_not_for_body", outcome=outcome.value)
    return rationale


def correct_decision(
    store: Store,
    decision_id: int,
    *,
    expected_version: int,
    outcome: DecisionOutcome | str,
    decided_on: date | str,
    rationale: str,
    actor: User,
) -> Decision:
    """Correct a recorded decision (its outcome, date or rationale) as a new version.

    The recorded decision and every earlier version stay and are shown with the current one.
    ``expected_version`` is the version the staff member saw: a stale correction changes
    nothing. The outcome can be corrected only on the latest decision of its path (a later
    step was taken on the strength of an earlier one); the date must stay between the steps
    before and after it. When the correction changes how the path ends, the linked ideas
    follow, as after a decision.
    """
    outcome = DecisionOutcome(outcome)
    day = iso_date(decided_on)
    row = store.query_one("SELECT recommendation_id FROM decisions WHERE id = ?", [decision_id])
    if row is None:
        raise NotFound("error.not_found")
    recommendation = get_recommendation(store, row["recommendation_id"])
    with store.transaction() as db:
        path = _decisions_in(db, recommendation.id)
        position = next(i for i, d in enumerate(path) if d.id == decision_id)
        current = path[position]
        rationale = _check_decision(current.body, outcome, rationale)
        if outcome is not current.outcome and position != len(path) - 1:
            raise NotAllowed("error.correction.outcome_not_last")
        if position > 0 and day < path[position - 1].decided_at:
            raise InvalidInput(
                "error.decision.before_previous", previous=path[position - 1].decided_at
            )
        if position < len(path) - 1 and day > path[position + 1].decided_at:
            raise InvalidInput("error.correction.after_next", next=path[position + 1].decided_at)
        stage_before = decision_stage(path)
        corrections.record_in(
            db,
            committee_id=recommendation.committee_id,
            subject="decision",
            subject_id=decision_id,
            expected_version=expected_version,
            before={
                "outcome": current.outcome.value,
                "decided_at": current.decided_at,
                "rationale": current.rationale,
            },
            after={"outcome": outcome.value, "decided_at": day, "rationale": rationale},
            actor=actor,
        )
        corrected = _decisions_in(db, recommendation.id)
        stage_after = decision_stage(corrected)
        if stage_after in FINAL_STAGES and (
            stage_after != stage_before or rationale != current.rationale
        ):
            idea_status.apply_decision(db, recommendation.id, outcome.value, rationale, actor)
            if stage_after == "adopted":
                # As when the council's adoption is recorded (outcomes_on_council_adoption).
                db.execute(
                    "INSERT INTO outcomes (committee_id, recommendation_id, title,"
                    " created_at, updated_at) SELECT committee_id, id, title, ?1, ?1"
                    " FROM recommendations WHERE id = ?2 ON CONFLICT DO NOTHING",
                    [utcnow(), recommendation.id],
                )
        elif stage_before in FINAL_STAGES and stage_after not in FINAL_STAGES:
            # The path no longer ends here: its ideas wait in the recommendation again.
            for (idea_id,) in db.execute(
                "SELECT idea_id FROM recommendation_ideas WHERE recommendation_id = ?",
                [recommendation.id],
            ).fetchall():
                idea_status.set_status(
                    db,
                    idea_id,
                    IdeaStatus.IN_RECOMMENDATION.value,
                    reason=None,
                    actor=actor,
                    source="decision",
                    source_id=recommendation.id,
                )
    return corrected[position]


def record_decision(
    store: Store,
    recommendation_id: int,
    *,
    body: DecisionBody | str,
    outcome: DecisionOutcome | str,
    decided_on: date | str,
    rationale: str = "",
    actor: User,
) -> Decision:
    """Record one step of the decision path.

    The standing committee decides first; if it adopts (with or without changes), the
    recommendation goes on to the council. Postponed means the same body decides again later.
    Anything but adoption needs a rationale. A final decision moves the linked ideas.
    """
    body = DecisionBody(body)
    outcome = DecisionOutcome(outcome)
    rationale = _check_decision(body, outcome, rationale)
    day = iso_date(decided_on)
    recommendation = get_recommendation(store, recommendation_id)
    with store.transaction() as db:
        require(db, recommendation.committee_id, Action.RECORD_DECISION)
        earlier = _decisions_in(db, recommendation_id)
        stage = decision_stage(earlier)
        if stage in FINAL_STAGES:
            raise NotAllowed("error.decision.path_ended", stage=stage)
        if BODY_AT_STAGE[stage] is not body:
            raise NotAllowed("error.decision.wrong_body", body=BODY_AT_STAGE[stage].value)
        if earlier and day < earlier[-1].decided_at:
            raise InvalidInput("error.decision.before_previous", previous=earlier[-1].decided_at)
        cursor = db.execute(
            "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
            " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [recommendation_id, body.value, outcome.value, day, rationale, actor.id, utcnow()],
        )
        decision_id = cursor.fetchall()[0][0]
        assert decision_id is not None
        decided = _decisions_in(db, recommendation_id)
        if decision_stage(decided) in FINAL_STAGES:
            # Only the end of the path moves the ideas: a standing committee's adoption sends
            # the recommendation on to the council, it does not decide it.
            idea_status.apply_decision(db, recommendation_id, outcome.value, rationale, actor)
        audit.record(
            db,
            actor,
            "record_decision",
            "decisions",
            decision_id,
            after={
                "recommendation_id": recommendation_id,
                "body": body.value,
                "outcome": outcome.value,
                "decided_at": day,
                "rationale": rationale,
            },
        )
    return decided[-1]


def get_recommendation(store: Store, recommendation_id: int) -> Recommendation:
    row = store.query_one("SELECT * FROM recommendations WHERE id = ?", [recommendation_id])
    if row is None:
        raise NotFound("error.not_found")
    return _with_links(store, [row])[0]


def list_recommendations(store: Store, committee_id: int) -> list[Recommendation]:
    rows = store.query(
        "SELECT * FROM recommendations WHERE committee_id = ? ORDER BY id", [committee_id]
    )
    return _with_links(store, rows)


def _with_links(store: Store, rows: list[dict[str, Any]]) -> list[Recommendation]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ", ".join("?" for _ in ids)
    ideas: dict[int, list[SourceIdea]] = {}
    for r in store.query(
        "SELECT ri.recommendation_id AS rid, x.* FROM recommendation_ideas ri"
        f" JOIN ({_ideas_with_dots(store)}) x ON x.id = ri.idea_id"
        f" WHERE ri.recommendation_id IN ({marks}) ORDER BY x.dots DESC, x.id",
        ids,
    ):
        ideas.setdefault(r["rid"], []).append(_source(r))
    decisions: dict[int, list[Decision]] = {}
    recorded = store.query(
        f"SELECT * FROM decisions WHERE recommendation_id IN ({marks}) ORDER BY id", ids
    )
    fixes = corrections.history_of(store, "decision", [r["id"] for r in recorded])
    for r in recorded:
        decisions.setdefault(r["recommendation_id"], []).append(_decision(r, fixes.get(r["id"])))
    return [
        Recommendation(
            id=r["id"],
            committee_id=r["committee_id"],
            title=r["title"],
            body=r["body"],
            theme=r["theme"],
            created_at=r["created_at"],
            ideas=tuple(ideas.get(r["id"], [])),
            decisions=tuple(decisions.get(r["id"], [])),
        )
        for r in rows
    ]
