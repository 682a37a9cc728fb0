"""What the web app serves from: one engine over one store, used by one request at a time."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request

from kabar.engine import Kabar, Outcome
from kabar.model import Article, RawDocument
from kabar.search import match_expression
from kabar.store import StoryFilter

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
"""Story and article ids: letters, digits and ``_ . : -``, no slashes, not starting with a dot (no path tricks)."""
MAX_REQUEST_BYTES = 32_000_000
"""Largest ingest request; bigger collections go through ``kabar ingest`` or several requests."""
MAX_DOCUMENTS = 1000
"""Most documents per ingest request: one engine batch, so a request commits whole or not at all."""


@dataclass(slots=True, frozen=True)
class ServeOptions:
    """How the server runs: the ingest token (None: ingest off) and the ingest limits."""

    api_token: str | None = None
    max_request_bytes: int = MAX_REQUEST_BYTES
    max_documents: int = MAX_DOCUMENTS


class Library:
    """The engine, a lock that serialises its use (one SQLite connection), and the server options."""

    def __init__(self, engine: Kabar, options: ServeOptions) -> None:
        self.engine = engine
        self.options = options
        self.lock = threading.RLock()

    def ingest(self, documents: list[RawDocument]) -> list[Outcome]:
        """Run documents through the engine; problems are carried in the outcomes. The engine starts from the stages'
        saved state when another process (``kabar ingest`` while serving) saved since its last ingest."""
        with self.lock:
            return list(self.engine.ingest_documents(documents, lambda source, message: None))

    def stories(self, filters: StoryFilter, q: str | None, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """The total and one page of stories passing ``filters`` (none when ``q`` has no searchable word)."""
        if q and filters.match is None:
            return 0, []
        with self.lock:
            return self.engine.store.count_stories(filters), self.engine.stories(limit, offset, filters)

    def search(self, q: str, limit: int, offset: int) -> tuple[int, list[tuple[Article, list[tuple[str, bool]]]]]:
        """The number of articles matching ``q`` and one page of (article, snippet pieces), best first."""
        with self.lock:
            return self.engine.search(q, limit, offset)

    def merged_into(self, story_id: str) -> str | None:
        """The live story an old story id was merged into (following merges of merges), or None."""
        with self.lock:
            return self.engine.merged_into(story_id)


def story_filter(
    since: date | None, until: date | None, outlet: str | None, entity: str | None, q: str | None, min_articles: int = 1
) -> StoryFilter:
    """The store's filter from the listing's query parameters."""
    return StoryFilter(
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        outlet=outlet or None,
        entity=entity or None,
        match=match_expression(q) if q else None,
        min_articles=min_articles,
    )


def library(request: Request) -> Library:
    """The app's Library (a FastAPI dependency)."""
    return request.app.state.library
