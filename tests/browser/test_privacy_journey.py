"""Journeys: a citizen reads the consent text, downloads and deletes their data; an admin
reads and exports the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    join,
    log_in,
    serving,
    settle,
)
from tests.factories import make_meeting, start
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.model import Role
from workshop.privacy import core as privacy
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def privacy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    db_path = tmp_path_factory.mktemp("privacy") / "privacy.db"
    store = open_store(db_path)
    accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada Admin")
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    meeting = make_meeting(store, staff, prompt="Hvad skal der ske med havnen?")
    start(store, meeting)
    store.close()
    with serving(db_path) as running:
        yield running, meeting.join_code


def test_citizen_reads_consent_downloads_and_deletes_their_data(
    privacy_server: tuple[Server, str], browser: Browser, shots, tmp_path: Path
) -> None:
    server, code = privacy_server
    ctx = context(browser, PHONE)
    page = ctx.new_page()
    page.goto(f"{server.url}/?code={code}")
    settle(page)
    consent = page.locator(".st-key-start_consent")
    assert "frivilligt" in consent.inner_text()
    shots(page, "01-start-with-consent")
    token = join(page, "Anna", "Deltag")
    store = open_store(server.db_path)
    participant = meetings.get_participant(store, token)
    mine = ideas.submit_idea(store, participant, "Flere bænke ved vandet <b>nu</b>")
    # Anna and Bo vote: her page counts her own votes per method, never Bo's.
    bo = meetings.join_meeting(store, code, "Bo", client="test-bo")
    theirs = ideas.submit_idea(store, bo, "Bos idé om havnebad")
    meetings.next_step(store, participant.meeting_id, actor=None)  # brainstorm → dot vote
    step = meetings.list_steps(store, participant.meeting_id)[1]
    dots = voting.current_round(store, participant.meeting_id)
    assert dots is not None
    for _ in range(2):
        voting.place_dot(store, participant, dots.id, mine.id)
    for _ in range(3):
        voting.place_dot(store, bo, dots.id, mine.id)
    pairwise = vote_methods.open_round(store, step.id, "pairwise", actor=None)
    vote_methods.cast_pairwise(store, participant, pairwise, mine.id, theirs.id, theirs.id)
    vote_methods.cast_pairwise(store, bo, pairwise, mine.id, theirs.id, mine.id)

    page.goto(f"{server.url}/my_data?p={token}")
    settle(page)
    body = page.inner_text("body")
    assert "Navn: Anna" in body
    assert "2 prikker sat" in body and "1 par af idéer sammenlignet" in body
    assert "5 prikker" not in body and "Bo" not in body
    shots(page, "02-my-data")
    with page.expect_download() as download_info:
        page.locator(".st-key-my_data_download button").click()
    saved = tmp_path / "my-data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["participant"]["name"] == "Anna"
    assert [i["text"] for i in data["ideas"]] == ["Flere bænke ved vandet <b>nu</b>"]
    ballots = {b["method"]: b["choices"] for b in data["ballots"]}
    assert ballots["dot_vote"] == [
        {"idea_id": mine.id, "idea_text": "Flere bænke ved vandet <b>nu</b>", "dots": 2}
    ]
    [choice] = ballots["pairwise"]
    assert choice["chosen_id"] == theirs.id  # her choice, not Bo's

    page.locator(".st-key-my_data_confirm label").click()
    settle(page)
    shots(page, "03-ready-to-delete")
    page.locator(".st-key-my_data_delete button").click()
    notice = page.locator(".st-key-erased_notice")
    expect(notice).to_contain_text("Dine data er slettet")
    assert privacy.is_erased(store, participant.id)
    shots(page, "04-after-delete")
    # A reload, or the old link from the QR code, says the same instead of a bare join form.
    page.goto(f"{server.url}/participate?p={token}")
    expect(page.locator(".st-key-erased_notice")).to_contain_text("Dine data er slettet")
    shots(page, "05-old-link-after-delete")
    page.goto(f"{server.url}/?p={token}")
    expect(page.locator(".st-key-erased_notice")).to_contain_text("Dine data er slettet")
    store.close()
    ctx.close()


def test_admin_reads_and_exports_the_audit_log(
    privacy_server: tuple[Server, str], browser: Browser, shots, tmp_path: Path
) -> None:
    server, _ = privacy_server
    ctx = context(browser, LAPTOP)
    page = ctx.new_page()
    log_in(page, server.url, "ada")
    # A full page load would start a new session (logged out): use the menu.
    page.locator("[data-testid='stTopNavLink'][href$='/audit']").click()
    settle(page)
    page.wait_for_selector("[data-testid='stDataFrame']")
    shots(page, "01-audit-log")
    with page.expect_download() as download_info:
        page.locator(".st-key-audit_download_csv button").click()
    saved = tmp_path / "audit.csv"
    download_info.value.save_as(saved)
    # The CSV is for the reader: the page's column names, not the stored ones, in a file
    # Danish Excel opens as it is (a byte-order mark, fields split on ";").
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    columns = ("at", "actor", "action", "entity", "entity_id", "before", "after")
    assert header == ";".join(translate("da", f"privacy.audit.col.{c}") for c in columns)
    assert download_info.value.suggested_filename == "samskab-revisionslog.csv"
    ctx.close()
