"""The server process's garbage-collector settings (workshop/ui/runtime.py)."""

from __future__ import annotations

import subprocess
import sys

from workshop.config import PROJECT_ROOT


def test_the_first_run_freezes_the_imported_heap_and_raises_the_threshold() -> None:
    # In a fresh interpreter: freezing is for the life of a process, not for the test run.
    script = (
        "import gc; from workshop.ui import runtime;"
        "before = gc.get_threshold(); runtime.tune_process(); frozen = gc.get_freeze_count();"
        "runtime.tune_process();"
        "print(before, gc.get_threshold(), frozen > 100_000, gc.get_freeze_count() == frozen)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "(700, 10, 10) (50000, 20, 10) True True"


def test_the_first_run_shortens_the_gil_switch_interval() -> None:
    """A phone's poll waits for the GIL at each sqlite3 call behind a thread building an export:
    1 ms a hand-off instead of 5 (README, "Reads beside writes")."""
    script = (
        "import sys; from workshop.ui import runtime;"
        "before = sys.getswitchinterval(); runtime.tune_process();"
        "print(round(before * 1000, 3), round(sys.getswitchinterval() * 1000, 3))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "5.0 1.0"
