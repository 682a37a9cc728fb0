"""Full-text search terms: what is indexed and what is asked go through the same stemming.

The SQLite store keeps FTS5 tables of *stemmed* words (Sastrawi for Indonesian, a light stemmer for
English), because FTS5's own tokenizers know no Indonesian morphology: "membeli", "dibeli" and
"pembelian" all index as "beli". A query word matches any of its Indonesian stem, English stem or
the word itself, so one query serves articles in either language; a hit has every query word but those
written ``-word`` or after ``NOT``, which it must not have. Query words are quoted into the FTS5
expression, so no user text is ever parsed as FTS5 syntax.
"""

from __future__ import annotations

import re
from functools import cache

from kabar import lang
from kabar.textproc import hash_words, stem_en, stem_id

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
MIN_TOKEN_CHARS = 2
"""Two-letter words carry meaning in Indonesian news ("AS", "TV"); single letters do not."""
MAX_QUERY_TERMS = 12
"""Longer queries are cut: each word widens the FTS5 expression and nothing useful needs more."""
SNIPPET_WORDS = 30
INDEX_FORMS_CACHED = 400_000
"""Words whose index forms are remembered per language; the table starts over when full."""
_INDEX_FORMS: dict[str, dict[str, str]] = {"en": {}, "id": {}}
"""A word's index forms, space-separated ("" when it has none)."""


@cache
def _stopwords() -> frozenset[str]:
    return lang.words("id", "stopwords.txt") | lang.words("en", "stopwords.txt")


def _tokens(text: str) -> list[str]:
    stop = _stopwords()
    return [t for t in TOKEN_RE.findall(text.lower()) if len(t) >= MIN_TOKEN_CHARS and t not in stop]


def stem(token: str, language: str) -> str:
    """The index form of one lower-case token: its stem in ``language``; numbers stay as they are."""
    if not token.isalpha():
        return token
    return stem_en(token) if language == "en" else stem_id(token)


def index_terms(text: str, language: str = "id") -> str:
    """The stemmed words of a text, space-separated: the content of a search-index row."""
    return index_terms_of(hash_words(text), language)


def index_terms_of(words: tuple[str, ...], language: str = "id") -> str:
    """``index_terms`` of a text already split into lower-case words (``hash_words``, cached per text).

    A word there may join parts with hyphens or apostrophes ("sabtu-minggu"), which are separate tokens
    here; each word's index forms are remembered, as most words recur from article to article.
    """
    code = "en" if language == "en" else "id"
    forms = _INDEX_FORMS[code]
    new = set(words).difference(forms)
    if len(forms) + len(new) > INDEX_FORMS_CACHED:
        forms.clear()
        new = set(words)
    forms.update((word, " ".join([stem(token, code) for token in _tokens(word)])) for word in new)
    return " ".join(filter(None, map(forms.__getitem__, words)))


def _forms(token: str) -> set[str]:
    return {token, stem(token, "id"), stem(token, "en")}


EXCLUDE_PREFIX = "-"
EXCLUDE_WORD = "NOT"
"""A query word written ``-word``, or after ``NOT``, must not be in a hit."""


def query_words(query: str) -> tuple[list[str], list[str]]:
    """The words a hit must have and the words it must not have (``-word`` or ``NOT word``), lower-cased."""
    wanted: list[str] = []
    unwanted: list[str] = []
    negate_next = False
    for chunk in query.split():
        if chunk == EXCLUDE_WORD:
            negate_next = True
            continue
        excluded = negate_next or (chunk.startswith(EXCLUDE_PREFIX) and len(chunk) > 1)
        (unwanted if excluded else wanted).extend(_tokens(chunk))
        negate_next = False
    return wanted[:MAX_QUERY_TERMS], unwanted[:MAX_QUERY_TERMS]


def query_forms(query: str) -> list[set[str]]:
    """For each wanted query word, the index forms it may take (Indonesian stem, English stem, itself)."""
    return [_forms(token) for token in query_words(query)[0]]


def _any_form(forms: set[str]) -> str:
    return "(" + " OR ".join(f'"{form}"' for form in sorted(forms)) + ")"


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression requiring every wanted query word and none of the unwanted ones (each in any of its
    forms); None if no wanted word is searchable."""
    wanted, unwanted = query_words(query)
    required = " AND ".join(_any_form(_forms(token)) for token in wanted)
    if not required:
        return None
    if not unwanted:
        return required
    excluded = " OR ".join(_any_form(_forms(token)) for token in unwanted)
    return f"({required}) NOT ({excluded})"


def snippet(text: str, query: str, words: int = SNIPPET_WORDS) -> list[tuple[str, bool]]:
    """A window of ``text`` around the first query hit, as (piece, is_hit) pairs for safe highlighting."""
    wanted = set().union(*query_forms(query)) if query.strip() else set()
    spans = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text)]
    if not spans:
        return []
    hits = [i for i, (_, _, word) in enumerate(spans) if wanted & _forms(word.lower())]
    first = max(0, hits[0] - words // 3) if hits else 0
    last = min(len(spans), first + words)
    hit_set = set(hits)
    pieces: list[tuple[str, bool]] = []
    cursor = spans[first][0]
    for index in range(first, last):
        start, end, _ = spans[index]
        if index in hit_set:
            pieces.append((text[cursor:start], False))
            pieces.append((text[start:end], True))
            cursor = end
    end_at = spans[last - 1][1]
    pieces.append((text[cursor:end_at], False))
    if first > 0:
        pieces.insert(0, ("… ", False))
    if last < len(spans):
        pieces.append((" …", False))
    return [(piece, hit) for piece, hit in pieces if piece]
