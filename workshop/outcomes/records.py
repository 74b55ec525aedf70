"""Outcome records: what an adopted recommendation or an implemented idea became, in the
Innovationsbarometer's terms.

Reads return :class:`Outcome`; writes are verbs that check the barometer's rules (through
``workshop.barometer``), write once inside a transaction, touch ``outcomes.updated_at`` (the
cheap version that summaries are cached on) and leave an audit entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlite_utils import Database

from workshop import audit, barometer
from workshop.barometer import (
    Evaluated,
    Initiator,
    InnovationType,
    Novelty,
    Partner,
    PromoteHinderFactor,
    PromoteHinderScale,
    Stage,
    Value,
)
from workshop.db import Store, sql_json_array
from workshop.errors import InvalidInput, NotFound
from workshop.model import User, utcnow
from workshop.text import clean_text

EVIDENCE_MAX = 2000


class EvidenceKind(StrEnum):
    """What backs a realised value: a few words, a figure, or a link to a report."""

    TEXT = "text"
    FIGURE = "figure"
    LINK = "link"


class OutcomeStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    STOPPED = "stopped"


class Source(StrEnum):
    RECOMMENDATION = "recommendation"
    IDEA = "idea"


@dataclass(frozen=True)
class OutcomeValue:
    value: Value
    stage: Stage
    evidence_kind: EvidenceKind | None
    evidence: str
    recorded_at: str


@dataclass(frozen=True)
class Outcome:
    id: int
    committee_id: int
    recommendation_id: int | None
    idea_id: int | None
    title: str
    owner: str
    status: OutcomeStatus
    progress: int
    innovation_types: tuple[InnovationType, ...]
    novelty: Novelty | None
    initiators: tuple[Initiator, ...]
    partners: tuple[Partner, ...]
    evaluated: Evaluated | None
    shared: bool | None
    created_at: str
    updated_at: str
    values: tuple[OutcomeValue, ...] = ()
    factors: dict[PromoteHinderFactor, PromoteHinderScale] = field(
        default_factory=dict, compare=False, hash=False
    )

    @property
    def source(self) -> Source:
        return Source.RECOMMENDATION if self.recommendation_id is not None else Source.IDEA

    def values_at(self, stage: Stage) -> tuple[Value, ...]:
        return tuple(v.value for v in self.values if v.stage is stage)

    @property
    def expected(self) -> tuple[Value, ...]:
        return self.values_at(Stage.EXPECTED)

    @property
    def realised(self) -> tuple[Value, ...]:
        return self.values_at(Stage.REALISED)

    @property
    def initiated_politically(self) -> bool | None:
        if not self.initiators:
            return None
        return bool(set(self.initiators) & barometer.POLITICAL_INITIATORS)


def _keys(raw: str, enum: type[StrEnum]) -> tuple[Any, ...]:
    return tuple(enum(key) for key in json.loads(raw or "[]"))


def _outcome(
    row: Mapping[str, Any],
    values: Iterable[Mapping[str, Any]] = (),
    factors: Iterable[Mapping[str, Any]] = (),
) -> Outcome:
    return Outcome(
        id=row["id"],
        committee_id=row["committee_id"],
        recommendation_id=row["recommendation_id"],
        idea_id=row["idea_id"],
        title=row["title"],
        owner=row["owner"],
        status=OutcomeStatus(row["status"]),
        progress=row["progress"],
        innovation_types=_keys(row["innovation_types"], InnovationType),
        novelty=Novelty(row["novelty"]) if row["novelty"] else None,
        initiators=_keys(row["initiators"], Initiator),
        partners=_keys(row["partners"], Partner),
        evaluated=Evaluated(row["evaluated"]) if row["evaluated"] else None,
        shared=None if row["shared"] is None else bool(row["shared"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        values=tuple(
            OutcomeValue(
                value=Value(v["value"]),
                stage=Stage(v["stage"]),
                evidence_kind=EvidenceKind(v["evidence_kind"]) if v["evidence_kind"] else None,
                evidence=v["evidence"],
                recorded_at=v["recorded_at"],
            )
            for v in sorted(values, key=lambda v: list(Value).index(Value(v["value"])))
        ),
        factors={PromoteHinderFactor(f["factor"]): PromoteHinderScale(f["scale"]) for f in factors},
    )


# -- reads ------------------------------------------------------------------------------------


def get_outcome(store: Store, outcome_id: int) -> Outcome:
    row = store.query_one("SELECT * FROM outcomes WHERE id = ?", [outcome_id])
    if row is None:
        raise NotFound("error.not_found")
    values = store.query("SELECT * FROM outcome_values WHERE outcome_id = ?", [outcome_id])
    factors = store.query("SELECT * FROM outcome_factors WHERE outcome_id = ?", [outcome_id])
    return _outcome(row, values, factors)


def list_outcomes(store: Store, committee_id: int | None = None) -> list[Outcome]:
    """Outcomes with their values, newest first; of one committee or all."""
    where, params = ("WHERE committee_id = ?", [committee_id]) if committee_id else ("", [])
    rows = store.query(f"SELECT * FROM outcomes {where} ORDER BY id DESC", params)
    if not rows:
        return []
    values: dict[int, list[dict[str, Any]]] = {}
    factors: dict[int, list[dict[str, Any]]] = {}
    join = "JOIN outcomes o ON o.id = x.outcome_id " + where.replace(
        "committee_id", "o.committee_id"
    )
    for v in store.query(f"SELECT x.* FROM outcome_values x {join}", params):
        values.setdefault(v["outcome_id"], []).append(v)
    for f in store.query(f"SELECT x.* FROM outcome_factors x {join}", params):
        factors.setdefault(f["outcome_id"], []).append(f)
    return [_outcome(r, values.get(r["id"], ()), factors.get(r["id"], ())) for r in rows]


def barometer_records(store: Store, committee_id: int | None = None) -> list[dict[str, Any]]:
    """Outcomes in the shape ``workshop.barometer``'s aggregation reads (one SQL statement)."""
    where, params = ("WHERE o.committee_id = ?", [committee_id]) if committee_id else ("", [])
    # the primary key (outcome_id, stage, value) gives SQLite the values in this order
    values = sql_json_array(store.engine, "v.value", order_by="v.value")
    rows = store.query(
        f"""
        SELECT o.id AS outcome_id, o.committee_id, o.initiators,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'expected') AS values_expected,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'realised') AS values_realised
        FROM outcomes o {where} ORDER BY o.id
        """,
        params,
    )
    records = []
    for row in rows:
        initiators = json.loads(row["initiators"])
        records.append(
            {
                "outcome_id": row["outcome_id"],
                "committee_id": row["committee_id"],
                "values_expected": json.loads(row["values_expected"]),
                "values_realised": json.loads(row["values_realised"]),
                # no initiators recorded: unknown, not "other"
                "initiators": initiators or None,
            }
        )
    return records


