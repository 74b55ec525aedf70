"""Issue 18, point 1 on the server side: dot buttons name their idea, charts carry their data
as a table, and the accessibility statement exists in every language, linked from the start
page. (axe-core on every page: tests/browser/test_accessibility.py.)"""

from __future__ import annotations

import pytest

from tests.ui import dots
from tests.ui.conftest import PAGES, texts
from tests.ui.test_live_pages import go, room  # noqa: F401  (the live pages' meeting)
from workshop.model import StepKind
from workshop.ui.accessibility import MEASURED, chart_table, short
from workshop.voting import charts, tallies


def test_every_dot_button_names_its_idea(room, make_app) -> None:  # noqa: F811
    go(room, StepKind.DOT_VOTE)
    at = make_app(query={"p": room["anna"].token}).run()
    assert not at.exception
    data = dots.ballot(at)
    assert data is not None and data["ideas"]
    # The ballot names each button "<sign>: <the whole idea>" (its visible label is the sign,
    # in the card of its idea); the names as a screen reader hears them:
    # tests/browser/test_screen_reader_names.py.
    words = data["words"]
    assert (words["plus"], words["minus"], words["named"]) == ("+ Prik", "− Prik", "{plus}: {idea}")
    assert "Idé nummer 0" in [text for _, text in data["ideas"]]


def test_a_long_idea_is_named_by_its_first_words() -> None:
    assert short("Bænke under træerne i parken ved søen") == "Bænke under træerne i…"
    assert short("Kort") == "Kort"


def test_a_chart_carries_its_figures_as_a_table_named_as_the_chart_names_them() -> None:
    tally = tallies.DotTally((tallies.IdeaDots(1, 3, 2, 1), tallies.IdeaDots(2, 1, 1, 2)), 4, 2)
    chart = charts.dots_chart(tally, {1: "Bænke", 2: "Lys"}, dots="Prikker", idea="Idé")
    frame = chart_table(chart)
    assert frame is not None
    assert "Prikker" in frame.columns
    assert sorted(frame["Prikker"]) == [1, 3]
    assert {"Bænke", "Lys"} <= {str(v) for v in frame.to_numpy().ravel()}
    # As the summary page passes it: a Vega-Lite dict whose data is a named dataset.
    as_spec = chart_table(chart.to_dict(validate=False))
    assert as_spec is not None and sorted(as_spec["Prikker"]) == [1, 3]


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("da", "Tilgængelighedserklæring"),
        ("nb", "Tilgjengelighetserklæring"),
        ("en", "Accessibility statement"),
    ],
)
def test_the_statement_states_the_measured_result(app_store, make_app, lang, title) -> None:
    at = make_app(script=f"{PAGES}/accessibility.py", query={"lang": lang}).run()
    assert not at.exception
    shown = texts(at)
    assert title in shown
    assert f"axe-core {MEASURED.axe_version}" in shown
    assert str(MEASURED.pages) in shown


def test_the_start_page_links_the_statement(app_store, make_app) -> None:
    at = make_app().run()  # the router: a visitor lands on the start page
    assert not at.exception
    links = [element.proto.label for element in at.get("page_link")]
    assert "Tilgængelighedserklæring" in links


# -- trial 18, finding 12: the statement as the Danish and Norwegian templates require ----------

STATUS = {
    "da": "delvist i overensstemmelse med WCAG 2.1 AA",
    "nb": "delvis i samsvar med WCAG 2.1 AA",
    "en": "partially conformant with WCAG 2.1 AA",
}
NO_SCREEN_READER_REVIEW = {
    "da": "Ingen manuel gennemgang med skærmlæser endnu",
    "nb": "Ingen manuell gjennomgang med skjermleser ennå",
    "en": "No manual screen-reader review yet",
}
COMPLAINT = {
    "da": ["Digitaliseringsstyrelsen", "https://digst.dk/"],
    "nb": ["Tilsynet for universell utforming av IKT", "https://www.uutilsynet.no/"],
    "en": ["https://digst.dk/", "https://www.uutilsynet.no/"],
}
ASK_THE_MUNICIPALITY = {
    "da": "kontakt den kommune, der holder mødet",
    "nb": "kontakt kommunen som holder møtet",
    "en": "contact the municipality that runs the meeting",
}


@pytest.mark.parametrize("lang", ["da", "nb", "en"])
def test_the_statement_states_its_conformance_status_and_what_is_not_checked(
    app_store, make_app, lang, monkeypatch
) -> None:
    monkeypatch.delenv("SAMSKAB_ACCESSIBILITY_CONTACT", raising=False)
    at = make_app(script=f"{PAGES}/accessibility.py", query={"lang": lang}).run()
    assert not at.exception
    shown = texts(at)
    assert STATUS[lang] in shown
    assert NO_SCREEN_READER_REVIEW[lang] in shown
    # Both counts of "before", each as it was counted: the six page states and ours.
    for figure in ("6", "3", "10", str(MEASURED.pages), str(MEASURED.serious_states_before)):
        assert figure in shown
    # No contact set: the reader is told in words whom to ask; and the national complaint route.
    assert ASK_THE_MUNICIPALITY[lang] in shown
    for words in COMPLAINT[lang]:
        assert words in shown


def test_the_statement_names_the_contact_the_municipality_set(
    app_store, make_app, monkeypatch
) -> None:
    monkeypatch.setenv("SAMSKAB_ACCESSIBILITY_CONTACT", "digitalisering@kommune.dk")
    at = make_app(script=f"{PAGES}/accessibility.py", query={"lang": "da"}).run()
    assert not at.exception
    # Markdown escapes and the word joiner that keeps text from linking, which nobody sees.
    shown = texts(at).replace("\\", "").replace("\u2060", "")
    assert "write to" not in shown
    # The municipality's own address is a link a reader can follow.
    assert "skriv til [digitalisering@kommune.dk](mailto:digitalisering@kommune.dk)" in shown
    assert ASK_THE_MUNICIPALITY["da"] not in shown
    assert "Digitaliseringsstyrelsen" in shown


def test_the_contact_setting_is_read_and_trimmed() -> None:
    from workshop.config import load_settings

    assert load_settings({}).accessibility_contact is None
    contact = load_settings({"SAMSKAB_ACCESSIBILITY_CONTACT": " tilgaengelighed@kommune.dk "})
    assert contact.accessibility_contact == "tilgaengelighed@kommune.dk"


@pytest.mark.parametrize(
    ("lang", "name"),
    [("da", "Sprog: Dansk"), ("nb", "Språk: Norsk bokmål"), ("en", "Language: English")],
)
def test_the_language_switcher_is_named_as_a_language_choice(
    app_store, make_app, lang, name
) -> None:
    """Trial 18, finding 9: the button a screen reader announced as just "Dansk"."""
    at = make_app(script=f"{PAGES}/accessibility.py", query={"lang": lang}).run()
    assert not at.exception
    labels = [p.proto.popover.label for p in at.get("popover")]
    assert name in labels, labels
