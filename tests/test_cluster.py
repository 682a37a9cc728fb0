"""The story clusterer's contract (determinism, batch-split invariance, pickling) and behaviour on real articles."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from kabar.cluster import FEATURES, StoryClusterer, StoryRecord, load_models
from kabar.extract import extract
from kabar.features import ArticleFeatures, article_features
from kabar.read import read_paths

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "clickid-2019-09-10.jsonl"
MISSILE_STRIKE = Path(__file__).parent / "data" / "cluster" / "missile_strike_kharkiv.txt"


def _features(paths: list[Path]) -> list[tuple[str, ArticleFeatures]]:
    out = []
    for document in read_paths(paths, lambda source, message: None):
        article = extract(document)
        out.append((article.id, article_features(article)))
    return out


@pytest.fixture(scope="module")
def stream() -> list[tuple[str, ArticleFeatures]]:
    """The bundled CLICK-ID sample (323 articles of 2019-09-10) as clustering features, in file order."""
    return _features([SAMPLE])


def _run(clusterer: StoryClusterer, stream: list[tuple[str, ArticleFeatures]]) -> dict[str, str]:
    assigned = {article_id: clusterer.assign(article_id, features).story_id for article_id, features in stream}
    return {article_id: clusterer.resolve(story_id) for article_id, story_id in assigned.items()}


def _partition(assigned: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article_id, story_id in assigned.items():
        groups.setdefault(story_id, set()).add(article_id)
    return {frozenset(group) for group in groups.values()}


def test_the_same_input_order_gives_the_same_stories(stream):
    assert _run(StoryClusterer(), stream) == _run(StoryClusterer(), stream)


def test_splitting_the_stream_into_pickled_batches_changes_nothing(stream):
    whole = _run(StoryClusterer(), stream)
    clusterer = StoryClusterer()
    assigned: dict[str, str] = {}
    for start in range(0, len(stream), 37):
        for article_id, features in stream[start : start + 37]:
            assigned[article_id] = clusterer.assign(article_id, features).story_id
        clusterer = pickle.loads(pickle.dumps(clusterer))
    assert {a: clusterer.resolve(s) for a, s in assigned.items()} == whole


def test_the_sample_forms_multi_outlet_stories_without_one_giant_story(stream):
    stories = _partition(_run(StoryClusterer(), stream))
    sizes = sorted((len(group) for group in stories), reverse=True)
    assert sizes[0] <= 40, "topic chaining: one story swallowed many"
    assert sum(size for size in sizes if size >= 3) >= len(stream) // 2


def test_seed_reports_cluster_together_and_a_different_strike_stays_apart():
    seeds = _features(sorted((REPO / "examples" / "seeds").iterdir()))
    clusterer = StoryClusterer()
    seed_stories = {clusterer.assign(article_id, features).story_id for article_id, features in seeds}
    assert len({clusterer.resolve(s) for s in seed_stories}) == 1
    ((strike_id, strike),) = _features([MISSILE_STRIKE])
    assignment = clusterer.assign(strike_id, strike)
    assert assignment.is_new
    assert clusterer.resolve(next(iter(seed_stories))) != assignment.story_id


def test_a_late_article_finds_its_story_among_newer_ones(stream):
    """A crawl backfill: an article arrives after a week of newer articles and still joins the story it joins in order."""
    in_order = _run(StoryClusterer(), stream)
    late_index = max(i for i, (a, _) in enumerate(stream) if sum(s == in_order[a] for s in in_order.values()) >= 3)
    late_id, late = stream[late_index]
    clusterer = StoryClusterer()
    assigned = _run(clusterer, stream[:late_index] + stream[late_index + 1 :])
    for shift in range(1, 8):
        for article_id, features in stream[:40]:
            clusterer.assign(f"{article_id}+{shift}", ArticleFeatures(**{**_fields(features), "day": features.day + shift}))
    assignment = clusterer.assign(late_id, late)
    companions = {a for a, s in in_order.items() if s == in_order[late_id] and a != late_id}
    assert not assignment.is_new
    assert {clusterer.resolve(assigned[a]) for a in companions} == {assignment.story_id}


def _fields(features: ArticleFeatures) -> dict:
    return {name: getattr(features, name) for name in ArticleFeatures.__slots__}


def test_candidates_come_only_from_the_time_window(stream):
    clusterer = StoryClusterer()
    _run(clusterer, stream)
    _, features = stream[0]
    far = clusterer.observe(ArticleFeatures(**{**_fields(features), "day": features.day + 30}))
    assert clusterer.candidates(far) == []
    near = clusterer.observe(ArticleFeatures(**{**_fields(features), "day": features.day + 2}))
    assert 0 < len(clusterer.candidates(near)) <= clusterer.max_candidates


def test_merging_two_stories_redirects_their_articles_and_index(stream):
    clusterer = StoryClusterer()
    first = clusterer.assign(*stream[0]).story_id
    second = clusterer.new_story(clusterer.observe(stream[1][1]))
    clusterer.merge(second, first)
    assert clusterer.resolve(second) == first and second not in clusterer.stories
    assert clusterer.stories[first].size == 2
    assert first in clusterer.candidates(clusterer.observe(stream[1][1]))


def test_joining_keeps_the_evidence_a_reader_is_shown(stream):
    clusterer = StoryClusterer()
    joined = [a for a in (clusterer.assign(i, f) for i, f in stream) if not a.is_new]
    assert joined
    evidence = joined[0].evidence
    assert set(evidence) >= {"score", "cosine", "title_cosine", "shared_names", "gap_days"}
    assert 0.0 <= evidence["score"] <= 1.0
    json.dumps(evidence)


def test_shipped_models_match_the_features_and_have_thresholds():
    models = load_models()
    assert {"id", "en"} <= set(models)
    for model in models.values():
        assert len(model["weights"]) == len(model["features"]) and set(model["features"]) <= set(FEATURES)
        assert 0.0 < model["join_threshold"] < 1.0 and 0.0 < model["settle_threshold"] < 1.0


def test_a_story_quiet_for_days_reopens_for_a_strong_match(stream):
    clusterer = StoryClusterer()
    assigned = _run(clusterer, stream)
    article_id, features = next((a, f) for a, f in stream if sum(s == assigned[a] for s in assigned.values()) >= 3)
    five_days_later = ArticleFeatures(**{**_fields(features), "day": features.day + 5})
    assignment = clusterer.assign(f"{article_id}+5", five_days_later)
    assert not assignment.is_new and assignment.story_id == assigned[article_id]
    assert assignment.evidence["gap_days"] >= 4.9 and assignment.evidence["reopened"] is True
    assert assignment.evidence["score"] >= clusterer.models["id"]["reopen_threshold"]
    next_day = clusterer.assign(f"{article_id}+6", ArticleFeatures(**{**_fields(features), "day": features.day + 6}))
    assert next_day.story_id == assigned[article_id] and next_day.evidence["reopened"] is False, "the story is live again"


def test_settling_regroups_articles_that_were_each_judged_alone():
    """With joins switched off online, every seed report opens its own story; settling puts the five back together.

    Five singletons are the hardest case for the one-at-a-time pass (an article can join a story its partner is about
    to leave), so this clusterer sweeps twice."""
    seeds = _features(sorted((REPO / "examples" / "seeds").iterdir()))
    models = {language: dict(model, join_threshold=0.999, merge_threshold=1.01) for language, model in load_models().items()}
    clusterer = StoryClusterer(models=models, settle_sweeps=2)
    assigned = {article_id: clusterer.assign(article_id, features).story_id for article_id, features in seeds}
    assert len(set(assigned.values())) == len(seeds)
    moved = clusterer.settle()
    assigned.update({article_id: assignment.story_id for article_id, assignment in moved.items()})
    assert len({clusterer.resolve(s) for s in assigned.values()}) == 1
    assert all(not assignment.is_new and assignment.evidence["score"] > 0 for assignment in moved.values())
    assert clusterer.settle() == {}, "settling twice moves nothing: only new arrivals are unsettled"


def test_settling_keeps_every_article_in_exactly_one_live_story(stream):
    clusterer = StoryClusterer()
    assigned = _run(clusterer, stream)
    assigned.update({a: clusterer.resolve(m.story_id) for a, m in clusterer.settle().items()})
    sizes: dict[str, int] = {}
    for story_id in assigned.values():
        sizes[story_id] = sizes.get(story_id, 0) + 1
    assert sizes == {story_id: clusterer.stories[story_id].size for story_id in sizes}


def test_settles_and_previews_do_not_depend_on_how_the_stream_is_split(stream):
    """Settles come every ``settle_every`` arrivals and previews change no state, so ingesting in pieces changes nothing."""

    def run(piece: int) -> set[frozenset[str]]:
        clusterer = StoryClusterer(settle_every=40)
        assigned: dict[str, str] = {}
        for start in range(0, len(stream), piece):
            for article_id, features in stream[start : start + piece]:
                assignment = clusterer.assign(article_id, features)
                assigned[article_id] = assignment.story_id
                assigned.update({a: settled.story_id for a, settled in assignment.settled.items()})
            preview = clusterer.preview()
            assigned.update({a: previewed.story_id for a, previewed in preview.decisions.items()})
            clusterer = pickle.loads(pickle.dumps(clusterer))
        return _partition({a: preview.story_of(clusterer.resolve(s)) for a, s in assigned.items()})

    whole = run(len(stream))
    assert run(29) == whole
    assert whole != _partition(_run(StoryClusterer(), stream)), "settling changed nothing on this stream"


def test_evidence_by_default_is_every_feature_and_a_model_s_subset_agrees(stream):
    clusterer = StoryClusterer()
    _run(clusterer, stream[:60])
    features = clusterer.observe(stream[60][1])
    candidate_ids = clusterer.candidates(features)
    assert candidate_ids
    full = clusterer.pair_evidence(features, candidate_ids)
    assert all(set(row) == set(FEATURES) for row in full)
    wanted = frozenset(clusterer.model("id")["features"])
    subset = clusterer.pair_evidence(features, candidate_ids, wanted)
    assert [set(row) for row in subset] == [wanted] * len(candidate_ids)
    assert all(row[name] == pytest.approx(whole[name]) for row, whole in zip(subset, full, strict=True) for name in wanted)


def test_forgotten_stories_leave_the_index(stream, monkeypatch):
    monkeypatch.setattr("kabar.cluster.COMPACT_EVERY", 50)
    clusterer = StoryClusterer(memory_articles=100)
    _run(clusterer, stream)
    live = set(clusterer.stories)
    assert all(story.touched >= clusterer.arrivals - 150 for story in clusterer.stories.values())
    assert len(live) < clusterer.next_story - 1 - len(clusterer.merged_into)
    indexed = {s for by_day in clusterer.postings.values() for ids in by_day.values() for s in ids}
    assert indexed == set(clusterer.posted)
    assert {clusterer.resolve(s) for s in indexed} <= live
    restored = pickle.loads(pickle.dumps(clusterer))
    assert restored.posted == clusterer.posted
    assert _buckets(restored) == _buckets(clusterer)


def _buckets(clusterer: StoryClusterer) -> dict[tuple, list[str]]:
    """Every posting bucket of the index with its stories in order (the order candidates break ties in)."""
    return {(term, day): list(ids) for term, by_day in clusterer.postings.items() for day, ids in by_day.items()}


def test_a_clusterer_restored_from_its_saved_changes_goes_on_as_if_never_stopped(stream, monkeypatch):
    monkeypatch.setattr("kabar.cluster.COMPACT_EVERY", 50)
    uninterrupted = StoryClusterer(memory_articles=100)
    whole = _run(uninterrupted, stream)
    clusterer = StoryClusterer(memory_articles=100)
    saved: dict[str, StoryRecord] = {}
    frequencies: list[dict[str, int]] = []
    assigned: dict[str, str] = {}
    forgotten = 0
    for start in range(0, len(stream), 37):
        for article_id, features in stream[start : start + 37]:
            assigned[article_id] = clusterer.assign(article_id, features).story_id
        state, changes, changed_frequencies = pickle.loads(pickle.dumps(clusterer.take_changes()))
        for story_id, record in changes.items():
            if record is None:
                forgotten += 1
                saved.pop(story_id, None)
            else:
                saved[story_id] = record
        frequencies.append(changed_frequencies)
        clusterer = StoryClusterer.restore(state, saved.items(), frequencies)
    assert forgotten > 0
    assert {a: clusterer.resolve(s) for a, s in assigned.items()} == whole
    assert clusterer.stories.keys() == uninterrupted.stories.keys()
    assert _buckets(clusterer) == _buckets(uninterrupted)
    assert clusterer.weights.document_frequency == uninterrupted.weights.document_frequency
    assert 0 < len(frequencies[-1]) < len(uninterrupted.weights.document_frequency)  # a batch saves the frequencies it changed
