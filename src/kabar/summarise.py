"""Summarise stage: a story's headline and a few sentences chosen across all its sources.

Sentences are scored by closeness to the story's term centroid with a lead bonus, grouped across
outlets when they say the same thing (term-set overlap), and picked greedily with a redundancy
penalty (maximal marginal relevance). Each chosen sentence lists every outlet that carries it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kabar.model import Article
from kabar.textproc import sentences, terms

SAME_SENTENCE_OVERLAP = 0.5
"""Term-set Jaccard above which two sentences of different outlets count as the same fact."""
REDUNDANCY_WEIGHT = 0.7
MIN_SENTENCE_TERMS = 5
LEAD_SENTENCES = 3


@dataclass(slots=True)
class SentenceGroup:
    """One statement and every article that carries it."""

    text: str
    term_set: frozenset[str]
    article_ids: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    best_position: int = 99


def outlet_label(article: Article) -> str:
    """The name an article's outlet is shown under; unknown outlets are named by their source file."""
    if article.outlet:
        return article.outlet
    stem = article.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"unknown ({stem})" if stem else "unknown"


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def sentence_groups(articles: list[Article]) -> list[SentenceGroup]:
    """Sentences of the story's original articles, equivalent ones merged across outlets."""
    groups: list[SentenceGroup] = []
    for article in articles:
        for position, sentence in enumerate(sentences(article.text)):
            term_set = frozenset(terms(sentence, article.language))
            if len(term_set) < MIN_SENTENCE_TERMS:
                continue
            match = next((g for g in groups if _jaccard(g.term_set, term_set) >= SAME_SENTENCE_OVERLAP), None)
            if match is None:
                match = SentenceGroup(text=sentence, term_set=term_set)
                groups.append(match)
            if article.id not in match.article_ids:
                match.article_ids.append(article.id)
            label = outlet_label(article)
            if label not in match.outlets:
                match.outlets.append(label)
            match.best_position = min(match.best_position, position)
    return groups


def summarise(articles: list[Article], max_sentences: int = 5) -> dict[str, Any]:
    """Headline and up to ``max_sentences`` summary sentences, each with its supporting outlets."""
    originals = [a for a in articles if a.duplicate_of is None] or articles
    centroid: Counter[str] = Counter()
    for article in originals:
        centroid.update(set(terms(f"{article.title} {article.text}", article.language)))
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0

    def closeness(term_set: frozenset[str]) -> float:
        if not term_set:
            return 0.0
        return sum(centroid[t] for t in term_set) / (norm * math.sqrt(len(term_set)))

    def headline_rank(article: Article) -> tuple[bool, float]:
        has_own_title = not article.text.startswith(article.title.rstrip("…"))
        return has_own_title, closeness(frozenset(terms(article.title, article.language)))

    headline_article = max(originals, key=headline_rank)
    groups = sentence_groups(originals)
    n_outlets = len({outlet_label(a) for a in originals})
    scored = []
    for group in groups:
        support = len(group.outlets) / n_outlets
        lead = 1.0 if group.best_position < LEAD_SENTENCES else 0.0
        scored.append((closeness(group.term_set) + 0.3 * support + 0.2 * lead, group))
    chosen: list[SentenceGroup] = []
    candidates = sorted(scored, key=lambda item: -item[0])
    while candidates and len(chosen) < max_sentences:
        best = max(
            candidates,
            key=lambda item: item[0] - REDUNDANCY_WEIGHT * max((_jaccard(item[1].term_set, c.term_set) for c in chosen), default=0.0),
        )
        candidates.remove(best)
        chosen.append(best[1])
    return {
        "headline": headline_article.title,
        "headline_article": headline_article.id,
        "sentences": [{"text": g.text, "outlets": g.outlets, "articles": g.article_ids} for g in chosen],
    }
