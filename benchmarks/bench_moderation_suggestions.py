"""Moderation at the scale of a full room: how good the suggestions are, how far behind the
room they run, and how fast the console's moderation view renders.

1. Duplicate suggestions on the labelled set (``tests/data/moderation_ideas.txt``, synthetic,
   337 Danish and Norwegian ideas; one meeting per language): precision and recall of the
   suggested pairs at a few thresholds (the default marked); the personal-data detector's
   cost per idea.
2. Theme suggestions on the same set: adjusted Rand index against the labelled themes
   (k = the number of labelled themes).
3. Latency of the background suggestions at 300, 1,000 and 3,000 ideas on the wall: the time
   from a new idea being committed until the console's snapshot describes it, polling every
   50 ms as a console would (it polls every 2 s; the figure is the computation's lag).
4. The console's moderation view with 3,000 ideas (AppTest): the moderation tab's pieces
   alone (held ideas, duplicate groups, search/filter/page), the whole console page (every
   tab; the live tab lists every idea), and an empty page for AppTest's own cost.

The ideas at scale are the labelled set's texts with a few words of a seeded random tail, so
that most of them differ (a room of 3,000 ideas repeats itself less than 337 ideas would).

Run: ``python benchmarks/bench_moderation_suggestions.py [--sizes 300 1000 3000] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from tests import moderation_set  # noqa: E402
from workshop import committees  # noqa: E402
from workshop.accounts import users as accounts  # noqa: E402
from workshop.app import open_store  # noqa: E402
from workshop.db import Store  # noqa: E402
from workshop.meetings import core as meetings  # noqa: E402
from workshop.meetings import duplicates, ideas, personal_data, suggestions  # noqa: E402
from workshop.model import Role, utcnow  # noqa: E402

# A seeded random tail of a few of these words makes most ideas at scale differ.
TAIL = tuple(
    " ".join(
        [
            "ved skolen i midtbyen om sommeren for børn og unge hele året på torvet ved havnen",
            "for alle i weekenden om morgenen efter skole til de ældre i boligområdet langs åen",
            "nord for byen",
        ]
    ).split(" ")
)


def scale_texts(n: int, seed: int = 21) -> list[str]:
    rng = random.Random(seed)
    base = [i.text for i in moderation_set.load()]
    return [f"{rng.choice(base)} {' '.join(rng.sample(TAIL, rng.randint(0, 4)))}" for _ in range(n)]


def quality() -> None:
    print("duplicate pairs on the labelled set (one meeting per language)")
    for threshold in (0.40, 0.45, suggestions.DUPLICATE_THRESHOLD, 0.50, 0.55):
        precision, recall, truth = moderation_set.pair_scores(threshold)
        mark = "  <- default" if threshold == suggestions.DUPLICATE_THRESHOLD else ""
        print(
            f"  threshold {threshold:.2f}: precision {precision:.3f}, recall {recall:.3f}"
            f" ({truth} true pairs){mark}"
        )
    texts = [i.text for i in moderation_set.load()]
    began = time.perf_counter()
    for _ in range(20):
        for text in texts:
            personal_data.kinds(text)
    per_idea = (time.perf_counter() - began) / (20 * len(texts))
    print(f"personal-data detector: {per_idea * 1000:.3f} ms per idea (on the submit path)")
    print("theme suggestions: adjusted Rand index against the labelled themes")
    for lang, rows in moderation_set.meetings().items():
        labels = sorted({r.theme for r in rows})
        found = suggestions.theme_suggestions([r.text for r in rows], k=len(labels))
        predicted = [0] * len(rows)
        for number, theme in enumerate(found):
            for member in theme.members:
                predicted[member] = number
        truth = [labels.index(r.theme) for r in rows]
        print(f"  {lang}: k={len(labels)}, ARI {adjusted_rand_score(truth, predicted):.3f}")
        for theme in found:
            print(f"      {len(theme.members):3d} ideas: {theme.name}")


def seeded_meeting(path: Path, texts: list[str]) -> tuple[Store, int]:
    store = open_store(path)
    fie = accounts.create_user(store, "fie", "a long passphrase", Role.FACILITATOR)
    committee = committees.create_committee(store, "Parken", "Opgave", actor=fie)
    meeting = meetings.create_meeting(store, committee.id, "Borgermøde", prompt="?", actor=fie)
    meetings.next_step(store, meeting.id, actor=None)
    step_id = meetings.meeting_state(store, meeting.id).current_step_id
    now = utcnow()
    with store.transaction() as db:
        for n, text in enumerate(texts):
            db.execute(
                "INSERT INTO ideas (meeting_id, step_id, author_name, text, seq, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [meeting.id, step_id, f"P{n}", text, n + 1, now, now],
            )
        db.execute("UPDATE meetings SET change_seq = ? WHERE id = ?", [len(texts), meeting.id])
    return store, meeting.id


def latency(sizes: list[int], repeat: int) -> None:
    print("suggestions behind the room (new idea committed -> snapshot describes it)")
    folder = Path(tempfile.mkdtemp(prefix="bench-moderation-"))
    for size in sizes:
        texts = scale_texts(size)
        store, meeting_id = seeded_meeting(folder / f"{size}.db", texts[:-repeat])
        participant = meetings.join_meeting(
            store, meetings.get_meeting(store, meeting_id).join_code, "Bench", client="bench"
        )
        seq = meetings.meeting_state(store, meeting_id).change_seq
        duplicates.duplicates_snapshot(store, meeting_id, seq)
        duplicates.duplicates_worker.wait(120)  # the worker process's first start and import
        lags: list[float] = []
        computes: list[float] = []
        cpus: list[float] = []
        for text in texts[-repeat:]:
            ideas.submit_idea(store, participant, text, per_minute=1000)
            began = time.perf_counter()
            seq = meetings.meeting_state(store, meeting_id).change_seq
            while True:
                snap = duplicates.duplicates_snapshot(store, meeting_id, seq)
                if snap.up_to_date:
                    break
                time.sleep(0.05)
            lags.append(time.perf_counter() - began)
            computes.append(snap.seconds)
            cpus.append(snap.cpu_seconds)
        groups = len(snap.groups)
        print(
            f"  {size:5d} ideas: behind by median {statistics.median(lags):.2f} s,"
            f" max {max(lags):.2f} s (computation median {statistics.median(computes):.2f} s,"
            f" CPU in the worker {statistics.median(cpus):.2f} s;"
            f" {groups} groups suggested; {repeat} new ideas)"
        )
        store.close()


def render(repeat: int) -> None:
    print("console moderation view with 3,000 ideas (AppTest)")
    from streamlit.testing.v1 import AppTest

    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    path = folder / "console.db"
    store, meeting_id = seeded_meeting(path, scale_texts(3000))
    seq = meetings.meeting_state(store, meeting_id).change_seq
    duplicates.duplicates_snapshot(store, meeting_id, seq)
    duplicates.duplicates_worker.wait(120)
    fie = accounts.get_user_by_username(store, "fie")
    os.environ["SAMSKAB_DB_PATH"] = str(path)
    os.environ["SAMSKAB_DEMO_DATA"] = "0"
    os.environ["BENCH_MEETING_ID"] = str(meeting_id)

    def moderation_tab() -> None:
        import os
        import time

        import streamlit as st

        began = time.perf_counter()

        from workshop.meetings import core as meeting_core
        from workshop.meetings import ideas, themes
        from workshop.model import Role
        from workshop.ui import moderation_console
        from workshop.ui.process import store
        from workshop.ui.session import require_role

        user = require_role(Role.FACILITATOR, Role.ADMIN)
        db = store()
        meeting_id = int(os.environ["BENCH_MEETING_ID"])
        found = ideas.list_ideas(db, meeting_id, include_hidden=True)
        step = meeting_core.current_step(db, meeting_id)
        moderation_console.held_panel(db, meeting_id, user, step)
        moderation_console.duplicates_panel(db, meeting_id, user)
        moderation_console.idea_browser(found, themes.list_themes(db, meeting_id))
        st.session_state["bench_script_seconds"] = time.perf_counter() - began

    def empty_page() -> None:
        import streamlit as st

        st.write("baseline")

    script_times: list[float] = []

    def timed(make) -> list[float]:
        times = []
        for _ in range(repeat):
            at = make()
            began = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - began)
            assert not at.exception, at.exception
            if "bench_script_seconds" in at.session_state:
                script_times.append(at.session_state["bench_script_seconds"])
        return times

    def baseline() -> AppTest:
        return AppTest.from_function(empty_page, default_timeout=120)

    def tab() -> AppTest:
        at = AppTest.from_function(moderation_tab, default_timeout=120)
        at.session_state["user"] = fie
        return at

    def page() -> AppTest:
        at = AppTest.from_file(str(ROOT / "workshop/ui/pages/console.py"), default_timeout=120)
        at.session_state["user"] = fie
        at.query_params["meeting"] = str(meeting_id)
        return at

    runs = (
        ("an empty page (AppTest's own cost, for comparison)", baseline),
        ("moderation tab's pieces", tab),
        ("whole console page", page),
    )
    for label, make in runs:
        times = timed(make)
        print(
            f"  {label}: best {min(times):.2f} s, median {statistics.median(times):.2f} s"
            f" ({repeat} runs, first run included)"
        )
    print(
        f"  the moderation tab's own script time: best {min(script_times):.2f} s,"
        f" median {statistics.median(script_times):.2f} s"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip", nargs="*", default=[], choices=["quality", "latency", "render"])
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    if "quality" not in args.skip:
        quality()
    if "latency" not in args.skip:
        latency(args.sizes, args.repeat)
    if "render" not in args.skip:
        render(args.repeat)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
