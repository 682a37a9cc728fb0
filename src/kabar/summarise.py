"""Summarise stage: a story's headline and 3–7 sentences chosen across all its sources.

Sentences of page furniture ("Baca juga: ..."), of pure attribution ("Temuan ini pertama kali
dilaporkan oleh The New York Times.") and broken pieces of quotations are never used. The rest are
grouped across outlets when they say the same thing (``similar``), scored by closeness to the
story's term centroid, support (how many outlets carry the statement) and a lead bonus, and picked
greedily with a redundancy penalty (maximal marginal relevance). Each chosen sentence lists every
outlet that carries it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from kabar import lang
from kabar.model import Article
from kabar.textproc import WORD_RE, sentences, terms

SAME_JACCARD = 0.4
SAME_CONTAINMENT = 0.6
"""Two sentences state the same fact when their term sets overlap this much (Jaccard, or share of the smaller set)."""
MIN_SHARED_TERMS = 4
INFERRED_TITLE_SLACK = 80
"""A title found this close to the body's start was taken from the lead (no real headline): ranked last."""
REDUNDANCY_WEIGHT = 0.7
MIN_SENTENCE_TERMS = 5
LEAD_WEIGHT = 1.0
LEAD_DECAY = 0.7
"""A sentence's lead bonus is LEAD_WEIGHT × LEAD_DECAY ** (its position among the article's usable sentences)."""
QUESTION_PENALTY = 0.2
SUPPORT_WEIGHT = 1.0
MAX_ATTRIBUTION_WORDS = 2
"""A sentence with a source cue and at most this many other content words is pure attribution."""
MIN_SENTENCES, MAX_SENTENCES = 3, 7
PARAGRAPH_GLUE_RE = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)\s*,[\s,]*(?=\S)|(?<=[.!?]\")\s*,[\s,]*(?=[A-Z])|\s+,(?:\s*,)+\s*")
"""Commas standing for paragraph breaks in corpora that joined paragraphs with them (CLICK-ID)."""
LEADING_PUNCTUATION_RE = re.compile(r"^[\s,\-–—•]+")
QUOTE_MARKS = ('"', "“", "”")
"""A sentence with an odd number of these is a broken piece of a quotation: never a summary sentence."""
MIN_DATELINE_REST = 20


@dataclass(slots=True)
class SentenceGroup:
    """One statement and every article that carries it, with each article's own wording."""

    text: str
    term_set: frozenset[str]
    article_ids: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    best_position: int = 99
    variants: dict[str, str] = field(default_factory=dict)


def outlet_label(article: Article) -> str:
    """The name an article's outlet is shown under; unknown outlets are named by their source file."""
    if article.outlet:
        return article.outlet
    stem = article.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"unknown ({stem})" if stem else "unknown"


