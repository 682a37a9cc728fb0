"""The local driver: streams documents through the stages and writes to a Store.

It holds no NLP logic: it calls read → extract → dedup → cluster in order, commits in batches
(articles and the stages' state together, so a crash leaves the store as of the last batch), and
computes each story's derived data (summary) lazily when the story is asked for after it changed.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kabar.analyse import analyse
from kabar.cluster import StoryClusterer
from kabar.dedup import COPY_SHARE, NearDuplicateIndex, article_signature, copied_share
from kabar.extract import ExtractionError, extract
from kabar.extract.furniture import OutletFurniture
from kabar.features import article_features
from kabar.model import Article, RawDocument
from kabar.read import read_paths
from kabar.store import Store, StoryFilter, open_store
from kabar.summarise import outlet_label, summarise

BATCH_SIZE = 1000
"""Articles per transaction: large enough to amortise saving the stage state, small enough to lose little."""
STATE_NAME = "stages-v2"
"""Snapshot of the stages' state; the batches since are in a journal (LOG_NAME) replayed on open."""
LOG_NAME = "stages-v2-log"
SNAPSHOT_EVERY = 20
"""Batches between snapshots: each batch stores only its own articles' stage inputs, so saving does not grow with the store."""


@dataclass(slots=True)
class Outcome:
    """What happened to one input document."""

    source: str
    status: str
    input_id: str | None = None
    article_id: str | None = None
    story_id: str | None = None
    message: str = ""


@dataclass(slots=True)
class IngestReport:
    """Counts of one ingest run."""

    added: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        """Inputs that could not be read or extracted."""
        return len(self.problems)


@dataclass(slots=True)
class StageState:
    """The stages' memory between calls; persisted with each batch."""

    clusterer: StoryClusterer
    deduper: NearDuplicateIndex


