"""Documents a council reads: the workbook in the reader's language, a PDF brief that never cuts
text, amendments on the politician's summary, and every value category beside its national
figure (issue 18, point 5)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from tests.outcome_world import build_outcome_world
from workshop import barometer
from workshop.agreements import core as agreements
from workshop.i18n import LANGUAGES, formats, translate
from workshop.meetings import core as meetings
from workshop.model import utcnow
from workshop.reports import brief, exports, workbook
from workshop.reports import summary as reports

LONG_IDEA = (
    "Et bibliotek der er åbent for alle hele året, også om aftenen og i weekenden, med plads"
    " til lektiehjælp, strikkeklub, skakspillere og stille læsning side om side, så ingen"
    " resultater eller erfaringer går tabt mellem generationerne"
)
LONG_TITLE = (
    "Et fælles hus for kultur, læring og fællesskab i Nordby med bibliotek, borgerservice og"
    " mødelokaler som foreningerne kan låne gratis om aftenen"
)
AMENDMENT = (
    "Fagudvalget ændrer anbefalingen: kun to dage om ugen i første omgang, og skolerne skal"
    " selv stille med en lærer hver gang"
)
MINUTES = "Udvalget drøftede åbningstider. Beslutning: forslaget sendes videre til fagudvalget."
PDFTOTEXT = shutil.which("pdftotext")


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in the order it is written (as copying or a screen reader gets it)."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return _words(out.stdout.decode("utf-8"))


def pdf_pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(rb"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


@pytest.fixture
def council_world(store, facilitator):
    """The outcome world, plus what a council reads: a mandate, a committee meeting with
    minutes, an agreement with a commitment, an amendment by the standing committee and texts
    too long for one line."""
    world = build_outcome_world(store, facilitator, title="Fremtidens bibliotek")
    now = utcnow()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO mandate_versions (committee_id, version, background, purpose,"
            " deliverables, created_at) VALUES (?, 1, 'Biblioteket skal fornyes',"
            " 'Anbefalinger til et levende bibliotek', 'Fem anbefalinger', ?)",
            [world.committee_id, now],
        )
        version_id = db.execute(
            "SELECT id FROM mandate_versions WHERE committee_id = ?", [world.committee_id]
        ).fetchone()[0]
        db.execute(
            "INSERT INTO mandate_approvals (mandate_version_id, body, approved_on, recorded_at)"
            " VALUES (?, 'Kommunalbestyrelsen', '2026-03-01', ?)",
            [version_id, now],
        )
        meeting = meetings.create_meeting(
            store, world.committee_id, "Udvalgsmøde 1", prompt="", actor=None
        )
        db.execute("UPDATE meetings SET kind = 'committee_meeting' WHERE id = ?", [meeting.id])
        db.execute(
            "INSERT INTO meeting_plans (meeting_id, committee_id, planned_at, location, agenda,"
            " minutes, minutes_at) VALUES (?, ?, '2026-04-01T17:00', 'Biblioteket',"
            " 'Åbningstider', ?, ?)",
            [meeting.id, world.committee_id, MINUTES, now],
        )
        db.execute(  # the most supported idea, told at length
            "UPDATE ideas SET text = ? WHERE text = 'Længere åbningstider i weekenden'",
            [LONG_IDEA],
        )
        rid = db.execute(
            "INSERT INTO recommendations (committee_id, title, body, created_at, updated_at)"
            " VALUES (?, ?, 'Et hus for alle', ?, ?)",
            [world.committee_id, LONG_TITLE, now, now],
        ).lastrowid
        for body, outcome, why in (
            ("standing_committee", "adopted_with_changes", AMENDMENT),
            ("council", "adopted", ""),
        ):
            db.execute(
                "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
                " recorded_at) VALUES (?, ?, ?, '2026-05-04', ?, ?)",
                [rid, body, outcome, why, now],
            )
    agreement = agreements.create_agreement(
        store, "committee", lang="da", committee_id=world.committee_id, actor=None
    )
    agreements.add_commitment(
        store,
        agreement.id,
        party="politicians",
        description="Svar på anbefalingerne",
        owner="Borgmesteren",
        due_on=dt.date(2026, 12, 24),
        evidence_required=False,
        actor=None,
    )
    return world


# -- the workbook -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_workbook_is_in_the_readers_language(store, council_world, lang) -> None:
    book = openpyxl.load_workbook(
        io.BytesIO(workbook.council_workbook(store, council_world.committee_id, lang))
    )
    kinds = ("mandate", "members", "meetings", "agreements", "recommendations", "outcomes")
    assert book.sheetnames == [translate(lang, f"workbook.sheet.{kind}") for kind in kinds]
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        assert all(isinstance(label, str) and label for label in header), sheet.title
        assert not any("_" in label for label in header), header  # labels, not column names
        assert sheet.freeze_panes == "A2", sheet.title  # the header stays in view
        assert all(cell.font.bold for cell in sheet[1])
        for letter in (openpyxl.utils.get_column_letter(i + 1) for i in range(len(header))):
            assert (sheet.column_dimensions[letter].width or 0) >= 8, (sheet.title, letter)
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, str):
                    assert value not in ("[]", "0", "1", "True", "False"), (sheet.title, row)
                    assert not re.fullmatch(r"\d{4}-\d\d-\d\d(T.*)?", value), (sheet.title, row)
                    assert "+00:00" not in value
                    assert "_" not in value or " " in value, (sheet.title, value)  # no codes
    t = lambda key: translate(lang, key)  # noqa: E731

    def rows(kind: str) -> list[dict]:
        sheet = book[t(f"workbook.sheet.{kind}")]
        header = [cell.value for cell in sheet[1]]
        return [
            dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]

    members = rows("members")
    assert {m[t("workbook.col.role")] for m in members} >= {
        t("member.role.chair"),
        t("member.role.citizen"),
    }
    assert all(isinstance(m[t("workbook.col.starts_on")], dt.datetime) for m in members)

    meeting = next(m for m in rows("meetings") if m[t("workbook.col.title")] == "Udvalgsmøde 1")
    assert meeting[t("workbook.col.minutes")] == MINUTES
    assert meeting[t("workbook.col.planned_at")] == dt.datetime(2026, 4, 1, 17, 0)
    assert meeting[t("workbook.col.kind")] == t("meeting.kind.committee_meeting")

    recommendation = next(
        r for r in rows("recommendations") if r[t("workbook.col.title")] == LONG_TITLE
    )
    assert recommendation[t("workbook.col.standing_committee")] == t(
        "decision.outcome.adopted_with_changes"
    )
    assert recommendation[t("workbook.col.standing_committee_reason")] == AMENDMENT
    assert recommendation[t("workbook.col.council")] == t("decision.outcome.adopted")
    assert recommendation[t("workbook.col.council_at")] == dt.datetime(2026, 5, 4)

    commitment = next(
        c for c in rows("agreements") if c[t("workbook.col.commitment")] == "Svar på anbefalingerne"
    )
    assert commitment[t("workbook.col.party")] == t("agreement.party.politicians")
    assert commitment[t("workbook.col.due_on")] == dt.datetime(2026, 12, 24)

    mandate = rows("mandate")
    assert any(r[t("workbook.col.text")] == "Biblioteket skal fornyes" for r in mandate)
    assert any(r[t("workbook.col.field")] == t("mandate.field.background") for r in mandate)

    outcome = next(o for o in rows("outcomes") if o[t("workbook.col.progress")] is not None)
    assert outcome[t("workbook.col.status")] == t("outcomes.status.in_progress")
    assert barometer.label(barometer.Value.QUALITY, lang) in outcome[t("workbook.col.realised")]

    # dates are dates: a cell Excel sorts and filters as a date, shown in the reader's style
    cell = book[t("workbook.sheet.members")]["D2"]
    assert cell.is_date and cell.number_format == ("dd/mm/yyyy" if lang == "en" else "dd.mm.yyyy")


def test_the_raw_export_stays_for_analysts(store, council_world) -> None:
    raw = openpyxl.load_workbook(
        io.BytesIO(exports.to_excel(exports.export_records(store, council_world.committee_id)))
    )
    assert "decisions" in raw.sheetnames and raw["decisions"]["C1"].value == "body"


def test_the_workbook_runs_nothing_anyone_typed(store, council_world) -> None:
    typed = '=HYPERLINK("http://evil","klik")'
    with store.transaction() as db:
        db.execute(
            "UPDATE meeting_plans SET minutes = ? WHERE committee_id = ?",
            [typed, council_world.committee_id],
        )
    book = openpyxl.load_workbook(
        io.BytesIO(workbook.council_workbook(store, council_world.committee_id, "da"))
    )
    values = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value
    ]
    assert values and all(c.data_type == "s" and c.value == "'" + typed for c in values)


# -- the PDF brief ----------------------------------------------------------------------------


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_never_cuts_a_text(store, council_world, lang) -> None:
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    pdf = brief.build_brief(summary, lang)
    text = pdf_text(pdf)
    for whole in (LONG_IDEA, LONG_TITLE, AMENDMENT):
        assert _words(whole) in text, whole[:40]
    assert "…" not in text
    for value in barometer.Value:  # every value row is on the page, no label broken
        assert _words(barometer.label(value, lang, short=True)) in text


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils not installed")
def test_a_missing_font_falls_back_without_cutting_text(store, council_world, monkeypatch) -> None:
    monkeypatch.setattr(brief, "FONT_DIRS", ())
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    text = pdf_text(brief.build_brief(summary, "da"))
    for whole in (LONG_IDEA, LONG_TITLE, AMENDMENT):
        assert _words(whole) in text, whole[:40]


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils not installed")
def test_the_brief_writes_dates_and_numbers_in_the_readers_style(store, council_world) -> None:
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    on = dt.date(2026, 12, 5)
    assert "05.12.2026" in pdf_text(brief.build_brief(summary, "da", generated_on=on))
    assert "05/12/2026" in pdf_text(brief.build_brief(summary, "en", generated_on=on))
    assert "2026-12-05" not in pdf_text(brief.build_brief(summary, "nb", generated_on=on))


# -- the politician's summary -------------------------------------------------------------------


def test_the_summary_shows_the_standing_committees_amendment(store, council_world) -> None:
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    row = summary.recommendations.set_index("title").loc[LONG_TITLE]
    assert row["standing_committee_rationale"] == AMENDMENT
    assert row["council"] == "adopted" and row["council_rationale"] == ""


def test_a_rejection_is_called_the_same_where_it_is_recorded_and_summarised() -> None:
    for lang in LANGUAGES:
        assert translate(lang, "outcomes.decision.rejected") == translate(
            lang, "decision.outcome.rejected"
        )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_value_category_shows_its_national_figure_or_says_there_is_none(
    store, council_world, lang
) -> None:
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    frame = barometer.national_by_value_frame(summary.outcomes_records, lang)
    assert list(frame["value"]) == [v.value for v in barometer.Value]
    for row in frame.to_dict("records"):
        assert row["national"], row  # never an empty cell
        if row["has_figure"]:
            assert row["edition"] and re.search(r"\d", row["national"]), row
            assert translate(lang, "national.edition", edition=row["edition"]) in row["national"]
        else:
            assert row["national"] == translate(lang, "national.no_figure")
    quality = frame.set_index("value").loc["quality"]
    assert quality["has_figure"] and (quality["our_count"], quality["our_n"]) == (2, 2)
    assert not frame.set_index("value").loc["avoided_costs"]["has_figure"]
    if PDFTOTEXT:
        text = pdf_text(brief.build_brief(summary, lang))
        assert _words(translate(lang, "national.no_figure")) in text
