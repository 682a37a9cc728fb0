"""Presentation of a story for the web pages: dates, outlet colours, the timeline chart, the coverage table.

Plain functions from the story's JSON to plain values the templates draw; no NLP happens here, and
every key of the story's analysis is optional (a section without data is simply not shown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

OUTLET_COLOURS = 8
"""Distinct outlet colours in the stylesheet (.c0 … .c7); more outlets reuse them."""
CHART_WIDTH = 900
CHART_LABEL_WIDTH = 200
CHART_RIGHT = 880
CHART_ROW = 26
CHART_AXIS = 34
MIN_CHART_SPAN = timedelta(hours=12)
"""A story published within minutes still gets a readable half-day axis."""
MAX_TICKS = 7
HOUR_STEPS = (1, 2, 3, 6, 12, 24, 48, 24 * 7)
MONTH_STEPS = (1, 3, 6, 12, 24, 60)
PARAGRAPH_RE = re.compile(r"\n\s*\n|\n")


def parse_time(value: str | None) -> datetime | None:
    """An aware datetime from an ISO date or timestamp (naive means UTC); None when unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


def event_span(date: str, precision: str | None, zone: tzinfo) -> tuple[datetime, datetime] | None:
    """The stretch of time a dated event covers: a day, a month or a year, in ``zone``."""
    start = parse_time(date[:10] if len(date) >= 10 else f"{date}-01-01"[:10])
    if start is None:
        return None
    start = start.replace(tzinfo=zone)
    if precision == "year":
        return start.replace(month=1, day=1), start.replace(year=start.year + 1, month=1, day=1)
    if precision == "month":
        first = start.replace(day=1)
        return first, _add_months(first, 1)
    return start, start + timedelta(days=1)


def format_time(value: str | None, t: Callable[..., str], with_time: bool = True) -> str:
    """A timestamp as '6 Sep 2022 07:47' in the reader's language; midnight means the time is unknown."""
    moment = parse_time(value)
    if moment is None:
        return value or ""
    text = f"{moment.day} {t(f'month_{moment.month}')} {moment.year}"
    if with_time and (moment.hour, moment.minute) != (0, 0):
        text += f" {moment:%H:%M}"
    return text


def format_span(first: str | None, last: str | None, t: Callable[..., str]) -> str:
    """A story's publication span: one date, or 'first – last'."""
    start, end = format_time(first, t, with_time=False), format_time(last, t, with_time=False)
    return start if start == end or not end else f"{start} – {end}"


def outlet_colours(outlets: Iterable[str]) -> dict[str, str]:
    """A colour class per outlet, stable for a story's outlet order."""
    return {outlet: f"c{index % OUTLET_COLOURS}" for index, outlet in enumerate(outlets)}


def safe_url(url: str | None) -> str | None:
    """The URL if it is a web address that may become a link; anything else (javascript:, data:) is None."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def paragraphs(text: str) -> list[str]:
    """An article's text split into paragraphs."""
    return [part.strip() for part in PARAGRAPH_RE.split(text) if part.strip()]


