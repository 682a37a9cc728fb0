"""How bench/train_cluster.py chooses thresholds (the one-standard-error rule, ties to the most cautious setting), splits
the held-out check's folds and makes one-day copies of a training set."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from kabar.evidence import evidence
from kabar.features import ArticleFeatures
from kabar.story_state import StoryState, absorb
from train_cluster import SAME_DAY, Trial, in_fold, most_cautious_near_best, on_one_day


def _trial(join: float, per_shuffle: list[float], single: float | None = None) -> Trial:
    f1 = {"ecbplus/train.jsonl": per_shuffle}
    if single is not None:
        f1["clickid-dev/articles.jsonl"] = [single]
    return Trial({"join_threshold": join}, (join,), f1)


def test_standard_error_is_over_shuffles_and_a_single_stream_adds_none():
    trial = _trial(0.5, [0.90, 0.92, 0.94, 0.92], single=0.80)
    assert trial.scores == pytest.approx({"ecbplus/train.jsonl": 0.92, "clickid-dev/articles.jsonl": 0.80})
    assert trial.mean == pytest.approx(0.86)
    # sample variance of the shuffles 0.000267, over 4 shuffles, square-rooted, over 2 sets
    assert trial.standard_error == pytest.approx((0.0008 / 3 / 4) ** 0.5 / 2)


def test_the_most_cautious_setting_within_one_standard_error_of_the_best_is_chosen():
    best = _trial(0.4, [0.90, 0.92, 0.94, 0.92])  # mean 0.92, standard error 0.0082
    near = _trial(0.55, [0.91, 0.91, 0.92, 0.92])  # 0.915: within
    far = _trial(0.7, [0.89, 0.90, 0.91, 0.90])  # 0.90: outside
    assert most_cautious_near_best([best, near, far]) is near
    assert most_cautious_near_best([best, far]) is best


def test_without_shuffles_the_best_wins_and_ties_go_to_the_cautious():
    low, high, worse = _trial(0.4, [0.92]), _trial(0.55, [0.92]), _trial(0.7, [0.919])
    assert most_cautious_near_best([low, high, worse]) is high


def test_held_out_folds_keep_each_story_whole_and_split_every_shuffle_alike():
    stories = [f"s{n}" for n in range(30)]
    stream = [(f"{story}-{k}", story, None) for story in stories for k in range(3)]
    shuffled = list(reversed(stream))
    data = {"set.jsonl": [stream, shuffled]}
    for fold in range(3):
        held = in_fold(data, 3, fold, held_out=True)["set.jsonl"]
        rest = in_fold(data, 3, fold, held_out=False)["set.jsonl"]
        held_stories = {story for _, story, _ in held[0]}
        assert held_stories == {story for _, story, _ in held[1]}  # both shuffles split alike
        assert held_stories.isdisjoint(story for _, story, _ in rest[0])
        assert len(held[0]) + len(rest[0]) == len(stream)
        assert len(held[0]) == 3 * len(held_stories)  # a story's articles stay together
    folds_hit = {fold for fold in range(3) if in_fold(data, 3, fold, held_out=True)["set.jsonl"][0]}
    assert folds_hit == {0, 1, 2}


def _features(day: float | None, words: dict[str, float]) -> ArticleFeatures:
    return ArticleFeatures({}, {}, {}, frozenset(), frozenset(), day, "en", vector=words, title=words, mentions=words)


def test_a_one_day_copy_puts_every_article_on_the_same_day_and_leaves_the_rest_alone():
    dated, undated = _features(14000.25, {"quake": 1.0}), _features(None, {"flood": 1.0})
    shuffles = [[("a", "s1", dated), ("b", "s2", undated)], [("b", "s2", undated), ("a", "s1", dated)]]
    copies = on_one_day(shuffles)

    def order(streams: list) -> list:
        return [[(article, gold) for article, gold, _ in stream] for stream in streams]

    assert order(copies) == order(shuffles)
    assert {features.day for stream in copies for _, _, features in stream} == {SAME_DAY}
    assert copies[0][0][2].vector == {"quake": 1.0}
    assert dated.day == 14000.25 and undated.day is None  # the original streams are untouched
    # in the copy an article and a story are neither undated nor apart in time
    story = StoryState()
    absorb(story, copies[0][1][2])
    row = evidence(copies[0][0][2], story)
    assert (row["gap"], row["no_date"]) == (0.0, 0.0)
