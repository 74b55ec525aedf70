"""Calendar files (iCalendar, RFC 5545) for meeting invitations: pure text, no I/O.

An invitation is one VEVENT in a VCALENDAR, with the start and end in the installation's
time zone (``TZID=Europe/Copenhagen``) and a VTIMEZONE for it built from the zone database,
so calendar programs that do not know the zone name still place the meeting right.
Text values are escaped (backslash, semicolon, comma, newline) and every content line is
folded at 75 octets, never inside a UTF-8 character.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

PRODID = "-//Samskab//Committee meetings//DA"
LINE_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime  # naive: wall-clock time in ``time_zone``
    end: datetime
    summary: str
    location: str
    description: str
    time_zone: str = "Europe/Copenhagen"
    stamp: datetime | None = None  # DTSTAMP (UTC); now by default


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """One content line folded into pieces of at most 75 octets (§3.1), joined by CRLF SPACE."""
    pieces: list[str] = []
    current, size = "", 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
            limit = LINE_OCTETS - 1  # continuation lines start with a space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


def _timezone_lines(name: str, year: int) -> list[str]:
    """A VTIMEZONE for ``name`` with the transitions of ``year`` (found from the zone data)."""
    zone = ZoneInfo(name)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    moment = datetime(year, 1, 1, tzinfo=UTC)
    previous = moment.astimezone(zone).utcoffset()
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    transitions = []
    while moment < end:
        step = moment + timedelta(hours=1)
        offset = step.astimezone(zone).utcoffset()
        if offset != previous:
            transitions.append((step, previous, offset, step.astimezone(zone).tzname() or name))
            previous = offset
        moment = step
    if not transitions:
        offset = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone).utcoffset()
        label = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone).tzname() or name
        lines += [
            "BEGIN:STANDARD",
            f"DTSTART:{year}0101T000000",
            f"TZOFFSETFROM:{_offset(offset)}",
            f"TZOFFSETTO:{_offset(offset)}",
            f"TZNAME:{label}",
            "END:STANDARD",
        ]
    for at, before, after, label in transitions:
        kind = "DAYLIGHT" if (after or timedelta()) > (before or timedelta()) else "STANDARD"
        local_start = (at + (before or timedelta())).replace(tzinfo=None)
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(local_start)}",
            f"TZOFFSETFROM:{_offset(before)}",
            f"TZOFFSETTO:{_offset(after)}",
            f"TZNAME:{label}",
            f"END:{kind}",
        ]
    lines.append("END:VTIMEZONE")
    return lines


def event_calendar(event: CalendarEvent, *, method: str = "PUBLISH") -> str:
    """The whole .ics file for one event, CRLF line ends, folded lines."""
    if event.end <= event.start:
        raise ValueError("an event ends after it starts")
    stamp = (event.stamp or datetime.now(UTC)).astimezone(UTC)
    tz = event.time_zone
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *_timezone_lines(tz, event.start.year),
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;TZID={tz}:{_local(event.start)}",
        f"DTEND;TZID={tz}:{_local(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
