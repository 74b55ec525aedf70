"""The politician summary and the facilitators' outcomes page, through the real app script."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.outcome_world import build_outcome_world
from tests.ui.conftest import PAGES, texts
from workshop import committees, outcomes
from workshop.i18n import formats, translate
from workshop.model import Role


@pytest.fixture
def rich(world):
    facilitator = world["users"][Role.FACILITATOR]
    built = build_outcome_world(world["store"], facilitator, is_demo=True)
    return {**world, "built": built}


def pick(at, rich, outcome_id: int) -> None:
    """Choose an outcome (newest first) by position: its label is in the page's language."""
    ids = sorted(rich["built"].outcome_ids, reverse=True)
    at.selectbox(key="outcomes_pick").select_index(ids.index(outcome_id)).run()


def open_page(make_app, user, page: str, lang: str = "da"):
    at = make_app(user=user, query={"lang": lang}, script=f"{PAGES}/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_politician_reads_every_section_of_a_committee(rich, make_app) -> None:
    at = open_page(make_app, rich["users"][Role.POLITICIAN], "summary")
    at.selectbox(key="summary_committee").set_value(rich["built"].committee_id).run()
    assert not at.exception, at.exception
    shown = texts(at)
    for key in (
        "summary.participation",
        "summary.top_ideas",
        "summary.recommendations",
        "summary.outcomes",
        "summary.downloads",
    ):
        assert translate("da", key) in shown, key
    assert "Åbent bibliotek alle ugens dage" in shown
    assert translate("da", "outcomes.decision.adopted_with_changes") in shown
    assert "Ingen plads i budgettet" in shown  # the rationale of a rejection
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("da", "summary.people")] == "8"
    assert metrics[translate("da", "summary.members")] == "4"
    # values expected vs realised, and the national comparison: two charts beside top ideas
    assert len(at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")) >= 3
    assert any("Åbent bibliotek" in w.value for w in at.warning)  # the overdue review
    assert "30" in shown  # the honest note: too few outcomes (fewer than 30) to compare
    assert len(at.get("download_button")) == 5  # the brief, the workbook and the raw data
    # what unites the room: no agree/disagree votes were collected, so no such section
    assert translate("da", "summary.unites") not in shown


def test_every_number_leads_to_its_records(rich, make_app) -> None:
    at = open_page(make_app, rich["users"][Role.POLITICIAN], "summary")
    at.selectbox(key="summary_committee").set_value(rich["built"].committee_id).run()
    for kind, expected in (
        ("ideas", "Lektiecafé for unge om eftermiddagen"),
        ("meetings", "Dialogmøde på biblioteket"),
        ("members", "Fatima"),
        ("recommendations", "Makerspace i kælderen"),
        ("outcomes", "Kultur og Fritid"),
    ):
        at.segmented_control(key="summary_records").set_value(kind).run()
        assert not at.exception, at.exception
        assert expected in at.dataframe[0].value.to_string(), kind


def test_across_committees_and_in_norwegian(rich, make_app) -> None:
    at = open_page(make_app, rich["users"][Role.POLITICIAN], "summary", lang="nb")
    at.selectbox(key="summary_committee").select_index(0).run()
    assert not at.exception, at.exception
    assert translate("nb", "summary.across.other", count=2) in texts(at)
    assert translate("nb", "summary.no_outcomes") not in texts(at)


def test_an_empty_committee_has_sensible_empty_states(world, make_app) -> None:
    empty = committees.create_committee(
        world["store"], "Tomt udvalg", "Intet endnu", actor=world["users"][Role.FACILITATOR]
    )
    at = open_page(make_app, world["users"][Role.POLITICIAN], "summary")
    at.selectbox(key="summary_committee").set_value(empty.id).run()
    assert not at.exception, at.exception
    shown = texts(at)
    for key in (
        "summary.nothing_yet",
        "summary.no_ideas",
        "summary.no_recommendations",
        "summary.no_outcomes",
        "summary.export_empty",
    ):
        assert translate("da", key) in shown, key
    assert not at.get("download_button")


def test_facilitator_records_a_realised_value_only_with_evidence(rich, make_app) -> None:
    store, user = rich["store"], rich["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "outcomes")
    at.selectbox(key="outcomes_committee").set_value(rich["built"].committee_id).run()
    outcome_id = rich["built"].outcome_ids[1]
    pick(at, rich, outcome_id)
    at.selectbox(key="outcomes_realised_value").set_value("efficiency")
    at.button(key="outcomes_save_realised").click().run()
    assert translate("da", "error.outcomes.evidence_required") in [e.value for e in at.error]
    assert "efficiency" not in outcomes.get_outcome(store, outcome_id).realised

    at.selectbox(key="outcomes_realised_value").set_value("efficiency")
    at.segmented_control(key="outcomes_evidence_kind").set_value("figure")
    at.text_area(key="outcomes_evidence").input("Sagsbehandling 3 dage kortere")
    at.button(key="outcomes_save_realised").click().run()
    assert not at.exception, at.exception
    assert "efficiency" in outcomes.get_outcome(store, outcome_id).realised


def test_facilitator_cannot_plan_a_review_in_the_past(rich, make_app) -> None:
    store, user = rich["store"], rich["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "outcomes")
    at.selectbox(key="outcomes_committee").set_value(rich["built"].committee_id).run()
    outcome_id = rich["built"].outcome_ids[0]
    pick(at, rich, outcome_id)
    before = len(outcomes.list_reviews(store, outcome_id=outcome_id))
    yesterday = formats.today() - timedelta(days=1)
    at.date_input(key="outcomes_review_date").set_value(yesterday)
    at.button(key="outcomes_save_schedule").click().run()
    assert translate("da", "error.outcomes.review_in_past", date=yesterday.isoformat()) in [
        e.value for e in at.error
    ]
    assert len(outcomes.list_reviews(store, outcome_id=outcome_id)) == before
    # the overdue review is listed at the top of the page
    assert any("Åbent bibliotek" in w.value for w in at.warning)


def test_facilitator_sets_follow_up_and_barometer_answers(rich, make_app) -> None:
    store, user = rich["store"], rich["users"][Role.FACILITATOR]
    at = open_page(make_app, user, "outcomes")
    at.selectbox(key="outcomes_committee").set_value(rich["built"].committee_id).run()
    outcome_id = rich["built"].outcome_ids[1]
    pick(at, rich, outcome_id)
    at.text_input(key="outcomes_owner").input("Skoleafdelingen")
    at.selectbox(key="outcomes_status").set_value("in_progress")
    at.slider(key="outcomes_progress").set_value(25)
    at.button(key="outcomes_save_follow_up").click().run()
    assert not at.exception, at.exception
    saved = outcomes.get_outcome(store, outcome_id)
    assert (saved.owner, saved.status, saved.progress) == ("Skoleafdelingen", "in_progress", 25)

    at.selectbox(key="outcomes_novelty").set_value("first_of_kind")
    at.multiselect(key="outcomes_partners").set_value(["citizens", "voluntary_orgs"])
    at.selectbox(key="outcomes_evaluated").set_value("external_assisted")
    at.selectbox(key="outcomes_factor_citizens").set_value("promoted_high")
    at.button(key="outcomes_save_barometer").click().run()
    assert not at.exception, at.exception
    saved = outcomes.get_outcome(store, outcome_id)
    assert saved.novelty == "first_of_kind" and saved.evaluated == "external_assisted"
    assert saved.partners == ("citizens", "voluntary_orgs")
    assert saved.factors == {"citizens": "promoted_high"}
    assert saved.initiators == ("citizens_users",)  # kept from before


def test_outcomes_page_without_outcomes_explains_where_they_come_from(world, make_app) -> None:
    at = open_page(make_app, world["users"][Role.FACILITATOR], "outcomes")
    assert translate("da", "outcomes.none") in texts(at)


@pytest.mark.parametrize("role", [Role.POLITICIAN])
def test_a_politician_cannot_open_the_outcomes_page(world, make_app, role) -> None:
    at = make_app(user=world["users"][role], script=f"{PAGES}/outcomes.py").run()
    assert translate("da", "access.denied") in texts(at)


def test_a_citizen_cannot_open_the_outcomes_page(world, make_app) -> None:
    at = make_app(query={"p": world["anna"].token}, script=f"{PAGES}/outcomes.py").run()
    assert translate("da", "access.denied") in texts(at)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FACILITATOR])
def test_the_router_offers_the_outcomes_page_to_staff(rich, make_app, role) -> None:
    at = make_app(user=rich["users"][role]).run()
    at.switch_page(f"{PAGES}/outcomes.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == translate("da", "outcomes.title")


def test_the_politician_lands_on_the_summary_through_the_router(rich, make_app) -> None:
    at = make_app(user=rich["users"][Role.POLITICIAN]).run()
    assert not at.exception, at.exception
    assert at.title[0].value == translate("da", "summary.title")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"{PAGES}/outcomes.py")
