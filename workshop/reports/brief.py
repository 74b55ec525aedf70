"""A PDF brief for a mayor: headline numbers, top ideas, decisions at both levels with their
reasons and amendments, and values expected against realised beside the national
Innovationsbarometer. Made with fpdf2.

No text is ever cut: every text wraps onto as many lines as it needs, and the brief goes on to
a second page rather than drop a row (a usual committee fits on one page). Dates and numbers are
written in the reader's style (``workshop.i18n.formats``).

Text is set in DejaVu Sans (Debian's fonts-dejavu-core), which has æ, ø, å and the dashes
and arrows we use. Without it the brief falls back to Helvetica with Latin-1 text, which
still has æ ø å, and still wraps rather than cuts. Demo data is marked DEMO in red at the top.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from workshop import barometer, workers
from workshop.db import Store
from workshop.i18n import formats, translate, translate_count
from workshop.reports.summary import Summary, get_summary

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
MAX_IDEAS = 5
MAX_RECOMMENDATIONS = 6
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 15.0
FOOTER_H = 10.0
CONTENT_W = PAGE_W - 2 * MARGIN
# Every colour text is written in reaches 4.5:1 (WCAG 2.1 AA) on white and on BOX, the headline
# boxes' fill (tests/test_council_documents.py computes it): the national figure is a dark red,
# not the charts' #E45756 (3.6:1).
INK = (33, 37, 41)
MUTED = (100, 108, 116)
GREEN = (11, 110, 79)
RED = (200, 35, 51)
NATIONAL = (184, 45, 44)
BOX = (241, 247, 244)
# Runs of ordinary white space; a no-break space (U+00A0, U+202F) inside "29 %" or "10 000" is
# kept, so the wrapping never puts "%" or "000" at the start of a line.
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _pct(share: Any, lang: str) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return formats.percent(float(share), lang, decimals=0)


def _sentence(text: str) -> str:
    """``text`` starting with a capital, as the first word of a line."""
    return text[:1].upper() + text[1:]


class _Brief(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.set_auto_page_break(True, margin=MARGIN + FOOTER_H)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        fonts = _font_files()
        if fonts:
            self.add_font("Body", "", str(fonts[0]))
            self.add_font("Body", "B", str(fonts[1]))
            self.family_name, self.unicode = "Body", True
        else:
            self.family_name, self.unicode = "Helvetica", False
        self.add_page()

    def t(self, key: str, **params: object) -> str:
        return translate(self.lang, key, **params)

    def text_ok(self, text: str) -> str:
        if self.unicode:
            return text
        replaced = text.replace("–", "-").replace("…", "...").replace("≥", ">=").replace("·", "-")
        replaced = replaced.replace("\u202f", "\xa0")  # Latin-1 has only the wide no-break space
        replaced = replaced.replace("“", '"').replace("”", '"')
        return replaced.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*colour)

    def footer(self) -> None:
        """On every page: where the numbers come from (wrapped, never cut) and the page."""
        self.set_xy(MARGIN, PAGE_H - MARGIN - FOOTER_H + 2)
        self.font(7.5, colour=MUTED)
        top = self.get_y()
        self.multi_cell(CONTENT_W - 18, 3.6, self.clean(translate(self.lang, "brief.footer")))
        self.set_xy(MARGIN + CONTENT_W - 18, top)
        self.cell(
            18,
            3.6,
            self.text_ok(translate(self.lang, "brief.page", page=self.page_no())),
            align="R",
        )

    def clean(self, text: str) -> str:
        return self.text_ok(_SPACES.sub(" ", str(text)).strip())

    def lines(self, text: str, width: float) -> int:
        """How many lines ``text`` takes at ``width`` in the current font."""
        found = self.multi_cell(
            width, 1, self.clean(text), dry_run=True, output=MethodReturnValue.LINES
        )
        assert isinstance(found, list)
        return max(1, len(found))

    def keep(self, height: float) -> None:
        """Start a new page when ``height`` does not fit on this one (a row is never split)."""
        if self.get_y() + height > PAGE_H - MARGIN - FOOTER_H:
            self.add_page()

    def para(self, text: str, width: float, height: float, *, align: str = "L") -> float:
        """``text`` wrapped at ``width`` from the current position; returns the height used."""
        x, y = self.get_x(), self.get_y()
        self.multi_cell(width, height, self.clean(text), align=align)
        used = self.get_y() - y
        self.set_xy(x + width, y)
        return used

    def columns(
        self, parts: list[tuple[str, float, float, bool, tuple[int, int, int], str]], height: float
    ) -> None:
        """One row of side-by-side wrapped texts (text, width, size, bold, colour, align); the
        row is as tall as its tallest text and moves to the next page whole."""
        needed = 0
        for text, width, size, bold, colour, _align in parts:
            self.font(size, bold=bold, colour=colour)
            needed = max(needed, self.lines(text, width))
        self.keep(needed * height)
        top = self.get_y()
        self.set_x(MARGIN)
        for text, width, size, bold, colour, align in parts:
            self.font(size, bold=bold, colour=colour)
            self.para(text, width, height, align=align)
        self.set_xy(MARGIN, top + needed * height)

    def text_block(
        self,
        text: str,
        size: float,
        height: float,
        *,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        indent: float = 0.0,
    ) -> None:
        """A paragraph across the page (less ``indent``), wrapped, never cut."""
        self.font(size, bold=bold, colour=colour)
        self.keep(self.lines(text, CONTENT_W - indent) * height)
        self.set_x(MARGIN + indent)
        self.multi_cell(
            CONTENT_W - indent,
            height,
            self.clean(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def heading(self, text: str) -> None:
        self.keep(3 + 6.5 + 1.5 + 11)  # a heading stays with its first row
        self.ln(3)
        self.font(11.5, bold=True, colour=GREEN)
        self.multi_cell(CONTENT_W, 6.5, self.clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*GREEN)
        self.set_line_width(0.3)
        self.line(MARGIN, self.get_y(), MARGIN + CONTENT_W, self.get_y())
        self.ln(1.5)


def build_brief(summary: Summary, lang: str, *, generated_on: date | None = None) -> bytes:
    """The brief of ``summary`` in ``lang``, as PDF bytes (one page for a usual committee)."""
    generated_on = generated_on or formats.today()
    pdf = _Brief(lang)
    t = pdf.t

    # -- title --------------------------------------------------------------------------------
    pdf.text_block(
        t("brief.kicker", date=formats.date_text(generated_on, lang)), 9, 5, colour=MUTED
    )
    title = summary.title or t("brief.all_committees")
    if summary.is_demo:
        pdf.font(10, bold=True, colour=(255, 255, 255))
        pdf.set_fill_color(*RED)
        label = pdf.text_ok(t("brief.demo"))
        width = pdf.get_string_width(label) + 6
        top = pdf.get_y()
        pdf.cell(width, 6, label, fill=True, align="C")
        pdf.set_xy(MARGIN + width + 3, top)
        pdf.font(18, bold=True)
        pdf.multi_cell(
            CONTENT_W - width - 3,
            8,
            pdf.clean(title),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.text_block(t("brief.demo_note"), 8.5, 4.5, colour=RED)
    else:
        pdf.text_block(title, 18, 8, bold=True)

    # -- headline numbers ---------------------------------------------------------------------
    counts = summary.counts
    adopted = summary.decisions.get("adopted", 0) + summary.decisions.get("adopted_with_changes", 0)
    boxes = [
        (formats.number(counts["people"], lang), t("brief.people")),
        (formats.number(counts["ideas"], lang), t("brief.ideas")),
        (formats.number(counts["votes"], lang), t("brief.votes")),
        (f"{adopted}/{len(summary.recommendations)}", t("brief.adopted")),
        (formats.number(len(summary.outcomes), lang), t("brief.outcomes")),
    ]
    pdf.ln(3)
    gap = 3.0
    box_w = (CONTENT_W - gap * (len(boxes) - 1)) / len(boxes)
    pdf.font(8)
    caption_lines = max(pdf.lines(caption, box_w - 2) for _, caption in boxes)
    box_h = 12.5 + 3.6 * caption_lines
    top = pdf.get_y()
    for index, (number, caption) in enumerate(boxes):
        x = MARGIN + index * (box_w + gap)
        pdf.set_fill_color(*BOX)
        pdf.rect(x, top, box_w, box_h, style="F")
        pdf.set_xy(x, top + 2)
        pdf.font(17, bold=True, colour=GREEN)
        pdf.cell(box_w, 9, pdf.text_ok(number), align="C")
        pdf.set_xy(x + 1, top + 11.5)
        pdf.font(8, colour=MUTED)
        pdf.multi_cell(box_w - 2, 3.6, pdf.clean(caption), align="C")
    pdf.set_xy(MARGIN, top + box_h + 1)

    # -- top ideas ----------------------------------------------------------------------------
    pdf.heading(t("brief.top_ideas"))
    ideas = summary.top_ideas.head(MAX_IDEAS)
    if ideas.empty:
        pdf.text_block(t("brief.no_ideas"), 9.5, 5.5, colour=MUTED)
    for rank, row in enumerate(ideas.to_dict("records"), start=1):
        pdf.columns(
            [
                (f"{rank}.", 7, 9.5, True, INK, "L"),
                (str(row["text"]), CONTENT_W - 7 - 26, 9.5, False, INK, "L"),
                (translate_count(lang, "brief.dots", int(row["dots"])), 26, 9.5, True, GREEN, "R"),
            ],
            4.9,
        )
    if summary.consensus is not None and not summary.consensus.empty:
        pdf.text_block(t("brief.unites"), 9, 5, bold=True, colour=MUTED)
        for row in summary.consensus.head(2).to_dict("records"):
            pdf.text_block(f"“{row['text']}” – {_pct(row['share'], lang)}", 9, 5)

    # -- recommendations and decisions, both levels with reasons and amendments ---------------
    pdf.heading(t("brief.decisions"))
    recommendations = summary.recommendations
    if recommendations.empty:
        pdf.text_block(t("brief.no_recommendations"), 9.5, 5.5, colour=MUTED)
    for row in recommendations.head(MAX_RECOMMENDATIONS).to_dict("records"):
        decision = row["council"] if isinstance(row["council"], str) else row["standing_committee"]
        body = "council" if isinstance(row["council"], str) else "standing_committee"
        status = (
            t(f"outcomes.decision.{decision}") + " · " + t(f"outcomes.body.{body}")
            if isinstance(decision, str)
            else t("outcomes.decision.pending")
        )
        adopted_row = decision in ("adopted", "adopted_with_changes") and body == "council"
        pdf.columns(
            [
                (str(row["title"]), CONTENT_W - 84, 9.5, True, INK, "L"),
                (status, 84, 9, adopted_row, GREEN if adopted_row else MUTED, "R"),
            ],
            5.2,
        )
        for level in ("standing_committee", "council"):
            reason = row.get(f"{level}_rationale") or ""
            if isinstance(row[level], str) and reason:
                pdf.text_block(
                    t(
                        "brief.decided_reason",
                        body=_sentence(t(f"decision.body.{level}")),
                        outcome=t(f"outcomes.decision.{row[level]}"),
                        reason=reason,
                    ),
                    8.5,
                    4.4,
                    colour=MUTED,
                    indent=5,
                )
    hidden = len(recommendations) - MAX_RECOMMENDATIONS
    if hidden > 0:
        pdf.text_block(t("brief.more", count=hidden), 8.5, 4.5, colour=MUTED)

    # -- every value: expected, realised, and the national figure ----------------------------
    pdf.heading(t("brief.values_national"))
    shares = summary.value_shares.set_index(["value", "stage"])
    n_expected = int(shares["n"].xs("expected", level="stage").max()) if len(shares) else 0
    n_realised = int(shares["n"].xs("realised", level="stage").max()) if len(shares) else 0
    pdf.text_block(
        t("brief.values_legend", expected=n_expected, realised=n_realised),
        8.5,
        4.2,
        colour=MUTED,
    )
    widths = (46.0, 18.0, 28.0, CONTENT_W - 92.0)
    pdf.columns(
        [
            (t(f"brief.col.{name}"), width, 8, True, MUTED, "L")
            for name, width in zip(
                ("value", "expected", "realised", "national"), widths, strict=True
            )
        ],
        4.2,
    )
    national = barometer.national_by_value_frame(summary.outcomes_records, lang)
    for row in national.to_dict("records"):
        expected = (
            float(shares.at[(row["value"], "expected"), "share"])  # type: ignore[arg-type]
            if (row["value"], "expected") in shares.index
            else math.nan
        )
        realised = (
            t(
                "national.ours_short",
                count=row["our_count"],
                n=row["our_n"],
                share=_pct(row["our_share"], lang),
            )
            if row["our_n"]
            else "–"
        )
        pdf.set_draw_color(222, 226, 230)
        pdf.set_line_width(0.1)
        pdf.line(MARGIN, pdf.get_y() + 0.3, MARGIN + CONTENT_W, pdf.get_y() + 0.3)
        pdf.ln(0.8)
        pdf.columns(
            [
                (row["label"], widths[0], 8.5, True, INK, "L"),
                (_pct(expected, lang), widths[1], 8.5, False, MUTED, "L"),
                (realised, widths[2], 8.5, True, GREEN, "L"),
                (
                    row["national"],
                    widths[3],
                    8.5,
                    False,
                    NATIONAL if row["has_figure"] else MUTED,
                    "L",
                ),
            ],
            4.1,
        )
    note = t("national.source")
    if len(summary.comparison) and bool(summary.comparison["small_n"].head(2).all()):
        note += " " + t("brief.small_n", min_n=int(summary.comparison.iloc[0]["min_n"]))
    pdf.ln(0.8)
    pdf.text_block(note, 8, 3.8, colour=MUTED)

    # -- follow-up ----------------------------------------------------------------------------
    reviews = summary.reviews
    overdue = int((reviews["state"] == "overdue").sum()) if len(reviews) else 0
    due = int((reviews["state"] == "due").sum()) if len(reviews) else 0
    pdf.heading(t("brief.follow_up"))
    pdf.text_block(
        t("brief.reviews", overdue=overdue, due=due),
        9.5,
        5.5,
        bold=overdue > 0,
        colour=RED if overdue else INK,
    )
    promises = summary.agreements
    feedback = (
        _pct(summary.feedback_given / summary.feedback_ideas, lang)
        if summary.feedback_ideas
        else "–"
    )
    pdf.text_block(
        t(
            "brief.commitments",
            overdue=promises.get("overdue", 0),
            done=promises.get("done", 0),
            total=promises.get("commitments", 0),
            feedback=feedback,
        ),
        9.5,
        5.5,
        bold=bool(promises.get("overdue")),
        colour=RED if promises.get("overdue") else INK,
    )
    return bytes(pdf.output())


def brief_file(store: Store, committee_id: int | None, lang: str) -> bytes:
    """The brief of one committee (or all) as PDF bytes: from the summary this process has
    cached (``get_summary``), laid out in a worker process (``workshop.workers``), because
    laying out a PDF is Python work that would hold the GIL every phone's poll needs."""
    return workers.compute(build_brief, get_summary(store, committee_id), lang)
