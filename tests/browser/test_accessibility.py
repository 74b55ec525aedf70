"""axe-core (WCAG 2.0/2.1 A and AA) on every page type and state: the start page, a phone in
each step kind, the projector in each state, each console tab, every staff page and the
public pages. The table of violations (rule × impact × page) is printed and written to
``artifacts/accessibility.md``; any critical or serious violation fails the journey.

axe-core comes from npm (tests/browser/package.json; ``npm ci`` in scripts/install.sh)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    PHONE,
    ROOT,
    Server,
    context,
    join,
    log_in,
    serving,
    settle,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.feedback import core as feedback
from workshop.i18n import translate
from workshop.meetings import core as meetings
from workshop.meetings import ideas
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind
from workshop.ui.accessibility import MEASURED
from workshop.voting import ballots

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
REPORT = ROOT / "artifacts" / "accessibility.md"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"critical", "serious"}
# Every step kind a phone can be in, in agenda order (the welcome step comes first): the enum
# itself, so a new kind is checked without anyone remembering to list it here.
STEPS = list(StepKind)
STAFF_PAGES = [
    "committees",
    "committee?committee={committee}",
    "mandate_editor?committee={committee}",
    "recruitment?committee={committee}",
    "recommendations?committee={committee}",
    "summary?committee={committee}",
    "outcomes?committee={committee}",
    "agreements?committee={committee}",
    "feedback?meeting={meeting}",
    "users",
    "audit",
]

RUN_AXE = """
async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n')[1])
  }));
}
"""


def check(page: Page, where: str, found: dict[str, list[dict]]) -> None:
    """axe on the page as it is now (settled); the violations go under ``where``."""
    settle(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found[where] = page.evaluate(RUN_AXE, WCAG_AA)
    # A chart's text alternative: its figures as a (visually hidden) table beside it. Not on
    # the projector: it is the room's shared display, sized to one screen; the same results
    # with their tables are on the console (and a participant reads their own phone).
    drawn = page.get_by_test_id("stVegaLiteChart").count()
    tables = page.locator("[data-testid='chart-text']").count()
    if tables < drawn and not where.startswith("projector"):
        found[where].append(
            {"id": "chart-without-text", "impact": "serious", "help": "", "nodes": [str(drawn)]}
        )


def table(found: dict[str, list[dict]]) -> str:
    """Markdown: one row per rule and impact, the pages it fails on, and the node count."""
    rows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for where, violations in found.items():
        for violation in violations:
            rows[(violation["id"], violation["impact"] or "")].append(
                f"{where} ({len(violation['nodes'])})"
            )
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    lines = [
        f"Pages checked: {len(found)}. WCAG tags: {', '.join(WCAG_AA)}.",
        "",
        "| rule | impact | pages (nodes) |",
        "|---|---|---|",
    ]
    for (rule, impact), pages in sorted(rows.items(), key=lambda r: (order.get(r[0][1], 9), r[0])):
        lines.append(f"| {rule} | {impact} | {', '.join(pages)} |")
    if not rows:
        lines.append("| – | – | no violations |")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict]]:
    path = tmp_path_factory.mktemp("a11y") / "a11y.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    accounts.create_user(store, "ada", PASSWORD, Role.ADMIN, "Ada Admin")
    committee = committees.create_committee(store, "Parkudvalget", "", actor=staff)
    agenda = [
        StepSpec(kind, "Åbent til kl. 22" if kind is StepKind.CONSENT else "") for kind in STEPS
    ]
    meeting = meetings.create_meeting(store, committee.id, "Parken", agenda=agenda, actor=staff)
    meetings.next_step(store, meeting.id, actor=staff)  # welcome
    ids = {
        "committee": committee.id,
        "meeting": meeting.id,
        "code": meeting.join_code,
        "screen": meetings.screen_link_token(store, meeting.id),
        "public": committees.public_link_token(store, committee.id),
        "outcome": feedback.outcome_token(store, meeting.id),
    }
    store.close()
    with serving(path) as server:
        yield server, ids


def step_to(server: Server, meeting_id: int) -> None:
    store = open_store(server.db_path)
    meetings.next_step(store, meeting_id, actor=None)
    store.close()


def seed_ideas(server: Server, code: str) -> None:
    """Three ideas from another participant (the brainstorm step is open)."""
    store = open_store(server.db_path)
    author = meetings.join_meeting(store, code, "Forfatter", client="seed")
    for text in ("Bænke under træerne", "Legeplads for de små", "Mere lys på stierne"):
        ideas.submit_idea(store, author, text)
    store.close()


def reveal(server: Server, meeting_id: int) -> bool:
    """Show the current round's results to the room; False when the step has no round."""
    store = open_store(server.db_path)
    current = ballots.current_round(store, meeting_id)
    if current is not None:
        ballots.reveal_results(store, current.id)
    store.close()
    return current is not None


