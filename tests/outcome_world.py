"""A committee with everything a politician's summary shows: a meeting with ideas and dots,
members with self-reported diversity, recommendations through the decision path, and outcome
records with values expected and realised. Used by the domain, AppTest and browser tests."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import timedelta

from tests.factories import join, start
from workshop import committees, outcomes
from workshop.db import Store
from workshop.errors import WorkshopError
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import User, utcnow
from workshop.voting import ballots as voting

IDEAS = [
    "Længere åbningstider i weekenden",
    "Lektiecafé for unge om eftermiddagen",
    "Et stillerum til læsning og koncentration",
    "Lån af værktøj og udstyr, ikke kun bøger",
    "Udendørs læsehave med skygge",
    "Makerspace med 3D-printer",
]
RECOMMENDATIONS = [
    ("Åbent bibliotek alle ugens dage", "adopted", "adopted", ""),
    ("Lektiecafé i samarbejde med skolerne", "adopted", "adopted_with_changes", "Kun to dage"),
    ("Makerspace i kælderen", "adopted", "rejected", "Ingen plads i budgettet"),
    ("Læsehave ved åen", "postponed", None, "Afventer lokalplan"),
]


@dataclass
class OutcomeWorld:
    committee_id: int
    meeting_id: int
    outcome_ids: list[int]
    recommendation_ids: list[int]


def _member(store: Store, committee_id: int, name: str, role: str, answers: dict) -> None:
    now = utcnow()
    with store.transaction() as db:
        application_id = None
        if answers:
            application_id = db.execute(
                "INSERT INTO applications (committee_id, name, motivation, consent_at, age_band,"
                " district, gender, hard_to_reach, status, rationale, submitted_at)"
                " VALUES (?, ?, 'Jeg vil gerne bidrage', ?, ?, ?, ?, ?, 'appointed', 'Profil',"
                " ?) RETURNING id",
                [
                    committee_id,
                    name,
                    now,
                    answers.get("age_band"),
                    answers.get("district"),
                    answers.get("gender"),
                    answers.get("hard_to_reach"),
                    now,
                ],
            ).fetchall()[0][0]
        db.execute(
            "INSERT INTO committee_members (committee_id, name, role, starts_on, application_id,"
            " added_at) VALUES (?, ?, ?, '2026-01-01', ?, ?)",
            [committee_id, name, role, application_id, now],
        )


def _recommend(store: Store, committee_id: int, title: str, idea_ids: list[int]) -> int:
    now = utcnow()
    with store.transaction() as db:
        rid = int(
            db.execute(
                "INSERT INTO recommendations (committee_id, title, body, created_at, updated_at)"
                " VALUES (?, ?, '', ?, ?) RETURNING id",
                [committee_id, title, now, now],
            ).fetchall()[0][0]
        )
        for idea_id in idea_ids:
            db.execute(
                "INSERT INTO recommendation_ideas (recommendation_id, idea_id) VALUES (?, ?)",
                [rid, idea_id],
            )
    return rid


def _decide(store: Store, rid: int, body: str, outcome: str, why: str) -> None:
    now = utcnow()
    with store.transaction() as db:
        db.execute(
            "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [rid, body, outcome, now[:10], why, now],
        )


def build_outcome_world(
    store: Store,
    actor: User | None,
    *,
    title: str = "Fremtidens bibliotek i Nordby",
    is_demo: bool = False,
    people: int = 8,
) -> OutcomeWorld:
    rng = random.Random(7)
    committee = committees.create_committee(
        store, title, "Anbefalinger til et levende bibliotek", actor=actor, is_demo=is_demo
    )
    meeting = meetings.create_meeting(
        store,
        committee.id,
        "Dialogmøde på biblioteket",
        prompt="Hvad skal biblioteket kunne?",
        actor=actor,
    )
    start(store, meeting)
    phones = [join(store, meeting, f"Borger {i}") for i in range(people)]
    posted = [ideas.submit_idea(store, phones[i % people], text) for i, text in enumerate(IDEAS)]
    meetings.next_step(store, meeting.id, actor=None)
    while (vote_round := voting.current_round(store, meeting.id)) is None:
        meetings.next_step(store, meeting.id, actor=None)
    for phone in phones:
        for idea in rng.choices(posted, weights=[8, 6, 4, 3, 2, 1], k=3):
            with contextlib.suppress(WorkshopError):  # a per-idea cap: fewer dots is fine
                voting.place_dot(store, phone, vote_round.id, idea.id)
    with store.transaction() as db:  # applications are accepted only while recruiting
        db.execute(
            "UPDATE committee_states SET phase = 'recruitment' WHERE committee_id = ?",
            [committee.id],
        )
    for name, role, answers in (
        ("Mette Borgmester", "chair", {}),
        (
            "Jonas",
            "citizen",
            {
                "age_band": "under_25",
                "district": "Nordby",
                "gender": "man",
                "hard_to_reach": "youth",
            },
        ),
        (
            "Fatima",
            "citizen",
            {
                "age_band": "25_39",
                "district": "Sydby",
                "gender": "woman",
                "hard_to_reach": "families_with_children",
            },
        ),
        ("Karen", "citizen", {"age_band": "60_74", "gender": "woman"}),
    ):
        _member(store, committee.id, name, role, answers)
    with store.transaction() as db:
        db.execute(
            "UPDATE committee_states SET phase = 'implementation' WHERE committee_id = ?",
            [committee.id],
        )
    recommendation_ids = []
    for index, (rec_title, standing, council, why) in enumerate(RECOMMENDATIONS):
        rid = _recommend(store, committee.id, rec_title, [posted[index].id])
        _decide(store, rid, "standing_committee", standing, "" if standing == "adopted" else why)
        if council:
            _decide(store, rid, "council", council, why)
        recommendation_ids.append(rid)
    records = outcomes.list_outcomes(store, committee.id)
    by_recommendation = {o.recommendation_id: o.id for o in records}
    first, second = (
        by_recommendation[recommendation_ids[0]],
        by_recommendation[recommendation_ids[1]],
    )
    outcomes.record_expected_values(
        store, first, ["quality", "citizen_involvement", "political_goals"], actor=actor
    )
    outcomes.record_expected_values(
        store, second, ["quality", "employee_satisfaction"], actor=actor
    )
    outcomes.record_realised_value(
        store,
        first,
        "quality",
        evidence_kind="figure",
        evidence="Udlån op fra 41.000 til 52.000 om året",
        actor=actor,
    )
    outcomes.record_realised_value(
        store,
        first,
        "political_goals",
        evidence_kind="link",
        evidence="https://nordby.dk/evaluering-2026.pdf",
        actor=actor,
    )
    outcomes.record_barometer_answers(
        store,
        first,
        initiators=["nearest_political_leadership", "citizens_users"],
        innovation_types=["service"],
        novelty="inspired_adapted",
        evaluated="internal",
        shared=True,
        actor=actor,
    )
    outcomes.record_barometer_answers(store, second, initiators=["citizens_users"], actor=actor)
    outcomes.record_realised_value(
        store,
        second,
        "quality",
        evidence_kind="text",
        evidence="Lærerne melder om flere elever med lektier",
        actor=actor,
    )
    outcomes.update_follow_up(
        store, first, owner="Kultur og Fritid", status="in_progress", progress=60, actor=actor
    )
    outcomes.schedule_review(store, second, formats.today() + timedelta(days=5), actor=actor)
    with store.transaction() as db:  # a review planned earlier and now overdue
        db.execute(
            "INSERT INTO outcome_reviews (outcome_id, due_on, created_at) VALUES (?, ?, ?)",
            [first, (formats.today() - timedelta(days=3)).isoformat(), utcnow()],
        )
    return OutcomeWorld(committee.id, meeting.id, [first, second], recommendation_ids)
