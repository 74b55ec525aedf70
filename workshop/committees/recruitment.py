"""Recruitment: the public application form, the facilitators' review, coverage and the draw.

Applications are accepted only while the committee is in its recruitment phase (a trigger
holds the rule too). Personal data is minimal: a name, an optional e-mail or phone, the
motivation and competences, and diversity answers only after consent, with its timestamp.
Every review decision carries a rationale, kept with who decided and when, so that
selection is not "uigennemsigtig".
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from typing import Any

from workshop import audit, link_secrets
from workshop.committees import corrections, sortition
from workshop.committees.core import require
from workshop.committees.model import (
    DIVERSITY_ATTRIBUTES,
    DIVERSITY_OPTIONS,
    Action,
    Application,
    ApplicationStatus,
    Correction,
    MemberRole,
    Target,
)
from workshop.config import load_settings
from workshop.db import Store
from workshop.errors import InvalidInput, NotAllowed, NotFound
from workshop.feedback import core as feedback
from workshop.i18n import LANGUAGES, formats, translate
from workshop.model import User, utcnow
from workshop.privacy import core as privacy
from workshop.text import clean_text, require_text
from workshop.voting.tallies import id_order

NAME_MAX = 120
CONTACT_MAX = 200
MOTIVATION_MAX = 3000
COMPETENCE_MAX = 120
COMPETENCES_MAX = 20
RATIONALE_MAX = 2000
DISTRICT_MAX = 80
SEED_MAX = 200
APPLICANT_LINK = "application"  # the kind of an applicant's own derived link (link_secrets)


@dataclass(frozen=True)
class Diversity:
    """Self-reported and optional; only stored with consent."""

    age_band: str | None = None
    district: str | None = None
    gender: str | None = None
    hard_to_reach: str | None = None


def _application(row: dict[str, Any]) -> Application:
    return Application(
        id=row["id"],
        committee_id=row["committee_id"],
        name=row["name"],
        contact=row["contact"],
        motivation=row["motivation"],
        competences=tuple(json.loads(row["competences"])),
        consent_at=row["consent_at"],
        age_band=row["age_band"],
        district=row["district"],
        gender=row["gender"],
        hard_to_reach=row["hard_to_reach"],
        status=ApplicationStatus(row["status"]),
        rationale=row["rationale"],
        decided_at=row["decided_at"],
        submitted_at=row["submitted_at"],
        lang=row["lang"],
        rationale_version=int(row["rationale_version"]),
    )


# Applications with the version of their rationale (1 + its corrections).
_SELECT = (
    "SELECT a.*, (SELECT COALESCE(MAX(c.version), 1) FROM corrections c"
    " WHERE c.subject = 'application_rationale' AND c.subject_id = a.id) AS rationale_version"
    " FROM applications a"
)


def _clean_diversity(diversity: Diversity | None, consent: bool) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        name: (clean_text(getattr(diversity, name)) or None) if diversity else None
        for name in DIVERSITY_ATTRIBUTES
    }
    if any(values.values()) and not consent:
        raise InvalidInput("error.application.consent_needed")
    for name, options in DIVERSITY_OPTIONS.items():
        if values[name] is not None and values[name] not in options:
            raise InvalidInput("error.application.bad_option", field=name)
    district = values["district"]
    configured = district_options()
    if district is not None and configured and district not in configured:
        raise InvalidInput("error.application.bad_option", field="district")
    if district is not None and len(district) > DISTRICT_MAX:
        raise InvalidInput(
            "error.text.too_long", field="district", max=DISTRICT_MAX, length=len(district)
        )
    return values


def _clean_competences(competences: list[str] | tuple[str, ...]) -> list[str]:
    cleaned: list[str] = []
    for raw in competences:
        text = clean_text(raw)
        if text and text not in cleaned:
            if len(text) > COMPETENCE_MAX:
                raise InvalidInput(
                    "error.text.too_long", field="competences", max=COMPETENCE_MAX, length=len(text)
                )
            cleaned.append(text)
    if len(cleaned) > COMPETENCES_MAX:
        raise InvalidInput("error.application.too_many_competences", max=COMPETENCES_MAX)
    return cleaned


def submit_application(
    store: Store,
    committee_id: int,
    *,
    name: str,
    contact: str = "",
    motivation: str,
    competences: list[str] | tuple[str, ...] = (),
    consent: bool = False,
    diversity: Diversity | None = None,
    lang: str = "da",
) -> Application:
    """A citizen applies through the public form (no account), in their language ``lang``
    (their outcome message is written in it). The application gets its own link, where the
    applicant sees their outcome (:func:`applicant_link_token`)."""
    name = require_text(name, max_chars=NAME_MAX, field="name")
    contact = clean_text(contact)
    if len(contact) > CONTACT_MAX:
        raise InvalidInput(
            "error.text.too_long", field="contact", max=CONTACT_MAX, length=len(contact)
        )
    motivation = require_text(motivation, max_chars=MOTIVATION_MAX, field="motivation")
    chosen = _clean_competences(competences)
    values = _clean_diversity(diversity, consent)
    lang = lang if lang in LANGUAGES else "da"
    salt, _, digest = link_secrets.fresh_link(store.path, APPLICANT_LINK)
    now = utcnow()
    with store.transaction() as db:
        require(db, committee_id, Action.APPLY)
        try:
            cursor = db.execute(
                "INSERT INTO applications (committee_id, name, contact, motivation, competences,"
                " consent_at, age_band, district, gender, hard_to_reach, submitted_at, lang,"
                " link_token, link_salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                [
                    committee_id,
                    name,
                    contact,
                    motivation,
                    json.dumps(chosen, ensure_ascii=False),
                    now if consent else None,
                    values["age_band"],
                    values["district"],
                    values["gender"],
                    values["hard_to_reach"],
                    now,
                    lang,
                    digest,
                    salt,
                ],
            )
        except sqlite3.IntegrityError as error:  # the trigger: recruitment closed meanwhile
            raise NotAllowed("error.phase.apply", phase="") from error
        application_id = cursor.fetchall()[0][0]
        assert application_id is not None
    return get_application(store, application_id)


def get_application(store: Store, application_id: int) -> Application:
    row = store.query_one(_SELECT + " WHERE a.id = ?", [application_id])
    if row is None:
        raise NotFound("error.not_found")
    return _application(row)


def applicant_link_token(store: Store, application_id: int) -> str | None:
    """The secret of the applicant's own link, derived again with the server key; None for an
    application made before applicants had links (or under another server key)."""
    row = store.query_one(
        "SELECT link_token, link_salt FROM applications WHERE id = ?", [application_id]
    )
    if row is None:
        raise NotFound("error.not_found")
    if not row["link_token"]:
        return None
    return link_secrets.shown_link(store.path, APPLICANT_LINK, row["link_salt"], row["link_token"])


def application_by_token(store: Store, token: str) -> Application:
    """The application behind an applicant's own link (not for an erased applicant)."""
    row = store.query_one(
        _SELECT + " WHERE a.link_token = ?", [link_secrets.hash_secret(token or "")]
    )
    if row is None or privacy.applicant_erased(store, application_id=row["id"]):
        raise NotFound("error.application.link_unknown")
    return _application(row)


