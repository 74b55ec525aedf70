"""A citizen applies on her phone and keeps her own link: the whole link is on the screen,
wrapped, as a real link she can tap, and with a copy button."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, Server, context, serving, settle
from tests.test_committees import to_recruitment
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def apply_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    db_path = tmp_path_factory.mktemp("applicant_link") / "journey.db"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Fremtidens bibliotek", "Opgave", actor=fie)
    to_recruitment(store, committee, fie)
    token = committees.public_link_token(store, committee.id)
    assert token is not None
    store.close()
    with serving(db_path) as running:
        yield running, token


def test_the_applicants_own_link_fits_a_phone_and_can_be_tapped_and_copied(
    apply_server, browser, shots
):
    server, token = apply_server
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{server.url}/apply?link={token}")
    settle(phone)
    phone.locator(".st-key-apply_name input").fill("Sofie Jensen")
    phone.locator(".st-key-apply_motivation textarea").fill("Jeg låner bøger hver uge.")
    phone.get_by_role("button", name="Send ansøgning", exact=True).click()
    settle(phone)
    expect(phone.get_by_text("Tak! Vi har modtaget din ansøgning.")).to_be_visible()

    code = phone.get_by_test_id("stCode")
    expect(code).to_have_count(1)
    code.scroll_into_view_if_needed()
    shots(phone, "01-phone-thank-you-with-own-link")
    shown = code.inner_text().replace("\n", "").strip()
    assert shown.startswith(f"{server.url}/apply?a="), shown
    width = phone.viewport_size["width"] if phone.viewport_size else 390
    fit = code.evaluate(
        """el => {
            const inner = el.querySelector('pre') || el;
            const box = el.getBoundingClientRect();
            return {left: box.left, right: box.right, width: box.width,
                    scroll: inner.scrollWidth, client: inner.clientWidth};
        }"""
    )
    assert fit["width"] <= width and fit["left"] >= 0 and fit["right"] <= width, fit
    assert fit["scroll"] <= fit["client"], f"the link is cut off: {fit}"  # nothing hidden
    # a real link to tap, to the same address, also within the screen
    link = phone.locator(f"a[href='{shown}']")
    expect(link).to_have_count(1)
    expect(link).to_be_visible()
    tap = link.bounding_box()
    assert tap is not None and tap["x"] >= 0 and tap["x"] + tap["width"] <= width, tap
    # and a button that copies it (st.code's own, named in the reader's language)
    code.hover()
    expect(code.get_by_role("button", name=translate("da", "frontend.copy"))).to_be_visible()
    shots(phone, "02-phone-own-link-copy-button")
