"""Dedup stage: near-duplicate (syndicated) copies found by MinHash-LSH over word shingles.

Exact copies never reach this stage: the driver matches them by content hash first. A copy with a
different lead, dropped paragraphs or an added "Baca juga" line still has most of its five-word
shingles in the original. MinHash estimates the Jaccard overlap from 60 hash minima, and LSH (20
bands of 3 minima) finds the candidates without comparing against every stored article: a pair
with Jaccard 0.5 shares a band with probability 0.93, one with 0.65 with 0.998, an unrelated pair
(0.01) with 0.00002. The driver then confirms the best candidate exactly (``copied_share`` against
the stored original's text, at least COPY_SHARE), so a link is never a guess.

Hashing is multiply-shift over 64-bit words (numpy), seeded by constants, so signatures are the same
in every process; the index pickles as one array of signatures and rebuilds its buckets on load.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np

from kabar.model import Article
from kabar.textproc import hash_words

SHINGLE_WORDS = 5
NUM_PERM = 60
BAND_ROWS = 3
DUPLICATE_JACCARD = 0.4
"""Estimated Jaccard at which a stored article is a candidate original; COPY_SHARE then decides exactly.
A copy keeping a text whole but half as long has Jaccard 0.5; two outlets' own reports of one event
rarely pass 0.2."""
COPY_SHARE = 0.8
"""A copy has at least 80% of its own shingles in the original, counted exactly: a wire copy with a new
lead, dropped paragraphs and a 'Baca juga' line keeps 85-100%; an outlet's rewrite of its own story with
a new angle, or its template reused for another day's news (gold prices, the next hearing), 50-75%."""
MIN_WORDS = 40
"""Shorter texts have too few shingles for a reliable estimate; only exact matching applies."""
MEMORY_ARTICLES = 50_000
"""Originals remembered; older ones are forgotten in sweeps so memory stays bounded on endless streams."""
_RANDOM = np.random.default_rng(20190916)
_MULTIPLIERS = _RANDOM.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_OFFSETS = _RANDOM.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_SHINGLE_MULTIPLIERS = _RANDOM.integers(1, 2**63, size=SHINGLE_WORDS, dtype=np.uint64) | np.uint64(1)
"""A shingle's hash is a random linear combination of its words' CRC32s (mod 2**64), computed for all shingles at once."""


def _shingles(tokens: tuple[str, ...]) -> np.ndarray:
    """64-bit hashes of the five-word shingles of a list of words, in text order (repeats kept)."""
    words = np.fromiter(map(zlib.crc32, map(str.encode, tokens)), dtype=np.uint64, count=len(tokens))
    count = max(0, len(tokens) - SHINGLE_WORDS + 1)
    grams = np.zeros(count, dtype=np.uint64)
    for position, multiplier in enumerate(_SHINGLE_MULTIPLIERS):
        grams += words[position : position + count] * multiplier
    return grams


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted distinct 64-bit hashes of a text's five-word shingles."""
    return np.unique(_shingles(hash_words(text)))


def copied_share(copy_text: str, original_text: str) -> float:
    """Exact fraction of the copy's shingles that occur in the original."""
    copy = shingle_hashes(copy_text)
    if not len(copy):
        return 0.0
    return len(np.intersect1d(copy, shingle_hashes(original_text), assume_unique=True)) / len(copy)


