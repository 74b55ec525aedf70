"""The real app as a subprocess on 127.0.0.1, with a seeded database, for the live benchmarks.

Used by ``room_load.py`` and ``projector_latency.py``. The server runs exactly as in
production (``streamlit run streamlit_app.py`` with ``.streamlit/config.toml``: no GC after
each run, uvloop from ``streamlit[performance]``), only bound to loopback.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workshop import accounts, committees, devserver, meetings  # noqa: E402
from workshop.db import Store, open_store  # noqa: E402
from workshop.devserver import LocalServer  # noqa: E402
from workshop.model import Meeting, Role, StepKind, User  # noqa: E402

LiveServer = LocalServer


def seed(db_path: Path, *, prompt: str) -> tuple[Store, User, Meeting]:
    """A facilitator and a dialogue session (brainstorm → dot vote → wrap-up), not started."""
    store = open_store(db_path)
    user = accounts.create_user(
        store, "bench-facilitator", "benchmark passphrase", Role.FACILITATOR, "Bench"
    )
    committee = committees.create_committee(store, "Benchmark", "Load test", actor=user)
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Benchmark room",
        agenda=[
            meetings.StepSpec(StepKind.BRAINSTORM, prompt, 15),
            meetings.StepSpec(StepKind.DOT_VOTE, "", 10),
            meetings.StepSpec(StepKind.WRAP_UP, "", 5),
        ],
        actor=user,
    )
    return store, user, meeting


def start(db_path: Path, env: dict[str, str] | None = None, timeout: float = 60) -> LiveServer:
    return devserver.start(db_path, env=env, timeout=timeout)
