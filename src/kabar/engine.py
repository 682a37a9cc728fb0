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
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np

from kabar import workers
from kabar.analyse import analyse
from kabar.cluster import StoryClusterer
from kabar.clustering import Clustered, ClusteringProcess, LocalClustering, SavedChanges
from kabar.dedup import COPY_SHARE, DeduperChanges, NearDuplicateIndex, article_signature, copied_share
from kabar.extract import ExtractionError
from kabar.extract.furniture import OutletFurniture
from kabar.features import article_features
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
GENERATION_NAME = "generation"
"""State row counting the saves of the stages' state. An engine holding an older state (another engine, in this
process or another, ingested since) reads the store's before it ingests; one that finds the count moved during its
ingest (another wrote between its batches) stops."""
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
class _Arrival:
    """A document taken in and not written yet: skipped (``outcome``), an exact duplicate of ``existing``, or a new
    article, waiting for the clusterer's decision when ``clustered`` (a near-duplicate copy takes its original's story)."""

    source: str
    input_id: str | None
    article: Article | None = None
    search_terms: str = ""
    existing: str | None = None
    outcome: Outcome | None = None
    clustered: bool = False


@dataclass(slots=True)
class _LocalChanges:
    """What the stages in the ingesting process changed with a batch: the near-duplicate index and the document
    frequencies that weigh articles for the clusterer (all of them when ``all_frequencies``)."""

    deduper: DeduperChanges
    frequencies: dict[str, int]
    all_frequencies: bool


@dataclass(slots=True)
class _BatchEnd:
    """The end of a batch among the arrivals: once the arrivals before it are written, the batch commits."""

    added: int = 0
    undone: bool = False
    """Whether the batch began by undoing the last ingest's provisional merges."""
    final: bool = False
    """The input's last batch: its end places the articles not settled yet where a preview puts them."""
    changes: _LocalChanges | None = None
    """What the stages in this process changed with the batch's articles (taken when the batch is taken in: the next
    batch's articles change them before this one commits)."""


