"""Publication dates in Indonesian and English news text and metadata.

Formats understood (day names optional, times and WIB/WITA/WIT zones optional):
"Rabu, 07 September 2022, 07:47 WIB", "Selasa (6/9/2022)", "Senin (5/9)" (year from context),
"6 September 2022", "September 6, 2022", ISO "2022-09-06T07:47:00+07:00", "2022/09/06" in URLs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache

from kabar import lang

DEFAULT_OFFSET = "+07:00"
"""Indonesian outlets publish in WIB unless they say otherwise."""


@cache
def _month_numbers() -> dict[str, int]:
    return {name.lower(): int(number) for name, number in lang.table("id", "months.tsv")}


@cache
def _zones() -> dict[str, str]:
    return {name.upper(): offset for name, offset in lang.table("id", "timezones.tsv")}


@cache
def _regexes() -> dict[str, re.Pattern[str]]:
    months = "|".join(sorted(_month_numbers(), key=len, reverse=True))
    weekdays = "|".join(sorted(lang.words("id", "weekdays.txt"), key=len, reverse=True)).replace("'", "'?")
    zones = "|".join(_zones())
    time = rf"(?:,?\s*(?:pukul\s*)?(?P<hour>\d{{1,2}})[:.](?P<minute>\d{{2}})(?:\s*(?P<zone>{zones})\b)?)?"
    day_name = rf"(?P<weekday>{weekdays})"
    return {
        "named": re.compile(rf"(?:{day_name},?\s*\(?)?\b(?P<day>\d{{1,2}})\s+(?P<month>{months})\.?\s+(?P<year>\d{{4}}){time}", re.I),
        "english": re.compile(rf"(?:{day_name},?\s*)?\b(?P<month>{months})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}}){time}", re.I),
        "numeric": re.compile(rf"{day_name}\s*,?\s*\(\s*(?P<day>\d{{1,2}})/(?P<month>\d{{1,2}})(?:/(?P<year>\d{{2,4}}))?\s*\)", re.I),
        "iso": re.compile(r"\b(?P<year>(?:19|20)\d{2})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"),
    }


@dataclass(slots=True)
class FoundDate:
    """A date found in text, with how much it says (a weekday or a time makes it a likely dateline)."""

    value: datetime
    has_time: bool
    has_weekday: bool
    year_given: bool
    position: int


def _offset(zone: str | None) -> timezone:
    text = _zones().get((zone or "").upper(), DEFAULT_OFFSET)
    sign = -1 if text.startswith("-") else 1
    hours, minutes = int(text[1:3]), int(text[-2:])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(year: int, month: int, day: int, hour: int, minute: int, tz: timezone) -> datetime | None:
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None


def find_dates(text: str, reference: date | None = None) -> list[FoundDate]:
    """Every date stated in ``text``; a date without a year takes the year of ``reference``."""
    found: list[FoundDate] = []
    months = _month_numbers()
    for kind, regex in _regexes().items():
        for match in regex.finditer(text):
            groups = match.groupdict()
            if kind == "iso":
                offset = groups.get("offset")
                tz = timezone.utc if offset == "Z" else _offset(None)
                if offset and offset != "Z":
                    sign = -1 if offset[0] == "-" else 1
                    digits = offset[1:].replace(":", "")
                    tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
                month = int(groups["month"])
            else:
                tz = _offset(groups.get("zone"))
                month = months[groups["month"].lower().rstrip(".")] if kind != "numeric" else int(groups["month"])
            year_text = groups.get("year")
            if year_text:
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            elif reference is not None:
                year = reference.year
            else:
                continue
            hour, minute = int(groups.get("hour") or 0), int(groups.get("minute") or 0)
            value = _build(year, month, int(groups["day"]), hour, minute, tz)
            if value is None or not 1990 <= year <= 2100:
                continue
            if not year_text and reference is not None and value.date() > reference + timedelta(days=31):
                value = value.replace(year=year - 1)
            found.append(FoundDate(value, groups.get("hour") is not None, bool(groups.get("weekday")), bool(year_text), match.start()))
    found.sort(key=lambda item: item.position)
    return found


def publication_date(text: str, crawl_date: date | None = None, head_chars: int = 1500) -> FoundDate | None:
    """The article's own publication date: the first dateline-like date near the top of the text.

    A dated byline (weekday or time attached, e.g. "Rabu, 07 September 2022, 07:47 WIB" or
    "Selasa (6/9/2022)") wins over a bare date; dates after the crawl date are never accepted.
    """
    candidates = [d for d in find_dates(text[:head_chars], crawl_date) if d.year_given or crawl_date]
    if crawl_date is not None:
        latest = _month_end(crawl_date)
        candidates = [d for d in candidates if d.value.date() <= latest]
    datelines = [d for d in candidates if d.has_weekday or d.has_time]
    chosen = datelines or candidates
    return chosen[0] if chosen else None


def _month_end(day: date) -> date:
    """Last day of ``day``'s month: crawl headers give only a month ("date 2022-09")."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_date(value: str, reference: date | None = None) -> datetime | None:
    """Parse one date value from metadata (ISO, RFC 822 feed dates, or Indonesian text)."""
    value = value.strip()
    if not value:
        return None
    found = find_dates(value, reference)
    if found:
        return found[0].value
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def date_from_url(url: str) -> datetime | None:
    """A date embedded in an article URL such as ``/2022/09/06/`` or ``/read/2022/09/06/``."""
    match = re.search(r"/((?:19|20)\d{2})/?(\d{2})/?(\d{2})/", url)
    if not match:
        return None
    return _build(int(match.group(1)), int(match.group(2)), int(match.group(3)), 0, 0, _offset(None))
