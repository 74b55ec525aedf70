"""Suggestions for the facilitator: likely duplicate groups and themes (pure; no database).

Duplicates: character n-gram TF-IDF with cosine similarity (scikit-learn, no model to
download, no service to call), on text normalised for Danish, Norwegian and English: case
and accents folded, punctuation and filler words ("tak", "please", "vi", "skal") dropped, so
that "Flere bænke i skyggen!" and "flere bænke i skyggen tak" are the same text. Two ideas
are suggested as duplicates when their similarity reaches ``threshold``; a group is a set of
ideas every two of which are that close (complete linkage: no long chains through "bænke"
to "bænke med ryglæn"). Measured on ``tests/data/moderation_ideas.txt`` by
``benchmarks/bench_moderation_suggestions.py``.

Themes: k-means on word TF-IDF (words cut to a stem), each theme named by its most telling
words; the facilitator renames, edits and accepts.

Text in a language the normaliser does not know is compared as it is (case-folded); an idea
with nothing left after normalisation (only emoji, only filler) is never suggested.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import (
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)

DUPLICATE_THRESHOLD = 0.47
MIN_CHARS = 3  # fewer letters left after normalisation: nothing to compare
_BLOCK = 512  # rows of the similarity matrix computed at once (memory stays small)

# Words that carry no meaning of their own in an idea, in Danish, Norwegian and English.
FILLER = frozenset(
    (
        "tak",
        "takk",
        "please",
        "thanks",
        "thank",
        "pls",
        "plz",
        "vi",
        "we",
        "jeg",
        "eg",
        "i",
        "du",
        "man",
        "de",
        "dem",
        "the",
        "a",
        "an",
        "en",
        "et",
        "ei",
        "og",
        "and",
        "or",
        "eller",
        "skal",
        "skulle",
        "må",
        "maa",
        "bør",
        "should",
        "must",
        "need",
        "needs",
        "ville",
        "vil",
        "will",
        "would",
        "can",
        "kan",
        "kunne",
        "være",
        "vaere",
        "er",
        "is",
        "are",
        "be",
        "have",
        "har",
        "has",
        "had",
        "få",
        "faa",
        "der",
        "det",
        "den",
        "that",
        "this",
        "it",
        "til",
        "for",
        "of",
        "to",
        "at",
        "af",
        "av",
        "på",
        "paa",
        "in",
        "on",
        "by",
        "ved",
        "med",
        "with",
        "gerne",
        "gjerne",
        "venligst",
        "vennligst",
        "rigtig",
        "virkelig",
        "very",
        "really",
        "meget",
        "mye",
        "much",
    )
)
_FOLD = str.maketrans(
    {"é": "e", "è": "e", "ê": "e", "ó": "o", "ô": "o", "ü": "u", "ä": "æ", "ö": "ø"}
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_STEM_SUFFIXES = sorted(
    {"ernes", "erne", "ene", "ets", "ens", "ers", "er", "en", "et", "ne", "e", "s"},
    key=len,
    reverse=True,
)


def normalise(text: str) -> str:
    """Text as the comparison sees it: folded case and accents, words only, no filler."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    text = text.replace("aa", "å")
    words = [w for w in _NON_WORD.sub(" ", text).split() if w not in FILLER]
    return " ".join(words)


def stem(word: str) -> str:
    """A crude Scandinavian stem: the common plural and definite endings cut off."""
    for suffix in _STEM_SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def comparable(texts: Sequence[str]) -> list[str]:
    return [normalise(t) for t in texts]


_HASHER = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(2, 4),
    n_features=2**20,
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)
_counts_cache: OrderedDict[str, sparse.csr_matrix] = OrderedDict()
_COUNTS_KEPT = 50_000
_counts_lock = threading.Lock()


def _counts(texts: Sequence[str]) -> sparse.csr_matrix:
    """The n-gram counts of each text; a text seen before is not cut into n-grams again (as
    ideas arrive, each recomputation only reads the new ones)."""
    with _counts_lock:
        known = {t: _counts_cache[t] for t in texts if t in _counts_cache}
    new = list(dict.fromkeys(t for t in texts if t not in known))
    if new:
        fresh = _HASHER.transform(new)
        rows = {t: fresh.getrow(i) for i, t in enumerate(new)}
        known.update(rows)
        with _counts_lock:
            _counts_cache.update(rows)
            while len(_counts_cache) > _COUNTS_KEPT:
                _counts_cache.popitem(last=False)
    return sparse.vstack([known[t] for t in texts], format="csr")


