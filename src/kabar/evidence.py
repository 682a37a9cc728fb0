"""Evidence that an article belongs to a story: what the clusterer's scoring models read.

Each piece is a number computed from an article's weighed features and a story's state (kabar.story_state):
cosines of the article's vectors with the story's centroids (and its latest members), the shares of names
they have in common, shared numbers, conflicting years, the time gap and the story's size. A model names the
pieces it reads (``FEATURES``); all are cheap but the latest members', computed only for a model that reads them.
"""

from __future__ import annotations

import math
from collections.abc import Collection

from kabar.features import ArticleFeatures
from kabar.story_state import StoryState, dot

FEATURES = (
    "cosine",
    "title_cosine",
    "mention_cosine",
    "max_cosine",
    "max_title",
    "mean_cosine",
    "mean_title",
    "names",
    "core_names",
    "numbers",
    "year_conflict",
    "gap",
    "no_date",
    "size",
    "cosine_x_title",
)
"""Evidence for one (article, story) pair, in the order the model's weights use."""
MEMBER_FEATURES = frozenset({"max_cosine", "max_title", "mean_cosine", "mean_title"})
"""Evidence from a story's latest members (eight dot products)."""
ALL_EVIDENCE = frozenset(FEATURES)
LOG_4, LOG_100 = math.log(4), math.log(100)
"""Shared numbers saturate at three, a story's size at 99 articles."""
GAP_CAP_DAYS = 2.0
"""Gaps saturate at two days: the labelled Indonesian data spans two days, so longer gaps cannot be learned; a story
quiet for longer is re-opened only above the reopen threshold (quiet_days)."""


def cosine(vector: dict[str, float], centroid: dict[str, float], norm_sq: float) -> float:
    """Cosine of a unit vector with a centroid whose squared norm is ``norm_sq``."""
    return dot(vector, centroid) / math.sqrt(norm_sq) if norm_sq > 0 else 0.0


def gap_days(features: ArticleFeatures, story: StoryState) -> float | None:
    """Days between an article and the nearest end of a story's time span (0 inside it); None when either is undated."""
    if features.day is None or story.first_day is None or story.last_day is None:
        return None
    return max(0.0, story.first_day - features.day, features.day - story.last_day)


def _share(weights: dict[str, float], other: Collection[str], total: float) -> float:
    """The share of ``total`` weight held by the keys of ``weights`` also in ``other`` (``weights`` is the small side: an
    article's names, or a story's core names)."""
    return math.fsum([weight for key, weight in weights.items() if key in other]) / total if total else 0.0


def _member_evidence(features: ArticleFeatures, story: StoryState) -> dict[str, float]:
    cosines = [dot(features.vector, vector) for vector, _ in story.members] or [0.0]
    titles = [dot(features.title, title) for _, title in story.members] or [0.0]
    return {
        "max_cosine": max(cosines),
        "max_title": max(titles),
        "mean_cosine": sum(cosines) / len(cosines),
        "mean_title": sum(titles) / len(titles),
    }


def _time_evidence(features: ArticleFeatures, story: StoryState) -> dict[str, float]:
    gap = gap_days(features, story)
    if gap is None:
        return {"gap": 0.0, "no_date": 1.0}
    return {"gap": min(gap, GAP_CAP_DAYS) / GAP_CAP_DAYS, "no_date": 0.0}


def evidence(features: ArticleFeatures, story: StoryState, wanted: Collection[str] = ALL_EVIDENCE) -> dict[str, float]:
    """Evidence that an article belongs to a story, by name: every piece of FEATURES but the latest members' (eight dot
    products), which only a model that reads them (``wanted``) gets."""
    names, numbers, years = features.names, features.numbers, features.years
    cosine_value = cosine(features.vector, story.centroid, story.norm_sq)
    title_cosine = cosine(features.title, story.title_centroid, story.title_norm_sq)
    row = {
        "cosine": cosine_value,
        "title_cosine": title_cosine,
        "mention_cosine": cosine(features.mentions, story.mention_centroid, story.mention_norm_sq),
        "names": _share(names, story.names.keys(), math.fsum(names.values())),
        "core_names": _share(story.core_names, names.keys(), story.core_weight) if story.core_names else 0.0,
        "numbers": min(1.0, math.log1p(len(numbers & story.numbers.keys())) / LOG_4),
        "year_conflict": 1.0 if years and story.years and years.isdisjoint(story.years.keys()) else 0.0,
        **_time_evidence(features, story),
        "size": min(1.0, math.log1p(story.size) / LOG_100),
        "cosine_x_title": cosine_value * title_cosine,
    }
    if not MEMBER_FEATURES.isdisjoint(wanted):
        row.update(_member_evidence(features, story))
    return row
