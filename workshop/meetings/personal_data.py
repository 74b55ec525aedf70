"""Personal data in an idea's text: phone numbers, e-mail addresses, national identity numbers
and street addresses with a house number (pure; no database, no UI).

An idea that trips the detector is held for the facilitator before it reaches the wall
(:mod:`workshop.meetings.moderation`). The patterns are written for Danish and Norwegian
text, and tuned on the numbers citizens type every day: dates (12.05.2026), prices
(kr. 1.500), years and year spans (2025-2030), areas (10.000 m²), speeds and counts are
left alone. The detector prefers a missed false alarm to a held idea that was harmless, except
for identity numbers and e-mail addresses, which are caught in any form it knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

KINDS = ("phone", "email", "national_id", "address")


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    start: int
    end: int


_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9ÆØÅæøå-]+(?:\.[A-Za-z0-9ÆØÅæøå-]+)*"
    r"\.[A-Za-z]{2,}\b"
)

# Danish and Norwegian numbers have 8 digits, the first 2-9; written together or in the usual
# groups (2-2-2-2, 4-4, 3-2-3), with a space or a hyphen between groups.
_GROUPINGS = (
    r"(?:\d{8}|\d{2}(?P<sep>[ -])\d{2}(?P=sep)\d{2}(?P=sep)\d{2}"
    r"|\d{4}[ -]\d{4}|\d{3}[ -]\d{2}[ -]\d{3})"
)
_PHONE = re.compile(
    r"(?<![\d.,:/-])(?P<prefix>(?:\+|00)(?:45|47)[ -]?)?(?P<number>"
    + _GROUPINGS
    + r")(?!\d)(?![.,]\d)"
)
_YEAR = re.compile(r"(?:19|20)\d\d")

# CPR: ddmmyy-xxxx (hyphen, space or nothing). Fødselsnummer: ddmmyy + 5 digits, two of them
# check digits (mod 11); D-numbers add 40 to the day.
_CPR = re.compile(r"(?<![\d.,-])(\d{6})[ -]?(\d{4})(?!\d)(?![.,]\d)")
_FNR = re.compile(r"(?<![\d.,-])(\d{6})[ ]?(\d{5})(?!\d)(?![.,]\d)")

# What may follow a number without it being a house number, phone number or identity number.
_UNITS = (
    "min",
    "minut",
    "minutt",
    "minutter",
    "minutters",
    "timer",
    "time",
    "sek",
    "sekunder",
    "km",
    "km/t",
    "m",
    "m²",
    "m2",
    "meter",
    "meters",
    "cm",
    "mm",
    "kr",
    "kr.",
    "kroner",
    "krone",
    "nok",
    "dkk",
    "%",
    "procent",
    "prosent",
    "gang",
    "gange",
    "ganger",
    "år",
    "års",
    "biler",
    "bil",
    "pladser",
    "plasser",
    "plads",
    "plass",
    "børn",
    "barn",
    "elever",
    "elev",
    "personer",
    "stk",
    "stk.",
    "bænke",
    "benker",
    "træer",
    "trær",
    "dage",
    "dager",
    "døgn",
    "uger",
    "uker",
    "måneder",
    "steder",
    "sted",
    "mennesker",
    "folk",
    "husstande",
    "lejligheder",
    "leiligheter",
    "boliger",
    "hus",
    "huse",
    "km/h",
    "liter",
    "l",
    "kg",
    "ton",
    "tons",
)
_UNIT_AFTER = re.compile(
    r"\s*(?:" + "|".join(re.escape(u) for u in _UNITS) + r")(?![\wæøå])", re.IGNORECASE
)
_UNIT_BEFORE = re.compile(r"(?:kr\.?|dkk|nok|kroner|ca\.?|nr\.?|sag|linje|rute)\s*$", re.I)

_LETTER = r"A-Za-zÆØÅæøåÉéÜüÖöÄä"
_SUFFIX = (
    r"(?:gade|gaden|vej|vejen|allé|alle|stræde|strædet|boulevard|vænge|vænget|"
    r"gata|gaten|gate|veien|vegen|vei|veg|bakke|bakken|kaj|kaia|brygge|bryggen|løkke|have|"
    r"haven|toft|toften|høj|højen|parken|torv|torvet|plads|pladsen|plass|plassen|stien|"
    r"terrasse|terrassen|lia|åsen|haugen)"
)
# "Vestergade 12", "Storgata 5B", "Kongens gate 14", "Karl Johans gate 22",
# "H.C. Andersens Boulevard 18", "Bjørnstjerne Bjørnsons vei 4"
_ADDRESS = re.compile(
    r"(?<![\w])"
    r"(?:"
    rf"(?:[A-ZÆØÅ][{_LETTER}.]*\s+){{0,3}}[{_LETTER}]{{2,}}{_SUFFIX}"
    r"|"
    rf"(?:[A-ZÆØÅ][{_LETTER}.]*\s+){{1,3}}(?i:gade|vej|allé|boulevard|gate|gata|vei|veg|plass|"
    r"plads|torv)"
    r")"
    r"\s+(?P<number>\d{1,3}(?:\s?[A-Za-z](?![\wæøå]))?)(?![\d.,:/-]?\d)"
)
# Common words that end like a street: not a street even before a number.
_NOT_STREETS = {
    "vejen",
    "gaden",
    "gaten",
    "gata",
    "veien",
    "haven",
    "parken",
    "plads",
    "pladsen",
    "plass",
    "plassen",
    "torvet",
    "torv",
    "bakken",
    "stien",
    "kaj",
    "have",
    "høj",
    "toft",
    "alle",
    "legeplads",
    "legeplass",
    "arbejdsplads",
    "arbeidsplass",
    "parkeringsplads",
    "parkeringsplass",
    "sykkelvei",
    "cykelsti",
    "gangsti",
}


def _valid_date(day: int, month: int, year2: int) -> bool:
    for century in (1900, 2000):
        try:
            date(century + year2, month, day)
        except ValueError:
            continue
        return True
    return False


def _cpr_like(six: str) -> bool:
    return _valid_date(int(six[:2]), int(six[2:4]), int(six[4:6]))


def _fnr_valid(number: str) -> bool:
    digits = [int(c) for c in number]
    day = digits[0] * 10 + digits[1]
    if day > 40:
        day -= 40  # D-number
    if not _valid_date(day, digits[2] * 10 + digits[3], digits[4] * 10 + digits[5]):
        return False
    k1 = 11 - sum(d * w for d, w in zip(digits[:9], (3, 7, 6, 1, 8, 9, 4, 5, 2), strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    k2 = (
        11
        - sum(d * w for d, w in zip(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    )
    k2 = 0 if k2 == 11 else k2
    return k1 == digits[9] and k2 == digits[10]


def _unit_follows(text: str, end: int) -> bool:
    return _UNIT_AFTER.match(text, end) is not None


def _unit_precedes(text: str, start: int) -> bool:
    return _UNIT_BEFORE.search(text[max(0, start - 12) : start]) is not None


def _phones(text: str) -> list[Finding]:
    found = []
    for match in _PHONE.finditer(text):
        number = re.sub(r"\D", "", match.group("number"))
        prefixed = match.group("prefix") is not None
        if not prefixed:
            if number[0] in "01":
                continue
            if _unit_follows(text, match.end()) or _unit_precedes(text, match.start()):
                continue
            groups = re.split(r"[ -]", match.group("number"))
            if len(groups) == 2 and all(_YEAR.fullmatch(g) for g in groups):
                continue  # 2025-2030: a span of years
        found.append(Finding("phone", match.start(), match.end()))
    return found


def _national_ids(text: str) -> list[Finding]:
    found = []
    for match in _CPR.finditer(text):
        if _cpr_like(match.group(1)) and not _unit_follows(text, match.end()):
            found.append(Finding("national_id", match.start(), match.end()))
    for match in _FNR.finditer(text):
        if _fnr_valid(match.group(1) + match.group(2)):
            found.append(Finding("national_id", match.start(), match.end()))
    return found


def _addresses(text: str) -> list[Finding]:
    found = []
    for match in _ADDRESS.finditer(text):
        street = text[match.start() : match.start("number")].strip()
        last = street.split()[-1].lower()
        if len(street.split()) == 1 and last in _NOT_STREETS:
            continue
        if (
            len(street.split()) == 1
            and last.endswith(("plads", "plass", "sti"))
            and not (street[0].isupper())
        ):
            continue
        number = match.group("number")
        if _unit_follows(text, match.start("number") + len(number)):
            continue
        found.append(Finding("address", match.start(), match.end()))
    return found


def find_personal_data(text: str) -> tuple[Finding, ...]:
    """Every stretch of ``text`` that looks like personal data, in reading order.

    Where two patterns claim the same digits (an identity number also has eight digits in a
    row), the stronger claim wins: identity number, then e-mail, then phone, then address.
    """
    candidates = _national_ids(text) + [
        Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(text)
    ]
    candidates += _phones(text) + _addresses(text)
    kept: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: f.start))


def kinds(text: str) -> tuple[str, ...]:
    """The kinds of personal data in ``text``, each once, in reading order."""
    seen: list[str] = []
    for finding in find_personal_data(text):
        if finding.kind not in seen:
            seen.append(finding.kind)
    return tuple(seen)
