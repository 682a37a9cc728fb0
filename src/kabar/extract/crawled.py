"""Clean crawled plain text: crawl header, page furniture, title and author lines.

Cascade, in order:
(1) the crawler's ``date YYYY-MM`` header is split off;
(2) author/editor credit lines ("LAPORAN: RENI ERINA", "Editor:", "Penulis:") become authors;
(3) a line the outlet repeats across many of its articles (``known_furniture``, learned by the engine
    from the store's per-outlet line counts, see ``line_key`` and ``furniture.py``) is dropped;
(4) whole lines matching ``furniture_lines.txt`` are dropped (only lines up to ``MAX_FURNITURE_LINE_CHARS``:
    furniture is short, and a long paragraph is never tested against the line patterns);
(5) furniture glued into a paragraph is cut: "Baca juga: <linked title>" up to where the next sentence
    starts (see ``cut_read_also``), then ``furniture_inline.tsv`` (widgets, ads, outlet datelines);
(6) short menu and ad lines above the title are dropped, and the title is the first headline-like line
    (or the given title); repeats of the title are dropped.
Every removed line or fragment is kept in ``furniture`` so a user can check what was cut.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

from kabar import lang

CRAWL_HEADER_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b[ \t]*")
CREDIT_COLON_CHARS = 20
"""A credit line's colon comes within this many characters ("LAPORAN:", "Penulis :")."""
CREDIT_SEPARATOR_RE = re.compile(r"\s+[|•·]\s+")
CREDIT_SPLIT_RE = re.compile(r"\s*(?:,|/|&|\bdan\b|\band\b)\s*", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]{1,500}>")
KEY_DIGITS_RE = re.compile(r"\d+")
HEADLINE_MIN_WORDS = 4
HEADLINE_MAX_CHARS = 200
MENU_LINE_MAX_WORDS = 5
"""Lines this short above the title are menus, logos or ads, never news."""
MAX_FURNITURE_LINE_CHARS = 300
"""Whole-line furniture patterns only run on lines this short: a paragraph is never a widget."""
LEARNED_LINE_MAX_CHARS = 100
"""Only lines this short are counted for (and removed by) the learned per-outlet furniture signal:
longer lines are news paragraphs an outlet may legitimately repeat (background paragraphs)."""
READ_ALSO_CUE_CHARS = 20
"""Characters before a colon searched for a read-also cue ("Baca juga :")."""
READ_ALSO_MAX_CHARS = 180
"""The longest linked title after "Baca juga:"; headlines are shorter."""


@dataclass(slots=True)
class CleanText:
    """The result of cleaning one crawled text."""

    text: str
    title: str = ""
    crawl_date: str | None = None
    authors: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)


def line_key(line: str) -> str:
    """A line normalised for counting repeats across an outlet's articles (case, spacing and digits ignored)."""
    return KEY_DIGITS_RE.sub("0", " ".join(line.lower().split()))


def learnable_lines(texts: Collection[str]) -> set[str]:
    """Keys of the short lines in ``texts`` (an article's paragraphs and removed furniture) for the per-outlet counts."""
    keys = set()
    for text in texts:
        for line in text.splitlines():
            line = line.strip()
            if line and len(line) <= LEARNED_LINE_MAX_CHARS:
                keys.add(line_key(line))
    return keys


def split_crawl_header(raw: str) -> tuple[str | None, str]:
    """Split the crawler's optional ``date YYYY-MM`` first-line header from the text."""
    match = CRAWL_HEADER_RE.match(raw)
    if not match:
        return None, raw
    return match.group(1), raw[match.end() :]


@cache
def _line_pattern(language: str) -> re.Pattern[str] | None:
    patterns = lang.patterns(language, "furniture_lines.txt")
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)


