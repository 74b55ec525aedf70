"""One quote style per language in every catalogue value (trial 18, finding 9): Danish »…«,
Norwegian «…», English “…”; never a straight " nor another language's marks."""

from __future__ import annotations

import re

import pytest

from workshop.i18n import LANGUAGES, catalogue

STYLE = {"da": ("»", "«"), "nb": ("«", "»"), "en": ("“", "”")}
QUOTES = re.compile(r'[«»“”"„‘‚]')
SINGLE_OPENING = re.compile(r"(?<!\w)'(?=\w)")  # 'quoted' (an apostrophe, citizens', is fine)


def test_every_language_has_a_quote_style() -> None:
    assert set(STYLE) == set(LANGUAGES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_value_quotes_in_its_languages_style(lang) -> None:
    opening, closing = STYLE[lang]
    wrong = []
    for key, value in sorted(catalogue(lang).items()):
        marks = QUOTES.findall(value)
        expected = [opening if i % 2 == 0 else closing for i in range(len(marks))]
        if marks != expected or len(marks) % 2 or SINGLE_OPENING.search(value):
            wrong.append(f"{key}: {value[:90]!r}")
    assert wrong == [], "\n".join(wrong)