def list_applications(
    store: Store, committee_id: int, *, status: ApplicationStatus | None = None
) -> list[Application]:
    sql = _SELECT + " WHERE a.committee_id = ?"
    params: list[Any] = [committee_id]
    if status is not None:
        sql += " AND a.status = ?"
        params.append(ApplicationStatus(status).value)
    return [_application(r) for r in store.query(sql + " ORDER BY a.id", params)]


def list_reviews(store: Store, application_id: int) -> list[dict[str, Any]]:
    return store.query(
        "SELECT r.status, r.rationale, r.reviewed_at, COALESCE(u.display_name, '') AS reviewer"
        " FROM application_reviews r LEFT JOIN users u ON u.id = r.reviewed_by"
        " WHERE r.application_id = ? ORDER BY r.id",
        [application_id],
    )


_DRAW_RATIONALE = re.compile(r"^sortition #(\d+) · seed (.*)$", re.DOTALL)


def draw_rationale(draw_id: int, seed: str) -> str:
    """The reason stored on an application shortlisted by a draw: a fixed form that
    :func:`rationale_text` shows in the reader's language."""
    return f"sortition #{draw_id} · seed {seed}"


def rationale_text(rationale: str, lang: str) -> str:
    """A stored reason as the reader reads it: a draw's reason becomes a sentence in ``lang``
    (the stored form is the same in every language); any other reason is shown as written."""
    found = _DRAW_RATIONALE.match(rationale or "")
    if found is None:
        return rationale
    return translate(lang, "draw.rationale", draw=int(found[1]), seed=found[2])


