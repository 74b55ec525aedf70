"""One translation function for every UI string.

Catalogues live in ``workshop/i18n/<lang>/<feature>.json`` – one flat JSON object per feature,
so that features can be added without touching each other's files. All files of a language
are merged; a key may be defined in only one file. Values are ``str.format`` templates; a
``datetime.date``, ``datetime`` or ``time`` parameter is written in the reader's style and the
installation's time zone (``workshop.i18n.formats``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workshop.errors import WorkshopError

LANGUAGES: tuple[str, ...] = ("da", "nb", "en")
DEFAULT_LANGUAGE = "da"
LANGUAGE_NAMES = {"da": "Dansk", "nb": "Norsk bokmål", "en": "English"}

_HERE = Path(__file__).parent


class MissingTranslation(KeyError):
    pass


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_HERE / lang).glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"i18n key {key!r} defined twice ({path.name})")
            merged[key] = value
    return merged


def translate(lang: str, key: str, /, **params: Any) -> str:
    """Translate ``key`` into ``lang``; unknown keys raise, so that tests catch them."""
    try:
        template = catalogue(lang)[key]
    except KeyError:
        raise MissingTranslation(f"{key!r} missing in {lang}") from None
    if not params:
        return template
    # Dates and times given as objects are written as the reader writes them.
    from workshop.i18n.formats import localise_params

    return template.format(**localise_params(params, lang))


def translate_error(lang: str, error: WorkshopError) -> str:
    """What a refusal (``workshop.errors``: a key and its parameters) says in ``lang``."""
    return translate(lang, error.key, **error.params)


def translate_count(lang: str, key: str, count: int, /, **params: Any) -> str:
    """Plural-aware: ``<key>.one`` for exactly one, ``<key>.other`` otherwise.

    Danish, Norwegian bokmål and English all have these two forms.
    """
    form = "one" if count == 1 else "other"
    return translate(lang, f"{key}.{form}", count=count, **params)


def language_from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``da-DK``, ``nb-NO``, ``no`` or ``en-GB`` to a UI language."""
    if not locale:
        return DEFAULT_LANGUAGE
    primary = locale.replace("_", "-").split("-")[0].lower()
    if primary in ("nb", "no", "nn"):
        return "nb"
    if primary == "da":
        return "da"
    return "en"
