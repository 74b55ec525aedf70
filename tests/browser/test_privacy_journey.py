"""Journeys: a citizen reads the consent text, downloads and deletes their data; an admin
reads and exports the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    context,
    log_in,
    serving,
    settle,
)
from tests.factories import make_meeting, start
from workshop import accounts, ideas, meetings, privacy
from workshop.db import open_store
from workshop.model import Role

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
    page.locator(".st-key-start_name input").fill("Anna")
    page.get_by_role("button", name="Deltag").click()
    settle(page)
    token = parse_qs(urlsplit(page.url).query)["p"][0]
    store = open_store(server.db_path)
    participant = meetings.get_participant(store, token)
    ideas.submit_idea(store, participant, "Flere bænke ved vandet <b>nu</b>")

    page.goto(f"{server.url}/my_data?p={token}")
    settle(page)
    assert "Navn: Anna" in page.inner_text("body")
    shots(page, "02-my-data")
    with page.expect_download() as download_info:
        page.locator(".st-key-my_data_download button").click()
    saved = tmp_path / "my-data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["participant"]["name"] == "Anna"
    assert [i["text"] for i in data["ideas"]] == ["Flere bænke ved vandet <b>nu</b>"]

    page.locator(".st-key-my_data_confirm label").click()
    settle(page)
    shots(page, "03-ready-to-delete")
    page.locator(".st-key-my_data_delete button").click()
    settle(page)
    assert privacy.is_erased(store, participant.id)
    assert "p=" not in page.url
    shots(page, "04-after-delete")
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
    header = saved.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id,at,user_id,actor,action")
    ctx.close()
