"""One module formats every date, time and number a person reads (workshop.i18n.formats):
per language, in the installation's time zone (never UTC), with Babel."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from workshop.i18n import formats

ROOT = Path(__file__).resolve().parent.parent
# A winter and a summer moment stored in UTC (as utcnow() stores them).
WINTER = "2026-12-05T13:30:05.123+00:00"
SUMMER = "2026-07-01T22:30:00.000+00:00"


@pytest.mark.parametrize(
    ("lang", "day", "moment", "thousands", "picker"),
    [
        ("da", "05.12.2026", "05.12.2026 14.30", "10.000", "DD.MM.YYYY"),
        ("nb", "05.12.2026", "05.12.2026 14:30", "10\u00a0000", "DD.MM.YYYY"),
        ("en", "05/12/2026", "05/12/2026 14:30", "10,000", "DD/MM/YYYY"),
    ],
)
def test_one_style_per_language_in_the_installations_time_zone(
    lang, day, moment, thousands, picker, monkeypatch
) -> None:
    monkeypatch.delenv("SAMSKAB_TIME_ZONE", raising=False)  # the default: Europe/Copenhagen
    assert formats.date_text(dt.date(2026, 12, 5), lang) == day
    assert formats.date_text("2026-12-05", lang) == day
    assert formats.datetime_text(WINTER, lang) == moment  # 13:30 UTC is 14:30 in Copenhagen
    assert formats.number(10_000, lang) == thousands
    assert formats.date_picker_format(lang) == picker
    # the date picker shows the same style the text does
    shown = picker.replace("DD", "05").replace("MM", "12").replace("YYYY", "2026")
    assert shown == day


def test_summer_time_moves_the_clock_and_the_day(monkeypatch) -> None:
    monkeypatch.delenv("SAMSKAB_TIME_ZONE", raising=False)
    # 22:30 UTC on 1 July is 00:30 on 2 July in Copenhagen (UTC+2 in summer)
    assert formats.datetime_text(SUMMER, "da") == "02.07.2026 00.30"
    assert formats.date_text(SUMMER, "nb") == "02.07.2026"
    # the last Sunday of October: 00:30 UTC is 02:30 summer time, 01:30 UTC is 02:30 winter time
    assert formats.time_text("2026-10-25T00:30:00+00:00", "en") == "02:30"
    assert formats.time_text("2026-10-25T01:30:00+00:00", "en") == "02:30"
    assert formats.time_text("2026-10-25T02:30:00+00:00", "en") == "03:30"


def test_the_time_zone_is_a_setting(monkeypatch) -> None:
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "America/New_York")
    assert formats.datetime_text(WINTER, "en") == "05/12/2026 08:30"
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "Europe/Oslo")
    assert formats.datetime_text(WINTER, "nb", seconds=True) == "05.12.2026 14:30:05"


def test_a_moment_without_an_offset_is_already_local(monkeypatch) -> None:
    monkeypatch.delenv("SAMSKAB_TIME_ZONE", raising=False)
    assert formats.datetime_text("2026-12-05T17:00", "da") == "05.12.2026 17.00"


def test_a_language_the_app_does_not_have_reads_english_in_the_local_time_zone(
    monkeypatch,
) -> None:
    monkeypatch.delenv("SAMSKAB_TIME_ZONE", raising=False)
    assert formats.datetime_text(WINTER, "fr") == "05/12/2026 14:30"  # not 13:30 UTC
    assert formats.number(10_000, "xx") == "10,000"
    assert formats.date_picker_format("de") == "DD/MM/YYYY"


def test_nothing_is_a_dash_not_an_error() -> None:
    assert formats.date_text(None, "da") == "–"
    assert formats.datetime_text("", "nb") == "–"
    assert formats.percent(0.625, "da") == "62,5\u00a0%"
    assert formats.percent(0.625, "en", decimals=0) == "62%"


# -- no page or document formats a date by hand ------------------------------------------------

SCANNED = sorted(
    [
        *(ROOT / "workshop" / "ui").rglob("*.py"),
        *(ROOT / "workshop" / "reports").rglob("*.py"),
        ROOT / "workshop" / "barometer" / "charts.py",
        # the text of invitations and reminders (not the .ics data, which is UTC by standard)
        ROOT / "workshop" / "committees" / "invitations.py",
        ROOT / "workshop" / "committees" / "members.py",
    ]
)
# A slice of an ISO string is a date or a clock cut by hand ("2026-12-05T13:30"[:16]).
_MOMENT_NAMES = ("_at", "_on", "at", "when", "moment")


def _is_moment_name(node: ast.AST) -> bool:
    name = ""
    if isinstance(node, ast.Attribute):
        name = node.attr
    elif isinstance(node, ast.Name):
        name = node.id
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = str(node.slice.value)
    return name.endswith(_MOMENT_NAMES)


def _hand_formatting(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "strftime":
                found.append((node.lineno, "strftime"))
            if node.func.attr == "date_input" and not any(
                k.arg == "format" and not isinstance(k.value, ast.Constant) for k in node.keywords
            ):
                found.append((node.lineno, "st.date_input without the language's format"))
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Slice)
            and _is_moment_name(node.value)
        ):
            found.append((node.lineno, "a date or time cut from an ISO string"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "str"
            and node.args
            and _is_moment_name(node.args[0])
        ):
            found.append((node.lineno, "str() of a date"))
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                str(part.value)
                for part in node.format_spec.values
                if isinstance(part, ast.Constant)
            )
            if "," in spec or spec.endswith("%"):
                found.append((node.lineno, "a number formatted by hand (not per language)"))
        if isinstance(node, ast.FormattedValue):
            inner = node.value
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Attribute)
                and inner.func.attr == "isoformat"
            ):
                found.append((node.lineno, "isoformat() shown in text"))
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            callee = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if callee in ("t", "tn", "translate", "translate_count"):
                for value in [*node.args, *(k.value for k in node.keywords)]:
                    if (
                        isinstance(value, ast.Call)
                        and isinstance(value.func, ast.Attribute)
                        and value.func.attr == "isoformat"
                    ):
                        found.append((node.lineno, "isoformat() shown in text"))
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and any(code in node.value for code in ("%d.%m", "%Y-%m", "%H:%M"))
        ):
            found.append((node.lineno, "a hand-made date pattern"))
    return found


def test_no_page_or_document_formats_a_date_or_number_by_hand() -> None:
    """Pages, widgets and documents format dates, times and numbers with workshop.i18n.formats
    only: no strftime, no slices of ISO strings, no isoformat() in text, every date picker in the
    reader's style."""
    problems = []
    for path in SCANNED:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for line, what in _hand_formatting(ast.parse(source)):
            if "# data, not text" in lines[line - 1]:
                continue  # a date compared or used in a file name, never read by a person
            problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not problems, "\n".join(problems)


