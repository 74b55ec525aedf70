"""Heavy reports run in worker processes (``workshop.workers``), so that a phone's poll in the
app's process never waits for their GIL; a database that cannot be shared stays in-process."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
import types
import zipfile
from pathlib import Path

import pytest

from workshop import workers
from workshop.app import open_store
from workshop.config import load_settings
from workshop.db import Store
from workshop.errors import InvalidInput, NotFound
from workshop.reports import brief, exports
from workshop.reports import summary as reports

ROOT = Path(__file__).resolve().parents[1]


def pid_of(store: Store) -> int:
    return os.getpid()


def count_committees(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM committees"))


def try_to_write(store: Store) -> None:
    store.execute("INSERT INTO committees (title, task, created_at) VALUES ('x', 'y', 'now')")


def refuse(store: Store, key: str) -> None:
    raise NotFound(key, which=1)


def die(store: Store) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.usefixtures("sqlite_only")
def test_a_job_on_a_shared_file_runs_in_another_process(store: Store) -> None:
    assert store.shareable
    assert workers.run(pid_of, store) != os.getpid()


@pytest.mark.usefixtures("sqlite_only")
def test_a_worker_never_runs_the_script_that_is_main_when_it_starts(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit makes the script that last ran ``__main__``; a spawned worker re-ran it (a page
    under AppTest), died twice and the summary failed. A worker starts without it."""
    page = tmp_path / "page.py"
    page.write_text("raise AssertionError('a page script ran in a report worker')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    workers.shutdown()
    monkeypatch.setitem(sys.modules, "__main__", main)
    try:
        assert workers.run(pid_of, store) != os.getpid()
    finally:
        workers.shutdown()


def test_a_memory_database_keeps_the_job_in_this_process() -> None:
    memory = open_store(":memory:")
    try:
        assert not memory.shareable
        assert workers.run(pid_of, memory) == os.getpid()
    finally:
        memory.close()


def test_zero_workers_keeps_the_job_in_this_process(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(workers.WORKERS_ENV, "0")
    assert workers.run(pid_of, store) == os.getpid()


@pytest.mark.parametrize("value", ["two", "2", "-1"])
def test_a_wrong_worker_setting_is_refused_in_words(
    store: Store, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(workers.WORKERS_ENV, value)
    with pytest.raises(InvalidInput) as refused:
        workers.run(pid_of, store)
    assert refused.value.key == "error.settings.report_workers"


@pytest.mark.parametrize("value", ["two", "2", "-1"])
def test_a_wrong_worker_setting_stops_the_start(value: str) -> None:
    """The server reads its settings when it starts (ui/server.py): a wrong value is found
    then, not at the first report hours later."""
    with pytest.raises(ValueError, match="SAMSKAB_REPORT_WORKERS"):
        load_settings({"SAMSKAB_REPORT_WORKERS": value})
    assert load_settings({"SAMSKAB_REPORT_WORKERS": "0"}).report_workers is False
    assert load_settings({}).report_workers is True


@pytest.mark.usefixtures("sqlite_only")
def test_a_worker_sees_what_was_committed_and_cannot_write(store: Store) -> None:
    before = workers.run(count_committees, store)
    store.execute("INSERT INTO committees (title, task, created_at) VALUES ('Ny', 'Opgave', 'now')")
    assert workers.run(count_committees, store) == before + 1
    with pytest.raises(Exception, match=r"readonly|read-only|query_only|attempt to write"):
        workers.run(try_to_write, store)
    assert count_committees(store) == before + 1


def test_a_domain_error_reaches_the_caller_unchanged(store: Store) -> None:
    with pytest.raises(NotFound) as refused:
        workers.run(refuse, store, "error.not_found")
    assert (refused.value.key, refused.value.params) == ("error.not_found", {"which": 1})


def die_once(marker: str) -> int:
    """Kill this worker the first time (leaving a marker), answer the second time."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def die_always() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_that_dies_is_replaced_and_the_job_tried_once_more(tmp_path: Path) -> None:
    answered_by = workers.compute(die_once, str(tmp_path / "died"), lane="suggestions")
    assert answered_by != os.getpid()
    assert (tmp_path / "died").exists()


def test_a_job_that_kills_its_worker_twice_is_refused_in_words_not_run_here() -> None:
    with pytest.raises(workers.ReportFailed) as refused:
        workers.compute(die_always, lane="suggestions")
    assert refused.value.key == "error.reports.worker_failed"
    # this process is alive (the job was never moved here) and the lane works again
    assert workers.compute(os.getpid, lane="suggestions") != os.getpid()


def test_a_worker_ends_when_its_app_is_killed(tmp_path: Path) -> None:
    """No orphan holds the database open after ``kill -9`` of the app."""
    script = tmp_path / "app.py"
    script.write_text(
        "import os, sys\n"
        "from workshop import workers\n"
        "if __name__ == '__main__':\n"
        "    print(workers.compute(os.getpid), flush=True)\n"
        "    sys.stdin.read()\n"
    )
    app = subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert app.stdout is not None
    worker = int(app.stdout.readline())
    assert alive(worker)
    app.kill()
    app.wait()
    deadline = time.monotonic() + 3 * workers.PARENT_CHECK_S + 10
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(worker), f"worker {worker} outlived its app"


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.usefixtures("sqlite_only")
def test_a_restored_file_is_read_afresh_by_the_worker(store: Store, tmp_path: Path) -> None:
    before = workers.run(count_committees, store)
    copy = tmp_path / "copy.db"
    other = open_store(copy)
    for title in ("Kopi 1", "Kopi 2", "Kopi 3"):
        other.execute(
            "INSERT INTO committees (title, task, created_at) VALUES (?, 'Opgave', 'now')", [title]
        )
    other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    other.close()
    assert before != 3
    replaced = Path(store.path + ".new")
    shutil.copyfile(copy, replaced)
    os.replace(replaced, store.path)  # as a restore does: a new file under the same name
    reread = open_store(store.path)
    try:
        assert workers.run(count_committees, reread) == 3
    finally:
        reread.close()


def test_the_summary_export_and_brief_are_built_in_a_worker(
    store: Store, monkeypatch: pytest.MonkeyPatch, meeting
) -> None:
    jobs: list[str] = []
    real_run = workers.run

    def recording(job, store, *args, **kwargs):
        jobs.append(job.__name__)
        return real_run(job, store, *args, **kwargs)

    real_compute = workers.compute

    def recording_pure(fn, *args, **kwargs):
        jobs.append(fn.__name__)
        return real_compute(fn, *args, **kwargs)

    monkeypatch.setattr(workers, "run", recording)
    monkeypatch.setattr(workers, "compute", recording_pure)
    reports.summary_cache().clear()
    assert reports.get_summary(store, None).is_demo is False
    assert exports.export_file(store, None, "json").startswith(b"{")
    assert brief.brief_file(store, None, "da").startswith(b"%PDF")
    # the brief is laid out from the summary this process has cached: no second summary
    assert jobs == ["build_summary", "build_export_file", "build_brief"]


def test_an_export_from_a_worker_is_the_export_built_here(
    store: Store, monkeypatch: pytest.MonkeyPatch, meeting
) -> None:
    from_worker = exports.export_file(store, None, "csv")
    monkeypatch.setenv(workers.WORKERS_ENV, "0")
    here = exports.export_file(store, None, "csv")
    assert unzipped(from_worker) == unzipped(here)


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
