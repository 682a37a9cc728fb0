"""Preparing documents: what the stages compute from one document alone, in worker processes for long inputs.

``prepare`` extracts a document and computes its MinHash signature, clustering features and search terms.
``prepared_in_workers`` runs it in worker processes, chunk by chunk and in order, while the calling process
does what depends on the documents before. The one input of ``prepare`` that earlier documents change is the
learned furniture (``OutletFurniture``): a result whose extraction asked about furniture lines learned or
dropped since comes back as None, to be prepared again in the calling process, so the outcome is always that
of one-by-one ingest.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, fields
from itertools import islice
from operator import attrgetter
from typing import Any

import numpy as np

from kabar.dedup import article_signature
from kabar.extract import ExtractionError, extract
from kabar.extract.furniture import OutletFurniture
from kabar.features import ArticleFeatures, article_features
from kabar.model import Article, RawDocument
from kabar.store.base import article_search_terms

WORKERS = min(4, os.cpu_count() or 1)
"""Processes preparing documents beside this one; with a single core everything runs here."""
PARALLEL_MIN_DOCUMENTS = 2000
"""Shorter inputs are prepared in this process: starting workers (about a second) costs more than they save."""
CHUNK_DOCUMENTS = 100
"""Documents per worker task: enough to amortise the hand-over, few enough to keep the workers evenly busy."""
CHUNKS_AHEAD = 2
"""Tasks queued per worker, so a worker never waits for the next while this process is busy."""


@dataclass(slots=True)
class Prepared:
    """What the stages compute from one document alone: the article, its MinHash signature, clustering features
    and search terms."""

    article: Article
    signature: np.ndarray | None
    features: ArticleFeatures
    search_terms: str

    def __reduce__(self) -> tuple[Callable[..., Prepared], tuple[Any, ...]]:
        """Pickled as the field values of the article and the features, and the bytes of the signature (uint32, see
        ``dedup.signature``): workers send every result to the ingesting process, and this pickles in half the time
        of the dataclasses and the array, and smaller."""
        signature = None if self.signature is None else self.signature.tobytes()
        return _unpickle_prepared, (_ARTICLE_FIELDS(self.article), signature, _FEATURE_FIELDS(self.features), self.search_terms)


_ARTICLE_FIELDS = attrgetter(*(field.name for field in fields(Article)))
_FEATURE_FIELDS = attrgetter(*(field.name for field in fields(ArticleFeatures)))


def _unpickle_prepared(
    article: tuple[Any, ...], signature: bytes | None, features: tuple[Any, ...], search_terms: str
) -> Prepared:
    """The ``Prepared`` that ``Prepared.__reduce__`` pickled."""
    array = None if signature is None else np.frombuffer(signature, dtype=np.uint32).copy()
    return Prepared(Article(*article), array, ArticleFeatures(*features), search_terms)


def prepare(document: RawDocument, known_furniture: Mapping[str, frozenset[str]]) -> Prepared:
    """Extract one document and compute what dedup, clustering and the store need of it; raises ExtractionError."""
    article = extract(document, known_furniture)
    return Prepared(article, article_signature(article), article_features(article), article_search_terms(article))


class _AskedLines(Collection[str]):
    """One outlet's learned furniture lines, noting each line key extraction asks about (into ``asked``)."""

    def __init__(self, lines: Collection[str], asked: set[str]) -> None:
        self.lines = lines
        self.asked = asked

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return key in self.lines

    def __bool__(self) -> bool:
        return True  # asked even when empty: the furniture learned by the time the result is used may not be

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines)

    def __len__(self) -> int:
        return len(self.lines)


class _AskedFurniture(Mapping[str, Collection[str]]):
    """Learned furniture as extraction in a worker sees it, noting the line keys asked about (``asked``).

    Extraction reads the furniture only through those questions, so its result holds for any later furniture
    that answers them the same (see ``_furniture_unchanged``).
    """

    def __init__(self, known: Mapping[str, frozenset[str]]) -> None:
        self.known = known
        self.asked: set[str] = set()

    def __getitem__(self, outlet: str) -> Collection[str]:
        return _AskedLines(self.known.get(outlet, frozenset()), self.asked)

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)


