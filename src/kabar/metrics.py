"""Clustering quality metrics: B-cubed precision/recall/F1, pairwise F1 and NMI.

Both arguments map an item id to a cluster label; only ids present in ``gold`` are scored, and an id
missing from ``predicted`` counts as a singleton.
"""

from __future__ import annotations

import math
from collections import Counter


def _aligned(gold: dict[str, str], predicted: dict[str, str]) -> list[tuple[str, str]]:
    return [(g, str(predicted.get(item, f"\0singleton:{item}"))) for item, g in gold.items()]


def bcubed(gold: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998), averaged over items."""
    pairs = _aligned(gold, predicted)
    if not pairs:
        return 0.0, 0.0, 0.0
    joint = Counter(pairs)
    gold_sizes = Counter(g for g, _ in pairs)
    predicted_sizes = Counter(p for _, p in pairs)
    precision = sum(n * n / predicted_sizes[p] for (_, p), n in joint.items()) / len(pairs)
    recall = sum(n * n / gold_sizes[g] for (g, _), n in joint.items()) / len(pairs)
    return precision, recall, _f1(precision, recall)


def pairwise(gold: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over all pairs of items put in the same cluster."""
    pairs = _aligned(gold, predicted)

    def same(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    both = same(Counter(pairs))
    in_predicted = same(Counter(p for _, p in pairs))
    in_gold = same(Counter(g for g, _ in pairs))
    precision = both / in_predicted if in_predicted else 1.0
    recall = both / in_gold if in_gold else 1.0
    return precision, recall, _f1(precision, recall)


def nmi(gold: dict[str, str], predicted: dict[str, str]) -> float:
    """Normalised mutual information, arithmetic-mean normalisation (scikit-learn's default)."""
    pairs = _aligned(gold, predicted)
    total = len(pairs)
    if total == 0:
        return 0.0
    joint = Counter(pairs)
    gold_sizes = Counter(g for g, _ in pairs)
    predicted_sizes = Counter(p for _, p in pairs)

    def entropy(counts: Counter) -> float:
        return -sum(n / total * math.log(n / total) for n in counts.values())

    mutual = sum(n / total * math.log(n * total / (gold_sizes[g] * predicted_sizes[p])) for (g, p), n in joint.items())
    h_gold, h_predicted = entropy(gold_sizes), entropy(predicted_sizes)
    if h_gold == 0.0 and h_predicted == 0.0:
        return 1.0
    return max(0.0, mutual / ((h_gold + h_predicted) / 2)) if h_gold + h_predicted else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
