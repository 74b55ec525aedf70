"""Bad input at every door: random unicode, very long text, control characters and markup.

Each service either refuses with a clear WorkshopError whose key exists in every language, or
stores the text cleaned (no control characters) and shows it literally: escaped with
``workshop.text.escape_markdown`` and rendered by a CommonMark parser with raw HTML enabled,
it yields only paragraphs of plain text equal to what was stored.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tests.factories import join, make_meeting, start
from tests.test_committees import to_recruitment
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.committees import recruitment
from workshop.db import Store
from workshop.errors import WorkshopError
from workshop.feedback import core as feedback
from workshop.i18n import LANGUAGES, translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation, themes
from workshop.model import Role
from workshop.text import WORD_JOINER, clean_text, escape_markdown

ROOT = Path(__file__).resolve().parent.parent
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](http://evil.example/x.png)",
    "**bold** _it_ ~~gone~~ `code`",
    "# heading",
    "Heading\n===",
    "> quote",
    "- item\n1. item",
    "| a | b |\n|---|---|\n| c | d |",
    "$$\\frac{1}{0}$$",
    ":red[colour] :material/home: :smile:",
    "&amp; &lt;b&gt; &#x3C;",
    "<!-- comment -->",
    "    indented code",
    "```\nfence\n```",
    "http://example.com www.example.com",
    "\\*not emphasis\\*",
    "a\u202eevil\u202c b",  # bidi override
    "\x00\x07\x1b[31mred\x1b[0m",
    "\u200b\u200d\ufeff",
    "line\r\nbreak\rmac\u2028sep",
    "👨‍👩‍👧 ﷽ Ω̈ 𝕏",
]
nasty_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.lists(st.sampled_from(MARKUP), min_size=1, max_size=4).map(" ".join),
    st.tuples(st.sampled_from(MARKUP), st.text(max_size=40)).map("".join),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "ø" * n),
    st.just(""),
    st.just(" \n\t "),
)
_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_ALLOWED_BLOCKS = {"paragraph_open", "paragraph_close", "inline"}
_ALLOWED_INLINE = {"text", "softbreak", "hardbreak"}
_SPACE = re.compile(r"\s+")


def rendered_plain_text(markdown: str) -> str:
    """Render like st.markdown would; fail on anything but plain paragraphs of text."""
    parts = []
    for token in _md.parse(markdown):
        assert token.type in _ALLOWED_BLOCKS, (token.type, markdown)
        for child in token.children or []:
            assert child.type in _ALLOWED_INLINE, (child.type, markdown)
            parts.append(child.content if child.type == "text" else "\n")
        if token.type == "paragraph_close":
            parts.append("\n")
    return "".join(parts)


def normalise(text: str) -> str:
    # A no-break space keeps an indent; a word joiner (invisible) keeps an address from linking.
    return _SPACE.sub(" ", text.replace("\u00a0", " ").replace(WORD_JOINER, "")).strip()


def assert_shown_literally(stored: str) -> None:
    assert normalise(rendered_plain_text(escape_markdown(stored))) == normalise(stored)


def assert_clean(stored: str) -> None:
    assert stored == clean_text(stored)  # cleaning is idempotent: nothing left to remove
    for ch in stored:
        assert ch in "\n\u200c\u200d" or not unicodedata.category(ch).startswith("C"), repr(ch)


def assert_clear_refusal(error: WorkshopError) -> None:
    for lang in LANGUAGES:
        message = translate(lang, error.key, **error.params)
        assert message.strip() and "{" not in message, (lang, error.key)


def accepted_or_refused(call: Callable[[], Any]) -> Any | None:
    """The result of ``call``, or None after checking the refusal is a clear message."""
    try:
        return call()
    except WorkshopError as error:
        assert_clear_refusal(error)
        return None


FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def room(tmp_path: Path) -> Iterator[dict[str, Any]]:
    store = open_store(tmp_path / "fuzz.db")
    staff = accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR)
    meeting = make_meeting(store, staff)
    start(store, meeting)
    yield {"store": store, "staff": staff, "meeting": meeting, "n": itertools.count()}
    assert store.scalar("PRAGMA integrity_check") == "ok"
    store.close()


# -- the pure functions ----------------------------------------------------------------------------


@FUZZ
@given(nasty_text)
def test_cleaned_text_is_clean_and_shows_literally(raw: str) -> None:
    stored = clean_text(raw)
    assert_clean(stored)
    assert_shown_literally(stored)


@pytest.mark.parametrize("raw", MARKUP)
def test_every_markup_sample_shows_literally(raw: str) -> None:
    stored = clean_text(raw)
    assert_shown_literally(stored)
    assert "\u202e" not in stored and "\x1b" not in stored


def test_invisible_text_counts_as_empty() -> None:
    from workshop.errors import InvalidInput
    from workshop.text import require_text

    for blank in ["", "   ", "\u200b\u200d", "\u3164\u2800", "\n\n\t"]:
        with pytest.raises(InvalidInput) as raised:
            require_text(blank, max_chars=10, field="idea")
        assert raised.value.key == "error.text.empty"


# -- the services ----------------------------------------------------------------------------------


@FUZZ
@given(text=nasty_text)
def test_submit_idea(room: dict[str, Any], text: str) -> None:
    store: Store = room["store"]
    who = join(store, room["meeting"], f"p{next(room['n'])}")
    idea = accepted_or_refused(lambda: ideas.submit_idea(store, who, text, per_minute=10**6))
    if idea is not None:
        stored = ideas.get_idea(store, idea.id).text
        assert stored == clean_text(text)
        assert_clean(stored)
        assert_shown_literally(stored)


@FUZZ
@given(name=nasty_text, code=nasty_text)
def test_join_meeting_with_any_name_and_any_code(
    room: dict[str, Any], name: str, code: str
) -> None:
    store: Store = room["store"]
    client = f"fuzz-{next(room['n'])}"
    accepted_or_refused(lambda: meetings.join_meeting(store, code, name, client=client))
    participant = accepted_or_refused(
        lambda: meetings.join_meeting(store, room["meeting"].join_code, name, client=client)
    )
    if participant is not None:
        assert participant.display_name == clean_text(name)
        assert_clean(participant.display_name)
        assert_shown_literally(participant.display_name)


@FUZZ
@given(text=nasty_text, author=nasty_text)
def test_submit_on_behalf(room: dict[str, Any], text: str, author: str) -> None:
    store: Store = room["store"]
    idea = accepted_or_refused(
        lambda: ideas.submit_on_behalf(
            store, room["meeting"].id, text, author_name=author, actor=room["staff"]
        )
    )
    if idea is not None:
        assert_clean(idea.text)
        assert_clean(idea.author_name)
        assert_shown_literally(idea.text)
        assert_shown_literally(idea.author_name)


def test_a_name_cut_to_length_has_no_trailing_space(room: dict[str, Any]) -> None:
    idea = ideas.submit_on_behalf(
        room["store"], room["meeting"].id, "idé", author_name="a" * 39 + " b", actor=room["staff"]
    )
    assert idea.author_name == idea.author_name.strip()


@FUZZ
@given(title=nasty_text, task=nasty_text, prompt=nasty_text)
def test_create_committee_and_meeting(
    room: dict[str, Any], title: str, task: str, prompt: str
) -> None:
    store: Store = room["store"]
    committee = accepted_or_refused(
        lambda: committees.create_committee(store, title, task, actor=room["staff"])
    )
    if committee is None:
        return
    assert_clean(committee.title)
    assert_shown_literally(committee.title)
    meeting = accepted_or_refused(
        lambda: meetings.create_meeting(
            store, committee.id, title, prompt=prompt, actor=room["staff"]
        )
    )
    if meeting is not None:
        assert_clean(meeting.title)
        assert_shown_literally(meeting.title)
        for step in meetings.list_steps(store, meeting.id):
            assert_clean(step.prompt)
            assert_shown_literally(step.prompt)


@FUZZ
@given(username=nasty_text, password=nasty_text, display=nasty_text)
def test_create_user_and_log_in(
    room: dict[str, Any], username: str, password: str, display: str
) -> None:
    store: Store = room["store"]
    user = accepted_or_refused(
        lambda: accounts.create_user(store, username, password, Role.POLITICIAN, display)
    )
    if user is not None:
        assert_clean(user.display_name)
        assert_shown_literally(user.display_name)
        assert accounts.authenticate(store, username, password).id == user.id
    refused = accepted_or_refused(lambda: accounts.authenticate(store, username, password + "x"))
    assert refused is None


@FUZZ
@given(reason=nasty_text, theme=nasty_text)
def test_moderation_and_themes(room: dict[str, Any], reason: str, theme: str) -> None:
    store: Store = room["store"]
    who = join(store, room["meeting"], f"m{next(room['n'])}")
    idea = ideas.submit_idea(store, who, f"idé {next(room['n'])}", per_minute=10**6)
    if (
        accepted_or_refused(
            lambda: moderation.hide_idea(store, idea.id, reason, actor=room["staff"])
        )
        is not None
        or ideas.get_idea(store, idea.id).hidden
    ):
        hidden = ideas.get_idea(store, idea.id)
        assert_clean(hidden.hide_reason or "")
        assert_shown_literally(hidden.hide_reason or "")
    made = accepted_or_refused(
        lambda: themes.create_theme(store, room["meeting"].id, theme, actor=room["staff"])
    )
    if made is not None:
        assert_clean(made.name)
        assert_shown_literally(made.name)


# -- nothing is ever rendered as raw HTML ----------------------------------------------------------

EVIL_IDEA = "<img src=x onerror=alert(1)> **bold** [l](javascript:alert(1)) $x$"
EVIL_NAME = "<b>Eve</b>_*"


def test_no_ui_file_allows_unsafe_html() -> None:
    for path in [ROOT / "streamlit_app.py", *sorted((ROOT / "workshop" / "ui").rglob("*.py"))]:
        assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8"), path.name


def _bodies(at: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        body = getattr(proto, "body", None)
        if isinstance(body, str) and kind in {"html", "markdown", "caption", "toast", "alert"}:
            found.append((kind, body))

    walk(at._tree)
    return found


@pytest.mark.parametrize("page", ["projector", "participate", "console", "summary", "my_data"])
def test_pages_show_markup_from_citizens_as_text(page: str, tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from workshop.app import shared_store

    db_path = tmp_path / "ui.db"
    monkeypatch.setenv("SAMSKAB_DB_PATH", str(db_path))
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    store = shared_store(db_path)
    staff = accounts.create_user(store, "fie", "correct horse battery", Role.FACILITATOR)
    meeting = make_meeting(store, staff, prompt=EVIL_IDEA)
    start(store, meeting)
    eve = join(store, meeting, EVIL_NAME)
    ideas.submit_idea(store, eve, EVIL_IDEA)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    if page == "projector":
        at.query_params["screen"] = meetings.screen_link_token(store, meeting.id)
    elif page in ("participate", "my_data"):
        at.query_params["p"] = eve.token
        if page == "my_data":
            at.switch_page("workshop/ui/pages/my_data.py")
    else:
        at.session_state["user"] = staff
        at.query_params["meeting"] = str(meeting.id)
        at.switch_page(f"workshop/ui/pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    bodies = _bodies(at)
    if page in ("projector", "participate", "console"):  # the idea is on these pages
        assert any("onerror" in body for _, body in bodies), (page, bodies)
    for kind, body in bodies:
        if kind == "html":  # st.html: the user's tags must arrive escaped
            # The only images are the app's own QR codes (an SVG data URI, no handler).
            images = re.findall(r"<img\b[^>]*>", body)
            assert all(
                'src="data:image/svg+xml;base64,' in img and "onerror" not in img for img in images
            ), (page, images)
            assert "<b>Eve" not in body, (page, body[:300])
            continue
        # Markdown: render it (raw HTML enabled) and look for anything the user's text made.
        for token in _md.parse(body):
            for child in [token, *(token.children or [])]:
                assert child.type not in {"html_inline", "html_block", "link_open", "image"}, (
                    page,
                    child.type,
                    body[:300],
                )
        rendered = _md.render(body)
        assert "<strong>bold</strong>" not in rendered and "<em>" not in rendered, rendered


# -- ballots: any sequence of taps keeps the rules ---------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    taps=st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 4), st.booleans()), min_size=1, max_size=60
    )
)
def test_any_sequence_of_dot_taps_keeps_one_ballot_and_the_dot_limit(
    tmp_path_factory: pytest.TempPathFactory, taps: list[tuple[int, int, bool]]
) -> None:
    from workshop.voting import ballots as voting

    store = open_store(tmp_path_factory.mktemp("taps") / "taps.db")
    meeting = make_meeting(store, dots=3)
    start(store, meeting)
    people = [join(store, meeting, f"p{n}") for n in range(4)]
    idea_ids = [ideas.submit_idea(store, people[0], f"idé {n}").id for n in range(5)]
    meetings.next_step(store, meeting.id, actor=None)
    vote_round = voting.current_round(store, meeting.id)
    assert vote_round is not None
    for who, which, add in taps:
        action = voting.place_dot if add else voting.remove_dot
        try:
            action(store, people[who], vote_round.id, idea_ids[which])
        except WorkshopError as error:
            assert_clear_refusal(error)
    per_ballot = store.query(
        "SELECT b.round_id, b.participant_id, COALESCE(SUM(e.value), 0) AS used FROM ballots b"
        " LEFT JOIN ballot_entries e ON e.ballot_id = b.id GROUP BY b.id"
    )
    assert all(0 <= row["used"] <= 3 for row in per_ballot)
    pairs = [(row["round_id"], row["participant_id"]) for row in per_ballot]
    assert len(pairs) == len(set(pairs))
    assert store.scalar("SELECT COUNT(*) FROM ballot_entries WHERE value <= 0") == 0
    store.close()


# -- the public forms: committee applications and feedback e-mail ------------------------------


@FUZZ
@given(name=nasty_text, contact=nasty_text, motivation=nasty_text)
def test_apply_to_a_committee(
    room: dict[str, Any], name: str, contact: str, motivation: str
) -> None:
    store: Store = room["store"]
    if "recruiting" not in room:
        committee = committees.create_committee(store, "Åben", "Opgave", actor=room["staff"])
        to_recruitment(store, committee, room["staff"])
        room["recruiting"] = committee
    application = accepted_or_refused(
        lambda: recruitment.submit_application(
            store, room["recruiting"].id, name=name, contact=contact, motivation=motivation
        )
    )
    if application is not None:
        row = store.query_one("SELECT * FROM applications WHERE id = ?", [application.id])
        assert row is not None
        for column in ("name", "contact", "motivation"):
            assert_clean(row[column])
            assert_shown_literally(row[column])


@FUZZ
@given(email=nasty_text)
def test_feedback_email(room: dict[str, Any], email: str) -> None:
    store: Store = room["store"]
    who = join(store, room["meeting"], f"e{next(room['n'])}")
    accepted_or_refused(lambda: feedback.set_contact(store, who, email, consent=True, lang="da"))
    row = store.query_one(
        "SELECT email FROM participant_contacts WHERE participant_id = ?", [who.id]
    )
    if row is not None:
        assert_clean(row["email"])
        assert "@" in row["email"] and " " not in row["email"]
