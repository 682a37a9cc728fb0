"""HTML pages: trafilatura for the main text and metadata, kabar for the title; the line clean-up runs after.

Text: an HTML snippet (feed entry, JSONL ``html`` field) is just turned into lines (``fragment_text``);
for a page, trafilatura's precise pass (its default pass when that finds no prose), then only the span from the
first to the last prose paragraph is kept (``trim_edges``).
Title cascade: a page's ``<h1>`` (of at least ``TITLE_MIN_WORDS`` words) that also occurs in its
``og:title`` or ``<title>`` is the headline itself; otherwise the ``og:title`` (else ``<title>``, else
trafilatura's) with site-name segments stripped ("… - Kompas.com", "KapanLagi.com: …", "… | Republika Online").
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

TITLE_MIN_WORDS = 3
TITLE_SEPARATOR_RE = re.compile(r"\s+(?:[-–—|•]|::|:)\s+|\s*\|\s*")
TITLE_PREFIX_RE = re.compile(r"^(?P<site>[\w.]+\.(?:com|co|id|net|org)(?:\.id)?)\s*:\s*", re.IGNORECASE)
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
EXTRACTION_PASSES: tuple[dict[str, bool], ...] = ({"favor_precision": True}, {})
"""trafilatura favouring precision (best on Indonesian pages: drops related-article lists), then its
default settings when the precise pass finds no prose paragraph (photo and video pages)."""
MAX_HTML_CHARS = 2_000_000
"""Largest page (scripts and styles removed) handed to trafilatura, whose time grows faster than the page
(~3 s at 2 MB, ~25 s at 9 MB); article pages are far smaller."""
SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
FRAGMENT_PROBE_CHARS = 2_000
BLOCK_END_RE = re.compile(r"<(?:br|hr)\b[^>]*>|</(?:p|div|li|h[1-6]|blockquote|tr|figcaption)\s*>", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]*>")
PARAGRAPH_MIN_WORDS = 6
"""A line with at least this many words that ends like a sentence is article prose, not page furniture."""
SENTENCE_END_RE = re.compile(r"""[.!?]["'”’)]*$""")


@dataclass(slots=True)
class HtmlFields:
    """What the page says about itself: main text and metadata."""

    text: str
    removed: list[str] = field(default_factory=list)
    title: str = ""
    url: str = ""
    published: str = ""
    authors: list[str] = field(default_factory=list)
    sitename: str = ""
    hostname: str = ""
    language: str = ""


def _texts(tree: HtmlElement, xpath: str) -> list[str]:
    values = []
    for node in tree.xpath(xpath):
        value = node if isinstance(node, str) else node.text_content()
        value = " ".join(html_lib.unescape(str(value)).split())
        if value:
            values.append(value)
    return values


NON_WORD_RE = re.compile(r"[\W_]+")
DOMAIN_RE = re.compile(r"\b[\w-]+\.(?:com|co|id|net|org)\b")


def _site_words(sitename: str, hostname: str) -> set[str]:
    """Lower-case words that mark a title segment as the site's name ("kompas", "republika", "okezone")."""
    words = {w for w in NON_WORD_RE.split(f"{sitename} {hostname}".lower()) if len(w) > 2}
    return words - {"com", "www", "the", "news", "online"}


def _is_site_segment(segment: str, site_words: set[str]) -> bool:
    lowered = segment.lower()
    return bool(DOMAIN_RE.search(lowered)) or any(word in lowered for word in site_words)


