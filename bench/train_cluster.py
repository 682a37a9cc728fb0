"""Train the story clusterer's scoring models and write src/kabar/models/cluster-<language>.json.

    python bench/train_cluster.py ../shared/eval/clickid-dev/articles.jsonl ../shared/eval/ecbplus/train.jsonl \
        --tune ../shared/eval/ecbplus/dev.jsonl --same-day-copies en \
        --features en=cosine,title_cosine,mention_cosine,names,numbers,year_conflict,gap,no_date

Method (after Miranda et al. 2018, who rank candidate clusters then decide join-or-new):

One model per language (the language most of a set's articles are in): Indonesian from clickid-dev,
English from ECB+ train.

1. Pairs: each training stream is replayed in order with the gold stories (ECB+, which has no
   dates, in several shuffles); every candidate story the index proposes for an article becomes
   one example, positive when it is the article's gold story. Each set weighs the same in total.
2. A logistic regression over the clusterer's evidence features (kabar.cluster.FEATURES, or the
   subset ``--features`` names for a language) is fitted.
3. The join, settle, reopen and merge thresholds are chosen by running the real online clusterer
   (with its settles, and a preview of the last one at the end, as an ingest does) over the training streams (and the
   ``--tune`` sets, e.g. ECB+ dev, used for nothing else), by the one-standard-error rule: of the settings whose mean
   B-cubed F1 is within one standard error (over the shuffles) of the best, the most cautious (highest thresholds,
   fewest merges). Scores are nearly flat near the best on the streams they are chosen on, while on unseen ones
   wrong merges cost most, so a tie goes to fewer merges.

With ``--same-day-copies LANG``, each of that language's sets is used twice, the second time with every article
published on one day (a set of its own, weighing the same): the model must then tell apart the events of one topic
by what they say, not by which of them happens to be dated (in ECB+ one event of each topic is almost all undated).

Only dev/train splits are used; the model file holds the weights, thresholds and the scores reached.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from kabar.cluster import FEATURES, StoryClusterer, model_path
from kabar.extract import ExtractionError, extract
from kabar.features import ArticleFeatures, article_features
from kabar.metrics import bcubed
from kabar.read import read_paths
from kabar.story_merge import FLOOR_CHECKS, PAIR_FEATURES, merge_model_path, pair_evidence

ECB_SHUFFLES = 10
JOIN_GRID = (0.25, 0.4, 0.55, 0.7, 0.85)
SETTLE_GRID = (0.2, 0.3, 0.4, 0.5)
MERGE_GRID = (0.95, 0.97, 0.99)
"""The English model is sure of most same-topic stories, so merging at 0.95 joined ECB+ events of one topic."""
MERGE_MODEL_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
"""Thresholds tried for the story-merge model (consolidation)."""
FLOOR_PERCENTILE = 5
"""A merge needs the FLOOR_CHECKS evidence of the weakest 5% of the true merges in training, or more."""
MERGE_MIN_POSITIVES = 10
"""A merge model is fitted only on at least this many story pairs of each kind."""
SAME_DAY = 14245.5
"""The day every article of a one-day copy is published on (2009-01-01, noon UTC): any day would do, only gaps count."""
REOPEN_FLOOR = 0.7
"""A story quiet for days is re-opened only by a match at least this probable."""
REGULARISATION = 10.0
"""Inverse L2 strength; with balanced classes this did best in a two-fold split of clickid-dev by story."""

Stream = list[tuple[str, str, ArticleFeatures]]


def load_stream(path: str) -> tuple[Stream, bool]:
    """(id, gold story, features) for every article of a labelled JSONL file, in file order; and whether it has dates."""
    gold, dated = {}, False
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            gold[str(row["id"])] = str(row["story"])
            dated = dated or bool(row.get("published"))
    stream = []
    for document in read_paths([path], lambda source, message: None):
        try:
            article = extract(document)
        except ExtractionError:
            continue
        stream.append((article.id, gold[article.id], article_features(article)))
    return stream, dated


def streams(paths: list[str]) -> dict[str, list[Stream]]:
    """Training streams per set: dated sets in file order, undated ones in several seeded shuffles."""
    out = {}
    for path in paths:
        stream, dated = load_stream(path)
        shuffles = [stream]
        if not dated:
            shuffles = []
            for seed in range(ECB_SHUFFLES):
                copy = list(stream)
                random.Random(seed).shuffle(copy)
                shuffles.append(copy)
        out[path] = shuffles
    return out


def on_one_day(set_streams: list[Stream]) -> list[Stream]:
    """The streams with every article published on the same day (SAME_DAY), in the same order."""
    return [[(article, gold, replace(features, day=SAME_DAY)) for article, gold, features in stream] for stream in set_streams]


def language_of(set_streams: list[Stream]) -> str:
    """The language most articles of a set are in."""
    return Counter(f.language for _, _, f in set_streams[0]).most_common(1)[0][0]


def pairs(stream: Stream, models: dict, features_used: list[str]) -> tuple[list[list[float]], list[int]]:
    """Evidence rows (``features_used``) and labels from replaying a stream with its gold stories."""
    clusterer = StoryClusterer(models=models, merge_models={})
    story_of_gold: dict[str, str] = {}
    gold_of_story: dict[str, str] = {}
    rows, labels = [], []
    for _, gold, features in stream:
        features = clusterer.observe(features)
        candidate_ids = clusterer.candidates(features)
        rows += [[e[name] for name in features_used] for e in clusterer.pair_evidence(features, candidate_ids)]
        labels += [int(gold_of_story[s] == gold) for s in candidate_ids]
        if story_of_gold.get(gold) in clusterer.stories:
            clusterer.add_to(story_of_gold[gold], features)
        else:
            story_of_gold[gold] = clusterer.new_story(features)
            gold_of_story[story_of_gold[gold]] = gold
    return rows, labels


def cluster_f1(stream: Stream, models: dict, merge_models: dict | None = None) -> float:
    """B-cubed F1 of the online clusterer with these models over one stream, settled and previewed as an ingest does."""
    clusterer = StoryClusterer(models=models, merge_models=merge_models or {})
    assigned: dict[str, str] = {}
    for article_id, _, features in stream:
        assignment = clusterer.assign(article_id, features)
        assigned[article_id] = assignment.story_id
        assigned.update({key: settled.story_id for key, settled in assignment.settled.items()})
    preview = clusterer.preview()
    assigned.update({key: settled.story_id for key, settled in preview.decisions.items()})
    predicted = {a: preview.story_of(clusterer.resolve(s)) for a, s in assigned.items()}
    return bcubed({a: g for a, g, _ in stream}, predicted)[2]


def merge_pairs(stream: Stream, language: str, models: dict) -> tuple[list[list[float]], list[int]]:
    """Story-pair evidence rows and labels: the stream clustered online and settled, then every story paired with its
    candidates, the pair positive when both stories' gold majorities agree."""
    clusterer = StoryClusterer(models=models, merge_models={})
    assigned: dict[str, str] = {}
    for article_id, _, features in stream:
        assignment = clusterer.assign(article_id, features)
        assigned[article_id] = assignment.story_id
        assigned.update({key: settled.story_id for key, settled in assignment.settled.items()})
    assigned.update({key: settled.story_id for key, settled in clusterer.settle().items()})
    votes: dict[str, Counter[str]] = {}
    for article_id, gold, _ in stream:
        votes.setdefault(clusterer.resolve(assigned[article_id]), Counter())[gold] += 1
    majority = {story_id: counts.most_common(1)[0][0] for story_id, counts in votes.items()}
    clusterer.unconsolidated = dict.fromkeys(clusterer.stories, language)
    rows, labels = [], []
    for first, second in sorted(clusterer.consolidation_pairs().get(language, ())):
        evidence = pair_evidence(clusterer.stories[first], clusterer.stories[second])
        rows.append([evidence[name] for name in PAIR_FEATURES])
        labels.append(int(majority[first] == majority[second]))
    return rows, labels


