"""What one answer of the ballot route costs the server, in CPU: the figure that, times the
room, decides how soon every phone shows the ballot after the facilitator opens the vote.

Seeds a fresh database (a dialogue session in its dot vote, ``--phones`` participants,
``--ideas`` ideas on the wall) and calls what ``POST /push/ballot`` carries out for each
participant in turn, in this process (``workshop/ui/ballot_routes.py``: who asks, the wall in
the phone's order, its dots, the first page, the words), ``--rounds`` times. Prints CPU and
wall time per answer and the answer's size; the HTTP layer (Starlette, nginx) is not in it.
For comparison, ``page_cost.py`` measures a run of the phone's body (~5 ms). Example::

    python benchmarks/ballot_route_cost.py
    python benchmarks/ballot_route_cost.py --phones 1000 --ideas 4000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from workshop.app import open_store
from workshop.committees import core as committees
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.ui import ballot_routes, phone_routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "ballot.db")
        committee = committees.create_committee(store, "Byens Hus", "Opgave", actor=None)
        meeting = meetings.create_meeting(
            store, committee.id, "Dialogmøde", prompt="Hvad nu?", actor=None
        )
        meetings.next_step(store, meeting.id, actor=None)  # the brainstorm
        people = [
            meetings.join_meeting(store, meeting.join_code, f"P{n}", client=f"bench-{n}")
            for n in range(args.phones)
        ]
        for n in range(args.ideas):
            text = f"Idé {n} med lidt tekst om parken og byen"
            ideas.submit_idea(store, people[n % len(people)], text, per_minute=10**6)
        meetings.next_step(store, meeting.id, actor=None)  # the dot vote
        # The route's own store and no flood limit: one process asking for every phone.
        ballot_routes.store = phone_routes.store = lambda: store  # type: ignore[assignment]
        ballot_routes._recent = ballot_routes.Recent(10**9, 1.0)
        print(f"{args.phones} phones, {args.ideas} ideas on the wall, dot vote open")
        for round_ in range(1, args.rounds + 1):
            cpu, wall = time.process_time(), time.perf_counter()
            size = 0
            for person in people:
                answer = ballot_routes._asked(person.token, "da")
                size = len(answer.body)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(
                f"round {round_}: {1000 * cpu / len(people):.2f} ms CPU,"
                f" {1000 * wall / len(people):.2f} ms wall per answer; {size} bytes of JSON"
            )
        store.close()


if __name__ == "__main__":
    main()
