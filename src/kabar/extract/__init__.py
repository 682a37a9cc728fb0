"""Extract stage: RawDocument -> Article (clean body, title, outlet, authors, dates, language).

Cascade for one document:
(1) bytes are decoded (UTF-8, else the detected charset); a document over ``MAX_DOCUMENT_CHARS``, or an
    HTML page over ``html.MAX_HTML_CHARS`` once its scripts are gone, is refused (bounding time per document);
(2) HTML goes through trafilatura (main text, metadata) and kabar's title choice (``html.py``);
(3) mojibake ("â€™") is repaired by ftfy, only when the text shows its markers (ftfy is slow);
(4) the text is cleaned line by line (``crawled.py``): crawl header, learned per-outlet furniture
    (``known_furniture``), credits, furniture patterns, "Baca juga" links, datelines, title;
(5) metadata: outlet (hint, URL, page, text cue), authors (page, credit lines), publication date
    (page metadata, URL, then the text; see ``_published``), language (CLD2 on the clean text).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta

import ftfy

from kabar import lang
from kabar.extract.crawled import CREDIT_SPLIT_RE, clean_crawled_text, credit_names
from kabar.extract.dates import date_from_url, find_dates, parse_date, publication_date
from kabar.extract.html import MAX_HTML_CHARS, extract_html, fragment_text, is_fragment, strip_scripts
from kabar.extract.language import detect_language
from kabar.extract.outlets import canonical_outlet, domain_of, outlet_from_text
from kabar.model import Article, RawDocument
from kabar.read import decode_text
from kabar.textproc import normalise_for_hash, sentences

MAX_DOCUMENT_CHARS = 10_000_000
"""Largest document extracted (characters); real article pages are well under 2 MB."""
DATE_SCAN_CHARS = 6_000
"""Characters of raw crawled text (furniture included: datelines sit there) searched for the date."""
DATELINE_MAX_CHARS = 80
"""A removed line this short that holds a date and time can be the page's own dateline."""
TITLE_MAX_CHARS = 160
SAFE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
"""Ids kept as given: short plain tokens that are safe in URLs and file names."""


class ExtractionError(ValueError):
    """A document that yields no article (no text after clean-up); the message names why."""


def content_hash(text: str) -> str:
    """Hash of the normalised body: equal for exact copies whatever their whitespace or case."""
    return hashlib.blake2b(normalise_for_hash(text).encode(), digest_size=12).hexdigest()


DIGITS_RE = re.compile(r"\d+")
NON_WORD_RE = re.compile(r"[\W_]+")


def crawl_reference(crawl_date: str | None) -> date | None:
    """The crawl date as a date ("2023-09" -> 2023-09-01), or None when absent or unreadable."""
    if not crawl_date:
        return None
    parts = [int(p) for p in DIGITS_RE.findall(crawl_date[:10])]
    try:
        return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1) if len(parts) >= 2 else None
    except ValueError:
        return None


def _latest_allowed(crawl_date: str | None) -> date | None:
    """The last day an article crawled on ``crawl_date`` can have been published (month end for "2023-09")."""
    reference = crawl_reference(crawl_date)
    if reference is None:
        return None
    if len(crawl_date or "") >= 10:
        return reference
    following = date(reference.year + (reference.month == 12), reference.month % 12 + 1, 1)
    return following - timedelta(days=1)


MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
"""A UTF-8 lead byte read as Latin-1/cp1252 ("Ã", "â") followed by a continuation byte read the same way ("©", "€")."""


CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters but tab and line ends: never text, and an escape sequence in a title would reach terminals."""


def without_controls(text: str) -> str:
    """Text without control characters (CONTROL_RE)."""
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def fix_mojibake(text: str) -> str:
    """Repair mis-decoded text ("â€™" -> "’"), only when it shows mojibake: ftfy costs ~0.3 ms per article."""
    if text.isascii() or MOJIBAKE_RE.search(text) is None:
        return text
    return ftfy.fix_text(text)


def _decode(content: str | bytes) -> str:
    if isinstance(content, str):
        return content
    decoded = decode_text(content)
    if decoded is None:
        raise ExtractionError("not valid UTF-8 and no other text encoding fits")
    return decoded[0]


def clean_authors(names: Collection[str]) -> list[str]:
    """Person names from author fields: split at "dan", "&" and commas, credit words ("Pewarta") stripped, no organisations."""
    prefixes = lang.words("id", "author_prefixes.txt")
    not_names = lang.words("id", "author_not_names.txt")
    authors: list[str] = []
    for name in (part for field in names for part in CREDIT_SPLIT_RE.split(field)):
        words = name.replace(":", " ").split()
        while words and words[0].lower().strip(".") in prefixes:
            words = words[1:]
        cleaned = " ".join(words).strip(" .,-|")
        lowered = cleaned.lower()
        if len(cleaned) < 3 or any(word in not_names for word in NON_WORD_RE.split(lowered)) or "." in lowered:
            continue
        if cleaned.isupper() or cleaned.islower():
            cleaned = cleaned.title()
        if lowered not in (a.lower() for a in authors):
            authors.append(cleaned)
    return authors


def extract(raw: RawDocument, known_furniture: Mapping[str, Collection[str]] | None = None) -> Article:
    """Turn one RawDocument into an Article; raises ExtractionError when nothing is left.

    ``known_furniture`` maps an outlet to the ``crawled.line_key`` keys of lines it repeats across its
    articles (the engine learns them, see ``furniture.py``); such lines are removed like pattern furniture.
    """
    hints = raw.hints
    content = _decode(raw.content)
    if len(content) > MAX_DOCUMENT_CHARS:
        raise ExtractionError(f"document is {len(content) // 1_000_000} MB, over the {MAX_DOCUMENT_CHARS // 1_000_000} MB limit")
    url = str(hints.get("url") or "")
    title_hint = str(hints.get("title") or "")
    authors: list[str] = []
    published_meta = str(hints.get("published") or "")
    page_host = ""
    page_furniture: list[str] = []
    if raw.kind == "html" and is_fragment(content):
        content = fragment_text(content)
    elif raw.kind == "html":
        if len(content) > MAX_HTML_CHARS:
            content = strip_scripts(content)
            if len(content) > MAX_HTML_CHARS:
                size, limit = len(content) / 1_000_000, MAX_HTML_CHARS // 1_000_000
                raise ExtractionError(f"HTML page is {size:.1f} MB without its scripts, over the {limit} MB limit")
        fields = extract_html(content, url)
        if fields is None:
            raise ExtractionError("HTML page has no article text")
        url = url or fields.url
        title_hint = title_hint or fields.title
        published_meta = published_meta or fields.published
        authors = fields.authors
        page_host = fields.hostname
        page_furniture = fields.removed
        content = fields.text
    content = without_controls(fix_mojibake(content))
    title_hint = without_controls(title_hint)
    outlet = (
        canonical_outlet(str(hints.get("outlet") or ""))
        or (domain_of(url) if url else "")
        or (domain_of(page_host) if page_host else "")
        or outlet_from_text(content)
    )
    learned = known_furniture.get(outlet, frozenset()) if known_furniture and outlet else frozenset()
    cleaned = clean_crawled_text(content, fix_mojibake(title_hint), known_furniture=learned)
    text = cleaned.text.strip()
    if not text:
        raise ExtractionError(
            "HTML page has no article text" if raw.kind == "html" else "no article text left after removing page furniture"
        )
    crawl_date = str(hints.get("crawl_date") or "") or cleaned.crawl_date
    title = cleaned.title or _first_sentence(text)
    date_text = f"{title}\n{content[:DATE_SCAN_CHARS]}" if raw.kind != "html" else f"{title}\n{text[:DATE_SCAN_CHARS]}"
    published, date_note = _published(published_meta, url, date_text, crawl_date, page_furniture + cleaned.furniture)
    language = str(hints.get("lang") or "") or detect_language(f"{title}\n{text}")
    body_hash = content_hash(text)
    return Article(
        id=article_id(hints.get("id"), body_hash),
        title=title,
        text=text,
        outlet=outlet,
        url=url,
        published_at=published.isoformat() if published else None,
        crawl_date=crawl_date or None,
        language=language,
        authors=clean_authors(
            [*authors, *(name for line in page_furniture for name in credit_names(line) or ()), *cleaned.authors]
        ),
        furniture=page_furniture + cleaned.furniture,
        source=raw.source,
        content_hash=body_hash,
        date_note=date_note,
    )


def article_id(given: object, body_hash: str) -> str:
    """The stored id: the source's own id when it is a short plain token, else a hash of it (feed ids are URLs)."""
    if given in (None, ""):
        return body_hash
    text = str(given)
    if SAFE_ID_RE.fullmatch(text):
        return text
    return "h" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _published(meta: str, url: str, text: str, crawl_date: str | None, removed: list[str]) -> tuple[datetime | None, str | None]:
    """Publication date and a note on any conflict.

    Cascade: page or record metadata, then a date in the URL, then the text (``publication_date``). A
    metadata or URL date without a time takes the time of the page's own dateline for that day, a removed
    line of its own ("Jumat , 17 February 2017, 13:16 WIB"); a time in running text is an event's and is
    never used so. A date after the crawl date is refused (and noted); when the article's own date and the
    crawl date disagree, the article's date is used and the disagreement noted.
    """
    reference = crawl_reference(crawl_date)
    latest = _latest_allowed(crawl_date)
    notes: list[str] = []
    value: datetime | None = None
    for source, candidate in (
        ("metadata", parse_date(meta, reference) if meta else None),
        ("URL", date_from_url(url) if url else None),
    ):
        if candidate is None:
            continue
        if latest is not None and candidate.date() > latest:
            notes.append(f"{source} date {candidate.date().isoformat()} is after the crawl date {crawl_date}; ignored")
            continue
        value = candidate
        break
    if value is None:
        found = publication_date(text, reference, latest)
        value = found.value if found else None
    elif (value.hour, value.minute) == (0, 0):
        datelines = [d for line in removed if len(line) <= DATELINE_MAX_CHARS for d in find_dates(line, reference)]
        value = next((d.value for d in datelines if d.has_time and d.starts_line and d.value.date() == value.date()), value)
    if value is not None and crawl_date and value.strftime("%Y-%m") != crawl_date[:7]:
        notes.append(
            f"crawl date {crawl_date} differs from the article's own date {value.date().isoformat()}; the article's date is used"
        )
    return value, "; ".join(notes) or None


PLACE_DATELINE_RE = re.compile(r"^[A-Z][\w.]*(?: [A-Z][\w.]*){0,2}\s*(?:,\s*[A-Z][\w.]*\s*)?[:–—-]\s+(?=[A-Z])")
"""A lead's place dateline ("Moskow: ", "Jakarta - "), kept in the body but not in a title made from the lead."""


def _first_sentence(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    text = PLACE_DATELINE_RE.sub("", text[:1000], count=1)
    first = next(iter(sentences(text)), text[:limit])
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"
