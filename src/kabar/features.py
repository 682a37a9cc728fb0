"""Per-article features shared by dedup and clustering: terms, names, time; computed once per article."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from kabar.model import Article
from kabar.textproc import terms

TITLE_WEIGHT = 3
"""A title word counts as much as three body words: titles name the news peg."""
BODY_CHARS = 3000
"""Only the lead matters for which story an article tells; long tails add noise and cost."""
NAME_RE = re.compile(r"\b[A-Z][\w'-]+(?:\s+(?:[A-Z][\w'-]+|bin|binti|van|de|al))*")


@dataclass(slots=True)
class ArticleFeatures:
    """What the story clusterer compares."""

    term_counts: Counter[str]
    names: frozenset[str]
    day: float | None


def day_number(published_at: str | None) -> float | None:
    """Days since the epoch (fractional) of an ISO timestamp, or None."""
    if not published_at:
        return None
    try:
        return datetime.fromisoformat(published_at).timestamp() / 86400.0
    except ValueError:
        return None


def article_features(article: Article) -> ArticleFeatures:
    """Compute the clustering features of one article."""
    language = article.language or "id"
    counts: Counter[str] = Counter(terms(article.text[:BODY_CHARS], language))
    for term in terms(article.title, language):
        counts[term] += TITLE_WEIGHT
    names = frozenset(
        name.lower() for name in NAME_RE.findall(f"{article.title}. {article.text[:BODY_CHARS]}") if len(name) > 3
    )
    return ArticleFeatures(term_counts=counts, names=names, day=day_number(article.published_at))
