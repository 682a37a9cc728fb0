"""Extract stage: RawDocument -> Article (clean body, title, outlet, authors, dates, language)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import ftfy

from kabar.extract.crawled import clean_crawled_text
from kabar.extract.dates import date_from_url, parse_date, publication_date
from kabar.extract.html import extract_html
from kabar.extract.language import detect_language
from kabar.extract.outlets import canonical_outlet, domain_of, outlet_from_text
from kabar.model import Article, RawDocument
from kabar.textproc import normalise_for_hash


class ExtractionError(ValueError):
    """A document that yields no article (no text after clean-up); the message names why."""


def content_hash(text: str) -> str:
    """Hash of the normalised body: equal for exact copies whatever their whitespace or case."""
    return hashlib.blake2b(normalise_for_hash(text).encode(), digest_size=12).hexdigest()


def _crawl_reference(crawl_date: str | None) -> date | None:
    if not crawl_date:
        return None
    parts = [int(p) for p in crawl_date[:10].split("-") if p.isdigit()]
    if len(parts) < 2:
        return None
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def extract(raw: RawDocument) -> Article:
    """Turn one RawDocument into an Article; raises ExtractionError when nothing is left."""
    hints = raw.hints
    content = raw.content if isinstance(raw.content, str) else raw.content.decode("utf-8", "replace")
    url = str(hints.get("url", ""))
    title_hint = str(hints.get("title", ""))
    authors: list[str] = []
    published_meta = str(hints.get("published", ""))
    if raw.kind == "html":
        fields = extract_html(content, url)
        if fields is None:
            raise ExtractionError("HTML page has no article text")
        url = url or fields.url
        title_hint = title_hint or fields.title
        published_meta = published_meta or fields.published
        authors = list(fields.authors or [])
        content = fields.text
    content = ftfy.fix_text(content)
    cleaned = clean_crawled_text(content, ftfy.fix_text(title_hint))
    text = cleaned.text.strip()
    if not text:
        raise ExtractionError("no article text left after removing page furniture")
    crawl_date = str(hints.get("crawl_date") or "") or cleaned.crawl_date
    reference = _crawl_reference(crawl_date)
    outlet = canonical_outlet(str(hints.get("outlet", ""))) or (domain_of(url) if url else "") or outlet_from_text(content)
    published, date_note = _published(published_meta, url, content[:3000] if raw.kind != "html" else text, reference, crawl_date)
    language = str(hints.get("lang", "")) or detect_language(f"{cleaned.title}\n{text}")
    body_hash = content_hash(text)
    return Article(
        id=str(hints.get("id") or body_hash),
        title=cleaned.title or _first_sentence(text),
        text=text,
        outlet=outlet,
        url=url,
        published_at=published.isoformat() if published else None,
        crawl_date=crawl_date or None,
        language=language,
        authors=authors + [a for a in cleaned.authors if a not in authors],
        furniture=cleaned.furniture,
        source=raw.source,
        content_hash=body_hash,
        date_note=date_note,
    )


def _published(meta: str, url: str, text: str, reference: date | None, crawl_date: str | None) -> tuple[datetime | None, str | None]:
    """Publication date: metadata, then the URL, then the text; the article's own date beats the crawl date."""
    value = parse_date(meta, reference) if meta else None
    if value is None and url:
        value = date_from_url(url)
    if value is None:
        found = publication_date(text, reference)
        value = found.value if found else None
    note = None
    if value is not None and crawl_date and value.strftime("%Y-%m") != crawl_date[:7]:
        note = f"crawl date {crawl_date} differs from the article's own date {value.date().isoformat()}; the article's date is used"
    return value, note


def _first_sentence(text: str, limit: int = 160) -> str:
    from kabar.textproc import sentences

    first = next(iter(sentences(text[:1000])), text[:limit])
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"
