"""Per-article features for story clustering, computed once per article from the article alone.

Term counts are kept raw: the clusterer weighs them (``weigh``) with document frequencies that blend
a prior shipped as data (``lang/<code>/df.tsv``, built by bench/build_lang_data.py), so the first
articles of a new store get sane weights, with the frequencies of the stream itself, so words common
in this stream (the topic of the day) weigh less than the names that tell its events apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from itertools import chain

from kabar import lang
from kabar.model import Article
from kabar.textproc import hash_words, stem_en, stem_id, terms, terms_of

TITLE_WEIGHT = 3
"""A title word counts as much as three body words in the article vector: titles name the news peg."""
BODY_CHARS = 3000
"""Only the lead matters for which story an article tells; long tails add noise and cost."""
NAME_RE = re.compile(r"[A-Z](?<!\w[A-Z])[\w'-]+(?:\s+(?:[A-Z][\w'-]+|bin|binti|van|de|al))*")
DATE_RE = re.compile(r"\d(?<!\w\d)(?:\d?/\d{1,2}/\d{2,4}\b|(?<=[12])(?:(?<=1)9|(?<=2)0)\d\d\b)")
YEAR_RE = re.compile(r"[12](?<!\w[12])(?:(?<=1)9|(?<=2)0)\d\d\b")
NUMBER_RE = re.compile(r"\d(?<!\w\d)\d*(?:[.,]\d+)*\b")
"""Names, dates ("10/9/2019" or a year), years and numbers, each starting at a word boundary. They are written
first-character-first, the boundary a lookbehind (``\\b\\d`` as ``\\d(?<!\\w\\d)``), so the regex engine skips
ahead to candidate characters: two to three times faster than a leading ``\\b`` over a 3,000-character lead."""
DIGIT_TAIL_RE = re.compile(r"\d[^ ]*")
"""A word from its first digit to the space after it."""
ASCII_DIGIT_TAIL_RE = re.compile(r"[0-9][^ ]*")
"""``DIGIT_TAIL_RE`` for ASCII text, where ``\\d`` is these digits: the same matches, found a third faster."""
VECTOR_TERMS = 60
"""An article vector keeps its sixty heaviest terms: the rest barely move a cosine and cost time and memory."""
MAX_NAMES = 30
"""Names beyond the first thirty of the lead add cost, not evidence."""
MENTION_PREFIX = "@"
"""Mention tokens share the stream's document frequencies with terms; the prefix keeps them apart."""
MENTION_TERMS = 40
"""A mention vector keeps its forty heaviest tokens."""


@dataclass(slots=True)
class ArticleFeatures:
    """What the story clusterer compares: term counts (title words counted TITLE_WEIGHT times in ``counts``), names,
    numbers, years mentioned, publication day, and ``mention_counts``: the words of capitalised names and the numbers
    (years too) of the title and lead, keyed ``MENTION_PREFIX + token``. ``vector``, ``title`` and ``mentions`` are
    the unit TF-IDF vectors once weighed."""

    counts: dict[str, int]
    title_counts: dict[str, int]
    names: dict[str, float]
    numbers: frozenset[str]
    years: frozenset[str]
    day: float | None
    language: str
    mention_counts: dict[str, int] = field(default_factory=dict)
    vector: dict[str, float] = field(default_factory=dict)
    title: dict[str, float] = field(default_factory=dict)
    mentions: dict[str, float] = field(default_factory=dict)


def day_number(published_at: str | None) -> float | None:
    """Days since the epoch (fractional) of an ISO timestamp, or None; a timestamp without a zone is read as UTC."""
    if not published_at:
        return None
    try:
        moment = datetime.fromisoformat(published_at)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp() / 86400.0


@cache
def _prior(language: str) -> tuple[dict[str, int], int]:
    rows = lang.table(language, "df.tsv")
    df = {row[0]: int(row[1]) for row in rows if len(row) == 2}
    return df, max(1, df.pop("__documents__", 1))


@cache
def _idf_table(language: str) -> tuple[dict[str, float], float]:
    df, documents = _prior(language)
    return {term: math.log((documents + 1) / (n + 1)) + 1.0 for term, n in df.items()}, math.log(documents + 1) + 1.0


