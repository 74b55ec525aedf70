"""The moderation log's before and after in words, for the console's log table.

The log stores what changed as JSON (``{"hidden": true, "reason": "…"}``, ``{"theme_id": 4}``);
the CSV export keeps it so. A person reads "Skjult: dublet", the idea's text before and after
an edit, "Lagt sammen med #12", a theme by its name. Text someone typed (an idea, a reason, a
theme's name) is returned as typed: the table draws cells as text, never as markdown or HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workshop.i18n import MissingTranslation, formats, translate, translate_count

SEPARATOR = " · "


@dataclass(frozen=True)
class LogNames:
    """What the log's ids point at, as a person knows them: themes by name, steps by their
    place in the agenda ("trin 2: Idéudvikling")."""

    themes: dict[int, str] = field(default_factory=dict)
    steps: dict[int, str] = field(default_factory=dict)


def change_text(raw: str | None, lang: str, names: LogNames, *, reason: str | None = None) -> str:
    """One side (before or after) of a log entry in words; blank for nothing. ``reason``: the
    entry's own reason (its column), not repeated here."""
    if raw is None or raw == "":
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(value, dict):
        return _value(value, lang)
    return SEPARATOR.join(_phrases(value, lang, names, reason))


def _phrases(value: dict[str, Any], lang: str, names: LogNames, reason: str | None) -> list[str]:
    def say(key: str, **params: Any) -> str:
        return translate(lang, f"moderation.log.{key}", **params)

    out: list[str] = []
    if "step_id" in value:
        step = names.steps.get(value["step_id"])
        out.append(step[:1].upper() + step[1:] if step else f"#{value['step_id']}")
    if "text" in value:
        out.append(str(value["text"]))
    if "name" in value:
        out.append(str(value["name"]))
    if "hidden" in value:
        why = value.get("reason")
        if value["hidden"] and why and why != reason:
            out.append(say("hidden_because", reason=why))
        else:
            out.append(say("hidden" if value["hidden"] else "shown"))
    if "held" in value:
        flags = value.get("flags") or []
        if isinstance(flags, str):  # logged as stored ("phone,email") before 2026-12
            flags = flags.split(",")
        if value["held"] and flags:
            found = [_kind(str(kind), lang) for kind in flags]
            out.append(say("held_because", what=formats.word_list(found, lang)))
        else:
            out.append(say("held" if value["held"] else "shown"))
    if "pre_moderation" in value:
        out.append(say("pre_moderation_on" if value["pre_moderation"] else "pre_moderation_off"))
    if "dots" in value:
        out.append(translate_count(lang, "common.dots", int(value["dots"])))
    if "merged_into_id" in value:
        out.append(say("merged_into", idea=f"#{value['merged_into_id']}"))
    if "ideas" in value:
        out.append(translate_count(lang, "moderation.log.ideas", len(value["ideas"])))
    if "theme_id" in value:
        theme = value["theme_id"]
        out.append(say("no_theme") if theme is None else names.themes.get(theme, f"#{theme}"))
    if "participant_removed" in value:
        out.append(say("participant_removed", who=f"#{value['participant_removed']}"))
    known = {
        "step_id",
        "text",
        "name",
        "hidden",
        "reason",
        "held",
        "flags",
        "pre_moderation",
        "dots",
        "merged_into_id",
        "ideas",
        "theme_id",
        "participant_removed",
    }
    # A field a later action adds reads as its value until it has words of its own.
    out += [_value(v, lang) for k, v in value.items() if k not in known]
    return out


def _value(value: Any, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return translate(lang, "audit.yes" if value else "audit.no")
    if isinstance(value, list):
        return ", ".join(_value(item, lang) for item in value)
    if isinstance(value, dict):
        return SEPARATOR.join(_value(item, lang) for item in value.values())
    return str(value)


def _kind(kind: str, lang: str) -> str:
    """A kind of personal data in words; one this version does not know, as logged."""
    try:
        return translate(lang, f"personal_data.kind.{kind}")
    except MissingTranslation:
        return kind
