"""Draws the wrap-up: one card per vote step with that step's own result (projector and phone).

What belongs to which step, and in what order, is decided by :mod:`workshop.voting.wrapup`;
this module only turns its lines into large type for the projector.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import streamlit as st

from workshop.i18n import numbers
from workshop.ui.i18n import current_language, t, tn
from workshop.ui.widgets import step_label
from workshop.voting.methods import VoteMethod
from workshop.voting.tallies import ConsentResponse, Id
from workshop.voting.wrapup import ResultLine, ResultState, StepResult

# Lines per card and cards per row, so that the slide fits a 1080p screen without scrolling:
# fewer lines when more steps share it; at most two rows of cards up to six vote steps. Each
# line may wrap once (the text is cut after two rows), so the sizes hold for the longest ideas.
LINES_BY_STEPS = {1: 6, 2: 6, 3: 5, 4: 4, 5: 3, 6: 3}
LINES_OTHERWISE = 2
COLUMNS_BY_STEPS = {1: 1, 2: 2, 4: 2}
COLUMNS_OTHERWISE = 3
# Type size: a meeting with one vote (most dialogue sessions) or two fills the slide with its
# result in larger type instead of leaving half of it empty (a fresh-eyes trial: "small on a
# 1920×1080 wall"). The card's sizes are in em of the grid's size.
SCALE_BY_STEPS = {1: 1.5, 2: 1.25}

CSS = """<style>
.sk-wrapup {display: grid; gap: 1rem; align-items: start; font-size: 1rem;}
.sk-result {background: #fff; border: 3px solid #0b6e4f; border-radius: .8rem;
            padding: .7rem 1.1rem; display: grid; gap: .35rem;}
.sk-result-head {display: flex; flex-wrap: wrap; column-gap: 1rem; align-items: baseline;
            justify-content: space-between;}
