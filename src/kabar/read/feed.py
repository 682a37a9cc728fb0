"""RSS and Atom feeds: one RawDocument per entry, with the entry's metadata as hints."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import feedparser

from kabar.model import RawDocument


def read_feed(text: str, source: str, on_problem: Callable[[str, str], None]) -> Iterator[RawDocument]:
    """Yield the entries of an RSS/Atom feed that carry a body (content or summary)."""
    feed = feedparser.parse(text)
    if feed.bozo and not feed.entries:
        on_problem(source, f"not a readable RSS/Atom feed ({feed.get('bozo_exception', 'parse error')})")
        return
    if not feed.entries:
        kind = "feed" if feed.version else "XML document, not an RSS/Atom feed,"
        on_problem(source, f"{kind} has no entries; skipped")
        return
    outlet = feed.feed.get("link", "") or feed.feed.get("title", "")
    for number, entry in enumerate(feed.entries, start=1):
        contents = entry.get("content") or []
        body = contents[0].get("value", "") if contents else entry.get("summary", "")
        if not body.strip():
            on_problem(f"{source}#{number}", "feed entry has no content or summary; skipped")
            continue
        hints = {
            "title": entry.get("title", ""),
            "url": entry.get("link", ""),
            "published": entry.get("published") or entry.get("updated") or "",
            "id": entry.get("id", ""),
            "outlet": outlet,
        }
        kind = "html" if "<" in body and ">" in body else "record"
        yield RawDocument(source=f"{source}#{number}", kind=kind, content=body, hints={k: v for k, v in hints.items() if v})
