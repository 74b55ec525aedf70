"""Docs as tests: the README names every page, setting and command."""

from __future__ import annotations

from pathlib import Path

from workshop.cli import build_parser
from workshop.config import ENV_VARS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_page_is_in_the_pages_table() -> None:
    for page in sorted((ROOT / "workshop" / "ui" / "pages").glob("*.py")):
        assert f"`workshop/ui/pages/{page.name}`" in README, page.name


def test_every_setting_is_documented() -> None:
    for name in ENV_VARS:
        assert f"`{name}`" in README, name


def test_every_command_is_documented() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in commands:
        assert f"samskab {name}" in README, name


def test_ci_runs_exactly_the_readme_test_command() -> None:
    assert "bash scripts/test" in README
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_the_test_command_runs_the_engine_dependent_tests_on_postgresql_too() -> None:
    """scripts/test starts PostgreSQL and runs every test that carries an engine a second time
    on it (README "Tests" says so)."""
    script = (ROOT / "scripts" / "test").read_text()
    assert "bash scripts/postgres --fast" in script
    assert "SAMSKAB_TEST_DATABASE=postgresql pytest" in script
    assert "-k postgresql tests/test_*.py tests/ui" in script
    assert "SAMSKAB_TEST_DATABASE=postgresql" in README


def test_changelog_exists() -> None:
    assert (ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")
