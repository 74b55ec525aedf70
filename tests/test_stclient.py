"""End-to-end tests of benchmarks/stclient.py against a real ``streamlit run`` server.

Why a real server: the client's value is that it speaks the exact websocket
protocol phones use (query params pushed by the app, fragment-only reruns,
widget state re-sent each run); AppTest cannot exercise any of that.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import stclient  # noqa: E402

# The shared store lives in an imported module: the script itself is re-executed on
# every run, imported modules stay in sys.modules (one per server process).
STORE_PY = """
import threading

MESSAGES: list[str] = []
LIKES = {"n": 0}
LOCK = threading.Lock()


def bump() -> None:
    with LOCK:
        LIKES["n"] += 1
"""

APP_PY = """
import time

import streamlit as st

import store

# Written on the first run; the browser must send it back from then on.
if "code" not in st.query_params:
    st.query_params["code"] = "TEST"
    st.markdown("qp=written")
else:
    st.markdown(f"qp=from-client:{st.query_params['code']}")

st.title("stclient test app")
colour = st.radio("Colour", ["red", "green", "blue"], key="colour")
st.markdown(f"colour={colour}")
if colour != "red":
    st.query_params["colour"] = colour


@st.fragment(run_every="2s")
def live() -> None:
    if st.button("Like", key="like"):
        st.session_state.likes = st.session_state.get("likes", 0) + 1
        store.bump()
    st.markdown(f"likes={st.session_state.get('likes', 0)}")


live()

if st.button("Boom", key="boom"):
    raise RuntimeError("kaboom")
if st.button("Slow", key="slow"):
    time.sleep(1.5)

st.caption(f"total={len(store.MESSAGES)}")
for text in store.MESSAGES[-5:]:
    with st.chat_message("user"):
        st.markdown(text)

if prompt := st.chat_input("Say something", key="say"):
    store.MESSAGES.append(prompt)

