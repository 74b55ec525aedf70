"""A one-page PDF brief for a mayor: headline numbers, top ideas, decisions, and values
expected against realised beside the national Innovationsbarometer. Made with fpdf2.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core), which has æ, ø, å and the dashes
and arrows we use. Without it the brief falls back to Helvetica with Latin-1 text, which
still has æ ø å. Demo data is marked DEMO in red at the top.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from workshop import barometer, workers
from workshop.barometer import CORE_VALUES
from workshop.db import Store
from workshop.i18n import translate, translate_count
from workshop.reports.summary import Summary, get_summary

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
MAX_IDEAS = 5
MAX_RECOMMENDATIONS = 6
PAGE_W, MARGIN = 210.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
INK = (33, 37, 41)
MUTED = (108, 117, 125)
GREEN = (11, 110, 79)
LIGHT_GREEN = (163, 211, 190)
RED = (200, 35, 51)
NATIONAL = (228, 87, 86)


def _font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


def _pct(share: Any) -> str:
    return (
        "–" if share is None or (isinstance(share, float) and math.isnan(share)) else f"{share:.0%}"
    )


class _Brief(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.lang = lang
        self.set_auto_page_break(False)
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
        return replaced.encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.set_text_color(*colour)

    def fit(self, text: str, width: float) -> str:
        text = self.text_ok(" ".join(text.split()))
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + self.text_ok("…")

    def line_text(self, text: str, width: float, height: float, *, align: str = "L") -> None:
        self.cell(width, height, self.fit(text, width), align=align)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.font(11.5, bold=True, colour=GREEN)
        self.cell(CONTENT_W, 6.5, self.text_ok(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*GREEN)
        self.set_line_width(0.3)
        self.line(MARGIN, self.get_y(), MARGIN + CONTENT_W, self.get_y())
        self.ln(1.5)


def build_brief(summary: Summary, lang: str, *, generated_on: date | None = None) -> bytes:
    """The one-page brief of ``summary`` in ``lang``, as PDF bytes."""
    generated_on = generated_on or date.today()
    pdf = _Brief(lang)
    t = pdf.t

    # -- title --------------------------------------------------------------------------------
    pdf.font(9, colour=MUTED)
    pdf.cell(
        CONTENT_W,
        5,
        pdf.text_ok(t("brief.kicker", date=generated_on.isoformat())),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    title = summary.title or t("brief.all_committees")
    if summary.is_demo:
        pdf.font(10, bold=True, colour=(255, 255, 255))
        pdf.set_fill_color(*RED)
        label = pdf.text_ok(t("brief.demo"))
        width = pdf.get_string_width(label) + 6
        pdf.cell(width, 6, label, fill=True, align="C")
        pdf.cell(3, 6, "")
        pdf.font(18, bold=True)
        pdf.line_text(title, CONTENT_W - width - 3, 9)
        pdf.ln(9)
    else:
        pdf.font(18, bold=True)
        pdf.line_text(title, CONTENT_W, 9)
        pdf.ln(9)
    if summary.is_demo:
        pdf.font(8.5, colour=RED)
        pdf.cell(
            CONTENT_W, 4.5, pdf.text_ok(t("brief.demo_note")), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    # -- headline numbers ---------------------------------------------------------------------
    counts = summary.counts
    adopted = summary.decisions.get("adopted", 0) + summary.decisions.get("adopted_with_changes", 0)
    boxes = [
        (counts["people"], t("brief.people")),
        (counts["ideas"], t("brief.ideas")),
        (counts["votes"], t("brief.votes")),
        (f"{adopted}/{len(summary.recommendations)}", t("brief.adopted")),
        (len(summary.outcomes), t("brief.outcomes")),
    ]
    pdf.ln(3)
    gap = 3.0
    box_w = (CONTENT_W - gap * (len(boxes) - 1)) / len(boxes)
    top = pdf.get_y()
    for index, (number, caption) in enumerate(boxes):
        x = MARGIN + index * (box_w + gap)
        pdf.set_fill_color(241, 247, 244)
        pdf.rect(x, top, box_w, 20, style="F")
        pdf.set_xy(x, top + 2)
        pdf.font(17, bold=True, colour=GREEN)
        pdf.cell(
            box_w,
            9,
            pdf.text_ok(
                f"{number:,}".replace(",", ".") if isinstance(number, int) else str(number)
            ),
            align="C",
        )
        pdf.set_xy(x + 1, top + 11.5)
        pdf.font(8, colour=MUTED)
        # Captions may take two lines ("recommendations adopted" does not fit one box).
        pdf.multi_cell(box_w - 2, 3.6, pdf.text_ok(caption), align="C", max_line_height=3.6)
    pdf.set_xy(MARGIN, top + 21)

    # -- top ideas ----------------------------------------------------------------------------
    pdf.heading(t("brief.top_ideas"))
    ideas = summary.top_ideas.head(MAX_IDEAS)
    if ideas.empty:
        pdf.font(9.5, colour=MUTED)
        pdf.cell(
            CONTENT_W, 5.5, pdf.text_ok(t("brief.no_ideas")), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    for rank, row in enumerate(ideas.to_dict("records"), start=1):
        pdf.font(9.5, bold=True)
        pdf.cell(7, 5.5, f"{rank}.")
        pdf.font(9.5)
        pdf.line_text(str(row["text"]), CONTENT_W - 7 - 24, 5.5)
        pdf.font(9.5, bold=True, colour=GREEN)
        pdf.cell(
            24,
            5.5,
            pdf.text_ok(translate_count(lang, "brief.dots", int(row["dots"]))),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    if summary.consensus is not None and not summary.consensus.empty:
        pdf.font(9, bold=True, colour=MUTED)
        pdf.cell(CONTENT_W, 5, pdf.text_ok(t("brief.unites")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for row in summary.consensus.head(2).to_dict("records"):
            pdf.font(9)
            pdf.line_text(f"“{row['text']}” – {_pct(row['share'])}", CONTENT_W, 5)
            pdf.ln(5)

    # -- recommendations and decisions --------------------------------------------------------
    pdf.heading(t("brief.decisions"))
    recommendations = summary.recommendations
    if recommendations.empty:
        pdf.font(9.5, colour=MUTED)
        pdf.cell(
            CONTENT_W,
            5.5,
            pdf.text_ok(t("brief.no_recommendations")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    for row in recommendations.head(MAX_RECOMMENDATIONS).to_dict("records"):
        decision = row["council"] if isinstance(row["council"], str) else row["standing_committee"]
        body = "council" if isinstance(row["council"], str) else "standing_committee"
        status = (
            t(f"outcomes.decision.{decision}") + " · " + t(f"outcomes.body.{body}")
            if isinstance(decision, str)
            else t("outcomes.decision.pending")
        )
        adopted_row = decision in ("adopted", "adopted_with_changes") and body == "council"
        pdf.font(9.5)
        pdf.line_text(str(row["title"]), CONTENT_W - 82, 5.5)
        pdf.font(9, bold=adopted_row, colour=GREEN if adopted_row else MUTED)
        pdf.line_text(status, 82, 5.5, align="R")
        pdf.ln(5.5)
    hidden = len(recommendations) - MAX_RECOMMENDATIONS
    if hidden > 0:
        pdf.font(8.5, colour=MUTED)
        pdf.cell(
            CONTENT_W,
            4.5,
            pdf.text_ok(t("brief.more", count=hidden)),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    # -- values expected vs realised ----------------------------------------------------------
    pdf.heading(t("brief.values"))
    shares = summary.value_shares.set_index(["value", "stage"])
    n_expected = int(shares["n"].xs("expected", level="stage").max()) if len(shares) else 0
    n_realised = int(shares["n"].xs("realised", level="stage").max()) if len(shares) else 0
    pdf.font(8.5, colour=MUTED)
    pdf.multi_cell(
        CONTENT_W,
        4.2,
        pdf.text_ok(t("brief.values_legend", expected=n_expected, realised=n_realised)),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    label_w, bar_w = 62.0, CONTENT_W - 62.0 - 22.0
    for value in CORE_VALUES:
        y = pdf.get_y() + 0.5
        pdf.font(9.5)
        pdf.line_text(barometer.label(value, lang, short=True), label_w, 9)
        for offset, stage, colour in ((0.6, "expected", LIGHT_GREEN), (4.8, "realised", GREEN)):
            share = (
                float(shares.at[(value.value, stage), "share"])  # type: ignore[arg-type]
                if (value.value, stage) in shares.index
                else math.nan
            )
            pdf.set_fill_color(236, 239, 241)
            pdf.rect(MARGIN + label_w, y + offset, bar_w, 3.4, style="F")
            if not math.isnan(share) and share > 0:
                pdf.set_fill_color(*colour)
                pdf.rect(MARGIN + label_w, y + offset, bar_w * share, 3.4, style="F")
            pdf.set_xy(MARGIN + label_w + bar_w + 1, y + offset - 0.6)
            pdf.font(8, bold=stage == "realised", colour=INK if stage == "realised" else MUTED)
            pdf.cell(21, 4.4, _pct(share), align="R")
        pdf.set_xy(MARGIN, y + 9.5)
    pdf.set_fill_color(*LIGHT_GREEN)
    pdf.rect(MARGIN + label_w, pdf.get_y() + 1.2, 3, 3, style="F")
    pdf.set_xy(MARGIN + label_w + 4, pdf.get_y())
    pdf.font(8, colour=MUTED)
    pdf.cell(30, 5.4, pdf.text_ok(t("barometer.stage.expected")))
    pdf.set_fill_color(*GREEN)
    pdf.rect(pdf.get_x(), pdf.get_y() + 1.2, 3, 3, style="F")
    pdf.set_x(pdf.get_x() + 4)
    pdf.cell(
        30, 5.4, pdf.text_ok(t("barometer.stage.realised")), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )

    # -- beside the national barometer --------------------------------------------------------
    pdf.heading(t("brief.national"))
    for row in summary.comparison.head(2).to_dict("records"):
        ours = (
            t("brief.ours_none")
            if row["our_n"] == 0
            else t(
                "brief.ours",
                share=_pct(row["our_share"]),
                count=int(row["our_count"]),
                n=int(row["our_n"]),
            )
        )
        pdf.font(9)
        pdf.line_text(t(row["row_key"]), 102, 5.5)
        pdf.font(9, bold=True, colour=GREEN)
        pdf.line_text(ours, 48, 5.5, align="R")
        pdf.font(9, bold=True, colour=NATIONAL)
        pdf.line_text(
            t("brief.national_figure", share=_pct(row["national_share"])),
            CONTENT_W - 150,
            5.5,
            align="R",
        )
        pdf.ln(5.5)
    if len(summary.comparison):
        first = summary.comparison.iloc[0]
        small = bool(summary.comparison["small_n"].head(2).all())
        pdf.font(8.5, colour=MUTED)
        note = t(
            "brief.national_source",
            edition=first["edition"],
            period=first["period"],
            n=barometer.format_count(int(first["national_n"]), lang),
        )
        if small:
            note += " " + t("brief.small_n", min_n=int(first["min_n"]))
        pdf.multi_cell(
            CONTENT_W, 4.2, pdf.text_ok(note), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    # -- follow-up ----------------------------------------------------------------------------
    reviews = summary.reviews
    overdue = int((reviews["state"] == "overdue").sum()) if len(reviews) else 0
    due = int((reviews["state"] == "due").sum()) if len(reviews) else 0
    pdf.heading(t("brief.follow_up"))
    pdf.font(9.5, bold=overdue > 0, colour=RED if overdue else INK)
    pdf.cell(
        CONTENT_W,
        5.5,
        pdf.text_ok(t("brief.reviews", overdue=overdue, due=due)),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    promises = summary.agreements
    feedback = (
        f"{summary.feedback_given / summary.feedback_ideas:.0%}" if summary.feedback_ideas else "–"
    )
    pdf.font(
        9.5, bold=bool(promises.get("overdue")), colour=RED if promises.get("overdue") else INK
    )
    pdf.cell(
        CONTENT_W,
        5.5,
        pdf.text_ok(
            t(
                "brief.commitments",
                overdue=promises.get("overdue", 0),
                done=promises.get("done", 0),
                total=promises.get("commitments", 0),
                feedback=feedback,
            )
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    # -- footer -------------------------------------------------------------------------------
    pdf.set_xy(MARGIN, 297 - MARGIN - 5)
    pdf.font(7.5, colour=MUTED)
    pdf.line_text(t("brief.footer"), CONTENT_W, 5)
    return bytes(pdf.output())


def brief_file(store: Store, committee_id: int | None, lang: str) -> bytes:
    """The brief of one committee (or all) as PDF bytes, built in a worker process
    (``workshop.workers``): laying out a PDF is Python work that would hold the GIL."""
    return workers.run(build_brief_of, store, committee_id, lang)


def build_brief_of(store: Store, committee_id: int | None, lang: str) -> bytes:
    """Build the brief here (use :func:`brief_file`)."""
    return build_brief(get_summary(store, committee_id), lang)
