"""The plain values that flow through kabar's pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(slots=True)
class RawDocument:
    """One unparsed document as a reader found it.

    ``kind`` says how to extract it: ``"text"`` (crawled plain text), ``"html"`` or ``"record"``
    (already split into fields, e.g. a JSONL line or a feed entry; ``content`` is the body).
    ``hints`` carries metadata the source already knows: title, outlet, url, published, id, lang,
    crawl_date.
    """

    source: str
    kind: str
    content: str | bytes
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Article:
    """One extracted news article: the currency of every stage after ``extract``."""

    id: str
    title: str
    text: str
    outlet: str = ""
    url: str = ""
    published_at: str | None = None
    crawl_date: str | None = None
    language: str = ""
    authors: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)
    source: str = ""
    content_hash: str = ""
    date_note: str | None = None
    duplicate_of: str | None = None
    story_id: str | None = None
    evidence: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict."""
        return asdict(self)


@dataclass(slots=True)
class Assignment:
    """The cluster stage's decision for one article."""

    story_id: str
    is_new: bool
    evidence: dict[str, Any] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    settled: dict[str, Assignment] = field(default_factory=dict)
    """When this arrival triggered a settle: the final assignment of every article it settled, by key."""
    story_merges: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """When this arrival triggered a settle: the stories consolidation merged then, as (source, target, evidence)."""
