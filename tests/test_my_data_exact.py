"""Issue 14, point 2: "my data" is exactly the person's data.

Four phones take part in one meeting: they post ideas, acknowledge the agreement, and vote in
every method (pairwise, statements, two axes, ranked, consent, dots). Each download holds the
person's own rows, each once, and none of the others' rows: checked by participant ids and by
content. The My data page counts per method.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import join, start
from workshop.agreements import core as agreements
from workshop.agreements.core import Template
from workshop.db import Store
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Meeting, Participant, User
from workshop.privacy import core as privacy
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods
from workshop.voting.methods import VoteMethod

NAMES = ("Anna", "Bo", "Cai", "Dorte")


def _walk(value: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a JSON-like structure."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((key, item))
            found.extend(_walk(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_walk(item))
    return found


@pytest.fixture
def room(store: Store, meeting: Meeting, facilitator: User) -> dict[str, Any]:
    """Four phones, an idea each, an acknowledged agreement, and votes in every method."""
    made = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=facilitator
    )
    agreements.publish_agreement(store, made.id, actor=facilitator)
    start(store, meeting)
    people = [join(store, meeting, name) for name in NAMES]
    posted = {
        p.id: ideas.submit_idea(store, p, f"Idé fra {p.display_name} nr. {p.id}") for p in people
    }
    idea_ids = [i.id for i in posted.values()]
    for person in people:
        pending = agreements.pending_agreement(store, person)
        assert pending is not None
        agreements.acknowledge_agreement(store, person, pending.version.id)
        feedback.set_contact(
            store, person, f"{person.display_name.lower()}@example.dk", consent=True, lang="da"
        )
    meetings.next_step(store, meeting.id, actor=None)  # brainstorm → vote step
    step = meetings.list_steps(store, meeting.id)[1]

    pairwise = vote_methods.open_round(store, step.id, VoteMethod.PAIRWISE, actor=None)
    # Every phone judges every pair that involves its own idea (so every download could
    # reach the others' choices through "my ideas"), and two phones say "can't decide" once.
    for n, person in enumerate(people):
        mine = posted[person.id].id
        for other in idea_ids:
            if other == mine:
                continue
            winner = None if (n % 2 and other == idea_ids[-1]) else mine
            vote_methods.cast_pairwise(store, person, pairwise, mine, other, winner)
    statements = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    for n, person in enumerate(people):
        for k, idea_id in enumerate(idea_ids):
            vote_methods.cast_stance(store, person, statements, idea_id, (n + k) % 3 - 1)
    scores = vote_methods.open_round(store, step.id, VoteMethod.TWO_AXIS, actor=None)
    for n, person in enumerate(people):
        vote_methods.cast_scores(store, person, scores, idea_ids[n], n + 1, 5 - n)
    ranked = vote_methods.open_round(store, step.id, VoteMethod.RANKED, actor=None)
    for n, person in enumerate(people):
        vote_methods.cast_ranking(store, person, ranked, idea_ids[n:] + idea_ids[:n])
    consent = vote_methods.open_round(store, step.id, VoteMethod.CONSENT, actor=None)
    for person in people:
        vote_methods.cast_consent(
            store, person, consent, "block", f"Indsigelse fra {person.display_name}"
        )
    dots = vote_methods.open_round(store, step.id, VoteMethod.DOT_VOTE, actor=None)
    store.execute("UPDATE rounds SET dots_per_participant = 3 WHERE id = ?", [dots])
    for person in people:
        for idea_id in idea_ids[:3]:
            voting.place_dot(store, person, dots, idea_id)
    return {
        "people": people,
        "ideas": posted,
        "rounds": {
            "pairwise": pairwise,
            "statements": statements,
            "two_axis": scores,
            "ranked": ranked,
            "consent": consent,
            "dot_vote": dots,
        },
    }


def _participant_refs(data: dict[str, Any]) -> set[Any]:
    return {value for key, value in _walk(data) if key == "participant_id"}


def test_each_download_holds_only_that_persons_rows(store: Store, room: dict[str, Any]) -> None:
    people: list[Participant] = room["people"]
    for person in people:
        data = privacy.export_participant_data(store, person)
        text = json.dumps(data, ensure_ascii=False)
        others = [p for p in people if p.id != person.id]

        # By participant ids: nothing points at anyone else.
        assert _participant_refs(data) <= {person.id}
        # By content: no other person's name, e-mail, idea authorship or consent reason.
        for other in others:
            assert f"{other.display_name.lower()}@example.dk" not in text
            assert f"Indsigelse fra {other.display_name}" not in text
            assert other.token not in text
        assert [i["text"] for i in data["ideas"]] == [room["ideas"][person.id].text]
        assert {value for key, value in _walk(data) if key == "author_name"} <= {
            person.display_name
        }
        assert person.token not in text

        ballots = {b["method"]: b for b in data["ballots"]}
        assert sorted(ballots) == sorted(room["rounds"])  # one ballot per round, each once
        assert len(data["ballots"]) == len(room["rounds"])
        # every ballot names its step by place; no field is exported that is never filled
        assert all(
            isinstance(b["step_number"], int) and b["step_number"] >= 1 for b in ballots.values()
        )
        assert None not in data["participant"].values()

        # Pairwise: exactly the person's own three judgements, each once.
        pairs = ballots["pairwise"]["choices"]
        mine = room["ideas"][person.id].id
        mine_stored = store.query(
            "SELECT low_id, high_id, winner_id FROM pairwise_choices WHERE participant_id = ?",
            [person.id],
        )
        assert len(pairs) == len(mine_stored) == 3
        assert len({(c["left"]["id"], c["right"]["id"]) for c in pairs}) == 3
        assert all(mine in (c["left"]["id"], c["right"]["id"]) for c in pairs)
        assert sorted((c["left"]["id"], c["right"]["id"], c["chosen_id"]) for c in pairs) == sorted(
            (r["low_id"], r["high_id"], r["winner_id"]) for r in mine_stored
        )

        # Every other method: the person's own answers.
        assert len(ballots["statements"]["choices"]) == 4
        assert {c["answer"] for c in ballots["statements"]["choices"]} <= {
            "agree",
            "disagree",
            "pass",
        }
        [score] = ballots["two_axis"]["choices"]
        n = people.index(person)
        assert (score["impact"], score["feasibility"]) == (n + 1, 5 - n)
        assert [c["rank"] for c in ballots["ranked"]["choices"]] == [1, 2, 3, 4]
        assert ballots["consent"]["choices"] == [
            {"response": "block", "reason": f"Indsigelse fra {person.display_name}"}
        ]
        assert sum(c["dots"] for c in ballots["dot_vote"]["choices"]) == 3
        assert len(data["acknowledgements"]) == 1
        assert data["contact"]["email"] == f"{person.display_name.lower()}@example.dk"


def test_counts_per_method_say_what_the_person_did(store: Store, room: dict[str, Any]) -> None:
    data = privacy.export_participant_data(store, room["people"][0])
    assert privacy.vote_counts(data) == {
        "dot_vote": 3,
        "statements": 4,
        "pairwise": 3,
        "two_axis": 1,
        "ranked": 1,
        "consent": 1,
    }


def test_my_data_page_counts_per_method(store: Store, room: dict[str, Any], monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.test_privacy import ROOT, _all_text
    from workshop.i18n import translate, translate_count

    monkeypatch.setenv(
        "SAMSKAB_DATABASE_URL" if store.engine == "postgresql" else "SAMSKAB_DB_PATH", store.path
    )
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    anna = room["people"][0]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params["p"] = anna.token
    at.switch_page("workshop/ui/pages/my_data.py")
    at.run()
    assert not at.exception
    text = _all_text(at)
    assert translate_count("da", "privacy.my_data.dots", 3) in text
    assert translate_count("da", "privacy.my_data.count.statements", 4) in text
    assert translate_count("da", "privacy.my_data.count.pairwise", 3) in text
    assert translate_count("da", "privacy.my_data.count.two_axis", 1) in text
    assert translate_count("da", "privacy.my_data.count.ranked", 1) in text
    assert translate_count("da", "privacy.my_data.count.consent", 1) in text
    # Not the old sum of every method's ballot values as "dots".
    assert "prikker sat" not in text.replace(translate_count("da", "privacy.my_data.dots", 3), "")
    assert translate("da", "privacy.my_data.name", name="Anna") in text


# -- after deletion, the phone says so ----------------------------------------------------------


def test_after_deletion_the_phone_says_its_data_was_deleted(
    store: Store, meeting: Meeting, monkeypatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.test_privacy import ROOT, _all_text
    from workshop.i18n import translate

    monkeypatch.setenv(
        "SAMSKAB_DATABASE_URL" if store.engine == "postgresql" else "SAMSKAB_DB_PATH", store.path
    )
    monkeypatch.setenv("SAMSKAB_DEMO_DATA", "0")
    start(store, meeting)
    anna = join(store, meeting, "Anna")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    at.query_params["p"] = anna.token
    at.switch_page("workshop/ui/pages/my_data.py")
    at.run()
    at.checkbox(key="my_data_confirm").check().run()
    at.button(key="my_data_delete").click().run()
    assert not at.exception
    assert privacy.is_erased(store, anna.id)
    notice = translate("da", "privacy.erased.notice")
    assert notice in _all_text(at)
    assert translate("da", "error.participant.unknown") not in _all_text(at)

    # The old link, opened again (a reload, the QR, another tab), says the same.
    again = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    again.query_params["p"] = anna.token
    again.run()
    assert not again.exception
    assert notice in _all_text(again)
    # In English too.
    english = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    english.query_params["p"] = anna.token
    english.query_params["lang"] = "en"
    english.run()
    assert translate("en", "privacy.erased.notice") in _all_text(english)
