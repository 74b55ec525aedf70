"""The workbook a council reads: one sheet per kind of record, in the reader's language.

Mandate, members, meetings (with agenda and minutes), agreements (their commitments),
recommendations (both decision levels with their reasons) and outcomes. Labels instead of
codes, dates as date cells in the reader's style and the installation's time zone, widths that
fit, a frozen header. The raw data export (``workshop.reports.exports``) stays for analysts.
What leaves is the committee's work: members' names and roles, never contact details,
participants or applicants.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from workshop import spreadsheets, workers
from workshop.barometer import label as value_label
from workshop.db import Store, sql_json_array
from workshop.i18n import MissingTranslation, formats, translate
from workshop.spreadsheets import DATE, DATETIME, LONG_TEXT, NUMBER, PERCENT, TEXT, Column, Sheet

SHEETS = ("mandate", "members", "meetings", "agreements", "recommendations", "outcomes")
MANDATE_FIELDS = (
    *("background", "purpose", "deliverables", "in_scope", "out_of_scope", "constraints"),
    *("budget", "politicians_target", "citizens_target", "competence_profile"),
    *("decision_path", "timeline", "recipient"),
)


def _where(committee_id: int | None, column: str) -> tuple[str, list[Any]]:
    return (f"{column} = ?", [committee_id]) if committee_id else ("1 = 1", [])


def _day(value: Any) -> dt.date | None:
    """A stored date or moment as the local calendar day (a date cell)."""
    return formats.local_date(value) if value else None


def _moment(value: Any) -> dt.datetime | None:
    """A stored moment as local wall-clock time (a date-and-time cell)."""
    return formats.local(value) if value else None


class _Labels:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **params: Any) -> str:
        return translate(self.lang, key, **params)

    def code(self, prefix: str, code: Any) -> str | None:
        """A code's label; an unknown code as it is, nothing as nothing."""
        if code is None or code == "":
            return None
        try:
            return translate(self.lang, f"{prefix}.{code}")
        except MissingTranslation:
            return str(code)

    def values(self, keys: Any) -> str:
        listed = json.loads(keys) if isinstance(keys, str) else list(keys or [])
        return ", ".join(value_label(key, self.lang, short=True) for key in listed)

    def columns(self, *spec: tuple[str, str]) -> list[Column]:
        return [Column(self(f"workbook.col.{name}"), kind) for name, kind in spec]