def signature(text: str) -> np.ndarray | None:
    """MinHash signature (NUM_PERM uint32 minima) of a text's shingles, or None when the text is too short.

    A minimum is the same over repeated shingles, so they are not removed first; the shift to 32 bits comes
    after the minimum (it keeps the order), on NUM_PERM values instead of all of them.
    """
    tokens = hash_words(text)
    if len(tokens) < MIN_WORDS:
        return None
    mixed = np.multiply.outer(_MULTIPLIERS, _shingles(tokens))
    mixed += _OFFSETS[:, None]
    return (mixed.min(axis=1) >> np.uint64(32)).astype(np.uint32)


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """Jaccard overlap estimated from two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


DeduperChanges = tuple[dict[str, float], dict[str, np.ndarray | None]]
"""What ``NearDuplicateIndex.take_changes`` returns: the settings and the signatures added (None: forgotten)."""


class NearDuplicateIndex:
    """Remembers MinHash signatures of original articles and finds the original of a new copy.

    All settings are constructor arguments, stored as given, so an index can be cloned or pickled.
    """

    def __init__(self, threshold: float = DUPLICATE_JACCARD, memory_articles: int = MEMORY_ARTICLES) -> None:
        self.threshold = threshold
        self.memory_articles = memory_articles
        self.signatures: dict[str, np.ndarray] = {}
        self.buckets: list[dict[int, list[str]]] = [{} for _ in range(NUM_PERM // BAND_ROWS)]
        self.changed: dict[str, None] = {}
        self._looked_up: tuple[np.ndarray | None, list[int]] = (None, [])
        """The last signature looked up and its band keys: an original is indexed right after its lookup."""

    def __getstate__(self) -> dict:
        ids = list(self.signatures)
        stacked = np.stack([self.signatures[i] for i in ids]) if ids else np.zeros((0, NUM_PERM), dtype=np.uint32)
        return {"threshold": self.threshold, "memory_articles": self.memory_articles, "ids": ids, "signatures": stacked}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["threshold"], state["memory_articles"])
        for article_id, sig in zip(state["ids"], state["signatures"], strict=True):
            self.add(article_id, sig)
        self.changed = {}

    def take_changes(self) -> DeduperChanges:
        """The settings, and the signatures added since the last call (None: forgotten) in the order they came;
        ``restore`` rebuilds the index from the settings and every signature kept, in that order."""
        changes = {article_id: self.signatures.get(article_id) for article_id in self.changed}
        self.changed = {}
        return {"threshold": self.threshold, "memory_articles": self.memory_articles}, changes

    @classmethod
    def restore(cls, settings: dict[str, float], signatures: Iterable[tuple[str, np.ndarray]]) -> NearDuplicateIndex:
        """The index saved by ``take_changes``."""
        index = cls(settings["threshold"], int(settings["memory_articles"]))
        for article_id, sig in signatures:
            index.add(article_id, sig)
        index.changed = {}
        return index

    def _band_keys(self, sig: np.ndarray) -> list[int]:
        """One key per band of BAND_ROWS minima (plain ints: faster than numpy on twenty values)."""
        looked_up, keys = self._looked_up
        if sig is looked_up:
            return keys
        minima = sig.tolist()
        keys = [(minima[i] << 32) ^ (minima[i + 1] << 16) ^ minima[i + 2] for i in range(0, len(minima), BAND_ROWS)]
        self._looked_up = (sig, keys)
        return keys

    def find_original(self, sig: np.ndarray | None) -> tuple[str | None, float]:
        """The stored original a text with this signature copies best, with the estimated Jaccard; (None, 0.0) when none."""
        if sig is None:
            return None, 0.0
        seen: set[str] = set()
        best, best_jaccard = None, 0.0
        for band, key in zip(self.buckets, self._band_keys(sig), strict=True):
            for article_id in band.get(key, ()):
                if article_id in seen or article_id not in self.signatures:
                    continue
                seen.add(article_id)
                estimate = jaccard(sig, self.signatures[article_id])
                if estimate >= self.threshold and estimate > best_jaccard:
                    best, best_jaccard = article_id, estimate
        return best, best_jaccard

    def add(self, article_id: str, sig: np.ndarray | None) -> None:
        """Index an original article so later copies can find it."""
        if sig is None or article_id in self.signatures:
            return
        self.signatures[article_id] = sig
        self.changed[article_id] = None
        for band, key in zip(self.buckets, self._band_keys(sig), strict=True):
            band.setdefault(key, []).append(article_id)
        if len(self.signatures) > self.memory_articles * 1.25:
            self._forget_oldest()

    def _forget_oldest(self) -> None:
        """Drop all but the latest ``memory_articles`` originals, from the buckets too (only the buckets they are in)."""
        forget = list(self.signatures)[: len(self.signatures) - self.memory_articles]
        for article_id in forget:
            self.changed[article_id] = None
            for band, key in zip(self.buckets, self._band_keys(self.signatures.pop(article_id)), strict=True):
                ids = band[key]
                ids.remove(article_id)
                if not ids:
                    del band[key]


def article_signature(article: Article) -> np.ndarray | None:
    """MinHash signature of an article's body."""
    return signature(article.text)
