"""Precision and recall of quotes, cited sources and entities on the hand-checked gold set.

Usage: python bench/analysis.py [--gold tests/data/analysis_gold] [--verbose]

Each gold article is analysed as a one-article story. Matching rules:
- quote: a found quote matches a gold quote of the same article when the first words of the gold
  ``text_start`` (normalised: lower case, words only) occur within the found quote's text; the speaker
  is then right when one name's words contain the other's (after alias resolution) — reported apart;
- cited source: same canonical name;
- entity: same canonical name (both sides resolved through the alias table) and same type; an
  untyped score (name only) is printed too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from kabar.analyse import analyse
from kabar.analyse.gazetteer import gazetteer
from kabar.extract import extract
from kabar.model import Article
from kabar.read import read_paths

MATCH_WORDS = 5
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


def load_gold(folder: Path) -> list[tuple[dict, Article]]:
    """Gold records with the extracted article each describes."""
    articles: dict[str, Article] = {}
    for document in read_paths(
        [folder / "seeds", folder / "clickid_articles.jsonl"], lambda s, m: print(f"{s}: {m}", file=sys.stderr)
    ):
        article = extract(document)
        key = f"clickid:{document.hints['id']}" if document.hints.get("id") else f"seeds/{Path(document.source).name}"
        articles[key] = article
    records = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return [(r, articles[r["source_file"]]) for r in records]


def norm_words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return WORD_RE.findall(text.lower())


def canonical(name: str) -> str:
    """A name resolved through the alias table, case-folded."""
    known = gazetteer("id").lookup(name)
    return (known.name if known else name).casefold()


def quote_matches(gold: dict, found: dict) -> bool:
    """Whether a found quote is the gold quote."""
    start = " ".join(norm_words(gold["text_start"])[:MATCH_WORDS])
    return start in " ".join(norm_words(found["text"]))


def speaker_matches(gold: str, found: str) -> bool:
    """Whether two speaker names name the same speaker."""
    a, b = set(norm_words(canonical(gold))), set(norm_words(canonical(found)))
    return bool(a and b) and (a <= b or b <= a)


class Score:
    """Counts of true positives, found and expected."""

    def __init__(self) -> None:
        self.tp_found = self.tp_gold = self.found = self.gold = 0

    def add(self, tp_found: int, tp_gold: int, found: int, gold: int) -> None:
        """Add one article's counts."""
        self.tp_found += tp_found
        self.tp_gold += tp_gold
        self.found += found
        self.gold += gold

    @property
    def precision(self) -> float:
        """Share of found items that are right."""
        return self.tp_found / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        """Share of expected items found."""
        return self.tp_gold / self.gold if self.gold else 0.0

    def line(self, name: str) -> str:
        """Precision, recall and F1 as one printed line."""
        p, r = self.precision, self.recall
        f = 2 * p * r / (p + r) if p + r else 0.0
        return f"{name:<28} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  (found {self.found}, gold {self.gold})"


def score(folder: Path, verbose: bool = False) -> dict[str, Score]:
    """Scores per task over the gold set in ``folder``."""
    scores = {
        name: Score()
        for name in ("quotes", "quote speakers (of matched)", "cited sources", "entities (name+type)", "entities (name only)")
    }
    for record, article in load_gold(folder):
        story = analyse([article])
        found_quotes = story["quotes"]
        matched = [[f for f in found_quotes if quote_matches(g, f)] for g in record["quotes"]]
        hits = sum(any(quote_matches(g, f) for g in record["quotes"]) for f in found_quotes)
        scores["quotes"].add(hits, sum(bool(m) for m in matched), len(found_quotes), len(record["quotes"]))
        right = sum(
            any(speaker_matches(g["speaker"], f["speaker"]) for f in m)
            for g, m in zip(record["quotes"], matched, strict=True)
            if m
        )
        n_matched = sum(bool(m) for m in matched)
        scores["quote speakers (of matched)"].add(right, right, n_matched, n_matched)
        gold_sources = set(record["cited_sources"])
        found_sources = {s["name"] for s in story["cited_sources"]}
        common = len(found_sources & gold_sources)
        scores["cited sources"].add(common, common, len(found_sources), len(gold_sources))
        gold_entities = {(canonical(n), t) for t, ns in record["entities"].items() for n in ns}
        found_entities = {(canonical(e["name"]), e["type"]) for e in story["entities"]}
        common = len(found_entities & gold_entities)
        scores["entities (name+type)"].add(common, common, len(found_entities), len(gold_entities))
        gold_names, found_names = {n for n, _ in gold_entities}, {n for n, _ in found_entities}
        common = len(found_names & gold_names)
        scores["entities (name only)"].add(common, common, len(found_names), len(gold_names))
        if verbose:
            print(f"== {record['id']} ({record['outlet']})")
            for g, m in zip(record["quotes"], matched, strict=True):
                print(f"  {'ok ' if m else 'MISS'} {g['speaker']!r}: {g['text_start'][:60]}  -> {[f['speaker'] for f in m]}")
            for f in found_quotes:
                if not any(quote_matches(g, f) for g in record["quotes"]):
                    print(f"  EXTRA {f['speaker']!r}: {f['text'][:70]}")
            print(f"  sources missing {gold_sources - found_sources} extra {found_sources - gold_sources}")
            print(f"  entities missing {sorted(gold_entities - found_entities)}")
            print(f"  entities extra   {sorted(found_entities - gold_entities)}")
    return scores


def main() -> None:
    """Print precision and recall per task."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=Path(__file__).parent.parent / "tests/data/analysis_gold")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    scores = score(args.gold, args.verbose)
    print(f"gold set {args.gold}: {len(list(args.gold.glob('*.json')))} articles, {time.perf_counter() - started:.1f} s")
    for name, value in scores.items():
        print(value.line(name))


if __name__ == "__main__":
    main()
