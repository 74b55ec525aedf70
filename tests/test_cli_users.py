"""The command line administers staff accounts: deactivate, reactivate, set a role, reset a
password; each is audited, and a bad case is refused with a clear message that changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from workshop import cli
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.db import Store
from workshop.errors import WorkshopError
from workshop.model import Role

PASSWORD = "a long passphrase"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    store = open_store(path)
    accounts.create_user(store, "ada", PASSWORD, Role.ADMIN)
    accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR)
    store.close()
    return path


def run(db: Path, *args: str) -> int:
    return cli.main(["--db", str(db), *args])


def opened(db: Path) -> Store:
    return open_store(db)


def said(key: str, **params: object) -> str:
    """The CLI's wording of an error key, in whatever language the CLI speaks."""
    return cli._message(WorkshopError(key, **params))


def row(db: Path, username: str) -> dict:
    found = opened(db).query_one("SELECT * FROM users WHERE username = ?", [username])
    assert found is not None
    return found


def test_deactivate_and_reactivate_a_user(db, capsys) -> None:
    assert run(db, "deactivate-user", "--username", "fie") == 0
    assert row(db, "fie")["active"] == 0
    assert "fie" in capsys.readouterr().out
    assert run(db, "reactivate-user", "--username", "fie") == 0
    assert row(db, "fie")["active"] == 1
    actions = [r["action"] for r in opened(db).query("SELECT action FROM audit_log ORDER BY id")]
    assert actions[-2:] == ["set_active", "set_active"]


def test_set_role_is_audited(db) -> None:
    assert run(db, "set-role", "--username", "fie", "--role", "politician") == 0
    assert row(db, "fie")["role"] == "politician"
    entry = opened(db).query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert entry is not None and entry["action"] == "set_role" and entry["actor"] == "system"


def test_reset_password_from_stdin(db, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert run(db, "reset-password", "--username", "fie", "--password-stdin") == 0
    assert accounts.authenticate(opened(db), "fie", "a brand new passphrase").username == "fie"


NOBODY = {"username": "nobody"}


@pytest.mark.parametrize(
    ("args", "key", "params"),
    [
        (("deactivate-user", "--username", "ada"), "error.account.last_admin", {}),
        (("set-role", "--username", "ada", "--role", "politician"), "error.account.last_admin", {}),
        (("deactivate-user", "--username", "nobody"), "error.account.unknown_user", NOBODY),
        (("reactivate-user", "--username", "nobody"), "error.account.unknown_user", NOBODY),
        (
            ("set-role", "--username", "nobody", "--role", "admin"),
            "error.account.unknown_user",
            NOBODY,
        ),
    ],
)
def test_bad_cases_are_refused_clearly_and_change_nothing(db, capsys, args, key, params) -> None:
    before = opened(db).query("SELECT * FROM users ORDER BY id")
    assert run(db, *args) == 2
    assert said(key, **params) in capsys.readouterr().err
    assert opened(db).query("SELECT * FROM users ORDER BY id") == before


def test_a_weak_new_password_is_refused(db, monkeypatch, capsys) -> None:
    before = row(db, "fie")["password_hash"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert run(db, "reset-password", "--username", "fie", "--password-stdin") == 2
    expected = said("error.account.password_short", min=accounts.MIN_PASSWORD_CHARS)
    assert expected in capsys.readouterr().err
    assert row(db, "fie")["password_hash"] == before


def test_an_unknown_user_gets_no_password_prompt(db, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert run(db, "reset-password", "--username", "nobody", "--password-stdin") == 2
    assert said("error.account.unknown_user", username="nobody") in capsys.readouterr().err
