"""Coverage comparison: which facts each outlet reports alone, which main facts it omits, where outlets disagree.

A fact is a group of equivalent sentences across outlets (``summarise.sentence_groups``). A fact is
unique when one outlet carries it; a main fact is one carried by at least half the outlets (and by
two or more). Within a fact, outlets disagree when they give different numbers for the same thing
(the same unit word after the number: "16.900 penumpang" vs "17 ribu penumpang") or different dates.
"""

from __future__ import annotations

import re
from typing import Any

from kabar.analyse.timeline import dates_in, reference_date
from kabar.model import Article
from kabar.summarise import sentence_groups

NUMBER_RE = re.compile(
    r"(?<![\w/])(?P<number>\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*(?P<scale>ribu|juta|miliar|triliun|thousand|million|billion|persen|%)?\s+(?P<unit>[^\W\d_]{3,})",
    re.IGNORECASE,
)
SCALES = {"ribu": 1e3, "thousand": 1e3, "juta": 1e6, "million": 1e6, "miliar": 1e9, "billion": 1e9, "triliun": 1e12}
MAIN_FACT_SHARE = 0.5


def _value(match: re.Match[str]) -> float:
    number = match.group("number")
    value = float(number.replace(".", "")) if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number) else float(number.replace(",", "."))
    return value * SCALES.get((match.group("scale") or "").lower(), 1.0)


def numbers(sentence: str) -> dict[str, float]:
    """Numbers in a sentence keyed by the word they count ("penumpang": 16900.0); years and dates left out."""
    found: dict[str, float] = {}
    for match in NUMBER_RE.finditer(sentence):
        scale = (match.group("scale") or "").lower()
        unit = "persen" if scale in ("persen", "%") else match.group("unit").lower()
        if re.fullmatch(r"(?:19|20)\d\d", match.group("number")):
            continue
        found.setdefault(unit, _value(match))
    return found


def _disagreement(
    fact_id: str, variants: dict[str, str], outlet_of: dict[str, str], published: dict[str, Article]
) -> list[dict[str, Any]]:
    flagged = []
    by_unit: dict[str, dict[str, str]] = {}
    for article_id, sentence in variants.items():
        for unit, value in numbers(sentence).items():
            by_unit.setdefault(unit, {})[outlet_of[article_id]] = f"{value:g} {unit}"
    for values in by_unit.values():
        if len(values) > 1 and len(set(values.values())) > 1:
            flagged.append({"fact": fact_id, "kind": "number", "values": values})
    dates: dict[str, str] = {}
    for article_id, sentence in variants.items():
        found = {
            d.isoformat()
            for d, precision, _ in dates_in(sentence, reference_date(published[article_id], None))
            if precision == "day"
        }
        if len(found) == 1:
            dates[outlet_of[article_id]] = found.pop()
    if len(dates) > 1 and len(set(dates.values())) > 1:
        flagged.append({"fact": fact_id, "kind": "date", "values": dates})
    return flagged


def compare(originals: list[Article], carried: dict[str, list[str]]) -> dict[str, Any]:
    """Facts with their outlets, per-outlet unique and omitted facts, and disagreements."""
    groups = sorted(sentence_groups(originals, carried), key=lambda g: (-len(g.outlets), g.best_position))
    outlets = sorted({o for ids in carried.values() for o in ids})
    outlet_of = {a.id: carried[a.id][0] for a in originals}
    by_id = {a.id: a for a in originals}
    main_threshold = max(2, MAIN_FACT_SHARE * len(outlets))
    facts = []
    by_outlet: dict[str, dict[str, list[str]]] = {o: {"unique": [], "omitted": []} for o in outlets}
    disagreements: list[dict[str, Any]] = []
    for number, group in enumerate(groups, start=1):
        fact_id = f"f{number}"
        unique = len(group.outlets) == 1 and len(outlets) > 1
        facts.append(
            {"id": fact_id, "text": group.text, "outlets": group.outlets, "articles": group.article_ids, "unique": unique}
        )
        if unique:
            by_outlet[group.outlets[0]]["unique"].append(fact_id)
        if len(group.outlets) >= main_threshold:
            for outlet in outlets:
                if outlet not in group.outlets:
                    by_outlet[outlet]["omitted"].append(fact_id)
        if len(group.variants) > 1:
            disagreements.extend(_disagreement(fact_id, group.variants, outlet_of, by_id))
    return {"facts": facts, "by_outlet": by_outlet, "disagreements": disagreements}
