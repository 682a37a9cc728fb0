"""The local driver: streams documents through the stages and writes to a Store.

It holds no NLP logic: it calls read → extract → dedup → cluster in order, commits in batches
(articles and the stages' state together, so a crash leaves the store as of the last batch), and
computes each story's derived data (summary) lazily when the story is asked for after it changed.

What depends on one document alone (extraction, clustering features, MinHash signature, search terms:
``kabar.workers.prepare``) runs in worker processes for long inputs, while this process does what depends
on the documents before (exact and near-duplicate lookup, clustering, the store); the outcome is always
that of one-by-one ingest.
"""

from __future__ import annotations

import gc
import pickle
import sys
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np

from kabar import workers
from kabar.analyse import analyse
from kabar.cluster import StoryClusterer
from kabar.dedup import COPY_SHARE, NearDuplicateIndex, article_signature, copied_share
from kabar.extract import ExtractionError
from kabar.extract.furniture import OutletFurniture
from kabar.features import ArticleFeatures, article_features
from kabar.model import Article, Assignment, RawDocument
from kabar.read import read_paths
from kabar.search import match_expression, snippet
from kabar.store import Store, StoreError, StoryFilter, open_store
from kabar.summarise import outlet_label, summarise
from kabar.workers import Prepared, prepare

BATCH_SIZE = 1000
"""Articles per transaction: large enough to amortise saving the stage state, small enough to lose little."""
STATE_NAME = "stages-v5"
"""The stages' state but the stories and signatures, which are rows (STORY_ROWS, SIGNATURE_ROWS) written when they change,
so each batch saves what it changed, not the whole state."""
STORY_ROWS = "story"
SIGNATURE_ROWS = "signature"
FREQUENCY_ROWS = "frequency"
FREQUENCY_SNAPSHOT_EVERY = 32
"""The clusterer's document frequencies are saved as one row per batch holding the counts it changed, and every this
many batches as one row holding all of them (the rows before it deleted): the stream's vocabulary grows without end
(148,000 terms after CLICK-ID's 22,858 articles, half of them seen once), so saving it whole with every batch would cost
more per batch the longer the stream, while loading it back reads at most this many rows."""
OLD_STATE_NAMES = ("stages-v4", "stages-v3")
"""States of earlier kabar versions, which this one does not read: ``kabar recluster`` rebuilds the stories."""


def _frequency_key(n: int) -> str:
    """The key of the ``n``-th row of document frequencies since the last one holding all (which is row 0)."""
    return f"{n:04d}"


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
    provisional: list[tuple[str, str]] = field(default_factory=list)
    """Story merges the last preview applied to the store until the next ingest: (source, target)."""
    frequency_rows: int = 0
    """Rows of document frequencies saved since (and with) the last one holding all of them; 0: write all next."""


