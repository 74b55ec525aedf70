"""The projector and the console's live tab follow the room by push (AppTest): while their push
connection works, their live fragment has no timed rerun (the browser is asked for none); when
it failed, the fragment runs on its timer again and the page says "reconnecting…". The
projector's countdown carries the moment its step ends, so the browser draws it each second.

What the browser is asked for is read where Streamlit says it: the ``auto_rerun`` message a
fragment with ``run_every`` sends at each run.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

from tests.factories import join
from tests.ui.conftest import PAGES, open_console, texts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role
from workshop.ui import screen_push
from workshop.ui.components import mounted_data

RECONNECTING = translate("da", "push.reconnecting")


@pytest.fixture
def timers(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The intervals of the timed reruns the runs ask the browser for."""
    asked: list[float] = []
    real = ForwardMsgQueue.enqueue

    def enqueue(self, msg):
        if msg.HasField("auto_rerun"):
            asked.append(msg.auto_rerun.interval)
        return real(self, msg)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", enqueue)
    return asked


def _push_failed(at) -> None:
    """What the component sets when its connection fails (``ok: false``)."""
    at.session_state[screen_push.KEY] = {"live": {"ok": False}}


def _projector(world, make_app):
    token = meetings.screen_link_token(world["store"], world["meeting"].id)
    return make_app(query={"screen": token})


def test_the_projector_has_no_timed_rerun_while_push_works(world, make_app, timers) -> None:
    at = _projector(world, make_app).run()
    assert not at.exception, at.exception
    assert "Flere bænke i parken" in " ".join(e.proto.body for e in at.get("html"))
    assert timers == []
    assert RECONNECTING not in texts(at)


def test_the_projector_falls_back_to_its_timer_and_says_so_when_push_failed(
    world, make_app, timers
) -> None:
    at = _projector(world, make_app)
    _push_failed(at)
    at.run()
    assert not at.exception, at.exception
    assert timers == [1.0]  # SAMSKAB_PROJECTOR_REFRESH_SECONDS, default 1
    assert RECONNECTING in " ".join(e.proto.body for e in at.get("html")) + texts(at)


def test_the_projectors_countdown_carries_the_moment_its_step_ends(world, make_app) -> None:
    at = _projector(world, make_app).run()
    body = " ".join(e.proto.body for e in at.get("html"))
    timer = re.search(r'<span class="sk-timer[^"]*"[^>]*data-testid="projector-timer"[^>]*>', body)
    assert timer, body
    ends = re.search(r'data-ends="(\d+)"', timer.group(0))
    assert ends, timer.group(0)
    step = meetings.current_step(world["store"], world["meeting"].id)
    assert step is not None and step.started_at
    started = datetime.fromisoformat(step.started_at).timestamp()
    assert int(ends.group(1)) == round((started + step.time_box_minutes * 60) * 1000)


def test_the_consoles_live_tab_has_no_timed_rerun_while_push_works(world, make_app, timers) -> None:
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    timers.clear()
    at.run()
    assert not at.exception, at.exception
    assert "Flere bænke i parken" in texts(at)
    # The join watch (joins in the last minute fall as time passes: a clock, not a change in
    # the room) and the step's minutes left (a clock too); the live tab's ideas wait for a push.
    assert sorted(timers) == [3.0, 5.0]
    assert RECONNECTING not in texts(at)


def test_the_consoles_live_tab_falls_back_to_its_timer_and_says_so_when_push_failed(
    world, make_app, timers
) -> None:
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    _push_failed(at)
    timers.clear()
    at.run()
    assert not at.exception, at.exception
    assert sorted(timers) == [3.0, 3.0, 5.0]  # the join watch, the live tab, the minutes left
    assert RECONNECTING in texts(at)


def _component(at) -> dict:
    """What the page handed the push component (its ``data``)."""
    mounted = [
        e for e in at.get("bidi_component") if e.proto.component_name.endswith("screen_push")
    ]
    assert len(mounted) == 1, mounted
    return mounted_data(mounted[0].proto.json)


def test_the_projector_follows_its_screen_link_with_the_numbers_it_drew(world, make_app) -> None:
    at = _projector(world, make_app).run()
    data = _component(at)
    token = meetings.screen_link_token(world["store"], world["meeting"].id)
    assert data["url"].endswith(f"/push/meeting?screen={token}")
    state = meetings.meeting_state(world["store"], world["meeting"].id)
    assert data["drawn"] == {
        "c": state.change_seq,
        "v": state.vote_seq,
        "s": f"{state.status}:{state.current_step_id}:1",
    }
    assert data["turn"] == 0  # a wall that fits: nothing to rerun by the clock


def test_a_rotating_wall_is_the_projectors_one_rerun_by_the_clock(world, make_app) -> None:
    store = world["store"]
    for n in range(14):  # more than a slide's worth (12): the older ideas take turns
        ideas.submit_idea(store, join(store, world["meeting"], f"P{n}"), f"Idé nummer {n}")
    at = _projector(world, make_app).run()
    assert 0 < _component(at)["turn"] <= 12_050  # the next page, within ROTATE_SECONDS


def test_the_console_follows_its_meeting_by_the_staff_session(world, make_app) -> None:
    at = open_console(make_app, world["users"][Role.FACILITATOR], world["meeting"].id)
    assert _component(at)["url"].endswith(f"/push/meeting?meeting={world['meeting'].id}")


def test_a_projector_a_facilitator_opened_follows_by_the_staff_session(world, make_app) -> None:
    at = make_app(
        user=world["users"][Role.FACILITATOR], query={"meeting": str(world["meeting"].id)}
    ).run()
    at.switch_page(f"{PAGES}/projector.py").run()
    assert not at.exception, at.exception
    assert _component(at)["url"].endswith(f"/push/meeting?meeting={world['meeting'].id}")


__all__ = ["PAGES"]
