"""Clearly labelled demo data, so that a newcomer sees a living app on first start.

Everything made here carries ``is_demo = 1`` and "DEMO" in its title; the UI shows a demo
badge. ``SAMSKAB_DEMO_DATA=0`` turns it off; tests never use it unless they ask.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from pathlib import Path

from workshop import committees, outcomes
from workshop.accounts import users as accounts
from workshop.agreements import core as agreements
from workshop.committees import Phase, mandates, members, recommendations, recruitment
from workshop.db import Store
from workshop.feedback import core as feedback
from workshop.i18n import formats
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import MeetingKind, Role, User
from workshop.voting import ballots as voting

DEMO_PREFIX = "DEMO · "

DEMO_IDEAS = [
    "Længere åbningstider i weekenden",
    "Lektiecafé for unge om eftermiddagen",
    "Et stillerum til læsning og koncentration",
    "Lån af værktøj og udstyr, ikke kun bøger",
    "Bedre cykelparkering ved indgangen",
    "Arrangementer for ældre om digital selvbetjening",
    "Udendørs læsehave med skygge",
    "Makerspace med 3D-printer",
    "Samarbejde med skolerne om læselyst",
    "Flere siddepladser ved vinduerne",
]
DEMO_NAMES = ["Anna", "Mikkel", "Fatima", "Jens", "Sofie", "Omar", "Karen", "Lars", "", ""]
DEMO_ACCOUNTS = [
    ("demo-admin", Role.ADMIN, "Demo administrator"),
    ("demo-facilitator", Role.FACILITATOR, "Demo facilitator"),
    ("demo-politician", Role.POLITICIAN, "Demo politiker"),
]


DEMO_MANDATE = {
    "background": "Biblioteket i Nordby bruges mindre af unge og af familier, men mere af ældre, "
    "der søger hjælp til digital selvbetjening. Bygningen skal renoveres i 2028.",
    "purpose": "At give kommunalbestyrelsen anbefalinger til, hvordan biblioteket kan blive et "
    "levende mødested for alle aldre.",
    "deliverables": "Højst fem anbefalinger med begrundelse, prioritering og et groft skøn over "
    "udgifterne.",
    "in_scope": "Åbningstider, indretning, aktiviteter, samarbejde med skoler og foreninger.",
    "out_of_scope": "Lukning af biblioteket; personalets løn- og ansættelsesvilkår.",
    "constraints": "Renoveringen holdes inden for anlægsrammen; bygningen er fredet udvendigt.",
    "budget": "Driftsramme uændret; anlæg 4,5 mio. kr. i 2028.",
    "competence_profile": "Unge under 25\nForældre til skolebørn\nÆldre brugere\n"
    "Foreningsliv\nArkitektur og indretning",
    "decision_path": "Udvalget → Kultur- og Fritidsudvalget → Kommunalbestyrelsen",
    "timeline": "Marts–december 2026; 6 udvalgsmøder og 2 dialogmøder.",
    "recipient": "Kommunalbestyrelsen",
    "politicians_target": 5,
    "citizens_target": 10,
}
DEMO_APPLICANTS = [
    ("Sara", "under_25", "woman", "youth", "Unge under 25", "appointed"),
    ("Mads", "25_39", "man", "families_with_children", "Forældre til skolebørn", "appointed"),
    ("Inger", "75_plus", "woman", "none", "Ældre brugere", "appointed"),
    ("Ali", "40_59", "man", "none", "Foreningsliv", "appointed"),
    ("Birthe", "60_74", "woman", "none", "Arkitektur og indretning", "shortlisted"),
    ("Jonas", "25_39", "man", "none", "Foreningsliv", "declined"),
]
DEMO_POLITICIANS = [
    ("Lene Holm (DEMO)", "chair"),
    ("Peter Vang (DEMO)", "vice_chair"),
    ("Rikke Dahl (DEMO)", "politician"),
]


def _demo_actor(store: Store) -> User:
    """An inactive account that demo records are attributed to (its password is never known)."""
    row = store.query_one("SELECT id FROM users WHERE username = 'samskab-demo'")
    if row:
        return accounts.get_user(store, row["id"])
    user = accounts.create_user(
        store, "samskab-demo", secrets.token_urlsafe(32), Role.ADMIN, "Demodata"
    )
    store.execute("UPDATE users SET active = 0 WHERE id = ?", [user.id])
    return user


def seed_demo(store: Store, *, seed: int = 2026) -> int:
    """The demo committee, from approved mandate to an adopted recommendation with follow-up;
    a second committee in recruitment. Returns the first committee's id."""
    rng = random.Random(seed)
    actor = _demo_actor(store)
    today = formats.today()
    committee = committees.create_committee(
        store,
        DEMO_PREFIX + "Fremtidens bibliotek i Nordby",
        "Opgaveudvalget skal komme med anbefalinger til, hvordan biblioteket kan blive "
        "et levende mødested for alle aldre. (Demodata – kan slettes.)",
        actor=actor,
        is_demo=True,
    )
    cid = committee.id
    mandate = mandates.save_mandate(store, cid, DEMO_MANDATE, based_on=None, actor=actor)
    mandates.approve_mandate(
        store,
        cid,
        mandate.version,
        body="Kommunalbestyrelsen",
        approved_on=today - timedelta(days=120),
        actor=actor,
    )
    committees.advance_phase(store, cid, expected=Phase.MANDATE, actor=actor)
    for name, role in DEMO_POLITICIANS:
        members.add_member(
            store, cid, name=name, role=role, starts_on=today - timedelta(days=100), actor=actor
        )
    for name, age, gender, reach, competence, status in DEMO_APPLICANTS:
        application = recruitment.submit_application(
            store,
            cid,
            name=f"{name} (DEMO)",
            motivation="Jeg bruger biblioteket og vil gerne være med til at forme det.",
            competences=[competence],
            consent=True,
            diversity=recruitment.Diversity(age, "Nordby", gender, reach),
        )
        recruitment.review_application(
            store,
            application.id,
            status,
            actor=actor,
            starts_on=today - timedelta(days=90),
            rationale={
                "appointed": f"Dækker kompetencen «{competence}» i profilen.",
                "shortlisted": "Stærk ansøgning; reserve, hvis en plads bliver ledig.",
                "declined": "Kompetencen er allerede dækket af en anden ansøger.",
            }[status],
        )
    committees.advance_phase(store, cid, expected=Phase.RECRUITMENT, actor=actor)

    agreement = agreements.create_agreement(
        store,
        agreements.Template.COMMITTEE,
        lang="da",
        committee_id=cid,
        actor=actor,
        today=today - timedelta(days=95),
    )
    agreements.publish_agreement(store, agreement.id, actor=actor)

    held = meetings.create_meeting(
        store,
        cid,
        DEMO_PREFIX + "Dialogmøde på biblioteket",
        kind=MeetingKind.DIALOGUE_SESSION,
        prompt="Hvad skal biblioteket kunne om ti år?",
        actor=actor,
        is_demo=True,
    )
    steps = meetings.list_steps(store, held.id)
    meetings.go_to_step(store, held.id, steps[0].id, actor=actor)
    people = [
        meetings.join_meeting(store, held.join_code, name, client="demo") for name in DEMO_NAMES
    ]
    posted = [
        ideas.submit_idea(store, people[index % len(people)], text)
        for index, text in enumerate(DEMO_IDEAS)
    ]
    vote_step = next(s for s in steps if s.kind.is_vote)
    meetings.go_to_step(store, held.id, vote_step.id, actor=actor)
    vote_round = voting.current_round(store, held.id)
    assert vote_round is not None
    weights = [9, 7, 6, 5, 4, 3, 2, 2, 1, 1]
    for person in people:
        for idea in rng.choices(posted, weights=weights, k=vote_round.dots_per_participant):
            voting.place_dot(store, person, vote_round.id, idea.id)
    meetings.close_meeting(store, held.id, actor=actor)

    adopted = recommendations.draft_recommendation(
        store,
        cid,
        title="Åbent bibliotek i weekenden",
        body="Biblioteket holder selvbetjent åbent lørdag og søndag 10–18, med personale "
        "lørdag formiddag.",
        idea_ids=[posted[0].id, posted[4].id],
        actor=actor,
    )
    declined = recommendations.draft_recommendation(
        store,
        cid,
        title="Makerspace med 3D-printer",
        body="Et værksted med 3D-printer og værktøj i kælderen.",
        idea_ids=[posted[7].id],
        actor=actor,
    )
    committees.advance_phase(store, cid, expected=Phase.COMMITTEE_WORK, actor=actor)
    committees.advance_phase(store, cid, expected=Phase.RECOMMENDATIONS, actor=actor)
    decided = today - timedelta(days=20)
    recommendations.record_decision(
        store,
        adopted.id,
        body="standing_committee",
        outcome="adopted",
        decided_on=decided,
        actor=actor,
    )
    recommendations.record_decision(
        store,
        adopted.id,
        body="council",
        outcome="adopted",
        decided_on=decided + timedelta(days=10),
        actor=actor,
    )
    recommendations.record_decision(
        store,
        declined.id,
        body="standing_committee",
        outcome="not_forwarded",
        decided_on=decided,
        rationale="Kælderen kan ikke bruges før renoveringen i 2028; "
        "idéen tages op igen i renoveringsprojektet.",
        actor=actor,
    )
    committees.advance_phase(store, cid, expected=Phase.POLITICAL_DECISION, actor=actor)

    for outcome in outcomes.list_outcomes(store, cid):
        outcomes.record_expected_values(
            store, outcome.id, ["quality", "citizen_involvement", "political_goals"], actor=actor
        )
        outcomes.update_follow_up(
            store,
            outcome.id,
            owner="Kultur og Fritid (DEMO)",
            status="in_progress",
            progress=40,
            actor=actor,
        )
        outcomes.schedule_review(store, outcome.id, today + timedelta(days=45), actor=actor)
    feedback.send_feedback(
        store,
        idea_ids=[posted[0].id, posted[4].id, posted[7].id],
        body="Tak for jeres idéer. Kommunalbestyrelsen har vedtaget weekendåbent fra næste "
        "måned. Makerspace-idéen tages med i renoveringen i 2028.",
        actor=actor,
        sender=feedback.ConsoleSender(),
    )

    meetings.create_meeting(
        store,
        cid,
        DEMO_PREFIX + "Borgermøde om åbningstider",
        prompt="Hvornår vil du helst bruge biblioteket?",
        actor=actor,
        is_demo=True,
    )
    second = committees.create_committee(
        store,
        DEMO_PREFIX + "Trafiksikker skolevej",
        "Forslag til sikrere veje til skolerne i Nordby. (Demodata – kan slettes.)",
        actor=actor,
        is_demo=True,
    )
    draft = mandates.save_mandate(
        store,
        second.id,
        {
            **DEMO_MANDATE,
            "background": "Flere forældre kører deres børn i skole.",
            "purpose": "Anbefalinger til sikre skoleveje.",
            "recipient": "Teknik- og Miljøudvalget",
        },
        based_on=None,
        actor=actor,
    )
    mandates.approve_mandate(
        store,
        second.id,
        draft.version,
        body="Kommunalbestyrelsen",
        approved_on=today - timedelta(days=10),
        actor=actor,
    )
    committees.advance_phase(store, second.id, expected=Phase.MANDATE, actor=actor)
    return cid


def ensure_demo_accounts(store: Store, credentials_file: Path) -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing, each with a fresh random password.

    Returns (username, role, password) for the accounts created now, and appends them to
    ``credentials_file`` (git-ignored, under data/). No password is ever fixed in code.
    """
    existing = {u["username"] for u in accounts.list_users(store)}
    created = []
    for username, role, name in DEMO_ACCOUNTS:
        if username in existing:
            continue
        password = secrets.token_urlsafe(12)
        accounts.create_user(store, username, password, role, name)
        created.append((username, role.value, password))
    if created:
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        with credentials_file.open("a", encoding="utf-8") as out:
            for line in created:
                out.write("\t".join(line) + "\n")
        credentials_file.chmod(0o600)
    return created