def train_merge(language: str, data: dict[str, list[Stream]], tune: dict[str, list[Stream]], model: dict) -> dict | None:
    """Fit the story-merge model on the training sets' story pairs and choose its threshold by online B-cubed F1 (sets and
    rule as in ``train``); None when not consolidating is chosen."""
    x, y, w = [], [], []
    for path, set_streams in data.items():
        set_rows, set_labels = [], []
        for stream in set_streams:
            rows, labels = merge_pairs(stream, language, {language: model})
            set_rows += rows
            set_labels += labels
        print(f"{language} merge {label(path)}: {len(set_rows)} story pairs, {sum(set_labels)} positive", file=sys.stderr)
        if set_rows:
            x += set_rows
            y += set_labels
            w += [1.0 / len(set_rows)] * len(set_rows)
    if len(set(y)) < 2 or min(Counter(y).values()) < MERGE_MIN_POSITIVES:
        print(f"{language} merge: too few pairs of each kind to fit", file=sys.stderr)
        return None
    regression = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    regression.fit(x, y, sample_weight=[v * len(x) / len(data) for v in w])
    positives = [row for row, label_ in zip(x, y, strict=True) if label_]
    merge_model = {
        "features": list(PAIR_FEATURES),
        "weights": [round(float(v), 5) for v in regression.coef_[0]],
        "bias": round(float(regression.intercept_[0]), 5),
        "floors": {
            name: round(float(np.percentile([row[PAIR_FEATURES.index(name)] for row in positives], FLOOR_PERCENTILE)), 3)
            for name in FLOOR_CHECKS
        },
    }
    every = {**data, **tune}
    trials = [Trial(None, (math.inf,), stream_f1(every, {language: model}, {}))]  # not consolidating: the most cautious
    print(f"{language} merge: none: {trials[0].scores} ± {trials[0].standard_error:.4f}", file=sys.stderr)
    for threshold in MERGE_MODEL_GRID:
        setting = dict(merge_model, merge_threshold=threshold)
        trials.append(Trial(setting, (threshold,), stream_f1(every, {language: model}, {language: setting})))
        print(f"{language} merge {threshold}: {trials[-1].scores} ± {trials[-1].standard_error:.4f}", file=sys.stderr)
    chosen = most_cautious_near_best(trials)
    if chosen.setting is not None:
        chosen.setting["training"] = {
            "fitted_on": sorted(label(p) for p in data),
            "bcubed_f1": {k: round(v, 4) for k, v in chosen.scores.items()},
        }
    return chosen.setting