def test_no_catalogue_says_utc() -> None:
    """Times are shown in the installation's time zone, so no label says "(UTC)"."""
    from workshop.i18n import LANGUAGES, catalogue

    said = [
        f"{lang}: {key}"
        for lang in LANGUAGES
        for key, text in catalogue(lang).items()
        if "UTC" in text
    ]
    assert not said, said


@pytest.mark.parametrize(
    ("lang", "shown"), [("da", "05.12.2026"), ("nb", "05.12.2026"), ("en", "05/12/2026")]
)
def test_a_message_writes_its_date_and_time_parameters_in_the_readers_style(lang, shown) -> None:
    """A service raises with date and time objects; the message shows them per language."""
    from workshop.i18n import translate

    text = translate(
        lang, "error.invitation.already_sent", date=dt.date(2026, 12, 5), time=dt.time(14, 30)
    )
    assert shown in text and "2026-12-05" not in text
    assert ("14.30" if lang == "da" else "14:30") in text


def test_today_is_the_installations_calendar_day(monkeypatch) -> None:
    """ "Today" (deadlines, overdue reviews, a form's default day) is the municipality's day: UTC+14
    and UTC-12 are 26 hours apart, so their days always differ, whatever the server's clock."""
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "Etc/GMT-14")
    east = formats.today()
    monkeypatch.setenv("SAMSKAB_TIME_ZONE", "Etc/GMT+12")
    west = formats.today()
    assert (east - west).days in (1, 2)


def test_no_module_asks_the_server_clock_for_today() -> None:
    """``date.today()`` is the server's zone (UTC on most hosts): a day off after midnight."""
    found = []
    for path in sorted(Path("workshop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "today"
                and ast.unparse(node.func.value) in ("date", "dt.date", "datetime.date")
            ):
                found.append(f"{path}:{node.lineno}")
    assert found == []
