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
   Indonesian and ECB+ train for English) over evidence (kabar.evidence; each model reads its own subset): cosine
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
5. After each settle, ``consolidate`` merges the stories opened since the last one into candidate
   stories a story-pair model (kabar.story_merge) finds are the same event; a preview shows the
   merges it would make.

The clusterer holds only plain data, so it pickles; it is deterministic for the same input order.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from kabar.evidence import ALL_EVIDENCE, FEATURES, MEMBER_FEATURES, evidence, gap_days
from kabar.features import ArticleFeatures, StreamWeights
from kabar.model import Assignment
from kabar.story_merge import consolidate, load_merge_models
from kabar.story_state import MEMBERS, StoryState, absorb, copy_story, fold, release

MODEL_DIR = Path(__file__).parent / "models"
DEFAULT_LANGUAGE = "id"
SURE_JOIN = 0.9
"""Articles that joined a story at this probability are not decided again when settling: on clickid-dev and ECB+ train 2
of 717 such arrivals would move, against 37 of 175 that opened a story, and skipping them halves the cost of settling."""
CONSOLIDATION_CANDIDATES = 3
"""Candidate stories a new story is paired with when consolidating: the partners of ECB+ fragments were in the first
three; six scored twice the pairs for the same merges."""
COMPACT_EVERY = 5000
"""Arrivals between sweeps that drop forgotten stories from memory and the index."""


@dataclass(slots=True)
class StoryRecord:
    """What the clusterer persists of one story id: its state (None once merged into another) and its postings
    ((term, day) → the order they were made in)."""

    story: StoryState | None
    posted: dict[tuple[str, int | None], int]


StoryMerge = tuple[str, str, dict[str, Any]]
"""A merge of one story into another: (source id, target id, the evidence behind it)."""


@dataclass(slots=True)
class Preview:
    """Where the articles not settled yet would settle (by key), and the stories consolidation would merge."""

    decisions: dict[str, Assignment]
    merges: list[StoryMerge]

    def story_of(self, story_id: str) -> str:
        """The story a story id would live in after these merges."""
        into = {source: target for source, target, _ in self.merges}
        while story_id in into:
            story_id = into[story_id]
        return story_id


@dataclass(slots=True)
class Unsettled:
    """An article that arrived since the last settle: its weighed features, its story and whether it joined it surely."""

    features: ArticleFeatures
    story_id: str
    sure: bool = False


def _day_order(day: int | None) -> tuple[bool, int]:
    """Posting days in order, undated last."""
    return day is None, day or 0


def _runner_up(scored: list[tuple[float, str, dict[str, float]]]) -> dict[str, Any]:
    """Evidence of an article that opened (or kept) a story of its own: the best candidate it did not join."""
    return {"best_other": scored[0][1], "best_score": round(scored[0][0], 4)} if scored else {}


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


