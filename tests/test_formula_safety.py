"""No export turns what someone typed into a live spreadsheet formula (CSV/formula injection).

Every text field a citizen or a staff member can type gets each payload through the real
services; then every export a council officer may open in a spreadsheet is opened the way a
spreadsheet would: the CSV zip and the Excel workbook of the summary page, the moderation log
of the console, the audit log of the audit page and of ``samskab export-audit``. No cell may be
a formula (openpyxl ``data_type == "f"``) and no CSV cell may start, after leading spaces, with
a character that makes a spreadsheet run it — except a plain number such as ``-1``, which a
spreadsheet reads as that number. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.factories import join, start
from workshop import audit, cli, committees, outcomes, spreadsheets
from workshop.accounts import users as accounts
from workshop.agreements import core as agreements
from workshop.agreements.core import TEXT_FIELDS, Template
from workshop.committees import mandates, members, recommendations, recruitment
from workshop.committees.model import MANDATE_TEXT_FIELDS, Phase
from workshop.db import Store
from workshop.feedback import core as feedback
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.model import Role, User
from workshop.reports import exports
from workshop.text import clean_text, spreadsheet_cell
from workshop.voting import ballots as voting

ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "  =1",
]
# What a spreadsheet runs: these first, also after leading spaces (and tab or CR themselves).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def runs_as_formula(cell: str) -> bool:
    if cell.startswith(("\t", "\r")):
        return True
    stripped = cell.strip()
    return stripped.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(stripped)


# -- the one shared function -------------------------------------------------------------------


@pytest.mark.parametrize("payload", [*PAYLOADS, "＝1+1", "\n=1", "\u00a0=1", "-", "- a point"])
def test_text_that_a_spreadsheet_would_run_is_neutralised(payload: str) -> None:
    safe = spreadsheet_cell(payload)
    assert safe == "'" + payload  # the words stay, behind an apostrophe
    assert not runs_as_formula(safe)


@pytest.mark.parametrize(
    "value", ["Længere åbningstider", "", "2026-03-01", "a-b", "'=already quoted", "x=1"]
)
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert spreadsheet_cell(value) == value


@pytest.mark.parametrize("value", [-2, 0, 3, -0.5, 2.5, True, None])
def test_numbers_stay_numbers(value: object) -> None:
    assert spreadsheet_cell(value) is value


def test_the_excel_writer_keeps_numbers_and_writes_text_never_as_formula() -> None:
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            spreadsheets.xlsx_bytes(
                {"t": (["n", "x", "text"], [[-2, -0.5, "-2+3"], [7, None, "=1+1"]])}
            )
        )
    )
    sheet = workbook["t"]
    assert [c.value for c in sheet[1]] == ["n", "x", "text"]
    # Text as typed in a text cell, marked with Excel's quote prefix where it would run (the
    # council read "'=1+1" before: the apostrophe a CSV needs, in front of a citizen's words).
    cells = [[(c.value, c.data_type, c.quotePrefix) for c in sheet[n]] for n in (2, 3)]
    assert cells == [
        [(-2, "n", False), (-0.5, "n", False), ("-2+3", "s", True)],
        [(7, "n", False), (None, "n", False), ("=1+1", "s", True)],
    ]


def test_the_tables_on_screen_offer_no_unescaped_csv_download() -> None:
    """st.dataframe's own CSV download (in the browser) writes cells as they are."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


# Ways to write a spreadsheet file without going through workshop/spreadsheets.py.
_BYPASSES = re.compile(
    r"csv\.(writer|DictWriter)\(|ExcelWriter|\bopenpyxl\b|\.to_excel\(|\.to_csv\([^)]*index"
)


