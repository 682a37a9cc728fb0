"""Story consolidation: find pairs of stories that are one, by a model over story-pair evidence.

The online pass decides one article at a time; early articles of an event, judged before their story
formed, can open fragments that later articles never bridge (ECB+ dev: one event in four stories).
Consolidation compares whole stories: their centroids, core names, numbers, years and time spans,
scored by a logistic model per language (``models/merge-<language>.json``, trained by
bench/train_cluster.py on how the online pass split and joined the training sets' gold stories).
Pairs are merged best first; a pair whose stories changed by an earlier merge is scored again.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kabar.evidence import GAP_CAP_DAYS
from kabar.story_state import StoryState, dot, gap_between

MODEL_DIR = Path(__file__).parent / "models"
PAIR_FEATURES = (
    "cosine",
    "title_cosine",
    "mention_cosine",
    "core_names_min",
    "core_names_max",
    "numbers",
    "year_conflict",
    "gap",
    "no_date",
    "smaller_size",
    "larger_size",
)
"""Evidence that two stories are one, in the order a merge model's weights use."""


def merge_model_path(language: str) -> Path:
    """Where the trained story-merge model for a language lives."""
    return MODEL_DIR / f"merge-{language}.json"


def load_merge_models() -> dict[str, dict[str, Any]]:
    """The trained story-merge models by language (a language without one is not consolidated)."""
    return {
        path.stem.removeprefix("merge-"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(MODEL_DIR.glob("merge-*.json"))
    }


def _cosine(first: dict[str, float], first_sq: float, second: dict[str, float], second_sq: float) -> float:
    if first_sq <= 0 or second_sq <= 0:
        return 0.0
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return dot(small, large) / math.sqrt(first_sq * second_sq)


def _core_share(story: StoryState, other: StoryState) -> float:
    """The share of a story's core-name weight that the other story also names."""
    total = math.fsum(story.core_names.values())
    return math.fsum([w for name, w in story.core_names.items() if name in other.names]) / total if total else 0.0


def _size(size: int) -> float:
    return min(1.0, math.log1p(size) / math.log(100))


FLOOR_CHECKS: dict[str, Callable[[StoryState, StoryState], float]] = {
    "mention_cosine": lambda a, b: _cosine(a.mention_centroid, a.mention_norm_sq, b.mention_centroid, b.mention_norm_sq),
    "core_names_max": lambda a, b: max(_core_share(a, b), _core_share(b, a)),
    "cosine": lambda a, b: _cosine(a.centroid, a.norm_sq, b.centroid, b.norm_sq),
}
"""Evidence a pair must have at least as much of as nearly all true merges in training had (the model's ``floors``),
each computable alone, cheapest and most often short first (most candidate pairs fail a floor and are not scored
further): the fitted model leans on story sizes, so without floors it would merge two small stories of one week that
share almost nothing."""


def reaches_floors(first: StoryState, second: StoryState, floors: dict[str, float]) -> bool:
    """Whether a pair has at least the floored evidence a merge needs."""
    return all(FLOOR_CHECKS[name](first, second) >= floors[name] for name in FLOOR_CHECKS if name in floors)


def pair_evidence(first: StoryState, second: StoryState) -> dict[str, float]:
    """Evidence that two stories tell one event (symmetric in the two)."""
    shares = (_core_share(first, second), _core_share(second, first))
    gap = gap_between(first, second)
    return {
        "cosine": _cosine(first.centroid, first.norm_sq, second.centroid, second.norm_sq),
        "title_cosine": _cosine(first.title_centroid, first.title_norm_sq, second.title_centroid, second.title_norm_sq),
        "mention_cosine": _cosine(first.mention_centroid, first.mention_norm_sq, second.mention_centroid, second.mention_norm_sq),
        "core_names_min": min(shares),
        "core_names_max": max(shares),
        "numbers": min(1.0, math.log1p(len(first.numbers.keys() & second.numbers.keys())) / math.log(4)),
        "year_conflict": 1.0 if first.years and second.years and first.years.keys().isdisjoint(second.years.keys()) else 0.0,
        "gap": 0.0 if gap is None else min(gap, GAP_CAP_DAYS) / GAP_CAP_DAYS,
        "no_date": 1.0 if gap is None else 0.0,
        "smaller_size": _size(min(first.size, second.size)),
        "larger_size": _size(max(first.size, second.size)),
    }


def probability(evidence: dict[str, float], model: dict[str, Any]) -> float:
    """A logistic model's probability for evidence named as in its ``features``."""
    z = model["bias"] + math.fsum([w * evidence[name] for w, name in zip(model["weights"], model["features"], strict=True)])
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def consolidate(
    stories: dict[str, StoryState],
    pairs: Iterable[tuple[str, str]],
    model: dict[str, Any],
    merge: Callable[[str, str], None],
) -> list[tuple[str, str, dict[str, Any]]]:
    """Merge, best first, the pairs of stories the model finds one at its ``merge_threshold`` (and at its ``floors``):
    the smaller story into the larger (ties: into the older id). ``merge(source, target)`` folds one story into another
    in ``stories``. A pair touched by an earlier merge is scored again on the merged stories. Returns (source, target,
    evidence) per merge."""
    threshold = model["merge_threshold"]
    floors = model.get("floors", {})
    scored = []
    for first, second in sorted(set(pairs)):
        if reaches_floors(stories[first], stories[second], floors):
            evidence = pair_evidence(stories[first], stories[second])
            scored.append((probability(evidence, model), first, second, evidence))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    merged_into: dict[str, str] = {}

    def resolve(story_id: str) -> str:
        while story_id in merged_into:
            story_id = merged_into[story_id]
        return story_id

    merges = []
    for score, first, second, evidence in scored:
        if score < threshold:
            break
        now_first, now_second = resolve(first), resolve(second)
        if now_first == now_second:
            continue
        if (now_first, now_second) != (first, second):
            evidence = pair_evidence(stories[now_first], stories[now_second])
            score = probability(evidence, model)
            if score < threshold or not reaches_floors(stories[now_first], stories[now_second], floors):
                continue
        source, target = sorted((now_first, now_second), key=lambda s: (-stories[s].size, _id_order(s)))[::-1]
        merge(source, target)
        merged_into[source] = target
        merges.append((source, target, {"merge_score": round(score, 4), **{k: round(v, 4) for k, v in evidence.items()}}))
    return merges


def _id_order(story_id: str) -> tuple[int, str]:
    """Story ids in the order they were opened (numeric ids by value)."""
    head = story_id.split(".")[0]
    return (int(head), story_id) if head.isdigit() else (1 << 62, story_id)
