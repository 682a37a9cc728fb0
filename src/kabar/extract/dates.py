"""Publication dates in Indonesian and English news text, metadata and URLs.

Formats understood (weekday names optional, times and WIB/WITA/WIT zones optional):
"Rabu, 07 September 2022, 07:47 WIB", "Selasa (6/9/2022)", "Senin (5/9)" (year from context),
"6 September 2022", "September 6, 2022", ISO "2022-09-06T07:47:00+07:00", "/2022/09/06/" in URLs.

A cheap anchor (a year, or "(d/m") finds where dates can be; the full patterns run only there, and the
weekday before a date and the time after it are read from the few characters around the match. Choosing the publication date among
them is documented on ``publication_date``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache

from kabar import lang

DEFAULT_OFFSET = "+07:00"
"""Indonesian outlets publish in WIB unless they say otherwise."""
MAX_SCAN_CHARS = 20_000
"""Dates are looked for in the first this-many characters: a news article states its date early."""
WEEKDAY_WINDOW = 28
"""Characters before a date searched for its weekday name ("Selasa, ", "Rabu (")."""
LOOKBACK_CHARS = 30
"""Characters before a year searched for the rest of its date ("6 September " in "6 September 2022")."""
CUE_WINDOW = 40
"""Characters before a date searched for a cue word ("akan digelar pada", "kemarin,", "hari ini,"), within its sentence."""
DATELINE_HEAD_CHARS = 300
"""A date with a time this close to the top is the page's own dateline ("Rabu, 07 September 2022, 07:47 WIB")."""


@cache
def _month_numbers() -> dict[str, int]:
    return {name.lower(): int(number) for name, number in lang.table("id", "months.tsv")}


@cache
def _weekday_numbers() -> dict[str, int]:
    return {name.lower(): int(number) for name, number in lang.table("id", "weekdays.tsv")}


@cache
def _cues() -> dict[str, str]:
    return {phrase.lower(): kind for phrase, kind in lang.table("id", "date_cues.tsv")}


@cache
def _zones() -> dict[str, str]:
    return {name.upper(): offset for name, offset in lang.table("id", "timezones.tsv")}


def _alternation(names: object) -> str:
    return "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Patterns:
    anchor: re.Pattern[str]
    named: re.Pattern[str]
    english: re.Pattern[str]
    numeric: re.Pattern[str]
    iso: re.Pattern[str]
    weekday: re.Pattern[str]
    time: re.Pattern[str]
    cue: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    months = _alternation(_month_numbers())
    zones = _alternation(_zones())
    cues = _alternation(_cues())
    return _Patterns(
        anchor=re.compile(r"(?:19|20)\d\d|\("),
        named=re.compile(rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{months})\.?,?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
        english=re.compile(rf"\b(?P<month>{months})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})$", re.IGNORECASE),
        numeric=re.compile(r"\(\s*(?P<day>\d{1,2})\s?/\s?(?P<month>\d{1,2})(?:\s?/\s?(?P<year>\d{2}(?:\d{2})?))?\s*\)"),
        iso=re.compile(
            r"(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"
            r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"
        ),
        weekday=re.compile(
            rf"(?P<comma>,\s*)?\b(?P<weekday>{_alternation(_weekday_numbers())})\b"
            r"(?:\s+(?:dini\s?hari|pagi|siang|sore|malam)(?:\s+WI[BT]A?)?)?\W{0,4}$",
            re.IGNORECASE,
        ),
        time=re.compile(
            rf"\s*[,|\-–]?\s*(?:pukul\s*|jam\s*)?(?P<hour>\d{{1,2}})[:.](?P<minute>\d{{2}})\b(?:\s*(?P<zone>{zones})\b)?", re.I
        ),
        cue=re.compile(rf"\b(?P<cue>{cues})\b(?!.*\b(?:{cues})\b)", re.IGNORECASE | re.DOTALL),
    )


@dataclass(slots=True)
class FoundDate:
    """A date found in text, with what surrounds it (a weekday or a time makes it a likely dateline)."""

    value: datetime
    has_time: bool
    has_weekday: bool
    year_given: bool
    position: int
    weekday_matches: bool = True
    cue: str = ""
    after_comma: bool = False
    starts_line: bool = False

    @property
    def is_dateline(self) -> bool:
        """A weekday or a time is attached: the way Indonesian news states the day of the report."""
        return self.has_weekday or self.has_time


