"""``samskab``: the few things done on the server, not in the browser.

samskab create-user --role admin --username anna      # asks for the password twice
samskab deactivate-user --username fie                # ends fie's sessions; reactivate-user undoes
samskab set-role --username fie --role politician     # another staff role
samskab reset-password --username fie                 # asks for the new password twice
samskab demo-accounts                                 # random passwords, printed once
samskab seed-demo                                     # the labelled demo committee
samskab backup                                        # online backup while the app runs
samskab restore data/backups/samskab-….db --yes       # put a backup back (not while serving)
samskab migrate-db --to postgresql://user@host/db     # copy the SQLite file into PostgreSQL
samskab purge                                         # retention: anonymise old meetings
samskab export-audit --format csv --output audit.csv  # the audit log for an auditor
samskab remind --days 7                               # e-mail owners of what is due (cron)
samskab replay-draw 7                                 # reproduce a published draw, compare
samskab replay-draw --record draw-7.json              # the same from the downloaded record
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from workshop import app, audit, committees, demo
from workshop import backup as backups
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.config import load_settings
from workshop.db import is_postgres, safe_url
from workshop.errors import WorkshopError
from workshop.i18n import (
    DEFAULT_LANGUAGE,
    formats,
    language_from_locale,
    translate,
    translate_error,
)
from workshop.privacy import core as privacy


def cli_language(env: Mapping[str, str] | None = None) -> str:
    """The server's locale speaks, as the browser's does on the pages: the first of LC_ALL,
    LC_MESSAGES and LANG that is set (``da_DK.UTF-8`` → da, ``nb_NO`` → nb); none set → the
    app's default language (da); ``C``, ``POSIX`` or any other language → en."""
    env = os.environ if env is None else env
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(name):
            return language_from_locale(env[name])
    return DEFAULT_LANGUAGE


def _message(error: WorkshopError) -> str:
    return translate_error(cli_language(), error)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("SAMSKAB_NEW_PASSWORD"):
        return os.environ["SAMSKAB_NEW_PASSWORD"]
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("The passwords differ; nothing was changed.")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    password = _read_password(args)
    try:
        user = accounts.create_user(store, args.username, password, args.role, args.name or "")
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    print(f"Created {user.role} account '{user.username}'.")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    store = open_store(_database(args))
    try:
        user = accounts.get_user_by_username(store, args.username)
        accounts.set_active(store, user.id, active, actor=None)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    if active:
        print(f"Account '{user.username}' is active again.")
    else:
        print(f"Account '{user.username}' is deactivated; its sessions have ended.")
    return 0


def cmd_deactivate_user(args: argparse.Namespace) -> int:
    return _set_active(args, False)


def cmd_reactivate_user(args: argparse.Namespace) -> int:
    return _set_active(args, True)