@dataclass(slots=True)
class _Writes:
    """What is taken in and not yet committed: arrivals in input order with batch ends among them, the outcomes
    written since the last commit and the open transaction."""

    clustering: LocalClustering | ClusteringProcess
    arriving: deque[_Arrival | _BatchEnd] = field(default_factory=deque)
    outcomes: list[Outcome] = field(default_factory=list)
    transaction: ExitStack = field(default_factory=ExitStack)


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
        self._generation = 0
        """The saves of the stages' state that ``_state`` holds (``GENERATION_NAME``)."""
        self.furniture = OutletFurniture(store)
        self._arriving: dict[str, Article] = {}
        """Articles taken in and not stored yet, by id (duplicates and copies of them are found here)."""
        self._arriving_contents: dict[str, str] = {}
        """Their ids by content hash."""

    @property
    def state(self) -> StageState:
        """The stages' state, read from the store when first needed (reading stories does not need it)."""
        if self._state is None:
            self._state = self._load_state()
        return self._state

    def _stored_generation(self) -> int:
        saved = self.store.load_state(GENERATION_NAME)
        return int(saved) if saved else 0

    def _check_generation(self) -> None:
        """Stop an ingest whose state another engine's saves have made stale (its committed batches stay)."""
        if self._stored_generation() != self._generation:
            raise StoreError("another kabar wrote to this store while this ingest ran (its committed batches are kept): rerun it")

    def _load_state(self) -> StageState:
        self._generation = self._stored_generation()
        blob = self.store.load_state(STATE_NAME)
        if blob is None:
            if any(self.store.load_state(name) for name in OLD_STATE_NAMES):
                raise StoreError("this store's stories were clustered by an older kabar: run `kabar recluster` first")
            return StageState(StoryClusterer(), NearDuplicateIndex())
        clusterer_state, deduper_settings, *provisional = pickle.loads(blob)  # saved without provisional merges before
        if isinstance(clusterer_state, bytes):  # pickled apart, by the process holding the clusterer
            clusterer_state = pickle.loads(clusterer_state)
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
        """Run the stages over documents, yielding one Outcome per document once it is committed; commits every
        BATCH_SIZE new articles.

        Each document is taken in (extracted, matched against stored and arriving articles, sent to the clusterer)
        and written to the store once the clusterer has decided its story, in input order. For long inputs the
        clusterer decides in a process of its own (kabar.clustering) while this one takes in the next documents, up
        to a batch ahead of the writes; the clusterer this engine holds is then not updated, and is read back from the
        store when next needed. What the next batch's extraction depends on (the furniture learned from the articles
        before) is learned when a batch has been taken in, so the outcome is that of one-by-one ingest.

        After each batch the objects alive (the stages' growing memory, mostly) are moved out of the cyclic
        garbage collector's sight until the ingest ends (``gc.freeze``): its full passes otherwise re-scan them
        all, a cost that grows with the memory. They are still freed when no longer referenced.
        """
        if self._state is not None and self._stored_generation() != self._generation:
            self._state = None  # another engine ingested since this one's state was read: read the store's
            self.furniture = OutletFurniture(self.store)
        iterator = iter(documents)
        head = list(islice(iterator, workers.PARALLEL_MIN_DOCUMENTS))
        parallel = len(head) >= workers.PARALLEL_MIN_DOCUMENTS and workers.WORKERS >= 2
        clustering: LocalClustering | ClusteringProcess
        pairs: Generator[tuple[RawDocument, Prepared | None]]
        if parallel:
            clustering = ClusteringProcess(self.state.clusterer, workers.start_method())  # before any thread starts
            pairs = workers.prepared_in_workers(chain(head, iterator), self.furniture)
        else:
            clustering = LocalClustering(self.state.clusterer)
            pairs = ((document, None) for document in chain(head, iterator))
        writes = _Writes(clustering)
        failed = True
        try:
            writes.transaction.enter_context(self.store.transaction())
            self._check_generation()
            batch = _BatchEnd(undone=self._undo_provisional())
            for document, prepared in pairs:
                arrival = self._take_in(document, prepared, on_problem, clustering)
                writes.arriving.append(arrival)
                batch.added += arrival.article is not None
                if batch.added >= BATCH_SIZE:
                    yield from self._write(writes, until_batch=True)
                    self._end_taking_in(batch, writes)
                    batch = _BatchEnd()
                yield from self._write(writes)
            yield from self._write(writes, until_batch=True)
            batch.final = True
            self._end_taking_in(batch, writes)
            yield from self._write(writes, until_batch=True)
            failed = False
        except BaseException:
            writes.transaction.__exit__(*sys.exc_info())  # roll back
            raise
        finally:
            pairs.close()
            clustering.close(failed)
            gc.unfreeze()
            if failed or parallel:
                # the stages' state and the pending furniture counts are ahead of the store, which rolled back to the last
                # commit, or the clusterer here is behind it: start again from the store
                self._state = None
            if failed:
                self.furniture = OutletFurniture(self.store)
            self._arriving.clear()
            self._arriving_contents.clear()

    def _end_taking_in(self, batch: _BatchEnd, writes: _Writes) -> None:
        """A batch is taken in (the batch before it is written): learn furniture from its articles, ask the clusterer
        for its changes as of them (once it has decided them, the batch commits) and mark the batch's end."""
        if batch.added:
            self.furniture.flush()
        batch.changes = self._take_local_changes()
        if not batch.final:
            writes.clustering.ask_changes()
        writes.arriving.append(batch)

    def _take_local_changes(self) -> _LocalChanges:
        """What the stages in this process changed since the last call (all document frequencies every
        FREQUENCY_SNAPSHOT_EVERY saves)."""
        state = self.state
        all_frequencies = state.frequency_rows == 0 or state.frequency_rows >= FREQUENCY_SNAPSHOT_EVERY
        frequencies = state.clusterer.weights.take_changes(all_frequencies)
        return _LocalChanges(state.deduper.take_changes(), frequencies, all_frequencies)

    def _write(self, writes: _Writes, until_batch: bool = False) -> Iterator[Outcome]:
        """Write the arrivals in order while their decisions are in, committing each batch when its end is reached and
        yielding its outcomes; with ``until_batch``, wait for decisions until the next batch end is committed (when
        there is one)."""
        clustering = writes.clustering
        until_batch = until_batch and any(isinstance(item, _BatchEnd) for item in writes.arriving)
        while writes.arriving:
            head = writes.arriving[0]
            if not until_batch and (isinstance(head, _BatchEnd) or head.clustered) and not clustering.ready():
                return
            writes.arriving.popleft()
            if isinstance(head, _Arrival):
                writes.outcomes.append(self._write_one(head, clustering))
                continue
            assert head.changes is not None, "taken when the batch was taken in"
            if head.final:
                self._place_preview(clustering)
                if head.added or head.undone or self.state.provisional:
                    clustering.ask_changes()
                    self._save_state(clustering.saved_changes(), head.changes)
            else:
                self._save_state(clustering.saved_changes(), head.changes)
            writes.transaction.close()  # commit
            gc.freeze()
            yield from writes.outcomes
            writes.outcomes = []
            if not head.final:
                writes.transaction.enter_context(self.store.transaction())
                self._check_generation()
            if until_batch:
                return

    def _save_state(self, clusterer_changes: SavedChanges, local: _LocalChanges) -> None:
        """Persist what the stages changed with a batch (in its transaction): the clusterer's changes, those of the
        stages in this process and the provisional merges."""
        state = self.state
        self._generation += 1
        self.store.save_state(GENERATION_NAME, str(self._generation).encode())
        clusterer_state, stories = clusterer_changes
        deduper_settings, signatures = local.deduper
        blob = pickle.dumps((clusterer_state, deduper_settings, state.provisional), protocol=pickle.HIGHEST_PROTOCOL)
        self.store.save_state(STATE_NAME, blob)
        self.store.save_state_rows(STORY_ROWS, stories)
        self.store.save_state_rows(SIGNATURE_ROWS, {k: None if s is None else s.tobytes() for k, s in signatures.items()})
        frequency_rows: dict[str, bytes | None] = {}
        if local.all_frequencies:
            frequency_rows = {_frequency_key(n): None for n in range(state.frequency_rows)}
            state.frequency_rows = 0
        frequency_rows[_frequency_key(state.frequency_rows)] = pickle.dumps(local.frequencies, pickle.HIGHEST_PROTOCOL)
        self.store.save_state_rows(FREQUENCY_ROWS, frequency_rows)
        state.frequency_rows += 1

    def _take_in(
        self,
        document: RawDocument,
        prepared: Prepared | None,
        on_problem: Callable[[str, str], None],
        clustering: LocalClustering | ClusteringProcess,
    ) -> _Arrival:
        """Extract a document (unless a worker did), match it against stored and arriving articles and send a new
        original to the clusterer; ``_write`` stores it."""
        input_id = str(document.hints["id"]) if document.hints.get("id") not in (None, "") else None
        if prepared is None:
            try:
                prepared = prepare(document, self.furniture.known)
            except ExtractionError as error:
                on_problem(document.source, str(error))
                skipped = Outcome(document.source, "skipped", input_id, message=str(error))
                return _Arrival(document.source, input_id, outcome=skipped)
        article = prepared.article
        existing = self._existing_id(article)
        if existing is not None:
            return _Arrival(document.source, input_id, existing=existing)
        self._arriving[article.id] = article
        self._arriving_contents[article.content_hash] = article.id
        clustered = not self._link_copy(article, prepared.signature)
        if clustered:
            clustering.submit(article.id, self.state.clusterer.weights.observe(prepared.features))
            self.furniture.observe(article)
        return _Arrival(document.source, input_id, article, prepared.search_terms, clustered=clustered)

    def _existing_id(self, article: Article) -> str | None:
        """The stored or arriving article with this one's id, else with its content (at most one article has a content)."""
        if article.id in self._arriving:
            return article.id
        found = self.store.find_article_id(article.id, article.content_hash)
        return found if found is not None else self._arriving_contents.get(article.content_hash)

    def _link_copy(self, article: Article, signature: np.ndarray | None) -> bool:
        """Whether the article is a near-duplicate copy of a stored or arriving original (then marked ``duplicate_of``
        it); otherwise it is remembered as an original."""
        original_id, jaccard = self.state.deduper.find_original(signature)
        original = None if original_id is None else self._arriving.get(original_id) or self.store.article(original_id)
        share = copied_share(article.text, original.text) if original is not None else 0.0
        if original is not None and share >= COPY_SHARE:
            article.duplicate_of = original.id
            article.evidence = {"duplicate_of": original.id, "jaccard": round(jaccard, 3), "shared": round(share, 3)}
            return True
        self.state.deduper.add(article.id, signature)
        return False

    def _write_one(self, arrival: _Arrival, clustering: LocalClustering | ClusteringProcess) -> Outcome:
        """Store an article taken in, in its story (the clusterer's decision, or its original's), and say what happened."""
        if arrival.outcome is not None:
            return arrival.outcome
        if arrival.existing is not None:
            self.store.link_source(arrival.source, arrival.existing)
            stored = self.store.article(arrival.existing)
            return Outcome(arrival.source, "duplicate", arrival.input_id, arrival.existing, stored.story_id if stored else None)
        article = arrival.article
        assert article is not None
        if arrival.clustered:
            self._apply(article, clustering.result())
        else:
            original = self.store.article(article.duplicate_of or "")
            article.story_id = original.story_id if original is not None else None
        self.store.add_article(article, arrival.search_terms)
        del self._arriving[article.id], self._arriving_contents[article.content_hash]
        status = "near-duplicate" if article.duplicate_of else "added"
        return Outcome(arrival.source, status, arrival.input_id, article.id, article.story_id)

    def _apply(self, article: Article, clustered: Clustered) -> None:
        """Write the clusterer's decision for an article: its story and evidence, the merges and settles it made."""
        assignment = clustered.assignment
        article.story_id = assignment.story_id
        article.evidence = assignment.evidence
        for merged in assignment.merged:
            self.store.record_merge(merged, assignment.story_id, {"by_article": article.id, **assignment.evidence})
        own = assignment.settled.pop(article.id, None)
        if own is not None:
            article.evidence = {"settled": True, **own.evidence}
        self._place(assignment.settled, final=True)
        for source, target, reason in assignment.story_merges:
            self.store.record_merge(source, target, {"consolidated": True, **reason})
        article.story_id = clustered.story_id

    def _place_preview(self, clustering: LocalClustering | ClusteringProcess) -> None:
        """Place the articles not settled yet where a preview puts them, and apply its story merges until the next ingest
        (which undoes them first: between ingests the store shows the stories as the next settle would likely leave them,
        while within one the clusterer and the store agree)."""
        clustering.ask_preview()
        preview = clustering.preview()
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
            stored_in = self.store.story_of(article_id)
            if stored_in is not None and stored_in != assignment.story_id:
                evidence = {"settled": True if final else "until the next settle", **assignment.evidence}
                self.store.move_article(article_id, assignment.story_id, evidence)

    def recluster(self) -> int:
        """Forget all stories and re-run dedup and clustering over the stored articles in publication order."""
        articles = sorted(self.store.articles(), key=lambda a: a.published_at or "")
        self._state = StageState(StoryClusterer(), NearDuplicateIndex())
        clustering = LocalClustering(self._state.clusterer)
        with self.store.transaction():
            self._generation = self._stored_generation()
            self.store.clear_derived()
            for article in articles:
                article.duplicate_of = None
                if self._link_copy(article, article_signature(article)):
                    original = self.store.article(article.duplicate_of or "")
                    article.story_id = original.story_id if original is not None else None
                else:
                    clustering.submit(article.id, self._state.clusterer.weights.observe(article_features(article)))
                    self._apply(article, clustering.result())
                self.store.update_assignment(article)
            self._place_preview(clustering)
            local = self._take_local_changes()
            clustering.ask_changes()
            self._save_state(clustering.saved_changes(), local)
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

    def merged_into(self, story_id: str) -> str | None:
        """The story an old story id was merged into, following merges of merges; None when it was never merged."""
        into = {merge["from"]: merge["into"] for merge in self.store.merges()}
        seen = {story_id}
        while story_id in into and into[story_id] not in seen:
            story_id = into[story_id]
            seen.add(story_id)
        return story_id if len(seen) > 1 else None

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A story's listing fields, summary and articles; None for an unknown story (see ``merged_into`` for the id of
        a story that joined another)."""
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