def citizen_seats(store: Store, committee_id: int) -> tuple[int, int]:
    """(active citizen members, citizens target)."""
    today = formats.today().isoformat()
    taken = store.scalar(
        "SELECT COUNT(*) FROM committee_members WHERE committee_id = ? AND role = 'citizen'"
        " AND (ends_on IS NULL OR ends_on >= ?)",
        [committee_id, today],
    )
    target = store.scalar("SELECT citizens_target FROM committees WHERE id = ?", [committee_id])
    return int(taken or 0), int(target or 0)


def review_application(
    store: Store,
    application_id: int,
    status: ApplicationStatus | str,
    *,
    rationale: str,
    actor: User,
    confirm_over_target: bool = False,
    starts_on: date | str | None = None,
) -> Application:
    """Set an application's status with the reason for it.

    Appointing makes the applicant a citizen member. Appointing beyond the citizens target
    needs ``confirm_over_target``.
    """
    status = ApplicationStatus(status)
    rationale = require_text(rationale, max_chars=RATIONALE_MAX, field="rationale")
    application = get_application(store, application_id)
    now = utcnow()
    with store.transaction() as db:
        require(db, application.committee_id, Action.REVIEW_APPLICATIONS)
        current = db.execute(
            "SELECT status FROM applications WHERE id = ?", [application_id]
        ).fetchone()[0]
        if current == status.value:
            raise InvalidInput("error.application.same_status")
        if current == ApplicationStatus.APPOINTED.value:
            raise NotAllowed("error.application.already_member")
        if status is ApplicationStatus.APPOINTED:
            taken, target = citizen_seats(store, application.committee_id)
            if taken >= target and not confirm_over_target:
                raise NotAllowed("error.recruitment.over_target", taken=taken, target=target)
            from workshop.committees.members import insert_member

            insert_member(
                db,
                application.committee_id,
                name=application.name,
                role=MemberRole.CITIZEN,
                starts_on=starts_on or formats.today(),
                ends_on=None,
                application_id=application_id,
                actor=actor,
            )
        db.execute(
            "UPDATE applications SET status = ?, rationale = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ?",
            [status.value, rationale, actor.id, now, application_id],
        )
        db.execute(
            "INSERT INTO application_reviews (application_id, status, rationale, reviewed_by,"
            " reviewed_at) VALUES (?, ?, ?, ?, ?)",
            [application_id, status.value, rationale, actor.id, now],
        )
        audit.record(
            db,
            actor,
            "review_application",
            "applications",
            application_id,
            before={"status": current},
            after={"status": status.value, "rationale": rationale},
        )
    return get_application(store, application_id)


def correct_rationale(
    store: Store, application_id: int, rationale: str, *, expected_version: int, actor: User
) -> Application:
    """Correct the reason given for an application's current status, as a new version.

    The rationale it replaces is kept with who corrected it and when (``corrections``), and
    the review history stays as it was written. ``expected_version`` is the version the staff
    member saw: a stale or unchanged correction changes nothing.
    """
    rationale = require_text(rationale, max_chars=RATIONALE_MAX, field="rationale")
    application = get_application(store, application_id)
    if application.status is ApplicationStatus.INTERESTED:
        raise NotAllowed("error.correction.nothing_decided")
    with store.transaction() as db:
        current = db.execute(
            "SELECT rationale FROM applications WHERE id = ?", [application_id]
        ).fetchone()[0]
        corrections.record_in(
            db,
            committee_id=application.committee_id,
            subject="application_rationale",
            subject_id=application_id,
            expected_version=expected_version,
            before={"rationale": current},
            after={"rationale": rationale},
            actor=actor,
        )
        db.execute(
            "UPDATE applications SET rationale = ? WHERE id = ?", [rationale, application_id]
        )
    return get_application(store, application_id)


