"""The real app as a subprocess on 127.0.0.1: one launcher for browser tests and benchmarks.

The server runs exactly as in production (``streamlit run streamlit_app.py`` with
``.streamlit/config.toml``: no GC after each run, uvloop from ``streamlit[performance]``),
only bound to loopback on a free port, on the database file it is given.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from workshop.config import PROJECT_ROOT


@dataclass
class LocalServer:
    url: str
    db_path: Path
    process: subprocess.Popen

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self) -> float:
        """Resident memory of the server process, from /proc (Linux)."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (/proc, Linux)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return float("nan")

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen, grace: float = 15) -> None:
    """Ask a child process to stop (SIGTERM), kill it if it has not after ``grace`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(db_path: Path, *, env: dict[str, str] | None = None, timeout: float = 60) -> LocalServer:
    """Start the app on ``db_path`` (no demo data) and wait until it answers its health check."""
    port = free_port()
    environment = {
        **os.environ,
        "SAMSKAB_DB_PATH": str(db_path),
        "SAMSKAB_DEMO_DATA": "0",
        **(env or {}),
    }
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py"]
    process = subprocess.Popen(
        [*command, "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    if wait_until_healthy(url, process, timeout):
        return LocalServer(url, Path(db_path), process)
    process.kill()
    raise RuntimeError(f"the app did not start within {timeout:.0f} s")


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """Poll ``url``'s health check until it answers "ok"; False on timeout or a dead process."""
    return _wait_until(f"{url}/_stcore/health", process, timeout, healthy=True)


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float) -> bool:
    """Poll ``url`` until its server answers at all, with any status (nginx's 502 while the
    app behind it is down); False on timeout or a dead process."""
    return _wait_until(url, process, timeout, healthy=False)


def _wait_until(url: str, process: subprocess.Popen, timeout: float, *, healthy: bool) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with opener.open(url, timeout=1) as response:
                if not healthy or response.read() == b"ok":
                    return True
        except urllib.error.HTTPError:
            if not healthy:
                return True  # an answer, if not a good one
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    return False
