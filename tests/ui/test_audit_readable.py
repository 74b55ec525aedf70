"""The audit log a person reads (issue 18, trial finding 5): before/after name steps, ideas,
committees and users as people know them (the step's position and name, not its database id);
the CSV download is for the reader (their column names, labels instead of codes, local time);
the JSON keeps machine keys but its times carry their offset and the page says it is the
machine-readable file."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

import pytest
import streamlit as st

from tests.ui.conftest import PAGES, texts
from workshop import audit
from workshop.i18n import formats, translate
from workshop.meetings import core as meetings
from workshop.model import Role
from workshop.ui import state


@pytest.fixture(autouse=True)
def language_left_unset() -> Iterator[None]:
    """These tests choose a language in the bare (no-app) session state, which lives as long as
    the test process: it is removed after each, or every later page test in the process reads
    its widgets' labels in that language (a full run failed 48 tests on "Dialogmøte")."""
    yield
    if state.LANG in st.session_state:
        del st.session_state[state.LANG]


@pytest.fixture
def moved(world):
    """The facilitator moved the running meeting from its first step to its second."""
    store = world["store"]
    meetings.next_step(store, world["meeting"].id, actor=world["users"][Role.FACILITATOR])
    steps = meetings.list_steps(store, world["meeting"].id)
    return {**world, "steps": steps}


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_audit_table_names_the_step_by_position_and_name(moved, make_app, lang) -> None:
    at = make_app(
        user=moved["users"][Role.ADMIN], query={"lang": lang}, script=f"{PAGES}/audit.py"
    ).run()
    assert not at.exception, at.exception
    (table,) = [frame.value for frame in at.dataframe]
    first, second = moved["steps"][0], moved["steps"][1]
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    assert translate(lang, "audit.field.step_id") not in cells  # never "trin nr.: 13"
    moved_row = table[table["action"] == translate(lang, "audit.action.go_to_step")].iloc[0]
    kind = lambda step: translate(lang, f"step.{step.kind}")  # noqa: E731
    assert moved_row["before"] == translate(lang, "audit.ref.steps", number=1, kind=kind(first))
    assert moved_row["after"] == translate(lang, "audit.ref.steps", number=2, kind=kind(second))
    # the meeting the step belongs to is named too, not only its number
    assert moved_row["entity"].endswith(moved["meeting"].title), moved_row["entity"]
    assert translate(lang, "privacy.audit.json_note") in texts(at)


def _entries_in(lang: str, store) -> list[dict]:
    st.session_state[state.LANG] = lang
    return audit.query_entries(store)


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_audit_csv_is_for_the_reader(moved, lang) -> None:
    from workshop.ui.code_labels import audit_csv

    store = moved["store"]
    entries = _entries_in(lang, store)
    text = audit_csv(store, entries)
    assert text.startswith("\ufeff")  # Excel reads "æ" as "Ã¦" without it
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))  # Danish, Norwegian Excel
    header = rows[0]
    assert header == [
        translate(lang, f"privacy.audit.col.{name}")
        for name in ("at", "actor", "action", "entity", "entity_id", "before", "after")
    ]
    body = " ".join(" ".join(row) for row in rows[1:])
    for code in ("create_user", "go_to_step", "meetings", "steps", "step_id"):
        assert not re.search(rf"(^|[\s,]){code}($|[\s,])", body), code
    assert translate(lang, "audit.action.go_to_step") in body
    assert not re.search(r"\d{4}-\d\d-\d\dT", body)  # no ISO/UTC times
    first = entries[0]
    assert rows[1][0] == formats.datetime_text(first["at"], lang, seconds=True)
    assert translate(lang, "audit.field.step_id") not in body


def test_the_audit_json_keeps_machine_keys_with_offsets(moved) -> None:
    from workshop.ui.code_labels import audit_json

    store = moved["store"]
    decoded = json.loads(audit_json(_entries_in("da", store)))
    assert {"at", "action", "entity", "before", "after"} <= set(decoded[0])
    for item in decoded:
        assert re.search(r"[+-]\d\d:\d\d$", item["at"]), item["at"]  # the offset is in the time


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_dates_inside_before_and_after_read_in_the_readers_style(lang) -> None:
    from workshop.ui.code_labels import value_label

    st.session_state[state.LANG] = lang
    shown = value_label({"decided_at": "2026-11-16", "at": "2026-11-16T13:05:00+00:00"})
    assert formats.date_text("2026-11-16", lang) in shown
    assert formats.datetime_text("2026-11-16T13:05:00+00:00", lang) in shown
    assert "2026-11-16" not in shown
