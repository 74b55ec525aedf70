"""What happened to my idea: a citizen joins, reads and acknowledges the meeting's agreement on
the phone, posts an idea; the facilitator decides (with a reason) and sends feedback; the
citizen opens "my ideas" and reads the status and the reason. The public outcome page too."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    Server,
    choose,
    context,
    idea_box,
    join,
    log_in,
    post_idea,
    serving,
    settle,
)
from tests.factories import make_meeting, start
from workshop.accounts import users as accounts
from workshop.agreements import core as agreements
from workshop.agreements.core import Template
from workshop.app import open_store
from workshop.feedback import core as feedback
from workshop.i18n import translate
from workshop.model import Role

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def feedback_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    """A running brainstorm with a published dialogue-meeting agreement."""
    db_path = tmp_path_factory.mktemp("feedback") / "feedback.db"
    outbox = db_path.parent / "outbox.txt"
    store = open_store(db_path)
    fie = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    meeting = make_meeting(store, fie, prompt="Hvad skal parken kunne?")
    agreement = agreements.create_agreement(
        store, Template.DIALOGUE_SESSION, lang="da", meeting_id=meeting.id, actor=fie
    )
    agreements.publish_agreement(store, agreement.id, actor=fie)
    start(store, meeting)
    store.close()
    with serving(db_path, env={"SAMSKAB_FEEDBACK_SENDER": f"file:{outbox}"}) as running:
        yield running, {"meeting": meeting, "agreement": agreement, "outbox": outbox}


def go_to(page: Page, title: str) -> None:
    """Open a staff page from the top menu (a new URL would start a new, logged-out session)."""
    link = page.get_by_role("link", name=title, exact=True).first
    expect(link).to_be_visible(timeout=20_000)  # the laptop's menu shows every staff page
    link.click()
    settle(page)


def test_a_citizen_learns_what_happened_to_their_idea(feedback_server, browser, shots) -> None:
    server, data = feedback_server
    base, meeting = server.url, data["meeting"]
    da = lambda key, **params: translate("da", key, **params)  # noqa: E731

    # -- join, and the agreement comes first ----------------------------------------------
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{base}/?code={meeting.join_code}")
    settle(phone)
    token = join(phone, "Anna", "Deltag")
    expect(phone.get_by_role("heading", name=da("agreement_gate.title"))).to_be_visible()
    expect(phone.get_by_text("I aften beder vi om dine idéer", exact=False)).to_be_visible()
    expect(phone.locator(".composer")).to_have_count(0)  # nothing before acknowledging
    shots(phone, "01-phone-agreement-short")
    phone.get_by_text(da("agreement_gate.read_full")).click()
    expect(phone.get_by_text(da("agreement.field.open_for_influence"))).to_be_visible()
    shots(phone, "02-phone-agreement-full")
    phone.locator(".st-key-agreement_gate_acknowledge button").click()
    settle(phone)

    # -- post an idea --------------------------------------------------------------------------
    expect(idea_box(phone)).to_be_visible(timeout=10_000)
    post_idea(phone, "Flere bænke ved søen")
    expect(phone.get_by_text("Flere bænke ved søen")).to_be_visible(timeout=10_000)
    shots(phone, "03-phone-idea-posted")
    db = sqlite3.connect(server.db_path)
    assert db.execute(
        "SELECT v.version FROM acknowledgements k JOIN agreement_versions v ON v.id = k.version_id"
    ).fetchall() == [(1,)]

    # -- the facilitator sees the acknowledgement, then decides with a reason ---------------
    laptop = context(browser, LAPTOP).new_page()
    log_in(laptop, base, "fie")
    go_to(laptop, da("page.agreements"))
    choose(
        laptop,
        f"agreements_scope_{meeting.committee_id}",
        da("agreements.meeting_option", title=meeting.title),
    )
    laptop.get_by_role("tab", name=da("agreements.tab_acks")).click()
    expect(
        laptop.get_by_text(da("agreements.ack_count", done=1, total=1, version=1))
    ).to_be_visible()
    shots(laptop, "04-facilitator-acknowledgements")
    laptop.get_by_role("tab", name=da("agreements.tab_commitments")).click()
    expect(laptop.get_by_text(da("agreements.evidence_required")).first).to_be_visible()
    shots(laptop, "04b-facilitator-commitments")
    laptop.get_by_role("tab", name=da("agreements.tab_text")).click()
    expect(laptop.get_by_text(da("agreement.field.summary"))).to_be_visible()
    shots(laptop, "04c-facilitator-agreement-text")

    go_to(laptop, da("page.feedback"))
    choose(laptop, "feedback_meeting", meeting.title)
    laptop.locator(".st-key-feedback_status_value").click()
    laptop.get_by_role("option", name=da("idea_status.label.rejected")).click()
    laptop.get_by_role("button", name=da("feedback.apply_status")).click()
    settle(laptop)
    expect(laptop.get_by_text(da("error.idea_status.reason_required"))).to_be_visible()
    laptop.locator(".st-key-feedback_status_value").click()
    laptop.get_by_role("option", name=da("idea_status.label.rejected")).click()
    laptop.locator(".st-key-feedback_status_reason textarea").fill(
        "Søbredden er fredet, så der må ikke stå bænke."
    )
    laptop.get_by_role("button", name=da("feedback.apply_status")).click()
    settle(laptop)
    assert db.execute("SELECT status FROM ideas").fetchall() == [("rejected",)]

    laptop.locator(".st-key-feedback_send_ideas").click()
    laptop.get_by_role("option").first.click()
    laptop.keyboard.press("Escape")
    laptop.locator(".st-key-feedback_send_body textarea").fill(
        "Tak for idéen! Vi sætter i stedet bænke op ved legepladsen."
    )
    laptop.get_by_role("button", name=da("feedback.send")).last.click()
    settle(laptop)
    expect(laptop.get_by_test_id("stMetricValue").first).to_have_text(
        "100 %"
    )  # Danish: a space before %
    shots(laptop, "05-facilitator-feedback")

    # -- the citizen reads the status and the reason ----------------------------------------
    phone.goto(f"{base}/my_ideas?p={token}")
    settle(phone)
    expect(phone.get_by_text(da("idea_status.label.rejected")).first).to_be_visible()
    expect(phone.get_by_text("Hvorfor: Søbredden er fredet", exact=False)).to_be_visible()
    expect(phone.get_by_text("bænke op ved legepladsen", exact=False)).to_be_visible()
    shots(phone, "06-phone-my-ideas")
    my_ideas_laptop = context(browser, LAPTOP).new_page()
    my_ideas_laptop.goto(f"{base}/my_ideas?p={token}")
    settle(my_ideas_laptop)
    shots(my_ideas_laptop, "07-laptop-my-ideas")

    # -- and anyone can see what came out of the meeting ------------------------------------
    outcome_token = feedback.existing_outcome_token(open_store(server.db_path), meeting.id)
    public = context(browser, PHONE).new_page()
    public.goto(f"{base}/meeting_outcome?o={outcome_token}")
    settle(public)
    expect(public.get_by_text("Flere bænke ved søen")).to_be_visible()
    expect(public.get_by_text("Anna")).to_have_count(0)
    shots(public, "08-phone-public-outcome")


def test_a_material_change_asks_the_phone_again_in_norwegian(
    feedback_server, browser, shots
) -> None:
    server, data = feedback_server
    base, meeting, agreement = server.url, data["meeting"], data["agreement"]
    nb = lambda key, **params: translate("nb", key, **params)  # noqa: E731
    phone = context(browser, PHONE, locale="nb-NO").new_page()
    phone.goto(f"{base}/?code={meeting.join_code}")
    settle(phone)
    join(phone, "Kari", "Bli med")
    expect(phone.get_by_role("heading", name=nb("agreement_gate.title"))).to_be_visible()
    phone.locator(".st-key-agreement_gate_acknowledge button").click()
    settle(phone)
    expect(idea_box(phone)).to_be_visible(timeout=10_000)

    # The organisers change what is fixed: everyone is asked again, and told what changed.
    store = open_store(server.db_path)
    fie = accounts.get_user(store, store.scalar("SELECT id FROM users WHERE username = 'fie'"))
    agreements.save_version(
        store,
        agreement.id,
        {"fixed": "Budsjettet er 2 millioner kroner.\nSkolen legges ikke ned."},
        material=True,
        change_note="Budsjett lagt til",
        actor=fie,
    )
    store.close()
    phone.reload()
    settle(phone)
    expect(phone.get_by_text(nb("agreement_gate.changed", version=1))).to_be_visible()
    expect(phone.get_by_text(nb("agreement.field.fixed"), exact=False).first).to_be_visible()
    expect(phone.locator(".composer")).to_have_count(0)
    shots(phone, "01-phone-changed-agreement-nb")
    phone.locator(".st-key-agreement_gate_acknowledge button").click()
    settle(phone)
    expect(idea_box(phone)).to_be_visible(timeout=10_000)
    versions = (
        sqlite3.connect(server.db_path)
        .execute(
            "SELECT v.version FROM acknowledgements k"
            " JOIN agreement_versions v ON v.id = k.version_id"
            " JOIN participants p ON p.id = k.participant_id WHERE p.display_name = 'Kari'"
            " ORDER BY v.version"
        )
        .fetchall()
    )
    assert versions == [(1,), (2,)]