# A components-v2 element: the client exposes its name and its JSON data.
probe = st.components.v2.component("stclient.probe", js="export default function () {}", html="")
probe(key="probe", data={"colour": colour, "ideas": [[1, "Trees"], [2, "Benches"]]})
"""

N_SESSIONS = 20
T = TypeVar("T")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the tiny app with the tuned flags from stack-notes; always kill it."""
    app_dir = tmp_path_factory.mktemp("stclient_app")
    (app_dir / "store.py").write_text(textwrap.dedent(STORE_PY))
    (app_dir / "app.py").write_text(textwrap.dedent(APP_PY))
    port = _free_port()
    log_path = app_dir / "server.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--runner.postScriptGC", "false",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=app_dir, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        try:
            stclient.wait_until_healthy(base_url, timeout=30)
        except TimeoutError:
            pytest.fail(f"server did not start:\n{log_path.read_text()[-3000:]}")
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one coroutine with a hard ceiling so a hung server cannot hang CI."""

    async def bounded() -> T:
        async with asyncio.timeout(60):
            return await coro

    return asyncio.run(bounded())


# --------------------------------------------------------------------------- no server


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1:8501", "http://example.com", "ws://[2001:db8::1]:80", "http://:80"]
)
def test_refuses_non_loopback(url: str) -> None:
    with pytest.raises(stclient.UnsafeHostError):
        stclient.StreamlitSession(url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.2:8501", "http://localhost:8501/", "ws://[::1]:8501", "127.0.0.1:1"]
)
def test_accepts_loopback(url: str) -> None:
    s = stclient.StreamlitSession(url)
    assert s.ws_url.endswith("/_stcore/stream")


def test_measure_percentiles() -> None:
    m = stclient.Measure()
    for v in range(1, 101):
        m.add("a", v / 1000)
    m.add_error("a", "boom")
    st = m.stats("a")
    assert (st.count, st.errors) == (100, 1)
    assert st.p50 == pytest.approx(0.050)
    assert st.p95 == pytest.approx(0.095)
    assert st.max == pytest.approx(0.100)
    assert "p95 ms" in m.report()


Noted = tuple[int, str, dict[str, str], Any]  # connection number, request line, headers, body


async def _answering_server(requests: list[Noted], answers: list[bytes]) -> asyncio.Server:
    """A bare HTTP/1.1 server on 127.0.0.1: each request is noted and gets the next answer;
    after an answer that closes (or none left) it closes the connection, as a server does at
    its keep-alive timeout."""
    connections = [0]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections[0] += 1
        number = connections[0]
        try:
            while answers:
                line = await reader.readline()
                if not line:
                    break
                headers = {}
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                requests.append((number, line.decode().strip(), headers, json.loads(body)))
                answer = answers.pop(0)
                writer.write(answer)
                await writer.drain()
                if b"Connection: close" in answer:
                    break
        finally:
            writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0)


def test_post_json_keeps_one_connection_and_reads_every_kind_of_answer() -> None:
    requests: list[Noted] = []
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
        b'{"ok":true}',
        b"HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"rer\r\n9\r\nun":true}\r\n0\r\n\r\n',
        b"HTTP/1.1 429 Too Many\r\nRetry-After: 2\r\nContent-Length: 4\r\n"
        b"Connection: close\r\n\r\nslow",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    ]

    async def scenario() -> list[stclient.HttpAnswer]:
        server = await _answering_server(requests, answers)
        port = server.sockets[0].getsockname()[1]
        try:
            s = stclient.StreamlitSession(f"http://127.0.0.1:{port}/base", timeout=5)
            s.cookies["samskab_route"] = "abc"
            got = [await s.post_json("/push/dots", {"d": n}) for n in range(4)]
            with pytest.raises(stclient.HttpRequestError, match="origin"):
                await s.post_json("http://127.0.0.2:1/push/dots", {})
            await s.close()
            return got
        finally:
            server.close()

    got = _run(scenario())
    assert [(a.status, a.body) for a in got] == [
        (200, {"ok": True}),
        (409, {"rerun": True}),
        (429, None),  # not JSON
        (200, {}),
    ]
    assert got[2].headers["retry-after"] == "2" and all(a.latency > 0 for a in got)
    assert [r[1] for r in requests] == ["POST /push/dots HTTP/1.1"] * 4
    assert [r[3] for r in requests] == [{"d": n} for n in range(4)]
    # One connection kept until the answer that said "Connection: close".
    assert [r[0] for r in requests] == [1, 1, 1, 2]
    headers = requests[0][2]
    assert headers["cookie"] == "samskab_route=abc"
    assert headers["content-type"] == "application/json"
    assert headers["origin"] == f"http://{headers['host']}"


def test_post_json_opens_a_new_connection_when_the_server_closed_the_idle_one() -> None:
    requests: list[Noted] = []
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"
    answers = [ok]  # then the server closes the connection, as at its keep-alive timeout

    async def scenario() -> None:
        server = await _answering_server(requests, answers)
        port = server.sockets[0].getsockname()[1]
        try:
            s = stclient.StreamlitSession(f"http://127.0.0.1:{port}", timeout=5)
            assert (await s.post_json("/a", {"n": 1})).status == 200
            answers.append(ok)  # the next connection answers again
            assert (await s.post_json("/a", {"n": 2})).status == 200
            server.close()
            await s.close()
            with pytest.raises(stclient.HttpRequestError):  # nobody listens: an error, no hang
                await s.post_json("/a", {"n": 3}, timeout=2)
        finally:
            server.close()

    _run(scenario())
    assert [(r[0], r[3]) for r in requests] == [(1, {"n": 1}), (2, {"n": 2})]  # each sent once


# --------------------------------------------------------------------------- real server


@pytest.mark.slow
def test_first_run_elements_and_query_params(server: str) -> None:
    async def scenario() -> None:
        async with stclient.StreamlitSession(server) as s:
            first = await s.run()
            assert first.status == 0
            assert s.find_one("heading").text == "stclient test app"
            radio = s.find_one("radio", key="colour")
            assert radio.label == "Colour"
            assert radio.widget_id and radio.widget_id.endswith("-colour")
            assert s.widget_value("colour") == "red"
            assert s.find_one("chat_input", key="say").label == "Say something"
            like = s.find_one("button", key="like")
            assert like.fragment_id, "button inside @st.fragment must carry its fragment id"
            assert s.auto_rerun_intervals == {like.fragment_id: 2.0}
            probe = s.component("stclient.probe")
            assert probe is not None and probe.kind == "bidi_component" and probe.key == "probe"
            assert probe.data == {"colour": "red", "ideas": [[1, "Trees"], [2, "Benches"]]}
            assert s.has_component("probe") and s.component("stclient.other") is None
            assert s.find_one("radio", key="colour").component == ""
            # st.query_params write -> page_info_changed -> used from now on.
            assert s.has_text("qp=written")
            assert s.query_string == "code=TEST"
            await s.run()
            assert s.has_text("qp=from-client:TEST")
            assert not s.has_text("qp=written")
            # A later write (radio -> st.query_params) also reaches the client;
            # radio values go out as the option string.
            await s.select("colour", "blue")
            assert s.has_text("colour=blue")
            probe = s.component("stclient.probe")
            assert probe is not None and probe.data["colour"] == "blue"  # new data each run
            assert s.query_params == {"code": ["TEST"], "colour": ["blue"]}
            await s.select("colour", 1)  # index form
            assert s.has_text("colour=green")
            assert s.query_params["colour"] == ["green"]
            # The radio value is re-sent on unrelated reruns like the browser does.
            await s.run()
            assert s.has_text("colour=green")

        async with stclient.StreamlitSession(server, query_string="?code=XYZ") as s2:
            await s2.run()
            assert s2.has_text("qp=from-client:XYZ")

    _run(scenario())


@pytest.mark.slow
def test_chat_shows_up_in_next_run(server: str) -> None:
    async def scenario() -> None:
        async with stclient.StreamlitSession(server, query_string="code=ABC") as s:
            await s.run()
            text = f"more trees {time.time_ns()}"
            latency = await s.chat(text)
            assert latency > 0
            assert s.last_result is not None and s.last_result.status == 0
            assert not s.find("chat_message", text=text)  # rendered before the handler ran
            await s.run()
            msg = s.find_one("chat_message", text=text)
            assert msg.label == "user" and msg.is_block

    _run(scenario())


@pytest.mark.slow
def test_fragment_click_auto_rerun_and_reconnect(server: str) -> None:
    async def scenario() -> None:
        async with stclient.StreamlitSession(server, query_string="code=ABC") as s:
            await s.run()
            fid = s.find_one("button", key="like").fragment_id
            await s.click("like")
            res = s.last_result
            assert res is not None and res.status == 3 and res.is_fragment_run
            assert res.fragment_ids == (fid,)
            # Only the fragment was replaced; the rest of the page is still there.
            assert s.has_text("likes=1") and not s.has_text("likes=0")
            assert s.find_one("heading").text == "stclient test app"
            assert s.find_one("chat_input", key="say")
            # run_every: nothing due yet, then fast-forward the clock past 2 s.
            assert s.due_auto_reruns() == []
            due = s.next_auto_rerun_due()
            assert due is not None and time.monotonic() < due <= time.monotonic() + 2.1
            lat = await s.tick_auto_reruns(now=time.monotonic() + 2.1)
            assert len(lat) == 1
            assert s.last_result is not None and s.last_result.status == 3
            await s.fragment_rerun(fid, auto=True)
            assert s.has_text("likes=1")
            # Reconnect with the old session id keeps session_state (phone wakes up).
            sid = s.session_id
            await s.reconnect()
            await s.run()
            assert s.session_id == sid
            assert s.has_text("likes=1")

    _run(scenario())


@pytest.mark.slow
def test_exception_and_timeout_are_clear_errors(server: str) -> None:
    async def scenario() -> None:
        async with stclient.StreamlitSession(server, query_string="code=ABC") as s:
            await s.run()
            with pytest.raises(stclient.ScriptError, match="RuntimeError: kaboom"):
                await s.click("boom")
            await s.run()  # session still usable
            assert not s.find("exception")
            with pytest.raises(stclient.ElementNotFoundError, match="no button"):
                await s.click("does-not-exist")
            with pytest.raises(stclient.ScriptTimeoutError):
                await s.click("slow", timeout=0.3)
            # Late messages of the timed-out run are discarded, not mistaken for ours.
            res = await s.run(timeout=10)
            assert res.status == 0
            assert s.find_one("heading").text == "stclient test app"

    _run(scenario())


@pytest.mark.slow
def test_concurrent_sessions(server: str) -> None:
    measure = stclient.Measure()

    async def phone(i: int) -> None:
        async with stclient.StreamlitSession(server, query_string="code=ABC") as s:
            first = await measure.track("first_run", s.run())
            if first is None:
                return
            await measure.track("chat", s.chat(f"idea {i} from phone"))
            await measure.track("click", s.click("like"))
            await measure.track("select", s.select("colour", i % 3))
            await measure.track("auto_rerun", s.fragment_rerun(next(iter(s.auto_rerun_intervals))))
            await measure.track("rerun", s.run())
            if not s.has_text("likes=1"):
                measure.add_error("check", f"phone {i}: likes not 1: {s.elements}")

    async def scenario() -> tuple[str, str]:
        async with stclient.StreamlitSession(server, query_string="code=ABC") as probe:
            await probe.run()
            before = probe.find_one("markdown", text="total=").text
            start = time.perf_counter()
            await asyncio.gather(*(phone(i) for i in range(N_SESSIONS)))
            wall = time.perf_counter() - start
            await probe.run()
            after = probe.find_one("markdown", text="total=").text
        print(f"\n{N_SESSIONS} sessions x 5 actions in {wall:.2f} s\n{measure.report()}")
        return before, after

    before, after = _run(scenario())
    assert measure.error_count == 0, measure.errors
    for bucket in ("first_run", "chat", "click", "select", "auto_rerun", "rerun"):
        assert measure.stats(bucket).count == N_SESSIONS
    assert int(after.split("=")[1]) == int(before.split("=")[1]) + N_SESSIONS
