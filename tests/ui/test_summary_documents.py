"""The politician's summary page: both decision levels with their reasons (an amendment by the
standing committee reaches the politician), every value category beside its national figure in
words, dates in the reader's style, and the council's workbook beside the raw data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.outcome_world import build_outcome_world
from tests.ui.conftest import PAGES, texts
from workshop.i18n import formats, translate
from workshop.model import Role, utcnow

AMENDMENT = "Fagudvalget ændrer anbefalingen: kun to dage om ugen i første omgang"


@pytest.fixture
def amended(world):
    store = world["store"]
    built = build_outcome_world(store, world["users"][Role.FACILITATOR])
    now = utcnow()
    with store.transaction() as db:
        rid = db.execute(
            "INSERT INTO recommendations (committee_id, title, created_at, updated_at)"
            " VALUES (?, 'Lektiehjælp på biblioteket', ?, ?) RETURNING id",
            [built.committee_id, now, now],
        ).fetchall()[0][0]
        for body, outcome, why in (
            ("standing_committee", "adopted_with_changes", AMENDMENT),
            ("council", "adopted", ""),
        ):
            db.execute(
                "INSERT INTO decisions (recommendation_id, body, outcome, decided_at, rationale,"
                " recorded_at) VALUES (?, ?, ?, '2026-05-04', ?, ?)",
                [rid, body, outcome, why, now],
            )
    return {**world, "built": built}


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_the_politician_reads_amendments_values_and_dates_in_their_language(
    amended, make_app, lang
) -> None:
    at = make_app(
        user=amended["users"][Role.POLITICIAN],
        query={"lang": lang},
        script=f"{PAGES}/summary.py",
    ).run()
    at.selectbox(key="summary_committee").set_value(amended["built"].committee_id).run()
    assert not at.exception, at.exception
    shown = texts(at).replace("\\", "")  # user text is escaped for markdown
    # the standing committee's amendment, though the council adopted without a word
    amended_line = translate(
        lang,
        "summary.decision_reason",
        body=translate(lang, "decision.body.standing_committee"),
        outcome=translate(lang, "decision.outcome.adopted_with_changes"),
        date=formats.date_text("2026-05-04", lang),
        reason=AMENDMENT,
    )
    assert amended_line[1:] in shown  # (the first letter is capitalised)
    assert translate(lang, "decision.outcome.adopted_with_changes") in shown
    # every value category: its national figure with edition and n, or in words that there is none
    assert translate(lang, "summary.national_by_value") in shown
    (table,) = [t.value for t in at.table]
    assert len(table) == 7 and table.notna().all().all() and (table != "").all().all()
    cells = " ".join(str(v) for v in table.to_numpy().ravel())
    assert translate(lang, "national.no_figure") in cells
    assert translate(lang, "national.edition", edition="3") in cells
    assert translate(lang, "national.n_unknown") in cells  # edition 1 states no n
    # the overdue review's date in the reader's style, not ISO
    overdue = formats.today() - timedelta(days=3)
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert formats.date_text(overdue, lang) in warnings
    assert overdue.isoformat() not in shown
    buttons = [str(b.proto) for b in at.get("download_button")]
    assert len(buttons) == 5 and any("summary_workbook" in b for b in buttons)
    assert translate(lang, "summary.raw_data") in shown


@pytest.mark.parametrize("lang", ["da", "nb"])
def test_the_summary_reads_shares_ages_and_values_in_the_readers_words(
    amended, make_app, lang
) -> None:
    """Trial 18, finding 8: the charts' hidden tables give shares as "100 %", not 1; the age
    groups run young to old; a value category has one name on the page."""
    at = make_app(
        user=amended["users"][Role.POLITICIAN],
        query={"lang": lang},
        script=f"{PAGES}/summary.py",
    ).run()
    at.selectbox(key="summary_committee").set_value(amended["built"].committee_id).run()
    assert not at.exception, at.exception
    tables = [h.proto.body for h in at.get("html") if 'data-testid="chart-text"' in h.proto.body]
    assert len(tables) == 3
    assert "<td>100\u00a0%</td>" in tables[1]  # quality expected: every outcome named it
    rows = tables[1].split("<tbody>")[1].split("</tr>")[:-1]
    assert rows and all("\u00a0%</td>" in row for row in rows)  # every row's share, in words
    shown = texts(at)
    ages = [translate(lang, f"diversity.age_band.{k}") for k in ("under_25", "25_39", "60_74")]
    positions = [shown.find(age) for age in ages]
    assert -1 not in positions and positions == sorted(positions), positions
    long_name = {"da": "Bedre borgerinddragelse", "nb": "Mer innbyggerinnflytelse"}[lang]
    assert long_name not in shown