.sk-result-kind {font-size: 1.5em; font-weight: 800; color: #0b6e4f;}
.sk-result-prompt {font-size: 1.6em; font-weight: 700; color: #1a1a1a;}
.sk-result-meta {font-size: 1.5em; color: #333;}
.sk-result-line {font-size: 1.6em; line-height: 1.25; color: #1a1a1a;
            display: flex; flex-wrap: wrap; column-gap: .6rem; align-items: baseline;}
.sk-result-line .sk-rank {min-width: 1.125em;}
.sk-result-text {flex: 1; overflow-wrap: anywhere; display: -webkit-box;
            -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;}
.sk-result-figure {font-weight: 800; color: #0b6e4f; white-space: nowrap;}
.sk-result-detail {flex-basis: 100%; font-size: .9375em;  /* in a line: 1.5 of the grid */
            font-weight: 700; color: #0b5394;}
.sk-result-detail.indented {padding-left: 1.6em;}
.sk-result-outcome {font-size: 1.8em; line-height: 1.2; font-weight: 800; color: #0b6e4f;}
.sk-result-outcome.blocked {color: #b00020;}
.sk-result-empty {font-size: 1.6em; font-weight: 700; color: #7a4b00;}
</style>"""


def _figure(method: VoteMethod, line: ResultLine) -> str:
    if method is VoteMethod.DOT_VOTE:
        return tn("common.dots", int(line.value))
    if method is VoteMethod.STATEMENTS:
        return t("results.agree_share", share=round(line.value * 100))
    if method is VoteMethod.PAIRWISE:
        return t("wrapup.score", score=round(line.value))
    if method is VoteMethod.TWO_AXIS:
        lang = current_language()
        return t(
            "wrapup.axes",
            impact=numbers.decimal(line.value, lang, decimals=1),
            feasibility=numbers.decimal(line.value2 or 0, lang, decimals=1),
        )
    return ""  # a ranking: the place says it


def _line(method: VoteMethod, line: ResultLine, texts: Mapping[Id, str]) -> str:
    place = f'<span class="sk-rank">{line.place}.</span>' if line.place is not None else ""
    text = f'<span class="sk-result-text">{html.escape(texts.get(line.idea_id, ""))}</span>'
    figure = html.escape(_figure(method, line))
    if line.quadrant is not None or line.unites:
        # A second row under the idea: the quadrant and both means, or "unites the room".
        note = t(line.quadrant.label_key) if line.quadrant is not None else t("wrapup.unites")
        detail = f"{note} · {figure}" if figure and method is VoteMethod.TWO_AXIS else note
        indent = " indented" if place else ""
        after = (
            ""
            if method is VoteMethod.TWO_AXIS
            else f' <span class="sk-result-figure">{figure}</span>'
        )
        return (
            f'<div class="sk-result-line">{place} {text}{after} '
            f'<span class="sk-result-detail{indent}">{html.escape(detail)}</span></div>'
        )
    # Spaces between the parts: the line reads (and copies) as words, not "1.Stillerum3".
    return (
        f'<div class="sk-result-line">{place} {text} '
        f'<span class="sk-result-figure">{figure}</span></div>'
    )


def _consent(result: StepResult) -> str:
    consent = result.consent
    if consent is None:
        return ""
    outcome = "" if consent.passed else " blocked"
    counts = {
        ConsentResponse.AGREE: consent.agree,
        ConsentResponse.ABSTAIN: consent.abstain,
        ConsentResponse.CONCERNS: len(consent.concerns),
        ConsentResponse.BLOCK: len(consent.blocks),
    }
    tally = " · ".join(f"{t(r.label_key)} {n}" for r, n in counts.items() if n)
    reasons = "".join(
        f'<div class="sk-result-line"><span class="sk-result-text">'
        f"{html.escape(t(ConsentResponse.BLOCK.label_key))}: {html.escape(vote.reason)}"
        f"</span></div>"
        for vote in consent.blocks[:2]
    )
    return (
        f'<div class="sk-result-outcome{outcome}">{html.escape(t(consent.outcome_key))}</div>'
        f'<div class="sk-result-meta">{html.escape(tally)}</div>{reasons}'
    )


def _card(result: StepResult, texts: Mapping[Id, str], room: int) -> str:
    step = result.step
    kind = step_label(step)
    if result.round_number > 1:
        kind = f"{kind} · {t('wrapup.round', number=result.round_number)}"
    meta = ""
    if result.state is ResultState.SHOWN:
        meta = tn("wrapup.voters", result.voters)
        if result.opinion_groups:
            meta = f"{meta} · {tn('wrapup.groups', result.opinion_groups)}"
    parts = [
        f'<div class="sk-result-head"><span class="sk-result-kind">{html.escape(kind)}</span> '
        f'<span class="sk-result-meta">{html.escape(meta)}</span></div>'
    ]
    if step.prompt:
        parts.append(f'<div class="sk-result-prompt">{html.escape(step.prompt)}</div>')
    if result.state is not ResultState.SHOWN:
        parts.append(
            f'<div class="sk-result-empty">{html.escape(t(result.state.message_key))}</div>'
        )
    else:
        parts.append(_consent(result))
        parts += [_line(result.method, line, texts) for line in result.lines[:room]]
        if len(result.lines) > room:
            more = tn("wrapup.more", len(result.lines) - room)
            parts.append(f'<div class="sk-result-meta">{html.escape(more)}</div>')
    return f'<div class="sk-result" data-testid="wrapup-{step.kind.value}">{"".join(parts)}</div>'


# On a phone: one column of cards in the phone's own type size, the top lines of each step
# (the phone scrolls, the projector does not).
PHONE_LINES = 5
PHONE_CSS = """<style>
.sk-wrapup.phone {gap: .75rem;}
.sk-wrapup.phone .sk-result {border-width: 2px; padding: .6rem .8rem;}
.sk-wrapup.phone .sk-result-kind, .sk-wrapup.phone .sk-result-prompt {font-size: 1.05rem;}
.sk-wrapup.phone .sk-result-meta, .sk-wrapup.phone .sk-result-detail {font-size: .95rem;}
.sk-wrapup.phone .sk-result-line, .sk-wrapup.phone .sk-result-empty {font-size: 1rem;}
.sk-wrapup.phone .sk-result-outcome {font-size: 1.15rem;}
.sk-wrapup.phone .sk-result-text {-webkit-line-clamp: unset; display: block;}
</style>"""


def show_wrapup(
    results: Sequence[StepResult], texts: Mapping[Id, str], *, phone: bool = False
) -> None:
    """One card per vote step, in agenda order, each with its own result: on the projector
    sized to fit one screen, on a ``phone`` in one column under a heading."""
    if phone:
        st.markdown(f"**{t('participate.results_title')}**")
        cards = "".join(_card(result, texts, PHONE_LINES) for result in results)
        st.html(
            f'{CSS}{PHONE_CSS}<div class="sk-wrapup phone" data-testid="phone-wrapup">{cards}</div>'
        )
        return
    room = LINES_BY_STEPS.get(len(results), LINES_OTHERWISE)
    columns = COLUMNS_BY_STEPS.get(len(results), COLUMNS_OTHERWISE)
    cards = "".join(_card(result, texts, room) for result in results)
    scale = SCALE_BY_STEPS.get(len(results), 1)
    grid = f"grid-template-columns: repeat({columns}, minmax(0, 1fr)); font-size: {scale}rem;"
    st.html(
        f'{CSS}<div class="sk-wrapup" style="{grid}" data-testid="projector-wrapup">{cards}</div>'
    )