def zone_offset(zone: str | None) -> timezone:
    """The UTC offset of an Indonesian zone abbreviation (WIB when none or unknown)."""
    return _parse_offset(_zones().get((zone or "").upper(), DEFAULT_OFFSET))


@cache
def _parse_offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _build(year: int, month: int, day: int, hour: int, minute: int, tz: timezone, second: int = 0) -> datetime | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def _year_for(day: int, month: int, weekday: int | None, reference: date) -> int:
    """The year of a yearless date: the reference's, or the year before when that is in the future or fits the weekday."""
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= reference + timedelta(days=31) and (weekday is None or candidate.isoweekday() == weekday):
            return year
    return reference.year if (month, day) <= (reference.month, reference.day) else reference.year - 1


def _date_matches(text: str) -> list[tuple[re.Match[str], bool]]:
    """Every date-shaped match, in order, each with whether its month is a name (vs a number).

    A cheap anchor (a year, or "(d/m") finds the few places worth looking at; the full patterns only run
    around them, which keeps a long article to a fraction of a millisecond.
    """
    patterns = _patterns()
    matches: list[tuple[re.Match[str], bool]] = []
    last_end = 0
    for anchor in patterns.anchor.finditer(text):
        start = anchor.start()
        if start < last_end:
            continue
        if text[start] == "(":
            if not text[start + 1 : start + 2].isdigit() and not text[start + 1 : start + 2].isspace():
                continue
            found, named = patterns.numeric.match(text, start), False
        elif text[start + 4 : start + 5].isdigit() or text[start - 1 : start].isdigit():
            continue
        else:
            found, named = patterns.iso.match(text, start), False
            if found is None:
                low = max(last_end, start - LOOKBACK_CHARS)
                found = patterns.named.search(text, low, start + 4) or patterns.english.search(text, low, start + 4)
                named = True
        if found is not None:
            matches.append((found, named))
            last_end = found.end()
    return matches


def find_dates(text: str, reference: date | None = None) -> list[FoundDate]:
    """Every date stated in ``text`` in order.

    A date without a year ("Senin (5/9)") takes its year from ``reference``, else from the newest date with
    a year in the same text, else is skipped.
    """
    patterns = _patterns()
    months, weekdays = _month_numbers(), _weekday_numbers()
    text = text[:MAX_SCAN_CHARS]
    matches = _date_matches(text)
    if reference is None and any(not m.group("year") for m, _ in matches):
        years = []
        for match, named in matches:
            if match.group("year") and len(match.group("year")) == 4:
                month = months[match.group("month").lower()] if named else int(match.group("month"))
                built = _build(int(match.group("year")), month, int(match.group("day")), 0, 0, zone_offset(None))
                if built is not None:
                    years.append(built.date())
        reference = max(years) if years else None
    found: list[FoundDate] = []
    for match, named in matches:
        groups = match.groupdict()
        before = text[max(0, match.start() - WEEKDAY_WINDOW) : match.start()]
        weekday_match = patterns.weekday.search(before)
        weekday = weekdays[weekday_match.group("weekday").lower()] if weekday_match else None
        year_text = groups["year"]
        month = months[groups["month"].lower()] if named else int(groups["month"])
        day = int(groups["day"])
        hour = minute = second = 0
        has_time = False
        tz = zone_offset(None)
        if groups.get("hour"):
            hour, minute, has_time = int(groups["hour"]), int(groups["minute"]), True
            second = int(groups["second"] or 0)
            if groups["offset"]:
                tz = _parse_offset(groups["offset"])
        elif "offset" not in groups:
            if not named and weekday is None and not year_text:
                continue
            time = patterns.time.match(text, match.end())
            if time:
                hour, minute, has_time = int(time.group("hour")), int(time.group("minute")), True
                tz = zone_offset(time.group("zone"))
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        elif reference is not None:
            year = _year_for(day, month, weekday, reference)
        else:
            continue
        value = _build(year, month, day, hour if hour < 24 else 0, minute if minute < 60 else 0, tz, second if second < 60 else 0)
        if value is None:
            continue
        window_start = max(0, match.start() - CUE_WINDOW)
        window = text[window_start : match.start()]
        window_start += max(window.rfind("\n"), window.rfind(". "), window.rfind(".,")) + 1
        cue = patterns.cue.search(text, window_start, match.start())
        line_prefix = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        if weekday_match and len(line_prefix) <= WEEKDAY_WINDOW:
            line_prefix = patterns.weekday.sub("", line_prefix)
        found.append(
            FoundDate(
                value=value,
                has_time=has_time,
                has_weekday=weekday is not None,
                year_given=bool(year_text),
                position=match.start(),
                weekday_matches=weekday is None or value.isoweekday() == weekday,
                cue=_cues()[cue.group("cue").lower()] if cue else "",
                after_comma=bool(weekday_match and weekday_match.group("comma")),
                starts_line=len(line_prefix) <= WEEKDAY_WINDOW and not any(ch.isalnum() for ch in line_prefix),
            )
        )
    return found


