"""Near-duplicate detection precision and recall on CLICK-ID: real copies and synthetic syndicated edits.

    python bench/dedup.py ../shared/data/clickid/articles.jsonl --synthetic 2000 --show 12

Truth is exact (not estimated) overlap of the five-word shingle sets. A pair is a *copy* when each
text shares at least 80% of its shingles with the other (the target class), and a *related* text when
they share at least half of the shorter one's shingles (a copy cut harder: linking it is not a mistake).

1. Real stream: every article goes through dedup in file order, as at ingest. Precision: links whose
   pair is copy or related. Recall: of the articles with an earlier copy (found by exact comparison
   of all LSH-candidate pairs at a wide threshold), the fraction linked to some earlier copy.
2. Synthetic: for a sample of articles, a wire copy with its own lead, a dropped stretch (a tenth
   of the words), a "Baca juga" line, keeping at least 80% of the text; each must find its original
   (or a copy of it) among all indexed articles.
``--show`` prints that many real linked pairs (title and lead) for checking by hand.
"""

from __future__ import annotations

import argparse
import random
import sys
import zlib

import numpy as np

from kabar.dedup import SHINGLE_WORDS, NearDuplicateIndex, jaccard, signature
from kabar.extract import ExtractionError, extract
from kabar.read import read_paths
from kabar.textproc import normalise_for_hash

COPY_SHARE = 0.8
RELATED_SHARE = 0.5


def shingle_set(text: str) -> np.ndarray:
    """Sorted unique hashes of the text's five-word shingles (exact set, for truth)."""
    tokens = normalise_for_hash(text).split()
    grams = {" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(max(1, len(tokens) - SHINGLE_WORDS + 1))}
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.int64, count=len(grams)))


def shares(first: np.ndarray, second: np.ndarray) -> tuple[float, float]:
    """Fraction of each set found in the other."""
    common = len(np.intersect1d(first, second, assume_unique=True))
    return common / max(1, len(first)), common / max(1, len(second))


def edited_copy(text: str, rng: random.Random) -> str:
    """A syndicated copy: new lead, a tenth of the words dropped from the middle, a 'Baca juga' line added."""
    words = text.split()
    cut = rng.randrange(len(words) // 5, len(words) * 7 // 10)
    kept = words[:cut] + words[cut + len(words) // 10 :]
    return "JAKARTA, KABAR - Dikutip dari kantor berita nasional. " + " ".join(kept) + "\nBaca juga: Berita terkait lainnya"


def main() -> int:
    """Measure dedup precision and recall and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--synthetic", type=int, default=2000, help="synthetic copies to make")
    parser.add_argument("--show", type=int, default=12, help="real linked pairs to print for checking by hand")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    articles = []
    for document in read_paths([args.corpus], lambda source, message: None):
        try:
            articles.append(extract(document))
        except ExtractionError:
            continue
    signatures = [signature(a.text) for a in articles]
    sets = [shingle_set(a.text) for a in articles]

    index, links = NearDuplicateIndex(), {}
    for i, sig in enumerate(signatures):
        original, _ = index.find_original(sig)
        if original is not None:
            links[i] = original
        else:
            index.add(str(i), sig)
    position = {str(i): i for i in range(len(articles))}

    wide = NearDuplicateIndex()
    has_copy: set[int] = set()
    for i, sig in enumerate(signatures):
        for j_id in wide_candidates(wide, sig):
            j = position[j_id]
            if min(shares(sets[i], sets[j])) >= COPY_SHARE:
                has_copy.add(i)
        wide.add(str(i), sig)

    correct = [i for i, o in links.items() if max(shares(sets[i], sets[position[o]])) >= RELATED_SHARE]
    copies_linked = [i for i in has_copy if i in links]
    strict = [i for i, o in links.items() if min(shares(sets[i], sets[position[o]])) >= COPY_SHARE]
    print(f"real stream: {len(articles)} articles, {len(links)} linked as near-duplicates, {len(has_copy)} have an earlier copy "
          f"(>= {COPY_SHARE:.0%} shared both ways)")
    print(f"  precision {len(correct) / max(1, len(links)):.4f} ({len(links) - len(correct)} wrong), "
          f"recall {len(copies_linked) / max(1, len(has_copy)):.4f} ({len(has_copy) - len(copies_linked)} missed); "
          f"{len(strict)} links share >= {COPY_SHARE:.0%} both ways, "
          f"{len(correct) - len(strict)} share {RELATED_SHARE:.0%}-{COPY_SHARE:.0%} "
          f"(strict precision {len(strict) / max(1, len(links)):.4f})")

    rng = random.Random(args.seed)
    eligible = [i for i, a in enumerate(articles) if len(a.text.split()) >= 100]
    sample = rng.sample(eligible, min(args.synthetic, len(eligible)))
    found = wrong = 0
    for i in sample:
        copy = edited_copy(articles[i].text, rng)
        assert min(shares(shingle_set(copy), sets[i])) >= COPY_SHARE - 0.05
        original, _ = index.find_original(signature(copy))
        if original is None:
            continue
        if position[original] == i or min(shares(sets[position[original]], sets[i])) >= COPY_SHARE:
            found += 1
        else:
            wrong += 1
    print(f"synthetic copies: {len(sample)}, found {found}, wrong original {wrong}: "
          f"recall {found / len(sample):.4f}, precision {found / max(1, found + wrong):.4f}")

    for i in list(links)[: args.show]:
        o = position[links[i]]
        share = shares(sets[i], sets[o])
        print(f"\n[{articles[i].outlet}] {articles[i].title}\n   = [{articles[o].outlet}] {articles[o].title}\n"
              f"   shared {share[0]:.2f}/{share[1]:.2f}, estimate {jaccard(signatures[i], signatures[o]):.2f}\n"
              f"   {articles[i].text[:160]!r}\n   {articles[o].text[:160]!r}")
    return 0


def wide_candidates(index: NearDuplicateIndex, sig: np.ndarray | None) -> list[str]:
    """Every indexed article sharing an LSH band with the signature (no threshold)."""
    if sig is None:
        return []
    seen: dict[str, None] = {}
    for key in index._bands(sig):
        for article_id in index.buckets.get(key, ()):
            seen[article_id] = None
    return list(seen)


if __name__ == "__main__":
    sys.exit(main())