def source_chips(entry: dict[str, Any], story: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(outlet, article id or None) chips for a summary sentence, quote or fact: one per supporting article."""
    outlet_of = {article["id"]: article.get("outlet", "") for article in story.get("articles") or []}
    chips = [(outlet_of[article_id], article_id) for article_id in entry.get("articles") or [] if article_id in outlet_of]
    shown = {outlet for outlet, _ in chips}
    chips += [(outlet, None) for outlet in entry.get("outlets") or [] if outlet not in shown]
    return chips


@dataclass(slots=True)
class ChartMark:
    """One drawn item: a dot at (x, y), or a bar from x to x2 when x2 is set."""

    x: float
    y: float
    label: str
    href: str | None = None
    colour: str = ""
    x2: float | None = None


@dataclass(slots=True)
class TimelineChart:
    """The geometry of one time chart, in SVG user units; ``band`` shades the stretch the story was published in."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    rows: list[tuple[str, float, str]] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    marks: list[ChartMark] = field(default_factory=list)
    band: tuple[float, float] | None = None


@dataclass(slots=True)
class _Axis:
    start: datetime
    end: datetime
    left: int = CHART_LABEL_WIDTH + 10
    right: int = CHART_RIGHT

    @classmethod
    def around(cls, moments: list[datetime]) -> _Axis:
        start, end = min(moments), max(moments)
        if end - start < MIN_CHART_SPAN:
            middle = start + (end - start) / 2
            start, end = middle - MIN_CHART_SPAN / 2, middle + MIN_CHART_SPAN / 2
        margin = (end - start) * 0.04
        return cls(start - margin, end + margin)

    def x(self, moment: datetime) -> float:
        return round(self.left + (moment - self.start) / (self.end - self.start) * (self.right - self.left), 1)

    def chart(self, rows: list[tuple[str, str]], zone: tzinfo, t: Callable[..., str]) -> TimelineChart:
        placed = [(label, 10 + CHART_ROW * (index + 0.5), colour) for index, (label, colour) in enumerate(rows)]
        chart = TimelineChart(CHART_WIDTH, int(10 + CHART_ROW * len(rows) + CHART_AXIS), self.left, self.right, placed)
        chart.ticks = [(self.x(moment), label) for moment, label in _ticks(self.start, self.end, zone, t)]
        return chart


def _is_date_only(moment: datetime) -> bool:
    """Midnight on the dot: the source gave a date without a time."""
    return (moment.hour, moment.minute, moment.second) == (0, 0, 0)


def _publications(story: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    if story.get("publications"):
        return [(p.get("outlet", ""), p.get("published_at"), p.get("article")) for p in story["publications"]]
    return [(a.get("outlet", ""), a.get("published_at"), a.get("id")) for a in story.get("articles") or []]


def _ticks(start: datetime, end: datetime, zone: tzinfo, t: Callable[..., str]) -> list[tuple[datetime, str]]:
    span_hours = (end - start).total_seconds() / 3600
    local = start.astimezone(zone)
    hours = next((h for h in HOUR_STEPS if span_hours / h <= MAX_TICKS), None)
    ticks: list[tuple[datetime, str]] = []
    if hours is not None:
        moment = local.replace(hour=0, minute=0, second=0, microsecond=0)
        while moment <= end:
            if moment >= start:
                daily = moment.hour == 0 and moment.minute == 0
                ticks.append((moment, f"{moment.day} {t(f'month_{moment.month}')}" if daily else f"{moment:%H:%M}"))
            moment += timedelta(hours=hours)
        return ticks
    months = next((m for m in MONTH_STEPS if span_hours / (24 * 30.4 * m) <= MAX_TICKS), MONTH_STEPS[-1])
    moment = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while moment <= end:
        if moment >= start:
            ticks.append((moment, f"{t(f'month_{moment.month}')} {moment.year}" if months < 12 else str(moment.year)))
        moment = _add_months(moment, months)
    return ticks


def undated_outlets(story: dict[str, Any]) -> list[str]:
    """Outlets whose articles in the story carry no publication time."""
    dated = {outlet for outlet, when, _ in _publications(story) if parse_time(when)}
    return sorted({outlet for outlet, when, _ in _publications(story) if not parse_time(when)} - dated)


def publication_chart(story: dict[str, Any], t: Callable[..., str]) -> TimelineChart | None:
    """When each outlet published: a dot per article at its time, a day-wide bar when only the date is known."""
    spans = []
    for outlet, when, article in _publications(story):
        moment = parse_time(when)
        if moment is not None:
            spans.append((outlet, moment, moment + timedelta(days=1) if _is_date_only(moment) else None, article))
    if not spans:
        return None
    zone = spans[0][1].tzinfo or UTC
    axis = _Axis.around([edge for _, begin, finish, _ in spans for edge in (begin, finish or begin)])
    colours = outlet_colours(story.get("outlets") or [])
    outlets = list(dict.fromkeys(outlet for outlet, *_ in sorted(spans, key=lambda span: span[1])))
    chart = axis.chart([(outlet, colours.get(outlet, "")) for outlet in outlets], zone, t)
    y_of = {label: y for label, y, _ in chart.rows}
    for outlet, begin, finish, article in spans:
        label = f"{outlet}: {format_time(begin.astimezone(zone).isoformat(), t)}"
        href = f"/article/{article}" if article else None
        x2 = axis.x(finish) if finish else None
        chart.marks.append(ChartMark(axis.x(begin), y_of[outlet], label, href, colours.get(outlet, ""), x2))
    return chart


def event_label(event: dict[str, Any], t: Callable[..., str]) -> str:
    """An event's date as precise as the reports give it: '24 Feb 2022', 'Jul 2022' or '2022'."""
    moment = parse_time(str(event.get("date", ""))[:10])
    if moment is None:
        return str(event.get("date", ""))
    if event.get("precision") == "year":
        return str(moment.year)
    if event.get("precision") == "month":
        return f"{t(f'month_{moment.month}')} {moment.year}"
    return format_time(moment.isoformat(), t, with_time=False)


def events_chart(story: dict[str, Any], t: Callable[..., str]) -> TimelineChart | None:
    """The dated events the reports mention, one row each, with the publication span shaded."""
    published = [moment for _, when, _ in _publications(story) if (moment := parse_time(when))]
    zone = published[0].tzinfo if published else UTC
    events = []
    for event in story.get("timeline") or []:
        span = event_span(str(event.get("date", "")), event.get("precision"), zone or UTC)
        if span is not None:
            events.append((event, span))
    if not events:
        return None
    band = (min(published), max(published) + timedelta(days=1)) if published else None
    axis = _Axis.around([edge for _, span in events for edge in span] + list(band or ()))
    chart = axis.chart(
        [(f"{number}. {event_label(event, t)}", "event") for number, (event, _) in enumerate(events, start=1)], zone or UTC, t
    )
    for (label, y, _), (event, (begin, finish)) in zip(chart.rows, events, strict=True):
        chart.marks.append(
            ChartMark(axis.x(begin), y, f"{label}: {event.get('text', '')}", x2=max(axis.x(finish), axis.x(begin) + 4))
        )
    if band:
        chart.band = (axis.x(band[0]), axis.x(band[1]))
    return chart


@dataclass(slots=True)
class CoverageRow:
    """One fact and, per outlet column, 'reported', 'unique', 'omitted' or ''."""

    fact_id: str
    text: str
    cells: list[str]


@dataclass(slots=True)
class Coverage:
    """The facts × outlets table: facts several outlets share, facts only one has, per-outlet counts, disagreements."""

    outlets: list[str]
    shared: list[CoverageRow]
    unique: list[CoverageRow]
    counts: list[tuple[int, int]]
    disagreements: list[tuple[str, list[tuple[str, str]]]]


def coverage_table(story: dict[str, Any]) -> Coverage | None:
    """The coverage comparison laid out as tables; None when the story has no coverage analysis."""
    coverage = story.get("coverage") or {}
    facts = coverage.get("facts") or []
    if not facts:
        return None
    by_outlet = coverage.get("by_outlet") or {}
    outlets = list(story.get("outlets") or by_outlet)
    shared, unique = [], []
    for fact in facts:
        fact_id, reporting = str(fact.get("id", "")), fact.get("outlets") or []
        cells = []
        for outlet in outlets:
            if outlet in reporting:
                cells.append("unique" if fact.get("unique") else "reported")
            elif fact_id in [str(i) for i in (by_outlet.get(outlet) or {}).get("omitted") or []]:
                cells.append("omitted")
            else:
                cells.append("")
        row = CoverageRow(fact_id, str(fact.get("text", "")), cells)
        (unique if fact.get("unique") else shared).append(row)
    shared.sort(key=lambda row: -sum(cell == "reported" for cell in row.cells))
    unique.sort(key=lambda row: row.cells.index("unique") if "unique" in row.cells else len(outlets))
    counts = [
        (sum(row.cells[i] == "unique" for row in unique), sum(row.cells[i] == "omitted" for row in shared + unique))
        for i in range(len(outlets))
    ]
    text_of = {row.fact_id: row.text for row in shared + unique}
    disagreements = []
    for item in coverage.get("disagreements") or []:
        fact = str(item.get("fact", ""))
        values = [(str(outlet), str(value)) for outlet, value in (item.get("values") or {}).items()]
        disagreements.append((text_of.get(fact, fact), values))
    return Coverage(outlets, shared, unique, counts, disagreements)