def rationale_corrections(store: Store, committee_id: int) -> dict[int, list[Correction]]:
    """Corrections of the applications' rationales, by application id, oldest first."""
    ids = [a.id for a in list_applications(store, committee_id)]
    return corrections.history_of(store, "application_rationale", ids)


# -- telling applicants their outcome -----------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """One outcome message to an applicant, and how it went."""

    application_id: int
    name: str
    status: ApplicationStatus
    delivery: str  # delivered, failed or no_contact (tell them another way)
    sent_by_name: str
    sent_at: str


@dataclass(frozen=True)
class OutcomesSent:
    delivered: int
    failed: int
    no_contact: int
    already_told: int
    undecided: int  # applicants without an outcome yet: not told anything


def is_email(contact: str) -> bool:
    return bool(feedback._EMAIL.match(contact.strip()))


def applicant_url(base: str, token: str) -> str:
    """The applicant's own page: their application and its outcome."""
    return f"{base.rstrip('/')}/apply?a={token}"


def outcome_message(
    application: Application, committee_title: str, link: str | None
) -> EmailMessage:
    """The outcome e-mail, in the applicant's language."""
    lang, status = application.lang, application.status.value
    message = EmailMessage(policy=policy.SMTPUTF8)
    message["From"] = feedback.FROM_ADDRESS
    message["To"] = application.contact.strip()
    message["Subject"] = translate(lang, "applicant_outcome.subject", committee=committee_title)
    parts = [
        translate(lang, "applicant_outcome.greeting", name=application.name),
        "",
        translate(lang, f"applicant_outcome.{status}", committee=committee_title),
        "",
        translate(
            lang, "applicant_outcome.reason", reason=rationale_text(application.rationale, lang)
        ),
        "",
    ]
    if link:
        parts += [translate(lang, "applicant_outcome.link", link=link), ""]
    parts.append(translate(lang, "applicant_outcome.why"))
    message.set_content("\n".join(parts), cte="8bit")
    return message


def send_outcomes(
    store: Store,
    committee_id: int,
    *,
    actor: User,
    sender: feedback.Sender | None = None,
    link_base: str | None = None,
) -> OutcomesSent:
    """Tell every decided applicant (appointed, reserve, not selected) their outcome, in one go.

    Each applicant with an e-mail address gets a message in their language with the reason,
    through ``sender`` (the configured one by default); each delivery is recorded with who
    sent it and when. An applicant without an e-mail address is recorded as "no contact", for
    staff to tell another way. Anyone already told this outcome (delivered or no contact) is
    not told again; a failed e-mail is tried again next time. Everyone also sees their outcome
    at their own link.
    """
    from workshop.committees.core import get_committee

    committee = get_committee(store, committee_id)
    erased = _erased_applications(store, committee_id)
    everyone = [a for a in list_applications(store, committee_id) if a.id not in erased]
    told = {
        (r["application_id"], r["status"])
        for r in store.query(
            "SELECT n.application_id, n.status FROM applicant_notices n"
            " JOIN applications a ON a.id = n.application_id"
            " WHERE a.committee_id = ? AND n.delivery IN ('delivered', 'no_contact')",
            [committee_id],
        )
    }
    decided = [a for a in everyone if a.status.is_outcome]
    todo = [a for a in decided if (a.id, a.status.value) not in told]
    delivered = failed = no_contact = 0
    for application in todo:
        detail = ""
        if not is_email(application.contact):
            delivery, no_contact = "no_contact", no_contact + 1
        else:
            token = applicant_link_token(store, application.id) if link_base else None
            link = applicant_url(link_base, token) if link_base and token else None
            message = outcome_message(application, committee.title, link)
            try:
                (sender or feedback.configured_sender()).send(message)
            except Exception as error:  # any plug may fail; try again next time
                delivery, failed = "failed", failed + 1
                detail = type(error).__name__
            else:
                delivery, delivered = "delivered", delivered + 1
        store.execute(
            "INSERT INTO applicant_notices (application_id, status, delivery, detail, sent_by,"
            " sent_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                application.id,
                application.status.value,
                delivery,
                detail,
                actor.id,
                utcnow(),
            ],
        )
    result = OutcomesSent(
        delivered=delivered,
        failed=failed,
        no_contact=no_contact,
        already_told=len(decided) - len(todo),
        undecided=len(everyone) - len(decided),
    )
    with store.transaction() as db:
        audit.record(db, actor, "send_outcomes", "committees", committee_id, after=result.__dict__)
    return result