def idf(term: str, language: str) -> float:
    """Inverse document frequency of a clustering term under the shipped prior."""
    table, unseen = _idf_table(_code(language))
    return table.get(term, unseen)


def _code(language: str) -> str:
    return "en" if language == "en" else "id"


def prior(language: str) -> tuple[dict[str, int], int]:
    """The shipped document frequencies of a language's terms, and how many documents they were counted over."""
    return _prior(_code(language))


def unit_vector(weighted: list[tuple[float, str]], keep: int | None = None) -> dict[str, float]:
    """Unit-length vector of (-weight, term) pairs, heaviest terms first (only ``keep`` of them; ties by term)."""
    ranked = sorted(weighted)[:keep]
    norm = math.sqrt(sum([w * w for w, _ in ranked])) or 1.0
    return {t: -w / norm for w, t in ranked}


LOGGED_COUNTS = 1 << 16
"""Counts whose logarithm weighing looks up in a table (``_log_table``) rather than calls ``math.log`` for."""


@cache
def _log_table() -> list[float]:
    """``math.log(n)`` at index n of the counts below LOGGED_COUNTS (0 has none): TF and IDF take the logarithms of
    counts, which repeat, and indexing a list costs a fraction of a call."""
    return [-math.inf, *map(math.log, range(1, LOGGED_COUNTS))]


def _weighted(
    counts: dict[str, int], frequency: dict[str, int], in_prior: Callable[[str, int], int], log_documents: float
) -> list[tuple[float, str]]:
    """(-weight, term) of each term of an article's counts: the weight of a term counted c times in the article and in
    df documents of the stream (``frequency``) and df0 of the prior (``in_prior``) is (1 + log c) * IDF, IDF being
    ``log_documents`` - log(df0 + df + 1)."""
    logs, logged, log = _log_table(), LOGGED_COUNTS, math.log
    return [
        (
            -(1.0 + (logs[c] if c < logged else log(c)))
            * (log_documents - (logs[n] if (n := in_prior(t, 0) + frequency[t] + 1) < logged else log(n))),
            t,
        )
        for t, c in counts.items()
    ]


class StreamWeights:
    """The stream's document frequencies, and the unit TF-IDF vectors they weigh articles into.

    IDF blends the shipped prior with the stream: log((N0 + n + 1) / (df0 + df + 1)) + 1, where n counts the articles
    observed, so the topic of the day weighs less than the names that tell its events apart.
    """

    def __init__(self, documents: int = 0, document_frequency: dict[str, int] | None = None) -> None:
        self.documents = documents
        self.document_frequency: Counter[str] = Counter(document_frequency or {})
        self.changed: set[str] = set()

    def observe(self, features: ArticleFeatures) -> ArticleFeatures:
        """Count an arriving article's terms into the document frequencies; return it with its vectors weighed."""
        self.documents += 1
        self.document_frequency.update(chain(features.counts, features.mention_counts))
        self.changed.update(features.counts, features.mention_counts)
        return self.weigh(features)

    def weigh(self, features: ArticleFeatures) -> ArticleFeatures:
        """The article with its vectors weighed by the IDF as of now, and without the raw counts, which only weighing
        reads (an article waiting to be settled is kept, and saved, weighed)."""
        frequency = self.document_frequency
        prior_df, prior_documents = prior(features.language)
        log_documents = math.log(prior_documents + self.documents + 1) + 1.0
        in_prior = prior_df.get
        term_weights = _weighted(features.counts, frequency, in_prior, log_documents)
        title_weights = _weighted(features.title_counts, frequency, in_prior, log_documents)
        mention_weights = _weighted(features.mention_counts, frequency, {}.get, log_documents)
        return replace(
            features,
            counts={},
            title_counts={},
            mention_counts={},
            vector=unit_vector(term_weights, VECTOR_TERMS),
            title=unit_vector(title_weights),
            mentions=unit_vector(mention_weights, MENTION_TERMS),
        )

    def take_changes(self, all_frequencies: bool = False) -> dict[str, int]:
        """The document frequencies changed since the last call (all of them with ``all_frequencies``)."""
        frequency = self.document_frequency
        changed = {term: frequency[term] for term in (frequency if all_frequencies else self.changed)}
        self.changed = set()
        return changed


