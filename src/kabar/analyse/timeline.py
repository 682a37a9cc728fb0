"""Dated events mentioned in a story's articles, resolved against each article's publication date.

Forms read: "24 Februari 2022", "24 Februari lalu", "Senin (5/9)", "(6/9/2022)", "pada Agustus",
"Agustus lalu", "awal September", "Juli 2022". A date without a year takes the year that puts it in
the year before publication or at most FUTURE_WINDOW after it; one marked past ("lalu", "silam")
never lies after publication.
Articles without a publication date use the story's earliest date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import Any

from kabar import lang
from kabar.model import Article
from kabar.textproc import sentences

FUTURE_SLACK = timedelta(days=2)
"""A date marked past ("24 Februari lalu") may still fall this far after publication (time zones)."""
FUTURE_WINDOW = timedelta(days=120)
"""An unmarked date may lie up to this far after publication ("akan digelar 13 September"); news looks back more than ahead."""
MAX_EVENT_CHARS = 240


def _data(language: str, name: str) -> str:
    """A language's data file, or the Indonesian one (which also lists English month names) when it has none."""
    return language if lang.table(language, name) else "id"


@cache
def _months(language: str) -> dict[str, int]:
    return {row[0]: int(row[1]) for row in lang.table(_data(language, "months.tsv"), "months.tsv")}


def _alternation(words: frozenset[str] | dict[str, int]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@cache
def _patterns(language: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    months = _alternation(_months(language))
    before = _alternation(lang.words(_data(language, "month_cues.txt"), "month_cues.txt"))
    after = _alternation(lang.words(_data(language, "month_cues_after.txt"), "month_cues_after.txt"))
    day_month = re.compile(
        rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{months})\b\.?(?:\s+(?P<year>(?:19|20)\d\d)\b|\s+(?P<past>{after})\b)?", re.IGNORECASE
    )
    numeric = re.compile(r"\((?P<day>\d{1,2})\s*/\s*(?P<month>\d{1,2})(?:\s*/\s*(?P<year>\d{2}|\d{4}))?\)")
    month_only = re.compile(
        rf"(?<!\d\s)\b(?:{before})\s+(?P<month>{months})\b(?:\s+(?P<year>(?:19|20)\d\d)\b)?"
        rf"|(?<!\d\s)\b(?P<month2>{months})\s+(?:(?P<year2>(?:19|20)\d\d)\b|(?P<past2>{after})\b)",
        re.IGNORECASE,
    )
    return day_month, numeric, month_only


def reference_date(article: Article, fallback: date | None) -> date | None:
    """An article's publication day, or ``fallback`` when it has none."""
    if article.published_at:
        try:
            return date.fromisoformat(article.published_at[:10])
        except ValueError:
            return fallback
    return fallback


def _resolve(day: int | None, month: int, year: int | None, ref: date | None, past: bool) -> date | None:
    """A date from its parts; without a year, the year nearest ``ref`` (never after it, give or take slack, when ``past``)."""
    if year is None:
        if ref is None:
            return None
        year = ref.year
        probe = date(year, month, min(day or 1, 28))
        latest = ref + (FUTURE_SLACK if past else FUTURE_WINDOW)
        if probe > latest or (past and not day and month > ref.month):
            year -= 1
        elif not past and probe <= latest - timedelta(days=365):
            year += 1
    elif year < 100:
        year += 2000
    try:
        return date(year, month, day or 1)
    except ValueError:
        return None


def dates_in(text: str, ref: date | None, language: str = "id") -> list[tuple[date, str, int]]:
    """(date, precision, offset) of every date expression in a text."""
    day_month, numeric, month_only = _patterns(language)
    months = _months(language)
    found: list[tuple[date, str, int]] = []
    taken: list[range] = []
    for pattern, precision in ((day_month, "day"), (numeric, "day"), (month_only, "month")):
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            groups = match.groupdict()
            month_text = groups.get("month") or groups.get("month2")
            month = int(month_text) if month_text.isdigit() else months[month_text.lower()]
            year_text = groups.get("year") or groups.get("year2")
            if not 1 <= month <= 12:
                continue
            day = int(groups["day"]) if precision == "day" else None
            past = bool(groups.get("past") or groups.get("past2"))
            resolved = _resolve(day, month, int(year_text) if year_text else None, ref, past)
            if resolved:
                found.append((resolved, precision, match.start()))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda item: item[2])


def timeline(originals: list[Article], carried: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Dated events of a story, one entry per date, each with the outlets and articles that mention it."""
    known = sorted(r for r in (reference_date(a, None) for a in originals) if r)
    fallback = known[0] if known else None
    events: dict[tuple[str, str], dict[str, Any]] = {}
    for article in originals:
        ref = reference_date(article, fallback)
        language = "en" if article.language == "en" else "id"
        for sentence in sentences(article.text):
            for when, precision, _ in dates_in(sentence, ref, language):
                key = (when.isoformat() if precision == "day" else when.isoformat()[:7] + "-01", precision)
                event = events.setdefault(
                    key,
                    {"date": key[0], "precision": precision, "text": sentence[:MAX_EVENT_CHARS], "outlets": [], "articles": []},
                )
                event["outlets"].extend(o for o in carried[article.id] if o not in event["outlets"])
                if article.id not in event["articles"]:
                    event["articles"].append(article.id)
    return sorted(events.values(), key=lambda e: (e["date"], e["precision"] == "day"))
