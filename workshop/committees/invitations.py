"""Meeting invitations: a calendar file (.ics) per planned meeting, and e-mails with it
attached to the members who have an address, through the pluggable sender
(``workshop.feedback.core.configured_sender``). Every sending is recorded; members without an
address are listed so the secretariat can tell them another way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from workshop import audit
from workshop.committees import ics
from workshop.committees.core import get_committee, require
from workshop.committees.members import (
    _EMAIL,
    get_meeting_plan,
    has_started,
    list_members,
    local_now,
)
from workshop.committees.model import Action, MeetingPlan, Member
from workshop.config import load_settings
from workshop.db import Store
from workshop.errors import NotAllowed
from workshop.feedback.core import FROM_ADDRESS, Sender, configured_sender
from workshop.i18n import LANGUAGES, formats, translate
from workshop.model import User, utcnow

MEETING_HOURS = 2  # a committee meeting's length in the calendar (the plan keeps only the start)


@dataclass(frozen=True)
class InvitationReport:
    sent: tuple[Member, ...]
    failed: tuple[Member, ...]
    without_address: tuple[Member, ...]  # tell them another way


@dataclass(frozen=True)
class SentInvitation:
    member_id: int
    address: str
    status: str
    detail: str
    sent_at: str


_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})


def file_name(plan: MeetingPlan) -> str:
    """``2026-04-01-moede-1.ics``: æ, ø and å spelt out (ae, oe, aa), other accents dropped."""
    title = unicodedata.normalize("NFKD", plan.title.lower().translate(_DANISH_LETTERS))
    ascii_title = title.encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:40] or "meeting"
    return f"{plan.planned_at[:10]}-{slug}.ics"  # data, not text


def local_time(utc_iso: str, time_zone: str | None = None) -> datetime:
    """A stored UTC time (``*_at``) in the installation's time zone, without the offset."""
    moment = datetime.fromisoformat(utc_iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    zone = ZoneInfo(time_zone or load_settings().time_zone)
    return moment.astimezone(zone).replace(tzinfo=None)


def invitation_calendar(
    store: Store, meeting_id: int, *, time_zone: str | None = None, lang: str = "da"
) -> str:
    """The meeting as an .ics file, in the installation's time zone (``SAMSKAB_TIME_ZONE``)."""
    plan = get_meeting_plan(store, meeting_id)
    committee = get_committee(store, plan.committee_id)
    start = datetime.fromisoformat(plan.planned_at)
    del lang  # the file carries the agenda as written; the e-mail around it is translated
    return ics.event_calendar(
        ics.CalendarEvent(
            uid=f"samskab-meeting-{plan.meeting_id}-{plan.committee_id}@samskab",
            start=start,
            end=start + timedelta(hours=MEETING_HOURS),
            summary=f"{committee.title}: {plan.title}",
            location=plan.location,
            description=plan.agenda.strip(),
            time_zone=time_zone or load_settings().time_zone,
        )
    )


def member_address(store: Store, member: Member) -> str | None:
    """The member's own e-mail, or the e-mail an appointed citizen gave on the application."""
    if member.email:
        return member.email
    if member.application_id is None:
        return None
    contact = store.scalar("SELECT contact FROM applications WHERE id = ?", [member.application_id])
    address = str(contact or "").strip().lower()
    return address if _EMAIL.match(address) else None


def invited_members(store: Store, plan: MeetingPlan) -> list[Member]:
    """The members active on the meeting's day."""
    day = plan.planned_at[:10]  # data, not text
    return [m for m in list_members(store, plan.committee_id) if m.is_active(day)]


def _message(
    to: str, lang: str, plan: MeetingPlan, committee_title: str, calendar: str
) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTPUTF8)
    message["From"] = FROM_ADDRESS
    message["To"] = to
    message["Subject"] = translate(
        lang, "invitation.email.subject", committee=committee_title, meeting=plan.title
    )
    when = formats.datetime_text(plan.planned_at, lang)
    parts = [
        translate(lang, "invitation.email.greeting", committee=committee_title),
        "",
        translate(lang, "invitation.email.when", meeting=plan.title, when=when),
    ]
    if plan.location:
        parts.append(translate(lang, "invitation.email.where", location=plan.location))
    if plan.agenda.strip():
        parts += ["", translate(lang, "invitation.agenda_heading"), plan.agenda.strip()]
    parts += ["", translate(lang, "invitation.email.calendar")]
    message.set_content("\n".join(parts), cte="8bit")
    message.add_attachment(
        calendar.encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename=file_name(plan),
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    return message


def send_invitations(
    store: Store,
    meeting_id: int,
    *,
    actor: User,
    sender: Sender | None = None,
    lang: str = "da",
    time_zone: str | None = None,
    resend: bool = False,
) -> InvitationReport:
    """E-mail the invitation with its .ics to every active member with an address.

    A failing e-mail is recorded as failed and the others still go; a member without an
    address is returned in ``without_address``. Invitations already sent go again only with
    ``resend`` (otherwise NotAllowed, naming when they went).
    """
    plan = get_meeting_plan(store, meeting_id)
    with store.transaction() as db:
        require(db, plan.committee_id, Action.PLAN_MEETING)
    if has_started(plan.planned_at, local_now(time_zone)):
        raise NotAllowed("error.invitation.past_meeting")
    earlier = list_invitations(store, meeting_id)
    if earlier and not resend:
        when = local_time(earlier[-1].sent_at, time_zone)
        raise NotAllowed(
            "error.invitation.already_sent",
            date=when.date(),  # written in the reader's style by translate()
            time=when.time(),
        )
    lang = lang if lang in LANGUAGES else "da"
    committee = get_committee(store, plan.committee_id)
    calendar = invitation_calendar(store, meeting_id, time_zone=time_zone, lang=lang)
    sent: list[Member] = []
    failed: list[Member] = []
    missing: list[Member] = []
    outbox = sender
    for member in invited_members(store, plan):
        address = member_address(store, member)
        if address is None:
            missing.append(member)
            continue
        outbox = outbox or configured_sender()
        try:
            outbox.send(_message(address, lang, plan, committee.title, calendar))
        except Exception as error:  # any plug may fail; the others still go
            status, detail = "failed", f"{type(error).__name__}: {error}"[:500]
            failed.append(member)
        else:
            status, detail = "delivered", ""
            sent.append(member)
        store.execute(
            "INSERT INTO meeting_invitations (meeting_id, member_id, address, status, detail,"
            " sent_by, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [meeting_id, member.id, address, status, detail, actor.id, utcnow()],
        )
    with store.transaction() as db:
        audit.record(
            db,
            actor,
            "send_invitations",
            "meeting_plans",
            meeting_id,
            after={"sent": len(sent), "failed": len(failed), "without_address": len(missing)},
        )
    return InvitationReport(tuple(sent), tuple(failed), tuple(missing))


def list_invitations(store: Store, meeting_id: int) -> list[SentInvitation]:
    rows = store.query(
        "SELECT member_id, address, status, detail, sent_at FROM meeting_invitations"
        " WHERE meeting_id = ? ORDER BY id",
        [meeting_id],
    )
    return [SentInvitation(**r) for r in rows]
