"""The push stream's keep-alive: how often it comes, and how long a page waits for it.

A page takes its stream for dead after two and a half heartbeats without a word
(``push_routes.silent_ms``); the heartbeat is a setting, checked when the app starts.
"""

from __future__ import annotations

import pytest

from workshop.config import ENV_VARS, load_settings


def test_the_heartbeat_is_ten_seconds_unless_set() -> None:
    assert "SAMSKAB_PUSH_HEARTBEAT_SECONDS" in ENV_VARS
    assert load_settings({}).push_heartbeat_seconds == 10
    assert load_settings({"SAMSKAB_PUSH_HEARTBEAT_SECONDS": "2.5"}).push_heartbeat_seconds == 2.5


@pytest.mark.parametrize("value", ["0", "0.5", "61", "ten", "nan", "-3"])
def test_a_heartbeat_out_of_range_stops_the_start_with_a_clear_message(value: str) -> None:
    with pytest.raises(ValueError, match="SAMSKAB_PUSH_HEARTBEAT_SECONDS must be 1 to 60"):
        load_settings({"SAMSKAB_PUSH_HEARTBEAT_SECONDS": value})


def test_a_page_waits_two_and_a_half_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    from workshop.ui import push_routes

    settings = load_settings({"SAMSKAB_PUSH_HEARTBEAT_SECONDS": "4"})
    monkeypatch.setattr(push_routes, "settings", lambda: settings)
    assert push_routes.heartbeat() == 4
    assert push_routes.silent_ms() == 10_000