@cache
def _inline_patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(cue, pattern) pairs of ``furniture_inline.tsv``: a pattern runs only on lines containing its cue."""
    return tuple(
        (cue.lower(), re.compile(pattern, re.IGNORECASE)) for cue, pattern in lang.table(language, "furniture_inline.tsv")
    )


@cache
def _read_also_re(language: str) -> re.Pattern[str] | None:
    """A read-also cue ending right before a colon: searched only in the few characters before each colon."""
    cues = lang.words(language, "read_also_cues.txt")
    if not cues:
        return None
    alternation = "|".join(re.escape(cue).replace(r"\ ", r"\s+") for cue in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})\s*$", re.IGNORECASE)


@cache
def _headline_small_words(language: str) -> frozenset[str]:
    return lang.words(language, "headline_small_words.txt")


GLUE_RE = re.compile(r"(?<=[a-z]{4})(?=[A-Z][a-z])|(?<=[0-9?!.)\"”])(?=[A-Z][a-z])|[\"“]|\n|,(?=[^\s\d])|[.!?](?=\s|$)")
"""Where a linked title glued into a paragraph ends: a word glued to the next sentence ("TerbakarSaat"; four
lower-case letters first, so "NasDem" or "YouTube" stay whole), an opening quote, a line end, a CLICK-ID
paragraph joint (",Ini"), or a sentence end."""


NON_SPACE_RE = re.compile(r"\S+")
SPACES_RE = re.compile(r"[ \t]{2,}")
"""Compiled once: PySastrawi, stemming unknown words, keeps the regex module's own cache churning."""


def _title_run_end(fragment: str, language: str) -> int:
    """Length of the headline-like prefix of ``fragment``: it stops before the sentence that follows a title.

    Headline words are capitalised (or numbers, or small words like "di"); the first run of two lowercase
    words marks running text, whose first word is the capitalised word just before it.
    """
    small = _headline_small_words(language)
    tokens = list(NON_SPACE_RE.finditer(fragment))
    for index, token in enumerate(tokens):
        word = token.group(0).strip("\"'“”‘’(),:;")
        if not word or not word[0].islower() or word.lower() in small:
            continue
        following = tokens[index + 1].group(0) if index + 1 < len(tokens) else ""
        if following[:1].islower() and following.lower() not in small:
            start = index - 1
            while start > 0 and not tokens[start].group(0)[:1].isupper():
                start -= 1
            return tokens[start].start() if start > 0 else len(fragment)
    return len(fragment)


