"""``benchmarks/room_load.py --database-url``: the room benchmark on PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import room_load  # noqa: E402

from tests.conftest import POSTGRES_URL  # noqa: E402


def test_the_room_runs_on_postgresql_when_given_a_url() -> None:
    args = room_load.parse_args(["-n", "50", "--processes", "2", "--database-url", POSTGRES_URL])
    assert args.database_url == POSTGRES_URL and args.processes == 2
    assert room_load.parse_args([]).database_url == ""  # SQLite, as before


def test_a_database_url_that_is_not_postgresql_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as refused:
        room_load.parse_args(["--database-url", "/tmp/room.db"])
    assert refused.value.code == 2
    assert "postgresql://" in capsys.readouterr().err


def test_each_run_gets_its_own_database_and_leaves_none_behind(engine: str) -> None:
    if engine != "postgresql":
        pytest.skip("PostgreSQL only (SAMSKAB_TEST_DATABASE=postgresql)")
    import psycopg

    url = room_load.fresh_postgres(POSTGRES_URL)
    name = url.rpartition("/")[2]
    assert name.startswith("samskab_room_") and url.startswith(POSTGRES_URL.rpartition("/")[0])

    def exists() -> bool:
        with psycopg.connect(POSTGRES_URL) as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        return row is not None

    try:
        assert exists()
        psycopg.connect(url).close()  # empty, and reachable by the URL the app is given
    finally:
        room_load.drop_postgres(POSTGRES_URL, url)
    assert not exists()
