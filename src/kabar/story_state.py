"""What the story clusterer remembers of one story, and the plain operations on it.

A story's state is sums, not lists: centroids of its articles' unit vectors with their squared norms,
counts of names, numbers and years, its time span and its latest members' vectors. Adding, taking
out and folding in another story keep those sums exact, so no operation rereads the articles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kabar.features import ArticleFeatures

MEMBERS = 4
"""A story keeps its last four articles' vectors for nearest-member evidence."""
CENTROID_TERMS = 300
"""A centroid keeps its heaviest terms only, trimmed back to this many when it has twice as many: the tail of a big
story's centroid (hundreds of articles, thousands of terms) barely moves a cosine, yet costs time, memory and space."""
STORY_NAMES = 200
"""A story keeps its most frequent names only, trimmed back to this many when it has twice as many: a big story's names
(thousands, most seen once) were most of its saved state."""


@dataclass(slots=True)
class StoryState:
    """What the clusterer remembers of one story: centroids, names, numbers, time span."""

    centroid: dict[str, float] = field(default_factory=dict)
    norm_sq: float = 0.0
    title_centroid: dict[str, float] = field(default_factory=dict)
    title_norm_sq: float = 0.0
    mention_centroid: dict[str, float] = field(default_factory=dict)
    mention_norm_sq: float = 0.0
    names: dict[str, int] = field(default_factory=dict)
    name_weights: dict[str, float] = field(default_factory=dict)
    core_names: dict[str, float] = field(default_factory=dict)
    core_weight: float = 1.0
    numbers: dict[str, int] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    size: int = 0
    touched: int = 0
    members: list[tuple[dict[str, float], dict[str, float]]] = field(default_factory=list)
    first_day: float | None = None
    last_day: float | None = None


def dot(vector: dict[str, float], other: dict[str, float]) -> float:
    """Dot product of sparse vectors, summed in the first one's order (set order would vary between processes)."""
    return sum([weight * other[term] for term, weight in vector.items() if term in other])


def add_vector(centroid: dict[str, float], norm_sq: float, vector: dict[str, float]) -> float:
    """Add a vector to a centroid in place (trimming it to its CENTROID_TERMS heaviest terms when it has grown to twice
    that); return the centroid's new squared norm."""
    new_norm_sq = norm_sq + 2 * dot(vector, centroid) + sum(w * w for w in vector.values())
    for term, weight in vector.items():
        centroid[term] = centroid.get(term, 0.0) + weight
    if len(centroid) > 2 * CENTROID_TERMS:
        return _trim(centroid)
    return new_norm_sq


def _trim(centroid: dict[str, float]) -> float:
    """Keep a centroid's CENTROID_TERMS heaviest terms (ties by term, so the result does not depend on dict order); return
    its squared norm."""
    kept = sorted(centroid.items(), key=lambda item: (-item[1], item[0]))[:CENTROID_TERMS]
    centroid.clear()
    centroid.update(kept)
    return sum(w * w for _, w in kept)


def subtract_vector(centroid: dict[str, float], norm_sq: float, vector: dict[str, float]) -> float:
    """Subtract a vector from a centroid in place (terms trimmed from the centroid stay out, no weight goes below zero);
    return the centroid's new squared norm."""
    for term, weight in vector.items():
        held = centroid.get(term)
        if held is None:
            continue
        left = held - weight
        if left < 1e-9:  # all of it, or more: a trimmed term added back since holds less than the vector brought
            del centroid[term]
            norm_sq -= held * held
        else:
            centroid[term] = left
            norm_sq += left * left - held * held
    return max(0.0, norm_sq)


def update_core(story: StoryState) -> None:
    """Names in at least half of a story's articles, with their weights: what the story is about (and a story with
    more than twice STORY_NAMES names keeps its STORY_NAMES most frequent, ties by name)."""
    if len(story.names) > 2 * STORY_NAMES:
        kept = sorted(story.names.items(), key=lambda item: (-item[1], item[0]))[:STORY_NAMES]
        story.names = dict(kept)
        story.name_weights = {name: story.name_weights[name] for name, _ in kept}
    story.core_names = {n: story.name_weights[n] for n, c in story.names.items() if c * 2 >= story.size}
    story.core_weight = math.fsum(story.core_names.values()) or 1.0