def cmd_set_role(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    try:
        user = accounts.get_user_by_username(store, args.username)
        accounts.set_role(store, user.id, args.role, actor=None)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    print(f"Account '{user.username}' now has the role {args.role}.")
    return 0


def cmd_reset_password(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    try:
        user = accounts.get_user_by_username(store, args.username)  # before asking anything
        accounts.set_password(store, user.id, _read_password(args), actor=None)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    print(f"New password set for '{user.username}'; its sessions have ended.")
    return 0


def cmd_demo_accounts(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = open_store(_database(args))
    credentials = Path(args.db or settings.db_path).parent / "demo-credentials.txt"
    created = demo.ensure_demo_accounts(store, credentials)
    if created:
        print(f"Demo accounts (passwords are random and shown only now; also in {credentials}):")
        for username, role, password in created:
            print(f"  {role:<12} {username:<18} {password}")
    elif credentials.exists():
        print(f"Demo accounts exist; their passwords are in {credentials}.")
    else:
        print("Demo accounts exist.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    if committees.has_committees(store) and not args.force:
        print("The database already has committees; demo data not added (use --force).")
        return 0
    committee_id = demo.seed_demo(store)
    print(f"Demo committee {committee_id} created.")
    return 0


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db or load_settings().db_path)


def _database(args: argparse.Namespace) -> str | Path:
    """The database to open: --db, else SAMSKAB_DATABASE_URL, else the SQLite file."""
    target = args.db or load_settings().database
    return str(target) if is_postgres(target) else Path(target)


def _postgres_refusal(args: argparse.Namespace, key: str) -> int | None:
    """``backup`` and ``restore`` are SQLite's (its backup API, the file, the serving lock).
    On PostgreSQL they say so, and name pg_dump and pg_restore (docs/deployment.md,
    "PostgreSQL"), instead of quietly copying a SQLite file the app no longer uses."""
    target = _database(args)
    if not is_postgres(target):
        return None
    print(translate(cli_language(), key, url=safe_url(str(target))), file=sys.stderr)
    return 2


def cmd_backup(args: argparse.Namespace) -> int:
    if (refused := _postgres_refusal(args, "error.backup.postgresql")) is not None:
        return refused
    db_path = _db_path(args)
    destination = Path(args.output) if args.output else backups.default_backup_path(db_path)
    try:
        report = backups.backup(db_path, destination)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    counts = ", ".join(f"{n} {name}" for name, n in report.tables.items())
    print(
        f"Backup written to {report.path} ({report.bytes / 1e6:.1f} MB, {report.seconds:.2f} s);"
        f" integrity check ok; {counts}."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    if (refused := _postgres_refusal(args, "error.restore.postgresql")) is not None:
        return refused
    db_path = _db_path(args)
    if not args.yes:
        print(
            f"This replaces {db_path} with {args.backup}. Stop the app first, then run the"
            " command again with --yes. (A copy of the current database is kept.)",
            file=sys.stderr,
        )
        return 2
    try:
        counts, safety = app.restore_backup(args.backup, db_path, force=args.force)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    summary = ", ".join(f"{n} {name}" for name, n in counts.items())
    print(f"Restored {db_path} from {args.backup}: {summary}.")
    if safety is not None:
        print(f"The database as it was before is kept in {safety}.")
    return 0


def cmd_migrate_db(args: argparse.Namespace) -> int:
    lang = cli_language()
    if args.db and is_postgres(args.db):
        print(
            translate(lang, "error.migrate.source_not_sqlite", url=safe_url(args.db)),
            file=sys.stderr,
        )
        return 2
    source = _db_path(args)
    try:
        report = app.migrate_to_postgres(source, args.to)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    print(translate(lang, "migrate.title", path=str(source), url=safe_url(args.to)))
    width = max(len(t.name) for t in report.tables)
    print(
        f"  {translate(lang, 'migrate.column.table'):<{width}}  "
        f"{translate(lang, 'migrate.column.source'):>10}  "
        f"{translate(lang, 'migrate.column.target'):>10}  "
        f"{translate(lang, 'migrate.column.check')}"
    )
    for table in report.tables:
        check = translate(lang, "migrate.same" if table.same else "migrate.differs")
        print(f"  {table.name:<{width}}  {table.source_rows:>10}  {table.target_rows:>10}  {check}")
    if report.committed:
        print(
            translate(
                lang,
                "migrate.done",
                tables=len(report.tables),
                rows=report.rows,
                seconds=f"{report.seconds:.1f}",
            )
        )
        return 0
    differ = ", ".join(t.name for t in report.tables if not t.same)
    print(translate(lang, "migrate.rolled_back", tables=differ), file=sys.stderr)
    return 1


def _retention(days: int) -> str:
    return f"{days} days" if days > 0 else "never"


def cmd_purge(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    settings = privacy.load_privacy_settings()
    days = settings.retention_days if args.days is None else args.days
    if days <= 0:
        print("Retention is off (SAMSKAB_RETENTION_DAYS=0); only old rate-limit events go.")
    report = privacy.purge_expired(store, days=days, dry_run=args.dry_run, settings=settings)
    verb = "Would anonymise" if report.dry_run else "Anonymised"
    policy = "kept without names" if settings.keep_anonymised_ideas else "deleted"
    print(
        f"{verb} {report.participants} participants in {report.meetings} meetings idle since"
        f" {report.cutoff[:10]}; their ideas {policy}"
        f" ({report.ideas_kept} kept, {report.ideas_deleted} deleted);"
        f" {report.typed_names_removed} names typed by facilitators removed;"
        f" {report.rate_events} rate-limit events older than a day removed;"
        f" {report.applications} applications and {report.members} committee members past"
        f" their retention anonymised"
        f" ({_retention(settings.application_retention_days)} after recruitment closed,"
        f" {_retention(settings.member_retention_days)} after the membership ended)."
    )
    return 0


def cmd_export_audit(args: argparse.Namespace) -> int:
    store = open_store(_database(args))
    entries = audit.query_entries(store, since=args.since, until=args.until)
    text = audit.to_csv(entries) if args.format == "csv" else audit.to_json(entries)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{len(entries)} audit entries written to {args.output}.")
    else:
        sys.stdout.write(text)
    return 0


def cmd_remind(args: argparse.Namespace) -> int:

    from workshop.feedback.core import configured_sender
    from workshop.reminders import due as reminders

    lang = cli_language()
    if args.days < 0:
        print(translate(lang, "error.remind.days"), file=sys.stderr)
        return 2
    store = open_store(_database(args))
    report = reminders.send_reminders(
        store,
        today=formats.today(),
        days=args.days,
        sender=None if args.dry_run else configured_sender(),
        dry_run=args.dry_run,
        lang=lang,
    )
    for line in report.lines:
        print(line)
    if not report.reminders:
        print(translate(lang, "reminder.none", days=args.days))
    elif args.dry_run:
        print(
            translate(
                lang,
                "reminder.summary_dry",
                would=report.would_send,
                already=report.already_sent,
                no_address=len(report.no_address),
            )
        )
    else:
        print(
            translate(
                lang,
                "reminder.summary",
                sent=report.sent,
                failed=report.failed,
                already=report.already_sent,
                no_address=len(report.no_address),
            )
        )
    return 1 if report.failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samskab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db",
        help=(
            "database file or postgresql:// URL (default: SAMSKAB_DATABASE_URL, else"
            " SAMSKAB_DB_PATH or data/samskab.db)"
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create-user", help="create an admin, facilitator or politician")
    create.add_argument("--username", required=True)
    create.add_argument("--role", required=True, choices=["admin", "facilitator", "politician"])
    create.add_argument("--name", help="display name")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (for scripts)",
    )
    create.set_defaults(func=cmd_create_user)

    for name, func, summary in (
        ("deactivate-user", cmd_deactivate_user, "deactivate a staff account (ends its sessions)"),
        ("reactivate-user", cmd_reactivate_user, "let a deactivated staff account log in again"),
    ):
        toggle = commands.add_parser(name, help=summary)
        toggle.add_argument("--username", required=True)
        toggle.set_defaults(func=func)

    role_cmd = commands.add_parser("set-role", help="give a staff account another role")
    role_cmd.add_argument("--username", required=True)
    role_cmd.add_argument("--role", required=True, choices=["admin", "facilitator", "politician"])
    role_cmd.set_defaults(func=cmd_set_role)

    reset_cmd = commands.add_parser(
        "reset-password", help="set a new password for a staff account (ends its sessions)"
    )
    reset_cmd.add_argument("--username", required=True)
    reset_cmd.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from standard input (for scripts)",
    )
    reset_cmd.set_defaults(func=cmd_reset_password)

    accounts_cmd = commands.add_parser(
        "demo-accounts", help="create demo accounts with random passwords"
    )
    accounts_cmd.set_defaults(func=cmd_demo_accounts)

    seed = commands.add_parser("seed-demo", help="add the labelled demo committee")
    seed.add_argument("--force", action="store_true")
    seed.set_defaults(func=cmd_seed_demo)

    backup_cmd = commands.add_parser(
        "backup",
        help="online backup with SQLite's backup API (the app may keep running); on"
        " PostgreSQL use pg_dump (docs/deployment.md)",
    )
    backup_cmd.add_argument(
        "--output", help="backup file (default: data/backups/<db name>-<UTC time>.db)"
    )
    backup_cmd.set_defaults(func=cmd_backup)

    restore_cmd = commands.add_parser(
        "restore",
        help="replace the database with a backup (stop the app first); on PostgreSQL use"
        " pg_restore (docs/deployment.md)",
    )
    restore_cmd.add_argument("backup", help="a file written by 'samskab backup'")
    restore_cmd.add_argument("--yes", action="store_true", help="really replace the database")
    restore_cmd.add_argument(
        "--force",
        action="store_true",
        help="restore even while the app is serving the database (it keeps stale caches)",
    )
    restore_cmd.set_defaults(func=cmd_restore)

    migrate_cmd = commands.add_parser(
        "migrate-db",
        help="copy the SQLite database (--db, else SAMSKAB_DB_PATH) into an empty PostgreSQL"
        " database in one transaction; per-table counts and checksums compared",
    )
    migrate_cmd.add_argument(
        "--to", required=True, metavar="URL", help="the target, postgresql://user@host:port/db"
    )
    migrate_cmd.set_defaults(func=cmd_migrate_db)

    purge_cmd = commands.add_parser(
        "purge", help="retention: anonymise participants of meetings idle for N days"
    )
    purge_cmd.add_argument("--days", type=int, help="default: SAMSKAB_RETENTION_DAYS (365)")
    purge_cmd.add_argument("--dry-run", action="store_true", help="count, change nothing")
    purge_cmd.set_defaults(func=cmd_purge)

    export_cmd = commands.add_parser("export-audit", help="export the audit log as CSV or JSON")
    export_cmd.add_argument("--format", choices=["csv", "json"], default="csv")
    export_cmd.add_argument("--output", help="file to write (default: standard output)")
    export_cmd.add_argument("--since", help="first day or time, e.g. 2026-11-01")
    export_cmd.add_argument("--until", help="last day or time, e.g. 2026-11-30")
    export_cmd.set_defaults(func=cmd_export_audit)

    remind_cmd = commands.add_parser(
        "remind",
        help="e-mail the owners of commitments, feedback promises and outcome reviews that are"
        " due within N days or overdue (for cron or a systemd timer)",
    )
    remind_cmd.add_argument("--days", type=int, default=7, help="look this many days ahead (7)")
    remind_cmd.add_argument("--dry-run", action="store_true", help="list, send nothing")
    remind_cmd.set_defaults(func=cmd_remind)
    replay_cmd = commands.add_parser(
        "replay-draw", help="reproduce a published committee draw from its record and compare"
    )
    replay_cmd.add_argument(
        "draw_id", type=int, nargs="?", help="the draw's number (#) on its record"
    )
    replay_cmd.add_argument(
        "--record",
        metavar="FILE",
        help="replay from a downloaded draw record (JSON) alone, without the database",
    )
    replay_cmd.set_defaults(func=cmd_replay_draw)
    return parser


def cmd_replay_draw(args: argparse.Namespace) -> int:

    lang = cli_language()

    def say(key: str, **params: object) -> None:
        print(translate(lang, key, **params))

    if args.record:
        return _replay_record_file(args.record, lang, say)
    if args.draw_id is None:
        print(translate(lang, "error.draw.which"), file=sys.stderr)
        return 2
    from workshop.committees import recruitment

    store = open_store(_database(args))
    try:
        replay = recruitment.replay_draw(store, args.draw_id)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    say(
        "draw.replay.title",
        id=replay.draw_id,
        method=translate(lang, f"draw.method.{replay.method}"),
    )
    say("draw.replay.fingerprint", fingerprint=replay.recorded_fingerprint)
    if not replay.fingerprint_matches:
        say("draw.replay.fingerprint_changed", fingerprint=replay.current_fingerprint)
    elif replay.distribution_matches is not None:
        _say_lottery(say, lang, replay.distribution_matches, replay.largest_difference or 0)
    _say_panel(say, replay.panel_matches, replay.recomputed_selected)
    say("draw.replay.matches" if replay.matches else "draw.replay.mismatch")
    return 0 if replay.matches else 1


def _say_lottery(say: Callable[..., None], lang: str, same: bool, difference: float) -> None:
    """The lottery computed again: the same, other chances, or the same chances in other
    compositions (then "different, largest difference 0" would contradict itself)."""
    from workshop.i18n.formats import decimal

    if same:
        key = "draw.replay.lottery_same"
    elif difference == 0:
        key = "draw.replay.lottery_compositions_differ"
    else:
        key = "draw.replay.lottery_differs"
    say(key, difference=decimal(difference, lang, decimals=9))


def _say_panel(say: Callable[..., None], same: bool, selected: Sequence[object]) -> None:
    say(
        "draw.replay.panel_same" if same else "draw.replay.panel_differs",
        selected=", ".join(str(i) for i in selected),
    )


def _replay_record_file(path: str, lang: str, say: Callable[..., None]) -> int:
    """``replay-draw --record FILE``: the downloaded record alone, no database."""
    import json

    from workshop.committees import sortition

    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise ValueError(path)
    except (OSError, ValueError):
        print(translate(lang, "error.draw.record_unreadable", path=path), file=sys.stderr)
        return 2
    try:
        replay = sortition.replay_record(record)
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    except (KeyError, TypeError, ValueError):
        print(translate(lang, "error.draw.record_unreadable", path=path), file=sys.stderr)
        return 2
    method = translate(lang, f"draw.method.{record.get('method', 'leximin')}")
    say("draw.replay.title", id=record.get("draw", "?"), method=method)
    say("draw.replay.fingerprint", fingerprint=record["applicants_digest"])
    _say_lottery(say, lang, replay.lottery_matches, replay.largest_difference)
    _say_panel(say, replay.panel_matches, replay.selected)
    if replay.differences:
        fields = [translate(lang, f"draw.record_field.{name}") for name in replay.differences]
        say("draw.replay.differs_in", fields=", ".join(fields))
    say("draw.replay.matches" if replay.matches else "draw.replay.mismatch")
    return 0 if replay.matches else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except WorkshopError as error:  # e.g. the database cannot be opened: a message, no trace
        print(_message(error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
