"""Near-duplicate detection precision and recall on CLICK-ID: real copies and synthetic syndicated edits.

    python bench/dedup.py ../shared/data/clickid/articles.jsonl --synthetic 2000 --show 12

Truth is exact (not estimated) overlap of the five-word shingle sets: an article is a *copy* of an
earlier one when at least 80% of its shingles occur in it (the target class); the numbers also say
how many links share 80% both ways (the same text, not a cut-down version).

1. Real stream: every article goes through dedup in file order, as at ingest (MinHash-LSH candidate,
   then the exact check). Precision: links that are copies. Recall: of the articles with an earlier
   copy (found by exact comparison of every pair sharing an LSH band), the fraction linked.
2. Synthetic: for a sample of articles, a wire copy with its own lead, a dropped stretch (a tenth
   of the words), a "Baca juga" line, keeping at least 80% of the text; each must find its original
   (or a copy of it) among all indexed articles.
``--show`` prints that many real linked pairs (title and lead) for checking by hand.
"""

from __future__ import annotations

import argparse
import random
import sys

import numpy as np

from kabar.dedup import COPY_SHARE, NearDuplicateIndex, jaccard, shingle_hashes, signature
from kabar.extract import ExtractionError, extract
from kabar.read import read_paths


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
    sets = [shingle_hashes(a.text) for a in articles]
    position = {str(i): i for i in range(len(articles))}

    index, links = NearDuplicateIndex(), {}
    for i, sig in enumerate(signatures):
        original, _ = index.find_original(sig)
        if original is not None and shares(sets[i], sets[position[original]])[0] >= COPY_SHARE:
            links[i] = original
        else:
            index.add(str(i), sig)

    wide = NearDuplicateIndex()
    has_copy: set[int] = set()
    for i, sig in enumerate(signatures):
        for j_id in wide_candidates(wide, sig):
            j = position[j_id]
            if shares(sets[i], sets[j])[0] >= COPY_SHARE:
                has_copy.add(i)
        wide.add(str(i), sig)

    correct = [i for i, o in links.items() if shares(sets[i], sets[position[o]])[0] >= COPY_SHARE]
    copies_linked = [i for i in has_copy if i in links]
    strict = [i for i, o in links.items() if min(shares(sets[i], sets[position[o]])) >= COPY_SHARE]
    print(
        f"real stream: {len(articles)} articles, {len(links)} linked as near-duplicates, "
        f"{len(has_copy)} are copies (>= {COPY_SHARE:.0%} of their text in an earlier article)"
    )
    print(
        f"  precision {len(correct) / max(1, len(links)):.4f} ({len(links) - len(correct)} wrong), "
        f"recall {len(copies_linked) / max(1, len(has_copy)):.4f} ({len(has_copy) - len(copies_linked)} missed); "
        f"{len(strict)} links share >= {COPY_SHARE:.0%} both ways"
    )

    rng = random.Random(args.seed)
    eligible = [i for i, a in enumerate(articles) if len(a.text.split()) >= 100]
    sample = rng.sample(eligible, min(args.synthetic, len(eligible)))
    found = wrong = 0
    for i in sample:
        copy = edited_copy(articles[i].text, rng)
        assert min(shares(shingle_hashes(copy), sets[i])) >= COPY_SHARE - 0.05
        original, _ = index.find_original(signature(copy))
        if original is None or shares(shingle_hashes(copy), sets[position[original]])[0] < COPY_SHARE:
            continue
        if position[original] == i or min(shares(sets[position[original]], sets[i])) >= COPY_SHARE:
            found += 1
        else:
            wrong += 1
    print(
        f"synthetic copies: {len(sample)}, found {found}, wrong original {wrong}: "
        f"recall {found / len(sample):.4f}, precision {found / max(1, found + wrong):.4f}"
    )

    for i in list(links)[: args.show]:
        o = position[links[i]]
        share = shares(sets[i], sets[o])
        print(
            f"\n[{articles[i].outlet}] {articles[i].title}\n   = [{articles[o].outlet}] {articles[o].title}\n"
            f"   shared {share[0]:.2f}/{share[1]:.2f}, estimate {jaccard(signatures[i], signatures[o]):.2f}\n"
            f"   {articles[i].text[:160]!r}\n   {articles[o].text[:160]!r}"
        )
    return 0


def wide_candidates(index: NearDuplicateIndex, sig: np.ndarray | None) -> list[str]:
    """Every indexed article sharing an LSH band with the signature (no threshold)."""
    if sig is None:
        return []
    seen: dict[str, None] = {}
    for band, key in zip(index.buckets, index._band_keys(sig), strict=True):
        for article_id in band.get(key, ()):
            seen[article_id] = None
    return list(seen)


if __name__ == "__main__":
    sys.exit(main())