def carriers(articles: list[Article]) -> tuple[list[Article], dict[str, list[str]]]:
    """The story's original articles and, per original, the outlets that carry it (its copies' outlets too)."""
    originals = [a for a in articles if a.duplicate_of is None] or articles
    carried = {a.id: [outlet_label(a)] for a in originals}
    for article in articles:
        if article.duplicate_of in carried and outlet_label(article) not in carried[article.duplicate_of]:
            carried[article.duplicate_of].append(outlet_label(article))
    return originals, carried


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two term sets state the same fact."""
    shared = len(a & b)
    if shared < min(MIN_SHARED_TERMS, len(a), len(b)) or not shared:
        return False
    return shared / len(a | b) >= SAME_JACCARD or shared / min(len(a), len(b)) >= SAME_CONTAINMENT


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def is_furniture(sentence: str, language: str = "id") -> bool:
    """Whether a sentence is page furniture (related links, widgets, credits)."""
    code = "en" if language == "en" else "id"
    stripped = sentence.strip()
    return any(p.match(stripped) for p in lang.patterns(code, "furniture_lines.txt")) or any(
        p.search(stripped) for p in lang.patterns(code, "furniture_inline.txt")
    )


def is_attribution(sentence: str, language: str = "id") -> bool:
    """Whether a sentence only says where information came from ("... pertama kali dilaporkan oleh NYT.")."""
    code = "en" if language == "en" else "id"
    cues = [m for p in lang.patterns(code, "source_cues.txt") for m in p.finditer(sentence)]
    if not cues:
        return False
    cue_words = {w.lower() for m in cues for w in WORD_RE.findall(m.group())}
    ignored = lang.words(code, "stopwords.txt") | lang.words(code, "source_fillers.txt") | cue_words
    content = [w for w in WORD_RE.findall(sentence) if w.islower() and w not in ignored]
    return len(content) <= MAX_ATTRIBUTION_WORDS


def unglue(text: str) -> str:
    """Text with paragraph breaks restored where a corpus joined paragraphs with commas ('... lalu.,Sejumlah')."""
    return PARAGRAPH_GLUE_RE.sub("\n", text)


def strip_dateline(sentence: str, language: str = "id") -> str:
    """A lead sentence without its dateline ("Jakarta, CNN Indonesia - -", "Moskow:", "Merdeka.com -")."""
    for pattern in lang.patterns("en" if language == "en" else "id", "datelines.txt"):
        match = pattern.match(sentence)
        if match and len(sentence) - match.end() > MIN_DATELINE_REST:
            return sentence[match.end() :]
    return sentence


def sentence_groups(articles: list[Article], carried: dict[str, list[str]] | None = None) -> list[SentenceGroup]:
    """Usable sentences of the given (original) articles, equivalent ones merged across outlets.

    ``carried`` maps an article id to every outlet carrying it (its copies' outlets too).
    """
    groups: list[SentenceGroup] = []
    postings: dict[str, list[int]] = defaultdict(list)
    for article in articles:
        outlets = (carried or {}).get(article.id) or [outlet_label(article)]
        position = 0
        for raw in sentences(unglue(article.text)):
            sentence = LEADING_PUNCTUATION_RE.sub("", raw)
            if position == 0:
                sentence = strip_dateline(sentence, article.language)
            term_set = frozenset(terms(sentence, article.language))
            if (
                len(term_set) < MIN_SENTENCE_TERMS
                or is_furniture(sentence, article.language)
                or is_attribution(sentence, article.language)
            ):
                continue
            position += 1
            shared = Counter(g for t in term_set for g in postings[t])
            match = next((groups[g] for g, _ in shared.most_common(5) if similar(groups[g].term_set, term_set)), None)
            if match is None:
                match = SentenceGroup(text=sentence, term_set=term_set)
                for t in term_set:
                    postings[t].append(len(groups))
                groups.append(match)
            if article.id not in match.article_ids:
                match.article_ids.append(article.id)
                match.variants[article.id] = sentence
            match.outlets.extend(o for o in outlets if o not in match.outlets)
            match.best_position = min(match.best_position, position - 1)
    return groups


def summary_length(n_outlets: int) -> int:
    """Sentences in a summary: three for one source, one more per two further outlets, at most seven."""
    return max(MIN_SENTENCES, min(MAX_SENTENCES, MIN_SENTENCES + (n_outlets - 1) // 2))


def summarise(articles: list[Article], max_sentences: int | None = None) -> dict[str, Any]:
    """Headline and summary sentences (``summary_length`` unless given), each with its supporting outlets."""
    originals, carried = carriers(articles)
    centroid: Counter[str] = Counter()
    for article in originals:
        centroid.update(terms(f"{article.title} {article.text}", article.language))
    norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0

    def closeness(term_set: frozenset[str]) -> float:
        if not term_set:
            return 0.0
        return sum(centroid[t] for t in term_set) / (norm * math.sqrt(len(term_set)))

    def headline_rank(article: Article) -> tuple[bool, float]:
        """Real headlines first, then the one whose words most of the story's articles share."""
        has_own_title = article.title.rstrip("…") not in article.text[: len(article.title) + INFERRED_TITLE_SLACK]
        title_terms = set(terms(article.title, article.language))
        mean_support = sum(centroid[t] for t in title_terms) / len(title_terms) if title_terms else 0.0
        return has_own_title, mean_support

    headline_article = max(originals, key=headline_rank)
    groups = sentence_groups(originals, carried)
    n_outlets = len({o for g in groups for o in g.outlets}) or 1
    wanted = max_sentences or summary_length(n_outlets)
    scored = []
    for group in groups:
        if sum(group.text.count(mark) for mark in QUOTE_MARKS) % 2:
            continue
        support = len(group.outlets) / n_outlets
        lead = LEAD_DECAY**group.best_position
        question = QUESTION_PENALTY if group.text.rstrip(" \"'”").endswith("?") else 0.0
        scored.append((closeness(group.term_set) + SUPPORT_WEIGHT * support + LEAD_WEIGHT * lead - question, group))
    chosen: list[SentenceGroup] = []
    candidates = sorted(scored, key=lambda item: -item[0])
    while candidates and len(chosen) < wanted:
        best = max(
            candidates,
            key=lambda item: (
                item[0] - REDUNDANCY_WEIGHT * max((_jaccard(item[1].term_set, c.term_set) for c in chosen), default=0.0)
            ),
        )
        candidates.remove(best)
        chosen.append(best[1])
    chosen.sort(key=lambda g: g.best_position)
    return {
        "headline": headline_article.title,
        "headline_article": headline_article.id,
        "sentences": [{"text": g.text, "outlets": g.outlets, "articles": g.article_ids} for g in chosen],
    }
