"""Settings, read once from the environment.

Every setting is documented in the README's configuration table; ``tests/test_docs.py``
fails when one is missing there.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    db_path: Path
    demo_data: bool
    public_url: str | None
    citizen_refresh_seconds: float
    projector_refresh_seconds: float
    idea_max_chars: int
    ideas_per_minute: int
    join_code_hours: int
    joins_per_session: int = 3
    joins_per_network_minute: int = 600
    time_zone: str = "Europe/Copenhagen"
    districts: tuple[str, ...] = ()
    report_workers: bool = True
    accessibility_contact: str | None = None
    privacy_controller: str | None = None
    privacy_contact: str | None = None
    database_url: str | None = None
    push_heartbeat_seconds: float = 10.0

    @property
    def database(self) -> str | Path:
        """What the app opens: ``SAMSKAB_DATABASE_URL`` (PostgreSQL) if set, else the file."""
        return self.database_url or self.db_path


ENV_VARS: dict[str, str] = {
    "SAMSKAB_DB_PATH": "SQLite database file (default data/samskab.db)",
    "SAMSKAB_DATABASE_URL": (
        "postgresql://user[:password]@host:port/database: run on PostgreSQL instead of the"
        " SQLite file (default: unset, SQLite); set SAMSKAB_SECRET_KEY with it"
    ),
    "SAMSKAB_DEMO_DATA": "create the labelled demo committee on first start (default 1)",
    "SAMSKAB_PUBLIC_URL": (
        "public base URL for join links and QR codes (default: the URL the browser used)"
    ),
    "SAMSKAB_CITIZEN_REFRESH_SECONDS": "how often a phone asks for new ideas (default 5)",
    "SAMSKAB_PROJECTOR_REFRESH_SECONDS": "how often the projector view refreshes (default 1)",
    "SAMSKAB_PUSH_HEARTBEAT_SECONDS": (
        "seconds between the live connection's keep-alive events (default 10); a phone or"
        " screen that hears nothing for 2.5 times as long opens it again and says"
        " reconnecting… (a silently dead network)"
    ),
    "SAMSKAB_IDEA_MAX_CHARS": "longest idea accepted (default 500)",
    "SAMSKAB_IDEAS_PER_MINUTE": "ideas one participant may post per minute (default 6)",
    "SAMSKAB_JOIN_CODE_HOURS": (
        "hours a join code stays valid after the meeting starts (default 24)"
    ),
    "SAMSKAB_JOINS_PER_SESSION": (
        "participants one browser session may create (join) per 10 minutes (default 3)"
    ),
    "SAMSKAB_JOINS_PER_NETWORK_MINUTE": (
        "participants that may join from one network address per minute (default 600: a"
        " venue of 500 phones behind one address joins within a minute)"
    ),
    "SAMSKAB_KEEP_ANONYMISED_IDEAS": (
        "1: when a participant deletes their data, their ideas stay without their name;"
        " 0: their ideas are deleted too (default 1; see docs/data-inventory.md)"
    ),
    "SAMSKAB_RETENTION_DAYS": (
        "days after a meeting's last activity before `samskab purge` anonymises its"
        " participants (default 365; 0 = never)"
    ),
    "SAMSKAB_APPLICATION_RETENTION_DAYS": (
        "days after a committee's recruitment closed before `samskab purge` anonymises the"
        " applications that were not appointed (default 90; 0 = never)"
    ),
    "SAMSKAB_MEMBER_RETENTION_DAYS": (
        "days after a committee membership ended (or, without an end date, after the"
        " committee's work ended) before `samskab purge` anonymises the member and their"
        " application (default 365; 0 = never)"
    ),
    "SAMSKAB_SQLITE_SYNCHRONOUS": (
        "FULL (default) or NORMAL: SQLite's sync at each commit; FULL loses no acknowledged"
        " write on power loss (see README Durability)"
    ),
    "SAMSKAB_REPORT_WORKERS": (
        "1 (default): summaries, exports, the PDF brief and suggestions are built in worker"
        " processes beside the app; 0 builds them in the app's own process"
    ),
    "SAMSKAB_SECRET_KEY": (
        "server key staff-visible links are derived from (default: a random key in"
        " <database>.key); never in the database or its backups"
    ),
    "SAMSKAB_TIME_ZONE": (
        "the installation's time zone for every date and time shown (pages, brief, workbook,"
        " invitations) and calendar invitations; never UTC on screen (default"
        " Europe/Copenhagen; e.g. Europe/Oslo)"
    ),
    "SAMSKAB_DISTRICTS": (
        "the municipality's districts, comma-separated (e.g. Nord,Syd,Øst): the application"
        " form and the diversity targets offer exactly these (default: none, applicants type"
        " their district)"
    ),
    "SAMSKAB_ACCESSIBILITY_CONTACT": (
        "where readers of the accessibility statement report a problem: the municipality's"
        " e-mail address, phone or web form (default: none; the statement then tells readers"
        " in words to contact the municipality that runs the meeting; set it)"
    ),
    "SAMSKAB_PRIVACY_CONTROLLER": (
        "who is responsible for the participants' data (the data controller), as a citizen"
        " reads it before joining, e.g. Gentofte Kommune (default: none; the notice then says"
        ' "the municipality that runs the meeting"; set it)'
    ),
    "SAMSKAB_PRIVACY_CONTACT": (
        "where a citizen asks about their data or complains: the data protection officer's"
        " e-mail address or the municipality's privacy policy page, which states the legal"
        " basis (default: none; the notice then says to ask the facilitator or the data"
        " protection officer; set it)"
    ),
    "SAMSKAB_FEEDBACK_SENDER": (
        "where feedback e-mails go: file:<path> (default file:data/feedback-outbox.txt),"
        " console, or python:<module>:<callable> returning a sender"
    ),
}


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    db_path = Path(env.get("SAMSKAB_DB_PATH") or PROJECT_ROOT / "data" / "samskab.db")
    return Settings(
        db_path=db_path,
        database_url=(env.get("SAMSKAB_DATABASE_URL") or "").strip() or None,
        demo_data=_flag(env.get("SAMSKAB_DEMO_DATA"), True),
        public_url=(env.get("SAMSKAB_PUBLIC_URL") or None),
        citizen_refresh_seconds=float(env.get("SAMSKAB_CITIZEN_REFRESH_SECONDS") or 5),
        projector_refresh_seconds=float(env.get("SAMSKAB_PROJECTOR_REFRESH_SECONDS") or 1),
        push_heartbeat_seconds=_heartbeat(env.get("SAMSKAB_PUSH_HEARTBEAT_SECONDS")),
        idea_max_chars=int(env.get("SAMSKAB_IDEA_MAX_CHARS") or 500),
        ideas_per_minute=int(env.get("SAMSKAB_IDEAS_PER_MINUTE") or 6),
        join_code_hours=int(env.get("SAMSKAB_JOIN_CODE_HOURS") or 24),
        joins_per_session=max(1, int(env.get("SAMSKAB_JOINS_PER_SESSION") or 3)),
        joins_per_network_minute=max(1, int(env.get("SAMSKAB_JOINS_PER_NETWORK_MINUTE") or 600)),
        time_zone=_time_zone(env.get("SAMSKAB_TIME_ZONE")),
        report_workers=_report_workers(env.get("SAMSKAB_REPORT_WORKERS")),
        accessibility_contact=(env.get("SAMSKAB_ACCESSIBILITY_CONTACT") or "").strip() or None,
        privacy_controller=(env.get("SAMSKAB_PRIVACY_CONTROLLER") or "").strip() or None,
        privacy_contact=(env.get("SAMSKAB_PRIVACY_CONTACT") or "").strip() or None,
        districts=tuple(
            dict.fromkeys(
                d.strip() for d in (env.get("SAMSKAB_DISTRICTS") or "").split(",") if d.strip()
            )
        ),
    )


def _heartbeat(value: str | None) -> float:
    """Between 1 and 60 s (default 10); anything else stops the start with a clear message."""
    text = (value or "10").strip()
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 60:
        raise ValueError(f"SAMSKAB_PUSH_HEARTBEAT_SECONDS must be 1 to 60 seconds, not {text!r}")
    return seconds


def _report_workers(value: str | None) -> bool:
    """1 (default) or 0; anything else stops the start with a clear message, not the first
    report a politician asks for hours later."""
    text = (value or "1").strip()
    if text not in ("0", "1"):
        raise ValueError(f"SAMSKAB_REPORT_WORKERS must be 1 or 0, not {text!r}")
    return text == "1"


def installation_time_zone(env: Mapping[str, str] | None = None) -> str:
    """``SAMSKAB_TIME_ZONE`` alone (what ``load_settings().time_zone`` says, without reading
    every other setting): formatting a moment asks for it."""
    env = os.environ if env is None else env
    return _time_zone(env.get("SAMSKAB_TIME_ZONE"))


@functools.lru_cache(maxsize=16)
def _time_zone(value: str | None) -> str:
    """A zone name from the tz database; an unknown name stops the start with a clear message."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (value or "Europe/Copenhagen").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"SAMSKAB_TIME_ZONE: unknown time zone {name!r} (use a name like Europe/Oslo)"
        ) from None
    return name
