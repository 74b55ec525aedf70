"""How fast are the agreement gate and the feedback reads with a large committee?

Builds one committee with 10 meetings × 300 participants × 2 ideas (6,000 ideas), a published
committee agreement (3 versions, 2 of them material) and one per meeting, acknowledgements from
half the participants, and feedback on half the ideas; then times the reads that run often:
``pending_agreement`` (every full page run of a phone), ``feedback_share`` (the summaries),
``my_ideas`` (a citizen's page), ``list_acknowledgements`` and ``list_overdue``.

    python benchmarks/bench_feedback.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop import committees
from workshop.accounts import users as accounts
from workshop.agreements import core as agreements
from workshop.agreements.core import Template
from workshop.app import open_store
from workshop.feedback import core as feedback
from workshop.meetings import core as meetings
from workshop.model import Role, utcnow

MEETINGS, PEOPLE, IDEAS_EACH = 10, 300, 2


def timed(label: str, fn, repeat: int = 20) -> None:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    print(f"{label:<48} median {statistics.median(runs):7.2f} ms   best {min(runs):7.2f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        fie = accounts.create_user(store, "fie", "a long passphrase", Role.FACILITATOR, "Fie")
        committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=fie)
        main_agreement = agreements.create_agreement(
            store, Template.COMMITTEE, lang="da", committee_id=committee.id, actor=fie
        )
        agreements.publish_agreement(store, main_agreement.id, actor=fie)
        people, idea_ids = [], []
        now = utcnow()
        for number in range(MEETINGS):
            meeting = meetings.create_meeting(store, committee.id, f"Møde {number}", actor=fie)
            local = agreements.create_agreement(
                store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=fie
            )
            agreements.publish_agreement(store, local.id, actor=fie)
            with store.transaction() as db:
                for person in range(PEOPLE):
                    pid = db.execute(
                        "INSERT INTO participants (meeting_id, token, display_name, joined_at)"
                        " VALUES (?, ?, ?, ?)",
                        [meeting.id, f"t{number}-{person}", f"P{person}", now],
                    ).lastrowid
                    people.append((pid, meeting.id, local.id))
                    for n in range(IDEAS_EACH):
                        idea_ids.append(
                            db.execute(
                                "INSERT INTO ideas (meeting_id, participant_id, text, seq,"
                                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                                [meeting.id, pid, f"Idé {person}-{n}", person, now, now],
                            ).lastrowid
                        )
        agreements.save_version(store, main_agreement.id, {"fixed": "Ny"}, material=True, actor=fie)
        agreements.save_version(
            store, main_agreement.id, {"title": "Aftale"}, material=False, actor=fie
        )
        current = agreements.get_agreement(store, main_agreement.id).current.id
        with store.transaction() as db:
            for pid, _meeting_id, local_id in people[::2]:
                local_version = db.execute(
                    "SELECT id FROM agreement_versions WHERE agreement_id = ?", [local_id]
                ).fetchone()[0]
                for agreement_id, version_id in (
                    (main_agreement.id, current),
                    (local_id, local_version),
                ):
                    db.execute(
                        "INSERT INTO acknowledgements (agreement_id, version_id, participant_id,"
                        " acknowledged_at) VALUES (?, ?, ?, ?)",
                        [agreement_id, version_id, pid, now],
                    )
        for start in range(0, len(idea_ids) // 2, 100):
            feedback.send_feedback(
                store, idea_ids=idea_ids[start : start + 100], body="Tak", actor=fie
            )
        print(f"{len(people)} participants, {len(idea_ids)} ideas, {MEETINGS + 1} agreements")
        done = meetings.get_participant(store, "t0-0")
        waiting = meetings.get_participant(store, "t0-1")
        # Check the figures measure real work: the gate passes one and stops the other.
        assert agreements.pending_agreement(store, done) is None
        assert agreements.pending_agreement(store, waiting) is not None
        assert len(feedback.my_ideas(store, done.id)) == IDEAS_EACH
        timed(
            "pending_agreement (acknowledged: passes)",
            lambda: agreements.pending_agreement(store, done),
        )
        timed(
            "pending_agreement (not yet: shows the gate)",
            lambda: agreements.pending_agreement(store, waiting),
        )
        timed(
            "feedback_share (committee, 6,000 ideas)",
            lambda: feedback.feedback_share(store, committee_id=committee.id),
        )
        timed("my_ideas (one citizen)", lambda: feedback.my_ideas(store, done.id))
        timed(
            "list_acknowledgements (committee, 3,000 people)",
            lambda: agreements.list_acknowledgements(store, main_agreement.id),
            repeat=5,
        )
        later = date.today() + timedelta(days=400)
        timed(
            "list_overdue (everything overdue)",
            lambda: agreements.list_overdue(store, later),
            repeat=5,
        )
        store.close()


if __name__ == "__main__":
    main()
