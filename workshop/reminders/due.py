"""Reminders: commitments, feedback promises and outcome reviews that are due within N days
or overdue become e-mails to their owners, through the pluggable sender
(``workshop.feedback.core.configured_sender``). Run by ``samskab remind`` from cron or a systemd
timer (deploy/samskab-remind.timer).

Owners are written as text where the promise is made ("Anna Holm <anna@gentofte.dk>"); the
reminder goes to the e-mail address in that text. An owner without one is reported as
"no address" so the secretariat can follow up another way. The owner of a feedback promise
is the agreement's sign-off ("who signs off"), the owner of a review is the outcome's owner.
Each delivered reminder is recorded, and a thing is reminded at most once a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import policy
from email.message import EmailMessage

from workshop.db import Store
from workshop.feedback.core import FROM_ADDRESS, Sender, configured_sender, feedback_share
from workshop.i18n import LANGUAGES, formats, translate
from workshop.model import utcnow

DEFAULT_DAYS = 7
_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class Reminder:
    kind: str  # commitment | feedback | review
    item_id: int  # commitment id, agreement id (feedback promise) or review id
    what: str  # the promise, or the outcome under review
    context: str  # the agreement's title, or "" for a review
    owner: str
    address: str | None
    due_on: str

    def days_left(self, today: date) -> int:
        return (date.fromisoformat(self.due_on) - today).days


@dataclass
class RemindReport:
    reminders: list[Reminder] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    already_sent: int = 0
    would_send: int = 0  # dry run: what would go now
    no_address: list[Reminder] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # one per reminder, for the command's output


def owner_address(owner: str) -> str | None:
    """The e-mail address written in an owner text, lower-cased; None when there is none."""
    found = _ADDRESS.search(owner or "")
    return found.group(0).lower() if found else None


def due_reminders(store: Store, *, today: date, days: int = DEFAULT_DAYS) -> list[Reminder]:
    """Open commitments, feedback promises with ideas still waiting, and open outcome reviews,
    due on or before ``today + days`` (overdue ones included); earliest first."""
    from workshop.agreements import core as agreements

    if days < 0:
        raise ValueError("days must be 0 or more")
    horizon = (today + timedelta(days=days)).isoformat()
    found: list[Reminder] = []
    for r in store.query(
        "SELECT c.id, c.description, c.owner, c.due_on, c.agreement_id FROM commitments c"
        " WHERE c.done_at IS NULL AND c.due_on <= ? ORDER BY c.due_on, c.id",
        [horizon],
    ):
        agreement = agreements.get_agreement(store, r["agreement_id"])
        found.append(
            Reminder(
                "commitment",
                r["id"],
                r["description"],
                agreement.current.title,
                r["owner"],
                owner_address(r["owner"]),
                r["due_on"],
            )
        )
    for r in store.query("SELECT id FROM agreements ORDER BY id"):
        agreement = agreements.get_agreement(store, r["id"])
        due = agreement.current.feedback_due_on
        if due is None or due > horizon:
            continue
        share = feedback_share(
            store, committee_id=agreement.committee_id, meeting_id=agreement.meeting_id
        )
        if share.ideas - share.with_feedback <= 0:
            continue
        owner = agreement.current.texts.get("sign_off", "")
        found.append(
            Reminder(
                "feedback",
                agreement.id,
                agreement.current.title,
                "",
                owner,
                owner_address(owner),
                due,
            )
        )
    for r in store.query(
        "SELECT r.id, r.due_on, o.title, o.owner FROM outcome_reviews r"
        " JOIN outcomes o ON o.id = r.outcome_id"
        " WHERE r.done_at IS NULL AND r.due_on <= ? ORDER BY r.due_on, r.id",
        [horizon],
    ):
        found.append(
            Reminder(
                "review",
                r["id"],
                r["title"],
                "",
                r["owner"],
                owner_address(r["owner"]),
                r["due_on"],
            )
        )
    found.sort(key=lambda item: (item.due_on, item.kind, item.item_id))
    return found


def _when(lang: str, reminder: Reminder, today: date) -> str:
    left = reminder.days_left(today)
    day = date.fromisoformat(reminder.due_on).strftime("%d.%m.%Y")
    if left < 0:
        return translate(lang, "reminder.overdue", date=day, days=-left)
    return translate(lang, "reminder.due", date=day, days=left)


def _message(lang: str, reminder: Reminder, today: date) -> EmailMessage:
    assert reminder.address is not None
    message = EmailMessage(policy=policy.SMTPUTF8)
    message["From"] = FROM_ADDRESS
    message["To"] = reminder.address
    kind = translate(lang, f"reminder.kind.{reminder.kind}")
    message["Subject"] = translate(lang, "reminder.email.subject", kind=kind, what=reminder.what)
    parts = [
        translate(lang, "reminder.email.greeting", owner=reminder.owner),
        "",
        f"{kind}: {reminder.what}",
    ]
    if reminder.context:
        parts.append(translate(lang, "reminder.email.context", context=reminder.context))
    parts += [_when(lang, reminder, today), "", translate(lang, "reminder.email.why")]
    message.set_content("\n".join(parts), cte="8bit")
    return message


def send_reminders(
    store: Store,
    *,
    today: date | None = None,
    days: int = DEFAULT_DAYS,
    sender: Sender | None = None,
    dry_run: bool = False,
    lang: str = "da",
) -> RemindReport:
    """Send what is due to owners with an address, once a day per thing; list the rest."""
    today = today or formats.today()
    lang = lang if lang in LANGUAGES else "da"
    report = RemindReport(reminders=due_reminders(store, today=today, days=days))
    for reminder in report.reminders:
        kind = translate(lang, f"reminder.kind.{reminder.kind}")
        owner = reminder.owner if len(reminder.owner) <= 60 else reminder.owner[:59] + "…"
        head = f"{reminder.due_on} {kind}: {reminder.what} · {owner or '—'}"
        if reminder.address is None:
            report.no_address.append(reminder)
            report.lines.append(f"{head} → {translate(lang, 'reminder.no_address')}")
            continue
        done = store.scalar(
            "SELECT 1 FROM reminders_sent WHERE kind = ? AND item_id = ? AND sent_on = ?"
            " AND status = 'delivered'",
            [reminder.kind, reminder.item_id, today.isoformat()],
        )
        if done:
            report.already_sent += 1
            report.lines.append(f"{head} → {translate(lang, 'reminder.already_sent')}")
            continue
        if dry_run:
            report.would_send += 1
            report.lines.append(
                f"{head} → {translate(lang, 'reminder.would_send', address=reminder.address)}"
            )
            continue
        sender = sender or configured_sender()
        try:
            sender.send(_message(lang, reminder, today))
        except Exception as error:  # any plug may fail; the next run tries again
            status, detail = "failed", f"{type(error).__name__}: {error}"[:500]
            report.failed += 1
            note = translate(lang, "reminder.failed", detail=detail)
        else:
            status, detail = "delivered", ""
            report.sent += 1
            note = translate(lang, "reminder.sent", address=reminder.address)
        store.execute(
            "INSERT INTO reminders_sent (kind, item_id, owner, address, sent_on, status, detail,"
            " at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                reminder.kind,
                reminder.item_id,
                reminder.owner,
                reminder.address,
                today.isoformat(),
                status,
                detail,
                utcnow(),
            ],
        )
        report.lines.append(f"{head} → {note}")
    return report
