"""Analyse stage: a story's entities, quotes, cited sources, timeline and coverage comparison.

``analyse(articles)`` takes every article of one story and returns plain JSON-ready data (the keys
documented in docs/story-schema.md). Copies (``duplicate_of`` set) are read once, through their
original; a copy's outlet is listed as carrying what its original carries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from kabar.analyse.coverage import compare
from kabar.analyse.entities import Entity, EntityFinder, canonical_person, lowercase_words, story_entities
from kabar.analyse.gazetteer import gazetteer
from kabar.analyse.quotes import Quote, QuoteFinder
from kabar.analyse.sources import credits
from kabar.analyse.timeline import timeline
from kabar.model import Article
from kabar.summarise import carriers, outlet_label, unglue
from kabar.textproc import terms

SAME_QUOTE_OVERLAP = 0.5
"""Share of the shorter quote's terms the longer one must hold for two outlets' quotes to be one quote."""


def _language(article: Article) -> str:
    return "en" if article.language == "en" else "id"


def _add_unique(items: list[str], new: list[str]) -> None:
    items.extend(x for x in new if x not in items)


def _speaker(raw: str, finder: EntityFinder, entities: dict[str, Entity]) -> tuple[str, str | None]:
    """A quote's speaker as the story names it, and the speaker's role."""
    known = gazetteer("id").lookup(raw)
    if known:
        return known.name, None
    mentions = finder.mentions(raw, frozenset({raw}))
    persons = [m for m in mentions if m.type == "person"]
    if persons:
        name = canonical_person(persons[-1].name, entities)
        entity = entities.get(name)
        return name, (entity.roles[0] if entity and entity.roles else persons[-1].role)
    if len(mentions) == 1 and mentions[0].surface == raw:
        return mentions[0].name, None
    return raw, None


def _same_speaker(a: str, b: str) -> bool:
    wa, wb = set(a.lower().split()), set(b.lower().split())
    return wa <= wb or wb <= wa


def _quotes(
    originals: list[Article],
    carried: dict[str, list[str]],
    finder: EntityFinder,
    entities: dict[str, Entity],
    found: dict[str, list[Quote]],
) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for article in originals:
        for quote in found[article.id]:
            speaker, role = _speaker(quote.speaker, finder, entities)
            term_set = frozenset(terms(quote.text, _language(article)))
            match = next(
                (
                    m
                    for m in merged
                    if _same_speaker(m["speaker"], speaker)
                    and term_set
                    and len(term_set & m["_terms"]) / min(len(term_set), len(m["_terms"]) or 1) >= SAME_QUOTE_OVERLAP
                ),
                None,
            )
            if match is None:
                match = {
                    "speaker": speaker,
                    "role": role,
                    "text": quote.text,
                    "direct": quote.direct,
                    "outlets": [],
                    "articles": [],
                    "_terms": term_set,
                }
                merged.append(match)
            _add_unique(match["outlets"], carried[article.id])
            _add_unique(match["articles"], [article.id])
    for quote in merged:
        del quote["_terms"]
    return merged


def _cited_sources(originals: list[Article], carried: dict[str, list[str]]) -> tuple[list[dict[str, Any]], str | None]:
    cited: dict[str, dict[str, Any]] = {}
    first_claims: list[str] = []
    earliest: list[tuple[str, str]] = []
    for article in originals:
        for credit in credits(article.text, _language(article)):
            entry = cited.setdefault(credit.name, {"name": credit.name, "outlets": [], "articles": [], "first_report": False})
            _add_unique(entry["outlets"], carried[article.id])
            _add_unique(entry["articles"], [article.id])
            if credit.first_report:
                entry["first_report"] = True
                first_claims.append(credit.name)
            earliest.append((article.published_at or "9999", credit.name))
    ranked = sorted(cited.values(), key=lambda c: (-len(c["outlets"]), c["name"]))
    if first_claims:
        return ranked, max(sorted(set(first_claims)), key=first_claims.count)
    return ranked, (min(earliest)[1] if earliest else None)


def analyse(articles: list[Article]) -> dict[str, Any]:
    """Entities, quotes, cited sources, timeline, publications and coverage of one story's articles."""
    originals, carried = carriers(articles)
    originals = [replace(a, text=unglue(a.text)) for a in originals]
    quote_finders = {code: QuoteFinder(code) for code in {_language(a) for a in originals}}
    found = {a.id: quote_finders[_language(a)].quotes(a.text) for a in originals}
    speakers = frozenset(q.speaker for qs in found.values() for q in qs)
    outlets = {a.id: outlet_label(a) for a in originals}
    finder = EntityFinder(lowercase_words([a.text for a in originals]))
    entities = story_entities(finder, [(a.id, outlets[a.id], a.text) for a in originals], speakers)
    cited, first = _cited_sources(originals, carried)
    return {
        "entities": [
            {
                "name": e.name,
                "type": e.type,
                "aliases": sorted(e.aliases),
                "mentions": dict(e.mentions.most_common()),
                "roles": e.roles,
            }
            for e in sorted(entities.values(), key=lambda e: (-sum(e.mentions.values()), e.name))
        ],
        "quotes": _quotes(originals, carried, finder, entities, found),
        "cited_sources": cited,
        "first_reported_by": first,
        "timeline": timeline(originals, carried),
        "publications": [
            {"outlet": outlet_label(a), "published_at": a.published_at, "article": a.id}
            for a in sorted(articles, key=lambda a: (a.published_at or "9999", a.id))
        ],
        "coverage": compare(originals, carried),
    }
