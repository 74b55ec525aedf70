"""The console asks the meeting's can_* rules which controls it offers; pages hold no rules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import join
from tests.ui.conftest import PAGES, ROOT, open_console
from workshop import committees
from workshop.accounts import users as accounts
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, themes
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting


@pytest.fixture
def room(app_store):
    fie = accounts.create_user(app_store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(app_store, "Havnen", "Opgave", actor=fie)
    meeting = meetings.create_meeting(app_store, committee.id, "Borgermøde", actor=fie)
    meetings.next_step(app_store, meeting.id, actor=fie)  # the brainstorm
    anna = join(app_store, meeting, "Anna")
    posted = [ideas.submit_idea(app_store, anna, f"Idé {n}") for n in range(3)]
    return {"store": app_store, "fie": fie, "meeting": meeting, "ideas": posted}


def console(room, make_app) -> AppTest:
    return open_console(make_app, room["fie"], room["meeting"].id)


def test_first_step_offers_no_way_back_and_the_last_no_way_on(room, make_app) -> None:
    at = console(room, make_app)
    assert at.button(key="console_previous").disabled
    assert not at.button(key="console_next").disabled
    at.button(key="console_next").click().run()
    assert not at.button(key="console_previous").disabled
    at.button(key="console_previous").click().run()
    assert meetings.current_step(room["store"], room["meeting"].id).kind is StepKind.BRAINSTORM
    for _ in range(2):
        at.button(key="console_next").click().run()
    last = at.button(key="console_next")
    assert last.disabled and last.help == translate("da", "error.step.no_next")


def test_add_time_is_offered_until_the_cap(room, make_app) -> None:
    step = meetings.current_step(room["store"], room["meeting"].id)
    meetings.update_step(room["store"], step.id, time_box_minutes=238, actor=None)
    at = console(room, make_app)
    more = at.button(key="console_add_time")
    assert more.disabled
    assert more.help == translate("da", "error.step.time_box_full", max=meetings.TIME_BOX_MAX)


def test_a_new_round_is_offered_only_in_the_running_vote(room, make_app) -> None:
    at = console(room, make_app)
    assert not [b for b in at.button if b.key == "console_new_round"]
    at.button(key="console_next").click().run()
    first = voting.current_round(room["store"], room["meeting"].id)
    at.button(key="console_new_round").click().run()
    assert voting.current_round(room["store"], room["meeting"].id).number == first.number + 1


def test_assigning_ideas_to_a_theme_is_one_step(room, make_app) -> None:
    store, posted = room["store"], room["ideas"]
    theme = themes.create_theme(store, room["meeting"].id, "Badeliv", actor=room["fie"])
    at = console(room, make_app)
    picker = at.multiselect(key="console_assign_ideas")
    for idea in posted[:2]:
        picker.select(idea)
    at.button(key="console_assign").click().run()
    assert not at.exception, at.exception
    placed = [i.id for i in ideas.list_ideas(store, room["meeting"].id) if i.theme_id == theme.id]
    assert placed == [posted[0].id, posted[1].id]
    assert translate("da", "console.assigned.other", count=2) in [t.value for t in at.toast]


# -- pages hold no rules -------------------------------------------------------------------------

PAGE_FILES = sorted((ROOT / PAGES).glob("*.py"))
UI_FILES = sorted((ROOT / "workshop" / "ui").rglob("*.py"))


def test_no_page_does_timer_arithmetic_or_step_position_checks() -> None:
    rules = re.compile(
        r"time_box_minutes\s*[+-]"  # the +5-minute cap
        r"|position\s*[<>]=?\s*len\(steps\)"  # when a step may move on
        r"|TIME_BOX_MAX\)?\s*,\s*\w+\.time_box"  # min(TIME_BOX_MAX, ...)
        r"|random\.|import random"  # the ballot's shuffle
    )
    offenders = [
        f"{path.name}:{n}: {line.strip()}"
        for path in PAGE_FILES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if rules.search(line)
    ]
    assert offenders == []


def _outside_buttons(loop: ast.For) -> list[ast.AST]:
    """The loop's nodes, leaving out what runs under ``if st.button(...)``: a button drawn per
    item acts on its one item when tapped, it is not a write per item."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and any(
            isinstance(n, ast.Attribute) and n.attr == "button" for n in ast.walk(node.test)
        ):
            stack.extend(node.orelse)
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _service_calls_in_loops(path: Path) -> list[str]:
    """Writes done one by one in a loop (each its own transaction) instead of one service."""
    found = []
    for loop in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(loop, ast.For):
            continue
        for node in _outside_buttons(loop):
            if not isinstance(node, ast.Call):
                continue
            # a service called directly, or handed to a helper (``act(themes.assign_theme, …)``)
            for target in (node.func, *node.args[:1]):
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in {"themes", "moderation", "meetings", "voting"}
                    and target.attr.startswith(("assign", "set_", "hide", "merge", "place"))
                ):
                    found.append(f"{path.name}:{node.lineno} {target.value.id}.{target.attr}")
    return found