def outcomes_version(store: Store) -> tuple[int, str]:
    """Changes whenever any outcome, value, factor or review changes (every write touches it)."""
    row = store.query_one("SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), '') AS at FROM outcomes")
    assert row is not None
    return int(row["n"]), str(row["at"])


# -- writes -----------------------------------------------------------------------------------


def touch(db: Database, outcome_id: int) -> dict[str, Any]:
    """Mark the outcome changed; return its row before the change (raises NotFound)."""
    row = db.execute("SELECT * FROM outcomes WHERE id = ?", [outcome_id]).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    columns = [c[0] for c in db.execute("SELECT * FROM outcomes LIMIT 0").description]
    db.execute("UPDATE outcomes SET updated_at = ? WHERE id = ?", [utcnow(), outcome_id])
    return dict(zip(columns, row, strict=True))


def record_barometer_answers(
    store: Store,
    outcome_id: int,
    *,
    innovation_types: Iterable[str] = (),
    novelty: str | None = None,
    initiators: Iterable[str] = (),
    partners: Iterable[str] = (),
    evaluated: str | None = None,
    shared: bool | None = None,
    factors: Mapping[str, str] | None = None,
    actor: User | None,
) -> Outcome:
    """Set the barometer's questions about an outcome (all at once, as the form shows them)."""
    types = barometer.validate_choices(InnovationType, innovation_types)
    chosen_initiators = barometer.validate_choices(Initiator, initiators)
    chosen_partners = barometer.validate_choices(Partner, partners)
    novelty_key = barometer.validate_choice(Novelty, novelty).value if novelty else None
    evaluated_key = barometer.validate_choice(Evaluated, evaluated).value if evaluated else None
    ratings = barometer.validate_promote_hinder(factors or {})
    after = {
        "innovation_types": json.dumps([t.value for t in types]),
        "novelty": novelty_key,
        "initiators": json.dumps([i.value for i in chosen_initiators]),
        "partners": json.dumps([p.value for p in chosen_partners]),
        "evaluated": evaluated_key,
        "shared": None if shared is None else int(bool(shared)),
    }
    with store.transaction() as db:
        before = touch(db, outcome_id)
        db.execute(
            "UPDATE outcomes SET innovation_types = :innovation_types, novelty = :novelty,"
            " initiators = :initiators, partners = :partners, evaluated = :evaluated,"
            " shared = :shared WHERE id = :id",
            {**after, "id": outcome_id},
        )
        db.execute("DELETE FROM outcome_factors WHERE outcome_id = ?", [outcome_id])
        for factor, scale in ratings.items():
            db.execute(
                "INSERT INTO outcome_factors (outcome_id, factor, scale) VALUES (?, ?, ?)",
                [outcome_id, factor.value, scale.value],
            )
        audit.record(
            db,
            actor,
            "record_barometer_answers",
            "outcomes",
            outcome_id,
            before={k: before[k] for k in after},
            after={**after, "factors": {f.value: s.value for f, s in ratings.items()}},
        )
    return get_outcome(store, outcome_id)


