"""ROUGE-1, ROUGE-2 and ROUGE-L F1 (Lin 2004) on lower-cased word tokens, no stemming or stopword removal."""

from __future__ import annotations

import re
from collections import Counter

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return TOKEN_RE.findall(text.lower())


def _f1(overlap: int, candidate: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    """ROUGE-N F1: clipped n-gram overlap."""
    grams_c = Counter(tuple(candidate[i : i + n]) for i in range(len(candidate) - n + 1))
    grams_r = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((grams_c & grams_r).values())
    return _f1(overlap, sum(grams_c.values()), sum(grams_r.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    """ROUGE-L F1: longest common subsequence over the whole token sequences."""
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 of a candidate summary against one reference."""
    c, r = tokens(candidate), tokens(reference)
    return {"rouge-1": rouge_n(c, r, 1), "rouge-2": rouge_n(c, r, 2), "rouge-l": rouge_l(c, r)}
