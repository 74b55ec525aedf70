"""A phone whose server goes away reads what happened in its own language: Streamlit's own
"Connection error" dialog and the status at the top ("Connecting", with its tooltip) are
drawn by the browser in English, and the reader gets ours instead, with no English word of
Streamlit's left (no "Is Streamlit still running?", no "streamlit run yourscript.py").

Before that, the main menu (⋮) a citizen can open on any page: Danish, no "Print", no "Made
with Streamlit".

Two Danish phones of one meeting, one at the server's address and one at "localhost" (where
Streamlit's message tells the reader to restart it in a terminal); then the server stops.

Screenshots go to ``artifacts/screenshots/test_a_phone_that_loses_the_server_*``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, context, serving, settle
from tests.browser.test_push_journey import FIRST, _room
from workshop.i18n import translate

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# What Streamlit 1.67's frontend writes while its server is away (static/js/index.*.js).
ENGLISH = (
    "Connection error",
    "Is Streamlit still running",
    "restart it in your terminal",
    "streamlit run",
    "Streamlit server is not responding",
    "Are you connected to the internet",
    "Connection timed out",
    "Connection failed with status",
    "Connecting",
    "CONNECTING",
    "Streamlit",
    "Error",
    "Running...",
    "Please wait",
)

MENU_ENGLISH = ("Print", "Record screen", "Made with")


def da(key: str) -> str:
    return translate("da", key)


def english_shown(page: Page) -> list[str]:
    """Streamlit's English in what the page shows and in the names a screen reader hears."""
    shown = page.locator("body").inner_text()
    names = page.evaluate(
        """() => [...document.querySelectorAll('[aria-label], [title]')].map(
            el => (el.getAttribute('aria-label') || '') + ' ' + (el.getAttribute('title') || ''))
            .join(' ')"""
    )
    return [word for word in ENGLISH if word in shown or word in names]


def picture(page: Page, request: pytest.FixtureRequest, name: str) -> None:
    """A screenshot as ``shots`` takes it, without its wait for a connected page."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_phone_that_loses_the_server_says_so_in_danish(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> None:
    db_path = tmp_path_factory.mktemp("connection") / "connection.db"
    _, tokens = _room(db_path)
    with serving(db_path) as server:
        at_localhost = server.url.replace("127.0.0.1", "localhost")
        phones = []
        for base, token in ((server.url, tokens[0]), (at_localhost, tokens[1])):
            phone = context(browser, PHONE).new_page()
            phone.goto(f"{base}/participate?p={token}")
            expect(phone.get_by_text(FIRST).first).to_be_visible()
            settle(phone)
            phones.append(phone)

        # The main menu (⋮) a citizen can open on every page speaks Danish too.
        phone = phones[0]
        phone.get_by_test_id("stMainMenu").click()
        menu = phone.get_by_test_id("stMainMenuPopover")
        expect(menu.get_by_role("menuitem").first).to_have_text(da("frontend.menu_print"))
        expect(menu).to_contain_text(da("frontend.menu_made_with"))
        picture(phone, request, "00-main-menu")
        assert [word for word in MENU_ENGLISH if word in menu.inner_text()] == []
        phone.keyboard.press("Escape")
        expect(menu).to_have_count(0)

        server.stop()

        for name, phone in zip(("address", "localhost"), phones, strict=True):
            # The status at the top says it is connecting again, in Danish (upper case by CSS).
            status = phone.get_by_test_id("stConnectionStatus")
            expect(status).to_have_text(da("frontend.status_connecting"), ignore_case=True)
            # Streamlit gives up waiting quietly after six tries (a few seconds): its dialog.
            dialog = phone.get_by_role("dialog")
            expect(dialog).to_be_visible(timeout=60_000)
            expect(dialog.get_by_role("heading")).to_have_text(da("frontend.connection_error"))
            expect(dialog).to_contain_text(da("frontend.connection_retrying"))
            expect(dialog.get_by_test_id("stErrorCodeBlock")).to_be_hidden()
            expect(dialog.get_by_role("button", name=da("frontend.close"))).to_be_visible()
            picture(phone, request, f"01-{name}-connection-lost")
            assert english_shown(phone) == [], name

        # Closed, the dialog leaves the status; its tooltip (a facilitator's mouse) is Danish.
        phone = phones[0]
        phone.get_by_role("dialog").get_by_role("button", name=da("frontend.close")).click()
        expect(phone.get_by_role("dialog")).to_have_count(0)
        phone.get_by_test_id("stConnectionStatus").hover()
        expect(phone.get_by_test_id("stTooltipContent")).to_have_text(
            da("frontend.status_connecting_tooltip")
        )
        picture(phone, request, "02-status-tooltip")
        assert english_shown(phone) == []
        for phone in phones:
            phone.context.close()