def label(path: str) -> str:
    """Short name of a training set: its folder and file name."""
    return f"{Path(path).parent.name}/{Path(path).name}"


@dataclass
class Trial:
    """One setting tried: what it sets, how cautious it is (higher: fewer merges), and its B-cubed F1 per stream by set."""

    setting: Any
    caution: tuple[float, ...]
    f1: dict[str, list[float]]

    @property
    def scores(self) -> dict[str, float]:
        """Mean F1 per set."""
        return {name: statistics.fmean(values) for name, values in self.f1.items()}

    @property
    def mean(self) -> float:
        """Mean over the sets of their mean F1 (each set weighs the same)."""
        return statistics.fmean(self.scores.values())

    @property
    def standard_error(self) -> float:
        """Standard error of ``mean`` over the streams (a set of one stream, in file order, adds none)."""
        variance = sum(statistics.variance(v) / len(v) for v in self.f1.values() if len(v) > 1)
        return math.sqrt(variance) / len(self.f1)


def most_cautious_near_best(trials: list[Trial]) -> Trial:
    """The one-standard-error rule: the most cautious trial whose mean is within one standard error of the best one's."""
    best = max(trials, key=lambda t: t.mean)
    return max((t for t in trials if t.mean >= best.mean - best.standard_error), key=lambda t: (t.caution, t.mean))


