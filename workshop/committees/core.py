"""Committees, their phase on the lifecycle timeline, and the rules each phase sets.

What may happen in a committee follows from its phase (``model.ALLOWED``); every service
in this package asks :func:`require` inside its transaction, so the rule holds whatever page
or script calls it. Phases move forward one at a time, and only when the committee is ready
for the next one (:func:`blockers`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import pairwise
from typing import Any

from sqlite_utils import Database

from workshop import audit, link_secrets
from workshop.committees import corrections
from workshop.committees.model import (
    ALLOWED,
    FINAL_STAGES,
    Action,
    CommitteeOverview,
    CommitteeState,
    Deadline,
    Decision,
    DecisionBody,
    DecisionOutcome,
    Phase,
    PhaseChange,
    decision_stage,
)
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.model import Committee, User, utcnow
from workshop.text import clean_text, require_text

TITLE_MAX = 120
TASK_MAX = 4000
REASON_MAX = 2000
PUBLIC_LINK = "committee"  # the kind of derived link (workshop.link_secrets)


def _committee(row: dict[str, Any]) -> Committee:
    return Committee(
        id=row["id"],
        title=row["title"],
        task=row["task"],
        politicians_target=row["politicians_target"],
        citizens_target=row["citizens_target"],
        is_demo=bool(row["is_demo"]),
        created_at=row["created_at"],
    )


def check_composition(politicians_target: int, citizens_target: int) -> None:
    if not (0 <= politicians_target <= 50 and 0 <= citizens_target <= 200):
        raise InvalidInput("error.committee.bad_composition")
    if politicians_target + citizens_target == 0:
        raise InvalidInput("error.committee.bad_composition")


def create_committee(
    store: Store,
    title: str,
    task: str,
    *,
    politicians_target: int = 5,
    citizens_target: int = 10,
    actor: User | None,
    is_demo: bool = False,
) -> Committee:
    """A new committee starts in the mandate phase."""
    title = require_text(title, max_chars=TITLE_MAX, field="title")
    task = clean_text(task)
    if len(task) > TASK_MAX:
        raise InvalidInput("error.text.too_long", field="task", max=TASK_MAX, length=len(task))
    check_composition(politicians_target, citizens_target)
    now = utcnow()
    with store.transaction() as db:
        cursor = db.execute(
            "INSERT INTO committees (title, task, politicians_target, citizens_target, is_demo,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                title,
                task,
                politicians_target,
                citizens_target,
                int(is_demo),
                actor.id if actor else None,
                now,
            ],
        )
        committee_id = cursor.fetchall()[0][0]
        assert committee_id is not None
        salt, _, digest = link_secrets.fresh_link(store.path, PUBLIC_LINK)
        db.execute(
            "INSERT INTO committee_states (committee_id, phase, public_token, public_salt,"
            " phase_started_at) VALUES (?, ?, ?, ?, ?)",
            [committee_id, Phase.MANDATE.value, digest, salt, now],
        )
        db.execute(
            "INSERT INTO phase_changes (committee_id, from_phase, to_phase, changed_by,"
            " changed_at) VALUES (?, NULL, ?, ?, ?)",
            [committee_id, Phase.MANDATE.value, actor.id if actor else None, now],
        )
        audit.record(
            db, actor, "create_committee", "committees", committee_id, after={"title": title}
        )
    return get_committee(store, committee_id)


def get_committee(store: Store, committee_id: int) -> Committee:
    row = store.query_one("SELECT * FROM committees WHERE id = ?", [committee_id])
    if row is None:
        raise NotFound("error.not_found")
    return _committee(row)


def list_committees(store: Store) -> list[Committee]:
    return [_committee(r) for r in store.query("SELECT * FROM committees ORDER BY id DESC")]


def has_committees(store: Store) -> bool:
    return bool(store.scalar("SELECT 1 FROM committees LIMIT 1"))


# -- phase --------------------------------------------------------------------------------------


def _state(row: dict[str, Any]) -> CommitteeState:
    return CommitteeState(
        committee_id=row["committee_id"],
        phase=Phase(row["phase"]),
        phase_started_at=row["phase_started_at"],
    )


def get_state(store: Store, committee_id: int) -> CommitteeState:
    row = store.query_one("SELECT * FROM committee_states WHERE committee_id = ?", [committee_id])
    if row is None:
        raise NotFound("error.not_found")
    return _state(row)


def get_committee_by_token(store: Store, token: str) -> Committee:
    """The committee whose public mandate/application link carries ``token``."""
    if not token:
        raise NotFound("error.committee.link_unknown")
    row = store.query_one(
        "SELECT c.* FROM committees c JOIN committee_states s ON s.committee_id = c.id"
        " WHERE s.public_token = ?",
        [link_secrets.hash_secret(token)],
    )
    if row is None:
        raise NotFound("error.committee.link_unknown")
    return _committee(row)


def public_link_token(store: Store, committee_id: int) -> str | None:
    """The secret of the committee's mandate and application links, derived again with the
    server key; None when it cannot be (made before links were hashed, or under another key:
    make a new one)."""
    row = store.query_one(
        "SELECT public_token, public_salt FROM committee_states WHERE committee_id = ?",
        [committee_id],
    )
    if row is None:
        raise NotFound("error.not_found")
    return link_secrets.shown_link(store.path, PUBLIC_LINK, row["public_salt"], row["public_token"])


def new_public_link(store: Store, committee_id: int, *, actor: User | None) -> str:
    """New mandate and application links for the committee; the old ones stop working at once
    (audited)."""
    salt, secret, digest = link_secrets.fresh_link(store.path, PUBLIC_LINK)
    with store.transaction() as db:
        changed = db.execute(
            "UPDATE committee_states SET public_token = ?, public_salt = ? WHERE committee_id = ?",
            [digest, salt, committee_id],
        ).rowcount
        if not changed:
            raise NotFound("error.not_found")
        audit.record(db, actor, "new_public_link", "committees", committee_id)
    return secret


def phase_in(db: Database, committee_id: int) -> Phase:
    row = db.execute(
        "SELECT phase FROM committee_states WHERE committee_id = ?", [committee_id]
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    return Phase(row[0])


def can(phase: Phase, action: Action) -> bool:
    return action in ALLOWED[phase]


def require(db: Database, committee_id: int, action: Action) -> Phase:
    """Raise ``NotAllowed`` unless the committee's current phase allows ``action``."""
    phase = phase_in(db, committee_id)
    if not can(phase, action):
        raise NotAllowed(f"error.phase.{action.value}", phase=phase.value)
    return phase


