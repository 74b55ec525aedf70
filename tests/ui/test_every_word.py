"""No English and no raw codes on a Danish or Norwegian page.

Every page is rendered in Danish and in Norwegian bokmål over the labelled demo data (a
committee from mandate to follow-up, with applications, a draw, agreements, outcomes and an
audit log) and a running meeting with a participant. Everything a person reads is collected:
titles, text, labels, options, placeholders, help texts and every cell of every table. The
test fails on a list of English words and on any code value the app stores (an enumeration's
value, an audit action) standing as a word of its own.

What Streamlit's frontend draws by itself ("Select all", "Press Enter to apply", "Skip to
main content") never reaches AppTest; ``tests/browser/test_every_word_journey.py`` checks it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.protobuf.message import Message

from tests.ui.conftest import PAGES
from workshop import demo, i18n
from workshop.meetings import core as meetings
from workshop.model import Role

# English that Streamlit or a careless page puts on a Danish or Norwegian page: Python's and
# pandas' empty values, Streamlit's built-in hints, and everyday English words of this app.
ENGLISH = (
    "None",
    "nan",
    "NaN",
    "NaT",
    "null",
    "True",
    "False",
    "Select all",
    "Press Enter",
    "Skip to main content",
    "Choose an option",
    "Choose options",
    "No results",
    "Clear all",
    "Submit",
    "Cancel",
    "Download",
    "Search",
    "vote",
    "votes",
    "idea",
    "ideas",
    "meeting",
    "committee",
    "member",
    "members",
    "citizen",
    "citizens",
    "politician",
    "woman",
    "women",
)


def code_values() -> set[str]:
    """Every value the app stores as a code: enumerations, audit actions, diversity answers."""
    import inspect
    from enum import StrEnum

    from workshop import model
    from workshop.agreements import core as agreements
    from workshop.barometer import dimensions
    from workshop.committees import model as committee_model
    from workshop.committees import sortition
    from workshop.meetings import agenda
    from workshop.outcomes import followup, records
    from workshop.voting import methods, opinion_groups, tallies, wrapup

    codes: set[str] = set()
    for module in (
        model,
        agreements,
        dimensions,
        committee_model,
        sortition,
        agenda,
        followup,
        records,
        methods,
        opinion_groups,
        tallies,
        wrapup,
    ):
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, StrEnum) and member is not StrEnum:
                codes |= {str(value) for value in member}
    for values in committee_model.DIVERSITY_OPTIONS.values():
        codes |= set(values)
    codes |= audit_actions()
    return codes


def audit_actions() -> set[str]:
    """The action names every service passes to ``audit.record``."""
    import ast
    from pathlib import Path

    found: set[str] = set()
    for path in (Path(__file__).resolve().parents[2] / "workshop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "record"
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
                and isinstance(node.args[2].value, str)
            ):
                found.add(node.args[2].value)
    return found


TEXT_FIELDS = {
    "label",
    "body",
    "options",
    "placeholder",
    "help",
    "value",
    "default",
    "caption",
    "text",
    "title",
    "display_values",
    "formatted_options",
    "tooltip",
    "description",
}


def proto_strings(message: Message) -> Iterator[str]:
    """The strings of an element's message a person may read (labels, options, text)."""
    for field, value in message.ListFields():
        if field.message_type is not None:
            children = [value] if isinstance(value, Message) else value
            for child in children:
                yield from proto_strings(child)
        elif field.name in TEXT_FIELDS and field.type == field.TYPE_STRING:
            yield from ([value] if isinstance(value, str) else value)


def table_text(node) -> Iterator[str]:
    """What a table shows: its header and every cell of its shown columns; an empty cell is
    drawn as "None" by Streamlit unless the table says otherwise (``placeholder``), a checkbox
    column as a box."""
    import json

    frame = node.value
    proto = node.proto
    config = json.loads(proto.columns) if getattr(proto, "columns", "") else {}
    shown = list(getattr(proto, "column_order", [])) or [str(c) for c in frame.columns]
    empty = "None"
    if "placeholder" in proto.DESCRIPTOR.fields_by_name and proto.HasField("placeholder"):
        empty = proto.placeholder
    for column in frame.columns:
        name = str(column)
        if name not in shown or config.get(name, {}) is None:
            continue
        settings = config.get(name, {})
        if settings.get("hidden"):
            continue
        yield str(settings.get("label") or name)
        checkbox = settings.get("type_config", {}).get("type") == "checkbox"
        if checkbox or frame[column].dtype == bool:
            continue
        for value in frame[column]:
            yield (
                empty
                if value is None or (isinstance(value, float) and value != value)
                else str(value)
            )


