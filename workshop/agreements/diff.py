"""The difference between two versions of an agreement: a pure function, no I/O."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str
    removed: tuple[str, ...]  # lines only in the older version
    added: tuple[str, ...]  # lines only in the newer version


def diff_fields(
    before: Mapping[str, str], after: Mapping[str, str], fields: Sequence[str]
) -> list[FieldChange]:
    """The fields whose text differs, in ``fields`` order, with the lines removed and added."""
    changes = []
    for name in fields:
        old, new = before.get(name) or "", after.get(name) or ""
        if old == new:
            continue
        removed, added = [], []
        for line in difflib.ndiff(old.splitlines(), new.splitlines()):
            if line.startswith("- "):
                removed.append(line[2:])
            elif line.startswith("+ "):
                added.append(line[2:])
        changes.append(FieldChange(name, old, new, tuple(removed), tuple(added)))
    return changes