def _names(matches: list[str], language: str) -> dict[str, float]:
    """Capitalised name sequences (``NAME_RE`` matches of the lead; leading stopwords such as 'Menurut' dropped), each
    weighed by its rarest word's IDF.

    Only the body is read: headlines are written in Title Case, where every word looks like a name.
    """
    seen = _NAME_FORMS[language]
    names: dict[str, float] = {}
    for match in matches:
        form = seen.get(match)
        if form is None:
            if len(seen) >= NAME_FORMS_CACHED:
                seen.clear()
            form = seen[match] = _name_form(match, language)
        name, weight = form
        if len(name) > 3 and name not in names:
            names[name] = weight
            if len(names) >= MAX_NAMES:
                break
    return names


NAME_FORMS_CACHED = 200_000
"""Name matches whose form and weight are remembered per language (names recur across a stream's articles)."""
_NAME_FORMS: dict[str, dict[str, tuple[str, float]]] = {"en": {}, "id": {}}


def _name_form(match: str, language: str) -> tuple[str, float]:
    """A name match lower-cased without leading stopwords, and the IDF of its rarest word."""
    stop = lang.words(language, "stopwords.txt")
    table, unseen = _idf_table(language)
    stem = stem_en if language == "en" else stem_id
    tokens = match.lower().split()
    while tokens and tokens[0] in stop:
        tokens.pop(0)
    return " ".join(tokens), max((table.get(stem(t) if t.isalpha() else t, unseen) for t in tokens), default=1.0)


def article_features(article: Article) -> ArticleFeatures:
    """Compute the clustering features of one article."""
    language = _code(article.language or "id")
    lead = article.text[:BODY_CHARS]
    title_counts: Counter[str] = Counter(terms(article.title, language))
    counts: Counter[str] = Counter(terms_of(hash_words(lead), language))
    for term, n in title_counts.items():
        counts[term] += TITLE_WEIGHT * n
    numeric = _words_with_digits(f"{article.title} {lead}")
    numbers = frozenset(n for n in NUMBER_RE.findall(DATE_RE.sub(" ", numeric)) if len(n) >= 2)
    lead_names = NAME_RE.findall(lead)
    mention_counts = _mentions(NAME_RE.findall(article.title) + lead_names, NUMBER_RE.findall(numeric), language)
    return ArticleFeatures(  # plain dicts: they pickle faster than Counters
        counts=dict(counts),
        title_counts=dict(title_counts),
        names=_names(lead_names, language),
        numbers=numbers,
        years=frozenset(YEAR_RE.findall(numeric)),
        day=day_number(article.published_at),
        language=language,
        mention_counts=mention_counts,
    )


def _words_with_digits(text: str) -> str:
    """The space-separated words of a text that hold a digit, joined by spaces.

    NUMBER_RE, DATE_RE and YEAR_RE find the same there as in the whole text, reading a few dozen characters instead of
    thousands: their matches start with a digit, never span a space, and look no further than the character beside them.
    """
    tails = (ASCII_DIGIT_TAIL_RE if text.isascii() else DIGIT_TAIL_RE).finditer(text)
    return " ".join([text[text.rfind(" ", 0, tail.start()) + 1 : tail.end()] for tail in tails])


def _mentions(name_matches: list[str], numbers: list[str], language: str) -> dict[str, int]:
    """Who, where and how many: the words of capitalised names (``NAME_RE`` matches; stopwords dropped) and the numbers
    of a text (title and lead: matched apart, as the names' words are the same either way).

    Two events of one topic share its vocabulary but rarely its people, places and figures.
    """
    stop = lang.words(language, "stopwords.txt")
    tokens = [MENTION_PREFIX + t for t in " ".join(name_matches).lower().split() if t not in stop and len(t) > 1]
    tokens += [MENTION_PREFIX + number for number in numbers]
    return dict(Counter(tokens))