def clean_title(title: str, sitename: str = "", hostname: str = "") -> str:
    """A page title without the site's name before or after it ("… - Kompas.com" -> "…")."""
    title = " ".join(html_lib.unescape(title).split())
    site_words = _site_words(sitename, hostname)
    prefix = TITLE_PREFIX_RE.match(title)
    if prefix:
        title = title[prefix.end() :]
    while True:
        parts = [m for m in TITLE_SEPARATOR_RE.finditer(title)]
        if not parts:
            return title
        last = parts[-1]
        tail = title[last.end() :]
        if _is_site_segment(tail, site_words) and last.start() > 0:
            title = title[: last.start()].strip()
            continue
        first = parts[0]
        head = title[: first.start()]
        if _is_site_segment(head, site_words) and first.end() < len(title):
            title = title[first.end() :].strip()
            continue
        return title


def choose_title(h1s: list[str], candidates: list[str], sitename: str = "", hostname: str = "") -> str:
    """The headline: an h1 that occurs in a title candidate, else the first candidate cleaned of the site name."""
    lowered = [c.lower() for c in candidates]
    for h1 in h1s:
        if len(h1.split()) >= TITLE_MIN_WORDS and any(h1.lower() in c for c in lowered):
            return h1
    for candidate in candidates:
        cleaned = clean_title(candidate, sitename, hostname)
        if cleaned:
            return cleaned
    return ""


def is_fragment(html: str) -> bool:
    """True for an HTML snippet (a feed entry's content, a JSONL ``html`` body) rather than a whole page."""
    head = html[:FRAGMENT_PROBE_CHARS].lower()
    return "<html" not in head and "<body" not in head and "<head" not in head


def fragment_text(html: str) -> str:
    """The text of an HTML snippet, one line per paragraph: a snippet has no boilerplate for trafilatura to find."""
    text = BLOCK_END_RE.sub("\n", strip_scripts(html))
    return "\n".join(" ".join(html_lib.unescape(line).split()) for line in TAG_RE.sub("", text).splitlines())


def strip_scripts(html: str) -> str:
    """The page without scripts, styles and comments (what makes most oversized pages oversized)."""
    return SCRIPT_RE.sub("", html)


def is_paragraph(line: str) -> bool:
    """True for a line of article prose: enough words, ending like a sentence."""
    return len(line.split()) >= PARAGRAPH_MIN_WORDS and SENTENCE_END_RE.search(line.rstrip()) is not None


def trim_edges(text: str) -> tuple[str, list[str]]:
    """Keep the span from the first to the last prose paragraph; lines outside it (related-article lists,
    photo credits, "Redaksi: …", copyright footers that trafilatura kept) are returned as removed."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    prose = [index for index, line in enumerate(lines) if is_paragraph(line)]
    if not prose:
        return "\n".join(lines), []
    first, last = prose[0], prose[-1]
    return "\n".join(lines[first : last + 1]), lines[:first] + lines[last + 1 :]


def extract_html(html: str, url: str = "") -> HtmlFields | None:
    """Main text and metadata of an HTML page, or None when the page has no article text."""
    tree = load_html(html)
    if tree is None:
        return None
    h1s = _texts(tree, "//h1")
    og_titles = _texts(tree, '//meta[@property="og:title"]/@content|//meta[@name="twitter:title"]/@content')
    page_titles = _texts(tree, "//head/title")
    document = None
    for options in EXTRACTION_PASSES:
        document = trafilatura.bare_extraction(
            tree if document is None else load_html(html),
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=True,
            date_extraction_params={"extensive_search": True, "original_date": True, "outputformat": DATE_FORMAT},
            **options,
        )
        if document is not None and any(is_paragraph(line) for line in (document.text or "").splitlines()):
            break
    if document is None or not (document.text or "").strip():
        return None
    sitename, hostname = document.sitename or "", document.hostname or ""
    title = choose_title(h1s, og_titles + page_titles + [document.title or ""], sitename, hostname)
    text, removed = trim_edges(document.text)
    return HtmlFields(
        text=text,
        removed=removed,
        title=title,
        url=document.url or url,
        published=document.date or "",
        authors=[a.strip() for a in (document.author or "").split(";") if a.strip()],
        sitename=sitename,
        hostname=hostname,
        language=document.language or "",
    )
