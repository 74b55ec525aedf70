"""Clearly labelled demo data, so that a newcomer sees a living app on first start.

Everything made here carries ``is_demo = 1`` and "DEMO" in its title; the UI shows a demo
badge. ``SAMSKAB_DEMO_DATA=0`` turns it off; tests never use it unless they ask.
"""

from __future__ import annotations

import random
import secrets
from pathlib import Path

from workshop import accounts, committees, ideas, meetings, voting
from workshop.db import Store
from workshop.model import MeetingKind, Role

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


def seed_demo(store: Store, *, seed: int = 2026) -> int:
    """Create the demo committee with a finished and a ready dialogue session; return its id."""
    rng = random.Random(seed)
    committee = committees.create_committee(
        store,
        DEMO_PREFIX + "Fremtidens bibliotek i Nordby",
        "Opgaveudvalget skal komme med anbefalinger til, hvordan biblioteket kan blive "
        "et levende mødested for alle aldre. (Demodata – kan slettes.)",
        actor=None,
        is_demo=True,
    )
    held = meetings.create_meeting(
        store,
        committee.id,
        DEMO_PREFIX + "Dialogmøde på biblioteket",
        kind=MeetingKind.DIALOGUE_SESSION,
        prompt="Hvad skal biblioteket kunne om ti år?",
        actor=None,
        is_demo=True,
    )
    steps = meetings.list_steps(store, held.id)
    meetings.go_to_step(store, held.id, steps[0].id, actor=None)
    people = [
        meetings.join_meeting(store, held.join_code, name, client="demo") for name in DEMO_NAMES
    ]
    posted = []
    for index, text in enumerate(DEMO_IDEAS):
        posted.append(ideas.submit_idea(store, people[index % len(people)], text))
    meetings.go_to_step(store, held.id, steps[1].id, actor=None)
    vote_round = voting.current_round(store, held.id)
    assert vote_round is not None
    weights = [9, 7, 6, 5, 4, 3, 2, 2, 1, 1]
    for person in people:
        for idea in rng.choices(posted, weights=weights, k=vote_round.dots_per_participant):
            voting.place_dot(store, person, vote_round.id, idea.id)
    voting.reveal_results(store, vote_round.id)
    meetings.close_meeting(store, held.id, actor=None)
    meetings.create_meeting(
        store,
        committee.id,
        DEMO_PREFIX + "Borgermøde om åbningstider",
        prompt="Hvornår vil du helst bruge biblioteket?",
        actor=None,
        is_demo=True,
    )
    return committee.id


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
