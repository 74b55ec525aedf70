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
from workshop.meetings import (  # noqa: E402
    duplicates,
    ideas,
    personal_data,
    suggestions,
    theme_suggestions,
)
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


def load() -> str:
    """The machine's 1-minute load average (2 cores here, shared with other work)."""
    return f"load {os.getloadavg()[0]:.1f}"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


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
    print("theme suggestions: adjusted Rand index against the labelled themes (k = 5 labels)")
    print("  (before: k-means on character n-gram LSA, as in the previous release)")
    for lang, rows in moderation_set.meetings().items():
        parts = [("whole", rows), ("half A", rows[0::2]), ("half B", rows[1::2])]
        for part, subset in parts:
            truth = [r.theme for r in subset]
            texts = [r.text for r in subset]
            now = adjusted_rand_score(
                truth, _labels(suggestions.theme_suggestions(texts, 5), len(texts))
            )
            before = adjusted_rand_score(truth, _kmeans_before(texts, 5))
            print(f"  {lang} {part:6s} ({len(subset)} ideas): ARI {now:.3f} (before {before:.3f})")
        for theme in suggestions.theme_suggestions([r.text for r in rows], 5):
            print(f"      {len(theme.members):3d} ideas: {theme.name}")


def _labels(found: list[suggestions.ThemeSuggestion], n: int) -> list[int]:
    labels = [-1] * n
    for number, theme in enumerate(found):
        for member in theme.members:
            labels[member] = number
    return labels


def _kmeans_before(texts: list[str], k: int) -> list[int]:
    """The previous release's method, for comparison: k-means on LSA of character n-grams."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    words = [
        " ".join(
            w
            for w in suggestions.normalise(t).split()
            if w not in suggestions._NOT_TELLING and not w.isdigit()
        )
        for t in texts
    ]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectors.fit_transform(words)
    dims = min(100, matrix.shape[1] - 1, len(texts) - 1)
    points = normalize(TruncatedSVD(dims, random_state=0).fit_transform(matrix))
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(points).tolist()


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
    print(
        "suggestions behind the room (new idea committed -> the console's snapshot includes it;"
        " duplicates and themes, k = 5, polled every 50 ms)"
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-moderation-"))
    for size in sizes:
        texts = scale_texts(size)
        store, meeting_id = seeded_meeting(folder / f"{size}.db", texts[:-repeat])
        participant = meetings.join_meeting(
            store, meetings.get_meeting(store, meeting_id).join_code, "Bench", client="bench"
        )
        seq = meetings.meeting_state(store, meeting_id).change_seq
        duplicates.duplicates_snapshot(store, meeting_id, seq)
        theme_suggestions.themes_snapshot(store, meeting_id, seq)
        duplicates.duplicates_worker.wait(120)  # the worker process's first start and import
        theme_suggestions.themes_worker.wait(120)
        dup_lags: list[float] = []
        theme_lags: list[float] = []
        computes: list[float] = []
        theme_computes: list[float] = []
        loads: list[float] = []
        for text in texts[-repeat:]:
            idea = ideas.submit_idea(store, participant, text, per_minute=1000)
            began = time.perf_counter()
            seq = meetings.meeting_state(store, meeting_id).change_seq
            dup_at = theme_at = None
            while dup_at is None or theme_at is None:
                now = time.perf_counter() - began
                snap = duplicates.duplicates_snapshot(store, meeting_id, seq)
                if dup_at is None and snap.up_to_date:
                    dup_at = now
                themes = theme_suggestions.themes_snapshot(store, meeting_id, seq)
                if theme_at is None and themes.up_to_date:
                    assert any(idea.id in s.idea_ids for s in themes.themes)
                    theme_at = now
                time.sleep(0.05)
            dup_lags.append(dup_at)
            theme_lags.append(theme_at)
            computes.append(snap.seconds)
            theme_computes.append(themes.seconds)
            loads.append(os.getloadavg()[0])
        print(
            f"  {size:5d} ideas: duplicates behind by median {statistics.median(dup_lags):.2f} s,"
            f" max {max(dup_lags):.2f} s; themes median {statistics.median(theme_lags):.2f} s,"
            f" max {max(theme_lags):.2f} s (computations: duplicates"
            f" {statistics.median(computes):.2f} s, themes {statistics.median(theme_computes):.2f}"
            f" s; {len(snap.groups)} groups, {len(themes.themes)} themes; {repeat} new ideas;"
            f" load {statistics.median(loads):.1f})"
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
    theme_suggestions.themes_snapshot(store, meeting_id, seq)
    duplicates.duplicates_worker.wait(120)
    theme_suggestions.themes_worker.wait(120)
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
            f"  {label}: p50 {statistics.median(times):.2f} s, p95 {p95(times):.2f} s,"
            f" best {min(times):.2f} s ({repeat} runs, first run included; {load()})"
        )
    print(
        f"  the moderation tab's own script time: p50 {statistics.median(script_times):.2f} s,"
        f" p95 {p95(script_times):.2f} s, best {min(script_times):.2f} s ({load()})"
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
