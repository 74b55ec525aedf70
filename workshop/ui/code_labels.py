"""Codes the app stores (audit actions, tables, enumeration values) shown through their labels.

A page never shows ``add_commitment``, ``standing_committee`` or ``in_progress``: an audit
action reads "Forpligtelse tilføjet", a table "Forpligtelse", and a stored value inside an
entry's before/after the label the rest of the app gives it (``decision.body.*``,
``outcomes.status.*``, ``diversity.gender.*`` …). ``tests/ui/test_every_word.py`` renders every
page in Danish and Norwegian and fails on any stored code that still shows.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from workshop.i18n import catalogue
from workshop.ui.i18n import current_language, t

# Where a stored value's label lives, most specific first: the first prefix whose
# ``<prefix><value>`` is a key labels the value.
VALUE_PREFIXES = (
    "phase.",
    "member.role.",
    "application.status.",
    "decision.body.",
    "decision.outcome.",
    "outcomes.status.",
    "barometer.option.value.",
    "diversity.gender.",
    "role.",
    "meeting.kind.",
    "meeting.status.",
    "step.",
    "idea_status.label.",
    "agreement.party.",
    "agreement.level.",
    "agreement.template_name.",
    "attendance.",
)


@cache
def _value_keys(lang: str) -> dict[str, str]:
    keys = catalogue(lang)
    found: dict[str, str] = {}
    for prefix in reversed(VALUE_PREFIXES):  # earlier prefixes win
        for key in keys:
            if key.startswith(prefix) and "." not in key[len(prefix) :]:
                found[key[len(prefix) :]] = key
    return found


def action_label(action: str) -> str:
    """An audit action in words (moderation actions keep their own labels)."""
    keys = catalogue(current_language())
    for key in (f"audit.action.{action}", f"moderation.action.{action}"):
        if key in keys:
            return t(key)
    return action


def entity_label(entity: str | None) -> str:
    if not entity:
        return t("table.empty")
    key = f"audit.entity.{entity}"
    return t(key) if key in catalogue(current_language()) else entity


def value_label(value: Any) -> str:
    """A stored value as a person reads it: a code through its label, nothing as a dash."""
    if value is None or value == "":
        return t("table.empty")
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    if isinstance(value, list):
        return ", ".join(value_label(item) for item in value) or t("table.empty")
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_label(v)}" for k, v in value.items())
    key = _value_keys(current_language()).get(str(value))
    return t(key) if key else str(value)


def field_label(field: str) -> str:
    """A field of an audit entry's before/after in words."""
    key = f"audit.field.{field}"
    return t(key) if key in catalogue(current_language()) else field


def change_text(raw: str | None) -> str:
    """An audit entry's stored before/after (JSON) with every code through its label."""
    if raw is None or raw == "":
        return t("table.empty")
    try:
        decoded = json.loads(raw)
    except ValueError:
        return raw
    return value_label(decoded)
