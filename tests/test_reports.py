"""The politician summary's read models, the PDF brief and the exports, on real SQLite."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from datetime import date

import openpyxl
import pytest

from tests.factories import join, make_meeting, start
from tests.outcome_world import build_outcome_world
from workshop import committees, outcomes
from workshop.errors import InvalidInput
from workshop.i18n import formats
from workshop.meetings import ideas
from workshop.model import utcnow
from workshop.reports import brief, exports
from workshop.reports import summary as reports
from workshop.voting import methods as vote_methods


@pytest.fixture
def built(store, facilitator):
    return build_outcome_world(store, facilitator)


def test_participation_counts_people_ideas_votes_and_members(store, built) -> None:
    counts = reports.participation(store, built.committee_id)
    assert counts == {
        "committees": 1,
        "meetings": 1,
        "people": 8,
        "ideas": 6,
        "votes": 24,
        "voters": 8,
        "members": 4,
    }


def test_top_ideas_are_ordered_by_dots_and_cover_all_committees(store, built, facilitator) -> None:
    top = reports.top_ideas_frame(store, built.committee_id)
    assert list(top["dots"]) == sorted(top["dots"], reverse=True)
    assert top.iloc[0]["text"] == "Længere åbningstider i weekenden"
    other = make_meeting(store, facilitator)
    start(store, other)
    ideas.submit_idea(store, join(store, other, "Ib"), "Bænke ved søen")
    assert len(reports.top_ideas_frame(store, None)) == 7
    assert len(reports.top_ideas_frame(store, built.committee_id)) == 6


def test_recommendations_show_the_latest_decision_of_each_body(store, built) -> None:
    frame = reports.recommendations_frame(store, built.committee_id).set_index("title")
    assert frame.loc["Åbent bibliotek alle ugens dage", "council"] == "adopted"
    assert frame.loc["Lektiecafé i samarbejde med skolerne", "council"] == "adopted_with_changes"
    assert frame.loc["Makerspace i kælderen", "rationale"] == "Ingen plads i budgettet"
    assert frame.loc["Læsehave ved åen", "standing_committee"] == "postponed"
    assert frame["outcome_id"].notna().sum() == 2
    assert reports.decision_counts(frame) == {
        "adopted": 1,
        "adopted_with_changes": 1,
        "rejected": 1,
        "pending": 1,
    }


def test_diversity_coverage_counts_self_reported_answers(store, built) -> None:
    frame = reports.diversity_frame(store, built.committee_id).set_index("attribute")
    assert frame.loc["gender", "members"] == 4 and frame.loc["gender", "reported"] == 3
    assert frame.loc["gender", "answers"] == {"man": 1, "woman": 2}
    assert frame.loc["district", "reported"] == 2


def test_values_expected_against_realised(store, built) -> None:
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    shares = summary.value_shares.set_index(["value", "stage"])
    assert shares.loc[("quality", "expected"), "share"] == 1.0
    assert shares.loc[("citizen_involvement", "expected"), "count"] == 1
    assert shares.loc[("citizen_involvement", "realised"), "count"] == 0
    assert shares.loc[("political_goals", "realised"), "share"] == 0.5
    assert shares["small_n"].all()  # two outcomes: the UI must say so


def test_the_national_comparison_uses_our_initiators(store, built) -> None:
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    comparison = summary.comparison.set_index(["metric_key", "subgroup"])
    political = comparison.loc[("value_political_goals", "politically_initiated")]
    assert (political["our_count"], political["our_n"]) == (1, 1)
    assert political["national_share"] == pytest.approx(0.57)
    assert political["national_n"] == 1877 and political["edition"] == "3"
    other = comparison.loc[("value_political_goals", "other_initiated")]
    assert (other["our_count"], other["our_n"]) == (0, 1)
    notes = reports.comparison_notes(summary.comparison)
    assert notes and all(n["key"].startswith("barometer.note.") for n in notes)


def test_the_summary_is_computed_once_per_change(store, built, facilitator) -> None:
    cache = reports.summary_cache()
    cache.clear()
    first = reports.get_summary(store, built.committee_id)
    assert reports.get_summary(store, built.committee_id) is first
    computed = cache.computations
    outcomes.update_follow_up(
        store,
        built.outcome_ids[0],
        owner="Borgerservice",
        status="done",
        progress=100,
        actor=facilitator,
    )
    second = reports.get_summary(store, built.committee_id)
    assert second is not first and cache.computations == computed + 1
    assert "Borgerservice" in set(second.outcomes["owner"])


def test_what_unites_the_room_appears_only_with_agree_disagree_votes(store, built) -> None:
    assert reports.consensus_frame(store, built.committee_id) is None
    # Agree/disagree votes on the meeting's ideas (issue 5 will collect them; here by hand).
    idea_ids = [r["id"] for r in store.query("SELECT id FROM ideas ORDER BY id")]
    step_id = store.scalar("SELECT id FROM steps WHERE meeting_id = ? LIMIT 1", [built.meeting_id])
    people = [
        r["id"]
        for r in store.query("SELECT id FROM participants WHERE meeting_id = ?", [built.meeting_id])
    ]
    with store.transaction() as db:
        round_id = db.execute(
            "INSERT INTO rounds (step_id, number, method) VALUES (?, 99, 'statements')"
            " RETURNING id",
            [step_id],
        ).fetchall()[0][0]
        for index, person in enumerate(people):
            ballot = db.execute(
                "INSERT INTO ballots (round_id, participant_id, cast_at, updated_at)"
                " VALUES (?, ?, ?, ?) RETURNING id",
                [round_id, person, utcnow(), utcnow()],
            ).fetchall()[0][0]
            for position, idea_id in enumerate(idea_ids):
                value = 1 if position == 0 else (1 if (index + position) % 2 else -1)
                db.execute(
                    "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, ?)",
                    [ballot, idea_id, value],
                )
    first = reports.consensus_frame(store, built.committee_id)
    # computed in the background, never in the request: at first there is nothing yet
    assert first is not None and first.empty and first.attrs["computing"]
    vote_methods.groups_worker.wait()
    frame = reports.consensus_frame(store, built.committee_id)
    assert frame is not None and not frame.empty and not frame.attrs["computing"]
    assert frame.iloc[0]["idea_id"] == idea_ids[0] and frame.iloc[0]["share"] == 1.0
    # agree/disagree ballots are not dots
    assert reports.participation(store, built.committee_id)["votes"] == 24
    # Through the shared summary too, which a worker process builds: the consensus comes from
    # this process's opinion groups, so it does not stay "being computed" for good.
    summary = reports.get_summary(store, built.committee_id)
    assert summary.consensus is not None and not summary.consensus.attrs["computing"]
    assert summary.consensus.iloc[0]["idea_id"] == idea_ids[0]


def test_exports_hold_every_record_but_no_personal_data(store, built) -> None:
    export = exports.export_records(store, built.committee_id)
    assert len(export.tables["recommendations"]) == 4
    assert len(export.tables["decisions"]) == 7
    assert len(export.tables["outcome_values"]) == 8
    assert export.tables["votes"]["value"].sum() == 24
    everything = json.loads(exports.to_json(export))
    text = json.dumps(everything, ensure_ascii=False)
    assert "Lektiecafé" in text
    tokens = [r["token"] for r in store.query("SELECT token FROM participants")]
    assert not any(token in text for token in tokens)
    assert "Borger 1" not in text  # participants' names stay in the app
    with zipfile.ZipFile(io.BytesIO(exports.to_csv_zip(export))) as archive:
        names = archive.namelist()
        assert len(names) == len(export.tables)
        ideas_csv = next(n for n in names if n.endswith("/ideas.csv"))
        assert "Længere åbningstider" in archive.read(ideas_csv).decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO(exports.to_excel(export)))
    assert workbook.sheetnames == list(export.tables)
    assert workbook["outcomes"].max_row == 3  # header + two outcomes


def test_an_empty_committee_has_nothing_to_export(store, facilitator) -> None:
    empty = committees.create_committee(store, "Tomt", "", actor=facilitator)
    assert not exports.has_records(store, empty.id)
    with pytest.raises(InvalidInput) as error:
        exports.export_records(store, empty.id)
    assert error.value.key == "error.exports.empty"


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_the_brief_is_one_page_with_the_headline_numbers(store, facilitator, lang) -> None:
    built = build_outcome_world(store, facilitator, is_demo=True, title="Fremtidens bibliotek")
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    pdf = brief.build_brief(summary, lang)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page>") <= 1
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "DEMO" in text and "Fremtidens bibliotek" in text
        assert "Længere åbningstider i weekenden" in text  # æ and å survive
        assert "57" in text and "1" in text
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
        assert b"Pages:           1" in info.stdout


def test_the_brief_of_an_empty_committee_still_reads_well(store, facilitator) -> None:
    empty = committees.create_committee(store, "Tomt udvalg", "", actor=facilitator)
    summary = reports.build_summary(store, empty.id, today=formats.today())
    assert summary.is_empty
    pdf = brief.build_brief(summary, "da")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "Ingen idéer endnu" in text and "DEMO" not in text


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_the_brief_renders_to_png(store, facilitator, tmp_path) -> None:
    built = build_outcome_world(store, facilitator, is_demo=True)
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    (tmp_path / "brief.pdf").write_bytes(brief.build_brief(summary, "da"))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(tmp_path / "brief.pdf"), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 10_000


def test_agreement_status_counts_commitments_and_the_version_moves(store, built) -> None:
    today = date(2026, 11, 22)
    assert reports.agreement_status(store, built.committee_id, today) == {
        "agreements": 0,
        "published": 0,
        "commitments": 0,
        "done": 0,
        "overdue": 0,
    }
    before = reports.summary_version(store)
    now = utcnow()
    with store.transaction() as db:
        agreement = db.execute(
            "INSERT INTO agreements (meeting_id, template, published_at, created_at)"
            " VALUES (?, 'dialogue_session', ?, ?) RETURNING id",
            [built.meeting_id, now, now],
        ).fetchall()[0][0]
        for due, done in (("2026-11-01", None), ("2026-12-24", None), ("2026-10-01", now)):
            db.execute(
                "INSERT INTO commitments (agreement_id, party, description, owner, due_on,"
                " done_at, created_at) VALUES (?, 'politicians', 'Svar på anbefalingerne',"
                " 'Borgmesteren', ?, ?, ?)",
                [agreement, due, done, now],
            )
    assert reports.agreement_status(store, built.committee_id, today) == {
        "agreements": 1,
        "published": 1,
        "commitments": 3,
        "done": 1,
        "overdue": 1,
    }
    assert reports.summary_version(store) != before


def test_the_brief_falls_back_to_a_core_font_without_dejavu(store, built, monkeypatch) -> None:
    monkeypatch.setattr(brief, "FONT_DIRS", ())
    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    pdf = brief.build_brief(summary, "da")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode("utf-8")
        assert "Længere åbningstider i weekenden" in text  # Latin-1 has æ ø å


# -- trial 18, finding 8: the summary in the reader's words and order ---------------------------


def test_age_groups_come_in_their_natural_order(store, built) -> None:
    frame = reports.diversity_frame(store, built.committee_id).set_index("attribute")
    assert list(frame.loc["age_band", "answers"]) == ["under_25", "25_39", "60_74"]
    labels = [reports.answer_label("da", "age_band", k) for k in ("under_25", "75_plus")]
    assert labels[0].startswith("Under 25")


@pytest.mark.parametrize(("lang", "full"), [("da", "100\u00a0%"), ("nb", "100\u00a0%")])
def test_chart_axes_and_tables_show_shares_in_the_readers_percent_style(
    store, built, lang, full
) -> None:
    from workshop.ui.accessibility import chart_table

    summary = reports.build_summary(store, built.committee_id, today=formats.today())
    charts = reports.summary_charts(summary, lang)
    for name in ("values", "national"):
        # Vega formats with the chart's number locale: "100 %" and "62,5" in da and nb.
        number = charts[name]["config"]["locale"]["number"]
        assert (number["percent"], number["decimal"]) == ("\u00a0%", ","), name
    table = chart_table(charts["values"], lang)
    assert table is not None
    share = table[formats_title(lang)]
    assert full in list(share)  # quality expected: every outcome named it
    assert all(isinstance(v, str) and v.endswith("\u00a0%") for v in share)
    english = reports.summary_charts(summary, "en")
    assert english["values"]["config"]["locale"]["number"]["percent"] == "%"
    en_table = chart_table(english["values"], "en")
    assert en_table is not None and "100%" in list(en_table["Share"])


def formats_title(lang: str) -> str:
    from workshop.i18n import translate

    return translate(lang, "barometer.chart.share")


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_every_value_category_has_one_name_on_page_brief_and_workbook(lang) -> None:
    from workshop.barometer import label
    from workshop.barometer.dimensions import Value
    from workshop.i18n import catalogue
    from workshop.reports.workbook import _Labels

    words = catalogue(lang)
    for value in Value:
        name = label(value, lang, short=True)
        rows = [v for k, v in words.items() if k.startswith(f"barometer.row.value_{value}.")]
        assert all(row.startswith(f"{name} · ") for row in rows), (name, rows)
        assert _Labels(lang).values([value.value]) == name


# -- a national dialogue's agree/disagree votes are not read for the dots -----------------------


def _statement_meeting(store, people: int, statements: int):
    """A meeting that only ever held a statements round, with ``people × statements`` votes."""
    from workshop.meetings import core as meetings
    from workshop.voting.ballots import ensure_ballot
    from workshop.voting.methods import VoteMethod

    meeting = make_meeting(store)
    start(store, meeting)
    joined = [join(store, meeting, f"s{n}") for n in range(people)]
    posted = [
        ideas.submit_idea(store, joined[0], f"Udsagn {n}", per_minute=10**6).id
        for n in range(statements)
    ]
    step = meetings.list_steps(store, meeting.id)[1]
    round_id = vote_methods.open_round(store, step.id, VoteMethod.STATEMENTS, actor=None)
    with store.transaction() as db:
        for n, person in enumerate(joined):
            ballot_id = ensure_ballot(db, round_id, person.id)
            for k, idea_id in enumerate(posted):
                db.execute(
                    "INSERT INTO ballot_entries (ballot_id, idea_id, value) VALUES (?, ?, ?)",
                    [ballot_id, idea_id, (n + k) % 3 - 1],
                )
    return meeting, posted


def test_the_dots_count_no_agree_disagree_vote_and_do_not_read_them(
    fresh_db, tmp_path, monkeypatch, sqlite_only
) -> None:
    """The summary's dots (participation, top ideas) come from meetings that held a dot
    vote; a statements-only meeting's votes are not read, so their number costs nothing."""
    from workshop import db as database
    from workshop.app import open_store

    steps = [0]
    opened = database.connect

    def counting(path):
        conn = opened(path)
        conn.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1) or 0, 100)
        return conn

    monkeypatch.setattr(database, "connect", counting)
    store = open_store(fresh_db(tmp_path / "summary.db"))
    try:
        dots_meeting = make_meeting(store)
        start(store, dots_meeting)
        voters = [join(store, dots_meeting, name) for name in ("Ada", "Bo")]
        idea = ideas.submit_idea(store, voters[0], "Flere bænke")
        from workshop.meetings import core as meetings
        from workshop.voting import ballots

        meetings.next_step(store, dots_meeting.id, actor=None)
        dot_round = ballots.current_round(store, dots_meeting.id)
        assert dot_round is not None
        for voter in voters:
            ballots.place_dot(store, voter, dot_round.id, idea.id)

        def read_cost() -> tuple[int, dict[str, int], list[tuple[str, int]]]:
            steps[0] = 0
            counts = reports.participation(store, None)
            top = reports.top_ideas_frame(store, None)
            return steps[0], counts, list(zip(top["text"], top["dots"], strict=True))

        _statement_meeting(store, people=4, statements=5)
        small, counts, top = read_cost()
        assert counts["votes"] == 2
        assert top[0] == ("Flere bænke", 2) and {dots for _, dots in top[1:]} == {0}
        _statement_meeting(store, people=60, statements=50)  # 3,000 more votes
        large, counts, _ = read_cost()
        assert counts["votes"] == 2
        assert large < small + 40, f"{small} → {large} (×100 VM steps)"
    finally:
        store.close()
