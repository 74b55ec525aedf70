"""The house's rules that import-linter's contracts (pyproject.toml, run by scripts/test) do not
cover: no import circle anywhere, imports inside functions included; the ground floor imports
no feature; one composition root knows every migration set."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
FEATURES = (
    "accounts",
    "agreements",
    "barometer",
    "committees",
    "feedback",
    "meetings",
    "outcomes",
    "privacy",
    "reminders",
    "reports",
    "voting",
)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # grimp reads every import statement, those inside functions as well.
    return grimp.build_graph("workshop", cache_dir=None)


def import_circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), plus self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def test_no_module_takes_part_in_an_import_circle(graph: grimp.ImportGraph) -> None:
    assert import_circles(graph) == []


def test_the_ground_floor_imports_no_feature(graph: grimp.ImportGraph) -> None:
    imported = graph.find_modules_directly_imported_by("workshop.db")
    assert imported <= {"workshop.errors"}, imported
    for module in ("workshop.db", "workshop.schema", "workshop.model", "workshop.audit"):
        for feature in FEATURES:
            assert not graph.chain_exists(module, f"workshop.{feature}", as_packages=True), (
                module,
                feature,
            )


def test_only_the_composition_root_lists_the_migration_sets() -> None:
    """Every ``Migrations(...)`` set in the package is applied, by ``workshop.app`` alone."""
    from workshop import app

    declared = set()
    for path in (ROOT / "workshop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Migrations"
            ):
                declared.add(node.args[0].value)  # type: ignore[attr-defined]
    applied = [migration_set.name for migration_set in app.migration_sets()]
    # ... and nothing else opens a store with them or lists them.
    for path in [ROOT / "streamlit_app.py", *(ROOT / "workshop").rglob("*.py")]:
        if path == ROOT / "workshop" / "app.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "def migration_sets" not in text, path
        assert "db.open_store(" not in text and "from workshop.db import open_store" not in text, (
            path
        )
    assert applied[0] == "samskab"
    assert sorted(applied) == sorted(declared)
    assert len(applied) == len(set(applied))


def test_each_capability_states_its_public_api() -> None:
    for feature in FEATURES:
        init = ROOT / "workshop" / feature / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring, f"workshop/{feature}/__init__.py has no docstring"
        assert "Public API" in docstring or "__all__" in init.read_text(encoding="utf-8"), feature


def test_no_feature_module_sits_on_the_top_floor() -> None:
    """Top-level modules are the ground floor, the platform, the entry points and the root;
    a feature lives in its folder."""
    allowed = {
        "__init__",
        "app",
        "audit",
        "backup",
        "cache",
        "chart_layout",
        "cli",
        "config",
        "db",
        "demo",
        "devserver",
        "errors",
        "link_secrets",
        "migrate_db",  # the platform's copy from SQLite to PostgreSQL, beside backup
        "model",
        "ratelimit",
        "schema",
        "schema_pg",  # the schema on PostgreSQL, beside schema (the foundation on SQLite)
        "spreadsheets",
        "text",
        "workers",
    }
    top = {path.stem for path in (ROOT / "workshop").glob("*.py")}
    assert top <= allowed, top - allowed
