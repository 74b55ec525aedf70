"""Members with roles and dates, the meeting plan with agenda and minutes, and attendance.

A planned committee meeting is a real ``meetings`` row (made by ``meetings.create_meeting``,
so it can also run live steps on phones); this module keeps what only a committee needs about
it: when and where, the agenda, the minutes, and who attended.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from workshop import audit
from workshop.committees.core import iso_date, require
from workshop.committees.corrections import iso_minute
from workshop.committees.model import (
    POLITICIAN_SEATS,
    Action,
    AttendanceStatus,
    MeetingPlan,
    Member,
    MemberRole,
)
from workshop.config import load_settings
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.meetings import core as meetings
from workshop.model import MeetingKind, User, utcnow
from workshop.privacy import core as privacy
from workshop.text import clean_text, require_text

NAME_MAX = 120
LOCATION_MAX = 200
AGENDA_MAX = 6000
MINUTES_MAX = 20000
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def clean_email(value: str | None) -> str | None:
    """An optional e-mail address, lower-cased; empty → None; anything else is refused."""
    address = clean_text(value or "").lower()
    if not address:
        return None
    if len(address) > EMAIL_MAX or not _EMAIL.match(address):
        raise InvalidInput("error.member.bad_email", value=address[:80])
    return address


def _member(row: dict[str, Any]) -> Member:
    return Member(
        id=row["id"],
        committee_id=row["committee_id"],
        name=row["name"],
        role=MemberRole(row["role"]),
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        application_id=row["application_id"],
        email=row.get("email"),
    )


def seats_taken(db: Database, committee_id: int, role: MemberRole, on: str) -> tuple[int, int]:
    """(active members in the seat group of ``role``, that group's target)."""
    politicians = role in POLITICIAN_SEATS
    group = [r.value for r in POLITICIAN_SEATS] if politicians else [MemberRole.CITIZEN.value]
    taken = db.execute(
        f"SELECT COUNT(*) FROM committee_members WHERE committee_id = ?"
        f" AND role IN ({', '.join('?' for _ in group)})"
        " AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)",
        [committee_id, *group, on, on],
    ).fetchone()[0]
    column = "politicians_target" if politicians else "citizens_target"
    target = db.execute(f"SELECT {column} FROM committees WHERE id = ?", [committee_id]).fetchone()
    return int(taken), int(target[0] if target else 0)


def insert_member(
    db: Database,
    committee_id: int,
    *,
    name: str,
    role: MemberRole,
    starts_on: date | str,
    ends_on: date | str | None,
    application_id: int | None,
    actor: User,
    email: str | None = None,
) -> int:
    """Insert a member inside the caller's transaction (rules already checked)."""
    start = iso_date(starts_on)
    end = iso_date(ends_on) if ends_on else None
    if end is not None and end < start:
        raise InvalidInput("error.member.dates")
    cursor = db.execute(
        "INSERT INTO committee_members (committee_id, name, role, starts_on, ends_on,"
        " application_id, added_by, added_at, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " RETURNING id",
        [committee_id, name, role.value, start, end, application_id, actor.id, utcnow(), email],
    )
    member_id = cursor.fetchall()[0][0]
    assert member_id is not None
    audit.record(
        db,
        actor,
        "add_member",
        "committee_members",
        member_id,
        after={"name": name, "role": role.value, "starts_on": start, "ends_on": end},
    )
    return member_id


def add_member(
    store: Store,
    committee_id: int,
    *,
    name: str,
    role: MemberRole | str,
    starts_on: date | str,
    ends_on: date | str | None = None,
    actor: User,
    confirm_over_target: bool = False,
    email: str | None = None,
) -> Member:
    """Add a member by hand (politicians, experts, the secretariat…).

    A politician or citizen seat beyond the composition target needs ``confirm_over_target``.
    ``email`` (optional) is where meeting invitations go.
    """
    name = require_text(name, max_chars=NAME_MAX, field="name")
    address = clean_email(email)
    role = MemberRole(role)
    with store.transaction() as db:
        require(db, committee_id, Action.ADD_MEMBER)
        if role in POLITICIAN_SEATS or role is MemberRole.CITIZEN:
            taken, target = seats_taken(db, committee_id, role, iso_date(starts_on))
            if taken >= target and not confirm_over_target:
                raise NotAllowed("error.recruitment.over_target", taken=taken, target=target)
        member_id = insert_member(
            db,
            committee_id,
            name=name,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            application_id=None,
            actor=actor,
            email=address,
        )
    return get_member(store, member_id)


def end_membership(store: Store, member_id: int, ends_on: date | str, *, actor: User) -> Member:
    member = get_member(store, member_id)
    end = iso_date(ends_on)
    if end < member.starts_on:
        raise InvalidInput("error.member.dates")
    with store.transaction() as db:
        require(db, member.committee_id, Action.ADD_MEMBER)
        db.execute("UPDATE committee_members SET ends_on = ? WHERE id = ?", [end, member_id])
        audit.record(
            db,
            actor,
            "end_membership",
            "committee_members",
            member_id,
            before={"ends_on": member.ends_on},
            after={"ends_on": end},
        )
    return get_member(store, member_id)


def erase_member(store: Store, member_id: int, *, actor: User) -> privacy.ApplicantErasure:
    """Erase a member on their request: a staff action, in the audit log.

    The name is replaced everywhere (also in the audit log), and so is the application of an
    appointed citizen; role, dates and attendance stay, so the composition still adds up.
    An unknown id is NotFound; erasing twice is NotAllowed and changes nothing.
    """
    with store.transaction() as db:
        report = privacy.erase_applicant_in(db, member_id=member_id)
        audit.record(
            db,
            actor,
            "erase_member",
            "committee_members",
            member_id,
            after={
                "reason": "request",
                "applications": report.applications,
                "members": report.members,
            },
        )
    return report


def get_member(store: Store, member_id: int) -> Member:
    row = store.query_one("SELECT * FROM committee_members WHERE id = ?", [member_id])
    if row is None:
        raise NotFound("error.not_found")
    return _member(row)


def list_members(store: Store, committee_id: int) -> list[Member]:
    """Members in role order (chair first), then by name."""
    rows = store.query("SELECT * FROM committee_members WHERE committee_id = ?", [committee_id])
    order = list(MemberRole)
    found = [_member(r) for r in rows]
    return sorted(found, key=lambda m: (order.index(m.role), m.name.casefold(), m.id))


# -- meeting plan -------------------------------------------------------------------------------


def plan_meeting(
    store: Store,
    committee_id: int,
    title: str,
    *,
    planned_at: datetime | str,
    location: str = "",
    agenda: str = "",
    kind: MeetingKind = MeetingKind.COMMITTEE_MEETING,
    actor: User,
) -> MeetingPlan:
    """Put a meeting on the committee's plan, with its agenda."""
    when = iso_minute(planned_at)
    location = clean_text(location)
    agenda = clean_text(agenda)
    if len(location) > LOCATION_MAX:
        raise InvalidInput(
            "error.text.too_long", field="location", max=LOCATION_MAX, length=len(location)
        )
    if len(agenda) > AGENDA_MAX:
        raise InvalidInput(
            "error.text.too_long", field="agenda", max=AGENDA_MAX, length=len(agenda)
        )
    with store.transaction() as db:
        require(db, committee_id, Action.PLAN_MEETING)
        meeting = meetings.create_meeting(store, committee_id, title, kind=kind, actor=actor)
        db.execute(
            "INSERT INTO meeting_plans (meeting_id, committee_id, planned_at, location, agenda)"
            " VALUES (?, ?, ?, ?, ?)",
            [meeting.id, committee_id, when, location, agenda],
        )
        audit.record(
            db,
            actor,
            "plan_meeting",
            "meeting_plans",
            meeting.id,
            after={"planned_at": when, "location": location},
        )
    return get_meeting_plan(store, meeting.id)


def _plan_committee(db: Database, meeting_id: int) -> int:
    row = db.execute(
        "SELECT committee_id FROM meeting_plans WHERE meeting_id = ?", [meeting_id]
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    return int(row[0])


def record_minutes(
    store: Store, meeting_id: int, *, agenda: str, minutes: str, actor: User
) -> MeetingPlan:
    agenda = clean_text(agenda)
    minutes = clean_text(minutes)
    if len(agenda) > AGENDA_MAX:
        raise InvalidInput(
            "error.text.too_long", field="agenda", max=AGENDA_MAX, length=len(agenda)
        )
    if len(minutes) > MINUTES_MAX:
        raise InvalidInput(
            "error.text.too_long", field="minutes", max=MINUTES_MAX, length=len(minutes)
        )
    with store.transaction() as db:
        committee_id = _plan_committee(db, meeting_id)
        require(db, committee_id, Action.KEEP_MINUTES)
        before = db.execute(
            "SELECT agenda, minutes, approved_at FROM meeting_plans WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()
        if before[2] is not None and (before[0], before[1]) != (agenda, minutes):
            raise NotAllowed("error.minutes.already_approved")
        db.execute(
            "UPDATE meeting_plans SET agenda = ?, minutes = ?, minutes_by = ?, minutes_at = ?"
            " WHERE meeting_id = ?",
            [agenda, minutes, actor.id, utcnow(), meeting_id],
        )
        audit.record(
            db,
            actor,
            "record_minutes",
            "meeting_plans",
            meeting_id,
            before={"agenda": before[0], "minutes": before[1]},
            after={"agenda": agenda, "minutes": minutes},
        )
    return get_meeting_plan(store, meeting_id)


def local_now(time_zone: str | None = None) -> str:
    """The installation's local time (``SAMSKAB_TIME_ZONE``) as meeting times are stored."""
    zone = ZoneInfo(time_zone or load_settings().time_zone)
    return datetime.now(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def has_started(planned_at: str, now: datetime | str | None = None) -> bool:
    """True when a meeting planned at ``planned_at`` (local time) has begun by ``now``."""
    moment = iso_minute(now) if now is not None else local_now()
    return planned_at <= moment


def _require_started(db: Database, meeting_id: int, key: str, now: datetime | str | None) -> None:
    row = db.execute(
        "SELECT p.planned_at, m.title FROM meeting_plans p JOIN meetings m ON m.id = p.meeting_id"
        " WHERE p.meeting_id = ?",
        [meeting_id],
    ).fetchone()
    if row is None:
        raise NotFound("error.not_found")
    planned_at, title = row
    if not has_started(planned_at, now):
        when = datetime.fromisoformat(planned_at)
        raise NotAllowed(
            key,
            meeting=title,
            date=when.date(),
            time=when.time(),  # formatted by the reader
        )


def _status(value: AttendanceStatus | str | bool) -> AttendanceStatus:
    if isinstance(value, bool):  # the old yes/no form of a record
        return AttendanceStatus.PRESENT if value else AttendanceStatus.ABSENT
    try:
        return AttendanceStatus(value)
    except ValueError:
        raise InvalidInput("error.attendance.unknown_status", value=str(value)[:40]) from None


def record_attendance(
    store: Store,
    meeting_id: int,
    statuses: Mapping[int, AttendanceStatus | str | bool],
    *,
    actor: User,
    now: datetime | str | None = None,
) -> MeetingPlan:
    """Record who attended (member id → present, absent or apologies — "afbud"); members not
    named keep their record. ``True``/``False`` still mean present/absent.

    Only for a meeting that has started by ``now`` (default: the local time now); a meeting
    still ahead is NotAllowed and nothing is recorded.
    """
    chosen = {member_id: _status(value) for member_id, value in statuses.items()}
    with store.transaction() as db:
        committee_id = _plan_committee(db, meeting_id)
        require(db, committee_id, Action.KEEP_MINUTES)
        _require_started(db, meeting_id, "error.attendance.meeting_not_held", now)
        members = {
            r[0]
            for r in db.execute(
                "SELECT id FROM committee_members WHERE committee_id = ?", [committee_id]
            ).fetchall()
        }
        now = utcnow()
        for member_id, status in chosen.items():
            if member_id not in members:
                raise NotFound("error.not_found")
            db.execute(
                "INSERT INTO meeting_attendance (meeting_id, member_id, status, recorded_by,"
                " recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, member_id)"
                " DO UPDATE SET status = excluded.status, recorded_by = excluded.recorded_by,"
                " recorded_at = excluded.recorded_at",
                [meeting_id, member_id, status.value, actor.id, now],
            )
        audit.record(
            db,
            actor,
            "record_attendance",
            "meeting_plans",
            meeting_id,
            after={str(k): v.value for k, v in chosen.items()},
        )
    return get_meeting_plan(store, meeting_id)


def approve_minutes(
    store: Store,
    meeting_id: int,
    *,
    at_meeting: int,
    actor: User,
    now: datetime | str | None = None,
) -> MeetingPlan:
    """The committee approves a meeting's minutes at a later meeting; from then on they are
    public (on the committee's public page) and no longer change.

    Minutes not yet written, or approved already, are NotAllowed; an approving meeting that is
    not a later meeting of the same committee is InvalidInput; one that has not started by
    ``now`` (default: the local time now, ``SAMSKAB_TIME_ZONE``) is NotAllowed.
    """
    with store.transaction() as db:
        committee_id = _plan_committee(db, meeting_id)
        require(db, committee_id, Action.KEEP_MINUTES)
        row = db.execute(
            "SELECT planned_at, minutes, approved_at FROM meeting_plans WHERE meeting_id = ?",
            [meeting_id],
        ).fetchone()
        planned_at, minutes, approved_at = row
        if approved_at is not None:
            raise NotAllowed("error.minutes.already_approved")
        later = db.execute(
            "SELECT planned_at FROM meeting_plans WHERE meeting_id = ? AND committee_id = ?",
            [at_meeting, committee_id],
        ).fetchone()
        if later is None or not (
            later[0] > planned_at or (later[0] == planned_at and at_meeting > meeting_id)
        ):
            raise InvalidInput("error.minutes.approve_at_later_meeting")
        _require_started(db, at_meeting, "error.minutes.meeting_not_held", now)
        if not (minutes or "").strip():
            raise NotAllowed("error.minutes.nothing_to_approve")
        now = utcnow()
        db.execute(
            "UPDATE meeting_plans SET approved_at = ?, approved_by = ?, approved_at_meeting = ?"
            " WHERE meeting_id = ?",
            [now, actor.id, at_meeting, meeting_id],
        )
        audit.record(
            db,
            actor,
            "approve_minutes",
            "meeting_plans",
            meeting_id,
            after={"approved_at_meeting": at_meeting, "approved_at": now},
        )
    return get_meeting_plan(store, meeting_id)


_PLAN_SELECT = """
SELECT p.*, m.title,
       (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = p.meeting_id
          AND a.status = 'present') AS present,
       (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = p.meeting_id
          AND a.status = 'apologies') AS apologies,
       (SELECT COUNT(*) FROM meeting_attendance a WHERE a.meeting_id = p.meeting_id) AS recorded,
       (SELECT title FROM meetings WHERE id = p.approved_at_meeting) AS approved_at_title
FROM meeting_plans p JOIN meetings m ON m.id = p.meeting_id
"""


def _plan(row: dict[str, Any]) -> MeetingPlan:
    return MeetingPlan(
        meeting_id=row["meeting_id"],
        committee_id=row["committee_id"],
        title=row["title"],
        planned_at=row["planned_at"],
        location=row["location"],
        agenda=row["agenda"],
        minutes=row["minutes"],
        minutes_at=row["minutes_at"],
        present=row["present"],
        recorded=row["recorded"],
        apologies=row["apologies"],
        approved_at=row["approved_at"],
        approved_at_meeting=row["approved_at_meeting"],
        approved_at_title=row["approved_at_title"],
    )


def get_meeting_plan(store: Store, meeting_id: int) -> MeetingPlan:
    row = store.query_one(_PLAN_SELECT + " WHERE p.meeting_id = ?", [meeting_id])
    if row is None:
        raise NotFound("error.not_found")
    return _plan(row)


def list_meeting_plans(store: Store, committee_id: int) -> list[MeetingPlan]:
    rows = store.query(
        _PLAN_SELECT + " WHERE p.committee_id = ? ORDER BY p.planned_at, p.meeting_id",
        [committee_id],
    )
    return [_plan(r) for r in rows]


def attendance(store: Store, meeting_id: int) -> dict[int, AttendanceStatus]:
    rows = store.query(
        "SELECT member_id, status FROM meeting_attendance WHERE meeting_id = ?", [meeting_id]
    )
    return {r["member_id"]: AttendanceStatus(r["status"]) for r in rows}


def next_meeting(store: Store, committee_id: int, *, now: str | None = None) -> MeetingPlan | None:
    moment = now or datetime.now().isoformat(timespec="minutes")
    for plan in list_meeting_plans(store, committee_id):
        if plan.planned_at >= moment:
            return plan
    return None
