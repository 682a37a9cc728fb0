"""Exports of analysed stories: JSON, JSONL, Parquet and a readable Markdown report per story.

Every format carries the story data of docs/story-schema.md. Parquet has one row per story: the
scalar fields as columns, the outlets and summary sentences as string lists, and the whole story
as JSON in the ``data`` column (nested per-outlet maps do not fit a fixed column type).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

FORMATS = ("markdown", "json", "jsonl", "parquet")
TOP_ENTITIES = 15
MAX_FACTS_PER_OUTLET = 5


def write_json(stories: Iterable[dict[str, Any]], out: TextIO) -> None:
    """All stories as one JSON array."""
    json.dump(list(stories), out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_jsonl(stories: Iterable[dict[str, Any]], out: TextIO) -> None:
    """One story per line."""
    for story in stories:
        out.write(json.dumps(story, ensure_ascii=False) + "\n")


def write_parquet(stories: Iterable[dict[str, Any]], path: str | Path) -> None:
    """One row per story: scalar fields, outlet and summary lists, and the full story as JSON in ``data``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {
            "id": s["id"],
            "headline": s["headline"],
            "n_articles": s["n_articles"],
            "n_unique_articles": s["n_unique_articles"],
            "outlets": s["outlets"],
            "first_published": s["first_published"],
            "last_published": s["last_published"],
            "first_reported_by": s.get("first_reported_by"),
            "summary": [sentence["text"] for sentence in s["sentences"]],
            "cited_sources": [c["name"] for c in s.get("cited_sources", [])],
            "data": json.dumps(s, ensure_ascii=False),
        }
        for s in stories
    ]
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("headline", pa.string()),
            ("n_articles", pa.int64()),
            ("n_unique_articles", pa.int64()),
            ("outlets", pa.list_(pa.string())),
            ("first_published", pa.string()),
            ("last_published", pa.string()),
            ("first_reported_by", pa.string()),
            ("summary", pa.list_(pa.string())),
            ("cited_sources", pa.list_(pa.string())),
            ("data", pa.string()),
        ]
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), str(path))


def _outlets(outlets: list[str]) -> str:
    return ", ".join(outlets)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def story_markdown(story: dict[str, Any]) -> str:
    """A readable report of one story: summary with footnoted sources, timeline, quotes, sources, coverage."""
    footnotes = {outlet: number for number, outlet in enumerate(story["outlets"], start=1)}
    lines = [f"# {story['headline']}", ""]
    span = f"{(story['first_published'] or '?')[:10]} – {(story['last_published'] or '?')[:10]}"
    lines += [
        f"Story {story['id']}: {story['n_articles']} articles ({story['n_unique_articles']} unique) "
        f"from {len(story['outlets'])} outlets, {span}.",
        "",
    ]
    lines += ["## Summary", ""]
    for sentence in story["sentences"]:
        marks = "".join(f"[^{footnotes[o]}]" for o in sentence["outlets"] if o in footnotes)
        lines.append(f"- {sentence['text']}{marks}")
    lines.append("")
    if story.get("timeline"):
        lines += ["## Timeline", ""]
        for event in story["timeline"]:
            when = event["date"] if event["precision"] == "day" else event["date"][:7]
            lines.append(f"- **{when}** — {event['text']} _({_outlets(event['outlets'])})_")
        lines.append("")
    lines += ["## Publications", "", "| published | outlet | title |", "|---|---|---|"]
    for article in story["articles"]:
        copy = f" (copy of {article['duplicate_of']})" if article["duplicate_of"] else ""
        lines.append(
            f"| {(article['published_at'] or '?')[:16]} | {_cell(article['outlet'])} | {_cell(article['title'])}{copy} |"
        )
    lines.append("")
    if story.get("quotes"):
        lines += ["## Quotes", ""]
        for quote in story["quotes"]:
            role = f", {quote['role']}" if quote.get("role") else ""
            text = f"“{quote['text']}”" if quote["direct"] else f"(reported) {quote['text']}"
            lines.append(f"- **{quote['speaker']}**{role}: {text} _({_outlets(quote['outlets'])})_")
        lines.append("")
    if story.get("cited_sources"):
        lines += ["## Cited sources", ""]
        for source in story["cited_sources"]:
            first = " — first reported the story" if source["name"] == story.get("first_reported_by") else ""
            lines.append(f"- **{source['name']}**{first}: cited by {_outlets(source['outlets'])}")
        lines.append("")
    if story.get("entities"):
        lines += ["## Who and where", "", "| name | type | mentions | roles |", "|---|---|---|---|"]
        for entity in story["entities"][:TOP_ENTITIES]:
            lines.append(
                f"| {_cell(entity['name'])} | {entity['type']} | {sum(entity['mentions'].values())} "
                f"| {_cell('; '.join(entity['roles']))} |"
            )
        lines.append("")
    lines += _coverage_markdown(story)
    lines += ["## Sources", ""]
    for outlet, number in footnotes.items():
        titles = "; ".join(
            f"[{a['title']}]({a['url']})" if a["url"] else a["title"] for a in story["articles"] if a["outlet"] == outlet
        )
        lines.append(f"[^{number}]: {outlet}: {titles}")
    return "\n".join(lines) + "\n"


def _coverage_markdown(story: dict[str, Any]) -> list[str]:
    coverage = story.get("coverage")
    if not coverage or len(story["outlets"]) < 2:
        return []
    facts = {f["id"]: f for f in coverage["facts"]}
    lines = ["## Coverage", "", "| outlet | facts reported | only this outlet | main facts omitted |", "|---|---|---|---|"]
    for outlet, entry in coverage["by_outlet"].items():
        reported = sum(outlet in f["outlets"] for f in coverage["facts"])
        lines.append(f"| {_cell(outlet)} | {reported} | {len(entry['unique'])} | {len(entry['omitted'])} |")
    lines.append("")
    for outlet, entry in coverage["by_outlet"].items():
        if entry["unique"]:
            lines.append(f"Only in {outlet}:")
            lines += [f"- {facts[i]['text']}" for i in entry["unique"][:MAX_FACTS_PER_OUTLET]]
            more = len(entry["unique"]) - MAX_FACTS_PER_OUTLET
            lines += [f"- … and {more} more"] if more > 0 else []
            lines.append("")
    if coverage["disagreements"]:
        lines += ["Outlets disagree:", ""]
        for flag in coverage["disagreements"]:
            values = "; ".join(f"{outlet}: {value}" for outlet, value in flag["values"].items())
            lines.append(f"- {facts[flag['fact']]['text']} — {values}")
        lines.append("")
    return lines


def write_markdown(stories: Iterable[dict[str, Any]], out: TextIO) -> None:
    """Reports of all stories, separated by rules."""
    for number, story in enumerate(stories):
        if number:
            out.write("\n---\n\n")
        out.write(story_markdown(story))