def similarity(texts: Sequence[str], *, threshold: float) -> sparse.csr_matrix:
    """The cosine similarities of ``texts`` that reach ``threshold`` (upper triangle).

    TF-IDF of character 2-4-grams within words (sublinear counts, smoothed IDF, as
    scikit-learn's TfidfVectorizer computes it), then the products of each block of rows
    with the rows after it only: half the work of the full matrix.
    """
    normal = comparable(texts)
    usable = [i for i, t in enumerate(normal) if len(t.replace(" ", "")) >= MIN_CHARS]
    n = len(texts)
    if len(usable) < 2:
        return sparse.csr_matrix((n, n), dtype=np.float32)
    counts = _counts([normal[i] for i in usable])
    vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32)
    vectors = vectors.tocsr()
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    values: list[np.ndarray] = []
    transposed = vectors.T.tocsc()
    index = np.asarray(usable)
    for start in range(0, len(usable), _BLOCK):
        block = (vectors[start : start + _BLOCK] @ transposed[:, start:]).toarray()
        r, c = np.nonzero(block >= threshold)
        keep = r < c  # c counts from ``start``: the upper triangle without the diagonal
        rows.append(index[start + r[keep]])
        cols.append(index[start + c[keep]])
        values.append(block[r[keep], c[keep]])
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )


@dataclass(frozen=True)
class DuplicateGroup:
    """Ideas (positions in the input, oldest first) that likely say the same; ``members[0]``
    is the one to keep, ``score`` the lowest similarity between two members."""

    members: tuple[int, ...]
    score: float


def duplicate_groups(
    texts: Sequence[str], *, threshold: float = DUPLICATE_THRESHOLD
) -> list[DuplicateGroup]:
    """Likely duplicate groups among ``texts`` (oldest first), largest first.

    Complete linkage: every two members of a group are at least ``threshold`` alike, so a
    group never chains from "flere bænke" through "bænke ved søen" to "flere skraldespande
    ved søen". Such a group lies inside one connected part of the graph of close pairs, so
    only those parts (small, even at 3,000 ideas) are clustered.
    """
    close = similarity(texts, threshold=threshold)
    _, labels = connected_components(close, directed=False)
    parts: dict[int, list[int]] = {}
    for position, label in enumerate(labels.tolist()):
        parts.setdefault(label, []).append(position)
    full = (close + close.T).tocsr()
    groups = []
    for members in parts.values():
        if len(members) < 2:
            continue
        if len(members) == 2:
            clusters = [members]
        else:
            alike = full[members][:, members].toarray()
            distance = np.clip(1.0 - alike, 0.0, 1.0).astype(np.float64)
            np.fill_diagonal(distance, 0.0)
            tree = linkage(squareform(distance, checks=False), method="complete")
            cut = fcluster(tree, 1.0 - threshold + 1e-9, criterion="distance")
            by_cut: dict[int, list[int]] = {}
            for member, label in zip(members, cut.tolist(), strict=True):
                by_cut.setdefault(label, []).append(member)
            clusters = [c for c in by_cut.values() if len(c) > 1]
        for cluster in clusters:
            cluster.sort()
            inner = full[cluster][:, cluster].toarray()
            score = inner[np.triu_indices(len(cluster), 1)].min()
            groups.append(DuplicateGroup(tuple(cluster), float(score)))
    return sorted(groups, key=lambda g: (-len(g.members), g.members[0]))


def suggested_pairs(groups: Sequence[DuplicateGroup]) -> set[tuple[int, int]]:
    """Every pair of ideas put in the same group (what the benchmark scores)."""
    pairs = set()
    for group in groups:
        for a in group.members:
            for b in group.members:
                if a < b:
                    pairs.add((a, b))
    return pairs


@dataclass(frozen=True)
class ThemeSuggestion:
    name: str  # the most telling words, for the facilitator to rename
    members: tuple[int, ...]  # positions in the input


def theme_suggestions(
    texts: Sequence[str], k: int, *, words_in_name: int = 3, seed: int = 0
) -> list[ThemeSuggestion]:
    """``k`` suggested themes for ``texts``, largest first, each named by its telling words."""
    normal = [" ".join(stem(w) for w in normalise(t).split()) for t in texts]
    usable = [i for i, t in enumerate(normal) if t]
    k = max(1, min(k, len(usable)))
    if not usable:
        return []
    vectorizer = TfidfVectorizer(analyzer="word", sublinear_tf=True, min_df=1)
    vectors = vectorizer.fit_transform([normal[i] for i in usable])
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(vectors)
    terms = vectorizer.get_feature_names_out()
    themes = []
    for label in range(k):
        members = tuple(usable[i] for i in np.flatnonzero(model.labels_ == label))
        if not members:
            continue
        centre = model.cluster_centers_[label]
        top = [terms[i] for i in np.argsort(centre)[::-1][:words_in_name] if centre[i] > 0]
        themes.append(ThemeSuggestion(" · ".join(top), members))
    return sorted(themes, key=lambda theme: (-len(theme.members), theme.members[0]))
