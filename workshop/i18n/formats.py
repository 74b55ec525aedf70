"""Dates, times and numbers in the reader's language, with Babel, in the installation's time zone.

Every date, time or number a person reads – on a page, in a PDF brief, in a workbook, in an
invitation's text – is formatted here, so that one language has one style:

========  =============  ===========  ==========  =========
language  date           time         thousands   percent
========  =============  ===========  ==========  =========
da        05.12.2026     14.30        10.000      62,5 %
nb        05.12.2026     14:30        10 000      62,5 %
en        05/12/2026     14:30        10,000      62.5%
========  =============  ===========  ==========  =========

Stored moments (``*_at`` columns, ISO strings with ``+00:00``) are shown in the installation's
time zone (setting ``SAMSKAB_TIME_ZONE``, default Europe/Copenhagen), never in UTC. A moment
without an offset (a meeting's ``planned_at``) is already the installation's wall-clock time.
A language the app does not have falls back to English, still in the installation's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal, format_percent

LOCALES = {"da": "da_DK", "nb": "nb_NO", "en": "en_GB"}
FALLBACK = "en"

Moment = dt.datetime | dt.date | dt.time | str | None


def locale_name(lang: str) -> str:
    """The Babel locale of a UI language; a language the app does not have reads English."""
    return LOCALES.get(lang, LOCALES[FALLBACK])


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(locale_name(lang))


def time_zone(name: str | None = None) -> ZoneInfo:
    """The installation's time zone (``SAMSKAB_TIME_ZONE``), or the zone ``name``.

    Read from the one setting, not from every setting (a log of 2,000 rows formats 4,000
    moments, and reading all settings each time was most of the console's run)."""
    if name is None:
        from workshop.config import installation_time_zone

        name = installation_time_zone()
    return _zone(name)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# -- moments ----------------------------------------------------------------------------------


def _parse(value: Moment) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.time):
        raise ValueError(f"a time of day is not a date: {value!r}")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value


def local(value: dt.datetime | str, zone: str | None = None) -> dt.datetime:
    """A moment as the installation's wall-clock time, without an offset.

    A stored UTC moment (with an offset) is converted; one without an offset is taken as
    already local (meeting plans store their local time).
    """
    parsed = _parse(value)
    if not isinstance(parsed, dt.datetime):
        raise ValueError(f"not a moment: {value!r}")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(time_zone(zone))
    return parsed.replace(tzinfo=None)


def today(zone: str | None = None) -> dt.date:
    """Today's date in the installation's time zone (not the server clock's zone).

    Deadlines, overdue reviews and a form's default day follow the municipality's calendar: at
    00:30 in Copenhagen it is already tomorrow there while a UTC server still says today.
    """
    return dt.datetime.now(time_zone(zone)).date()


def local_date(value: Moment, zone: str | None = None) -> dt.date | None:
    """The calendar day of a date or moment, in the installation's time zone."""
    parsed = _parse(value)
    if parsed is None:
        return None
    if isinstance(parsed, dt.datetime):
        return local(parsed, zone).date()
    return parsed


def _date_pattern(lang: str) -> str:
    """The language's one numeric date style, always with a four-digit year."""
    pattern = _locale(lang).date_formats["short"].pattern
    return re.sub(r"y+", "yyyy", pattern)


def date_text(value: Moment, lang: str, *, empty: str = "–", zone: str | None = None) -> str:
    """A date (or the day of a moment) in the language's date style: 05.12.2026, 05/12/2026."""
    day = local_date(value, zone)
    if day is None:
        return empty
    return format_date(day, _date_pattern(lang), locale=locale_name(lang))


def time_text(value: Moment, lang: str, *, empty: str = "–", zone: str | None = None) -> str:
    """The time of day of a moment, hours and minutes: 14.30 (da), 14:30 (nb, en).

    A ``datetime.time`` is a wall-clock time already and is shown as it is."""
    if isinstance(value, dt.time):
        return format_time(value, "short", locale=locale_name(lang))
    parsed = _parse(value)
    if parsed is None:
        return empty
    if not isinstance(parsed, dt.datetime):
        raise ValueError(f"a date has no time of day: {value!r}")
    return format_time(local(parsed, zone), "short", locale=locale_name(lang))


def time_seconds_text(
    value: Moment, lang: str, *, empty: str = "–", zone: str | None = None
) -> str:
    """The time of day to the second (logs): 14.30.05 (da), 14:30:05 (nb, en)."""
    parsed = _parse(value)
    if parsed is None:
        return empty
    if not isinstance(parsed, dt.datetime):
        raise ValueError(f"a date has no time of day: {value!r}")
    return format_time(local(parsed, zone), "medium", locale=locale_name(lang))


def datetime_text(
    value: Moment, lang: str, *, empty: str = "–", seconds: bool = False, zone: str | None = None
) -> str:
    """Date and time of a moment in the installation's time zone: 05.12.2026 14.30."""
    parsed = _parse(value)
    if parsed is None:
        return empty
    if not isinstance(parsed, dt.datetime):
        return date_text(parsed, lang)
    clock = time_seconds_text if seconds else time_text
    return f"{date_text(parsed, lang, zone=zone)} {clock(parsed, lang, zone=zone)}"


def localise_params(params: dict[str, object], lang: str) -> dict[str, object]:
    """Message parameters with dates and times as the reader writes them (an error raised by a
    service carries ``date``/``time`` objects; the page that shows it knows the language)."""
    shown: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, dt.time):
            shown[name] = time_text(value, lang)
        elif isinstance(value, dt.datetime):
            shown[name] = datetime_text(value, lang)
        elif isinstance(value, dt.date):
            shown[name] = date_text(value, lang)
        else:
            shown[name] = value
    return shown


def date_picker_format(lang: str) -> str:
    """``st.date_input``'s ``format`` for the language's date style (DD.MM.YYYY, DD/MM/YYYY)."""
    pattern = _date_pattern(lang)
    return pattern.replace("dd", "DD").replace("yyyy", "YYYY")


# -- numbers ----------------------------------------------------------------------------------


def number(value: float, lang: str) -> str:
    """A whole number with the language's thousands separator: 10.000, 10 000, 10,000."""
    return format_decimal(value, "#,##0", locale=locale_name(lang))


def percent(value: float, lang: str, *, decimals: int = 1) -> str:
    """A share as a percentage with ``decimals`` decimals, in the locale's own pattern."""
    pattern = _locale(lang).percent_formats[None].pattern
    if decimals > 0:
        pattern = pattern.replace("0", "0." + "0" * decimals, 1)
    return format_percent(value, pattern, locale=locale_name(lang))


def decimal(value: float, lang: str, *, decimals: int = 6, least: int = 1) -> str:
    """A decimal number with at least ``least`` and at most ``decimals`` decimals."""
    pattern = "0." + "0" * least + "#" * max(0, decimals - least)
    return format_decimal(value, pattern, locale=locale_name(lang))


# -- words ------------------------------------------------------------------------------------


def list_separator(lang: str) -> str:
    """The separator a spreadsheet in ``lang``'s region splits a CSV file's fields on: ";"
    where the comma is the decimal sign (Danish and Norwegian Excel), "," elsewhere."""
    return ";" if _locale(lang).number_symbols["latn"]["decimal"] == "," else ","


def word_list(items: list[str], lang: str) -> str:
    """Items in a sentence, as the language joins them: "a, b og c", "a, b, and c"."""
    return format_list(list(items), locale=locale_name(lang)) if items else ""
