"""The Store interface: what the drivers need from persistence, and nothing about NLP."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from kabar.model import Article
from kabar.search import index_terms_of
from kabar.textproc import hash_words


def article_search_terms(article: Article) -> str:
    """The stemmed words an article is found by in full-text search: ``index_terms`` of its title and text."""
    return index_terms_of(hash_words(article.title) + hash_words(article.text), article.language or "id")


class StoreError(RuntimeError):
    """The store cannot be used (wrong schema version, not a kabar store, state of an older kabar, …)."""


@dataclass(slots=True, frozen=True)
class StoryFilter:
    """Read-side conditions on the story listing; every one that is set must hold.

    ``since``/``until`` are ISO dates a story's publication span must overlap; ``outlet`` an outlet
    with an article in the story; ``entity`` a name or alias in the story's analysed entities;
    ``match`` an FTS5 expression from ``kabar.search.match_expression`` over articles and summaries;
    ``min_articles`` the fewest articles a story may have.
    """

    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    entity: str | None = None
    match: str | None = None
    min_articles: int = 1


class Store(ABC):
    """Persistence for articles, story assignments, derived story data and stage state."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A unit of work: everything inside commits together or not at all."""

    @abstractmethod
    def find_article_id(self, article_id: str, content_hash: str) -> str | None:
        """The stored article with this id or this exact content, if any."""

    @abstractmethod
    def add_article(self, article: Article, search_terms: str | None = None) -> None:
        """Store a new article with its dedup and story fields; ``search_terms`` when already computed
        (``article_search_terms``, e.g. in a worker process)."""

    @abstractmethod
    def link_source(self, source: str, article_id: str) -> None:
        """Record that ``source`` (a file, line or URL) resolved to an already stored article."""

    @abstractmethod
    def article(self, article_id: str) -> Article | None:
        """One article by id."""

    @abstractmethod
    def story_of(self, article_id: str) -> str | None:
        """The story an article is stored in (None when it is in none, or not stored): a settle's moves read only that."""

    @abstractmethod
    def articles(self, story_id: str | None = None) -> Iterator[Article]:
        """All articles in arrival order, or those of one story."""

    @abstractmethod
    def count_articles(self) -> int:
        """Number of stored articles."""

    @abstractmethod
    def update_assignment(self, article: Article) -> None:
        """Store a stored article's new duplicate_of, story_id and evidence."""

    @abstractmethod
    def move_article(self, article_id: str, story_id: str, evidence: dict[str, Any]) -> None:
        """Move a stored article and its near-duplicate copies to another story, with the evidence for the move."""

    @abstractmethod
    def record_merge(self, from_story: str, into_story: str, reason: dict[str, Any]) -> None:
        """Record that one story was merged into another and move its articles."""

    @abstractmethod
    def mark_stories_dirty(self, story_ids: set[str]) -> None:
        """Flag stories whose derived data must be recomputed."""

    @abstractmethod
    def dirty_stories(self) -> list[str]:
        """Stories whose derived data is missing or stale."""

    @abstractmethod
    def save_story_data(self, story_id: str, data: dict[str, Any]) -> None:
        """Store a story's derived data (summary, analysis, listing fields) and clear its dirty flag."""

    @abstractmethod
    def story_data(self, story_id: str) -> dict[str, Any] | None:
        """A story's stored derived data, or None for an unknown story."""

    @abstractmethod
    def story_rows(self, limit: int | None = None, offset: int = 0, filters: StoryFilter | None = None) -> list[dict[str, Any]]:
        """Listing rows of live stories, newest first, optionally only those passing ``filters``."""

    @abstractmethod
    def count_stories(self, filters: StoryFilter | None = None) -> int:
        """Number of live stories passing ``filters``."""

    @abstractmethod
    def search_articles(self, match: str, limit: int = 20, offset: int = 0) -> tuple[int, list[str]]:
        """Full-text search of articles: (number of hits, article ids of one page, best first)."""

    @abstractmethod
    def outlets(self) -> list[dict[str, Any]]:
        """Each named outlet with its article and story counts and publication span."""

    @abstractmethod
    def merges(self) -> list[dict[str, Any]]:
        """All recorded story merges."""

    @abstractmethod
    def add_outlet_lines(self, articles: dict[str, int], lines: dict[str, Counter[str]]) -> None:
        """Add articles seen per outlet and, per outlet and normalised line, the articles containing it."""

    @abstractmethod
    def outlet_furniture(self, min_articles: int, min_share: float, outlets: list[str] | None = None) -> dict[str, set[str]]:
        """Lines in at least ``min_articles`` and ``min_share`` of an outlet's articles (all outlets or ``outlets``)."""

    @abstractmethod
    def save_state(self, name: str, value: bytes) -> None:
        """Persist a stage's serialised state (e.g. the clusterer's index)."""

    @abstractmethod
    def load_state(self, name: str) -> bytes | None:
        """A stage's serialised state, or None."""

    @abstractmethod
    def save_state_rows(self, kind: str, rows: Mapping[str, bytes | None]) -> None:
        """Persist a stage's state kept as many keyed rows of one ``kind``: write each row, delete those given None."""

    @abstractmethod
    def load_state_rows(self, kind: str) -> list[tuple[str, bytes]]:
        """All rows of one kind of stage state, as (key, value), in the order they were first written."""

    @abstractmethod
    def clear_derived(self) -> None:
        """Forget stories, merges and stage state: everything rebuildable from the articles."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""
