"""Labels of the dimensions and their options in Danish, Norwegian bokmål and English.

The words live in the i18n catalogues (``workshop/i18n/<lang>/barometer.json``, keys
``barometer.option.<dimension>.<key>`` and, for values, ``barometer.option_short.value.<key>``),
so every string the UI shows goes through one ``translate`` and a translator edits one file per
language.
"""

from __future__ import annotations

from enum import StrEnum

from workshop.barometer.dimensions import (
    DIMENSIONS,
    EXTRA_VALUES,
    E,
    Value,
    dimension_name,
    parse_option,
)
from workshop.errors import InvalidInput
from workshop.i18n import LANGUAGES, translate


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InvalidInput("error.barometer.unknown_language", lang=lang)


def _resolve(item: StrEnum | str, dimension: type[StrEnum] | None) -> StrEnum:
    if dimension is not None:
        return parse_option(dimension, item)
    if isinstance(item, StrEnum):
        dimension_name(type(item))  # raises unless it is one of ours
        return item
    matches = [enum(item) for enum in DIMENSIONS.values() if item in {m.value for m in enum}]
    if not matches:
        raise InvalidInput("error.barometer.unknown_key", option=item)
    if len(matches) > 1:
        raise InvalidInput("error.barometer.ambiguous_key", option=item)
    return matches[0]


def label(
    item: StrEnum | str,
    lang: str,
    dimension: type[StrEnum] | None = None,
    *,
    short: bool = False,
) -> str:
    """The label of a dimension option in ``lang`` ("da", "nb" or "en").

    ``item`` is a member or a bare key. A bare key that occurs in several dimensions (for example
    ``"dont_know"``) needs ``dimension``. ``short=True`` gives the compact value labels used on
    chart axes; the other dimensions have only one label.
    """
    check_language(lang)
    member = _resolve(item, dimension)
    name = dimension_name(type(member))
    if short and name == "value":
        return translate(lang, f"barometer.option_short.value.{member.value}")
    return translate(lang, f"barometer.option.{name}.{member.value}")


def dimension_label(dimension: type[StrEnum], lang: str) -> str:
    """The heading of a dimension in ``lang`` (e.g. "Igangsat af")."""
    check_language(lang)
    return translate(lang, f"barometer.dimension.{dimension_name(dimension)}")


def options(
    dimension: type[E], lang: str, *, include_extras: bool = False, short: bool = False
) -> list[tuple[E, str]]:
    """``(member, label)`` pairs in questionnaire order, ready for a select widget.

    The Norwegian-only values are left out unless ``include_extras``; a Norwegian UI may pass
    ``include_extras=(lang == "nb")``.
    """
    check_language(lang)
    return [
        (member, label(member, lang, short=short))
        for member in dimension
        if include_extras or not (isinstance(member, Value) and member in EXTRA_VALUES)
    ]
