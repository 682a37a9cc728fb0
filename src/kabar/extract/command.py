"""``kabar extract PATH…``: read and extract without storing, to check extraction or feed a benchmark."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from kabar.extract import ExtractionError, extract
from kabar.model import Article
from kabar.read import read_paths

TEXT_PREVIEW_CHARS = 300


def article_record(article: Article) -> dict[str, Any]:
    """The JSON object ``kabar extract --json`` prints for one article."""
    return {
        "source": article.source,
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "outlet": article.outlet,
        "authors": article.authors,
        "published": article.published_at,
        "crawl_date": article.crawl_date,
        "date_note": article.date_note,
        "language": article.language,
        "url": article.url,
        "furniture": article.furniture,
    }


def _print_readable(article: Article, out: TextIO) -> None:
    print(f"== {article.source}", file=out)
    print(f"title:     {article.title}", file=out)
    authors = ", ".join(article.authors) or "?"
    print(f"outlet:    {article.outlet or '?'}   language: {article.language or '?'}   authors: {authors}", file=out)
    print(f"published: {article.published_at or '?'}   crawled: {article.crawl_date or '?'}", file=out)
    if article.date_note:
        print(f"note:      {article.date_note}", file=out)
    print(f"removed:   {len(article.furniture)} furniture lines", file=out)
    for line in article.furniture:
        print(f"  - {line[:120]}", file=out)
    preview = article.text[:TEXT_PREVIEW_CHARS].replace("\n\n", " ¶ ")
    print(f"text:      {preview}{'…' if len(article.text) > TEXT_PREVIEW_CHARS else ''}\n", file=out)


def run_extract(paths: Iterable[str | Path], as_json: bool = False, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Extract every document under ``paths``; problems go to ``err`` as one line each. Returns the exit status.

    A non-UTF-8 input is noted on ``err`` too, but it is not a problem: it was decoded and extracted.
    """
    out, err = out or sys.stdout, err or sys.stderr
    problems = 0

    def problem(source: str, message: str) -> None:
        nonlocal problems
        problems += 1
        print(f"kabar: {source}: {message}", file=err)

    for document in read_paths(paths, problem):
        if document.hints.get("encoding"):
            print(f"kabar: {document.source}: not UTF-8; decoded as {document.hints['encoding']}", file=err)
        try:
            article = extract(document)
        except ExtractionError as error:
            problem(document.source, str(error))
            continue
        if as_json:
            print(json.dumps(article_record(article), ensure_ascii=False), file=out)
        else:
            _print_readable(article, out)
    return 1 if problems else 0