def is_allowed(store: Store, committee_id: int, action: Action) -> bool:
    return can(get_state(store, committee_id).phase, action)


def blockers(store: Store, committee_id: int) -> list[str]:
    """Why the committee cannot move to its next phase yet (i18n keys; empty: it can)."""
    with store.transaction() as db:
        return _blockers(db, committee_id, phase_in(db, committee_id))


def _blockers(db: Database, committee_id: int, phase: Phase) -> list[str]:
    def scalar(sql: str) -> int:
        return int(db.execute(sql, [committee_id]).fetchone()[0])

    reasons: list[str] = []
    if phase is Phase.EVALUATION:
        reasons.append("phase.blocker.last_phase")
    if phase is Phase.MANDATE:
        approved = scalar(
            "SELECT COUNT(*) FROM mandate_versions v JOIN mandate_approvals a"
            " ON a.mandate_version_id = v.id WHERE v.committee_id = ?"
            " AND v.version = (SELECT MAX(version) FROM mandate_versions WHERE committee_id = ?1)"
        )
        if not approved:
            reasons.append("phase.blocker.mandate_not_approved")
    if phase is Phase.RECRUITMENT and not scalar(
        "SELECT COUNT(*) FROM committee_members WHERE committee_id = ?"
    ):
        reasons.append("phase.blocker.no_members")
    if phase is Phase.RECOMMENDATIONS and not scalar(
        "SELECT COUNT(*) FROM recommendations WHERE committee_id = ?"
    ):
        reasons.append("phase.blocker.no_recommendations")
    if phase is Phase.POLITICAL_DECISION:
        rows = db.execute(
            "SELECT r.id, d.body, d.outcome FROM recommendations r"
            " LEFT JOIN current_decisions d ON d.recommendation_id = r.id"
            " WHERE r.committee_id = ? ORDER BY r.id, d.id",
            [committee_id],
        ).fetchall()
        by_recommendation: dict[int, list[Decision]] = {}
        for rec_id, body, outcome in rows:
            found = by_recommendation.setdefault(rec_id, [])
            if body is not None:
                found.append(
                    Decision(0, rec_id, DecisionBody(body), DecisionOutcome(outcome), "", "", "")
                )
        if any(decision_stage(d) not in FINAL_STAGES for d in by_recommendation.values()):
            reasons.append("phase.blocker.decisions_missing")
    return reasons


def advance_phase(store: Store, committee_id: int, *, expected: Phase, actor: User) -> Phase:
    """Move the committee from ``expected`` to the next phase.

    ``expected`` is the phase the facilitator saw: if someone else moved the committee in the
    meantime, nothing happens and they are told.
    """
    now = utcnow()
    with store.transaction() as db:
        phase = phase_in(db, committee_id)
        if phase is not Phase(expected):
            raise NotAllowed("error.phase.changed_meanwhile", phase=phase.value)
        reasons = _blockers(db, committee_id, phase)
        if reasons:
            raise NotAllowed(reasons[0])
        following = phase.next
        assert following is not None  # the last phase is a blocker
        db.execute(
            "UPDATE committee_states SET phase = ?, phase_started_at = ? WHERE committee_id = ?",
            [following.value, now, committee_id],
        )
        db.execute(
            "INSERT INTO phase_changes (committee_id, from_phase, to_phase, changed_by,"
            " changed_at) VALUES (?, ?, ?, ?, ?)",
            [committee_id, phase.value, following.value, actor.id, now],
        )
        audit.record(
            db,
            actor,
            "advance_phase",
            "committees",
            committee_id,
            before={"phase": phase.value},
            after={"phase": following.value},
        )
    return following


