"""Cluster stage: assign each incoming article to a story, online.

For every article:

1. Candidates come from an inverted index of (term, publication day) → stories, read only for the
   days within ``window_days`` of the article's day (and undated stories; an undated article reads
   every day), keeping the ``max_candidates`` stories that share the most weight of its salient
   terms. The work per article is bounded by the window, not by the number of stories; stories no
   article has touched for ``memory_articles`` arrivals are dropped from memory (they stay in the
   store), so memory is bounded too and late articles within that reach still find their story.
2. Each candidate is scored by a small logistic-regression model for the article's language
   (``models/cluster-<language>.json``, trained by bench/train_cluster.py on clickid-dev for
   Indonesian and ECB+ train for English) over evidence (each model reads its own subset): cosine
   to the story's centroid and to its latest members, title cosines, shared names and numbers,
   conflicting years, the time gap and the story's size.
3. The article joins the most probable candidate when its probability reaches the model's join
   threshold (a story quiet for more than ``quiet_days`` needs the higher reopen threshold);
   otherwise it opens a new story. Any other candidate that is as probable as the merge threshold is
   merged into the joined story: the article showed the two are one.
4. Every ``settle_every`` arrivals, ``settle`` decides the articles since the last settle again
   against the stories and document frequencies as they now are, so the first articles of a story,
   judged alone, move to the story that formed after them. At the end of an input ``preview`` tells
   where the articles not settled yet would go, without changing any state, so results do not
   depend on how the input is split.

The clusterer holds only plain data, so it pickles; it is deterministic for the same input order.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kabar.features import MENTION_TERMS, VECTOR_TERMS, ArticleFeatures, prior, weigh
from kabar.model import Assignment
from kabar.story_state import StoryState, absorb, copy_story, dot, fold, release

MODEL_DIR = Path(__file__).parent / "models"
DEFAULT_LANGUAGE = "id"
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
"""Evidence from a story's latest members, computed only for models that read it."""
GAP_CAP_DAYS = 2.0
"""Gaps saturate at two days: the labelled Indonesian data spans two days, so longer gaps cannot be learned; a story
quiet for longer is re-opened only above the reopen threshold (quiet_days)."""
SURE_JOIN = 0.9
"""Articles that joined a story at this probability are not decided again when settling: on clickid-dev and ECB+ train 2
of 717 such arrivals would move, against 37 of 175 that opened a story, and skipping them halves the cost of settling."""
COMPACT_EVERY = 5000
"""Arrivals between sweeps that drop forgotten stories from memory and the index."""


@dataclass(slots=True)
class Unsettled:
    """An article that arrived since the last settle: its weighed features, its story and whether it joined it surely."""

    features: ArticleFeatures
    story_id: str
    sure: bool = False


def _cosine(vector: dict[str, float], centroid: dict[str, float], norm_sq: float) -> float:
    """Cosine of a unit vector with a centroid whose squared norm is ``norm_sq``."""
    return dot(vector, centroid) / math.sqrt(norm_sq) if norm_sq > 0 else 0.0


def model_path(language: str) -> Path:
    """Where the trained model for a language lives."""
    return MODEL_DIR / f"cluster-{language}.json"