def _reading(models: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The models, each with the set of evidence it reads (``wanted``) and its (weight, evidence) pairs (``weighted``)."""
    return {
        language: {
            **model,
            "wanted": frozenset(model["features"]),
            "weighted": tuple(zip(model["weights"], model["features"], strict=True)),
        }
        for language, model in models.items()
    }


def _kept_members(models: dict[str, dict[str, Any]]) -> int:
    """How many latest members a story keeps: MEMBERS when some model reads their evidence, else none (less memory)."""
    return MEMBERS if any(not MEMBER_FEATURES.isdisjoint(model["features"]) for model in models.values()) else 0


class StoryClusterer:
    """Online story clusterer: indexed candidates, a learned join-or-new decision, merges.

    All settings are constructor arguments, stored as given, so a clusterer can be cloned or pickled.
    """

    def __init__(
        self,
        window_days: float = 7.0,
        quiet_days: float = 3.0,
        memory_articles: int = 20_000,
        query_terms: int = 15,
        index_terms: int = 15,
        max_candidates: int = 6,
        settle_every: int = 1000,
        settle_sweeps: int = 1,
        models: dict[str, dict[str, Any]] | None = None,
        merge_models: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.window_days = window_days
        self.quiet_days = quiet_days
        self.memory_articles = memory_articles
        self.query_terms = query_terms
        self.index_terms = index_terms
        self.max_candidates = max_candidates
        self.settle_every = settle_every
        self.settle_sweeps = settle_sweeps
        self.models = _reading(models if models is not None else load_models())
        self.kept_members = _kept_members(self.models)
        self.merge_models = merge_models if merge_models is not None else load_merge_models()
        self.unconsolidated: dict[str, str] = {}
        self.stories: dict[str, StoryState] = {}
        self.postings: dict[str, dict[int | None, dict[str, None]]] = {}
        self.posted: dict[str, dict[tuple[str, int | None], int]] = {}
        self.postings_made = 0
        self.changed: set[str] = set()
        self.merged_into: dict[str, str] = {}
        self.next_story = 1
        self.arrivals = 0
        self.weights = StreamWeights()
        self.unsettled: dict[str, Unsettled] = {}

    def __getstate__(self) -> dict[str, Any]:
        derived = ("postings", "kept_members", "changed")
        return {name: value for name, value in self.__dict__.items() if name not in derived}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled clusterer, rebuilding what is derived: the models' evidence sets and the index, whose
        postings go back in the order they were made (so candidates rank ties as before)."""
        self.__dict__.update(state)
        if "weights" not in state:  # restored from saved changes, or pickled when the frequencies were the clusterer's
            self.weights = StreamWeights(self.arrivals, self.__dict__.pop("document_frequency", {}))
        if "merge_models" not in state:  # saved before stories were consolidated
            self.merge_models, self.unconsolidated = load_merge_models(), {}
        self.models = _reading(self.models)
        self.kept_members = _kept_members(self.models)
        self.changed = set()
        self.postings = {}
        made = sorted((seq, term, day, story_id) for story_id, keys in self.posted.items() for (term, day), seq in keys.items())
        for _, term, day, story_id in made:
            self.postings.setdefault(term, {}).setdefault(day, {})[story_id] = None

    def take_changes(self, all_frequencies: bool = False) -> tuple[dict[str, Any], dict[str, StoryRecord | None], dict[str, int]]:
        """What changed since the last call: ``take_story_changes``, and the document frequencies that changed (all of
        them with ``all_frequencies``). Persisting these after every batch keeps a copy of the clusterer at the cost of
        what the batch changed, not of the stream's whole vocabulary; ``restore`` rebuilds it."""
        return *self.take_story_changes(), self.weights.take_changes(all_frequencies)

    def take_story_changes(self) -> tuple[dict[str, Any], dict[str, StoryRecord | None]]:
        """What changed since the last call but the document frequencies (a driver weighing articles apart takes those
        from its weights): the state but the stories and frequencies (settings, articles not settled yet: small), and
        each story changed with its postings (None: forgotten)."""
        state = self.__getstate__()
        del state["stories"], state["posted"], state["weights"]
        changes: dict[str, StoryRecord | None] = {}
        for story_id in self.changed:
            story, posted = self.stories.get(story_id), self.posted.get(story_id)
            changes[story_id] = None if story is None and posted is None else StoryRecord(story, posted or {})
        self.changed = set()
        return state, changes

    @classmethod
    def restore(
        cls,
        state: dict[str, Any],
        records: Iterable[tuple[str, StoryRecord]],
        frequencies: Iterable[dict[str, int]] = (),
    ) -> StoryClusterer:
        """The clusterer saved by ``take_changes``: its state, the latest record of every story, and the document
        frequencies it returned, oldest first (later counts replace earlier ones)."""
        clusterer = cls.__new__(cls)
        stories: dict[str, StoryState] = {}
        posted: dict[str, dict[tuple[str, int | None], int]] = {}
        for story_id, record in records:
            if record.story is not None:
                stories[story_id] = record.story
            if record.posted:
                posted[story_id] = record.posted
        document_frequency = dict(state.get("document_frequency", {}))  # states saved before held them whole
        for counts in frequencies:
            document_frequency.update(counts)
        clusterer.__setstate__({**state, "stories": stories, "posted": posted, "document_frequency": document_frequency})
        return clusterer

    def observe(self, features: ArticleFeatures) -> ArticleFeatures:
        """Count an arriving article (and its terms, into the stream's document frequencies); return it weighed."""
        self.arrivals += 1
        return self.weights.observe(features)

    # candidates ------------------------------------------------------------------------------

    def resolve(self, story_id: str) -> str:
        """The story a story id now lives in (itself unless it was merged)."""
        while story_id in self.merged_into:
            story_id = self.merged_into[story_id]
        return story_id

    def _window_days(self, day: float | None) -> list[int | None] | None:
        """The posting days an article may match: its window and undated stories; None (every day) when undated."""
        if day is None:
            return None
        centre, reach = int(day), math.ceil(self.window_days)
        return [*range(centre - reach, centre + reach + 1), None]

    def candidates(self, features: ArticleFeatures, exclude: str | None = None) -> list[str]:
        """Stories (but ``exclude``) sharing the article's salient terms in articles published within the window, best
        first."""
        return self._stories_sharing(islice(features.vector.items(), self.query_terms), features.day, exclude)

    def _stories_sharing(self, query: Iterable[tuple[str, float]], day: float | None, exclude: str | None) -> list[str]:
        """The ``max_candidates`` stories (but ``exclude``) holding the most weight of the query's terms in postings within
        the window around ``day``, best first."""
        hits: defaultdict[str, float] = defaultdict(float)
        merged = self.merged_into
        window = self._window_days(day)
        for term, weight in query:
            by_day = self.postings.get(term)
            if by_day is None:
                continue
            days = filter(None, map(by_day.get, window)) if window else [by_day[d] for d in sorted(by_day, key=_day_order)]
            for story_ids in days:
                for story_id in story_ids:
                    if story_id in merged:
                        story_id = self.resolve(story_id)
                    hits[story_id] += weight
        if exclude is not None:
            hits.pop(exclude, None)
        stories = self.stories
        ranked = sorted(hits, key=hits.__getitem__, reverse=True)  # stable: ties stay in order of first hit
        alive = (story_id for story_id in ranked if story_id in stories and stories[story_id].size)
        return list(islice(alive, self.max_candidates))

    # evidence --------------------------------------------------------------------------------

    def pair_evidence(
        self, features: ArticleFeatures, candidate_ids: list[str], wanted: frozenset[str] = ALL_EVIDENCE
    ) -> list[dict[str, float]]:
        """The ``wanted`` evidence (see ``evidence``) for an article against each candidate story."""
        stories = self.stories
        return [evidence(features, stories[story_id], wanted) for story_id in candidate_ids]

    def model(self, language: str) -> dict[str, Any]:
        """The scoring model for an article's language (the default language's when there is none)."""
        return self.models.get(language) or self.models[DEFAULT_LANGUAGE]

    def probability(self, evidence: dict[str, float], model: dict[str, Any]) -> float:
        """The model's probability that the article belongs to the story."""
        z = model["bias"] + sum([weight * evidence[name] for weight, name in model["weighted"]])
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    # decisions -------------------------------------------------------------------------------

    def assign(self, key: str, features: ArticleFeatures) -> Assignment:
        """Decide the story of one article (``key`` names it in ``settled``) and learn from it.

        Every ``settle_every`` arrivals the articles since the last settle are settled (``settle``); their
        final assignments come back in this assignment's ``settled``.
        """
        return self.assign_weighed(key, self.weights.observe(features))

    def assign_weighed(self, key: str, features: ArticleFeatures) -> Assignment:
        """``assign`` for an article already observed by this clusterer's ``weights`` (or by their twin elsewhere, kept
        in step with the same articles: a driver may weigh articles in another process than the one deciding)."""
        self.arrivals += 1
        self._forget_old()
        assignment = self._decide(features)
        sure = not assignment.is_new and assignment.evidence["score"] >= SURE_JOIN
        self.unsettled[key] = Unsettled(features, assignment.story_id, sure)
        if self.arrivals % self.settle_every == 0:
            assignment.settled = self.settle()
            assignment.story_merges = self.consolidate()
        return assignment

    def settle(self) -> dict[str, Assignment]:
        """Decide the articles that arrived since the last settle again, until none moves; return each one's assignment.

        Each article is scored against the candidates like a new arrival but without its own weight in
        its story (an article alone in its story is scored against the others), at the model's
        ``settle_threshold`` and without merges: early arrivals, judged when their story had one article,
        find the story that formed after them. At most ``settle_sweeps`` passes.
        """
        decisions: dict[str, Assignment] = {}
        for _ in range(self.settle_sweeps):
            changed = False
            for key, unsettled in self.unsettled.items():
                before = self.resolve(unsettled.story_id)
                if unsettled.sure or before not in self.stories:
                    continue
                decision = self._redecide(unsettled.features, before)
                unsettled.story_id = decision.story_id
                changed = changed or decision.story_id != before
                decisions[key] = decision
            if not changed:
                break
        self.unsettled.clear()
        return decisions

    def _redecide(self, features: ArticleFeatures, story_id: str) -> Assignment:
        """Decide again where an article now in story ``story_id`` belongs (see ``settle``); move it if it belongs elsewhere.

        An article alone in its story is scored with its story left out of the candidates, so the state
        changes only when it moves.
        """
        alone = self.stories[story_id].size == 1
        if not alone:
            self.remove_from(story_id, features)
        scored = self._rank(features, exclude=story_id if alone else None)
        chosen = self._pick(features, scored, settling=True)
        if chosen is None:
            evidence = _runner_up(scored)
            if alone:
                return Assignment(story_id, True, evidence)
            return Assignment(self.new_story(features), True, evidence)
        probability, target, row, gap = chosen
        if alone:
            self._drop(story_id)
        self.add_to(target, features)
        return Assignment(target, False, self._explain(probability, row, features, target, gap))

    def consolidate(self) -> list[StoryMerge]:
        """Merge the stories opened since the last consolidation with the candidate stories they turn out to be one with
        (see kabar.story_merge), for languages with a merge model; return the merges made."""
        merges = self._consolidate(self.merge)
        self.unconsolidated.clear()
        return merges

    def _consolidate(self, merge: Callable[[str, str], None]) -> list[StoryMerge]:
        merges: list[StoryMerge] = []
        for language, pairs in sorted(self.consolidation_pairs().items()):
            alive = [(a, b) for a, b in pairs if a in self.stories and b in self.stories]
            merges += consolidate(self.stories, alive, self.merge_models[language], merge)
        return merges

    def consolidation_pairs(self) -> dict[str, set[tuple[str, str]]]:
        """By language, the pairs (story opened since the last consolidation, a candidate story for it) to consider
        merging: candidates are found like an article's, from the story's heaviest centroid terms around its last day."""
        by_language: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for story_id, language in sorted(self.unconsolidated.items()):
            story_id = self.resolve(story_id)
            story = self.stories.get(story_id)
            if story is None or not story.size:
                continue
            query = heapq.nlargest(self.query_terms, story.centroid.items(), key=lambda item: (item[1], item[0]))
            for other in self._stories_sharing(query, story.last_day, story_id)[:CONSOLIDATION_CANDIDATES]:
                by_language[language].add((min(story_id, other), max(story_id, other)))
        return by_language

    def preview(self) -> Preview:
        """Where the articles since the last settle would settle, in one pass, without changing the clusterer.

        Call it at the end of an input: the state stays exactly as the arrivals made it, so how the
        input was split into calls changes nothing, and the next ``settle`` decides these articles for good.
        The pass works on copies of the stories it changes (the index is left alone); an article that would
        leave its story to stand alone gets the story id ``<old story>.<n>``. Consolidation then runs on those
        copies too: its merges are what the next settle would likely merge.
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
                own_id = self.resolve(unsettled.story_id)
                if unsettled.sure or own_id not in self.stories:
                    continue
                editable(own_id)
                self.remove_from(own_id, unsettled.features)
                features = unsettled.features
                best = self._pick(features, self._rank(features), settling=True)
                if best is not None:
                    probability, story_id, evidence, gap = best
                    absorb(editable(story_id), features, self.kept_members)
                    decisions[key] = Assignment(story_id, False, self._explain(probability, evidence, features, story_id, gap))
                elif self.stories[own_id].size == 0:
                    absorb(self.stories[own_id], features, self.kept_members)
                    decisions[key] = Assignment(own_id, True)
                else:
                    decisions[key] = Assignment(f"{own_id}.{len(decisions)}", True)

            def merge_copies(source: str, target: str) -> None:
                editable(source)
                fold(editable(target), self.stories.pop(source))

            merges = self._consolidate(merge_copies)
        finally:
            self.stories.update(originals)
        return Preview(decisions, merges)

    def _rank(self, features: ArticleFeatures, exclude: str | None = None) -> list[tuple[float, str, dict[str, float]]]:
        """Candidate stories (but ``exclude``) with the model's probability and the evidence behind it, most probable first."""
        candidate_ids = self.candidates(features, exclude)
        model = self.model(features.language)
        evidence = self.pair_evidence(features, candidate_ids, model["wanted"])
        scored = [(self.probability(row, model), story_id, row) for story_id, row in zip(candidate_ids, evidence, strict=True)]
        return sorted(scored, key=lambda t: -t[0])

    def _pick(
        self, features: ArticleFeatures, scored: list[tuple[float, str, dict[str, float]]], settling: bool
    ) -> tuple[float, str, dict[str, float], float | None] | None:
        """The most probable story when it reaches the threshold that applies: (probability, id, evidence, gap)."""
        if not scored:
            return None
        probability, story_id, row = scored[0]
        story = self.stories[story_id]
        gap = gap_days(features, story)
        quiet = gap is not None and gap > self.quiet_days
        model = self.model(features.language)
        threshold = model["reopen_threshold" if quiet else "settle_threshold" if settling else "join_threshold"]
        return (probability, story_id, row, gap) if probability >= threshold else None

    def _decide(self, features: ArticleFeatures) -> Assignment:
        """Join the most probable candidate story (merging into it any other candidate as probable as the merge
        threshold), or open a new one."""
        scored = self._rank(features)
        chosen = self._pick(features, scored, settling=False)
        if chosen is None:
            return Assignment(self.new_story(features), True, _runner_up(scored))
        probability, story_id, row, gap = chosen
        self.add_to(story_id, features)
        merge_threshold = self.model(features.language)["merge_threshold"]
        merged = [s for p, s, _ in scored[1:] if p >= merge_threshold]
        for other in merged:
            self.merge(other, story_id)
        return Assignment(story_id, False, self._explain(probability, row, features, story_id, gap), merged)

    def _explain(
        self, probability: float, values: dict[str, float], features: ArticleFeatures, story_id: str, gap: float | None
    ) -> dict[str, Any]:
        story = self.stories[story_id]
        shared = sorted((n for n in features.names if story.names.get(n, 0) > 1), key=lambda n: -features.names[n])[:5]
        return {
            "score": round(probability, 4),
            "cosine": round(values["cosine"], 4),
            "title_cosine": round(values["title_cosine"], 4),
            "shared_names": shared,
            "shared_numbers": sorted(n for n in features.numbers if story.numbers.get(n, 0) > 1)[:5],
            "gap_days": None if gap is None else round(gap, 2),
            "reopened": gap is not None and gap > self.quiet_days,
        }

    # state updates ---------------------------------------------------------------------------

    def new_story(self, features: ArticleFeatures) -> str:
        """Open a story holding only this article; return its id."""
        story_id = str(self.next_story)
        self.next_story += 1
        self.stories[story_id] = StoryState()
        self.add_to(story_id, features)
        if features.language in self.merge_models:
            self.unconsolidated[story_id] = features.language
        return story_id

    def add_to(self, story_id: str, features: ArticleFeatures) -> None:
        """Add an article to a story: centroids, names, numbers, time span and the index."""
        story = self.stories[story_id]
        absorb(story, features, self.kept_members)
        story.touched = self.arrivals
        self.changed.add(story_id)
        day = int(features.day) if features.day is not None else None
        posted = self.posted.setdefault(story_id, {})
        for term in islice(features.vector, self.index_terms):
            if (term, day) not in posted:
                self.postings.setdefault(term, {}).setdefault(day, {})[story_id] = None
                posted[(term, day)] = self.postings_made
                self.postings_made += 1

    def remove_from(self, story_id: str, features: ArticleFeatures) -> None:
        """Take an article back out of a story (its time span stays as it was)."""
        release(self.stories[story_id], features)
        self.changed.add(story_id)

    def merge(self, source_id: str, target_id: str) -> None:
        """Fold story ``source_id`` into ``target_id``; the index keeps pointing at the source, resolved on read."""
        fold(self.stories[target_id], self.stories.pop(source_id))
        self.merged_into[source_id] = target_id
        self.changed.update((source_id, target_id))

    def _forget_old(self) -> None:
        """Every COMPACT_EVERY arrivals drop stories untouched for ``memory_articles`` arrivals, and their postings."""
        if self.arrivals % COMPACT_EVERY:
            return
        cutoff = self.arrivals - self.memory_articles
        for story_id in [s for s, story in self.stories.items() if story.touched < cutoff]:
            self._drop(story_id)
        gone = [s for s, t in self.merged_into.items() if self.resolve(t) not in self.stories]
        self._unindex(gone)
        for story_id in gone:
            del self.merged_into[story_id]

    def _drop(self, story_id: str) -> None:
        """Forget a story and take it out of the index."""
        del self.stories[story_id]
        self._unindex([story_id])

    def _unindex(self, story_ids: list[str]) -> None:
        """Remove the postings made under these story ids."""
        postings = self.postings
        self.changed.update(story_ids)
        for story_id in story_ids:
            for term, day in self.posted.pop(story_id, {}):
                by_day = postings[term]
                bucket = by_day[day]
                bucket.pop(story_id, None)
                if not bucket:
                    del by_day[day]
                    if not by_day:
                        del postings[term]