def stream_f1(sets: dict[str, list[Stream]], models: dict, merge_models: dict | None = None) -> dict[str, list[float]]:
    """B-cubed F1 of every stream of every set (by the set's short name)."""
    return {label(path): [cluster_f1(stream, models, merge_models) for stream in streams_] for path, streams_ in sets.items()}


def fit(language: str, data: dict[str, list[Stream]], seed: dict) -> dict:
    """Fit the regression on the gold-replay pairs of every stream of the language's sets."""
    x, y, w = [], [], []
    for path, set_streams in data.items():
        set_rows, set_labels = [], []
        for stream in set_streams:
            rows, labels = pairs(stream, {language: seed}, seed["features"])
            set_rows += rows
            set_labels += labels
        x += set_rows
        y += set_labels
        w += [1.0 / len(set_rows)] * len(set_rows)
        print(f"{language} {label(path)}: {len(set_rows)} pairs, {sum(set_labels)} positive", file=sys.stderr)
    regression = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    regression.fit(x, y, sample_weight=[v * len(x) / len(data) for v in w])
    return dict(seed, weights=[round(float(v), 5) for v in regression.coef_[0]], bias=round(float(regression.intercept_[0]), 5))


def train(language: str, data: dict[str, list[Stream]], tune: dict[str, list[Stream]], features_used: list[str]) -> dict:
    """Fit one language's model on its training sets; choose its thresholds by online B-cubed F1 on those and the tuning sets."""
    seed = {
        "features": features_used,
        "weights": [0.0] * len(features_used),
        "bias": 0.0,
        "join_threshold": 0.5,
        "settle_threshold": 0.5,
        "reopen_threshold": 0.5,
        "merge_threshold": 1.01,
    }
    model = fit(language, data, seed)
    weights = ", ".join(f"{n}={v:+.3f}" for n, v in zip(features_used, model["weights"], strict=True))
    print(f"{language} weights: {weights}, bias={model['bias']:+.3f}", file=sys.stderr)
    trials = []
    for join, settle, merge in itertools.product(JOIN_GRID, SETTLE_GRID, MERGE_GRID):
        setting = dict(
            model, join_threshold=join, settle_threshold=settle, reopen_threshold=max(join, REOPEN_FLOOR), merge_threshold=merge
        )
        trial = Trial(setting, (join, merge, settle), stream_f1({**data, **tune}, {language: setting}))
        grid_point = f"join {join} settle {settle} merge {merge}"
        print(f"{language} {grid_point}: {trial.scores} ± {trial.standard_error:.4f}", file=sys.stderr)
        trials.append(trial)
    chosen = most_cautious_near_best(trials)
    model = chosen.setting
    model["training"] = {
        "fitted_on": sorted(label(p) for p in data),
        "thresholds_chosen_on": sorted(chosen.scores),
        "bcubed_f1": {k: round(v, 4) for k, v in chosen.scores.items()},
    }
    return model


def story_fold(story: str, folds: int) -> int:
    """The fold of a gold story in a held-out check: a hash of its id, so every shuffle of a set splits alike."""
    return int.from_bytes(hashlib.sha1(story.encode("utf-8")).digest()[:4], "big") % folds


def in_fold(data: dict[str, list[Stream]], folds: int, fold: int, held_out: bool) -> dict[str, list[Stream]]:
    """Each stream of each set cut to the articles of the gold stories in ``fold`` (``held_out``) or in the others."""
    return {
        path: [[item for item in stream if (story_fold(item[1], folds) == fold) == held_out] for stream in set_streams]
        for path, set_streams in data.items()
    }


