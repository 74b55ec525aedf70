"""AppTest fixtures: the real app script against a real database in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.testing.v1 import AppTest

from tests.factories import join, make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import shared_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role

ROOT = Path(__file__).resolve().parents[2]
PAGES = "workshop/ui/pages"


@pytest.fixture
def app_store(
    engine: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    """The app's database, on this run's engine: a copy of the migrated SQLite template named
    by ``SAMSKAB_DB_PATH``, or a fresh PostgreSQL database named by ``SAMSKAB_DATABASE_URL``
    (with the server key every PostgreSQL host sets)."""
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    if engine == "postgresql":
        monkeypatch.setenv("SAMSKAB_SECRET_KEY", "test key, not for production")
        url = request.getfixturevalue("fresh_postgres")()
        monkeypatch.setenv("SAMSKAB_DB_PATH", str(tmp_path / "unused.db"))
        monkeypatch.setenv("SAMSKAB_DATABASE_URL", url)
        return shared_store(url)
    fresh_db: Callable[[Path], Path] = request.getfixturevalue("fresh_db")
    path = fresh_db(tmp_path / "app.db")  # a copy of the migrated template
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(path))
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
def sent(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every message the runs send to the browser (``ForwardMsg``), in order: what a page
    test reads for what AppTest does not show (fragments, timed reruns)."""
    messages: list = []
    real = ForwardMsgQueue.enqueue

    def enqueue(self, msg):
        messages.append(msg)
        return real(self, msg)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", enqueue)
    return messages


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


def open_console(make_app, user, meeting_id: int, tab: str = "live") -> AppTest:
    """The console of ``meeting_id`` as ``user`` sees it after opening it (no exception), on
    its ``tab`` (``console.tab.<tab>``; only the open tab runs). The other tabs: ``console_tab``."""
    at = make_app(user=user, query={"meeting": str(meeting_id)}).run()
    console_tab(at, tab)
    at.switch_page(f"{PAGES}/console.py").run()
    assert not at.exception, at.exception
    return at


def console_tab(at: AppTest, tab: str) -> AppTest:
    """Open the console's ``tab`` on the next run (as a tap on it does)."""
    key = "identity.tab" if tab == "people" else f"console.tab.{tab}"
    at.session_state["console_tab"] = translate("da", key)
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
