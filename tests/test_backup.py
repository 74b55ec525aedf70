"""Online backup while the app writes, and restore: `samskab backup` / `samskab restore`."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.factories import join, make_meeting, start
from workshop import app, backup, cli
from workshop.app import open_store
from workshop.errors import InvalidInput, NotAllowed
from workshop.meetings import ideas


def test_backup_while_phones_keep_writing(tmp_path: Path) -> None:
    """A backup taken during a stream of writes is intact and holds a consistent snapshot."""
    db_path = tmp_path / "live.db"
    store = open_store(db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    people = [join(store, meeting, f"P{i}") for i in range(40)]
    stop = threading.Event()
    written: list[int] = []

    def phones() -> None:
        writer = open_store(db_path)  # another connection, as another app process would have
        n = 0
        while not stop.is_set() and n < 20_000:
            who = people[n % len(people)]
            written.append(ideas.submit_idea(writer, who, f"idé {n}", per_minute=10**6).id)
            n += 1
        writer.close()

    thread = threading.Thread(target=phones)
    thread.start()
    try:
        while len(written) < 50:
            time.sleep(0.01)
        before = len(written)
        report = backup.backup(db_path, tmp_path / "backups" / "b.db")
        after = len(written)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert len(written) > after  # the app went on writing after the backup
    copy = sqlite3.connect(report.path)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
    in_copy = copy.execute("SELECT COUNT(*) FROM ideas").fetchone()[0]
    assert before <= in_copy <= after + 1
    # A consistent snapshot: every idea's change number is below the meeting's counter.
    top = copy.execute("SELECT change_seq FROM meetings WHERE id = ?", [meeting.id]).fetchone()[0]
    assert copy.execute("SELECT MAX(seq) FROM ideas").fetchone()[0] <= top
    copy.close()
    assert report.tables["ideas"] == in_copy
    assert not list((tmp_path / "backups").glob("*.partial"))


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(tmp_path: Path) -> None:
    db_path = tmp_path / "app.db"
    store = open_store(db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    ideas.submit_idea(store, anna, "Before the backup")
    saved = backup.backup(db_path, tmp_path / "saved.db").path
    ideas.submit_idea(store, anna, "After the backup")
    store.close()

    counts, safety = app.restore_backup(saved, db_path)

    assert counts["ideas"] == 1
    restored = open_store(db_path)
    assert [i.text for i in ideas.list_ideas(restored, meeting.id)] == ["Before the backup"]
    assert restored.scalar("PRAGMA integrity_check") == "ok"
    assert safety is not None
    kept = sqlite3.connect(safety)
    assert kept.execute("SELECT COUNT(*) FROM ideas").fetchone()[0] == 2
    kept.close()


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"this is not a database at all" * 200, "error.backup.damaged"),
        (None, "error.backup.missing"),
    ],
)
def test_restore_refuses_a_bad_file_and_changes_nothing(tmp_path: Path, content, key) -> None:
    db_path = tmp_path / "app.db"
    store = open_store(db_path)
    make_meeting(store)
    store.close()
    bad = tmp_path / "bad.db"
    if content is not None:
        bad.write_bytes(content)
    with pytest.raises(InvalidInput) as raised:
        app.restore_backup(bad, db_path)
    assert raised.value.key == key
    assert open_store(db_path).scalar("SELECT COUNT(*) FROM meetings") == 1


def test_restore_refuses_a_database_that_is_not_samskab(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(InvalidInput) as raised:
        app.restore_backup(other, tmp_path / "app.db")
    assert raised.value.key == "error.backup.not_samskab"
    assert not (tmp_path / "app.db").exists()


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    db_path = tmp_path / "app.db"
    open_store(db_path).close()
    (tmp_path / "taken.db").write_text("x")
    with pytest.raises(InvalidInput) as raised:
        backup.backup(db_path, tmp_path / "taken.db")
    assert raised.value.key == "error.backup.exists"


def test_backup_and_restore_commands(tmp_path: Path, capsys) -> None:
    db_path = tmp_path / "app.db"
    store = open_store(db_path)
    make_meeting(store)
    store.close()
    out = tmp_path / "b.db"
    assert cli.main(["--db", str(db_path), "backup", "--output", str(out)]) == 0
    assert "integrity check ok" in capsys.readouterr().out
    assert cli.main(["--db", str(db_path), "restore", str(out)]) == 2
    assert "Stop the app first" in capsys.readouterr().err
    assert cli.main(["--db", str(db_path), "restore", str(out), "--yes"]) == 0
    assert "1 meetings" in capsys.readouterr().out
    assert cli.main(["--db", str(db_path), "restore", str(tmp_path / "nope.db"), "--yes"]) == 2
    assert "There is no database file" in capsys.readouterr().err


@pytest.mark.slow
def test_restore_refuses_while_the_app_is_serving_unless_forced(tmp_path: Path, capsys) -> None:
    """A running app holds a lock on its database for its whole life; `samskab restore`
    refuses (clearly, changing nothing) until it has stopped, or when forced."""
    from workshop import devserver
    from workshop.i18n import LANGUAGES, translate

    db_path = tmp_path / "app.db"
    store = open_store(db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    saved = backup.backup(db_path, tmp_path / "saved.db").path
    ideas.submit_idea(store, anna, "After the backup")
    store.close()

    def ideas_now() -> int:
        with sqlite3.connect(db_path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM ideas").fetchone()[0])

    server = devserver.start(db_path, timeout=180)
    try:
        for _ in range(2):
            with pytest.raises(NotAllowed) as refused:
                app.restore_backup(saved, db_path)
            assert refused.value.key == "error.restore.serving"
            code = cli.main(["--db", str(db_path), "restore", str(saved), "--yes"])
            assert code == 2
            err = capsys.readouterr().err
            said = {
                translate(lang, "error.restore.serving", path=str(db_path)) for lang in LANGUAGES
            }
            assert err.strip() in said
            assert ideas_now() == 1  # nothing changed
            assert not list(tmp_path.glob("app.before-restore-*"))
        # Forced, it restores (the operator takes the risk of the running app's caches).
        assert cli.main(["--db", str(db_path), "restore", str(saved), "--yes", "--force"]) == 0
        assert ideas_now() == 0
        # However the app ends (here: killed), the lock goes with it.
        server.process.kill()
        server.process.wait(timeout=30)
        assert cli.main(["--db", str(db_path), "restore", str(saved), "--yes"]) == 0
    finally:
        server.stop()