def held_out_check(
    language: str, data: dict[str, list[Stream]], tune: dict[str, list[Stream]], features_used: list[str], folds: int
) -> None:
    """Print how the training method does on stories it never saw: the training sets' gold stories split into ``folds``;
    for each fold a model is trained (weights, thresholds, merge model) on the other folds' articles and scored on the
    fold's articles, streamed alone; beside it, the model trained on everything scored on the same fold (in-sample)."""
    everything = train(language, data, tune, features_used)
    everything_merge = train_merge(language, data, tune, everything)
    held, seen = [], []
    for fold in range(folds):
        training = in_fold(data, folds, fold, held_out=False)
        model = train(language, training, tune, features_used)
        merge_model = train_merge(language, training, tune, model)
        test = in_fold(data, folds, fold, held_out=True)
        held.append(Trial(None, (), stream_f1(test, {language: model}, {language: merge_model} if merge_model else {})).mean)
        merges = {language: everything_merge} if everything_merge else {}
        seen.append(Trial(None, (), stream_f1(test, {language: everything}, merges)).mean)
        print(
            f"{language} fold {fold + 1}/{folds}: held out {held[-1]:.4f} (join {model['join_threshold']}, "
            f"settle {model['settle_threshold']}, merge {model['merge_threshold']}); in-sample {seen[-1]:.4f}"
        )
    print(f"{language} mean over {folds} folds: held out {statistics.fmean(held):.4f}, in-sample {statistics.fmean(seen):.4f}")


def main() -> int:
    """Fit one model per language, choose thresholds, write the model files (or, with --folds, only check them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", nargs="+", help="labelled JSONL training sets (story field)")
    parser.add_argument("--tune", nargs="*", default=[], help="labelled sets used only to choose the thresholds")
    parser.add_argument(
        "--features", nargs="*", default=[], metavar="LANG=NAME,NAME", help="evidence a language's model reads (default: all)"
    )
    parser.add_argument(
        "--same-day-copies",
        nargs="*",
        default=[],
        metavar="LANG",
        help="for these languages, train and tune on a copy of each set too, every article published on one day",
    )
    parser.add_argument(
        "--folds", type=int, default=0, metavar="K", help="write nothing: print a K-fold held-out check by gold story instead"
    )
    args = parser.parse_args()
    by_language: dict[str, dict[str, list[Stream]]] = {}
    tuning: dict[str, dict[str, list[Stream]]] = {}
    for path, set_streams in streams(args.labelled).items():
        by_language.setdefault(language_of(set_streams), {})[path] = set_streams
    for path, set_streams in streams(args.tune).items():
        tuning.setdefault(language_of(set_streams), {})[path] = set_streams
    for code in args.same_day_copies:
        for sets in (by_language.get(code, {}), tuning.get(code, {})):
            sets.update({f"{path} (one day)": on_one_day(set_streams) for path, set_streams in list(sets.items())})
    for language, data in sorted(by_language.items()):
        chosen = dict(item.split("=", 1) for item in args.features)
        features_used = chosen[language].split(",") if language in chosen else list(FEATURES)
        if args.folds > 1:
            held_out_check(language, data, tuning.get(language, {}), features_used, args.folds)
            continue
        model = train(language, data, tuning.get(language, {}), features_used)
        model_path(language).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        merge_model = train_merge(language, data, tuning.get(language, {}), model)
        if merge_model is None:
            merge_model_path(language).unlink(missing_ok=True)
        else:
            merge_model_path(language).write_text(json.dumps(merge_model, indent=1) + "\n", encoding="utf-8")
        print(
            f"wrote {model_path(language)}: join {model['join_threshold']}, settle {model['settle_threshold']}, "
            f"merge {model['merge_threshold']}, "
            f"B-cubed F1 {model['training']['bcubed_f1']}; "
            + (
                f"story merges at {merge_model['merge_threshold']}: {merge_model['training']['bcubed_f1']}"
                if merge_model
                else "no story merges"
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