def _grow_core(story: StoryState, names: Iterable[str]) -> None:
    """``update_core`` after one more article with these names: only they can join the core, only core names can leave."""
    if len(story.names) > 2 * STORY_NAMES:
        update_core(story)
        return
    counts, weights, size = story.names, story.name_weights, story.size
    core = {n: weights[n] for n in story.core_names if counts[n] * 2 >= size}
    core.update((n, weights[n]) for n in names if counts[n] * 2 >= size)
    story.core_names = core
    story.core_weight = math.fsum(core.values()) or 1.0


def gap_between(first: StoryState, second: StoryState) -> float | None:
    """Days between two stories' time spans (0 when they overlap); None when either is undated."""
    if first.first_day is None or first.last_day is None or second.first_day is None or second.last_day is None:
        return None
    return max(0.0, first.first_day - second.last_day, second.first_day - first.last_day)


def _widen_span(story: StoryState, day: float | None) -> None:
    if day is not None:
        story.first_day = day if story.first_day is None else min(story.first_day, day)
        story.last_day = day if story.last_day is None else max(story.last_day, day)


def absorb(story: StoryState, features: ArticleFeatures, keep_members: int = MEMBERS) -> None:
    """Add an article's vectors, names, numbers, years and day to a story's state (and its vectors to the story's
    ``keep_members`` latest members: none when no model reads them)."""
    story.norm_sq = add_vector(story.centroid, story.norm_sq, features.vector)
    story.title_norm_sq = add_vector(story.title_centroid, story.title_norm_sq, features.title)
    story.mention_norm_sq = add_vector(story.mention_centroid, story.mention_norm_sq, features.mentions)
    _count(story.names, features.names)
    story.name_weights.update(features.names)
    _count(story.numbers, features.numbers)
    _count(story.years, features.years)
    story.size += 1
    _grow_core(story, features.names)
    if keep_members:
        story.members = [*story.members, (features.vector, features.title)][-keep_members:]
    _widen_span(story, features.day)


def _count(counts: dict[str, int], keys: Iterable[str]) -> None:
    """Count each key once more."""
    held = counts.get
    for key in keys:
        counts[key] = held(key, 0) + 1


def _add_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    """Add another story's counts."""
    held = counts.get
    for key, count in more.items():
        counts[key] = held(key, 0) + count


def _discount(counts: dict[str, int], keys: Iterable[str]) -> None:
    """Count each key once less, dropping keys no longer counted."""
    for key in keys:
        left = counts.get(key, 0) - 1
        if left > 0:
            counts[key] = left
        else:
            counts.pop(key, None)


def release(story: StoryState, features: ArticleFeatures) -> None:
    """Take an article back out of a story's state (its time span stays as it was)."""
    story.norm_sq = subtract_vector(story.centroid, story.norm_sq, features.vector)
    story.title_norm_sq = subtract_vector(story.title_centroid, story.title_norm_sq, features.title)
    story.mention_norm_sq = subtract_vector(story.mention_centroid, story.mention_norm_sq, features.mentions)
    _discount(story.names, features.names.keys())
    _discount(story.numbers, features.numbers)
    _discount(story.years, features.years)
    story.size -= 1
    story.members = [m for m in story.members if m[0] is not features.vector]
    update_core(story)


def fold(target: StoryState, source: StoryState) -> None:
    """Add everything of story ``source`` to story ``target``."""
    target.norm_sq = add_vector(target.centroid, target.norm_sq, source.centroid)
    target.title_norm_sq = add_vector(target.title_centroid, target.title_norm_sq, source.title_centroid)
    target.mention_norm_sq = add_vector(target.mention_centroid, target.mention_norm_sq, source.mention_centroid)
    _add_counts(target.names, source.names)
    target.name_weights.update(source.name_weights)
    _add_counts(target.numbers, source.numbers)
    _add_counts(target.years, source.years)
    target.size += source.size
    update_core(target)
    target.members = (target.members + source.members)[-MEMBERS:]
    _widen_span(target, source.first_day)
    _widen_span(target, source.last_day)


def copy_story(story: StoryState) -> StoryState:
    """A copy of a story's state that can be changed without touching the original."""
    return replace(
        story,
        centroid=dict(story.centroid),
        title_centroid=dict(story.title_centroid),
        mention_centroid=dict(story.mention_centroid),
        names=dict(story.names),
        name_weights=dict(story.name_weights),
        core_names=dict(story.core_names),
        numbers=dict(story.numbers),
        years=dict(story.years),
        members=list(story.members),
    )
