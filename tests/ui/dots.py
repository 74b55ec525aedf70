"""The phone's dot ballot as a page test sees it: the data the page hands the browser-drawn
ballot (``workshop/ui/dot_ballot.py``), and a tap as the ballot sends it (``dot_routes.tap``,
what ``POST /push/dots`` carries out; the HTTP layer itself: tests/ui/test_dot_ballot.py)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from workshop.ui import dot_routes
from workshop.ui.components import mounted_data


def ballot(at: AppTest) -> dict[str, Any] | None:
    """The data of the dot ballot on the page, or None when none is drawn."""
    mounted = [e for e in at.get("bidi_component") if e.proto.component_name.endswith("dots")]
    assert len(mounted) <= 1, mounted
    return mounted_data(mounted[0].proto.json) if mounted else None


def idea_ids(at: AppTest) -> list[int]:
    """The ideas on the ballot's page, in the order the phone shows them."""
    data = ballot(at)
    assert data is not None, "no dot ballot on the page"
    return [idea for idea, _ in data["ideas"]]


def tap(at: AppTest, idea_id: int, way: int = 1) -> tuple[int, dict[str, Any]]:
    """A tap on + (``way=1``) or − (``-1``) of an idea, as the page's ballot sends it: the
    answer's status and body."""
    data = ballot(at)
    assert data is not None, "no dot ballot on the page"
    answer = dot_routes.tap(data["token"], data["round"], idea_id, way, data["lang"])
    return answer.status_code, json.loads(bytes(answer.body))
