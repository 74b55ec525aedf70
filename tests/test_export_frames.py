"""An export's tables are built a chunk of rows at a time (other threads get the GIL between
chunks), and come out the same as built in one go."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.reports import exports


def cursor_over(rows: list[tuple[int, str]]) -> sqlite3.Cursor:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (n INTEGER, s TEXT)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", rows)
    return conn.execute("SELECT n, s FROM t ORDER BY rowid")


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(-(2**40), 2**40), st.text(max_size=5)), max_size=40),
    chunk=st.integers(1, 7),
)
def test_a_frame_built_in_chunks_equals_one_built_at_once(
    rows: list[tuple[int, str]], chunk: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "FRAME_CHUNK_ROWS", chunk)
        built = exports._frame(cursor_over(rows))
    whole = pd.DataFrame(cursor_over(rows).fetchall(), columns=["n", "s"])
    assert list(built.columns) == ["n", "s"]
    assert built.to_dict("records") == whole.to_dict("records")
    assert list(built.index) == list(range(len(rows)))


def test_the_chunks_are_small_and_read_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    sizes: list[int] = []
    real = pd.DataFrame

    def recording(data: object = None, *args: object, **kwargs: object) -> pd.DataFrame:
        if isinstance(data, list):
            sizes.append(len(data))
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exports.pd, "DataFrame", recording)
    frame = exports._frame(cursor_over([(n, "x") for n in range(12_345)]))
    assert len(frame) == 12_345
    assert sizes == [5_000, 5_000, 2_345]