def list_notices(store: Store, committee_id: int) -> list[Notice]:
    """Every outcome message of the committee's applicants, newest first."""
    rows = store.query(
        "SELECT n.application_id, a.name, n.status, n.delivery, n.sent_at,"
        " COALESCE(u.display_name, '') AS by_name FROM applicant_notices n"
        " JOIN applications a ON a.id = n.application_id"
        " LEFT JOIN users u ON u.id = n.sent_by"
        " WHERE a.committee_id = ? ORDER BY n.id DESC",
        [committee_id],
    )
    return [
        Notice(
            application_id=r["application_id"],
            name=r["name"],
            status=ApplicationStatus(r["status"]),
            delivery=r["delivery"],
            sent_by_name=r["by_name"],
            sent_at=r["sent_at"],
        )
        for r in rows
    ]


def erase_application(
    store: Store, application_id: int, *, actor: User
) -> privacy.ApplicantErasure:
    """Erase an applicant on their request: a staff action, in the audit log.

    Their name, contact, motivation, competences, diversity answers and the rationales written
    about them are replaced everywhere (also in the audit log); an appointed applicant's
    membership goes the same way. The status and the dates stay, so the selection record
    still adds up. An unknown id is NotFound; erasing twice is NotAllowed and changes nothing.
    """
    with store.transaction() as db:
        report = privacy.erase_applicant_in(db, application_id=application_id)
        audit.record(
            db,
            actor,
            "erase_application",
            "applications",
            application_id,
            after={
                "reason": "request",
                "applications": report.applications,
                "members": report.members,
            },
        )
    return report


# -- targets and coverage -----------------------------------------------------------------------


def district_options() -> tuple[str, ...]:
    """The municipality's districts (``SAMSKAB_DISTRICTS``, comma-separated), in that order;
    empty when none are configured (then applicants type their district)."""
    return load_settings().districts


def target_options(store: Store, committee_id: int, attribute: str) -> tuple[str, ...]:
    """The values a target can be set for, as the facilitator picks them: the answer keys of
    a question (shown by their labels), the configured districts or, without a list, the
    districts the applicants gave."""
    if attribute in DIVERSITY_OPTIONS:
        return DIVERSITY_OPTIONS[attribute]
    if attribute != "district":
        raise InvalidInput("error.application.bad_option", field="attribute")
    configured = district_options()
    if configured:
        return configured
    given = {a.district for a in list_applications(store, committee_id) if a.district}
    return tuple(sorted(given, key=str.casefold))


def list_targets(store: Store, committee_id: int) -> list[Target]:
    rows = store.query(
        "SELECT * FROM recruitment_targets WHERE committee_id = ? ORDER BY attribute, value",
        [committee_id],
    )
    return [Target(r["id"], r["attribute"], r["value"], r["minimum"], r["maximum"]) for r in rows]


