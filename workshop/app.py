"""The composition root: the one module that knows every feature.

It lists the migration sets of every feature in the order they are applied, and opens the
database with them. The Streamlit app (``workshop.ui.process``), the command line
(``workshop.cli``), the benchmarks and the tests open a database through here; nothing below
it does (``workshop.db`` imports no feature, and the import contracts in ``pyproject.toml``
keep it that way).
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Migrations

from workshop import backup, db, migrate_db, schema, schema_pg
from workshop.accounts import sessions as staff_sessions
from workshop.agreements import schema as agreement_schema
from workshop.committees import schema as committee_schema
from workshop.committees import year_schema as committee_year_schema
from workshop.errors import InvalidInput
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.meetings import idea_status, moderation, participants, screen
from workshop.outcomes import schema as outcome_schema
from workshop.privacy import core as privacy
from workshop.voting import methods as vote_methods


def migration_sets() -> list[Migrations]:
    """Every migration set, in the order they are applied.

    The foundation (``workshop.schema``) comes first; each feature that owns tables keeps its
    own named set next to its code, so features grow their schema independently, and a set
    may reference the tables of the sets before it. Never reorder applied sets: add new ones
    at the end.
    """
    return [
        schema.migrations,
        idea_status.migrations,
        committee_schema.migrations,
        meetings.migrations,
        moderation.migrations,
        vote_methods.migrations,
        agreement_schema.migrations,
        feedback.migrations,
        outcome_schema.migrations,
        privacy.migrations,
        staff_sessions.migrations,
        participants.migrations,
        committee_year_schema.migrations,
        screen.migrations,
    ]


def postgres_migration_sets() -> list[db.PgMigrations]:
    """The migration sets of a PostgreSQL database (``workshop.schema_pg``: a baseline equal
    to the SQLite sets above as they stood, then a migration beside each new SQLite one)."""
    return [schema_pg.migrations]


def open_store(path: str | Path) -> db.Store:
    """Open (and create or migrate) the database at ``path``: a SQLite file, or a
    ``postgresql://`` URL."""
    return db.open_store(path, migration_sets(), postgres_migration_sets())


def shared_store(path: str | Path) -> db.Store:
    """One Store per database per process (every Streamlit session shares it)."""
    return db.shared_store(path, migration_sets(), postgres_migration_sets())


def restore_backup(
    backup_path: str | Path, db_path: str | Path, *, force: bool = False
) -> tuple[dict[str, int], Path | None]:
    """Put a backup in place of the database and bring it up to the current schema."""
    return backup.restore(
        backup_path, db_path, migrate=lambda path: open_store(path).close(), force=force
    )


def sqlite_migration_names() -> set[tuple[str, str]]:
    """Every (set, name) a SQLite database at this version's schema has applied."""
    return {(s.name, m.name) for s in migration_sets() for m in s._migrations}


def migrate_to_postgres(sqlite_path: str | Path, url: str) -> migrate_db.CopyReport:
    """``samskab migrate-db``: check the SQLite file (this version's schema), open the target
    (migrated to the same schema; an unreachable URL or a newer schema stops here), refuse a
    target with rows, then copy in one transaction and check (``workshop.migrate_db``)."""
    if not db.is_postgres(url):
        raise InvalidInput("error.migrate.target_not_postgres", url=url)
    # An app still writing to the file would write past the copy: refused while one serves it,
    # and app processes that start meanwhile wait (as for ``samskab restore``).
    with db.no_app_serving(sqlite_path, refusal="error.migrate.serving"):
        return _copy_to_postgres(sqlite_path, url)


def _copy_to_postgres(sqlite_path: str | Path, url: str) -> migrate_db.CopyReport:
    source = migrate_db.open_source(sqlite_path, sqlite_migration_names())
    try:
        target = open_store(url)
        try:
            if not isinstance(target, db.PgStore):  # pragma: no cover - is_postgres said so
                raise InvalidInput("error.migrate.target_not_postgres", url=url)
            migrate_db.check_empty(target)
            return migrate_db.copy_to_postgres(source, target)
        finally:
            target.close()
    finally:
        source.close()
