"""Documents a council reads: the workbook in the reader's language, a PDF brief that never cuts
text, amendments on the politician's summary, and every value category beside its national
figure (issue 18, point 5)."""

from __future__ import annotations

import dataclasses
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
            " VALUES (?, ?, 'Et hus for alle', ?, ?) RETURNING id",
            [world.committee_id, LONG_TITLE, now, now],
        ).fetchall()[0][0]
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
    # One name per value category: the short one, as on the page and in the brief.
    realised = outcome[t("workbook.col.realised")]
    assert barometer.label(barometer.Value.QUALITY, lang, short=True) in realised

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
    # As typed (no apostrophe in front of the words), a text cell with Excel's quote prefix.
    assert values and all(c.data_type == "s" and c.quotePrefix and c.value == typed for c in values)


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


# -- the brief's colours and unbreakable figures (issue 18, trial finding 7) ---------------------


def _luminance(colour: tuple[int, int, int]) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour."""
    channels = []
    for value in colour:
        c = value / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_does() -> None:
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast((0xE4, 0x57, 0x56), (255, 255, 255)), 1) == 3.6  # the trial's figure


def test_every_text_colour_in_the_brief_reaches_4_5_to_1(store, council_world, monkeypatch) -> None:
    """Every colour the brief writes text in, on every background it writes text on (white
    paper, the headline boxes' fill; white only on the red DEMO label), reaches 4.5:1."""
    used: set[tuple[int, int, int]] = set()
    original = brief._Brief.set_text_color

    def recording(self, r, g=-1, b=-1):  # type: ignore[no-untyped-def]
        used.add((int(r), int(g), int(b)))
        return original(self, r, g, b)

    monkeypatch.setattr(brief._Brief, "set_text_color", recording)
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    for lang in LANGUAGES:
        brief.build_brief(summary, lang)
    brief.build_brief(dataclasses.replace(summary, is_demo=True, title="Demo"), "da")
    assert brief.NATIONAL in used and brief.MUTED in used
    white, box = (255, 255, 255), getattr(brief, "BOX", (241, 247, 244))
    for colour in used:
        backgrounds = [brief.RED] if colour == white else [white, box]
        for background in backgrounds:
            ratio = contrast(colour, background)
            assert ratio >= 4.5, (colour, background, round(ratio, 2))
    for name in ("INK", "MUTED", "GREEN", "RED", "NATIONAL"):  # every text colour constant
        assert contrast(getattr(brief, name), white) >= 4.5, name
        assert contrast(getattr(brief, name), box) >= 4.5, name


def pdf_lines(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True)
    lines: list[str] = []
    for line in out.stdout.decode("utf-8").splitlines():
        # -layout puts side-by-side columns on one line: split on the gaps between them
        lines += [part.strip() for part in re.split(r"\s{3,}", line) if part.strip()]
    return lines


@pytest.mark.skipif(not PDFTOTEXT, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_percentage_or_a_number_never_breaks_across_lines_in_the_brief(
    store, council_world, lang
) -> None:
    summary = reports.build_summary(store, council_world.committee_id, today=formats.today())
    for line in pdf_lines(brief.build_brief(summary, lang)):
        assert not line.startswith("%"), line
    # a figure at every place a line can end: the wrapping keeps it whole
    pdf = brief._Brief(lang)
    share, big = formats.percent(0.29, lang, decimals=0), formats.number(10000, lang)
    for pad in range(0, 60):
        pdf.text_block("a" * pad + " " + ("ord " * 6) + share + " " + big + " slut", 9, 4.5)
    pdf.columns([("Realisert 3 av 10 " + share, 28.0, 8.5, True, brief.GREEN, "L")], 4.1)
    lines = pdf_lines(bytes(pdf.output()))
    assert any(share.replace("\xa0", " ") in line for line in lines)
    for line in lines:
        assert not line.startswith("%"), line
        assert not re.match(r"000\b", line), line


# -- the workbook's meetings: agenda, minutes, time, file name (issue 18, trial finding 6) -------


def _sheet_rows(book, lang: str, kind: str) -> list[dict]:
    sheet = book[translate(lang, f"workbook.sheet.{kind}")]
    header = [cell.value for cell in sheet[1]]
    return [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_meetings_sheet_has_each_meetings_agenda_minutes_and_time(
    store, council_world, lang
) -> None:
    """A live dialogue stores its steps (its agenda) and when each ran; a committee meeting
    stores its plan (time, place, agenda text, minutes) and steps too. The sheet shows what
    exists: the steps in order by name, the minutes, the planned time or else when it ran,
    never when the record happened to be created."""
    never_run = meetings.create_meeting(store, council_world.committee_id, "Ikke holdt", actor=None)
    with store.transaction() as db:
        db.execute(  # the live dialogue's first step ran at 18:05 Danish time
            "UPDATE steps SET started_at = '2026-03-10T17:05:00+00:00'"
            " WHERE meeting_id = ? AND position = 1",
            [council_world.meeting_id],
        )
    book = openpyxl.load_workbook(
        io.BytesIO(workbook.council_workbook(store, council_world.committee_id, lang))
    )
    t = lambda key: translate(lang, key)  # noqa: E731
    by_title = {row[t("workbook.col.title")]: row for row in _sheet_rows(book, lang, "meetings")}
    steps = lambda meeting_id: store.query(  # noqa: E731
        "SELECT kind, prompt FROM steps WHERE meeting_id = ? ORDER BY position", [meeting_id]
    )

    live = by_title["Dialogmøde på biblioteket"]
    agenda = live[t("workbook.col.agenda")]
    live_steps = steps(council_world.meeting_id)
    assert isinstance(agenda, str) and len(agenda.splitlines()) == len(live_steps) >= 3
    for number, (line, step) in enumerate(
        zip(agenda.splitlines(), live_steps, strict=True), start=1
    ):
        assert line.startswith(f"{number}. {t('step.' + step['kind'])}"), line
    assert "Hvad skal biblioteket kunne?" in agenda  # the question the room was asked
    assert live[t("workbook.col.planned_at")] == formats.local("2026-03-10T17:05:00+00:00")
    assert live[t("workbook.col.minutes")] is None  # a live dialogue keeps no minutes

    committee_meeting = by_title["Udvalgsmøde 1"]
    agenda = committee_meeting[t("workbook.col.agenda")]
    assert agenda.startswith("Åbningstider")  # the agenda the committee wrote
    for step in steps(
        committee_meeting_id := store.scalar(
            "SELECT id FROM meetings WHERE title = 'Udvalgsmøde 1'"
        )
    ):
        assert t("step." + step["kind"]) in agenda, committee_meeting_id
    assert committee_meeting[t("workbook.col.minutes")] == MINUTES
    assert committee_meeting[t("workbook.col.planned_at")] == dt.datetime(2026, 4, 1, 17, 0)

    assert by_title["Ikke holdt"][t("workbook.col.planned_at")] is None, never_run.id


def test_the_workbooks_and_briefs_file_names_are_in_the_readers_language() -> None:
    assert workbook.file_name("da", "workbook", None, is_demo=True) == (
        "samskab-alle-udvalg-DEMO-arbejdsbog.xlsx"
    )
    assert workbook.file_name("nb", "workbook", None) == "samskab-alle-utvalg-arbeidsbok.xlsx"
    assert workbook.file_name("en", "workbook", 3) == "samskab-committee-3-workbook.xlsx"
    assert workbook.file_name("da", "brief", 3) == "samskab-udvalg-3-politisk-notat.pdf"
    assert workbook.file_name("nb", "brief", None) == "samskab-alle-utvalg-politisk-notat.pdf"
    for lang in LANGUAGES:
        for kind in ("workbook", "brief"):
            name = workbook.file_name(lang, kind, 7)
            if lang != "en":
                assert "committee" not in name and "brief" not in name, name
            assert re.fullmatch(r"[a-zæøå0-9.-]+", name.replace("DEMO", "")), name
