"""Cluster stage: assign each incoming article to a story, online.

Each story keeps a TF-IDF centroid (sum of its articles' unit vectors, IDF frozen when each article
arrived). An article's candidates come from an inverted index over the stories' salient terms, kept
only while the story is active around the article's publication time, so the work per article does
not grow with the number of stories. The best candidate is joined when its score passes
``threshold``; otherwise the article opens a new story.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kabar.features import ArticleFeatures
from kabar.model import Assignment


@dataclass(slots=True)
class StoryState:
    """What the clusterer remembers of one story."""

    centroid: dict[str, float] = field(default_factory=dict)
    norm_sq: float = 0.0
    size: int = 0
    first_day: float | None = None
    last_day: float | None = None
    names: Counter[str] = field(default_factory=Counter)
    indexed_terms: set[str] = field(default_factory=set)


class StoryClusterer:
    """Online single-pass story clusterer over TF-IDF centroids with a time window.

    All settings are constructor arguments, stored as given, so a clusterer can be cloned or pickled.
    """

    def __init__(
        self,
        threshold: float = 0.30,
        window_days: float = 4.0,
        query_terms: int = 12,
        index_terms: int = 20,
        max_candidates: int = 40,
        name_weight: float = 0.15,
    ) -> None:
        self.threshold = threshold
        self.window_days = window_days
        self.query_terms = query_terms
        self.index_terms = index_terms
        self.max_candidates = max_candidates
        self.name_weight = name_weight
        self.document_frequency: Counter[str] = Counter()
        self.n_documents = 0
        self.stories: dict[str, StoryState] = {}
        self.postings: dict[str, list[str]] = defaultdict(list)
        self.next_story = 1

    def _idf(self, term: str) -> float:
        return math.log((1 + self.n_documents) / (1 + self.document_frequency[term])) + 1.0

    def vector(self, features: ArticleFeatures) -> dict[str, float]:
        """Unit-length TF-IDF vector of an article under the current document frequencies."""
        weights = {t: (1.0 + math.log(c)) * self._idf(t) for t, c in features.term_counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def _active(self, story: StoryState, day: float | None) -> bool:
        if day is None or story.last_day is None:
            return True
        return story.first_day - self.window_days <= day <= story.last_day + self.window_days

    def candidates(self, vector: dict[str, float], day: float | None) -> list[str]:
        """Stories sharing the article's most salient terms and active around its time."""
        top_terms = sorted(vector, key=vector.__getitem__, reverse=True)[: self.query_terms]
        hits: Counter[str] = Counter()
        for term in top_terms:
            for story_id in self.postings.get(term, ()):
                hits[story_id] += 1
        ranked = [story_id for story_id, _ in hits.most_common()]
        return [s for s in ranked if self._active(self.stories[s], day)][: self.max_candidates]

    def score(self, vector: dict[str, float], features: ArticleFeatures, story: StoryState) -> dict[str, float]:
        """Evidence that an article belongs to a story: cosine, shared names, time gap."""
        dot = sum(weight * story.centroid.get(term, 0.0) for term, weight in vector.items())
        cosine = dot / math.sqrt(story.norm_sq) if story.norm_sq else 0.0
        shared = [n for n in features.names if story.names[n] * 2 >= story.size]
        name_overlap = len(shared) / max(1, min(len(features.names), 10))
        gap = abs(features.day - story.last_day) if features.day is not None and story.last_day is not None else 0.0
        return {"cosine": round(cosine, 4), "names": round(min(1.0, name_overlap), 4), "gap_days": round(gap, 2)}

    def _combined(self, evidence: dict[str, float]) -> float:
        return evidence["cosine"] + self.name_weight * evidence["names"]

    def assign(self, features: ArticleFeatures) -> Assignment:
        """Decide the story of one article and learn from it."""
        self.n_documents += 1
        self.document_frequency.update(features.term_counts.keys())
        vector = self.vector(features)
        best_id, best_score, best_evidence = None, -1.0, {}
        for story_id in self.candidates(vector, features.day):
            evidence = self.score(vector, features, self.stories[story_id])
            combined = self._combined(evidence)
            if combined > best_score:
                best_id, best_score, best_evidence = story_id, combined, evidence
        if best_id is not None and best_score >= self.threshold:
            self._add(best_id, vector, features)
            return Assignment(best_id, False, {**best_evidence, "score": round(best_score, 4)})
        story_id = str(self.next_story)
        self.next_story += 1
        self.stories[story_id] = StoryState()
        self._add(story_id, vector, features)
        evidence = {"best_other": best_id, "best_score": round(best_score, 4)} if best_id else {}
        return Assignment(story_id, True, evidence)

    def _add(self, story_id: str, vector: dict[str, float], features: ArticleFeatures) -> None:
        story = self.stories[story_id]
        dot = sum(weight * story.centroid.get(term, 0.0) for term, weight in vector.items())
        story.norm_sq += 2 * dot + 1.0
        for term, weight in vector.items():
            story.centroid[term] = story.centroid.get(term, 0.0) + weight
        story.size += 1
        story.names.update(features.names)
        if features.day is not None:
            story.first_day = features.day if story.first_day is None else min(story.first_day, features.day)
            story.last_day = features.day if story.last_day is None else max(story.last_day, features.day)
        for term in sorted(vector, key=vector.__getitem__, reverse=True)[: self.index_terms]:
            if term not in story.indexed_terms:
                story.indexed_terms.add(term)
                self.postings[term].append(story_id)
