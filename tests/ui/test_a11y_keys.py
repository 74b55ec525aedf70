"""Issue 18: the "−" dot button names its idea as "+" does, and My data's preview reads in
words in the reader's language (the downloaded file keeps its machine keys)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import join, make_meeting, start
from tests.ui import dots
from tests.ui.conftest import PAGES, texts
from tests.ui.test_live_pages import go, room  # noqa: F401  (the live pages' meeting)
from workshop.agreements import core as agreements
from workshop.agreements.core import Template
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.meetings import ideas, moderation
from workshop.model import Role, StepKind
from workshop.privacy import core as privacy
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod


@pytest.mark.parametrize(
    ("lang", "minus", "plus"),
    [
        ("da", "− Prik: ", "+ Prik: "),
        ("nb", "− Prikk: ", "+ Prikk: "),
        ("en", "− Dot: ", "+ Dot: "),
    ],
)
def test_the_remove_dot_button_names_its_idea_as_the_add_button_does(
    room,  # noqa: F811
    make_app,
    lang: str,
    minus: str,
    plus: str,
) -> None:
    go(room, StepKind.DOT_VOTE)
    at = make_app(query={"p": room["anna"].token, "lang": lang}).run()
    assert not at.exception
    data = dots.ballot(at)
    assert data is not None and data["ideas"]
    words = data["words"]
    # Both signs are named alike with their idea: "<sign>: <idea>" (the browser fills it in).
    for sign, said in (("minus", minus), ("plus", plus)):
        assert words["named"].format(plus=words[sign], idea="Idé nummer 0") == said + "Idé nummer 0"


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for item in value.values() for k in _keys(item)}
    if isinstance(value, list):
        return {k for item in value for k in _keys(item)}
    return set()


@pytest.fixture
def person(app_store):
    """A person who posted an idea (edited and rejected), acknowledged an agreement, left an
    e-mail, got feedback and voted in every method."""
    from workshop.accounts import users as accounts

    store = app_store
    fie = accounts.create_user(store, "fie", "a long passphrase", Role.FACILITATOR)
    meeting = make_meeting(store, fie)
    made = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=fie
    )
    agreements.publish_agreement(store, made.id, actor=fie)
    start(store, meeting)
    anna, bo = join(store, meeting, "Anna"), join(store, meeting, "Bo")
    mine = ideas.submit_idea(store, anna, "Bænke under træerne")
    other = ideas.submit_idea(store, bo, "Lys på stien")
    moderation.edit_idea(
        store, mine.id, "Bænke under træerne i parken", reason="Stavning", actor=fie
    )
    pending = agreements.pending_agreement(store, anna)
    assert pending is not None
    agreements.acknowledge_agreement(store, anna, pending.version.id)
    feedback.set_contact(store, anna, "anna@example.dk", consent=True, lang="da")
    feedback.send_feedback(store, idea_ids=[mine.id], body="Tak for idéen", actor=fie)
    meetings.next_step(store, meeting.id, actor=None)
    step = meetings.list_steps(store, meeting.id)[1]
    ids = [mine.id, other.id]
    pairwise = vote_methods.open_round(store, step.id, VoteMethod.PAIRWISE, actor=None)
    vote_methods.cast_pairwise(store, anna, pairwise, ids[0], ids[1], ids[1])
    statements = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    vote_methods.cast_stance(store, anna, statements, ids[1], -1)
    scores = vote_methods.open_round(store, step.id, VoteMethod.TWO_AXIS, actor=None)
    vote_methods.cast_scores(store, anna, scores, ids[1], 4, 2)
    ranked = vote_methods.open_round(store, step.id, VoteMethod.RANKED, actor=None)
    vote_methods.cast_ranking(store, anna, ranked, [ids[1], ids[0]])
    consent = vote_methods.open_round(store, step.id, VoteMethod.CONSENT, actor=None)
    vote_methods.cast_consent(store, anna, consent, "block", "For dyrt")
    dots = vote_methods.open_round(store, step.id, VoteMethod.DOT_VOTE, actor=None)
    voting.place_dot(store, anna, dots, ids[1])
    return store, anna


def preview_text(at: AppTest) -> str:
    """What the page shows, the expanders' labels and any JSON view included."""
    shown = [texts(at)]
    shown += [e.label for e in at.expander]
    shown += [getattr(e, "value", "") or "" for e in at.get("json")]
    return "\n".join(str(s) for s in shown)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("da", ["Blokerer", "Uenig", "Bænke under træerne i parken", "Stavning", "Tak for idéen"]),
        ("nb", ["Blokkerer", "Uenig", "Bænke under træerne i parken", "Stavning", "Tak for idéen"]),
    ],
)
def test_my_data_preview_reads_in_words_without_a_raw_key(
    person, make_app, lang: str, words: list[str]
) -> None:
    store, anna = person
    data = privacy.export_participant_data(store, anna)
    at = make_app(query={"p": anna.token, "lang": lang}).run()
    at.switch_page(f"{PAGES}/my_data.py").run()
    assert not at.exception, at.exception
    assert not at.get("json"), "the preview is a JSON view"
    shown = preview_text(at)
    raw = sorted(k for k in _keys(data) if "_" in k)
    assert "participant" in _keys(data) and "created_at" in raw
    leaked = [k for k in raw if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", shown)]
    assert leaked == []
    codes = [
        "dot_vote",
        "two_axis",
        "statements",
        "pairwise",
        "ranked",
        "consent",
        "block",
        "disagree",
        "submitted",
        "delivered",
        "dialogue_session",
        "None",
        "True",
        "False",
    ]
    assert [c for c in codes if re.search(rf"\b{c}\b", shown)] == []
    for word in words:
        assert word in shown, word
    # Dates in the reader's style, never ISO.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", shown)
    # The file keeps its machine keys.
    assert json.loads(json.dumps(data))["participant"]["joined_at"]
