"""The README's glossary is complete: every domain class and every table the code uses is in it,
with a Danish and a Norwegian word."""

from __future__ import annotations

import ast
import re
from enum import Enum
from importlib import import_module
from pathlib import Path

import pytest

from workshop.db import Store

ROOT = Path(__file__).resolve().parents[1]
# The vocabulary modules: every public class in them is a domain noun.
VOCABULARY_MODULES = ("workshop/model.py", "workshop/committees/model.py")


def glossary_rows() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Glossary\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and cells[0] not in ("word", "---"):
            rows.append(cells)
    return rows


def glossary_names() -> set[str]:
    return {name for row in glossary_rows() for name in re.findall(r"`([\w.]+)`", row[4])}


def domain_classes() -> set[str]:
    names: set[str] = set()
    for relative in VOCABULARY_MODULES:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        names |= {
            node.name
            for node in tree.body
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
        }
    # Every enum of a feature (StrEnum, IntEnum…) names domain values (ui excluded: it shows them).
    for path in (ROOT / "workshop").rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[1] == "ui":
            continue
        module = import_module(".".join(relative.with_suffix("").parts).removesuffix(".__init__"))
        names |= {
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, Enum)
            and value.__module__ == module.__name__
        }
    return names


def test_every_domain_class_is_in_the_glossary() -> None:
    missing = domain_classes() - glossary_names()
    assert not missing, f"add these to the README glossary: {sorted(missing)}"


def _tables_and_views(store: Store) -> set[str]:
    if store.engine == "postgresql":
        sql = (
            "SELECT table_name AS name FROM information_schema.tables"
            " WHERE table_schema = current_schema()"
        )
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_%' ESCAPE '\\'"
        )
    return {row["name"] for row in store.query(sql)}


def test_every_table_and_view_is_in_the_glossary(store: Store) -> None:
    tables = _tables_and_views(store) - {"samskab_migrations"}
    missing = tables - glossary_names()
    assert not missing, f"add these to the README glossary: {sorted(missing)}"


@pytest.mark.parametrize("row", glossary_rows(), ids=lambda row: row[0])
def test_every_word_has_danish_and_norwegian(row: list[str]) -> None:
    word, danish, norwegian, meaning, _ = row
    assert word and danish and norwegian and meaning


def test_the_glossary_names_nothing_that_does_not_exist(store: Store) -> None:
    """A renamed class or table must be renamed in the glossary too."""
    if store.engine == "postgresql":  # as sqlite_master: tables, views, indexes, triggers
        tables = _tables_and_views(store) | {
            row["name"]
            for row in store.query(
                "SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema()"
                " UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        }
    else:
        tables = {row["name"] for row in store.query("SELECT name FROM sqlite_master")}
    source = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "workshop").rglob("*.py")
    )
    for name in glossary_names():
        if "." in name:  # table.column
            table, column = name.split(".")
            assert store.has_column(table, column), name
        elif name not in tables:
            assert re.search(rf"^class {name}\b", source, re.M), name