def _read_also_cues(line: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of each read-also cue in a line, colon and spaces after it included."""
    cue_re = _read_also_re(language)
    spans: list[tuple[int, int]] = []
    colon = line.find(":")
    while cue_re is not None and colon != -1:
        low = max(0, colon - READ_ALSO_CUE_CHARS)
        cue = cue_re.search(line, low, colon)
        if cue is not None:
            end = colon + 1
            while end < len(line) and line[end] in " \t\u00a0":
                end += 1
            spans.append((cue.start(), end))
        colon = line.find(":", colon + 1)
    return spans


def cut_read_also(line: str, language: str, removed: list[str]) -> str:
    """Cut "Baca juga: <linked title>" cues out of a line, keeping the sentence glued after the title."""
    spans = _read_also_cues(line, language)
    if not spans:
        return line
    out: list[str] = []
    position = 0
    for start, cue_end in spans:
        if start < position:
            continue
        window = line[cue_end : cue_end + READ_ALSO_MAX_CHARS]
        glue = GLUE_RE.search(window)
        end = glue.start() if glue else len(window)
        if glue and glue.group(0) and glue.group(0) in ".!?":
            end += 1
        end = min(end, _title_run_end(window[:end], language)) if end > 0 else end
        out.append(line[position:start])
        removed.append(line[start : cue_end + end].strip())
        position = cue_end + end
    out.append(line[position:])
    return SPACES_RE.sub(" ", "".join(out)).strip()


def cut_inline_furniture(line: str, language: str, removed: list[str]) -> list[str]:
    """Remove furniture glued into a line, appending what was cut to ``removed``; returns the line's pieces.

    A cut in mid-line (an ad between two paragraphs that the crawler joined) splits the line there.
    """

    def _cut(match: re.Match[str]) -> str:
        if any(char.isalnum() for char in match.group(0)):
            removed.append(match.group(0).strip())
        return "\n" if match.start() > 0 and match.end() < len(match.string) else ""

    lowered = line.lower()
    for cue, pattern in _inline_patterns(language):
        if cue == "*" or cue in lowered:
            line = pattern.sub(_cut, line)
    pieces = [cut_read_also(piece.strip(), language, removed) for piece in line.split("\n")]
    return [piece for piece in pieces if piece]


def is_furniture_line(line: str, language: str) -> bool:
    """True when a whole line is page furniture by the language's line patterns (matched from the line's start)."""
    pattern = _line_pattern(language)
    return pattern is not None and len(line) <= MAX_FURNITURE_LINE_CHARS and pattern.match(line) is not None


@cache
def _credit_re(language: str) -> re.Pattern[str]:
    words = "|".join(re.escape(word) for word in sorted(lang.words(language, "author_prefixes.txt"), key=len, reverse=True))
    return re.compile(rf"^\W{{0,3}}(?:{words})\s*:\s*(?P<name>[^:]{{2,80}})$", re.IGNORECASE)


def credit_names(line: str, language: str = "id") -> list[str] | None:
    """The names in an author/editor credit line, or None if it is not one.

    "LAPORAN: RENI ERINA" -> ["Reni Erina"]; "Penulis: Andi Hartik | Editor: Farid Assifa" -> both names.
    The credit words are ``author_prefixes.txt``.
    """
    if ":" not in line[:CREDIT_COLON_CHARS]:
        return None
    names: list[str] = []
    for segment in CREDIT_SEPARATOR_RE.split(line):
        credit = _credit_re(language).match(segment)
        if not credit:
            return None
        for part in CREDIT_SPLIT_RE.split(credit.group("name")):
            name = " ".join(part.split()).strip(" .-|")
            if name and len(name.split()) <= 5:
                names.append(name.title() if name.isupper() else name)
    return names


def _is_headline(line: str) -> bool:
    words = line.split()
    return (
        len(words) >= HEADLINE_MIN_WORDS and len(line) <= HEADLINE_MAX_CHARS and not line.rstrip().endswith((".", ",", ":", ";"))
    )


def _normal(line: str) -> str:
    return " ".join(line.split()).lower()


def clean_crawled_text(
    raw: str, title_hint: str = "", language: str = "id", known_furniture: Collection[str] = frozenset()
) -> CleanText:
    """Clean one crawled text; see the module docstring for the cascade."""
    crawl_date, body = split_crawl_header(raw)
    furniture: list[str] = []
    authors: list[str] = []
    kept: list[str] = []
    for raw_line in body.splitlines():
        line = TAG_RE.sub("", raw_line).strip() if "<" in raw_line else raw_line.strip()
        if not line:
            continue
        names = credit_names(line, language)
        if names is not None:
            authors.extend(name for name in names if name.lower() not in (a.lower() for a in authors))
            furniture.append(line)
            continue
        if known_furniture and len(line) <= LEARNED_LINE_MAX_CHARS and line_key(line) in known_furniture:
            furniture.append(line)
            continue
        if is_furniture_line(line, language):
            furniture.append(line)
            continue
        for piece in cut_inline_furniture(line, language, furniture):
            (furniture if is_furniture_line(piece, language) else kept).append(piece)
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
        normal_title = _normal(title)
        repeats = [line for line in kept if len(line) <= 2 * len(title) and _normal(line) == normal_title]
        if len(repeats) < len(kept):  # a body that is only its title (a one-sentence brief) is kept
            furniture.extend(repeats)
            kept = [line for line in kept if line not in repeats]
    return CleanText(text="\n\n".join(kept), title=title, crawl_date=crawl_date, authors=authors, furniture=furniture)