def test_no_critical_or_serious_violation_on_any_page(world, browser, shots) -> None:
    server, ids = world
    base = server.url
    found: dict[str, list[dict]] = {}

    # Public pages, as anyone opens them.
    visitor = context(browser, PHONE).new_page()
    public_titles: dict[str, str] = {}
    for name, url in (
        ("start", "/"),
        ("start ?code", f"/?code={ids['code']}"),
        ("login", "/login"),
        ("accessibility", "/accessibility"),
        ("mandate (public)", f"/mandate?link={ids['public']}"),
        ("apply (public)", f"/apply?link={ids['public']}"),
        ("meeting_outcome (public)", f"/meeting_outcome?o={ids['outcome']}"),
    ):
        visitor.goto(base + url)
        check(visitor, name, found)
        if name in ("start", "login"):
            public_titles[name] = visitor.title()
    shots(visitor, "public-last")

    # A phone, the projector and the console through every step of a meeting.
    phone = context(browser, PHONE).new_page()
    phone.goto(f"{base}/?code={ids['code']}")
    settle(phone)
    join(phone, "Anna", "Deltag")
    projector = context(browser, LAPTOP).new_page()
    projector.goto(f"{base}/?screen={ids['screen']}")
    console = context(browser, LAPTOP).new_page()
    log_in(console, base, "fie")
    console.goto(f"{base}/console?meeting={ids['meeting']}")
    for number, kind in enumerate(STEPS):
        if number:
            step_to(server, ids["meeting"])
        if kind is StepKind.BRAINSTORM:
            seed_ideas(server, ids["code"])
        for page in (phone, projector):
            page.reload()
        check(phone, f"phone: {kind.value}", found)
        check(projector, f"projector: {kind.value}", found)
        if kind.is_vote and reveal(server, ids["meeting"]):
            projector.reload()
            check(projector, f"projector: {kind.value} revealed", found)
        shots(phone, f"phone-{number:02d}-{kind.value}")
        shots(projector, f"projector-{number:02d}-{kind.value}")
    console.reload()
    settle(console)
    # The console's QR code is an image named by the address it leads to.
    expect(console.get_by_role("img", name=f"?code={ids['code']}")).to_be_visible()
    tabs = console.get_by_role("tab")
    expect(tabs.first).to_be_visible()
    for index in range(tabs.count()):
        tab = tabs.nth(index)
        name = tab.inner_text().strip()
        tab.click()
        check(console, f"console: {name}", found)
        shots(console, f"console-{index}")

    # Every staff page (an admin sees them all).
    staff = context(browser, LAPTOP).new_page()
    log_in(staff, base, "ada")
    titles = {}
    for url in STAFF_PAGES:
        staff.goto(f"{base}/{url.format(**ids)}")
        check(staff, url.split("?")[0], found)
        titles[url.split("?")[0]] = staff.title()
    # Each page names itself in the tab (WCAG 2.4.2): every tab read "Samskab".
    titles |= {"participate": phone.title(), "projector": projector.title()}
    titles["console"] = console.title()
    titles |= public_titles
    assert titles == {name: f"{translate('da', f'page.{name}')} · Samskab" for name in titles}
    assert len(set(titles.values())) == len(titles), titles  # no two pages alike

    report = table(found)
    print("\n" + report)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("# axe-core on every page\n\n" + report, encoding="utf-8")
    failing = [
        f"{where}: {v['id']} ({v['impact']}) {v['nodes'][0][:300]}"
        for where, violations in found.items()
        for v in violations
        if v["impact"] in FAILING
    ]
    assert not failing, "critical or serious WCAG violations:\n" + "\n".join(failing)
    # The statement page shows what was measured here.
    version = visitor.evaluate("() => axe.version")
    assert (MEASURED.axe_version, MEASURED.pages) == (version, len(found)), (
        "update MEASURED in workshop/ui/accessibility.py"
    )
