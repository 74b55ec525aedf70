"""AppTest fixtures: the real app script against a real database in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import join, make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import shared_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role

ROOT = Path(__file__).resolve().parents[2]
PAGES = "workshop/ui/pages"


@pytest.fixture
def app_store(fresh_db: Callable[[Path], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = fresh_db(tmp_path / "app.db")  # a copy of the migrated template
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(path))
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    return shared_store(path)


@pytest.fixture
def world(app_store):
    """Staff of every role, and a running meeting with ideas and a participant."""
    users = {
        role: accounts.create_user(app_store, f"{role.value}-user", "a long passphrase", role)
        for role in (Role.ADMIN, Role.FACILITATOR, Role.POLITICIAN)
    }
    meeting = make_meeting(app_store, users[Role.FACILITATOR])
    start(app_store, meeting)
    anna = join(app_store, meeting, "Anna")
    ideas.submit_idea(app_store, anna, "Flere bænke i parken")
    return {"store": app_store, "users": users, "meeting": meeting, "anna": anna}


@pytest.fixture
def make_app() -> Callable[..., AppTest]:
    def make(
        *, user=None, query: dict[str, str] | None = None, script: str = "streamlit_app.py"
    ) -> AppTest:
        at = AppTest.from_file(str(ROOT / script), default_timeout=30)
        if user is not None:
            at.session_state["user"] = user
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at

    return make


def open_console(make_app, user, meeting_id: int) -> AppTest:
    """The console of ``meeting_id`` as ``user`` sees it after opening it (no exception)."""
    at = make_app(user=user, query={"meeting": str(meeting_id)}).run()
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Everything a person would read on the page, as one string."""
    parts = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "error",
        "info",
        "warning",
        "success",
        "metric",
        "button",
        "text_input",
        "selectbox",
    ):
        for element in getattr(at, kind):
            for attr in ("value", "label", "body"):
                value = getattr(element, attr, None)
                if isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


__all__ = ["PAGES", "meetings", "texts"]
