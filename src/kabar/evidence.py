"""Evidence that an article belongs to a story: what the clusterer's scoring models read.

Each piece is a number computed from an article's weighed features and a story's state (kabar.story_state):
cosines of the article's vectors with the story's centroids (and its latest members), the shares of names
they have in common, shared numbers, conflicting years, the time gap and the story's size. A model names the
pieces it reads (``FEATURES``), and only those are computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache

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


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """Evidence computed together (``names``) and how, from an article's features and a story's state."""

    names: frozenset[str]
    compute: Callable[[ArticleFeatures, StoryState], dict[str, float]]


EVIDENCE_GROUPS = (
    EvidenceGroup(frozenset({"cosine", "cosine_x_title"}), lambda f, s: {"cosine": cosine(f.vector, s.centroid, s.norm_sq)}),
    EvidenceGroup(
        frozenset({"title_cosine", "cosine_x_title"}),
        lambda f, s: {"title_cosine": cosine(f.title, s.title_centroid, s.title_norm_sq)},
    ),
    EvidenceGroup(
        frozenset({"mention_cosine"}),
        lambda f, s: {"mention_cosine": cosine(f.mentions, s.mention_centroid, s.mention_norm_sq)},
    ),
    EvidenceGroup(MEMBER_FEATURES, _member_evidence),
    EvidenceGroup(frozenset({"names"}), lambda f, s: {"names": _share(f.names, s.names.keys(), math.fsum(f.names.values()))}),
    EvidenceGroup(
        frozenset({"core_names"}),
        lambda f, s: {"core_names": _share(s.core_names, f.names.keys(), s.core_weight) if s.core_names else 0.0},
    ),
    EvidenceGroup(
        frozenset({"numbers"}),
        lambda f, s: {"numbers": min(1.0, math.log1p(len(f.numbers & s.numbers.keys())) / math.log(4))},
    ),
    EvidenceGroup(
        frozenset({"year_conflict"}),
        lambda f, s: {"year_conflict": 1.0 if f.years and s.years and f.years.isdisjoint(s.years.keys()) else 0.0},
    ),
    EvidenceGroup(frozenset({"gap", "no_date"}), _time_evidence),
    EvidenceGroup(frozenset({"size"}), lambda f, s: {"size": min(1.0, math.log1p(s.size) / math.log(100))}),
)
"""How each piece of evidence (FEATURES) is computed; a model's evidence is computed group by group."""


@cache
def evidence_groups(wanted: frozenset[str]) -> tuple[EvidenceGroup, ...]:
    """The evidence groups that compute some of ``wanted``."""
    return tuple(group for group in EVIDENCE_GROUPS if not wanted.isdisjoint(group.names))


def evidence(features: ArticleFeatures, story: StoryState, wanted: frozenset[str] = ALL_EVIDENCE) -> dict[str, float]:
    """Evidence that an article belongs to a story, by name: the ``wanted`` ones of FEATURES (a model reads only its own,
    so the others are not computed)."""
    row: dict[str, float] = {}
    for group in evidence_groups(wanted):
        row.update(group.compute(features, story))
    if "cosine_x_title" in wanted:
        row["cosine_x_title"] = row["cosine"] * row["title_cosine"]
    return row