WorkerResult = tuple[Prepared, frozenset[str]]
"""A document prepared in a worker, and the furniture line keys its extraction asked about."""


def _prepare_chunk(documents: list[RawDocument], known_furniture: Mapping[str, frozenset[str]]) -> list[WorkerResult | None]:
    """``prepare`` each document (in a worker); None where extraction fails: the driver re-runs it to report why."""
    prepared: list[WorkerResult | None] = []
    for document in documents:
        furniture = _AskedFurniture(known_furniture)
        try:
            prepared.append((prepare(document, furniture), frozenset(furniture.asked)))
        except ExtractionError:
            prepared.append(None)
    return prepared


def start_method() -> str:
    """How workers start: forked on Linux when this process runs one thread (instant, and the calling script is
    not imported again), else from a fresh interpreter (forking a threaded process, e.g. a web server, can hang)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _warm_worker() -> None:
    """Load the language tables ``prepare`` reads, once per process."""
    prepare(RawDocument("warm-up", "text", "Presiden Joko Widodo meresmikan jalan tol baru di Jakarta, Senin."), {})


WORKER_NICENESS = 5
"""Workers run at a lower priority than the ingesting and clustering processes: they run ahead and can wait, while the
clusterer, which decides one article after another, sets the pace when the cores are all busy."""
PARENT_CHECK_SECONDS = 1.0
"""How often a worker checks that the process it works for is still alive."""


def _start_worker(parent_pid: int, warm: bool) -> None:
    """Set up a worker: it exits when the ingesting process is gone (killed with no chance to stop it, the worker
    would otherwise wait for work forever), and loads the language tables unless it was forked with them."""
    start_child(parent_pid)
    if hasattr(os, "nice"):  # not on Windows
        os.nice(WORKER_NICENESS)
    if warm:
        _warm_worker()


def start_child(parent_pid: int) -> None:
    """Set up a process started by the ingesting process ``parent_pid``: it exits when that process is gone, and SIGTERM
    ends it at once. A forked child inherits the parent's handlers, and the command's (SIGTERM ends an ingest like
    Ctrl-C) would make it exit the slow way, waiting to hand over what it had queued to a parent no longer reading:
    the parent's ``terminate`` would then never return."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=exit_without, args=(parent_pid,), daemon=True).start()


def exit_without(parent_pid: int) -> None:
    """Exit this process once the process ``parent_pid`` is gone (checked every PARENT_CHECK_SECONDS)."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)


def prepared_in_workers(
    documents: Iterator[RawDocument], furniture: OutletFurniture
) -> Generator[tuple[RawDocument, Prepared | None]]:
    """Documents in order, each with its ``prepare`` result from a worker (None: prepare it in this process, with the
    furniture as learned by then)."""
    method = start_method()
    if method == "fork":
        _warm_worker()  # forked workers inherit the loaded tables
    pool = ProcessPoolExecutor(
        WORKERS,
        mp_context=multiprocessing.get_context(method),
        initializer=_start_worker,
        initargs=(os.getpid(), method != "fork"),
    )
    queued: deque[tuple[list[RawDocument], dict[str, frozenset[str]], Future[list[WorkerResult | None]]]] = deque()

    def submit() -> None:
        chunk = list(islice(documents, CHUNK_DOCUMENTS))
        if chunk:
            known = dict(furniture.known)
            queued.append((chunk, known, pool.submit(_prepare_chunk, chunk, known)))

    try:
        for _ in range(WORKERS * CHUNKS_AHEAD):
            submit()
        while queued:
            chunk, known, future = queued.popleft()
            results = future.result()
            submit()
            for document, result in zip(chunk, results, strict=True):
                valid = result is not None and _furniture_unchanged(furniture, result[0].article.outlet, known, result[1])
                yield document, result[0] if valid else None
    finally:
        pool.shutdown(cancel_futures=True)


def _furniture_unchanged(
    furniture: OutletFurniture, outlet: str, known: Mapping[str, frozenset[str]], asked: frozenset[str]
) -> bool:
    """Whether the outlet's learned furniture now answers the line keys extraction asked about as ``known`` did."""
    used, now = known.get(outlet, frozenset()), furniture.known.get(outlet, frozenset())
    return used is now or used == now or all((key in used) == (key in now) for key in asked)