def phase_history(store: Store, committee_id: int) -> dict[Phase, str]:
    """When the committee entered each phase it has been in (the latest entry wins)."""
    rows = store.query(
        "SELECT to_phase, changed_at FROM phase_changes WHERE committee_id = ? ORDER BY id",
        [committee_id],
    )
    return {Phase(r["to_phase"]): r["changed_at"] for r in rows}


def go_back_phase(
    store: Store, committee_id: int, *, expected: Phase, reason: str, actor: User
) -> Phase:
    """Move the committee back from ``expected`` to the phase before it, with a reason.

    Everything recorded stays: applications, members, meetings, recommendations and
    decisions. What the earlier phase allows is allowed again (``model.ALLOWED``): back in
    recruitment, the application form takes applications again; back in recommendations,
    drafting opens again and the decisions recorded so far stand. Moving forward again asks
    the same readiness as the first time (:func:`blockers`). The change, with its reason, is
    in the phase history and the audit log.
    """
    reason = require_text(reason, max_chars=REASON_MAX, field="reason")
    now = utcnow()
    with store.transaction() as db:
        phase = phase_in(db, committee_id)
        if phase is not Phase(expected):
            raise NotAllowed("error.phase.changed_meanwhile", phase=phase.value)
        earlier = phase.previous
        if earlier is None:
            raise NotAllowed("error.phase.first_phase")
        db.execute(
            "UPDATE committee_states SET phase = ?, phase_started_at = ? WHERE committee_id = ?",
            [earlier.value, now, committee_id],
        )
        db.execute(
            "INSERT INTO phase_changes (committee_id, from_phase, to_phase, changed_by,"
            " changed_at, reason) VALUES (?, ?, ?, ?, ?, ?)",
            [committee_id, phase.value, earlier.value, actor.id, now, reason],
        )
        audit.record(
            db,
            actor,
            "go_back_phase",
            "committees",
            committee_id,
            before={"phase": phase.value},
            after={"phase": earlier.value, "reason": reason},
        )
    return earlier


def phase_changes(store: Store, committee_id: int) -> list[PhaseChange]:
    """The committee's whole phase history, oldest first, with the reason of each step back."""
    rows = store.query(
        "SELECT p.from_phase, p.to_phase, p.changed_at, p.reason,"
        " COALESCE(u.display_name, '') AS by_name FROM phase_changes p"
        " LEFT JOIN users u ON u.id = p.changed_by WHERE p.committee_id = ? ORDER BY p.id",
        [committee_id],
    )
    return [
        PhaseChange(
            from_phase=Phase(r["from_phase"]) if r["from_phase"] else None,
            to_phase=Phase(r["to_phase"]),
            changed_by_name=r["by_name"],
            changed_at=r["changed_at"],
            reason=r["reason"],
        )
        for r in rows
    ]


# -- timeline -----------------------------------------------------------------------------------


