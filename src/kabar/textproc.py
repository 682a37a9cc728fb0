"""Tokens, stems and sentences shared by the dedup, cluster, analyse and summarise stages."""

from __future__ import annotations

import re
from functools import lru_cache

from kabar import lang, sastrawi

WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
ASCII_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
"""``WORD_RE`` for ASCII text, where ``[^\\W_]`` is these letters and digits: the same words, found a third faster."""
BOUNDARY_RE = re.compile(r"""([.!?]+)(["'”’)]*)(\s*)(?=["“‘(]?[A-Z0-9])""")
ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]|[Dd]r|[Pp]rof|[Ii]r|[Hh]j?|[Nn]o|[Mm]r|[Mm]rs|[Ss]t|[Jj]l|[Kk]ec|[Kk]ab|[Tt]bk|[Ss]dr|[Bb]pk|[Pp][Tt]|dkk|dll|vs|U\.S|a\.n)\.)$"
)


@lru_cache(maxsize=400_000)
def stem_id(word: str) -> str:
    """Indonesian stem of a lower-case word: the shipped stem table first, else PySastrawi (cached: it is slow)."""
    known = _stem_table().get(word)
    if known is not None:
        return known
    return sastrawi.stemmer().stem(word) or word


@lru_cache(maxsize=1)
def _stem_table() -> dict[str, str]:
    return {row[0]: row[-1] for row in lang.table("id", "stems.tsv")}


@lru_cache(maxsize=200_000)
def stem_en(word: str) -> str:
    """A light English stem: plural and common verb endings removed, then a final e, so strike/strikes/striking agree."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + keep
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def words(text: str) -> list[str]:
    """Word tokens of a text, case kept."""
    return WORD_RE.findall(text)


def terms(text: str, language: str = "id") -> list[str]:
    """Lower-cased, stemmed content words without stopwords or numbers: the unit of text similarity."""
    return terms_of(hash_words(text), language)


def terms_of(tokens: tuple[str, ...], language: str = "id") -> list[str]:
    """``terms`` of a text already split into lower-case words (``hash_words``); each word's term is remembered."""
    code = "en" if language == "en" else "id"
    forms = _TERM_FORMS[code]
    new = set(tokens).difference(forms)
    if len(forms) + len(new) > TERM_FORMS_CACHED:
        forms.clear()
        new = set(tokens)
    forms.update((token, _term_form(token, code)) for token in new)
    return list(filter(None, map(forms.__getitem__, tokens)))


TERM_FORMS_CACHED = 400_000
"""Words whose term form (stem, or "" when dropped) is remembered per language; the table starts over when full."""
_TERM_FORMS: dict[str, dict[str, str]] = {"en": {}, "id": {}}


def _term_form(token: str, code: str) -> str:
    """The term of one lower-case word, or "" for a stopword, a number or a word under three letters."""
    if len(token) < 3 or token in lang.words(code, "stopwords.txt") or token.isdigit():
        return ""
    if not token.isalpha():
        return token
    return stem_en(token) if code == "en" else stem_id(token)


def sentences(text: str) -> list[str]:
    """Split text into sentences; copes with crawled text whose sentences are glued together.

    A straight double quote right after an end mark closes the sentence when the sentence has an odd
    number of quotes so far, else it opens the next one ('(AS)."Kementerian' vs 'sanksi."Para').
    """
    pieces: list[str] = []
    for block in text.split("\n"):
        start = 0
        for match in BOUNDARY_RE.finditer(block):
            quotes, space = match.group(2), match.group(3)
            cut = match.end(1)
            if quotes:
                sentence_so_far = block[start:cut]
                opens_next = quotes.startswith('"') and sentence_so_far.count('"') % 2 == 0
                cut = match.end(1) if opens_next and not space else match.end(2)
            elif not space and (block[cut : cut + 1].isdigit() or block[cut - 2 : cut - 1].isupper()):
                continue
            candidate = block[start:cut].strip()
            if not candidate or ABBREVIATIONS.search(candidate):
                continue
            pieces.append(candidate)
            start = cut
        tail = block[start:].strip()
        if tail:
            pieces.append(tail)
    return pieces


def normalise_for_hash(text: str) -> str:
    """Text reduced to lower-case words joined by single spaces, for exact-duplicate hashing."""
    return " ".join(hash_words(text))


@lru_cache(maxsize=8)
def hash_words(text: str) -> tuple[str, ...]:
    """The lower-case words of a text (``WORD_RE`` tokens), as ``normalise_for_hash`` joins them.

    Cached for the last few texts: the content hash, the dedup shingles, the clustering terms and the search
    terms all read one article's body, and tokenising is the costliest step of each.
    """
    lowered = text.lower()
    return tuple((ASCII_WORD_RE if lowered.isascii() else WORD_RE).findall(lowered))