def test_every_spreadsheet_file_is_written_by_the_shared_writers() -> None:
    """A later export cannot forget the neutralising: only workshop/spreadsheets.py writes
    CSV or Excel (``audit.to_csv`` and the others call it)."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "workshop").rglob("*.py"))
        if path.name != "spreadsheets.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _BYPASSES.search(line)
    ]
    assert not found, found


# -- every field, every export -------------------------------------------------------------------

MANDATE_NUMBERS = {"politicians_target": 5, "citizens_target": 10}


class Outbox:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


@dataclass
class World:
    committee_id: int
    meeting_id: int
    typed: str  # the payload as the services store it


def type_everywhere(store: Store, payload: str) -> World:
    """The payload through every text field a citizen or a staff member can type."""
    typed = clean_text(payload)
    admin = accounts.create_user(store, "admin", "correct horse battery", Role.ADMIN, payload)
    staff: User = accounts.create_user(
        store, "fie", "correct horse battery", Role.FACILITATOR, payload, actor=admin
    )
    committee = committees.create_committee(store, payload, payload, actor=staff)
    made = mandates.save_mandate(
        store,
        committee.id,
        {**{name: payload for name in MANDATE_TEXT_FIELDS}, **MANDATE_NUMBERS},
        based_on=None,
        actor=staff,
        change_note=payload,
    )
    mandates.approve_mandate(
        store, committee.id, made.version, body=payload, approved_on="2026-03-01", actor=staff
    )
    committees.advance_phase(store, committee.id, expected=Phase.MANDATE, actor=staff)
    application = recruitment.submit_application(
        store,
        committee.id,
        name=payload,
        contact=payload,
        motivation=payload,
        consent=True,
    )
    recruitment.review_application(
        store, application.id, "shortlisted", rationale=payload, actor=staff
    )
    members.add_member(
        store, committee.id, name=payload, role="chair", starts_on="2026-03-01", actor=staff
    )
    plan = members.plan_meeting(
        store,
        committee.id,
        payload,
        planned_at="2026-04-01T17:00",
        location=payload,
        agenda=payload,
        actor=staff,
    )
    members.record_minutes(store, plan.meeting_id, agenda=payload, minutes=payload, actor=staff)
    committees.advance_phase(store, committee.id, expected=Phase.RECRUITMENT, actor=staff)

    meeting = meetings.create_meeting(store, committee.id, payload, prompt=payload, actor=staff)
    agreement = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=staff
    )
    agreements.save_version(
        store,
        agreement.id,
        {name: payload for name in TEXT_FIELDS},
        material=True,
        change_note=payload,
        actor=staff,
    )
    agreements.add_commitment(
        store,
        agreement.id,
        party="administration",
        description=payload,
        owner=payload,
        due_on=formats.today() + timedelta(days=30),
        evidence_required=False,
        actor=staff,
    )
    start(store, meeting)
    phone = join(store, meeting, payload)
    idea = ideas.submit_idea(store, phone, payload)
    edited = ideas.submit_idea(store, join(store, meeting, "Bo"), f"{payload} udkast")
    hidden = ideas.submit_idea(store, join(store, meeting, "Eva"), f"{payload} skjult")
    ideas.submit_on_behalf(
        store, meeting.id, f"{payload} på papir", author_name=payload, actor=staff
    )
    moderation.edit_idea(store, edited.id, f"{payload} rettet", reason=payload, actor=staff)
    moderation.hide_idea(store, hidden.id, payload, actor=staff)
    theme = themes.create_theme(store, meeting.id, payload, actor=staff)
    themes.assign_theme(store, idea.id, theme.id, actor=staff)
    meetings.next_step(store, meeting.id, actor=staff)
    while (vote_round := voting.current_round(store, meeting.id)) is None:
        meetings.next_step(store, meeting.id, actor=staff)
    voting.place_dot(store, phone, vote_round.id, idea.id)
    feedback.send_feedback(store, idea_ids=[idea.id], body=payload, actor=staff, sender=Outbox())

    recommendation = recommendations.draft_recommendation(
        store,
        committee.id,
        title=payload,
        body=payload,
        theme=payload,
        idea_ids=[idea.id],
        actor=staff,
    )
    committees.advance_phase(store, committee.id, expected=Phase.COMMITTEE_WORK, actor=staff)
    committees.advance_phase(store, committee.id, expected=Phase.RECOMMENDATIONS, actor=staff)
    recommendations.record_decision(
        store,
        recommendation.id,
        body="standing_committee",
        outcome="adopted",
        decided_on="2026-09-01",
        rationale=payload,
        actor=staff,
    )
    recommendations.record_decision(
        store,
        recommendation.id,
        body="council",
        outcome="adopted_with_changes",
        decided_on="2026-10-01",
        rationale=payload,
        actor=staff,
    )
    committees.advance_phase(store, committee.id, expected=Phase.POLITICAL_DECISION, actor=staff)
    (outcome,) = outcomes.list_outcomes(store, committee.id)
    outcomes.record_expected_values(store, outcome.id, ["quality"], actor=staff)
    outcomes.record_realised_value(
        store, outcome.id, "quality", evidence_kind="text", evidence=payload, actor=staff
    )
    outcomes.update_follow_up(
        store, outcome.id, owner=payload, status="in_progress", progress=50, actor=staff
    )
    review = outcomes.schedule_review(
        store, outcome.id, formats.today() + timedelta(days=3), actor=staff
    )
    outcomes.complete_review(store, review, payload, actor=staff)
    return World(committee.id, meeting.id, typed)


def csv_cells(text: str) -> list[str]:
    """Every cell, as a spreadsheet splits them: a CSV for a reader starts with a byte-order
    mark and may split on ";" (``spreadsheets.reader_csv``); its header says which."""
    text = text.removeprefix("\ufeff")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def assert_csv_safe(name: str, text: str) -> list[str]:
    cells = csv_cells(text)
    live = [cell for cell in cells if runs_as_formula(cell)]
    assert not live, f"{name}: cells a spreadsheet would run: {live[:5]}"
    return cells


def assert_xlsx_safe(data: bytes) -> list[object]:
    """No formula cell; text that would run is a text cell with Excel's quote prefix (text
    even when someone edits the cell). Returns the cells' values."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values: list[object] = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and runs_as_formula(cell.value):
                    where = f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                    assert cell.data_type == "s" and cell.quotePrefix, where
                values.append(cell.value)
    return values


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_export_runs_what_anyone_typed(
    store: Store, payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    world = type_everywhere(store, payload)
    quoted = "'" + world.typed

    for committee_id in (world.committee_id, None):
        export = exports.export_records(store, committee_id)
        with zipfile.ZipFile(io.BytesIO(exports.to_csv_zip(export))) as archive:
            every_cell: list[str] = []
            for name in archive.namelist():
                every_cell += assert_csv_safe(name, archive.read(name).decode("utf-8-sig"))
        # the payload reached the export, as words behind an apostrophe
        assert every_cell.count(quoted) >= 8, every_cell
        values = assert_xlsx_safe(exports.to_excel(export))
        assert values.count(world.typed) >= 8  # as typed, in text cells (quote prefix)
        assert any(isinstance(v, int) and not isinstance(v, bool) for v in values)

    log = assert_csv_safe("moderation log", moderation.log_csv(store, world.meeting_id))
    assert quoted in log  # the reason for hiding
    assert f"{quoted} rettet" in log  # the edit, in words

    entries = audit.query_entries(store)
    assert_csv_safe("audit log", audit.to_csv(entries))
    # the audit page's CSV for the reader: names instead of ids (an idea's text among them)
    from workshop.ui.code_labels import audit_csv

    assert_csv_safe("audit log for the reader", audit_csv(store, entries))
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(store.path))
    assert cli.main(["--db", str(store.path), "export-audit", "--format", "csv"]) == 0
    assert_csv_safe("samskab export-audit", capsys.readouterr().out)
    out = tmp_path / "audit.csv"
    assert cli.main(["--db", str(store.path), "export-audit", "--output", str(out)]) == 0
    assert_csv_safe("samskab export-audit --output", out.read_text(encoding="utf-8"))


def test_negative_numbers_stay_numbers_and_text_stays_text_in_the_summary_exports() -> None:
    """An agree/disagree answer is -1; an idea may read "-2+3". Only the idea is neutralised."""
    frame = pd.DataFrame(
        {"idea_id": [1, 2], "value": [-1, 1], "share": [-0.5, float("nan")], "text": ["-2+3", "ok"]}
    )
    export = exports.Export(None, False, "2026-12-05T10:00:00", {"votes": frame})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_excel(export)))["votes"]
    assert [
        [(c.value, c.data_type, c.quotePrefix) for c in row] for row in sheet.iter_rows(min_row=2)
    ] == [
        [(1, "n", False), (-1, "n", False), (-0.5, "n", False), ("-2+3", "s", True)],
        [(2, "n", False), (1, "n", False), (None, "n", False), ("ok", "s", False)],
    ]
    with zipfile.ZipFile(io.BytesIO(exports.to_csv_zip(export))) as archive:
        (name,) = archive.namelist()
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows == [
        ["idea_id", "value", "share", "text"],
        ["1", "-1", "-0.5", "'-2+3"],
        ["2", "1", "", "ok"],
    ]
