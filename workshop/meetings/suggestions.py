"""Suggestions for the facilitator: likely duplicate groups and themes (pure; no database).

Duplicates: character n-gram TF-IDF with cosine similarity (scikit-learn, no model to
download, no service to call), on text normalised for Danish, Norwegian and English: case
and accents folded, punctuation and filler words ("tak", "please", "vi", "skal") dropped, so
that "Flere bænke i skyggen!" and "flere bænke i skyggen tak" are the same text. Two ideas
are suggested as duplicates when their similarity reaches ``threshold``; a group is a set of
ideas every two of which are that close (complete linkage: no long chains through "bænke"
to "bænke med ryglæn"). Measured on ``tests/data/moderation_ideas.txt`` by
``benchmarks/bench_moderation_suggestions.py``.

Themes: duplicates folded, character n-grams of stemmed words, spectral clustering of the
nearest-neighbour graph (see :func:`theme_suggestions`), each theme named by its most telling
words; the facilitator renames, edits and accepts.

Text in a language the normaliser does not know is compared as it is (case-folded); an idea
with nothing left after normalisation (only emoji, only filler) is never suggested.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.cluster import SpectralClustering
from sklearn.feature_extraction.text import (
    HashingVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.neighbors import kneighbors_graph
from sklearn.preprocessing import normalize

DUPLICATE_THRESHOLD = 0.47
COMMON_SHARE, COMMON_MIN_IDEAS = 0.05, 50  # see ``similarity``
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


# A web address is one thing, not the words "https", "www", "dk" shared by every address.
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


_URL_TOKEN = re.compile(r"u[0-9a-f]{12}")


def is_address_token(word: str) -> bool:
    """Whether ``word`` is the token :func:`normalise` puts for a web address."""
    return _URL_TOKEN.fullmatch(word) is not None


def _url_token(found: re.Match[str]) -> str:
    """The same address (case, a trailing slash or full stop aside) gives the same token, two
    addresses give two unrelated ones: "Se https://x.dk/a" and "Se https://x.dk/b" are not
    near duplicates because their letters mostly agree."""
    address = found.group(0).casefold().rstrip("/.,;:!?)")
    address = re.sub(r"^(?:https?://)?(?:www\.)?", "", address)
    return f" u{hashlib.blake2s(address.encode(), digest_size=6).hexdigest()} "


def normalise(text: str) -> str:
    """Text as the comparison sees it: folded case and accents, words only, no filler; each
    web address one token of its own."""
    text = _URL.sub(_url_token, unicodedata.normalize("NFKC", text))
    text = text.casefold().translate(_FOLD)
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
    # N-grams in more than a few percent of the ideas ("ere", " fl") weigh little (low IDF)
    # but make most pairs share something: leaving them out of the product makes it sparse.
    docs = np.bincount(counts.indices, minlength=counts.shape[1])
    common = docs > max(COMMON_SHARE * len(usable), COMMON_MIN_IDEAS)
    vectors = vectors.tocsc()
    vectors.data[np.repeat(common, np.diff(vectors.indptr))] = 0.0
    vectors.eliminate_zeros()
    vectors = normalize(vectors.tocsr())
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


_groups_cache: OrderedDict[tuple[tuple[str, ...], float], list[DuplicateGroup]] = OrderedDict()
_GROUPS_KEPT = 4


def duplicate_groups(
    texts: Sequence[str], *, threshold: float = DUPLICATE_THRESHOLD
) -> list[DuplicateGroup]:
    """Likely duplicate groups among ``texts`` (see :func:`_duplicate_groups`); the same texts
    asked again (the theme suggestions of the same wall, right after its duplicates, in the
    same worker process) are answered from the last few results."""
    key = (tuple(texts), threshold)
    with _counts_lock:
        if key in _groups_cache:
            _groups_cache.move_to_end(key)
            return list(_groups_cache[key])
    found = _duplicate_groups(texts, threshold=threshold)
    with _counts_lock:
        _groups_cache[key] = found
        while len(_groups_cache) > _GROUPS_KEPT:
            _groups_cache.popitem(last=False)
    return list(found)


def _duplicate_groups(texts: Sequence[str], *, threshold: float) -> list[DuplicateGroup]:
    """Likely duplicate groups among ``texts`` (oldest first), largest first.

    Complete linkage: every two members of a group are at least ``threshold`` alike, so a
    group never chains from "flere bænke" through "bænke ved søen" to "flere skraldespande
    ved søen". Such a group lies inside one connected part of the graph of close pairs, so
    only those parts (small, even at 3,000 ideas) are clustered.
    """
    close = similarity(texts, threshold=threshold).tocoo()
    _, labels = connected_components(close, directed=False)
    by_position = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[by_position], np.arange(labels.max() + 2 if len(labels) else 1))
    rows, cols, values = close.row, close.col, close.data
    by_edge = np.argsort(labels[rows], kind="stable")
    edge_labels = labels[rows][by_edge]
    edge_starts = np.searchsorted(edge_labels, np.arange(len(starts)))
    groups = []
    for label in range(len(starts) - 1):
        members = by_position[starts[label] : starts[label + 1]]
        if len(members) < 2:
            continue
        edges = by_edge[edge_starts[label] : edge_starts[label + 1]]
        where = {int(m): k for k, m in enumerate(members)}
        alike = np.zeros((len(members), len(members)))
        at_a = [where[r] for r in rows[edges].tolist()]
        at_b = [where[c] for c in cols[edges].tolist()]
        alike[at_a, at_b] = values[edges]
        alike[at_b, at_a] = values[edges]
        if len(members) == 2:
            clusters = [[0, 1]]
        else:
            distance = np.clip(1.0 - alike, 0.0, 1.0)
            np.fill_diagonal(distance, 0.0)
            tree = linkage(squareform(distance, checks=False), method="complete")
            cut = fcluster(tree, 1.0 - threshold + 1e-6, criterion="distance")
            by_cut: dict[int, list[int]] = {}
            for k, group_label in enumerate(cut.tolist()):
                by_cut.setdefault(group_label, []).append(k)
            clusters = [c for c in by_cut.values() if len(c) > 1]
        for cluster in clusters:
            inner = alike[np.ix_(cluster, cluster)]
            score = float(inner[np.triu_indices(len(cluster), 1)].min())
            positions = tuple(sorted(int(members[k]) for k in cluster))
            groups.append(DuplicateGroup(positions, score))
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


# Words too common in ideas of every theme to tell themes apart or to name one.
_NOT_TELLING = frozenset(
    {"flere", "fler", "mere", "mer", "bedre", "nye", "ny", "længere", "lengre", "alle", "hver"}
    | {"om", "gratis", "more", "better", "new", "all"}
)
# Prepositions the comparison keeps (they help tell themes apart: the adjusted Rand index on
# the labelled set fell from 0.18 to 0.12 without them) but that name no theme
# ("bænke · skyggen · under").
_NOT_A_NAME = frozenset(
    {"under", "over", "uden", "uten", "mellem", "mellom", "efter", "etter", "fra", "mod", "mot"}
)


THEME_NEIGHBOURS = 8  # each idea's nearest ideas that span the graph the themes are cut from


def _theme_words(text: str) -> list[str]:
    return [w for w in normalise(text).split() if w not in _NOT_TELLING and not w.isdigit()]


def theme_suggestions(
    texts: Sequence[str],
    k: int,
    *,
    words_in_name: int = 3,
    seed: int = 0,
    groups: Sequence[DuplicateGroup] | None = None,
) -> list[ThemeSuggestion]:
    """``k`` suggested themes for ``texts``, largest first, each named by its telling words.

    1. Duplicates are folded first (``groups``, or :func:`duplicate_groups` of ``texts``): a
       group is one document of its members' words, so five ways of saying "bænke i skyggen"
       weigh as one idea and never split across themes.
    2. Each document is its words without filler (da/nb/en) and without words that tell no
       theme apart ("flere", "bedre", "more"), cut to a crude stem, as character 3-5-gram
       TF-IDF within words: "legepladsen", "legeplads" and "legepladser" share most n-grams,
       and so do the parts of Danish and Norwegian compounds ("skolevej", "skolen").
    3. A graph of each document's ``THEME_NEIGHBOURS`` nearest documents (cosine), cut into
       ``k`` parts by spectral clustering (scikit-learn, QR assignment: deterministic). The
       graph joins ideas through chains of shared words ("bænke" - "bænke i parken" -
       "parken om aftenen") that k-means on the raw vectors keeps apart.

    A theme's name is the words with the highest mean TF-IDF in it. Still lexical: ideas of
    one theme in wholly different words can land apart (adjusted Rand index in the
    benchmark: 0.18/0.20 on the labelled set, k-means before: 0.10/0.11).
    """
    words = [_theme_words(t) for t in texts]
    usable = [i for i, w in enumerate(words) if w]
    if not usable:
        return []
    found = duplicate_groups(texts) if groups is None else groups
    leader = {i: i for i in usable}
    for group in found:
        kept = [m for m in group.members if m in leader]
        for member in kept:
            leader[member] = kept[0]
    documents = sorted(set(leader.values()))
    at = {position: n for n, position in enumerate(documents)}
    folded: list[list[str]] = [[] for _ in documents]
    for i in usable:
        folded[at[leader[i]]].extend(words[i])
    k = max(1, min(k, len(documents)))
    stems = [" ".join(stem(w) for w in doc) for doc in folded]
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectors = chars.fit_transform(stems)
    if k == 1:
        labels = np.zeros(len(documents), dtype=int)
    elif k == len(documents):
        labels = np.arange(len(documents))
    else:
        neighbours = min(THEME_NEIGHBOURS, len(documents) - 1)
        distance = kneighbors_graph(
            vectors, neighbours, mode="distance", metric="cosine", include_self=False
        )
        affinity = distance.copy()
        affinity.data = np.clip(1.0 - affinity.data, 1e-3, 1.0)
        affinity = affinity.maximum(affinity.T).tocsr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "graph is not fully connected"
            labels = SpectralClustering(
                n_clusters=k,
                affinity="precomputed",
                assign_labels="cluster_qr",
                random_state=seed,
            ).fit_predict(affinity)
    by_idea = {i: int(labels[at[leader[i]]]) for i in usable}
    naming = TfidfVectorizer(analyzer="word", sublinear_tf=True, token_pattern=r"\S{3,}")
    word_vectors = naming.fit_transform([" ".join(doc) for doc in folded])
    terms = naming.get_feature_names_out()
    themes = []
    for label in range(k):
        rows = np.flatnonzero(labels == label)
        if not len(rows):
            continue
        weight = np.asarray(word_vectors[rows].mean(axis=0)).ravel()
        ranked = [terms[i] for i in np.argsort(weight)[::-1] if weight[i] > 0]
        # An address's token joins ideas that share it, but names nothing a person reads.
        telling = (t for t in ranked if t not in _NOT_A_NAME and not is_address_token(t))
        top = list(telling)[:words_in_name]
        members = tuple(i for i in usable if by_idea[i] == label)
        themes.append(ThemeSuggestion(" · ".join(top), members))
    return sorted(themes, key=lambda theme: (-len(theme.members), theme.members[0]))