def set_target(
    store: Store,
    committee_id: int,
    attribute: str,
    value: str,
    *,
    minimum: int,
    maximum: int | None,
    actor: User,
) -> list[Target]:
    """Add or change a diversity target (``minimum`` 0 and no maximum removes it)."""
    if attribute not in DIVERSITY_ATTRIBUTES:
        raise InvalidInput("error.application.bad_option", field="attribute")
    value = require_text(value, max_chars=DISTRICT_MAX, field="value")
    options = DIVERSITY_OPTIONS.get(attribute)
    if attribute == "district" and district_options():
        options = district_options()
    if options is not None and value not in options:
        raise InvalidInput("error.application.bad_option", field=attribute)
    if minimum < 0 or (maximum is not None and maximum < minimum):
        raise InvalidInput("error.target.bad_range")
    with store.transaction() as db:
        require(db, committee_id, Action.SET_TARGETS)
        if minimum == 0 and maximum is None:
            db.execute(
                "DELETE FROM recruitment_targets WHERE committee_id = ? AND attribute = ?"
                " AND value = ?",
                [committee_id, attribute, value],
            )
        else:
            db.execute(
                "INSERT INTO recruitment_targets (committee_id, attribute, value, minimum, maximum)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (committee_id, attribute, value)"
                " DO UPDATE SET minimum = excluded.minimum, maximum = excluded.maximum",
                [committee_id, attribute, value, minimum, maximum],
            )
        audit.record(
            db,
            actor,
            "set_target",
            "committees",
            committee_id,
            after={"attribute": attribute, "value": value, "min": minimum, "max": maximum},
        )
    return list_targets(store, committee_id)


@dataclass(frozen=True)
class CoverageRow:
    kind: str  # "competence" or a diversity attribute
    value: str
    target_min: int
    target_max: int | None
    appointed: int
    shortlisted: int
    applicants: int

    @property
    def met(self) -> bool:
        return self.appointed >= self.target_min and (
            self.target_max is None or self.appointed <= self.target_max
        )


def coverage(store: Store, committee_id: int, competences: list[str]) -> list[CoverageRow]:
    """Competences of the profile (each wanted at least once) and diversity targets, with how
    many appointed, shortlisted and all applicants cover each."""
    everyone = [a for a in list_applications(store, committee_id) if a.status != "declined"]

    def count(match: Any) -> tuple[int, int, int]:
        hits = [a for a in everyone if match(a)]
        return (
            sum(a.status is ApplicationStatus.APPOINTED for a in hits),
            sum(a.status is ApplicationStatus.SHORTLISTED for a in hits),
            len(hits),
        )

    rows = []
    for competence in competences:
        wanted = competence.casefold()
        counts = count(lambda a, w=wanted: any(c.casefold() == w for c in a.competences))
        rows.append(CoverageRow("competence", competence, 1, None, *counts))
    for target in list_targets(store, committee_id):
        counts = count(lambda a, t=target: a.attribute(t.attribute) == t.value)
        rows.append(
            CoverageRow(target.attribute, target.value, target.minimum, target.maximum, *counts)
        )
    return rows


# -- sortition ----------------------------------------------------------------------------------


def _erased_applications(store: Store, committee_id: int) -> set[int]:
    """The committee's applications whose applicant asked to be erased."""
    return {
        int(r["application_id"])
        for r in store.query(
            "SELECT application_id FROM erasures WHERE committee_id = ?"
            " AND application_id IS NOT NULL",
            [committee_id],
        )
    }


def draw_pool(store: Store, committee_id: int) -> list[Application]:
    """Who takes part in a draw: applicants still interested or shortlisted (not erased: an
    applicant who asked to be erased has withdrawn)."""
    erased = _erased_applications(store, committee_id)
    return [
        a
        for a in list_applications(store, committee_id)
        if a.status in (ApplicationStatus.INTERESTED, ApplicationStatus.SHORTLISTED)
        and a.id not in erased
    ]


def _draw_inputs(
    store: Store, pool_ids: list[int] | None, committee_id: int
) -> list[sortition.Applicant]:
    pool = (
        draw_pool(store, committee_id)
        if pool_ids is None
        else [a for a in list_applications(store, committee_id) if a.id in set(pool_ids)]
    )
    return [
        sortition.Applicant(
            id=a.id,
            attributes={k: v for k in DIVERSITY_ATTRIBUTES if (v := a.attribute(k)) is not None},
        )
        for a in pool
    ]


