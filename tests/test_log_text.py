"""The moderation log's before/after in words (workshop.meetings.log_text): every field the
moderation services log reads in the reader's language; typed text stays as typed."""

from __future__ import annotations

import json

import pytest

from workshop.i18n import formats, translate
from workshop.meetings.log_text import LogNames, change_text

NAMES = LogNames(themes={4: "Parken"}, steps={7: "trinn 2: Idédugnad"})


def said(value: object, lang: str = "nb", reason: str | None = None) -> str:
    return change_text(json.dumps(value, ensure_ascii=False), lang, NAMES, reason=reason)


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_each_logged_field_reads_in_words(lang: str) -> None:
    def say(key: str, **params: object) -> str:
        return translate(lang, f"moderation.log.{key}", **params)

    phone = translate(lang, "personal_data.kind.phone")
    assert said({"held": True, "flags": ["phone"]}, lang) == say("held_because", what=phone)
    assert said({"held": True, "flags": []}, lang) == say("held")
    # Logged as stored ("phone,email") before; a kind this version does not know, as logged.
    email = translate(lang, "personal_data.kind.email")
    both = formats.word_list([phone, email], lang)
    assert said({"held": True, "flags": "phone,email"}, lang) == say("held_because", what=both)
    unknown = formats.word_list([phone, "shoe_size"], lang)
    assert said({"held": True, "flags": ["phone", "shoe_size"]}, lang) == say(
        "held_because", what=unknown
    )
    assert said({"held": False}, lang) == say("shown")
    assert said({"step_id": 7, "pre_moderation": True}, lang) == (
        f"Trinn 2: Idédugnad · {say('pre_moderation_on')}"
    )
    assert said({"name": "Parken", "ideas": [1, 2]}, lang) == (
        f"Parken · {translate(lang, 'moderation.log.ideas.other', count=2)}"
    )
    removed = {"hidden": True, "reason": "fjernet", "participant_removed": 5}
    assert said(removed, lang, reason="fjernet") == (
        f"{say('hidden')} · {say('participant_removed', who='#5')}"
    )
    assert said({"theme_id": 4}, lang) == "Parken"
    assert said({"theme_id": 9}, lang) == "#9"  # a theme deleted since


def test_nothing_is_blank_and_a_field_without_words_reads_as_its_value() -> None:
    assert change_text(None, "da", NAMES) == ""
    assert said({"new_field": "x"}) == "x"
    assert said({"text": "<b>*x*</b>"}) == "<b>*x*</b>"
