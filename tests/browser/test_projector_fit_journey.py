"""The room's screens: every projector state fits one screen, at 1920×1080 and at 1280×720.

A meeting with 24 ideas and 20 people runs through every step a projector shows: welcome and
brainstorm (with the large QR code the console switches on), brainstorm closed for ideas, the
themes, each of the six vote methods with its results hidden and then revealed (statements with
their opinion groups), and the wrap-up; then the wrap-up of a meeting with one vote, whose
result fills the slide in larger type even when every line is a long idea. Two projectors
follow the meeting by its screen link, one at each size. For every state and size the journey
measures

* the height the page scrolls to (the main block's and the document's ``scrollHeight``) against
  the window's height: nothing may be below the fold;
* the smallest text drawn, HTML and the text Vega draws in a chart's SVG alike (font size times
  the zoom it is drawn at): at least 24 px at 1080p, and the same size on the same screen at
  720p (24 × 720 / 1080 = 16 px);
* the lowest contrast of any text against the background behind it: at least 4.5:1;

prints them as a table (and writes it to ``artifacts/projector_fit.md``), and fails past the
limits. It also checks what the room must read: the heading names what is shown, a closed
intake says so, a long list shows its top ideas and how many more the console has, and the QR
code names the join address.

The votes are cast through the services, as phones would; the console's QR toggle is tapped
in a browser by a facilitator.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.conftest import (
    LAPTOP,
    PASSWORD,
    ROOT,
    SCREENSHOTS,
    Server,
    context,
    log_in,
    serving,
    settle,
    tap,
)
from workshop import committees
from workshop.accounts import users as accounts
from workshop.app import open_store
from workshop.meetings import core as meetings
from workshop.meetings import ideas, themes
from workshop.meetings.core import StepSpec
from workshop.model import Role, StepKind
from workshop.voting import ballots as voting
from workshop.voting import methods as vote_methods

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
assert PASSWORD  # the facilitator below logs in with the journeys' passphrase

SIZES = {
    "1920x1080": {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1},
    "1280x720": {"viewport": {"width": 1280, "height": 720}, "device_scale_factor": 1},
}
#: The smallest text a projector may draw, per size: 24 px at 1080p, the same on a 720p screen.
SMALLEST_PX = {"1920x1080": 24.0, "1280x720": 16.0}
MIN_CONTRAST = 4.5
#: The QR code's height on welcome and brainstorm once the console makes it large.
BIG_QR_SHARE = 0.35
VOTES = [
    StepKind.DOT_VOTE,
    StepKind.STATEMENTS,
    StepKind.PAIRWISE,
    StepKind.TWO_AXIS,
    StepKind.RANKED,
    StepKind.CONSENT,
]
PROPOSAL = "Biblioteket holder åbent til kl. 22 i weekenden"
PROMPT = "Hvad skal biblioteket kunne om fem år?"
# 24 ideas, short and long, as a room writes them.
IDEAS = [
    "Længere åbent om aftenen",
    "Stillerum til lektier",
    "Værktøj til udlån",
    "Et værksted med 3D-printer og symaskiner, som alle kan booke",
    "Lektiehjælp for børn i 4.–7. klasse to gange om ugen",
    "Flere bøger på arabisk, ukrainsk og tyrkisk",
    "Café med kaffe til 10 kroner",
    "Brætspilsaften hver torsdag",
    "Gratis foredrag om økonomi for unge",
    "Hjælp til MitID og digital post for ældre",
    "Udlån af cykler og cykelanhængere",
    "Mødelokaler som foreninger kan låne gratis",
    "Højtlæsning for de mindste om lørdagen",
    "Plads til at spille musik uden at forstyrre",
    "Bedre lys ved indgangen om vinteren",
    "Et frøbibliotek med frø fra lokale haver",
    "Selvbetjening til kl. 23 med sygesikringskortet",
    "Udstillinger af lokale kunstnere",
    "Sprogcafé hvor man kan øve dansk",
    "Flere stikkontakter ved bordene",
    "Reparationscafé for tøj og elektronik en gang om måneden",
    "Legeområde for småbørn",
    "Skakklub for alle aldre",
    "Podcaststudie man kan låne",
]
PEOPLE = 20
# Ideas as long as a phone lets a citizen write, which a wrap-up line cuts after two rows.
LONG_IDEAS = [
    f"{text}: det har vi talt om i min forening i lang tid, og vi tror, at mange flere ville "
    "bruge biblioteket, hvis det blev til noget – især familier med små børn, unge, der "
    "mangler et sted at være om aftenen, og ældre, der ellers sidder alene derhjemme hele dagen"
    for text in IDEAS[:8]
]


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, int, int]]:
    path = tmp_path_factory.mktemp("projector_fit") / "projector_fit.db"
    store = open_store(path)
    staff = accounts.create_user(store, "fie", PASSWORD, Role.FACILITATOR, "Fie Facilitator")
    committee = committees.create_committee(store, "Biblioteket", "", actor=staff)
    agenda = [StepSpec(StepKind.WELCOME, ""), StepSpec(StepKind.BRAINSTORM, PROMPT)]
    agenda += [StepSpec(StepKind.CLUSTERING, "")]
    agenda += [StepSpec(k, PROPOSAL if k is StepKind.CONSENT else "") for k in VOTES]
    agenda += [StepSpec(StepKind.WRAP_UP, "")]
    meeting = meetings.create_meeting(
        store, committee.id, "Borgermøde om biblioteket", agenda=agenda, actor=staff
    )
    # Most dialogue sessions have one vote: its wrap-up fills the slide in larger type.
    short = [StepSpec(StepKind.WELCOME, ""), StepSpec(StepKind.BRAINSTORM, PROMPT)]
    short += [StepSpec(StepKind.DOT_VOTE, ""), StepSpec(StepKind.WRAP_UP, "")]
    one_vote = meetings.create_meeting(
        store, committee.id, "Dialogmøde med én afstemning", agenda=short, actor=staff
    )
    store.close()
    with serving(path) as server:
        yield server, meeting.id, one_vote.id


@pytest.fixture
def shots_dir(request: pytest.FixtureRequest) -> Path:
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# What a projector state measures: the page's scroll height against the window's, the smallest
# text drawn (HTML text and Vega's SVG text, at the zoom it is drawn at) and the lowest contrast
# of a text against the first opaque background behind it (white for chart text).
MEASURE = """
() => {
  const main = document.querySelector("[data-testid='stMain']");
  const shows = e => {
    const r = e.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) return false;
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) === 0)
        return false;
    }
    return true;
  };
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = e => {
    for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
      if (n.tagName.toLowerCase() === "svg") return [255, 255, 255];
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  const add = (e, text, color, chart) => {
    const s = getComputedStyle(e);
    const zoom = e.currentCSSZoom || 1;
    found.push({text: text.slice(0, 60), px: parseFloat(s.fontSize) * zoom, chart,
                contrast: ratio(rgb(color).slice(0, 3), behind(e))});
  };
  for (const e of main.querySelectorAll("*")) {
    if (e.closest("svg")) continue;
    const own = [...e.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
    if (own.length && shows(e)) add(e, own.map(n => n.textContent.trim()).join(" "),
                                    getComputedStyle(e).color, false);
  }
  for (const e of main.querySelectorAll("svg text")) {
    const text = e.textContent.trim();
    if (text && shows(e)) add(e, text, getComputedStyle(e).fill, true);
  }
  const canvases = main.querySelectorAll("[data-testid='stVegaLiteChart'] canvas").length;
  const smallest = found.reduce((a, b) => (b.px < a.px ? b : a), {px: 999, text: ""});
  const dullest = found.reduce((a, b) => (b.contrast < a.contrast ? b : a),
                               {contrast: 21, text: ""});
  const charted = found.filter(f => f.chart);
  const chartSmallest = charted.reduce((a, b) => (b.px < a.px ? b : a), {px: 999, text: ""});
  const bottom = Math.max(0, ...[...main.querySelectorAll("*")].filter(shows)
                                  .map(e => e.getBoundingClientRect().bottom));
  return {scroll: Math.max(main.scrollHeight, document.documentElement.scrollHeight),
          wide: Math.max(main.scrollWidth, document.documentElement.scrollWidth),
          height: window.innerHeight, width: window.innerWidth, bottom,
          smallest, chartSmallest, charted: charted.length, dullest, canvases};
}
"""

# The QR code: its height on the screen and its text alternative.
QR = """
() => {
  const qr = document.querySelector("[data-testid='projector-qr']");
  if (!qr) return null;
  const r = qr.getBoundingClientRect();
  return {height: r.height, alt: qr.getAttribute("alt") || qr.getAttribute("aria-label") || ""};
}
"""


def soft(
    problems: list[str], what: str, target: Locator, text: str | re.Pattern[str], timeout: int
) -> None:
    """``expect(target).to_contain_text(text)``, noted when it fails, so that one run measures
    every state."""
    try:
        expect(target).to_contain_text(text, timeout=timeout)
    except AssertionError as failed:
        problems.append(f"{what}: {str(failed).splitlines()[0]}")


# The numbers the projector's last run drew (workshop/ui/screen_push.py) reached ``[c, v]``.
DREW = """([c, v]) => Object.values(window.__samskabScreenPush || {})
    .some(live => live.drawn && live.drawn.c >= c && live.drawn.v >= v)"""


def test_every_projector_state_fits_one_screen(room, browser, shots_dir) -> None:
    server, meeting_id, one_vote_id = room
    store = open_store(server.db_path)
    meeting = meetings.get_meeting(store, meeting_id)
    screen = meetings.screen_link_token(store, meeting_id)
    steps = {s.kind: s for s in meetings.list_steps(store, meeting_id)}
    projectors = {}
    for size, device in SIZES.items():
        page = context(browser, device).new_page()
        page.goto(f"{server.url}/?screen={screen}")
        expect(page.get_by_test_id("projector-code")).to_be_visible()
        projectors[size] = page
    table: list[dict[str, Any]] = []
    problems: list[str] = []

    def measure(
        state: str, shows: str, *, heading: str | None = None, room_id: int = meeting_id
    ) -> None:
        """Wait until both projectors show ``shows`` (a CSS selector), then measure them."""
        now = meetings.meeting_state(store, room_id)
        for size, page in projectors.items():
            # The projector runs when the room moved (push): wait until a run drew what the
            # journey changed before.
            page.wait_for_function(DREW, arg=[now.change_seq, now.vote_seq])
            expect(page.locator(shows).first).to_be_visible()
            # Vega draws after Streamlit: wait for every chart's text.
            page.wait_for_function(
                """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
                     .every(c => c.querySelector("svg text, canvas"))"""
            )
            settle(page)
            if heading is not None:
                soft(
                    problems,
                    f"{state} {size} heading",
                    page.get_by_test_id("projector-prompt"),
                    heading,
                    5_000,
                )
            found = page.evaluate(MEASURE)
            page.screenshot(path=str(shots_dir / f"{len(table) // 2:02d}-{state}-{size}.png"))
            row = {"state": state, "size": size, **found}
            table.append(row)
            if found["canvases"]:
                problems.append(f"{state} {size}: a chart drawn on a canvas, its text unmeasured")
            if found["wide"] > found["width"]:
                problems.append(f"{state} {size}: {found['wide']} px wide in {found['width']} px")
            if found["bottom"] > found["height"]:
                problems.append(f"{state} {size}: ends at {found['bottom']:.0f} px")
            if found["scroll"] > found["height"]:
                problems.append(
                    f"{state} {size}: scrolls to {found['scroll']} px in {found['height']} px"
                )
            if found["smallest"]["px"] < SMALLEST_PX[size]:
                problems.append(
                    f"{state} {size}: text of {found['smallest']['px']:.1f} px "
                    f"({found['smallest']['text']!r}), less than {SMALLEST_PX[size]:.0f} px"
                )
            if found["dullest"]["contrast"] < MIN_CONTRAST:
                problems.append(
                    f"{state} {size}: contrast {found['dullest']['contrast']:.2f}:1 "
                    f"({found['dullest']['text']!r})"
                )

    def qr_is_large(state: str) -> None:
        for size, page in projectors.items():
            found = page.evaluate(QR)
            if found is None:
                problems.append(f"{state} {size}: no QR code marked projector-qr")
                continue
            share = found["height"] / SIZES[size]["viewport"]["height"]
            table[-2 if size == "1920x1080" else -1]["qr"] = share
            if share < BIG_QR_SHARE:
                problems.append(f"{state} {size}: the QR code is {share:.0%} of the height")
            if meeting.join_code not in found["alt"]:
                problems.append(f"{state} {size}: the QR code's alt text {found['alt']!r}")

    # -- the facilitator makes the QR code large on the console ------------------------------
    console = context(browser, LAPTOP).new_page()
    log_in(console, server.url, "fie")
    console.goto(f"{server.url}/console?meeting={meeting_id}")
    settle(console)
    toggle = console.locator(".st-key-console_big_qr")
    if toggle.count():
        tap(console, toggle.locator("label"))
        expect(toggle.locator("input")).to_be_checked()
        console.screenshot(path=str(shots_dir / "console-big-qr.png"), full_page=True)
    else:
        problems.append("the console has no toggle for a large QR code (console_big_qr)")

    # -- welcome and brainstorm ---------------------------------------------------------------
    meetings.next_step(store, meeting_id, actor=None)
    measure("welcome", "[data-testid='projector-code']", heading="Velkommen")
    qr_is_large("welcome")
    meetings.next_step(store, meeting_id, actor=None)
    people = [
        meetings.join_meeting(store, meeting.join_code, f"Deltager {n}", client=f"seed-{n}")
        for n in range(PEOPLE)
    ]
    for n, text in enumerate(IDEAS):
        ideas.submit_idea(store, people[n % PEOPLE], text)
    ids = [i.id for i in ideas.list_ideas(store, meeting_id)]
    assert len(ids) == len(IDEAS)
    measure("brainstorm", "[data-testid='projector-wall']", heading=PROMPT)
    qr_is_large("brainstorm")
    meetings.set_intake(store, steps[StepKind.BRAINSTORM].id, False, actor=None)
    for page in projectors.values():
        soft(
            problems,
            "closed for ideas",
            page.get_by_test_id("projector-intake-closed"),
            "Lukket for idéer",
            10_000,
        )
    measure("brainstorm-closed", "[data-testid='projector-wall']")

    # -- themes --------------------------------------------------------------------------------
    for n, name in enumerate(("Åbningstider", "Læring", "Fællesskab", "Udlån")):
        theme = themes.create_theme(store, meeting_id, name, actor=None)
        themes.assign_ideas_to_theme(store, theme.id, ids[n * 5 : n * 5 + 5], actor=None)
    meetings.next_step(store, meeting_id, actor=None)
    measure("themes", "[data-testid='projector-themes']")

    # -- the six vote methods, hidden and revealed -------------------------------------------
    chart = "[data-testid='stVegaLiteChart'] svg text"
    for kind in VOTES:
        meetings.next_step(store, meeting_id, actor=None)
        vote_round = voting.current_round(store, meeting_id)
        assert vote_round is not None and vote_round.method == kind.value
        name = kind.value
        # A round's results show from the start: before the first vote, the room reads that
        # nobody has voted yet, not an empty chart.
        for size, page in projectors.items():
            soft(
                problems,
                f"{name} {size} before any vote",
                page.get_by_test_id("projector-no-votes"),
                "Ingen har stemt endnu",
                10_000,
            )
        if kind is StepKind.DOT_VOTE:
            measure("dot_vote-no-votes", "[data-testid='projector-prompt']")
        voting.reveal_results(store, vote_round.id, False, actor=None)
        cast(store, kind, vote_round.id, people, ids)
        hidden_shows = (
            "[data-testid='projector-prompt']"
            if kind is StepKind.CONSENT
            else "[data-testid='projector-wall']"
        )
        measure(f"{name}-hidden", hidden_shows)
        voting.reveal_results(store, vote_round.id, actor=None)
        shows = "[data-testid='projector-dots']" if kind is StepKind.DOT_VOTE else chart
        measure(f"{name}-revealed", shows, heading=RESULT_HEADINGS[kind])
        if kind in (StepKind.DOT_VOTE, StepKind.STATEMENTS, StepKind.PAIRWISE):
            # A long list: its top ideas, and how many more the console has (the statements'
            # slide is back within one turn of the slides).
            for size, page in projectors.items():
                soft(
                    problems,
                    f"{name} {size} more on the console",
                    page.get_by_test_id("projector-more"),
                    re.compile(r"\d+ (flere|til) .*styrepult"),
                    15_000,
                )
        if kind is StepKind.STATEMENTS:
            # The opinion groups (from a worker) as large cards, on their own slide.
            measure("statements-groups", "[data-testid='projector-group']")

    # -- the wrap-up -----------------------------------------------------------------------------
    meetings.next_step(store, meeting_id, actor=None)
    measure("wrap-up", "[data-testid='projector-wrapup']")

    # -- a meeting with one vote: its wrap-up in larger type, on one screen --------------------
    short = meetings.get_meeting(store, one_vote_id)
    for _ in range(3):  # welcome, brainstorm, the dot vote
        meetings.next_step(store, one_vote_id, actor=None)
        if meetings.current_step(store, one_vote_id).kind is StepKind.BRAINSTORM:
            voters = [
                meetings.join_meeting(store, short.join_code, f"Borger {n}", client=f"one-{n}")
                for n in range(PEOPLE)
            ]
            # The longest ideas get the most dots: every line of the card wraps.
            for n, text in enumerate([*LONG_IDEAS, *IDEAS]):
                ideas.submit_idea(store, voters[n % PEOPLE], text)
    dot_round = voting.current_round(store, one_vote_id)
    assert dot_round is not None
    short_ids = [i.id for i in ideas.list_ideas(store, one_vote_id)]
    cast(store, StepKind.DOT_VOTE, dot_round.id, voters, short_ids)
    meetings.next_step(store, one_vote_id, actor=None)
    short_screen = meetings.screen_link_token(store, one_vote_id)
    for page in projectors.values():
        page.goto(f"{server.url}/?screen={short_screen}")
    measure("wrap-up-one-vote", "[data-testid='projector-wrapup']", room_id=one_vote_id)
    for size, page in projectors.items():
        line = page.get_by_test_id("projector-wrapup").locator(".sk-result-line").first
        px = line.evaluate("e => parseFloat(getComputedStyle(e).fontSize) * e.currentCSSZoom")
        # A result line is 1.6rem with six votes; with one, half as large again (2.4rem = 38.4
        # px on the 1920×1080 slide, zoomed to the screen).
        want = 38.4 * SIZES[size]["viewport"]["height"] / 1080
        if px < want - 0.5:
            problems.append(f"wrap-up-one-vote {size}: result lines of {px:.1f} px, not {want}")

    report(table)
    store.close()
    assert not problems, "\n".join(problems)


RESULT_HEADINGS = {
    StepKind.DOT_VOTE: "Resultat: Prikafstemning",
    StepKind.STATEMENTS: "Resultat: Enig eller uenig",
    StepKind.PAIRWISE: "Resultat: Parvis sammenligning",
    StepKind.TWO_AXIS: "Resultat: Effekt og gennemførlighed",
    StepKind.RANKED: "Resultat: Rangering",
    StepKind.CONSENT: "Resultat: Samtykke",
}


def cast(store: Any, kind: StepKind, round_id: int, people: list, ids: list[int]) -> None:
    """Twenty people vote, in two camps that disagree on half the ideas."""
    for n, person in enumerate(people):
        camp = n % 2
        if kind is StepKind.DOT_VOTE:
            for k in (4, 9, 16):  # the first ideas get the most dots
                voting.place_dot(store, person, round_id, ids[n % k])
        elif kind is StepKind.STATEMENTS:
            for k, idea_id in enumerate(ids):
                stance = 1 if k < 4 else (1 if (k % 2) == camp else -1)
                if (n + k) % 9 == 0:
                    stance = 0
                vote_methods.cast_stance(store, person, round_id, idea_id, stance)
        elif kind is StepKind.PAIRWISE:
            for k in range(6):
                left, right = ids[(n + k) % len(ids)], ids[(n + 3 * k + 1) % len(ids)]
                if left != right:
                    vote_methods.cast_pairwise(
                        store, person, round_id, left, right, min(left, right)
                    )
        elif kind is StepKind.TWO_AXIS:
            for k, idea_id in enumerate(ids[:12]):  # each idea its own place on the plot
                impact, feasibility = 1 + k % 5, 1 + (3 * k + camp) % 5
                vote_methods.cast_scores(store, person, round_id, idea_id, impact, feasibility)
        elif kind is StepKind.RANKED:
            order = ids[n % 5 :] + ids[: n % 5]
            vote_methods.cast_ranking(store, person, round_id, order[:8])
        else:
            response = ("agree", "agree", "abstain", "concerns")[n % 4]
            reason = "Personalet skal have ordentlige vagter" if response == "concerns" else ""
            vote_methods.cast_consent(store, person, round_id, response, reason)


def report(table: list[dict[str, Any]]) -> None:
    """The measured table, printed and written to ``artifacts/projector_fit.md``."""
    lines = [
        "| state | size | scrollHeight / innerHeight | content ends at | smallest text"
        " | smallest chart text | lowest contrast | QR |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in table:
        qr = f"{row['qr']:.0%} of the height" if "qr" in row else ""
        chart = row["chartSmallest"]
        charted = f"{chart['px']:.1f} px ({chart['text'][:20]!r})" if row["charted"] else ""
        lines.append(
            f"| {row['state']} | {row['size']} | {row['scroll']} / {row['height']} px | "
            f"{row['bottom']:.0f} px | "
            f"{row['smallest']['px']:.1f} px ({row['smallest']['text'][:30]!r}) | {charted} | "
            f"{row['dullest']['contrast']:.2f}:1 | {qr} |"
        )
    text = "\n".join(lines)
    print("\n" + text)
    out = ROOT / "artifacts" / "projector_fit.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
