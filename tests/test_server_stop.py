"""A server with phones connected stops when it is asked to (Ctrl+C, systemd's stop).

uvicorn exits only once every response in progress is over, and a phone's push stream
(``/push/meeting``) never ends by itself: a fresh-eyes trial's Ctrl+C left the process
running for ten minutes with seven pages open, and a deploy's stop would wait for systemd's
timeout. Now SIGINT and SIGTERM end every open stream first (``server.end_streams_on_exit``).
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.factories import join, make_meeting, start
from workshop.app import open_store
from workshop.devserver import start as start_server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("server")]


def _open_stream(url: str, token: str) -> tuple[http.client.HTTPConnection, bytes]:
    """A phone's push stream, as its EventSource opens it: the connection and its first
    event (the retry line)."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    connection.request("GET", f"/push/meeting?p={token}", headers={"Accept": "text/event-stream"})
    answer = connection.getresponse()
    assert answer.status == 200, answer.status
    return connection, answer.read1(64)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_server_with_open_push_streams_stops_when_asked(tmp_path: Path, signum: int) -> None:
    db_path = tmp_path / "stop.db"
    store = open_store(db_path)
    meeting = make_meeting(store)
    start(store, meeting)
    tokens = [join(store, meeting, f"Telefon {n}").token for n in range(3)]
    store.close()
    server = start_server(db_path)
    streams = []
    try:
        for token in tokens:
            connection, first = _open_stream(server.url, token)
            assert first.startswith(b"retry:"), first
            streams.append(connection)
        asked = time.monotonic()
        server.process.send_signal(signum)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server still ran 10 s after {signal.Signals(signum).name}")
        print(f"\nstopped {time.monotonic() - asked:.1f} s after the signal, 3 streams open")
    finally:
        for connection in streams:
            connection.close()
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=5)
