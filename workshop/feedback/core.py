"""Feedback to participants: "what happened to my idea?"

A feedback message is written by a facilitator, covers one or more ideas, and reaches the
people who posted them in the app (their "my ideas" page) and, only where a participant gave
an e-mail address with consent, by e-mail through a pluggable :class:`Sender`. Every message
is recorded with its date, the ideas it covers, and one delivery row per person and channel,
so the summaries can show the share of ideas that have received feedback.

The sender is chosen by ``SAMSKAB_FEEDBACK_SENDER``: ``file:<path>`` (the default, appending
to ``data/feedback-outbox.txt``), ``console`` (standard output), or ``python:<module>:<name>``,
a callable returning any object with ``send(message: EmailMessage) -> None`` — the plug for a
real mail service.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database, Migrations

from workshop import audit, link_secrets
from workshop.config import PROJECT_ROOT
from workshop.db import Store, run_sql, sql_group_concat
from workshop.errors import InvalidInput, NotFound
from workshop.i18n import LANGUAGES, translate
from workshop.model import IdeaStatus, Meeting, Participant, User, utcnow
from workshop.text import clean_text, require_text

migrations = Migrations("samskab.feedback")

BODY_MAX = 4000
EMAIL_MAX = 254
SENDER_ENV = "SAMSKAB_FEEDBACK_SENDER"
DEFAULT_SENDER = "file:data/feedback-outbox.txt"
FROM_ADDRESS = "Samskab <noreply@samskab.invalid>"
OUTCOME_LINK = "outcome"  # the kind of derived link (workshop.link_secrets)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@migrations(name="m001_feedback")
def m001_feedback(db: Database) -> None:
    run_sql(
        db,
        """
-- A message to the people behind some ideas; its ideas are in feedback_message_ideas.
CREATE TABLE feedback_messages (
    id INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    body TEXT NOT NULL CHECK (length(trim(body)) > 0),
    sent_by INTEGER REFERENCES users (id),
    sent_at TEXT NOT NULL
);
CREATE TABLE feedback_message_ideas (
    feedback_message_id INTEGER NOT NULL REFERENCES feedback_messages (id),
    idea_id INTEGER NOT NULL REFERENCES ideas (id),
    PRIMARY KEY (feedback_message_id, idea_id)
);
CREATE INDEX feedback_message_ideas_idea ON feedback_message_ideas (idea_id);

-- One row per person and channel: in the app always, by e-mail only with a consented address.
CREATE TABLE feedback_deliveries (
    id INTEGER PRIMARY KEY,
    feedback_message_id INTEGER NOT NULL REFERENCES feedback_messages (id),
    participant_id INTEGER NOT NULL REFERENCES participants (id),
    channel TEXT NOT NULL CHECK (channel IN ('app', 'email')),
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    detail TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (feedback_message_id, participant_id, channel)
);
CREATE INDEX feedback_deliveries_participant ON feedback_deliveries (participant_id, channel);

-- An optional e-mail address for feedback: only with consent, deleted on request.
CREATE TABLE participant_contacts (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id),
    email TEXT NOT NULL CHECK (email LIKE '%_@_%.%'),
    lang TEXT NOT NULL DEFAULT 'da',
    consent_at TEXT NOT NULL
);