def load_models() -> dict[str, dict[str, Any]]:
    """The trained scoring models by language: the evidence they read, weights, bias and decision thresholds."""
    models = {}
    for path in sorted(MODEL_DIR.glob("cluster-*.json")):
        model = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(model["features"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"{path}: model features {sorted(unknown)} are not evidence the clusterer computes")
        models[path.stem.removeprefix("cluster-")] = model
    return models


class StoryClusterer:
    """Online story clusterer: indexed candidates, a learned join-or-new decision, merges.

    All settings are constructor arguments, stored as given, so a clusterer can be cloned or pickled.
    """

    def __init__(
        self,
        window_days: float = 7.0,
        quiet_days: float = 3.0,
        memory_articles: int = 20_000,
        query_terms: int = 10,
        index_terms: int = 15,
        max_candidates: int = 6,
        settle_every: int = 1000,
        settle_sweeps: int = 1,
        models: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.window_days = window_days
        self.quiet_days = quiet_days
        self.memory_articles = memory_articles
        self.query_terms = query_terms
        self.index_terms = index_terms
        self.max_candidates = max_candidates
        self.settle_every = settle_every
        self.settle_sweeps = settle_sweeps
        self.models = models if models is not None else load_models()
        self.stories: dict[str, StoryState] = {}
        self.postings: dict[str, dict[int | None, dict[str, None]]] = {}
        self.merged_into: dict[str, str] = {}
        self.next_story = 1
        self.arrivals = 0
        self.document_frequency: dict[str, int] = {}
        self.unsettled: dict[str, Unsettled] = {}

    def observe(self, features: ArticleFeatures) -> ArticleFeatures:
        """Count an arriving article's terms into the stream's document frequencies; return it with its vectors weighed."""
        self.arrivals += 1
        frequency = self.document_frequency
        for term in features.counts:
            frequency[term] = frequency.get(term, 0) + 1
        for token in features.mention_counts:
            frequency[token] = frequency.get(token, 0) + 1
        return self.weigh(features)

    def weigh(self, features: ArticleFeatures) -> ArticleFeatures:
        """The article with its vectors weighed by the IDF as of now.

        IDF blends the shipped prior with the stream: log((N0 + n + 1) / (df0 + df + 1)) + 1.
        """
        frequency = self.document_frequency
        prior_df, prior_documents = prior(features.language)
        log_documents = math.log(prior_documents + self.arrivals + 1) + 1.0
        log = math.log
        idf = {t: log_documents - log(prior_df.get(t, 0) + frequency[t] + 1) for t in features.counts}
        mention_idf = {t: log_documents - log(frequency[t] + 1) for t in features.mention_counts}
        return replace(
            features,
            vector=weigh(features.counts, idf, VECTOR_TERMS),
            title=weigh(features.title_counts, idf),
            mentions=weigh(features.mention_counts, mention_idf, MENTION_TERMS),
        )

    # candidates ------------------------------------------------------------------------------

    def _resolve(self, story_id: str) -> str:
        while story_id in self.merged_into:
            story_id = self.merged_into[story_id]
        return story_id

    def _posting_days(self, by_day: dict[int | None, dict[str, None]], day: float | None) -> list[dict[str, None]]:
        """Postings of a term for the days an article may match: its window and undated stories; all days when undated."""
        if day is None:
            return list(by_day.values())
        centre, reach = int(day), math.ceil(self.window_days)
        found = [by_day[d] for d in range(centre - reach, centre + reach + 1) if d in by_day]
        if None in by_day:
            found.append(by_day[None])
        return found

    def candidates(self, features: ArticleFeatures) -> list[str]:
        """Stories sharing the article's salient terms in articles published within the window, best first."""
        hits: defaultdict[str, float] = defaultdict(float)
        merged = self.merged_into
        for term, weight in list(features.vector.items())[: self.query_terms]:
            by_day = self.postings.get(term)
            if by_day is None:
                continue
            for story_ids in self._posting_days(by_day, features.day):
                for story_id in story_ids:
                    if story_id in merged:
                        story_id = self._resolve(story_id)
                    hits[story_id] += weight
        ranked = sorted(hits.items(), key=lambda kv: -kv[1])
        return [story_id for story_id, _ in ranked if story_id in self.stories and self.stories[story_id].size][
            : self.max_candidates
        ]

    # evidence --------------------------------------------------------------------------------

    def _gap(self, features: ArticleFeatures, story: StoryState) -> float | None:
        if features.day is None or story.first_day is None or story.last_day is None:
            return None
        return max(0.0, story.first_day - features.day, features.day - story.last_day)

    def evidence(self, features: ArticleFeatures, story: StoryState, members: bool = True) -> dict[str, float]:
        """Evidence that an article belongs to a story, by name (all of FEATURES but the products); the nearest-member
        evidence (MEMBER_FEATURES, eight dot products) is left at 0 unless ``members``."""
        cosine = _cosine(features.vector, story.centroid, story.norm_sq)
        title = _cosine(features.title, story.title_centroid, story.title_norm_sq)
        mention = _cosine(features.mentions, story.mention_centroid, story.mention_norm_sq)
        total = sum(features.names.values()) or 1.0
        names = sum([weight for name, weight in features.names.items() if name in story.names]) / total
        core = story.core_names
        core_names = sum([weight for name, weight in core.items() if name in features.names]) / story.core_weight if core else 0.0
        shared_numbers = sum(1 for n in features.numbers if n in story.numbers)
        member_cosines = [dot(features.vector, v) for v, _ in story.members] if members else []
        member_titles = [dot(features.title, t) for _, t in story.members] if members else []
        member_cosines, member_titles = member_cosines or [0.0], member_titles or [0.0]
        year_conflict = 1.0 if features.years and story.years and not any(y in story.years for y in features.years) else 0.0
        gap = self._gap(features, story)
        return {
            "cosine": cosine,
            "title_cosine": title,
            "mention_cosine": mention,
            "max_cosine": max(member_cosines),
            "max_title": max(member_titles),
            "mean_cosine": sum(member_cosines) / len(member_cosines),
            "mean_title": sum(member_titles) / len(member_titles),
            "year_conflict": year_conflict,
            "names": names,
            "core_names": core_names,
            "numbers": min(1.0, math.log1p(shared_numbers) / math.log(4)),
            "gap": min(gap, GAP_CAP_DAYS) / GAP_CAP_DAYS if gap is not None else 0.0,
            "no_date": 1.0 if gap is None else 0.0,
            "size": min(1.0, math.log1p(story.size) / math.log(100)),
        }

    def pair_evidence(self, features: ArticleFeatures, candidate_ids: list[str], members: bool = True) -> list[dict[str, float]]:
        """The evidence (FEATURES, by name; see ``evidence`` for ``members``) for an article against each candidate story."""
        rows = []
        for story_id in candidate_ids:
            evidence = self.evidence(features, self.stories[story_id], members)
            evidence["cosine_x_title"] = evidence["cosine"] * evidence["title_cosine"]
            rows.append(evidence)
        return rows

    def model(self, language: str) -> dict[str, Any]:
        """The scoring model for an article's language (the default language's when there is none)."""
        return self.models.get(language) or self.models[DEFAULT_LANGUAGE]

    def probability(self, evidence: dict[str, float], model: dict[str, Any]) -> float:
        """The model's probability that the article belongs to the story."""
        z = model["bias"] + sum(w * evidence[name] for w, name in zip(model["weights"], model["features"], strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    # decisions -------------------------------------------------------------------------------

    def assign(self, key: str, features: ArticleFeatures) -> Assignment:
        """Decide the story of one article (``key`` names it in ``settled``) and learn from it.

        Every ``settle_every`` arrivals the articles since the last settle are settled (``settle``); their
        final assignments come back in this assignment's ``settled``.
        """
        features = self.observe(features)
        self._forget_old()
        assignment = self._decide(features)
        sure = not assignment.is_new and assignment.evidence["score"] >= SURE_JOIN
        self.unsettled[key] = Unsettled(features, assignment.story_id, sure)
        if self.arrivals % self.settle_every == 0:
            assignment.settled = self.settle()
        return assignment

    def settle(self) -> dict[str, Assignment]:
        """Decide the articles that arrived since the last settle again, until none moves; return each one's assignment.

        Each article is taken out of its story, re-weighed with the IDF as it now is and scored against
        the candidates like a new arrival (no merges) at the model's ``settle_threshold``: early
        arrivals, judged when their story had one article and the stream's document frequencies were
        young, find the story that formed after them. At most ``settle_sweeps`` passes.
        """
        decisions: dict[str, Assignment] = {}
        for _ in range(self.settle_sweeps):
            changed = False
            for key, unsettled in self.unsettled.items():
                before = self._resolve(unsettled.story_id)
                if unsettled.sure or before not in self.stories:
                    continue
                self.remove_from(before, unsettled.features)
                features = self.weigh(unsettled.features)
                decision = self._decide(features, reuse=before)
                if self.stories[before].size == 0:
                    del self.stories[before]
                unsettled.features, unsettled.story_id = features, decision.story_id
                changed = changed or decision.story_id != before
                decisions[key] = decision
            if not changed:
                break
        self.unsettled.clear()
        return decisions

    def preview(self) -> dict[str, Assignment]:
        """Where the articles since the last settle would settle, in one pass, without changing the clusterer.

        Call it at the end of an input: the state stays exactly as the arrivals made it, so how the
        input was split into calls changes nothing, and the next ``settle`` decides these articles for good.
        The pass works on copies of the stories it changes (the index is left alone); an article that would
        leave its story to stand alone gets the story id ``<old story>.<n>``.
        """
        originals: dict[str, StoryState] = {}

        def editable(story_id: str) -> StoryState:
            if story_id not in originals:
                originals[story_id] = self.stories[story_id]
                self.stories[story_id] = copy_story(originals[story_id])
            return self.stories[story_id]

        decisions: dict[str, Assignment] = {}
        try:
            for key, unsettled in self.unsettled.items():
                own_id = self._resolve(unsettled.story_id)
                if unsettled.sure or own_id not in self.stories:
                    continue
                editable(own_id)
                self.remove_from(own_id, unsettled.features)
                features = self.weigh(unsettled.features)
                best = self._pick(features, self._rank(features), settling=True)
                if best is not None:
                    probability, story_id, evidence, gap = best
                    absorb(editable(story_id), features)
                    decisions[key] = Assignment(story_id, False, self._explain(probability, evidence, features, story_id, gap))
                elif self.stories[own_id].size == 0:
                    absorb(self.stories[own_id], features)
                    decisions[key] = Assignment(own_id, True)
                else:
                    decisions[key] = Assignment(f"{own_id}.{len(decisions)}", True)
        finally:
            self.stories.update(originals)
        return decisions

    def _rank(self, features: ArticleFeatures) -> list[tuple[float, str, dict[str, float]]]:
        """Candidate stories with the model's probability and the evidence behind it, most probable first."""
        candidate_ids = self.candidates(features)
        model = self.model(features.language)
        evidence = self.pair_evidence(features, candidate_ids, members=not MEMBER_FEATURES.isdisjoint(model["features"]))
        scored = [(self.probability(row, model), story_id, row) for story_id, row in zip(candidate_ids, evidence, strict=True)]
        return sorted(scored, key=lambda t: -t[0])

    def _pick(
        self, features: ArticleFeatures, scored: list[tuple[float, str, dict[str, float]]], settling: bool
    ) -> tuple[float, str, dict[str, float], float | None] | None:
        """The most probable story when it reaches the threshold that applies: (probability, id, evidence, gap)."""
        if not scored:
            return None
        probability, story_id, row = scored[0]
        gap = self._gap(features, self.stories[story_id])
        quiet = gap is not None and gap > self.quiet_days
        model = self.model(features.language)
        threshold = model["reopen_threshold" if quiet else "settle_threshold" if settling else "join_threshold"]
        return (probability, story_id, row, gap) if probability >= threshold else None

    def _decide(self, features: ArticleFeatures, reuse: str | None = None) -> Assignment:
        """Join the most probable candidate story, or open a new one; settling an article (``reuse``: the story it was
        taken out of) uses the settle threshold, never merges, and reopens its old story if it is now empty."""
        settling = reuse is not None
        scored = self._rank(features)
        chosen = self._pick(features, scored, settling)
        if chosen is None:
            if reuse is not None and self.stories[reuse].size == 0:
                story_id = reuse
                self.add_to(story_id, features)
            else:
                story_id = self.new_story(features)
            evidence: dict[str, Any] = {}
            if scored:
                evidence = {"best_other": scored[0][1], "best_score": round(scored[0][0], 4)}
            return Assignment(story_id, True, evidence)
        probability, story_id, row, gap = chosen
        self.add_to(story_id, features)
        merge_threshold = self.model(features.language)["merge_threshold"]
        merged = [] if settling else [s for p, s, _ in scored[1:] if p >= merge_threshold]
        for other in merged:
            self.merge(other, story_id)
        return Assignment(story_id, False, self._explain(probability, row, features, story_id, gap), merged)

    def _explain(
        self, probability: float, values: dict[str, float], features: ArticleFeatures, story_id: str, gap: float | None
    ) -> dict[str, Any]:
        story = self.stories[story_id]
        shared = sorted((n for n in features.names if story.names[n] > 1), key=lambda n: -features.names[n])[:5]
        return {
            "score": round(probability, 4),
            "cosine": round(values["cosine"], 4),
            "title_cosine": round(values["title_cosine"], 4),
            "shared_names": shared,
            "shared_numbers": sorted(n for n in features.numbers if story.numbers[n] > 1)[:5],
            "gap_days": None if gap is None else round(gap, 2),
        }

    # state updates ---------------------------------------------------------------------------

    def new_story(self, features: ArticleFeatures) -> str:
        """Open a story holding only this article; return its id."""
        story_id = str(self.next_story)
        self.next_story += 1
        self.stories[story_id] = StoryState()
        self.add_to(story_id, features)
        return story_id

    def add_to(self, story_id: str, features: ArticleFeatures) -> None:
        """Add an article to a story: centroids, names, numbers, time span and the index."""
        story = self.stories[story_id]
        absorb(story, features)
        story.touched = self.arrivals
        day = int(features.day) if features.day is not None else None
        for term in list(features.vector)[: self.index_terms]:
            self.postings.setdefault(term, {}).setdefault(day, {})[story_id] = None

    def remove_from(self, story_id: str, features: ArticleFeatures) -> None:
        """Take an article back out of a story (its time span stays as it was)."""
        release(self.stories[story_id], features)

    def merge(self, source_id: str, target_id: str) -> None:
        """Fold story ``source_id`` into ``target_id``; the index keeps pointing at the source, resolved on read."""
        fold(self.stories[target_id], self.stories.pop(source_id))
        self.merged_into[source_id] = target_id

    def _forget_old(self) -> None:
        """Every COMPACT_EVERY arrivals drop stories untouched for ``memory_articles`` arrivals."""
        if self.arrivals % COMPACT_EVERY:
            return
        cutoff = self.arrivals - self.memory_articles
        for story_id in [s for s, story in self.stories.items() if story.touched < cutoff]:
            del self.stories[story_id]
        self.merged_into = {s: t for s, t in self.merged_into.items() if self._resolve(t) in self.stories}
        postings: dict[str, dict[int | None, dict[str, None]]] = {}
        for term, by_day in self.postings.items():
            for day, story_ids in by_day.items():
                live = {s: None for s in story_ids if self._resolve(s) in self.stories}
                if live:
                    postings.setdefault(term, {})[day] = live
        self.postings = postings
