"""``samskab``: the few things done on the server, not in the browser.

samskab create-user --role admin --username anna      # asks for the password twice
samskab demo-accounts                                 # random passwords, printed once
samskab seed-demo                                     # the labelled demo committee
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from workshop import accounts, committees, demo
from workshop.config import load_settings
from workshop.db import open_store
from workshop.errors import WorkshopError
from workshop.i18n import translate


def _message(error: WorkshopError) -> str:
    return translate("en", error.key, **error.params)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if os.environ.get("SAMSKAB_NEW_PASSWORD"):
        return os.environ["SAMSKAB_NEW_PASSWORD"]
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise SystemExit("The passwords differ; nothing was created.")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    store = open_store(args.db or load_settings().db_path)
    password = _read_password(args)
    try:
        user = accounts.create_user(store, args.username, password, args.role, args.name or "")
    except WorkshopError as error:
        print(_message(error), file=sys.stderr)
        return 2
    print(f"Created {user.role} account '{user.username}'.")
    return 0


def cmd_demo_accounts(args: argparse.Namespace) -> int:
    settings = load_settings()
    store = open_store(args.db or settings.db_path)
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
    store = open_store(args.db or load_settings().db_path)
    if committees.has_committees(store) and not args.force:
        print("The database already has committees; demo data not added (use --force).")
        return 0
    committee_id = demo.seed_demo(store)
    print(f"Demo committee {committee_id} created.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samskab", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="database file (default: SAMSKAB_DB_PATH or data/samskab.db)")
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

    accounts_cmd = commands.add_parser(
        "demo-accounts", help="create demo accounts with random passwords"
    )
    accounts_cmd.set_defaults(func=cmd_demo_accounts)

    seed = commands.add_parser("seed-demo", help="add the labelled demo committee")
    seed.add_argument("--force", action="store_true")
    seed.set_defaults(func=cmd_seed_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
