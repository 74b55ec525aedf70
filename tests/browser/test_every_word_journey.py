"""What Streamlit's frontend writes by itself, in Danish and Norwegian: the skip link, the
hints under text fields, a multiselect's menu. AppTest never sees these strings (the browser
draws them), so a browser reads the public application form (text fields, a text area and a
multiselect) in both languages and finds none of them in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    PASSWORD,
    PHONE,
    Server,
    context,
    enter,
    serving,
    settle,
    tap,
)
from tests.test_committees import to_recruitment
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ENGLISH = (
    "Select all",
    "Press Enter",
    "Press Ctrl",
    "Skip to main content",
    "Choose option",
    "None",
)


@pytest.fixture(scope="module")
def form_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    db_path = tmp_path_factory.mktemp("every_word") / "journey.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Fremtidens bibliotek", "Opgave", actor=fie)
    to_recruitment(store, committee, fie)  # a profile of three competences: a multiselect
    token = committees.public_link_token(store, committee.id)
    assert token is not None
    store.close()
    with serving(db_path) as running:
        yield running, token


@pytest.mark.parametrize("locale", ["da-DK", "nb-NO"])
def test_streamlits_own_words_are_danish_and_norwegian(form_server, browser, shots, locale):
    server, token = form_server
    lang = locale[:2]
    page = context(browser, PHONE, locale=locale).new_page()
    page.goto(f"{server.url}/apply?link={token}")
    settle(page)

    # The skip link (visible on keyboard focus) speaks the reader's language.
    expect(page.get_by_test_id("stSkipToContent")).to_have_text(
        translate(lang, "frontend.skip_to_content")
    )

    # A typed, not yet applied text field shows its hint in the reader's language.
    page.locator(".st-key-apply_name input").fill("Sofie Jensen")
    hint = page.locator(".st-key-apply_name [data-testid='InputInstructions']")
    expect(hint).to_contain_text(translate(lang, "frontend.press_enter"))
    shots(page, f"01-{lang}-text-field-hint")
    page.locator(".st-key-apply_motivation textarea").fill("Jeg låner bøger hver uge.")
    area_hint = page.locator(".st-key-apply_motivation [data-testid='InputInstructions']")
    expect(area_hint).to_contain_text(translate(lang, "frontend.press_ctrl_enter"))
    expect(area_hint).to_contain_text("/")  # the character counter stays beside it

    # The multiselect's menu lists the competences and no "Select all".
    page.locator(".st-key-apply_competences input").click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    expect(page.get_by_role("option", name="Arkitektur")).to_be_visible()
    names = options.all_inner_texts()
    assert len(names) == 3, names
    shots(page, f"02-{lang}-multiselect-menu")

    # A download whose file could not be built: Streamlit writes its English line under the
    # button (stDownloadButtonError); the reader reads ours.
    page.evaluate(
        """() => {
        const box = document.createElement('div');
        box.setAttribute('data-testid', 'stDownloadButtonError');
        box.textContent = 'Failed to generate file for download';
        document.querySelector('[data-testid="stMain"]').appendChild(box);
    }"""
    )
    expect(page.get_by_test_id("stDownloadButtonError")).to_have_text(
        translate(lang, "frontend.download_failed")
    )

    shown = page.locator("body").inner_text() + page.get_by_test_id("stSkipToContent").inner_text()
    assert [word for word in ENGLISH if word in shown] == []


def test_the_language_menu_closes_once_a_language_is_chosen(form_server, browser, shots):
    """The menu stayed open over the page, now in the chosen language (a fresh-eyes trial):
    a phone had to find the way to close it."""
    server, token = form_server
    page = context(browser, PHONE).new_page()
    page.goto(f"{server.url}/apply?link={token}")
    settle(page)
    menu = page.get_by_role(
        "button", name=translate("da", "common.language_named", language="Dansk")
    )
    menu.click()
    english = page.get_by_role("button", name="English", exact=True)
    expect(english).to_be_visible()
    settle(page)
    tap(page, english)
    expect(page.get_by_text(translate("en", "apply.kicker"))).to_be_visible()
    expect(
        page.get_by_role(
            "button", name=translate("en", "common.language_named", language="English")
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Norsk bokmål", exact=True)).to_be_hidden()
    shots(page, "03-language-chosen-menu-closed")
    # By keyboard: the focus goes back to the menu's button (it fell to the page's top).
    menu = page.get_by_role(
        "button", name=translate("en", "common.language_named", language="English")
    )
    menu.focus()
    page.keyboard.press("Enter")
    # The focus goes into the menu, on its first language (Tab went through the whole page).
    expect(page.get_by_role("button", name="Dansk", exact=True)).to_be_focused()
    settle(page)
    page.keyboard.press("Tab")  # English, the language shown, is not offered
    norsk = page.get_by_role("button", name="Norsk bokmål", exact=True)
    expect(norsk).to_be_focused()
    enter(page, norsk)
    expect(page.get_by_text(translate("nb", "apply.kicker"))).to_be_visible()
    back = page.get_by_role(
        "button", name=translate("nb", "common.language_named", language="Norsk bokmål")
    )
    expect(back).to_be_focused()
    expect(page.get_by_role("button", name="Dansk", exact=True)).to_be_hidden()
