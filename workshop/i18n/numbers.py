"""Numbers in the reader's language, with Babel: ``62,5 %`` in Danish and Norwegian,
``62.5%`` in English; decimals with the locale's comma or point."""

from __future__ import annotations

from babel import Locale
from babel.numbers import format_decimal, format_percent

LOCALES = {"da": "da_DK", "nb": "nb_NO", "en": "en_GB"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["da"])


def percent(value: float, lang: str, *, decimals: int = 1) -> str:
    """A share as a percentage with ``decimals`` decimals, in the locale's own pattern."""
    pattern = Locale.parse(_locale(lang)).percent_formats[None].pattern
    if decimals > 0:
        pattern = pattern.replace("0", "0." + "0" * decimals, 1)
    return format_percent(value, pattern, locale=_locale(lang))


def decimal(value: float, lang: str, *, decimals: int = 6, least: int = 1) -> str:
    """A decimal number with at least ``least`` and at most ``decimals`` decimals."""
    pattern = "0." + "0" * least + "#" * max(0, decimals - least)
    return format_decimal(value, pattern, locale=_locale(lang))