def record_expected_values(
    store: Store, outcome_id: int, values: Iterable[str], *, actor: User | None
) -> Outcome:
    """The values the decision is expected to create (replaces the earlier choice)."""
    chosen = barometer.validate_choices(Value, values)
    now = utcnow()
    with store.transaction() as db:
        touch(db, outcome_id)
        before = [
            r[0]
            for r in db.execute(
                "SELECT value FROM outcome_values WHERE outcome_id = ? AND stage = 'expected'",
                [outcome_id],
            ).fetchall()
        ]
        db.execute(
            "DELETE FROM outcome_values WHERE outcome_id = ? AND stage = 'expected'", [outcome_id]
        )
        for value in chosen:
            db.execute(
                "INSERT INTO outcome_values (outcome_id, stage, value, recorded_by, recorded_at)"
                " VALUES (?, 'expected', ?, ?, ?)",
                [outcome_id, value.value, actor.id if actor else None, now],
            )
        audit.record(
            db,
            actor,
            "record_expected_values",
            "outcomes",
            outcome_id,
            before=before,
            after=[v.value for v in chosen],
        )
    return get_outcome(store, outcome_id)


_FIGURE = re.compile(r"\d")
_LINK = re.compile(r"https?://[^\s/]+\.[^\s]+", re.IGNORECASE)


def check_evidence(kind: str | None, evidence: str | None) -> tuple[EvidenceKind, str]:
    """A realised value needs evidence: words, a figure (with a number in it) or a web link."""
    text = clean_text(evidence)
    if not kind or not text:
        raise InvalidInput("error.outcomes.evidence_required")
    try:
        evidence_kind = EvidenceKind(kind)
    except ValueError:
        raise InvalidInput("error.outcomes.evidence_kind", kind=str(kind)) from None
    if len(text) > EVIDENCE_MAX:
        raise InvalidInput(
            "error.text.too_long", field="evidence", max=EVIDENCE_MAX, length=len(text)
        )
    if evidence_kind is EvidenceKind.FIGURE and not _FIGURE.search(text):
        raise InvalidInput("error.outcomes.evidence_figure")
    if evidence_kind is EvidenceKind.LINK and not _LINK.fullmatch(text):
        raise InvalidInput("error.outcomes.evidence_link")
    return evidence_kind, text


def record_realised_value(
    store: Store,
    outcome_id: int,
    value: str,
    *,
    evidence_kind: str | None,
    evidence: str | None,
    actor: User | None,
) -> Outcome:
    """A value the outcome did create, with the evidence that shows it (replaces earlier)."""
    member = barometer.validate_choice(Value, value)
    kind, text = check_evidence(evidence_kind, evidence)
    with store.transaction() as db:
        touch(db, outcome_id)
        db.execute(
            "INSERT INTO outcome_values"
            " (outcome_id, stage, value, evidence_kind, evidence, recorded_by, recorded_at)"
            " VALUES (?, 'realised', ?, ?, ?, ?, ?)"
            " ON CONFLICT (outcome_id, stage, value) DO UPDATE SET"
            " evidence_kind = excluded.evidence_kind, evidence = excluded.evidence,"
            " recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            [outcome_id, member.value, kind.value, text, actor.id if actor else None, utcnow()],
        )
        audit.record(
            db,
            actor,
            "record_realised_value",
            "outcomes",
            outcome_id,
            after={"value": member.value, "evidence_kind": kind.value, "evidence": text},
        )
    return get_outcome(store, outcome_id)


def withdraw_realised_value(
    store: Store, outcome_id: int, value: str, *, actor: User | None
) -> Outcome:
    member = barometer.validate_choice(Value, value)
    with store.transaction() as db:
        touch(db, outcome_id)
        db.execute(
            "DELETE FROM outcome_values WHERE outcome_id = ? AND stage = 'realised' AND value = ?",
            [outcome_id, member.value],
        )
        audit.record(
            db, actor, "withdraw_realised_value", "outcomes", outcome_id, before=member.value
        )
    return get_outcome(store, outcome_id)
