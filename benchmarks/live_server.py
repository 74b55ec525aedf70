"""The real app as a subprocess on 127.0.0.1, with a seeded database, for the live benchmarks.

Used by ``room_load.py`` and ``projector_latency.py``. The server runs exactly as in
production (``streamlit run streamlit_app.py`` with ``.streamlit/config.toml``: no GC after
each run, uvloop from ``streamlit[performance]``), only bound to loopback.

``start_cluster`` runs the production topology of docs/deployment.md instead: several
Streamlit processes on one database file behind nginx, with the routing, headers and
websocket settings of ``deploy/nginx-samskab.conf`` (only TLS is left out: loopback).
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workshop import committees, devserver  # noqa: E402
from workshop.accounts import users as accounts  # noqa: E402
from workshop.app import open_store  # noqa: E402
from workshop.db import Store  # noqa: E402
from workshop.devserver import LocalServer  # noqa: E402
from workshop.meetings import core as meetings  # noqa: E402
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


NGINX_SITE = ROOT / "deploy" / "nginx-samskab.conf"
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def loopback_site(site: str, ports: list[int], listen: int) -> str:
    """deploy/nginx-samskab.conf for a test on 127.0.0.1: same upstream hashing, cookie, proxy
    and websocket settings; the given ports; plain HTTP on ``listen`` (no TLS, no redirect)."""
    upstream = "\n".join(f"    server 127.0.0.1:{port};" for port in ports)
    site = re.sub(r"(?m)^    server 127\.0\.0\.1:\d+;\n", "", site)
    site = site.replace("    keepalive 64;", f"{upstream}\n    keepalive 64;")
    # Drop the port-80 server (it only redirects to HTTPS) and the TLS settings.
    site = re.sub(r"(?s)server \{\n    listen 80;.*?\n\}\n\n", "", site, count=1)
    site = re.sub(
        r"(?m)^    (listen \[::\]:443 ssl;|http2 on;|ssl_\S+ .*;|add_header Strict-.*;)\n", "", site
    )
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen};")
    return site.replace("HttpOnly; Secure;", "HttpOnly;")


@dataclass
class Cluster:
    """Several app processes behind nginx; the same interface as one ``LiveServer``."""

    url: str
    servers: list[LiveServer]
    nginx: subprocess.Popen

    @property
    def pid(self) -> str:
        return ",".join(str(s.pid) for s in self.servers)

    def rss_mb(self) -> float:
        return sum(s.rss_mb() for s in self.servers)

    def cpu_seconds(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)

    def sessions(self) -> list[int]:
        """Active Streamlit sessions per process (its /_stcore/metrics): how nginx spread them."""
        counts = []
        for server in self.servers:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"{server.url}/_stcore/metrics", timeout=5) as response:
                text = response.read().decode()
            found = re.search(r"(?m)^active_sessions (\d+)", text)
            counts.append(int(found.group(1)) if found else -1)
        return counts

    def stop(self) -> None:
        devserver.stop_process(self.nginx)
        for server in self.servers:
            server.stop()


def nginx_binary() -> str:
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise SystemExit("nginx is not installed: apt-get install nginx (scripts/test does)")
    return found


def nginx_conf(work: Path, ports: list[int], listen: int) -> str:
    """A whole nginx.conf around the loopback site, with every path it writes inside ``work``
    (it reads the "unavailable" page from deploy/)."""
    site = loopback_site(NGINX_SITE.read_text(encoding="utf-8"), ports, listen)
    site = site.replace("/var/log/nginx/", f"{work}/")  # the site's logs, in the work folder
    site = site.replace("/var/www/samskab;", f"{ROOT / 'deploy'};")  # the "unavailable" page
    return (
        f"daemon off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/error.log warn;\nworker_rlimit_nofile 16384;\n"
        "events { worker_connections 8192; }\n"
        "http {\n"
        "access_log off;\n"
        + "".join(f"{kind}_temp_path {work}/{kind};\n" for kind in TEMP_PATHS)
        + "types { text/html html; application/javascript js; text/css css; }\n"
        + f"{site}\n}}\n"
    )


def start_cluster(
    db_path: Path, processes: int, env: dict[str, str] | None = None, timeout: float = 60
) -> Cluster:
    nginx = nginx_binary()
    # One cookie secret for every process, as in production (deploy/samskab.env.example).
    shared = {**(env or {}), "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    servers = [start(db_path, shared, timeout) for _ in range(processes)]
    ports = [int(s.url.rsplit(":", 1)[1]) for s in servers]
    listen = devserver.free_port()
    work = Path(db_path).parent / "nginx"
    work.mkdir(exist_ok=True)
    (work / "nginx.conf").write_text(nginx_conf(work, ports, listen), encoding="utf-8")
    proxy = subprocess.Popen(
        [nginx, "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{listen}"
    cluster = Cluster(url, servers, proxy)
    if devserver.wait_until_healthy(url, proxy, timeout):
        return cluster
    cluster.stop()
    raise RuntimeError(f"nginx did not start: {(work / 'error.log').read_text()[-500:]}")


COMPOSER = "samskab.idea"  # workshop/ui/idea_composer.py's component


async def post_idea(session: Any, text: str, *, timeout: float | None = None) -> Any:
    """Post ``text`` as the phone's idea box (``workshop/ui/idea_composer.py``) sends it: a
    POST of the JSON its JavaScript builds to the URL in its data, on the session's own
    connection, no Streamlit run. Returns the ``stclient.HttpAnswer`` (posted when its status
    is 200 and ``body["ok"]``), or None when the page shows no open idea box. Raises what
    ``StreamlitSession.post_json`` raises when no answer comes."""
    composer = session.component(COMPOSER)
    data = composer.data if composer is not None else None
    if not isinstance(data, dict) or not data.get("open"):
        return None
    body = {"p": data["token"], "s": data["step"], "t": text, "l": data["lang"]}
    return await session.post_json(data["url"], body, timeout=timeout)


def posted(answer: Any) -> bool:
    """Whether an answer of :func:`post_idea` says the idea was posted."""
    return (
        answer is not None
        and answer.status == 200
        and isinstance(answer.body, dict)
        and answer.body.get("ok") is True
    )
