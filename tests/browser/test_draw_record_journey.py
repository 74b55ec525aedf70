"""The draw record on the Recruitment page, as an outsider would use it: application numbers,
groups and the lottery on the screen, and the record downloaded as JSON replays the draw
without the database."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PASSWORD, Server, context, log_in, serving, settle
from tests.test_committees import apply, to_recruitment
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.committees import recruitment, sortition
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def draw_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    db_path = tmp_path_factory.mktemp("draw_record") / "journey.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Fremtidens bibliotek", "Opgave", actor=fie)
    to_recruitment(store, committee, fie)
    recruitment.set_target(store, committee.id, "district", "Nord", minimum=2, maximum=3, actor=fie)
    recruitment.set_target(
        store, committee.id, "gender", "woman", minimum=2, maximum=None, actor=fie
    )
    for i in range(12):
        apply(
            store,
            committee,
            f"Borger {i}",
            consent=True,
            diversity=recruitment.Diversity(
                district="Nord" if i % 4 == 0 else "Syd",
                gender="woman" if i % 3 == 0 else "man",
            ),
        )
    drawn = recruitment.run_draw(store, committee.id, seats=5, seed="Lotto 3 11 17", actor=fie)
    facts = {"committee": committee.id, "selected": list(drawn.selected)}
    store.close()
    with serving(db_path) as running:
        yield running, facts


def test_the_downloaded_draw_record_replays_the_draw(draw_server, browser, shots, tmp_path):
    server, facts = draw_server
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, server.url, "fie")
    laptop.goto(f"{server.url}/recruitment?committee={facts['committee']}")
    settle(laptop)
    laptop.get_by_role("tab", name="Lodtrækning").click()
    settle(laptop)
    record = laptop.locator("summary").filter(has_text="Lodtrækning #1")
    record.click()
    expect(laptop.get_by_text("Grupper", exact=True)).to_be_visible()
    laptop.get_by_text("Grupper", exact=True).scroll_into_view_if_needed()
    shots(laptop, "01-draw-record-groups-and-lottery")
    laptop.get_by_text("Trukket nummer« er pladsen", exact=False).scroll_into_view_if_needed()
    shots(laptop, "02-draw-record-steps-explained")
    with laptop.expect_download() as download:
        laptop.get_by_role("button", name="Hent protokollen (JSON)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "samskab-draw-1.json"
    text = path.read_text(encoding="utf-8")
    assert "Borger" not in text  # application numbers, never names
    replay = sortition.replay_record(json.loads(text))
    assert replay.matches and list(replay.selected) == facts["selected"]