def run_draw(
    store: Store, committee_id: int, *, seats: int, seed: str, actor: User
) -> sortition.Draw:
    """Draw ``seats`` applicants by lot with the committee's targets as quotas.

    The fair lottery (``workshop.committees.sortition``) is computed and one panel drawn from
    it. The drawn applicants are shortlisted with a rationale naming the draw and its seed; the
    facilitator then appoints (or declines, with a reason). The draw is stored for replay,
    with every applicant's probability; if the seed was used before with other applicants or
    quotas, the record names those earlier draws and their fingerprints.
    """
    seed = require_text(seed, max_chars=SEED_MAX, field="seed")
    applicants = _draw_inputs(store, None, committee_id)
    quotas = [
        sortition.Quota(t.attribute, t.value, t.minimum, t.maximum)
        for t in list_targets(store, committee_id)
    ]
    with store.transaction() as db:
        require(db, committee_id, Action.DRAW)
        result = sortition.draw_panel(applicants, seats=seats, seed=seed, quotas=quotas)
        quotas_record = sortition.canonical_quotas(result.quotas)
        earlier = [
            {
                "draw": row[0],
                "applicants_digest": row[1],
                "quotas": json.loads(row[2]),
            }
            for row in db.execute(
                "SELECT id, applicants_digest, quotas FROM sortition_draws"
                " WHERE committee_id = ? AND seed = ? ORDER BY id",
                [committee_id, seed],
            ).fetchall()
            if row[1] != result.applicants_digest or json.loads(row[2]) != quotas_record
        ]
        now = utcnow()
        cursor = db.execute(
            "INSERT INTO sortition_draws (committee_id, seed, seed_digest, applicants_digest,"
            " seats, quotas, applicant_ids, selected, steps, drawn_by, drawn_at, method,"
            " distribution, uniform, earlier)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                committee_id,
                result.seed,
                result.seed_digest,
                result.applicants_digest,
                result.seats,
                json.dumps(quotas_record, ensure_ascii=False),
                json.dumps([a.id for a in applicants]),
                json.dumps(list(result.selected)),
                json.dumps([s.__dict__ for s in result.steps]),
                actor.id,
                now,
                result.distribution.method,
                json.dumps(
                    {**result.distribution.as_json(), "composition": result.composition},
                    ensure_ascii=False,
                ),
                result.uniform,
                json.dumps(earlier, ensure_ascii=False),
            ],
        )
        draw_id = cursor.fetchall()[0][0]
        assert draw_id is not None
        rationale = draw_rationale(draw_id, seed)
        for applicant_id in result.selected:
            current = db.execute(
                "SELECT status FROM applications WHERE id = ?", [applicant_id]
            ).fetchone()[0]
            if current != ApplicationStatus.SHORTLISTED.value:
                db.execute(
                    "UPDATE applications SET status = 'shortlisted', rationale = ?,"
                    " decided_by = ?, decided_at = ? WHERE id = ?",
                    [rationale, actor.id, now, applicant_id],
                )
            db.execute(
                "INSERT INTO application_reviews (application_id, status, rationale,"
                " reviewed_by, reviewed_at) VALUES (?, 'shortlisted', ?, ?, ?)",
                [applicant_id, rationale, actor.id, now],
            )
        audit.record(
            db,
            actor,
            "run_draw",
            "sortition_draws",
            draw_id,
            after={"seed": seed, "seats": seats, "selected": list(result.selected)},
        )
    return result


def list_draws(store: Store, committee_id: int) -> list[dict[str, Any]]:
    """The committee's draws, newest first, with the JSON fields decoded."""
    rows = store.query(
        "SELECT * FROM sortition_draws WHERE committee_id = ? ORDER BY id DESC", [committee_id]
    )
    return [_decoded(row) for row in rows]


def get_draw(store: Store, draw_id: int) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM sortition_draws WHERE id = ?", [draw_id])
    if row is None:
        raise NotFound("error.draw.not_found", id=draw_id)
    return _decoded(row)


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("quotas", "applicant_ids", "selected", "steps", "earlier"):
        row[key] = json.loads(row[key])
    row["distribution"] = json.loads(row["distribution"]) if row["distribution"] else None
    return row