def iso_date(value: date | str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidInput("error.date.invalid", value=str(value)) from None


def set_deadlines(
    store: Store,
    committee_id: int,
    deadlines: dict[Phase, date | str | None],
    *,
    actor: User,
    seen_versions: dict[Phase, int] | None = None,
) -> list[Deadline]:
    """Plan the end date of phases; a ``None`` removes a phase's date. Dates must not go back.

    Changing a planned date is a correction: the old date is kept as a version
    (``corrections``). ``seen_versions`` are the versions the page showed: if a date was
    corrected meanwhile, nothing is saved (``error.correction.stale``)."""
    cleaned = {Phase(p): (iso_date(d) if d else None) for p, d in deadlines.items()}
    with store.transaction() as db:
        phase_in(db, committee_id)
        current = {
            Phase(p): d
            for p, d in db.execute(
                "SELECT phase, due_on FROM phase_deadlines WHERE committee_id = ?",
                [committee_id],
            ).fetchall()
        }
        merged = {**current, **cleaned}
        dated = [(p, merged[p]) for p in Phase if merged.get(p)]
        for (earlier, first), (later, second) in pairwise(dated):
            if str(second) < str(first):
                raise InvalidInput(
                    "error.timeline.out_of_order", earlier=earlier.value, later=later.value
                )
        for phase, due_on in cleaned.items():
            if phase in current and current[phase] != due_on:
                # A planned date that changes is a correction: the old one is kept.
                corrections.record_in(
                    db,
                    committee_id=committee_id,
                    subject="deadline",
                    subject_id=committee_id,
                    part=phase.value,
                    expected_version=(seen_versions or {}).get(
                        phase, corrections.version_in(db, "deadline", committee_id, phase.value)
                    ),
                    before={"due_on": current[phase]},
                    after={"due_on": due_on or ""},
                    actor=actor,
                )
            if due_on is None:
                db.execute(
                    "DELETE FROM phase_deadlines WHERE committee_id = ? AND phase = ?",
                    [committee_id, phase.value],
                )
            else:
                db.execute(
                    "INSERT INTO phase_deadlines (committee_id, phase, due_on) VALUES (?, ?, ?)"
                    " ON CONFLICT (committee_id, phase) DO UPDATE SET due_on = excluded.due_on",
                    [committee_id, phase.value, due_on],
                )
        audit.record(
            db,
            actor,
            "set_deadlines",
            "committees",
            committee_id,
            before={p.value: d for p, d in current.items()},
            after={p.value: d for p, d in cleaned.items()},
        )
    return list_deadlines(store, committee_id)


def correct_deadline(
    store: Store,
    committee_id: int,
    phase: Phase,
    due_on: date | str | None,
    *,
    expected_version: int,
    actor: User,
) -> int:
    """Correct one planned date (``None`` removes it) as a new version; returns the version.

    ``expected_version`` is the version the staff member saw: if someone corrected the date
    meanwhile, nothing changes (``error.correction.stale``).
    """
    phase = Phase(phase)
    day = iso_date(due_on) if due_on else None
    with store.transaction() as db:
        phase_in(db, committee_id)
        current = corrections.version_in(db, "deadline", committee_id, phase.value)
        if int(expected_version) != current:
            raise NotAllowed("error.correction.stale", version=current)
        row = db.execute(
            "SELECT due_on FROM phase_deadlines WHERE committee_id = ? AND phase = ?",
            [committee_id, phase.value],
        ).fetchone()
        if (row[0] if row else None) == day:
            raise InvalidInput("error.correction.unchanged")
    set_deadlines(store, committee_id, {phase: day}, actor=actor)
    return current + 1


def list_deadlines(store: Store, committee_id: int) -> list[Deadline]:
    rows = store.query(
        "SELECT phase, due_on FROM phase_deadlines WHERE committee_id = ?", [committee_id]
    )
    found = {Phase(r["phase"]): r["due_on"] for r in rows}
    return [Deadline(p, found[p]) for p in Phase if p in found]


def next_deadline(phase: Phase, deadlines: list[Deadline]) -> Deadline | None:
    """The end of the current phase, or else the first dated later phase."""
    for deadline in deadlines:
        if deadline.phase.position >= phase.position:
            return deadline
    return None


# -- overview -----------------------------------------------------------------------------------


def list_overviews(store: Store) -> list[CommitteeOverview]:
    """Every committee with its phase, next deadline and a few counts (newest first)."""
    rows = store.query(
        """
SELECT c.id, c.title, c.is_demo, s.phase,
       (SELECT COUNT(*) FROM committee_members m WHERE m.committee_id = c.id
          AND (m.ends_on IS NULL OR m.ends_on >= ?)) AS members,
       (SELECT COUNT(*) FROM meetings m WHERE m.committee_id = c.id) AS meetings,
       (SELECT COUNT(*) FROM applications a WHERE a.committee_id = c.id) AS applications,
       (SELECT COUNT(*) FROM recommendations r WHERE r.committee_id = c.id) AS recommendations
FROM committees c JOIN committee_states s ON s.committee_id = c.id
ORDER BY c.id DESC
""",
        [datetime.now(UTC).date().isoformat()],  # SQLite's date('now'): today in UTC
    )
    deadlines: dict[int, list[Deadline]] = {}
    for r in store.query("SELECT committee_id, phase, due_on FROM phase_deadlines"):
        deadlines.setdefault(r["committee_id"], []).append(Deadline(Phase(r["phase"]), r["due_on"]))
    result = []
    for r in rows:
        phase = Phase(r["phase"])
        planned = sorted(deadlines.get(r["id"], []), key=lambda d: d.phase.position)
        result.append(
            CommitteeOverview(
                id=r["id"],
                title=r["title"],
                is_demo=bool(r["is_demo"]),
                phase=phase,
                next_deadline=next_deadline(phase, planned),
                members=r["members"],
                meetings=r["meetings"],
                applications=r["applications"],
                recommendations=r["recommendations"],
            )
        )
    return result


def get_overview(store: Store, committee_id: int) -> CommitteeOverview:
    for overview in list_overviews(store):
        if overview.id == committee_id:
            return overview
    raise NotFound("error.not_found")