def publication_date(text: str, crawl_date: date | None = None, latest: date | None = None) -> FoundDate | None:
    """The article's own publication date among the dates its text states, or None.

    Cascade, measured on CLICK-ID (bench/extraction.py): (1) a date with a time within the first
    ``DATELINE_HEAD_CHARS`` characters, or on a line of its own ("• Rabu, 07 September 2022, 07:47 WIB"),
    is the page's own dateline and wins; (2) otherwise the latest of the first non-empty pool: dates
    cued as today ("hari ini, Senin (16/9/2019)"); report datelines after a comma with no cue ("kata
    Bobby, Selasa (10/9/2019)"), the way Indonesian reports date what they report; other datelines
    (weekday or time attached) with no past or future cue; uncued dates; any date; a weekday that
    contradicts its date (a typo) sends the date to the last pool. The report
    is as new as its newest such date (a time in running text is an event's, so it is kept only when it
    is the chosen date's own). Dates after ``latest`` (by default the end of the crawl date's month, for
    crawl headers that give only a month) are never accepted. A yearless date ("Senin (5/9)") takes its
    year from the crawl date or else from the newest date with a year in the same text.
    """
    candidates = find_dates(text, crawl_date)
    if latest is None and crawl_date is not None:
        latest = _month_end(crawl_date)
    if latest is not None:
        candidates = [d for d in candidates if d.value.date() <= latest]
    if not candidates:
        return None
    head = [d for d in candidates if d.has_time and d.weekday_matches and (d.position < DATELINE_HEAD_CHARS or d.starts_line)]
    if head:
        return head[0]
    consistent = [d for d in candidates if d.weekday_matches]
    pools = (
        [d for d in consistent if d.cue == "today"],
        [d for d in consistent if d.after_comma and not d.cue],
        [d for d in consistent if d.is_dateline and not d.cue],
        [d for d in consistent if not d.cue],
        candidates,
    )
    return max(next(pool for pool in pools if pool), key=lambda d: (d.value.date(), d.weekday_matches, d.has_time, -d.position))


def _month_end(day: date) -> date:
    """Last day of ``day``'s month: crawl headers give only a month ("date 2022-09")."""
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


PARSED_DATES_CACHED = 4096
"""Metadata date values remembered with their parse: the articles of a feed or a dump share a few days and times."""


@lru_cache(maxsize=PARSED_DATES_CACHED)
def parse_date(value: str, reference: date | None = None) -> datetime | None:
    """Parse one date value from metadata (ISO, RFC 822 feed dates, or Indonesian/English text)."""
    value = value.strip()
    if not value:
        return None
    found = find_dates(value, reference)
    if found:
        return found[0].value
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone_offset(None))


URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-]?(\d{2})[/-]?(\d{2})(?=[/-])")
URL_SHORT_DATE_RE = re.compile(r"/(\d{2})/(\d{2})/(\d{2})/")


def date_from_url(url: str) -> datetime | None:
    """A date embedded in an article URL: ``/2022/09/06/``, ``/20220906/`` or Republika's ``/16/02/15/``."""
    match = URL_DATE_RE.search(url)
    if match:
        return _build(int(match.group(1)), int(match.group(2)), int(match.group(3)), 0, 0, zone_offset(None))
    match = URL_SHORT_DATE_RE.search(url)
    if match:
        return _build(2000 + int(match.group(1)), int(match.group(2)), int(match.group(3)), 0, 0, zone_offset(None))
    return None
