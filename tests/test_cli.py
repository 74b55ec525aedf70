"""The command line creates accounts without any default password."""

from __future__ import annotations

import io

import pytest

from workshop import cli
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate


def use_locale(monkeypatch: pytest.MonkeyPatch, lang: str = "en_GB.UTF-8") -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", lang)


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "da"),
        ({"LANG": "da_DK.UTF-8"}, "da"),
        ({"LANG": "nb_NO.UTF-8"}, "nb"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "da_DK.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "nb_NO.UTF-8"}, "nb"),
        ({"LANG": "", "LC_ALL": ""}, "da"),
    ],
)
def test_the_cli_speaks_the_server_locale(env: dict[str, str], lang: str) -> None:
    assert cli.cli_language(env) == lang


def test_a_cli_error_speaks_danish_under_a_danish_locale(tmp_path, monkeypatch, capsys) -> None:
    use_locale(monkeypatch, "da_DK.UTF-8")
    code = cli.main(
        ["--db", str(tmp_path / "cli.db"), "restore", str(tmp_path / "nej.db"), "--yes"]
    )
    assert code == 2
    missing = translate("da", "error.backup.missing", path=str(tmp_path / "nej.db"))
    assert capsys.readouterr().err.strip() == missing


def test_create_admin_from_stdin(tmp_path, monkeypatch) -> None:
    db = tmp_path / "cli.db"
    monkeypatch.setattr("sys.stdin", io.StringIO("a long passphrase\n"))
    assert (
        cli.main(
            [
                "--db",
                str(db),
                "create-user",
                "--role",
                "admin",
                "--username",
                "anna",
                "--password-stdin",
            ]
        )
        == 0
    )
    store = open_store(db)
    assert accounts.authenticate(store, "anna", "a long passphrase").role == "admin"


def test_a_short_password_is_refused_with_a_clear_message(tmp_path, monkeypatch, capsys) -> None:
    use_locale(monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code = cli.main(
        [
            "--db",
            str(tmp_path / "cli.db"),
            "create-user",
            "--role",
            "admin",
            "--username",
            "anna",
            "--password-stdin",
        ]
    )
    assert code == 2
    assert "at least 10 characters" in capsys.readouterr().err


def test_demo_accounts_get_random_passwords_written_once(tmp_path, capsys) -> None:
    db = tmp_path / "cli.db"
    assert cli.main(["--db", str(db), "demo-accounts"]) == 0
    first = (tmp_path / "demo-credentials.txt").read_text().splitlines()
    assert [line.split("\t")[0] for line in first] == [
        "demo-admin",
        "demo-facilitator",
        "demo-politician",
    ]
    passwords = [line.split("\t")[2] for line in first]
    assert len(set(passwords)) == 3 and all(len(p) >= 12 for p in passwords)
    store = open_store(db)
    assert accounts.authenticate(store, "demo-facilitator", passwords[1])
    cli.main(["--db", str(db), "demo-accounts"])  # a second run creates nothing new
    assert (tmp_path / "demo-credentials.txt").read_text().splitlines() == first


@pytest.mark.parametrize("force", [False, True])
def test_seed_demo_adds_labelled_data(tmp_path, force) -> None:
    db = tmp_path / "cli.db"
    cli.main(["--db", str(db), "seed-demo"])
    cli.main(["--db", str(db), "seed-demo", *(["--force"] if force else [])])
    titles = [r["title"] for r in open_store(db).query("SELECT title FROM committees")]
    assert len(titles) == (4 if force else 2) and all(t.startswith("DEMO") for t in titles)