def test_no_page_writes_in_a_loop() -> None:
    assert [hit for path in PAGE_FILES for hit in _service_calls_in_loops(path)] == []


def test_the_loop_check_sees_a_service_handed_to_a_helper(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text(
        "for idea in ideas:\n    act(themes.assign_theme, db, idea, 1)\n"
        "for idea in ideas:\n    themes.assign_theme(db, idea, 1)\n"
        "for idea in ideas:\n    if st.button('out'):\n        act(themes.assign_theme, idea)\n",
        encoding="utf-8",
    )
    assert len(_service_calls_in_loops(page)) == 2


def test_pages_map_refusals_through_the_one_helper() -> None:
    """Only ``workshop/ui/actions.py`` turns ``WorkshopError`` into a message by hand.

    A catch that says nothing and only returns a fallback (an HTTP route's plain response, an
    empty download) is not a message, so it may stay where it is.
    """
    allowed = {"actions.py"}
    refusals = {"WorkshopError", "NotAllowed", "InvalidInput", "RateLimited"}
    catches = []
    for path in UI_FILES:
        if path.name in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = {getattr(n, "id", "") for n in ast.walk(node.type)}
            says = any(
                isinstance(n, ast.Name) and n.id.endswith("error_text")
                for stmt in node.body
                for n in ast.walk(stmt)
            )
            silent = len(node.body) == 1 and isinstance(node.body[0], ast.Return) and not says
            if (caught & refusals or says) and not silent:
                catches.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node.type)}")
    assert catches == []


def actions_script() -> None:
    import streamlit as st

    from workshop.errors import NotAllowed
    from workshop.ui.actions import act, or_stop, shows_refusal
    from workshop.ui.session import show_flash

    def refuse(*_: object, **__: object) -> None:
        raise NotAllowed("error.step.no_next")

    show_flash()
    name = st.text_input("navn", key="name")
    if st.button("gem", key="save"):
        with shows_refusal():
            refuse(name)
            st.session_state["saved"] = True
    if st.button("videre", key="move"):
        act(refuse, done="udført")
    if st.button("find", key="find"):
        or_stop(refuse)
        st.session_state["after_stop"] = True


def test_the_one_helper_says_a_refusal_in_the_users_language() -> None:
    at = AppTest.from_function(actions_script, default_timeout=30)
    at.query_params["lang"] = "nb"
    at.run()
    at.text_input(key="name").input("Kari")
    at.button(key="save").click().run()
    said = translate("nb", "error.step.no_next")
    assert [e.value for e in at.error] == [said]
    assert at.text_input(key="name").value == "Kari" and "saved" not in at.session_state
    at.button(key="move").click().run()
    assert said in [t.value for t in at.toast] and not at.error
    at.button(key="find").click().run()
    assert [e.value for e in at.error] == [said] and "after_stop" not in at.session_state
