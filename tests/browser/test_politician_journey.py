"""A politician reads the summary of a committee on a phone and on a laptop, follows a number
to the records behind it, and downloads the one-page PDF brief."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    SCREENSHOTS,
    Server,
    assert_chart_texts_fit,
    context,
    log_in,
    serving,
    settle,
)
from tests.outcome_world import build_outcome_world
from workshop import barometer
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.i18n import translate
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def summary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_path = tmp_path_factory.mktemp("politician") / "politician.db"
    store = open_store(db_path)
    facilitator = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie")
    accounts.create_user(store, "mette", PASSWORD, Role.POLITICIAN, "Mette Politiker")
    build_outcome_world(
        store, facilitator, is_demo=True, title="DEMO · Fremtidens bibliotek i Nordby"
    )
    store.close()
    with serving(db_path) as running:
        yield running


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_politician_reads_the_summary_and_downloads_the_brief(
    summary_server, browser, shots, device
) -> None:
    ctx = context(browser, PHONE if device == "phone" else LAPTOP)
    page = ctx.new_page()
    log_in(page, summary_server.url, "mette")
    # The first run after login imports the summary's modules: allow for a busy machine.
    expect(page.get_by_role("heading", name="Overblik")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Fremtidens bibliotek i Nordby").first).to_be_visible()
    expect(page.get_by_text("DEMO").first).to_be_visible()
    expect(page.get_by_text("Åbent bibliotek alle ugens dage").first).to_be_visible()
    expect(page.get_by_text("Vedtaget med ændringer").first).to_be_visible()
    shots(page, f"01-summary-{device}")
    for index, heading in enumerate(
        (
            translate("da", key)
            for key in ("summary.top_ideas", "summary.recommendations", "summary.outcomes")
        ),
        start=2,
    ):
        page.get_by_role("heading", name=heading).scroll_into_view_if_needed()
        shots(page, f"0{index}-section-{device}")
    national = page.get_by_text(translate("da", "barometer.chart.national_title")).first
    national.scroll_into_view_if_needed()
    shots(page, f"05-national-{device}")
    assert_charts_are_readable(page, device)
    expect(page.get_by_text("Forfalden siden").first).to_be_visible()  # an overdue review

    # A number leads to its records: the ideas behind "Idéer".
    page.get_by_role(
        "heading", name=translate("da", "summary.participation")
    ).scroll_into_view_if_needed()
    page.locator(".st-key-summary_records button", has_text="Idéer").click()
    settle(page)
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    shots(page, f"06-records-{device}")

    # The one-page brief, as a mayor would print it.
    with page.expect_download() as download_info:
        page.locator(".st-key-summary_pdf button").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf") and "DEMO" in download.suggested_filename
    # named in the reader's language, like everything in it
    assert download.suggested_filename.endswith("-politisk-notat.pdf"), download.suggested_filename
    assert "committee" not in download.suggested_filename
    folder = SCREENSHOTS / f"test_politician_reads_the_summary_and_downloads_the_brief_{device}"
    pdf_path = folder / "brief.pdf"
    download.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", str(pdf_path), str(folder / "07-brief")], check=True
    )
    assert len(list(folder.glob("07-brief*.png"))) == 1  # one page
    ctx.close()


def assert_charts_are_readable(page, device: str) -> None:
    """Every chart's labels, legends and titles are drawn whole and inside the chart: none cut
    at the screen's edge, none shortened with "…", no row label hidden for lack of room."""
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(3)  # top ideas, values, national comparison
    folder = SCREENSHOTS / f"test_politician_reads_the_summary_and_downloads_the_brief_{device}"
    for index in range(3):
        charts.nth(index).screenshot(path=str(folder / f"08-chart-{index + 1}-{device}.png"))
    shown = assert_chart_texts_fit(charts, device)
    legend = {translate("da", f"barometer.series.{key}") for key in ("ours", "national")}
    rows = {translate("da", row.row_key).replace(" · ", " ") for row in barometer.COMPARISONS}
    assert legend | rows <= shown, f"not shown on the {device}: {(legend | rows) - shown}"
