"""Recommendations drafted from ideas, and the decision path: standing committee → council.

A recommendation keeps the link to its source ideas (``recommendation_ideas``), and through
them to the meetings and the dots they got. Each step of the decision path is recorded as a
decision (append-only) with a date and, for anything but adoption, a rationale. The linked
ideas follow: linking marks them ``in_recommendation``; a final decision moves them through
``workshop.idea_status.apply_decision``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from workshop import audit, idea_status
from workshop.committees.core import _iso_date, require
from workshop.committees.records import (
    FINAL_STAGES,
    OUTCOMES_FOR,
    Action,
    Decision,
    DecisionBody,
    Outcome,
    Recommendation,
    SourceIdea,
    decision_stage,
)
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
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
        if "theme_id" in store.db["ideas"].columns_dict
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
            "INSERT OR IGNORE INTO recommendation_ideas (recommendation_id, idea_id) VALUES (?, ?)",
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
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [committee_id, title, body, theme, actor.id, now, now],
        )
        recommendation_id = cursor.lastrowid
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


def _decision(row: dict[str, Any]) -> Decision:
    return Decision(
        id=row["id"],
        recommendation_id=row["recommendation_id"],
        body=DecisionBody(row["body"]),
        outcome=Outcome(row["outcome"]),
        decided_at=row["decided_at"],
        rationale=row["rationale"],
        recorded_at=row["recorded_at"],
    )


def _decisions_in(db: Database, recommendation_id: int) -> list[Decision]:
    cursor = db.execute(
        "SELECT * FROM decisions WHERE recommendation_id = ? ORDER BY id", [recommendation_id]
    )
    names = [c[0] for c in cursor.description]
    return [_decision(dict(zip(names, r, strict=True))) for r in cursor.fetchall()]


def record_decision(
    store: Store,
    recommendation_id: int,
    *,
    body: DecisionBody | str,
    outcome: Outcome | str,
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
    outcome = Outcome(outcome)
    rationale = clean_text(rationale)
    if outcome.needs_rationale and not rationale:
        raise InvalidInput("error.decision.rationale_required")
    if len(rationale) > RATIONALE_MAX:
        raise InvalidInput(
            "error.text.too_long", field="rationale", max=RATIONALE_MAX, length=len(rationale)
        )
    if outcome not in OUTCOMES_FOR[body]:
        raise InvalidInput("error.decision.outcome_not_for_body", outcome=outcome.value)
    day = _iso_date(decided_on)
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
            " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [recommendation_id, body.value, outcome.value, day, rationale, actor.id, utcnow()],
        )
        decision_id = cursor.lastrowid
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
    for r in store.query(
        f"SELECT * FROM decisions WHERE recommendation_id IN ({marks}) ORDER BY id", ids
    ):
        decisions.setdefault(r["recommendation_id"], []).append(_decision(r))
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
