"""Exports of all records behind a summary: CSV (a ZIP of one file per table), Excel (one
sheet per table) and JSON.

What leaves the system is the committee's work, not people: no participant tokens, no
names of participants, no contact details or diversity answers of applicants. Votes are
exported per ballot with the participant's internal number only, so totals can be checked.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workshop import spreadsheets, workers
from workshop.db import Store
from workshop.errors import InvalidInput
from workshop.model import utcnow

# table → (SQL for one committee (param: committee id) or all (1 = 1), filter column)
_TABLES: dict[str, str] = {
    "committees": "SELECT id, title, task, is_demo, created_at FROM committees c WHERE {c}",
    "meetings": "SELECT id, committee_id, title, kind, status, is_demo, created_at"
    " FROM meetings m WHERE {m}",
    "ideas": "SELECT i.id, i.meeting_id, m.committee_id, i.text, i.status, i.created_at"
    " FROM ideas i JOIN meetings m ON m.id = i.meeting_id WHERE {m} AND i.hidden = 0"
    " ORDER BY i.id",
    "votes": "SELECT b.round_id, r.method, b.participant_id, e.idea_id, e.value, b.updated_at"
    " FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id"
    " JOIN rounds r ON r.id = b.round_id JOIN steps s ON s.id = r.step_id"
    " JOIN meetings m ON m.id = s.meeting_id WHERE {m} ORDER BY b.round_id, b.id",
    "recommendations": "SELECT r.id, r.committee_id, r.title, r.body, r.theme, r.created_at"
    " FROM recommendations r WHERE {r}",
    "recommendation_ideas": "SELECT ri.recommendation_id, ri.idea_id FROM recommendation_ideas ri"
    " JOIN recommendations r ON r.id = ri.recommendation_id WHERE {r}",
    "decisions": "SELECT d.id, d.recommendation_id, d.body, d.outcome, d.decided_at, d.rationale"
    " FROM current_decisions d JOIN recommendations r ON r.id = d.recommendation_id WHERE {r}"
    " ORDER BY d.id",
    "outcomes": "SELECT o.id, o.committee_id, o.recommendation_id, o.idea_id, o.title, o.owner,"
    " o.status, o.progress, o.innovation_types, o.novelty, o.initiators, o.partners,"
    " o.evaluated, o.shared, o.created_at, o.updated_at FROM outcomes o WHERE {o}",
    "outcome_values": "SELECT v.outcome_id, v.stage, v.value, v.evidence_kind, v.evidence,"
    " v.recorded_at FROM outcome_values v JOIN outcomes o ON o.id = v.outcome_id WHERE {o}",
    "outcome_factors": "SELECT f.outcome_id, f.factor, f.scale FROM outcome_factors f"
    " JOIN outcomes o ON o.id = f.outcome_id WHERE {o}",
    "outcome_reviews": "SELECT rv.id, rv.outcome_id, rv.due_on, rv.done_at, rv.note"
    " FROM outcome_reviews rv JOIN outcomes o ON o.id = rv.outcome_id WHERE {o}",
}
# Tables whose rows are the committee's work: without any, there is nothing to export.
_WORK = ("meetings", "ideas", "recommendations", "outcomes")


@dataclass(frozen=True)
class Export:
    committee_id: int | None
    is_demo: bool
    exported_at: str
    tables: dict[str, pd.DataFrame]

    @property
    def file_stem(self) -> str:
        scope = f"committee-{self.committee_id}" if self.committee_id else "all-committees"
        demo = "-DEMO" if self.is_demo else ""
        return f"samskab-{scope}{demo}-{self.exported_at[:10]}"  # data, not text


def has_records(store: Store, committee_id: int | None) -> bool:
    """Whether the committee (or any) has anything to export."""
    where = "committee_id = ?" if committee_id else "1 = 1"
    params = [committee_id] if committee_id else []
    return bool(
        store.scalar(
            f"SELECT EXISTS (SELECT 1 FROM meetings WHERE {where})"
            f" OR EXISTS (SELECT 1 FROM recommendations WHERE {where})"
            f" OR EXISTS (SELECT 1 FROM outcomes WHERE {where})",
            params * 3,
        )
    )


# Rows per DataFrame built at a time: building one frame from 200,000 rows holds the GIL for
# ~300 ms, and every phone's poll in the process waits that long; 5,000 rows hold it ~10 ms.
FRAME_CHUNK_ROWS = 5_000


def _frame(cursor: sqlite3.Cursor) -> pd.DataFrame:
    """The cursor's rows as one DataFrame, built a chunk at a time so that other threads get the
    GIL in between; an empty result keeps its columns."""
    columns = [c[0] for c in cursor.description]
    chunks = []
    while rows := cursor.fetchmany(FRAME_CHUNK_ROWS):
        chunks.append(pd.DataFrame(rows, columns=columns))
    if not chunks:
        return pd.DataFrame([], columns=columns)
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


def export_records(store: Store, committee_id: int | None) -> Export:
    """Every record of one committee (or of all), one DataFrame per table.

    All tables are read from one snapshot, so they agree with each other (every idea's meeting
    is in ``meetings``, every vote's idea in ``ideas``) even while phones go on writing.

    Raises InvalidInput ``error.exports.empty`` when there is nothing but the committee.
    """
    tables: dict[str, pd.DataFrame] = {}
    with store.snapshot() as db:
        for name, template in _TABLES.items():
            if committee_id is None:
                sql = template.format(c="1 = 1", m="1 = 1", r="1 = 1", o="1 = 1")
                params: list[int] = []
            else:
                sql = template.format(
                    c="c.id = ?",
                    m="m.committee_id = ?",
                    r="r.committee_id = ?",
                    o="o.committee_id = ?",
                )
                params = [committee_id]
            tables[name] = _frame(db.execute(sql, params))
    if all(tables[name].empty for name in _WORK):
        raise InvalidInput("error.exports.empty")
    is_demo = bool(len(tables["committees"]) and tables["committees"]["is_demo"].astype(int).any())
    return Export(committee_id, is_demo, utcnow(), tables)


def _sheet(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """A table's header and rows, with None for every missing value."""
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    return [str(column) for column in frame.columns], rows


def to_csv_zip(export: Export) -> bytes:
    """A ZIP with one UTF-8 CSV per table (with a byte-order mark, so Excel reads æøå).

    Cells a spreadsheet would run as formulas are neutralised (``workshop.spreadsheets``).
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in export.tables.items():
            text = spreadsheets.csv_text(*_sheet(frame))
            archive.writestr(f"{export.file_stem}/{name}.csv", text.encode("utf-8-sig"))
    return buffer.getvalue()


def to_excel(export: Export) -> bytes:
    """One workbook, one sheet per table; text is always text, never a formula."""
    return spreadsheets.xlsx_bytes({name: _sheet(frame) for name, frame in export.tables.items()})


def to_json(export: Export) -> bytes:
    document = {
        "exported_at": export.exported_at,
        "committee_id": export.committee_id,
        "is_demo": export.is_demo,
        "records": {
            name: json.loads(frame.to_json(orient="records", force_ascii=False))
            for name, frame in export.tables.items()
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


EXPORT_KINDS = ("csv", "xlsx", "json")


def export_file(store: Store, committee_id: int | None, kind: str) -> bytes:
    """One export as file bytes (``kind``: csv, xlsx or json), built in a worker process
    (``workshop.workers``) so that building it holds no GIL a phone's poll waits for."""
    if kind not in EXPORT_KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    return workers.run(build_export_file, store, committee_id, kind, lane="exports")


def build_export_file(store: Store, committee_id: int | None, kind: str) -> bytes:
    """Build one export's bytes here (use :func:`export_file`)."""
    records = export_records(store, committee_id)
    return {"csv": to_csv_zip, "xlsx": to_excel, "json": to_json}[kind](records)