-- The secret part of each meeting's public outcome link.
CREATE TABLE meeting_outcome_links (
    meeting_id INTEGER PRIMARY KEY REFERENCES meetings (id),
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
""",
    )


@migrations(name="m002_link_secrets_hashed")
def m002_link_secrets_hashed(db: Database) -> None:
    """The outcome link at rest becomes a SHA-256 digest (workshop.link_secrets).

    ``meeting_outcome_links.token`` keeps its name and now holds the digest; links handed out
    before keep working. ``salt`` derives the link again with the server key; old links have
    none, so the feedback page offers a new one.
    """
    link_secrets.hash_in_place(db, "meeting_outcome_links", "token")
    db.execute("ALTER TABLE meeting_outcome_links ADD COLUMN salt TEXT")


# -- the pluggable sender -------------------------------------------------------------------------


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class FileSender:
    """Appends each message to a text file (the default: nothing leaves the server)."""

    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        self.path = path if path.is_absolute() else PROJECT_ROOT / path
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(message.as_string())
            out.write("\n" + "=" * 72 + "\n")


class ConsoleSender:
    """Prints each message to standard output (for a terminal or a container log)."""

    def send(self, message: EmailMessage) -> None:
        sys.stdout.write(message.as_string() + "\n")
        sys.stdout.flush()


def sender_from_setting(value: str | None) -> Sender:
    """``console``, ``file:<path>`` or ``python:<module>:<callable>``; empty → the default."""
    value = (value or DEFAULT_SENDER).strip()
    if value == "console":
        return ConsoleSender()
    if value.startswith("file:") and value[5:].strip():
        return FileSender(value[5:].strip())
    if value.startswith("python:"):
        module, _, name = value[7:].partition(":")
        factory = getattr(importlib.import_module(module), name)
        return factory()
    raise ValueError(f"{SENDER_ENV}: use console, file:<path> or python:<module>:<callable>")


def configured_sender(env: Mapping[str, str] | None = None) -> Sender:
    env = os.environ if env is None else env
    return sender_from_setting(env.get(SENDER_ENV))


# -- records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackShare:
    ideas: int
    with_feedback: int

    @property
    def share(self) -> float | None:
        """Between 0 and 1; None when there are no ideas yet."""
        return self.with_feedback / self.ideas if self.ideas else None


@dataclass(frozen=True)
class SentFeedback:
    message_id: int
    in_app: int  # people who see it on their "my ideas" page
    emailed: int
    failed: int


@dataclass(frozen=True)
class FeedbackMessage:
    id: int
    body: str
    sent_at: str
    idea_ids: tuple[int, ...]
    in_app: int
    emailed: int
    failed: int


@dataclass(frozen=True)
class StatusEvent:
    status: IdeaStatus
    reason: str | None
    source: str
    at: str


@dataclass(frozen=True)
class IdeaOutcome:
    """One idea as its author, or the public, sees what became of it."""

    idea_id: int
    text: str
    status: IdeaStatus
    created_at: str
    hidden: bool
    reason: str | None  # the reason given with the latest status change
    history: tuple[StatusEvent, ...]
    feedback: tuple[tuple[str, str], ...]  # (sent_at, body), oldest first
    merged_into_text: str | None = None  # merged by the facilitator: the idea it joined


@dataclass(frozen=True)
class Contact:
    email: str
    lang: str
    consent_at: str


@dataclass(frozen=True)
class OutcomeReport:
    meeting: Meeting
    participants: int
    ideas: tuple[IdeaOutcome, ...]
    share: FeedbackShare
    messages: tuple[FeedbackMessage, ...]


# -- services -------------------------------------------------------------------------------------


def send_feedback(
    store: Store,
    *,
    idea_ids: Iterable[int],
    body: str,
    actor: User | None,
    sender: Sender | None = None,
    link_base: str | None = None,
) -> SentFeedback:
    """Record a feedback message on ``idea_ids`` and deliver it to the people behind them.

    Everyone sees it in the app; those who left an e-mail address with consent also get an
    e-mail through ``sender`` (the configured one by default). A failing e-mail is recorded
    as failed and does not undo the message.
    """
    text = require_text(body, max_chars=BODY_MAX, field="body")
    ids = sorted(set(idea_ids))
    if not ids:
        raise InvalidInput("error.feedback.no_ideas")
    marks = ", ".join("?" for _ in ids)
    with store.transaction() as db:
        rows = db.execute(
            "SELECT i.id, i.participant_id, m.committee_id FROM ideas i"
            f" JOIN meetings m ON m.id = i.meeting_id WHERE i.id IN ({marks})",
            ids,
        ).fetchall()
        if len(rows) != len(ids):
            raise NotFound("error.not_found")
        committees = {r[2] for r in rows}
        if len(committees) != 1:
            raise InvalidInput("error.feedback.one_committee")
        now = utcnow()
        message_id = db.execute(
            "INSERT INTO feedback_messages (committee_id, body, sent_by, sent_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            [committees.pop(), text, actor.id if actor else None, now],
        ).fetchall()[0][0]
        assert message_id is not None
        for idea_id in ids:
            db.execute(
                "INSERT INTO feedback_message_ideas (feedback_message_id, idea_id) VALUES (?, ?)",
                [message_id, idea_id],
            )
        people = sorted({r[1] for r in rows if r[1] is not None})
        for participant_id in people:
            db.execute(
                "INSERT INTO feedback_deliveries (feedback_message_id, participant_id, channel,"
                " status, at) VALUES (?, ?, 'app', 'delivered', ?)",
                [message_id, participant_id, now],
            )
        audit.record(
            db, actor, "send_feedback", "feedback_messages", message_id, after={"ideas": ids}
        )
        addressed = db.execute(
            "SELECT c.participant_id, c.email, c.lang, p.meeting_id, m.title"
            " FROM participant_contacts c"
            " JOIN participants p ON p.id = c.participant_id"
            " JOIN meetings m ON m.id = p.meeting_id"
            f" WHERE c.participant_id IN ({', '.join('?' for _ in people) or 'NULL'})",
            people,
        ).fetchall()
    emailed = failed = 0
    if addressed:
        sender = sender or configured_sender()
        for participant_id, email, lang, meeting_id, meeting_title in addressed:
            outcome = existing_outcome_token(store, meeting_id) if link_base else None
            public = outcome_url(link_base, outcome) if link_base and outcome else None
            message = _email(email, lang, meeting_title, text, public)
            try:
                sender.send(message)
            except Exception as error:  # any plug may fail; the message stays recorded
                status, detail = "failed", f"{type(error).__name__}: {error}"[:500]
                failed += 1
            else:
                status, detail = "delivered", ""
                emailed += 1
            store.execute(
                "INSERT INTO feedback_deliveries (feedback_message_id, participant_id, channel,"
                " status, detail, at) VALUES (?, ?, 'email', ?, ?, ?)",
                [message_id, participant_id, status, detail, utcnow()],
            )
    return SentFeedback(int(message_id), len(people), emailed, failed)


def _email(
    to: str, lang: str, meeting_title: str, body: str, outcome_link: str | None
) -> EmailMessage:
    """The feedback e-mail. It carries no personal link (e-mails are kept and forwarded, and
    the participant's link exists only on their phone); the meeting's public outcome page is
    linked once there is one."""
    message = EmailMessage(policy=policy.SMTPUTF8)  # readable UTF-8 in the outbox file
    message["From"] = FROM_ADDRESS
    message["To"] = to
    message["Subject"] = translate(lang, "feedback.email.subject", meeting=meeting_title)
    parts = [translate(lang, "feedback.email.greeting", meeting=meeting_title), "", body, ""]
    if outcome_link:
        parts += [translate(lang, "feedback.email.outcome_link", link=outcome_link), ""]
    parts += [translate(lang, "feedback.email.my_ideas_on_phone"), ""]
    parts.append(translate(lang, "feedback.email.why"))
    message.set_content("\n".join(parts), cte="8bit")
    return message


def set_contact(
    store: Store, participant: Participant, email: str, *, consent: bool, lang: str
) -> None:
    """Keep an e-mail address for feedback, only with the participant's consent."""
    address = clean_text(email).lower()
    if not consent:
        raise InvalidInput("error.feedback.consent_required")
    if len(address) > EMAIL_MAX or not _EMAIL.match(address):
        raise InvalidInput("error.feedback.bad_email")
    with store.transaction() as db:
        db.execute(
            "INSERT INTO participant_contacts (participant_id, email, lang, consent_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET"
            " email = excluded.email, lang = excluded.lang, consent_at = excluded.consent_at",
            [participant.id, address, lang if lang in LANGUAGES else "da", utcnow()],
        )


def remove_contact(store: Store, participant: Participant) -> None:
    """Forget the participant's e-mail address (consent withdrawn)."""
    store.execute("DELETE FROM participant_contacts WHERE participant_id = ?", [participant.id])


def mark_read(store: Store, participant: Participant) -> None:
    store.execute(
        "UPDATE feedback_deliveries SET read_at = ? WHERE participant_id = ? AND channel = 'app'"
        " AND read_at IS NULL",
        [utcnow(), participant.id],
    )


def outcome_token(store: Store, meeting_id: int) -> str | None:
    """The secret of the meeting's public outcome link (made on first use); None when the
    link was made before links were hashed or under another server key (make a new one)."""
    salt, _, digest = link_secrets.fresh_link(store.path, OUTCOME_LINK)
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone() is None:
            raise NotFound("error.not_found")
        db.execute(
            "INSERT INTO meeting_outcome_links (meeting_id, token, salt, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [meeting_id, digest, salt, utcnow()],
        )
    return existing_outcome_token(store, meeting_id)


def new_outcome_link(store: Store, meeting_id: int, *, actor: User | None) -> str:
    """A new public outcome link for the meeting; the old one stops working (audited)."""
    salt, secret, digest = link_secrets.fresh_link(store.path, OUTCOME_LINK)
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM meetings WHERE id = ?", [meeting_id]).fetchone() is None:
            raise NotFound("error.not_found")
        db.execute(
            "INSERT INTO meeting_outcome_links (meeting_id, token, salt, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id) DO UPDATE SET"
            " token = excluded.token, salt = excluded.salt, created_at = excluded.created_at",
            [meeting_id, digest, salt, utcnow()],
        )
        audit.record(db, actor, "new_outcome_link", "meetings", meeting_id)
    return secret


# -- reads ----------------------------------------------------------------------------------------


def outcome_url(base: str, token: str) -> str:
    """The public outcome page of a meeting."""
    return f"{base.rstrip('/')}/meeting_outcome?o={token}"


def existing_outcome_token(store: Store, meeting_id: int) -> str | None:
    """The public outcome link's secret, if a facilitator has made one (derived again with
    the server key; None if it cannot be, see ``outcome_token``)."""
    row = store.query_one(
        "SELECT token, salt FROM meeting_outcome_links WHERE meeting_id = ?", [meeting_id]
    )
    if row is None:
        return None
    return link_secrets.shown_link(store.path, OUTCOME_LINK, row["salt"], row["token"])


def feedback_share(
    store: Store, committee_id: int | None = None, meeting_id: int | None = None
) -> FeedbackShare:
    """How many visible ideas (of a committee, a meeting, or all) have received feedback.

    Merged and hidden ideas are left out: the idea they were merged into carries them.
    """
    where, params = "i.hidden = 0", []
    if meeting_id is not None:
        where += " AND i.meeting_id = ?"
        params.append(meeting_id)
    if committee_id is not None:
        where += " AND i.meeting_id IN (SELECT id FROM meetings WHERE committee_id = ?)"
        params.append(committee_id)
    row = store.query_one(
        "SELECT count(*) AS ideas, coalesce(sum(CASE WHEN EXISTS (SELECT 1"
        " FROM feedback_message_ideas f WHERE f.idea_id = i.id) THEN 1 ELSE 0 END), 0) AS answered"
        f" FROM ideas i WHERE {where}",
        params,
    )
    assert row is not None
    return FeedbackShare(int(row["ideas"]), int(row["answered"]))


def list_messages(
    store: Store, *, committee_id: int | None = None, meeting_id: int | None = None
) -> list[FeedbackMessage]:
    """Messages of a committee, or those covering ideas of one meeting; newest first."""
    if meeting_id is not None:
        where = (
            "m.id IN (SELECT f.feedback_message_id FROM feedback_message_ideas f"
            " JOIN ideas i ON i.id = f.idea_id WHERE i.meeting_id = ?)"
        )
        params: list[Any] = [meeting_id]
    elif committee_id is not None:
        where, params = "m.committee_id = ?", [committee_id]
    else:
        where, params = "1 = 1", []
    rows = store.query(
        "SELECT m.id, m.body, m.sent_at,"
        f" (SELECT {sql_group_concat(store.engine, 'idea_id', order_by='idea_id')}"
        " FROM feedback_message_ideas"
        "   WHERE feedback_message_id = m.id) AS ideas,"
        " (SELECT count(*) FROM feedback_deliveries d WHERE d.feedback_message_id = m.id"
        "   AND d.channel = 'app') AS in_app,"
        " (SELECT count(*) FROM feedback_deliveries d WHERE d.feedback_message_id = m.id"
        "   AND d.channel = 'email' AND d.status = 'delivered') AS emailed,"
        " (SELECT count(*) FROM feedback_deliveries d WHERE d.feedback_message_id = m.id"
        "   AND d.status = 'failed') AS failed"
        f" FROM feedback_messages m WHERE {where} ORDER BY m.id DESC",
        params,
    )
    return [
        FeedbackMessage(
            id=r["id"],
            body=r["body"],
            sent_at=r["sent_at"],
            idea_ids=tuple(sorted(int(x) for x in (r["ideas"] or "").split(",") if x)),
            in_app=r["in_app"],
            emailed=r["emailed"],
            failed=r["failed"],
        )
        for r in rows
    ]


def _outcomes(store: Store, where: str, params: list[Any]) -> list[IdeaOutcome]:
    ideas = store.query(
        "SELECT i.id, i.text, i.status, i.created_at, i.hidden, k.text AS merged_into_text"
        f" FROM ideas i LEFT JOIN ideas k ON k.id = i.merged_into_id WHERE {where}"
        " ORDER BY i.id",
        params,
    )
    if not ideas:
        return []
    ids = [r["id"] for r in ideas]
    marks = ", ".join("?" for _ in ids)
    history: dict[int, list[StatusEvent]] = {}
    for r in store.query(
        "SELECT idea_id, status, reason, source, at FROM idea_status_events"
        f" WHERE idea_id IN ({marks}) ORDER BY id",
        ids,
    ):
        history.setdefault(r["idea_id"], []).append(
            StatusEvent(IdeaStatus(r["status"]), r["reason"], r["source"], r["at"])
        )
    feedback: dict[int, list[tuple[str, str]]] = {}
    for r in store.query(
        "SELECT f.idea_id, m.sent_at, m.body FROM feedback_message_ideas f"
        " JOIN feedback_messages m ON m.id = f.feedback_message_id"
        f" WHERE f.idea_id IN ({marks}) ORDER BY m.id",
        ids,
    ):
        feedback.setdefault(r["idea_id"], []).append((r["sent_at"], r["body"]))
    result = []
    for r in ideas:
        events = history.get(r["id"], [])
        result.append(
            IdeaOutcome(
                idea_id=r["id"],
                text=r["text"],
                status=IdeaStatus(r["status"]),
                created_at=r["created_at"],
                hidden=bool(r["hidden"]),
                reason=events[-1].reason if events else None,
                history=tuple(events),
                feedback=tuple(feedback.get(r["id"], [])),
                merged_into_text=r["merged_into_text"],
            )
        )
    return result


def my_ideas(store: Store, participant_id: int) -> list[IdeaOutcome]:
    """The participant's own ideas with status, history with reasons, and feedback."""
    return _outcomes(store, "i.participant_id = ?", [participant_id])


def unread_count(store: Store, participant_id: int) -> int:
    return int(
        store.scalar(
            "SELECT count(*) FROM feedback_deliveries WHERE participant_id = ?"
            " AND channel = 'app' AND read_at IS NULL",
            [participant_id],
        )
    )


def get_contact(store: Store, participant_id: int) -> Contact | None:
    row = store.query_one(
        "SELECT email, lang, consent_at FROM participant_contacts WHERE participant_id = ?",
        [participant_id],
    )
    return Contact(row["email"], row["lang"], row["consent_at"]) if row else None


def meeting_by_outcome_token(store: Store, token: str) -> Meeting:
    from workshop.meetings import core as meetings

    meeting_id = store.scalar(
        "SELECT meeting_id FROM meeting_outcome_links WHERE token = ?",
        [link_secrets.hash_secret(token or "")],
    )
    if meeting_id is None:
        raise NotFound("error.feedback.unknown_outcome_link")
    return meetings.get_meeting(store, int(meeting_id))


def outcome_report(store: Store, meeting_id: int) -> OutcomeReport:
    """What came out of a meeting, for its public page: no names, no hidden ideas."""
    from workshop.meetings import core as meetings

    meeting = meetings.get_meeting(store, meeting_id)
    return OutcomeReport(
        meeting=meeting,
        participants=meetings.count_participants(store, meeting_id),
        ideas=tuple(_outcomes(store, "i.meeting_id = ? AND i.hidden = 0", [meeting_id])),
        share=feedback_share(store, meeting_id=meeting_id),
        messages=tuple(list_messages(store, meeting_id=meeting_id)),
    )