def page_text(at) -> str:
    """Everything the page shows as text, markup and icon names left out."""
    parts: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
        proto = getattr(node, "proto", None)
        if getattr(node, "type", "") == "html" and "__samskabWords" in str(proto):
            continue  # the English Streamlit draws, as keys of its translation (frontend_words)
        if getattr(node, "type", "") == "json":
            # A person's own data as the file they download (privacy: a machine-readable
            # copy); the page above it says the same in words.
            continue
        if type(getattr(node, "value", None)).__name__ == "DataFrame" and proto is not None:
            parts.extend(table_text(node))
        elif isinstance(proto, Message):
            parts.extend(proto_strings(proto))
    markup = re.compile(r"<style.*?</style>|<[^>]*>|:material/[a-z_]+:", re.DOTALL)
    return "\n".join(markup.sub(" ", part) for part in parts)


def problems(text: str, lang: str, codes: set[str]) -> list[str]:
    """English words and raw codes in ``text``; a code that is also a Danish or Norwegian word
    of the catalogues (e.g. "tema") is not counted."""
    from workshop.i18n import catalogue

    # The demo data is Danish user text: a Danish or Norwegian word is never a code.
    own = {
        word
        for language in ("da", "nb")
        for word in re.findall(r"\w+", " ".join(catalogue(language).values()).lower())
    }
    own |= {"reserve"}  # the demo's Danish rationale "reserve, hvis en plads bliver ledig"
    found = [
        f"English {w!r}" for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)
    ]
    words = set(re.findall(r"(?<![\w/.-])[a-z][a-z_]+(?![\w/.-])", text))
    found += [f"code {c!r}" for c in sorted(codes & words) if c.lower() not in own]
    return found


@pytest.fixture
def town(world):
    """The demo committee's whole year, and a running meeting with a participant."""
    from workshop.committees import core as committees
    from workshop.feedback import core as feedback

    store = world["store"]
    cid = demo.seed_demo(store)
    held = store.query("SELECT id FROM meetings WHERE is_demo = 1 ORDER BY id LIMIT 1")[0]["id"]
    return {
        **world,
        "committee": cid,
        "held": held,
        "link": committees.new_public_link(store, cid, actor=None),
        "outcome": feedback.new_outcome_link(store, held, actor=None),
        "screen": meetings.new_screen_link(store, world["meeting"].id, actor=None),
    }


STAFF = [
    "committees",
    "console",
    "projector",
    "summary",
    "outcomes",
    "users",
    "audit",
    "agreements",
    "feedback",
    "committee",
    "mandate_editor",
    "recruitment",
    "recommendations",
    "mandate",
    "apply",
    "meeting_outcome",
]
CITIZEN = ["participate", "my_ideas", "my_data"]


def visits(town) -> Iterator[tuple[str, dict, object]]:
    """(page, query, user) for every page: staff pages as the admin, over both meetings."""
    admin = town["users"][Role.ADMIN]
    common = {"committee": str(town["committee"]), "link": town["link"], "o": town["outcome"]}
    for page in STAFF:
        for meeting in (town["meeting"].id, town["held"]):
            yield page, {**common, "meeting": str(meeting)}, admin
    for page in CITIZEN:
        yield page, {"p": town["anna"].token}, None
    yield "start", {}, None
    yield "login", {}, None
    yield "summary", {}, town["users"][Role.POLITICIAN]
    yield "projector", {"screen": town["screen"]}, None


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_no_english_and_no_codes_on_any_page(town, make_app, lang, monkeypatch) -> None:
    # switch_page formats the first run's widget options outside a script run, where no
    # ?lang= is known: let that fallback be the language under test too.
    monkeypatch.setattr(i18n, "DEFAULT_LANGUAGE", lang)
    codes = code_values()
    report = []
    for page, query, user in visits(town):
        at = make_app(user=user, query={**query, "lang": lang}).run()
        at.switch_page(f"{PAGES}/{page}.py").run()
        assert not at.exception, (page, at.exception)
        found = problems(page_text(at), lang, codes)
        report += [f"{page} ({query.get('meeting', '')}): {p}" for p in found]
    assert not report, "\n".join(sorted(set(report)))


def streamlit_calls(name: str) -> Iterator[tuple[str, int, set[str]]]:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in [root / "streamlit_app.py", *sorted((root / "workshop" / "ui").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == name:
                yield path.name, node.lineno, {k.arg for k in node.keywords if k.arg}


def test_no_multiselect_offers_select_all_or_english_placeholders() -> None:
    """Streamlit's "Select all" is English, and on the feedback page it picked every idea for
    one message; "Choose options" is the English default placeholder."""
    wrong = [
        f"{name}:{line}"
        for name, line, keywords in streamlit_calls("multiselect")
        if not {"select_all", "placeholder"} <= keywords
    ]
    assert wrong == []


def test_every_table_says_how_an_empty_cell_reads() -> None:
    """Without ``placeholder`` Streamlit draws an empty cell as "None"."""
    wrong = [
        f"{name}:{line}"
        for name, line, keywords in streamlit_calls("dataframe")
        if "placeholder" not in keywords
    ]
    assert wrong == []
