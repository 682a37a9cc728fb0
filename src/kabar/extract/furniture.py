"""The learned furniture signal: lines an outlet repeats across many of its articles are page furniture.

No patterns needed: a menu, a widget caption or a subscribe call is the same short line on every page of
an outlet, while news is not. The driver keeps per-outlet counts of short normalised lines
(``crawled.line_key``) in the store, one count per article, and passes the lines that cross the
thresholds to ``extract`` for that outlet's later articles. Counting happens in memory and reaches the
store once per batch, so ingest pays a few microseconds per article.
"""

from __future__ import annotations

from collections import Counter
from typing import Protocol

from kabar.extract.crawled import learnable_lines
from kabar.model import Article

MIN_ARTICLES = 5
"""A line must appear in at least this many of an outlet's articles: fewer is coincidence."""
MIN_SHARE = 0.2
"""...and in at least this share of them: a background paragraph an outlet reuses in a few follow-up
stories stays news, a widget on every page does not."""


class LineCountStore(Protocol):
    """What the learner needs from a Store."""

    def add_outlet_lines(self, articles: dict[str, int], lines: dict[str, Counter[str]]) -> None:
        """Add articles seen per outlet and, per outlet and line, the articles containing it."""

    def outlet_furniture(self, min_articles: int, min_share: float, outlets: list[str] | None = None) -> dict[str, set[str]]:
        """Lines over both thresholds, per outlet (all outlets, or only ``outlets``)."""


class OutletFurniture:
    """Per-outlet line counts waiting for the store, and the furniture lines learned so far (``known``)."""

    def __init__(self, store: LineCountStore, min_articles: int = MIN_ARTICLES, min_share: float = MIN_SHARE) -> None:
        self.store = store
        self.min_articles = min_articles
        self.min_share = min_share
        self.known: dict[str, frozenset[str]] = {
            outlet: frozenset(lines) for outlet, lines in store.outlet_furniture(min_articles, min_share).items()
        }
        self._articles: Counter[str] = Counter()
        self._lines: dict[str, Counter[str]] = {}

    def observe(self, article: Article) -> None:
        """Count the short lines of one new article (its paragraphs and what extraction removed)."""
        if not article.outlet:
            return
        self._articles[article.outlet] += 1
        self._lines.setdefault(article.outlet, Counter()).update(learnable_lines([article.text, *article.furniture]))

    def flush(self) -> None:
        """Write the pending counts to the store and refresh the known lines of the outlets they touch."""
        if not self._articles:
            return
        self.store.add_outlet_lines(dict(self._articles), self._lines)
        outlets = sorted(self._articles)
        learned = self.store.outlet_furniture(self.min_articles, self.min_share, outlets)
        for outlet in outlets:
            self.known[outlet] = frozenset(learned.get(outlet, ()))
        self._articles = Counter()
        self._lines = {}
