"""HTML pages: trafilatura for the main text and metadata; kabar's line clean-up runs after it."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


@dataclass(slots=True)
class HtmlFields:
    """What trafilatura found in a page."""

    text: str
    title: str = ""
    url: str = ""
    published: str = ""
    authors: list[str] | None = None
    sitename: str = ""
    language: str = ""


def extract_html(html: str, url: str = "") -> HtmlFields | None:
    """Main text and metadata of an HTML page, or None when the page has no article text."""
    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=True,
    )
    if document is None or not (document.text or "").strip():
        return None
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return HtmlFields(
        text=document.text,
        title=document.title or "",
        url=document.url or url,
        published=document.date or "",
        authors=authors,
        sitename=document.hostname or document.sitename or "",
        language=document.language or "",
    )
