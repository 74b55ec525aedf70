"""The labelled idea set (tests/data/moderation_ideas.txt, synthetic) and how suggestions are
scored against it; shared by the tests and benchmarks/bench_moderation_suggestions.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workshop.meetings import suggestions

PATH = Path(__file__).resolve().parent / "data" / "moderation_ideas.txt"


@dataclass(frozen=True)
class LabelledIdea:
    lang: str
    theme: str
    group: str  # "" for an idea with no duplicate
    text: str


def load() -> list[LabelledIdea]:
    rows = []
    for line in PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, theme, group, text = line.split("|", 3)
            rows.append(LabelledIdea(lang, theme, group, text))
    return rows


def meetings() -> dict[str, list[LabelledIdea]]:
    """One meeting per language: a Danish and a Norwegian municipality's dialogue."""
    by_lang: dict[str, list[LabelledIdea]] = {}
    for idea in load():
        by_lang.setdefault(idea.lang, []).append(idea)
    return by_lang


def true_pairs(ideas: list[LabelledIdea]) -> set[tuple[int, int]]:
    return {
        (a, b)
        for a in range(len(ideas))
        for b in range(a + 1, len(ideas))
        if ideas[a].group and ideas[a].group == ideas[b].group
    }


def pair_scores(threshold: float = suggestions.DUPLICATE_THRESHOLD) -> tuple[float, float, int]:
    """Precision and recall of the suggested pairs over both meetings, and the true pairs."""
    suggested = right = truth = 0
    for ideas in meetings().values():
        groups = suggestions.duplicate_groups([i.text for i in ideas], threshold=threshold)
        pairs = suggestions.suggested_pairs(groups)
        expected = true_pairs(ideas)
        suggested += len(pairs)
        right += len(pairs & expected)
        truth += len(expected)
    return right / max(1, suggested), right / max(1, truth), truth