def _mandate(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    where, params = _where(committee_id, "v.committee_id")
    rows = store.query(
        f"""
        SELECT c.title AS committee, v.*, a.body AS approved_by, a.approved_on
        FROM mandate_versions v JOIN committees c ON c.id = v.committee_id
        LEFT JOIN mandate_approvals a ON a.mandate_version_id = v.id
        WHERE {where} AND v.version = (SELECT MAX(x.version) FROM mandate_versions x
                                       WHERE x.committee_id = v.committee_id)
        ORDER BY v.committee_id
        """,
        params,
    )
    lines = [
        [
            row["committee"],
            row["version"],
            row["approved_by"],
            _day(row["approved_on"]),
            t(f"mandate.field.{field}"),
            row[field],
        ]
        for row in rows
        for field in MANDATE_FIELDS
        if row[field] not in ("", None)
    ]
    return Sheet(
        t("workbook.sheet.mandate"),
        t.columns(
            ("committee", TEXT),
            ("version", NUMBER),
            ("approved_by", TEXT),
            ("approved_on", DATE),
            ("field", TEXT),
            ("text", LONG_TEXT),
        ),
        lines,
    )


def _members(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    where, params = _where(committee_id, "m.committee_id")
    rows = store.query(
        f"SELECT c.title AS committee, m.name, m.role, m.starts_on, m.ends_on"
        f" FROM committee_members m JOIN committees c ON c.id = m.committee_id"
        f" WHERE {where} ORDER BY m.committee_id, m.id",
        params,
    )
    return Sheet(
        t("workbook.sheet.members"),
        t.columns(
            ("committee", TEXT),
            ("name", TEXT),
            ("role", TEXT),
            ("starts_on", DATE),
            ("ends_on", DATE),
        ),
        [
            [
                r["committee"],
                r["name"],
                t.code("member.role", r["role"]),
                _day(r["starts_on"]),
                _day(r["ends_on"]),
            ]
            for r in rows
        ],
    )


def _agenda(written: str | None, steps: list[str]) -> str | None:
    """A meeting's agenda: what the committee wrote on its plan (a committee meeting), then
    its steps in order by name with the question each asks (what a live dialogue runs)."""
    parts = [part for part in ((written or "").strip(), "\n".join(steps)) if part]
    return "\n".join(parts) or None


def _meetings(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    """One row a meeting. Time: the planned time (a committee meeting's plan), else when its
    first step started (a live dialogue that ran), else nothing: never when the record was made.
    Minutes exist only for a committee meeting (its plan); a live dialogue keeps none."""
    from workshop.reports.summary import _dots_in

    where, params = _where(committee_id, "outer_m.committee_id")
    rows = store.query(
        f"""
        SELECT c.title AS committee, outer_m.title, outer_m.kind, outer_m.status,
          outer_m.id, p.planned_at, p.location, p.agenda, p.minutes,
          (SELECT MIN(s.started_at) FROM steps s WHERE s.meeting_id = outer_m.id) AS ran_at,
          (SELECT COUNT(*) FROM participants x WHERE x.meeting_id = outer_m.id) AS people,
          (SELECT COUNT(*) FROM ideas i WHERE i.meeting_id = outer_m.id AND i.hidden = 0)
            AS ideas,
          {_dots_in("m.id = outer_m.id")} AS votes
        FROM meetings outer_m JOIN committees c ON c.id = outer_m.committee_id
        LEFT JOIN meeting_plans p ON p.meeting_id = outer_m.id
        WHERE {where}
        ORDER BY COALESCE(p.planned_at,
                          (SELECT MIN(s.started_at) FROM steps s WHERE s.meeting_id = outer_m.id),
                          outer_m.created_at),
                 outer_m.id
        """,
        params,
    )
    steps: dict[int, list[str]] = {}
    step_where, step_params = _where(committee_id, "m.committee_id")
    for step in store.query(
        f"SELECT s.meeting_id, s.kind, s.prompt FROM steps s JOIN meetings m ON m.id = s.meeting_id"
        f" WHERE {step_where} ORDER BY s.meeting_id, s.position",
        step_params,
    ):
        listed = steps.setdefault(step["meeting_id"], [])
        name = f"{len(listed) + 1}. {t.code('step', step['kind'])}"
        prompt = " ".join(str(step["prompt"] or "").split())
        listed.append(f"{name}: {prompt}" if prompt else name)
    return Sheet(
        t("workbook.sheet.meetings"),
        t.columns(
            ("committee", TEXT),
            ("title", TEXT),
            ("kind", TEXT),
            ("status", TEXT),
            ("planned_at", DATETIME),
            ("location", TEXT),
            ("agenda", LONG_TEXT),
            ("minutes", LONG_TEXT),
            ("people", NUMBER),
            ("ideas", NUMBER),
            ("votes", NUMBER),
        ),
        [
            [
                r["committee"],
                r["title"],
                t.code("meeting.kind", r["kind"]),
                t.code("meeting.status", r["status"]),
                _moment(r["planned_at"] or r["ran_at"]),
                r["location"] or None,
                _agenda(r["agenda"], steps.get(r["id"], [])),
                r["minutes"] or None,
                r["people"],
                r["ideas"],
                r["votes"],
            ]
            for r in rows
        ],
    )


def _agreements(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    if committee_id:
        where = "(a.committee_id = ? OR m.committee_id = ?)"
        params: list[Any] = [committee_id, committee_id]
    else:
        where, params = "1 = 1", []
    rows = store.query(
        f"""
        SELECT COALESCE(c.title, mc.title) AS committee, m.title AS meeting,
          (SELECT v.title FROM agreement_versions v WHERE v.agreement_id = a.id
           ORDER BY v.version DESC LIMIT 1) AS agreement,
          a.published_at, k.party, k.description, k.owner, k.due_on, k.done_at, k.evidence
        FROM commitments k JOIN agreements a ON a.id = k.agreement_id
        LEFT JOIN committees c ON c.id = a.committee_id
        LEFT JOIN meetings m ON m.id = a.meeting_id
        LEFT JOIN committees mc ON mc.id = m.committee_id
        WHERE {where} ORDER BY a.id, k.due_on, k.id
        """,
        params,
    )
    return Sheet(
        t("workbook.sheet.agreements"),
        t.columns(
            ("committee", TEXT),
            ("meeting", TEXT),
            ("agreement", TEXT),
            ("published_on", DATE),
            ("party", TEXT),
            ("commitment", LONG_TEXT),
            ("owner", TEXT),
            ("due_on", DATE),
            ("done_on", DATE),
            ("evidence", LONG_TEXT),
        ),
        [
            [
                r["committee"],
                r["meeting"],
                r["agreement"],
                _day(r["published_at"]),
                t.code("agreement.party", r["party"]),
                r["description"],
                r["owner"],
                _day(r["due_on"]),
                _day(r["done_at"]),
                r["evidence"] or None,
            ]
            for r in rows
        ],
    )


def _recommendations(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    from workshop.reports.summary import recommendations_frame

    frame = recommendations_frame(store, committee_id)
    bodies = {
        r["id"]: (r["body"], r["theme"])
        for r in store.query(
            f"SELECT id, body, theme FROM recommendations r"
            f" WHERE {_where(committee_id, 'r.committee_id')[0]}",
            _where(committee_id, "r.committee_id")[1],
        )
    }
    lines = []
    for r in frame.to_dict("records"):
        body, theme = bodies.get(r["recommendation_id"], ("", ""))
        line: list[Any] = [r["committee"], r["title"], body or None, theme or None, r["ideas"]]
        for level in ("standing_committee", "council"):
            line += [
                t.code("decision.outcome", r[level] if isinstance(r[level], str) else None),
                _day(r[f"{level}_at"] if isinstance(r[f"{level}_at"], str) else None),
                r[f"{level}_rationale"] or None,
            ]
        lines.append(line)
    return Sheet(
        t("workbook.sheet.recommendations"),
        t.columns(
            ("committee", TEXT),
            ("title", TEXT),
            ("description", LONG_TEXT),
            ("theme", TEXT),
            ("ideas", NUMBER),
            ("standing_committee", TEXT),
            ("standing_committee_at", DATE),
            ("standing_committee_reason", LONG_TEXT),
            ("council", TEXT),
            ("council_at", DATE),
            ("council_reason", LONG_TEXT),
        ),
        lines,
    )


def _outcomes(store: Store, committee_id: int | None, t: _Labels) -> Sheet:
    where, params = _where(committee_id, "o.committee_id")
    # the primary key (outcome_id, stage, value) gives SQLite the values in this order
    values = sql_json_array(store.engine, "v.value", order_by="v.value")
    rows = store.query(
        f"""
        SELECT c.title AS committee, o.title, o.recommendation_id, o.owner, o.status, o.progress,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'expected') AS expected,
          (SELECT {values} FROM outcome_values v
            WHERE v.outcome_id = o.id AND v.stage = 'realised') AS realised,
          (SELECT MIN(rv.due_on) FROM outcome_reviews rv
            WHERE rv.outcome_id = o.id AND rv.done_at IS NULL) AS next_review
        FROM outcomes o JOIN committees c ON c.id = o.committee_id
        WHERE {where} ORDER BY o.id
        """,
        params,
    )
    return Sheet(
        t("workbook.sheet.outcomes"),
        t.columns(
            ("committee", TEXT),
            ("title", TEXT),
            ("source", TEXT),
            ("owner", TEXT),
            ("status", TEXT),
            ("progress", PERCENT),
            ("expected", TEXT),
            ("realised", TEXT),
            ("next_review", DATE),
        ),
        [
            [
                r["committee"],
                r["title"],
                t(
                    "outcomes.source.idea"
                    if r["recommendation_id"] is None
                    else "outcomes.source.recommendation"
                ),
                r["owner"] or None,
                t.code("outcomes.status", r["status"]),
                (r["progress"] / 100) if r["progress"] is not None else None,
                t.values(r["expected"]) or None,
                t.values(r["realised"]) or None,
                _day(r["next_review"]),
            ]
            for r in rows
        ],
    )


_BUILDERS: dict[str, Callable[[Store, int | None, _Labels], Sheet]] = {
    "mandate": _mandate,
    "members": _members,
    "meetings": _meetings,
    "agreements": _agreements,
    "recommendations": _recommendations,
    "outcomes": _outcomes,
}


def council_sheets(store: Store, committee_id: int | None, lang: str) -> list[Sheet]:
    """The workbook's sheets for one committee (or all), read from one snapshot."""
    labels = _Labels(lang)
    with store.snapshot():
        return [_BUILDERS[kind](store, committee_id, labels) for kind in SHEETS]


def excel_date_format(lang: str) -> str:
    """The reader's date style as an Excel number format: dd.mm.yyyy, dd/mm/yyyy."""
    return formats.date_picker_format(lang).lower()


def council_workbook(store: Store, committee_id: int | None, lang: str) -> bytes:
    """The workbook a council reads, in ``lang``, as .xlsx bytes."""
    day = excel_date_format(lang)
    return spreadsheets.readable_xlsx_bytes(
        council_sheets(store, committee_id, lang),
        date_format=day,
        datetime_format=f"{day} hh:mm",
        percent_format="0%" if formats.locale_name(lang) == formats.LOCALES["en"] else "0 %",
    )


def file_name(lang: str, kind: str, committee_id: int | None, *, is_demo: bool = False) -> str:
    """The download's file name in the reader's language: ``samskab-alle-udvalg-arbejdsbog.xlsx``,
    ``samskab-udvalg-3-politisk-notat.pdf`` (``kind``: ``workbook`` or ``brief``)."""
    scope = (
        translate(lang, "documents.file.committee", id=committee_id)
        if committee_id
        else translate(lang, "documents.file.all_committees")
    )
    demo = "-DEMO" if is_demo else ""
    suffix = "xlsx" if kind == "workbook" else "pdf"
    return f"samskab-{scope}{demo}-{translate(lang, f'documents.file.{kind}')}.{suffix}"


def workbook_file(store: Store, committee_id: int | None, lang: str) -> bytes:
    """The council's workbook, built in a worker process (``workshop.workers``): writing
    spreadsheet cells is Python work that would hold the app's GIL."""
    return workers.run(council_workbook, store, committee_id, lang)
