"""Story consolidation: merging stories the online pass left apart, in the clusterer and in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kabar.cluster import StoryClusterer
from kabar.extract import extract
from kabar.features import ArticleFeatures, article_features
from kabar.read import read_paths
from kabar.story_merge import PAIR_FEATURES, consolidate, load_merge_models, pair_evidence, probability

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "examples" / "seeds"
MISSILE_STRIKE = Path(__file__).parent / "data" / "cluster" / "missile_strike_kharkiv.txt"
COSINE_MERGES = {"features": ["cosine"], "weights": [40.0], "bias": -16.0, "merge_threshold": 0.5}
"""A merge model for the tests: one story when their centroids' cosine passes 0.4."""


def _features(paths: list[Path]) -> list[tuple[str, ArticleFeatures]]:
    return [(a.id, article_features(a)) for a in (extract(d) for d in read_paths(paths, lambda source, message: None))]


def _apart(clusterer: StoryClusterer) -> StoryClusterer:
    """No joins, settles or arrival merges: every article opens a story of its own."""
    clusterer.models = {
        lang: dict(m, join_threshold=0.999, settle_threshold=0.999, merge_threshold=1.01) for lang, m in clusterer.models.items()
    }
    return clusterer


@pytest.fixture(scope="module")
def seeds_and_strike() -> list[tuple[str, ArticleFeatures]]:
    """The five seed reports of one event, then a report of another missile strike."""
    return _features(sorted(SEEDS.iterdir())) + _features([MISSILE_STRIKE])


def test_consolidation_merges_the_fragments_of_one_event_and_leaves_another_apart(seeds_and_strike):
    clusterer = _apart(StoryClusterer(merge_models={"id": COSINE_MERGES}, settle_every=10**6))
    opened = [clusterer.assign(key, features).story_id for key, features in seeds_and_strike]
    assert len(set(opened)) == 6
    merges = clusterer.consolidate()
    seed_stories = {clusterer.resolve(s) for s in opened[:5]}
    assert len(seed_stories) == 1 and len(merges) == 4
    assert clusterer.resolve(opened[5]) not in seed_stories, "the other strike is another event"
    assert all(reason["merge_score"] >= 0.5 and set(PAIR_FEATURES) <= set(reason) for _, _, reason in merges)
    assert clusterer.stories[seed_stories.pop()].size == 5
    assert clusterer.consolidate() == [], "nothing changed since"


def test_a_preview_shows_the_merges_without_making_them(seeds_and_strike):
    clusterer = _apart(StoryClusterer(merge_models={"id": COSINE_MERGES}, settle_every=10**6))
    opened = [clusterer.assign(key, features).story_id for key, features in seeds_and_strike]
    before = {story_id: (story.size, dict(story.centroid)) for story_id, story in clusterer.stories.items()}
    preview = clusterer.preview()
    assert len({preview.story_of(s) for s in opened[:5]}) == 1 and preview.story_of(opened[5]) == opened[5]
    assert {story_id: (story.size, dict(story.centroid)) for story_id, story in clusterer.stories.items()} == before
    assert clusterer.merged_into == {}


def test_without_a_merge_model_for_the_language_nothing_is_consolidated(seeds_and_strike):
    clusterer = _apart(StoryClusterer(merge_models={"en": COSINE_MERGES}, settle_every=10**6))
    for key, features in seeds_and_strike:
        clusterer.assign(key, features)
    assert clusterer.consolidate() == [] and len(clusterer.stories) == 6


def test_pair_evidence_is_symmetric_and_the_smaller_story_goes_into_the_larger(seeds_and_strike):
    clusterer = _apart(StoryClusterer(merge_models={}, settle_every=10**6))
    opened = [clusterer.assign(key, features).story_id for key, features in seeds_and_strike[:3]]
    clusterer.merge(opened[2], opened[1])
    big, small = clusterer.stories[opened[1]], clusterer.stories[opened[0]]
    assert pair_evidence(big, small) == pair_evidence(small, big)
    merged = []
    consolidate(clusterer.stories, [(opened[0], opened[1])], COSINE_MERGES, lambda s, t: merged.append((s, t)))
    assert merged == [(opened[0], opened[1])]


def test_the_shipped_merge_models_read_pair_evidence_and_prefer_one_event():
    models = load_merge_models()
    assert "en" in models
    for model in models.values():
        assert model["features"] == list(PAIR_FEATURES) and len(model["weights"]) == len(PAIR_FEATURES)
        assert 0.0 < model["merge_threshold"] < 1.0
        same = dict.fromkeys(PAIR_FEATURES, 0.0) | {
            "cosine": 0.6,
            "title_cosine": 0.5,
            "mention_cosine": 0.6,
            "core_names_max": 0.8,
        }
        same |= {"core_names_min": 0.5, "smaller_size": 0.2, "larger_size": 0.5, "no_date": 1.0}
        other = same | {"title_cosine": 0.1, "mention_cosine": 0.05, "core_names_max": 0.0, "core_names_min": 0.0}
        assert probability(same, model) > probability(other, model)


def test_the_shipped_english_model_joins_one_event_told_three_ways_and_not_another_of_its_week():
    """Three reports of a Glasgow footbridge collapse, each opened as its own story, become one; a Genoa bridge collapse
    reported the next day stays apart (the model's floors: it shares no names and no mentions with them)."""
    reports = _features(sorted((Path(__file__).parent / "data" / "cluster" / "en").glob("*.txt")))
    assert [features.language for _, features in reports] == ["en"] * 4
    clusterer = _apart(StoryClusterer(settle_every=10**6))
    opened = [clusterer.assign(key, features).story_id for key, features in reports]
    merges = clusterer.consolidate()
    glasgow = {clusterer.resolve(s) for s in opened[:3]}
    assert len(glasgow) == 1 and len(merges) == 2
    assert clusterer.resolve(opened[3]) not in glasgow
    evidence = pair_evidence(clusterer.stories[opened[3]], clusterer.stories[glasgow.pop()])
    floors = load_merge_models()["en"]["floors"]
    assert evidence["mention_cosine"] < floors["mention_cosine"] and evidence["core_names_max"] < floors["core_names_max"]
