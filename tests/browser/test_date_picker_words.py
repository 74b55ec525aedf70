"""A date picker's empty fields in the reader's language (trial 18, finding 9): Streamlit's
frontend writes "dd.mm.yyyy" by itself, in English; a Danish or Norwegian reader reads
"dd.mm.åååå" (ui/frontend_words), and a date typed into it still shows as typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LAPTOP, PASSWORD, Server, context, log_in, serving, settle
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("date_words") / "journey.db"
    store = open_store(db_path)
    accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada Admin")
    store.close()
    with serving(db_path) as running:
        yield running


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO"])
def test_an_empty_date_picker_reads_dd_mm_aaaa(admin_server, browser, shots, locale) -> None:
    page = context(browser, LAPTOP, locale=locale).new_page()
    log_in(page, admin_server.url, "ada")
    page.goto(f"{admin_server.url}/audit")
    settle(page)
    since = page.locator(".st-key-audit_since")
    expect(since).to_contain_text("åååå")
    expect(since).not_to_contain_text("yyyy")
    shots(page, f"01-{locale}-empty-date-picker")
    # Typing a date still works: the year segment shows the digits, not "åååå".
    year = since.get_by_role("spinbutton").nth(2)
    year.click()
    page.keyboard.type("2026")
    expect(since).to_contain_text("2026")
    shots(page, f"02-{locale}-typed-year")