class Kabar:
    """A story engine over one store: ingest documents, list and read stories."""

    def __init__(self, store: Store) -> None:
        self.store = store
        blob = store.load_state(STATE_NAME)
        self.state: StageState = pickle.loads(blob) if blob else StageState(StoryClusterer(), NearDuplicateIndex())
        self.journal: list[tuple[str, Any, Any]] = []
        self.logged_batches = int(store.load_state(LOG_NAME) or b"0")
        for batch in range(self.logged_batches):
            for article_id, signature, features in pickle.loads(store.load_state(f"{LOG_NAME}-{batch}")):
                self.state.deduper.add(article_id, signature)
                self.state.clusterer.assign(features)
        self.furniture = OutletFurniture(store)

    @classmethod
    def open(cls, location: str | Path = "kabar.db") -> Kabar:
        """Open (or create) the store at ``location``."""
        return cls(open_store(str(location)))

    def close(self) -> None:
        """Close the underlying store."""
        self.store.close()

    def __enter__(self) -> Kabar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self, paths: Iterable[str | Path], on_problem: Callable[[str, str], None] | None = None, progress: bool = False
    ) -> IngestReport:
        """Read, extract, dedup and cluster every document under ``paths`` into the store."""
        report = IngestReport()

        def problem(source: str, message: str) -> None:
            report.problems.append(f"{source}: {message}")
            if on_problem is not None:
                on_problem(source, message)

        outcomes = self.ingest_documents(read_paths(paths, problem), problem)
        if progress and sys.stderr.isatty():
            from tqdm import tqdm

            outcomes = tqdm(outcomes, unit=" docs", file=sys.stderr, desc="ingest")
        for outcome in outcomes:
            if outcome.status == "added":
                report.added += 1
            elif outcome.status == "near-duplicate":
                report.added += 1
                report.near_duplicates += 1
            elif outcome.status == "duplicate":
                report.duplicates += 1
        return report

    def ingest_documents(self, documents: Iterable[RawDocument], on_problem: Callable[[str, str], None]) -> Iterator[Outcome]:
        """Run the stages over documents, yielding one Outcome per document; commits every BATCH_SIZE."""
        iterator = iter(documents)
        exhausted = False
        while not exhausted:
            outcomes: list[Outcome] = []
            added = 0
            with self.store.transaction():
                for document in iterator:
                    outcome = self._ingest_one(document, on_problem)
                    outcomes.append(outcome)
                    added += outcome.status in ("added", "near-duplicate")
                    if added >= BATCH_SIZE:
                        break
                else:
                    exhausted = True
                if added:
                    self._save_state()
                    self.furniture.flush()
            yield from outcomes

    def _save_state(self, snapshot: bool = False) -> None:
        """Persist this batch's journal of stage inputs, or a full snapshot every SNAPSHOT_EVERY batches."""
        if snapshot or self.logged_batches + 1 >= SNAPSHOT_EVERY:
            self.store.save_state(STATE_NAME, pickle.dumps(self.state, protocol=pickle.HIGHEST_PROTOCOL))
            self.logged_batches = 0
        else:
            journal = pickle.dumps(self.journal, protocol=pickle.HIGHEST_PROTOCOL)
            self.store.save_state(f"{LOG_NAME}-{self.logged_batches}", journal)
            self.logged_batches += 1
        self.store.save_state(LOG_NAME, str(self.logged_batches).encode())
        self.journal.clear()

    def _ingest_one(self, document: RawDocument, on_problem: Callable[[str, str], None]) -> Outcome:
        input_id = str(document.hints["id"]) if document.hints.get("id") not in (None, "") else None
        try:
            article = extract(document, self.furniture.known)
        except ExtractionError as error:
            on_problem(document.source, str(error))
            return Outcome(document.source, "skipped", input_id, message=str(error))
        existing = self.store.find_article_id(article.id, article.content_hash)
        if existing is not None:
            self.store.link_source(document.source, existing)
            stored = self.store.article(existing)
            return Outcome(document.source, "duplicate", input_id, existing, stored.story_id if stored else None)
        self._assign(article)
        self.store.add_article(article)
        if article.duplicate_of is None:
            self.furniture.observe(article)
        status = "near-duplicate" if article.duplicate_of else "added"
        return Outcome(document.source, status, input_id, article.id, article.story_id)

    def _assign(self, article: Article) -> None:
        """Dedup then cluster one new article, setting its duplicate_of, story_id and evidence."""
        signature = article_signature(article)
        original_id, jaccard = self.state.deduper.find_original(signature)
        original = self.store.article(original_id) if original_id is not None else None
        share = copied_share(article.text, original.text) if original is not None else 0.0
        if original is not None and share >= COPY_SHARE:
            article.duplicate_of = original.id
            article.story_id = original.story_id
            article.evidence = {"duplicate_of": original.id, "jaccard": round(jaccard, 3), "shared": round(share, 3)}
            return
        features = article_features(article)
        self.state.deduper.add(article.id, signature)
        assignment = self.state.clusterer.assign(features)
        self.journal.append((article.id, signature, features))
        article.story_id = assignment.story_id
        article.evidence = assignment.evidence
        for merged in assignment.merged:
            self.store.record_merge(merged, assignment.story_id, {"by_article": article.id, **assignment.evidence})

    def recluster(self) -> int:
        """Forget all stories and re-run dedup and clustering over the stored articles in publication order."""
        articles = sorted(self.store.articles(), key=lambda a: a.published_at or "")
        self.state = StageState(StoryClusterer(), NearDuplicateIndex())
        self.journal.clear()
        self.logged_batches = 0
        with self.store.transaction():
            self.store.clear_derived()
            for article in articles:
                article.duplicate_of = None
                self._assign(article)
                self.store.update_assignment(article)
            self._save_state(snapshot=True)
        return len(self.store.story_rows())

    def why(self, story_id: str) -> dict[str, Any]:
        """The evidence behind each article's assignment to a story (publication order) and the merges into it."""
        articles = sorted(self.store.articles(story_id), key=lambda a: (a.published_at or "9999", a.id))
        return {
            "story": story_id,
            "articles": [
                {"id": a.id, "outlet": outlet_label(a), "published_at": a.published_at, "title": a.title, "evidence": a.evidence}
                for a in articles
            ],
            "merges": [m for m in self.store.merges() if m["into"] == story_id],
        }

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A story's listing fields, summary and articles; None for an unknown story."""
        data = self.store.story_data(story_id)
        if data is None:
            return None
        if not data or story_id in set(self.store.dirty_stories()):
            articles = list(self.store.articles(story_id))
            if not articles:
                return None
            data = self._story_data(story_id, articles)
            with self.store.transaction():
                self.store.save_story_data(story_id, data)
        return data

    def _story_data(self, story_id: str, articles: list[Article]) -> dict[str, Any]:
        originals = [a for a in articles if a.duplicate_of is None]
        dates = sorted(a.published_at for a in articles if a.published_at)
        return {
            "id": story_id,
            **summarise(articles),
            "n_articles": len(articles),
            "n_unique_articles": len(originals),
            "outlets": sorted({outlet_label(a) for a in articles}),
            "first_published": dates[0] if dates else None,
            "last_published": dates[-1] if dates else None,
            **analyse(articles),
            "articles": [
                {
                    "id": a.id,
                    "outlet": outlet_label(a),
                    "published_at": a.published_at,
                    "title": a.title,
                    "url": a.url,
                    "duplicate_of": a.duplicate_of,
                }
                for a in sorted(articles, key=lambda a: (a.published_at or "9999", a.id))
            ],
        }

    def refresh(self) -> int:
        """Compute the derived data of every story that changed since it was last computed; returns how many."""
        dirty = self.store.dirty_stories()
        for story_id in dirty:
            self.story(story_id)
        return len(dirty)

    def stories(self, limit: int | None = 20, offset: int = 0, filters: StoryFilter | None = None) -> list[dict[str, Any]]:
        """Stories newest first, optionally only those passing ``filters``: headline, counts, first and last dates."""
        if filters is not None and filters.entity:
            self.refresh()
        rows = self.store.story_rows(limit, offset, filters)
        listing = []
        for row in rows:
            data = self.story(row["story_id"]) or {}
            listing.append(
                {
                    "id": row["story_id"],
                    "headline": data.get("headline", ""),
                    "n_articles": row["n_articles"],
                    "n_outlets": len(data.get("outlets", [])),
                    "outlets": data.get("outlets", []),
                    "first_published": row["first_published"],
                    "last_published": row["last_published"],
                }
            )
        return listing
