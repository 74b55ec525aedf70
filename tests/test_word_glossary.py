"""One word per concept: the glossary in each language's catalogue, checked.

``glossary.<concept>`` in ``workshop/i18n/<lang>/words.json`` is the one word the app uses for
a concept in that language (da "idé", nb "idé" with plural "ideer", da "afstår", nb "kan ikke
velge" …); ``glossary.<concept>.avoid`` lists, comma-separated, the synonyms and misspellings
a careful native reader struck out (nb "idéer", da "Undlader", nb "Jeg klarer ikke å velge",
da "af facilitator" without its article). No other value of that catalogue may use them.
"""

from __future__ import annotations

import re

import pytest

from workshop.i18n import LANGUAGES, catalogue


def glossary(lang: str) -> dict[str, tuple[str, list[str]]]:
    words = catalogue(lang)
    concepts = {
        key.split(".")[1] for key in words if key.startswith("glossary.") and key.count(".") == 1
    }
    return {
        concept: (
            words[f"glossary.{concept}"],
            [w.strip() for w in words.get(f"glossary.{concept}.avoid", "").split(",") if w.strip()],
        )
        for concept in concepts
    }


def test_every_language_has_the_same_glossary() -> None:
    concepts = {lang: set(glossary(lang)) for lang in LANGUAGES}
    assert concepts["da"], "no glossary.* keys"
    assert concepts["da"] == concepts["nb"] == concepts["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_value_uses_a_word_the_glossary_avoids(lang) -> None:
    values = {k: v for k, v in catalogue(lang).items() if not k.startswith("glossary.")}
    found = []
    for word, avoid in sorted(glossary(lang).values()):
        for bad in avoid:
            pattern = re.compile(rf"(?<!\w){re.escape(bad)}(?!\w)", re.IGNORECASE)
            found += [
                f"{key}: {bad!r} (say {word!r})" for key, v in values.items() if pattern.search(v)
            ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_glossary_word_is_used(lang) -> None:
    text = " ".join(v for k, v in catalogue(lang).items() if not k.startswith("glossary."))
    unused = [
        word
        for word, _ in glossary(lang).values()
        if not re.search(rf"(?<!\w){re.escape(word)}", text, re.IGNORECASE)
    ]
    assert unused == []
