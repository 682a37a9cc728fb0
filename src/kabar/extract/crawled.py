"""Clean crawled plain text: crawl header, page furniture, title and author lines.

Cascade, in order: (1) the crawler's ``date YYYY-MM`` header is split off; (2) inline furniture
(widgets and links glued onto paragraphs) is cut by ``furniture_inline.txt``; (3) whole lines matching
``furniture_lines.txt`` are dropped, author/editor credits among them being kept as authors;
(4) short menu and ad lines above the title are dropped, and the title is the first headline-like line
(or the given title); repeats of the title are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kabar import lang

CRAWL_HEADER_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s*")
CREDIT_RE = re.compile(r"^\s*(?:laporan|editor|penulis|pewarta|reporter|penyunting|redaktur|kontributor)\s*:\s*(?P<name>.+)$", re.I)
TAG_RE = re.compile(r"<[^>]{1,500}>")
HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_CHARS = 200
MENU_LINE_MAX_WORDS = 5
"""Lines this short above the title are menus, logos or ads, never news."""


@dataclass(slots=True)
class CleanText:
    """The result of cleaning one crawled text."""

    text: str
    title: str = ""
    crawl_date: str | None = None
    authors: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)


def split_crawl_header(raw: str) -> tuple[str | None, str]:
    """Split the crawler's optional ``date YYYY-MM`` first-line header from the text."""
    match = CRAWL_HEADER_RE.match(raw)
    if not match:
        return None, raw
    return match.group(1), raw[match.end() :]


def cut_inline_furniture(line: str, language: str, removed: list[str]) -> str:
    """Remove furniture glued into a line, appending what was cut to ``removed``."""
    for pattern in lang.patterns(language, "furniture_inline.txt"):
        def _cut(match: re.Match[str]) -> str:
            removed.append(match.group(0).strip())
            return " " if match.group(0)[:1].isspace() else ""

        line = pattern.sub(_cut, line)
    return line.strip()


def is_furniture_line(line: str, language: str) -> bool:
    """True when a whole line is page furniture by the language's line patterns."""
    return any(pattern.search(line) for pattern in lang.patterns(language, "furniture_lines.txt"))


def _is_headline(line: str) -> bool:
    words = line.split()
    return (
        len(words) >= HEADLINE_MIN_WORDS
        and len(line) <= HEADLINE_MAX_CHARS
        and not line.rstrip().endswith((".", ",", ":", ";"))
    )


def _normal(line: str) -> str:
    return " ".join(line.split()).lower()


def clean_crawled_text(raw: str, title_hint: str = "", language: str = "id") -> CleanText:
    """Clean one crawled text; see the module docstring for the cascade."""
    crawl_date, body = split_crawl_header(raw)
    furniture: list[str] = []
    authors: list[str] = []
    kept: list[str] = []
    for raw_line in body.splitlines():
        line = TAG_RE.sub("", raw_line).strip()
        if not line:
            continue
        credit = CREDIT_RE.match(line)
        if credit:
            name = " ".join(credit.group("name").split()).strip(" .")
            if name and name.lower() not in (a.lower() for a in authors):
                authors.append(name.title() if name.isupper() else name)
            furniture.append(raw_line.strip())
            continue
        if is_furniture_line(line, language):
            furniture.append(line)
            continue
        line = cut_inline_furniture(line, language, furniture)
        if line and not is_furniture_line(line, language):
            kept.append(line)
        elif line:
            furniture.append(line)
    title = " ".join(title_hint.split())
    if not title:
        for index, line in enumerate(kept[:10]):
            if _is_headline(line):
                title = line
                furniture.extend(kept[:index])
                kept = kept[index + 1 :]
                break
            if len(line.split()) > MENU_LINE_MAX_WORDS:
                break
    if title:
        repeats = [line for line in kept if _normal(line) == _normal(title)]
        furniture.extend(repeats)
        kept = [line for line in kept if _normal(line) != _normal(title)]
    return CleanText(text="\n\n".join(kept), title=title, crawl_date=crawl_date, authors=authors, furniture=furniture)
