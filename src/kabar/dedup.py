"""Dedup stage: near-duplicate (syndicated) copies found by MinHash-LSH over word shingles.

Exact copies never reach this stage: the driver matches them by content hash first.
"""

from __future__ import annotations

from datasketch import MinHash, MinHashLSH

from kabar.model import Article
from kabar.textproc import normalise_for_hash

SHINGLE_WORDS = 5
NUM_PERM = 64
LSH_THRESHOLD = 0.6
"""Candidate threshold on estimated Jaccard; confirmed below with the estimate itself."""
DUPLICATE_JACCARD = 0.6
MIN_WORDS = 40
"""Shorter texts have too few shingles for a reliable estimate; only exact matching applies."""


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Overlapping word n-grams of the normalised text."""
    tokens = normalise_for_hash(text).split()
    return {" ".join(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1))}


class NearDuplicateIndex:
    """Remembers MinHash signatures of original articles and finds the original of a new copy."""

    def __init__(self, threshold: float = DUPLICATE_JACCARD, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=num_perm)
        self.signatures: dict[str, MinHash] = {}

    def signature(self, article: Article) -> MinHash | None:
        """MinHash of an article's body shingles, or None when the body is too short."""
        if len(article.text.split()) < MIN_WORDS:
            return None
        minhash = MinHash(num_perm=self.num_perm)
        minhash.update_batch([s.encode() for s in shingles(article.text)])
        return minhash

    def find_original(self, article: Article) -> tuple[str | None, float]:
        """The earliest stored original this article copies, with the estimated Jaccard."""
        minhash = self.signature(article)
        if minhash is None:
            return None, 0.0
        best, best_jaccard = None, 0.0
        for key in self.lsh.query(minhash):
            jaccard = minhash.jaccard(self.signatures[key])
            if jaccard >= self.threshold and (jaccard > best_jaccard):
                best, best_jaccard = key, jaccard
        return best, best_jaccard

    def add(self, article: Article) -> None:
        """Index an original article so later copies can find it."""
        minhash = self.signature(article)
        if minhash is not None and article.id not in self.signatures:
            self.signatures[article.id] = minhash
            self.lsh.insert(article.id, minhash)