def draw_record(store: Store, draw_id: int) -> dict[str, Any]:
    """The draw's record for anyone to replay (``samskab replay-draw --record FILE``).

    Application numbers, never names or answers: the groups (which quotas each group of
    application numbers matches), the quotas, seats, seed, the applicants' fingerprint, the
    lottery's compositions with their probabilities, and the panel drawn.
    """
    draw = get_draw(store, draw_id)
    if draw["distribution"] is None:  # a greedy draw replays only from the database
        raise NotAllowed("error.draw.no_public_record", id=draw_id)
    lottery = {k: v for k, v in draw["distribution"].items() if k != "composition"}
    return {
        "format": sortition.RECORD_FORMAT,
        "draw": draw["id"],
        "drawn_at": draw["drawn_at"],
        "method": draw["method"],
        "seed": draw["seed"],
        "seed_digest": draw["seed_digest"],
        "applicants_digest": draw["applicants_digest"],
        "seats": draw["seats"],
        "quotas": draw["quotas"],
        "applicants": sorted(draw["applicant_ids"]),
        "lottery": lottery,
        "uniform": draw["uniform"],
        "composition": draw["distribution"]["composition"],
        "selected": draw["selected"],
    }


@dataclass(frozen=True)
class Replay:
    """What replaying a published draw showed."""

    draw_id: int
    method: str
    recorded_fingerprint: str
    current_fingerprint: str  # of the draw's pool as the applications are now
    fingerprint_matches: bool
    distribution_matches: bool | None  # recomputed lottery = published one (None: not run)
    largest_difference: float | None  # largest difference of a probability
    panel_matches: bool  # drawing from the published lottery gives the published panel
    recomputed_selected: tuple[int | str, ...]

    @property
    def matches(self) -> bool:
        return self.panel_matches and (
            not self.fingerprint_matches or bool(self.distribution_matches)
        )


def replay_draw(store: Store, draw_id: int) -> Replay:
    """Reproduce a published draw from its record.

    The panel is drawn again from the published lottery with the published seed, fingerprint
    and quotas. If the applicants (pool ids and their answers as now stored) still have the
    published fingerprint, the lottery is also computed again from them and compared.
    A draw made with the earlier greedy method is replayed with that method.
    """
    record = get_draw(store, draw_id)
    applicants = _draw_inputs(store, record["applicant_ids"], record["committee_id"])
    current = sortition.applicants_digest(applicants)
    same_pool = current == record["applicants_digest"]
    quotas = [sortition.Quota(**q) for q in record["quotas"]]
    seats, seed = record["seats"], record["seed"]
    if record["distribution"] is None:  # a greedy draw from before the fair lottery
        selected = (
            sortition.legacy_greedy_draw(applicants, seats=seats, seed=seed, quotas=quotas).selected
            if same_pool
            else ()
        )
        return Replay(
            draw_id,
            record["method"],
            record["applicants_digest"],
            current,
            same_pool,
            None,
            None,
            list(selected) == record["selected"],
            tuple(selected),
        )
    published = sortition.Distribution.from_json(record["distribution"])
    sampled = sortition.sample_panel(
        published, seed=seed, fingerprint=record["applicants_digest"], quotas=quotas, seats=seats
    )
    distribution_matches: bool | None = None
    difference: float | None = None
    if same_pool:
        again = sortition.fair_distribution(
            sorted(applicants, key=lambda a: id_order(a.id)),
            sorted(quotas, key=lambda q: (q.attribute, q.value)),
            seats,
        )
        old = dict(published.probabilities)
        difference = max(abs(p - old.get(i, -1.0)) for i, p in again.probabilities)
        distribution_matches = again == published
    return Replay(
        draw_id=draw_id,
        method=record["method"],
        recorded_fingerprint=record["applicants_digest"],
        current_fingerprint=current,
        fingerprint_matches=same_pool,
        distribution_matches=distribution_matches,
        largest_difference=difference,
        panel_matches=list(sampled.selected) == record["selected"],
        recomputed_selected=sampled.selected,
    )