class Kabar:
    """A story engine over one store: ingest documents, list and read stories."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._state: StageState | None = None
        self.furniture = OutletFurniture(store)

    @property
    def state(self) -> StageState:
        """The stages' state, read from the store when first needed (reading stories does not need it)."""
        if self._state is None:
            self._state = self._load_state()
        return self._state

    def _load_state(self) -> StageState:
        blob = self.store.load_state(STATE_NAME)
        if blob is None:
            if any(self.store.load_state(name) for name in OLD_STATE_NAMES):
                raise StoreError("this store's stories were clustered by an older kabar: run `kabar recluster` first")
            return StageState(StoryClusterer(), NearDuplicateIndex())
        clusterer_state, deduper_settings, *provisional = pickle.loads(blob)  # saved without provisional merges before
        records = ((key, pickle.loads(value)) for key, value in self.store.load_state_rows(STORY_ROWS))
        signatures = ((key, np.frombuffer(value, dtype=np.uint32)) for key, value in self.store.load_state_rows(SIGNATURE_ROWS))
        deduper = NearDuplicateIndex.restore(deduper_settings, signatures)
        # keys count up from the row holding all; a state saved before there were such rows holds them whole, and
        # without rows the next save writes them all
        frequency_rows = sorted(self.store.load_state_rows(FREQUENCY_ROWS))
        clusterer = StoryClusterer.restore(clusterer_state, records, (pickle.loads(value) for _, value in frequency_rows))
        return StageState(clusterer, deduper, provisional[0] if provisional else [], len(frequency_rows))

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
        self,
        paths: Iterable[str | Path] | str | Path,
        on_problem: Callable[[str, str], None] | None = None,
        progress: bool = False,
    ) -> IngestReport:
        """Read, extract, dedup and cluster every document under ``paths`` (one path, or several) into the store."""
        if isinstance(paths, str | Path):
            paths = [paths]
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
        """Run the stages over documents, yielding one Outcome per document; commits every BATCH_SIZE.

        After each batch the objects alive (the stages' growing memory, mostly) are moved out of the cyclic
        garbage collector's sight until the ingest ends (``gc.freeze``): its full passes otherwise re-scan them
        all, a cost that grows with the memory. They are still freed when no longer referenced.
        """
        iterator = iter(documents)
        head = list(islice(iterator, workers.PARALLEL_MIN_DOCUMENTS))
        if len(head) < workers.PARALLEL_MIN_DOCUMENTS or workers.WORKERS < 2:
            pairs: Generator[tuple[RawDocument, Prepared | None]] = ((document, None) for document in chain(head, iterator))
        else:
            pairs = workers.prepared_in_workers(chain(head, iterator), self.furniture)
        exhausted = False
        try:
            while not exhausted:
                outcomes: list[Outcome] = []
                added = 0
                with self.store.transaction():
                    undone = self._undo_provisional()
                    for document, prepared in pairs:
                        outcome = self._ingest_one(document, prepared, on_problem)
                        outcomes.append(outcome)
                        added += outcome.status in ("added", "near-duplicate")
                        if added >= BATCH_SIZE:
                            break
                    else:
                        exhausted = True
                        self._place_preview()
                    if added or undone or self.state.provisional:
                        self._save_state()
                    if added:
                        self.furniture.flush()
                gc.freeze()
                yield from outcomes
        except BaseException:
            # the stages' state and the pending furniture counts are ahead of the store, which rolled back to the last
            # commit: start again from the store
            self._state = None
            self.furniture = OutletFurniture(self.store)
            raise
        finally:
            pairs.close()
            gc.unfreeze()

    def _save_state(self) -> None:
        """Persist what the stages changed since the last save (in the batch's transaction)."""
        state = self.state
        all_frequencies = state.frequency_rows == 0 or state.frequency_rows >= FREQUENCY_SNAPSHOT_EVERY
        clusterer_state, stories, frequencies = state.clusterer.take_changes(all_frequencies)
        deduper_settings, signatures = state.deduper.take_changes()
        blob = pickle.dumps((clusterer_state, deduper_settings, state.provisional), protocol=pickle.HIGHEST_PROTOCOL)
        self.store.save_state(STATE_NAME, blob)
        rows = {key: None if record is None else pickle.dumps(record, pickle.HIGHEST_PROTOCOL) for key, record in stories.items()}
        self.store.save_state_rows(STORY_ROWS, rows)
        self.store.save_state_rows(SIGNATURE_ROWS, {k: None if s is None else s.tobytes() for k, s in signatures.items()})
        frequency_rows: dict[str, bytes | None] = {}
        if all_frequencies:
            frequency_rows = {_frequency_key(n): None for n in range(state.frequency_rows)}
            state.frequency_rows = 0
        frequency_rows[_frequency_key(state.frequency_rows)] = pickle.dumps(frequencies, pickle.HIGHEST_PROTOCOL)
        self.store.save_state_rows(FREQUENCY_ROWS, frequency_rows)
        state.frequency_rows += 1

    def _ingest_one(self, document: RawDocument, prepared: Prepared | None, on_problem: Callable[[str, str], None]) -> Outcome:
        input_id = str(document.hints["id"]) if document.hints.get("id") not in (None, "") else None
        if prepared is None:
            try:
                prepared = prepare(document, self.furniture.known)
            except ExtractionError as error:
                on_problem(document.source, str(error))
                return Outcome(document.source, "skipped", input_id, message=str(error))
        article = prepared.article
        existing = self.store.find_article_id(article.id, article.content_hash)
        if existing is not None:
            self.store.link_source(document.source, existing)
            stored = self.store.article(existing)
            return Outcome(document.source, "duplicate", input_id, existing, stored.story_id if stored else None)
        self._assign(article, prepared.signature, prepared.features)
        self.store.add_article(article, prepared.search_terms)
        if article.duplicate_of is None:
            self.furniture.observe(article)
        status = "near-duplicate" if article.duplicate_of else "added"
        return Outcome(document.source, status, input_id, article.id, article.story_id)

    def _assign(self, article: Article, signature: np.ndarray | None, features: ArticleFeatures) -> None:
        """Dedup then cluster one new article, setting its duplicate_of, story_id and evidence."""
        original_id, jaccard = self.state.deduper.find_original(signature)
        original = self.store.article(original_id) if original_id is not None else None
        share = copied_share(article.text, original.text) if original is not None else 0.0
        if original is not None and share >= COPY_SHARE:
            article.duplicate_of = original.id
            article.story_id = original.story_id
            article.evidence = {"duplicate_of": original.id, "jaccard": round(jaccard, 3), "shared": round(share, 3)}
            return
        self.state.deduper.add(article.id, signature)
        assignment = self.state.clusterer.assign(article.id, features)
        article.story_id = assignment.story_id
        article.evidence = assignment.evidence
        for merged in assignment.merged:
            self.store.record_merge(merged, assignment.story_id, {"by_article": article.id, **assignment.evidence})
        own = assignment.settled.pop(article.id, None)
        if own is not None:
            article.story_id, article.evidence = own.story_id, {"settled": True, **own.evidence}
        self._place(assignment.settled, final=True)
        for source, target, reason in assignment.story_merges:
            self.store.record_merge(source, target, {"consolidated": True, **reason})
        article.story_id = self.state.clusterer.resolve(article.story_id)

    def _place_preview(self) -> None:
        """Place the articles not settled yet where a preview puts them, and apply its story merges until the next ingest
        (which undoes them first: between ingests the store shows the stories as the next settle would likely leave them,
        while within one the clusterer and the store agree)."""
        preview = self.state.clusterer.preview()
        self._place(preview.decisions, final=False)
        for source, target, reason in preview.merges:
            for article in list(self.store.articles(source)):
                marked = {"provisional_merge_from": source, "merge": reason, **(article.evidence or {})}
                self.store.move_article(article.id, target, marked)
            self.state.provisional.append((source, target))

    def _undo_provisional(self) -> bool:
        """Move the articles a preview's story merges moved back to the stories they came from (an article's first mark
        names it, so a chain of merges, S into T then T into U, is undone too); whether there were any such merges."""
        if not self.state.provisional:
            return False
        for story_id in sorted({story_id for merge in self.state.provisional for story_id in merge}):
            for article in list(self.store.articles(story_id)):
                evidence = dict(article.evidence or {})
                origin = evidence.pop("provisional_merge_from", None)
                if origin is not None:
                    evidence.pop("merge", None)
                    self.store.move_article(article.id, origin, evidence)
        self.state.provisional.clear()
        return True

    def _place(self, decisions: dict[str, Assignment], final: bool) -> None:
        """Move stored articles whose story a settle (``final``) or a preview of one decided differently."""
        for article_id, assignment in decisions.items():
            stored = self.store.article(article_id)
            if stored is not None and stored.story_id != assignment.story_id:
                evidence = {"settled": True if final else "until the next settle", **assignment.evidence}
                self.store.move_article(article_id, assignment.story_id, evidence)

    def recluster(self) -> int:
        """Forget all stories and re-run dedup and clustering over the stored articles in publication order."""
        articles = sorted(self.store.articles(), key=lambda a: a.published_at or "")
        self._state = StageState(StoryClusterer(), NearDuplicateIndex())
        with self.store.transaction():
            self.store.clear_derived()
            for article in articles:
                article.duplicate_of = None
                self._assign(article, article_signature(article), article_features(article))
                self.store.update_assignment(article)
            self._place_preview()
            self._save_state()
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

    def search(self, query: str, limit: int = 20, offset: int = 0) -> tuple[int, list[tuple[Article, list[tuple[str, bool]]]]]:
        """The number of articles matching ``query`` (kabar.search: every word in any form, none of the ``-word``s) and
        one page of them, best first, each with its snippet as (piece, is_hit) pairs."""
        match = match_expression(query)
        if match is None:
            return 0, []
        total, ids = self.store.search_articles(match, limit, offset)
        articles = [article for article in map(self.store.article, ids) if article is not None]
        return total, [(article, snippet(article.text, query)) for article in articles]
