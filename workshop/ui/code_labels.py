"""Codes the app stores (audit actions, tables, enumeration values) shown through their labels.

A page never shows ``add_commitment``, ``standing_committee`` or ``in_progress``: an audit
action reads "Forpligtelse tilføjet", a table "Forpligtelse", and a stored value inside an
entry's before/after the label the rest of the app gives it (``decision.body.*``,
``outcomes.status.*``, ``diversity.gender.*`` …). ``tests/ui/test_every_word.py`` renders every
page in Danish and Norwegian and fails on any stored code that still shows.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from workshop import audit, spreadsheets
from workshop.db import Store
from workshop.i18n import catalogue, formats
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


References = dict[str, dict[int, dict[str, Any]]]
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?")


def reference_text(table: str, row: dict[str, Any]) -> str:
    """A row an audit entry points at, as a person knows it: "trin 3: Prikafstemning",
    "idé: Flere bænke i parken", "udvalg: Skolevejen" (``audit.referenced`` reads the rows)."""
    if table in ("steps", "rounds"):
        kind = t(f"step.{row['kind']}")
        if table == "rounds":
            return t("audit.ref.rounds", round=row["round"], number=row["number"], kind=kind)
        return t("audit.ref.steps", number=row["number"], kind=kind)
    name = " ".join(str(row["name"]).split())
    if table == "users" and row.get("username") and row["username"] != row["name"]:
        name = f"{name} ({row['username']})"
    return t(f"audit.ref.{table}", name=name)


def _field_text(field: str, value: Any, refs: References | None) -> str:
    table = audit.REFERENCE_FIELDS.get(field)
    known = (refs or {}).get(table or "", {})
    if table and isinstance(value, int) and not isinstance(value, bool) and value in known:
        return reference_text(table, known[value])
    if table and value is None:  # "trin: –", not "trin nr.: –"
        return f"{entity_label(table).lower()}: {t('table.empty')}"
    if table and isinstance(value, list) and value and all(item in known for item in value):
        return f"{field_label(field)}: " + " · ".join(
            reference_text(table, known[item]).split(": ", 1)[-1] for item in value
        )
    return f"{field_label(field)}: {value_label(value, refs)}"


def value_label(value: Any, refs: References | None = None) -> str:
    """A stored value as a person reads it: a code through its label, nothing as a dash, an
    id through what it points at (``refs``), the number only where nothing else names it."""
    if value is None or value == "":
        return t("table.empty")
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    if isinstance(value, list):
        return ", ".join(value_label(item, refs) for item in value) or t("table.empty")
    if isinstance(value, dict):
        return "; ".join(_field_text(k, v, refs) for k, v in value.items())
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):  # a stored date: the reader's style
        return formats.date_text(value, current_language())
    if isinstance(value, str) and _ISO_MOMENT.fullmatch(value):
        return formats.datetime_text(value, current_language())
    key = _value_keys(current_language()).get(str(value))
    return t(key) if key else str(value)


def field_label(field: str) -> str:
    """A field of an audit entry's before/after in words."""
    key = f"audit.field.{field}"
    return t(key) if key in catalogue(current_language()) else field


def change_text(raw: str | None, refs: References | None = None) -> str:
    """An audit entry's stored before/after (JSON) with every code through its label and
    every id through what it points at."""
    if raw is None or raw == "":
        return t("table.empty")
    try:
        decoded = json.loads(raw)
    except ValueError:
        return raw
    return value_label(decoded, refs)


AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")


def audit_rows(store: Store, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit entries as a person reads them, in the page's language: local time, the action
    and table in words, the row the entry is about by its name (its id only where nothing
    else names it), before and after with codes and ids in words."""
    refs = audit.referenced(store, entries)
    rows = []
    for entry in audit.readable(entries, current_language()):
        row = {column: entry.get(column) for column in AUDIT_COLUMNS}
        row["action"] = action_label(entry["action"])
        row["entity"] = entity_label(entry["entity"])
        about = refs.get(entry["entity"] or "", {}).get(entry["entity_id"])
        if about is not None:
            text = reference_text(entry["entity"], about)
            row["entity"], row["entity_id"] = text[:1].upper() + text[1:], None
        row["before"] = change_text(entry["before"], refs)
        row["after"] = change_text(entry["after"], refs)
        rows.append(row)
    return rows


def audit_csv(store: Store, entries: list[dict[str, Any]]) -> str:
    """The audit log's CSV for the reader: their column names and words, local time. Cells
    that would run as formulas are neutralised by ``workshop.spreadsheets`` as everywhere."""
    rows = audit_rows(store, entries)
    header = [t(f"privacy.audit.col.{column}") for column in AUDIT_COLUMNS]
    return spreadsheets.reader_csv(
        current_language(), header, [[row[column] for column in AUDIT_COLUMNS] for row in rows]
    )


def audit_json(entries: list[dict[str, Any]]) -> str:
    """The machine-readable file: stored keys and codes, times with their offset."""
    return audit.to_json(entries, local_time=True)
