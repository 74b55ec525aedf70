"""Issue 18, trial finding 4 on the server side: a control repeated for every step or idea
names what it acts on. The console's "Gå til trin" and the agenda's fields and buttons carry
their step in the label (a laptop has room, and a visible name works without the browser's
help); the phone's dot ballot gives each idea's dots in words. (Names set in the browser on a
phone, where the visible label stays short: tests/browser/test_screen_reader_names.py.)"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import streamlit

from tests.factories import join, make_meeting, start
from tests.ui import dots
from tests.ui.test_agenda_pages import console, da, fie  # noqa: F401  (the facilitator)
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.ui.frontend_words import ANNOUNCEMENTS, NAMES, PATTERNS


def test_every_go_to_step_button_names_its_step(app_store, fie, make_app) -> None:  # noqa: F811
    meeting = make_meeting(app_store, fie)
    start(app_store, meeting)
    at = console(make_app, fie, meeting.id)
    steps = meetings.list_steps(app_store, meeting.id)
    go = {b.key: b.label for b in at.button if (b.key or "").startswith("console_go_")}
    assert go  # the steps one may go to from the brainstorm
    for step in steps:
        label = go.get(f"console_go_{step.id}")
        if label is not None:
            assert label.startswith(da("console.go_to_step_named", position=step.position, step=""))
            assert len(label) > len(da("console.go_to_step"))
    assert len(set(go.values())) == len(go)


def test_every_field_and_button_of_the_agenda_names_its_step(
    app_store,
    fie,  # noqa: F811
    make_app,
) -> None:
    meeting = make_meeting(app_store, fie)
    at = console(make_app, fie, meeting.id)
    steps = meetings.list_steps(app_store, meeting.id)
    assert len(steps) >= 3
    per_step = [
        b.label
        for b in at.button
        if (b.key or "").startswith(("console_step_up_", "console_step_down_"))
        or (b.key or "").startswith(("console_step_duplicate_", "console_step_remove_"))
    ]
    per_step += [b.label for b in at.get("button") if "console_save_step_" in (b.key or "")]
    per_step += [f.label for f in at.text_input if (f.key or "").startswith("console_step_")]
    per_step += [f.label for f in at.number_input if (f.key or "").startswith("console_step_")]
    repeated = [label for label, count in Counter(per_step).items() if count > 1]
    assert repeated == []
    first = steps[0]
    assert da("console.save_step_named", position=first.position) in per_step
    assert da("console.step_up_named", position=first.position) in per_step
    assert (
        da("console.of_step", what=da("console.step_prompt"), position=first.position) in per_step
    )


def test_the_dots_on_an_idea_are_said_in_words(app_store, make_app) -> None:
    meeting = make_meeting(app_store, dots=3)
    start(app_store, meeting)
    anna = join(app_store, meeting, "Anna")
    ideas.submit_idea(app_store, anna, "Bænke under træerne")
    meetings.next_step(app_store, meeting.id, actor=None)  # the dot vote
    at = make_app(query={"p": anna.token}).run()
    assert not at.exception, at.exception
    # The ballot draws them in the browser from its words (as a screen reader hears them:
    # tests/browser/test_screen_reader_names.py).
    here = dots.ballot(at)["words"]["here"]
    assert here.format(placed=0, left=3) == da("a11y.dots_here", placed=0, left=3)


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_every_english_name_streamlit_writes_has_our_words(lang: str) -> None:
    keys = [*NAMES.values(), *PATTERNS.values(), *ANNOUNCEMENTS.values()]
    said = {key: translate(lang, key) for key in keys}
    assert all(said.values())
    if lang != "en":  # Danish and Norwegian: none of Streamlit's English left
        assert [e for e, key in NAMES.items() if said[key] == e] == []
    # A name with a label inside keeps the label ("Hjælp til Alder").
    assert all("$1" in said[key] for key in [*PATTERNS.values(), *ANNOUNCEMENTS.values()][:2])


def test_each_english_name_is_one_streamlit_writes() -> None:
    """The strings are Streamlit 1.67's own (a newer Streamlit that words them otherwise fails
    here, before a screen reader hears English again)."""
    bundle = Path(streamlit.__file__).parent / "static" / "static" / "js"
    code = "".join(path.read_text(encoding="utf-8") for path in bundle.glob("*.js"))
    written = [
        english.replace("user", "${").replace("assistant", "${")
        if english.startswith("Chat message from ")
        else english
        for english in NAMES
    ]
    assert [e for e in written if f"`{e}" not in code] == []
    # react-aria's announcements: "4 options available.", "<idea>, selected".
    for template in ("`Help for ${", "`Remove ${", "} available.`", "}, selected`"):
        assert template in code
