"""Tokens, stems and sentences shared by the dedup, cluster, analyse and summarise stages."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from kabar import lang

WORD_RE = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
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
    return _sastrawi().stem(word) or word


@lru_cache(maxsize=1)
def _stem_table() -> dict[str, str]:
    return {row[0]: row[-1] for row in lang.table("id", "stems.tsv")}


@lru_cache(maxsize=1)
def _sastrawi():  # noqa: ANN202 - third-party type
    """PySastrawi's stemmer without its own result cache (``stem_id`` caches, with a bound; PySastrawi's grows
    forever and costs a third more per word), its prefix rules run as ``_PrefixRules``."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    for name, module in list(sys.modules.items()):
        if name.startswith("Sastrawi.") and getattr(module, "re", None) is re:
            module.re = _CompiledPatterns()  # type: ignore[attr-defined]
    stemmer = Stemmer(ArrayDictionary(StemmerFactory().get_words()))
    visitors = stemmer.visitor_provider.prefix_visitors
    visitors[:] = [_PrefixRules(visitors, dict(lang.table("id", "sastrawi_guards.tsv")))]
    return stemmer


class _CompiledPatterns:
    """The two ``re`` functions PySastrawi calls, for its modules: each pattern compiled once and kept.

    PySastrawi passes patterns as strings, so every call looks its pattern up in the regex module's cache, and it
    removes an affix by using the word that remains as a pattern (``re.sub(result, "", word, count=1)``): a new
    pattern for every word, which evicts the others from that cache (512 patterns) and is compiled, used once and
    thrown away. Here a pattern of plain letters is replaced as the plain string it is; the rest are compiled once.
    """

    IGNORECASE = re.IGNORECASE
    MULTILINE = re.MULTILINE

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, int], re.Pattern[str]] = {}

    def _pattern(self, pattern: str, flags: int) -> re.Pattern[str]:
        compiled = self.compiled.get((pattern, flags))
        if compiled is None:
            compiled = self.compiled[pattern, flags] = re.compile(pattern, flags)
        return compiled

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        """``re.match``."""
        return self._pattern(pattern, flags).match(string)

    def sub(self, pattern: str, repl: str, string: str, count: int = 0, flags: int = 0) -> str:
        """``re.sub``."""
        if not repl and not flags and pattern.isascii() and pattern.isalpha():
            return string.replace(pattern, "", count or -1)
        return self._pattern(pattern, flags).sub(repl, string, count)


class _PrefixRules:
    """PySastrawi's prefix visitors as one, which runs only those whose rules can apply to the word being stemmed
    (``lang/id/sastrawi_guards.tsv``), with the same stops between them as PySastrawi's own loop over them.

    A visitor none of whose rules applies to a word changes nothing, yet costs a few regex calls; a word the stemmer
    does not know (a name, mostly) meets every visitor up to a dozen times. So such a word takes about a fifth of
    the time, with the same stem.
    """

    def __init__(self, visitors: list[Any], guards: dict[str, str]) -> None:
        self.visitors: list[tuple[Any, Callable[[str], object]]] = []
        for visitor in visitors:
            rules = [type(rule).__name__ for rule in getattr(visitor, "disambiguators", [visitor])]
            guard = "|".join(f"(?:{guards[rule]})" for rule in rules) if all(rule in guards for rule in rules) else ""
            self.visitors.append((visitor, re.compile(guard).match))

    def visit(self, context: Any) -> None:  # context: PySastrawi's stemming context
        """Run the visitors that apply, in order, until one removes a prefix, leaves a dictionary word or stops."""
        removals, checked = len(context.removals), False
        for visitor, applies in self.visitors:
            if applies(context.current_word):
                visitor.visit(context)
            elif checked:
                continue  # nothing changed since the last check
            checked = True
            if context.dictionary.contains(context.current_word) or context.process_is_stopped:
                return
            if len(context.removals) > removals:
                return


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
    return tuple(WORD_RE.findall(text.lower()))
