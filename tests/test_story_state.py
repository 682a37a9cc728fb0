"""Story state sums: centroids stay exact under add and subtract; big stories keep only their heaviest terms and names."""

from __future__ import annotations

import math
from collections import Counter

from kabar.features import ArticleFeatures
from kabar.story_state import (
    CENTROID_TERMS,
    STORY_NAMES,
    StoryState,
    absorb,
    add_vector,
    copy_story,
    subtract_vector,
    update_core,
)


def _unit(words: list[str]) -> dict[str, float]:
    weight = 1.0 / math.sqrt(len(words))
    return dict.fromkeys(words, weight)


def _norm_sq(centroid: dict[str, float]) -> float:
    return sum(w * w for w in centroid.values())


def test_adding_then_subtracting_a_vector_restores_the_centroid_and_its_norm():
    centroid: dict[str, float] = {}
    norm_sq = add_vector(centroid, 0.0, _unit(["gempa", "palu", "tsunami"]))
    before, before_norm = dict(centroid), norm_sq
    norm_sq = add_vector(centroid, norm_sq, _unit(["gempa", "donggala", "korban"]))
    norm_sq = subtract_vector(centroid, norm_sq, _unit(["gempa", "donggala", "korban"]))
    assert centroid.keys() == before.keys()
    assert all(math.isclose(centroid[t], before[t]) for t in before)
    assert math.isclose(norm_sq, before_norm)


def test_a_big_story_s_centroid_keeps_its_heaviest_terms_with_an_exact_norm():
    centroid: dict[str, float] = {}
    norm_sq = 0.0
    # every article shares the story's five core words and brings ten words of its own
    for article in range(CENTROID_TERMS):
        words = ["kpk", "revisi", "dpr", "undang", "pimpinan"] + [f"w{article}_{i}" for i in range(10)]
        norm_sq = add_vector(centroid, norm_sq, _unit(words))
        assert len(centroid) <= 2 * CENTROID_TERMS
    assert {"kpk", "revisi", "dpr", "undang", "pimpinan"} <= centroid.keys()
    assert math.isclose(norm_sq, _norm_sq(centroid))
    # taking out more than a trimmed centroid holds of a term leaves no negative weight, and the norm stays exact
    norm_sq = subtract_vector(centroid, norm_sq, _unit(["kpk", "revisi", "dpr", "undang", "pimpinan", "w0_1", "w0_2"]))
    assert min(centroid.values()) > 0
    assert math.isclose(norm_sq, _norm_sq(centroid))


def test_a_big_story_keeps_its_most_frequent_names_and_their_weights():
    story = StoryState()
    for article in range(3 * STORY_NAMES):
        # two names in every article, one of their own in each
        names = {"joko widodo": 6.0, "revisi uu kpk": 8.0, f"saksi {article}": 9.0}
        absorb(story, ArticleFeatures(Counter(), Counter(), names, frozenset(), frozenset(), None, "id"))
        assert len(story.names) <= 2 * STORY_NAMES
    assert story.names["joko widodo"] == story.names["revisi uu kpk"] == 3 * STORY_NAMES
    assert story.core_names == {"joko widodo": 6.0, "revisi uu kpk": 8.0}
    assert story.name_weights.keys() == story.names.keys()


def test_core_names_kept_up_as_articles_arrive_equal_those_counted_afresh():
    story = StoryState()
    # a story whose lead actor changes halfway: early names leave the core, later ones join it
    for article in range(40):
        names = {"wiranto": 7.0} if article < 20 else {"mahfud md": 7.5}
        names |= {"polri": 4.0, f"saksi {article % 3}": 9.0}
        absorb(story, ArticleFeatures(Counter(), Counter(), names, frozenset(), frozenset(), None, "id"))
        afresh = copy_story(story)
        update_core(afresh)
        assert story.core_names == afresh.core_names
        assert story.core_weight == afresh.core_weight
    assert set(story.core_names) == {"polri", "wiranto", "mahfud md"}
