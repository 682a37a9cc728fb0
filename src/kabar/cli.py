"""The ``kabar`` command: ingest, list and read stories, and batch-cluster a JSONL file."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from kabar.engine import Kabar
from kabar.model import Article
from kabar.read import read_paths
from kabar.store import SQLiteStore, StoreError, open_store


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _short_date(value: str | None) -> str:
    return value[:10] if value else "?"


MAX_COUNT = 10**12
"""Largest --limit or --offset taken (SQLite counts in 64 bits)."""


def _whole_number(text: str) -> int:
    """An argparse type: a whole number from 0 to MAX_COUNT."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_COUNT:,}: {text}")
    return value


def _open_existing(location: str) -> Kabar:
    """The engine over the store at ``location``, which must exist (a command that only reads never creates one)."""
    if not Path(location).exists():
        raise StoreError(f"no store at {location} (`kabar ingest` creates one; --db names another)")
    return Kabar(open_store(location, create=False))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Ingest files, folders or stdin into the store."""
    with Kabar.open(args.db) as engine:
        report = engine.ingest(args.paths, on_problem=lambda s, m: print(f"kabar: {s}: {m}", file=sys.stderr), progress=True)
        summary = {
            "added": report.added,
            "near_duplicates": report.near_duplicates,
            "duplicates": report.duplicates,
            "skipped": report.skipped,
            "articles": engine.store.count_articles(),
            "stories": len(engine.store.story_rows()),
        }
    if args.json:
        _print_json(summary)
    else:
        print(
            f"added {summary['added']} articles ({summary['near_duplicates']} near-duplicates), "
            f"{summary['duplicates']} already stored, {summary['skipped']} skipped; "
            f"store has {summary['articles']} articles in {summary['stories']} stories"
        )
    return 1 if report.problems else 0


def print_story_list(stories: list[dict[str, Any]]) -> None:
    """Print the story listing as aligned text."""
    for story in stories:
        span = _short_date(story["first_published"])
        if _short_date(story["last_published"]) != span:
            span += f"..{_short_date(story['last_published'])}"
        print(f"[{story['id']:>5}] {story['headline']}")
        counts = f"{_count(story['n_articles'], 'article')}, {_count(story['n_outlets'], 'outlet')}"
        print(f"        {counts} ({', '.join(story['outlets'][:6])}), {span}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def cmd_stories(args: argparse.Namespace) -> int:
    """List stories, newest first."""
    with _open_existing(args.db) as engine:
        stories = engine.stories(limit=args.limit, offset=args.offset)
        if args.min_articles > 1:
            stories = [s for s in stories if s["n_articles"] >= args.min_articles]
    if args.json:
        _print_json(stories)
    else:
        print_story_list(stories)
    return 0


def print_story(story: dict[str, Any]) -> None:
    """Print one story: headline, summary with sources, articles."""
    print(story["headline"])
    outlets = story["outlets"]
    print(
        f"{story['n_articles']} articles ({story['n_unique_articles']} unique) from {len(outlets)} outlets: {', '.join(outlets)}"
    )
    print(f"{_short_date(story['first_published'])} .. {_short_date(story['last_published'])}\n")
    for number, sentence in enumerate(story["sentences"], start=1):
        print(f"{number}. {sentence['text']}\n   [{', '.join(sentence['outlets'])}]")
    print("\nArticles:")
    for article in story["articles"]:
        copy = f" (copy of {article['duplicate_of']})" if article["duplicate_of"] else ""
        print(f"  {_short_date(article['published_at'])}  {article['outlet']:<22} {article['title']}{copy}")


def print_why(why: dict[str, Any]) -> None:
    """Print why each article is in its story: the clusterer's top evidence, and the merges."""
    for article in why["articles"]:
        evidence = article["evidence"] or {}
        print(f"{_short_date(article['published_at'])}  {article['outlet']:<22} {article['title']}")
        if "duplicate_of" in evidence:
            shared = f"shares {evidence.get('shared')} of its text, Jaccard {evidence.get('jaccard')}"
            reason = f"copy of {evidence['duplicate_of']} ({shared})"
        elif "score" in evidence:
            names = ", ".join(evidence.get("shared_names", [])) or "-"
            gap = "no date" if evidence.get("gap_days") is None else f"gap {evidence['gap_days']} days"
            joined = f"re-opened the story after {evidence['gap_days']} quiet days" if evidence.get("reopened") else "joined"
            reason = (
                f"{joined}: score {evidence['score']}, cosine {evidence.get('cosine')}, "
                f"title cosine {evidence.get('title_cosine')}, {gap}, shared names: {names}"
            )
        else:
            best = ""
            if "best_other" in evidence:
                best = f" (best other: story {evidence['best_other']}, score {evidence['best_score']})"
            reason = "opened the story" + best
        if "settled" in evidence:
            when = "when settling" if evidence["settled"] is True else "until the next settle"
            reason = f"moved here {when}: {reason}"
        if "provisional_merge_from" in evidence:
            score = (evidence.get("merge") or {}).get("merge_score")
            reason += f"; shown here from story {evidence['provisional_merge_from']} until the next ingest (merge score {score})"
        print(f"    {reason}")
    for merge in why["merges"]:
        print(f"merged story {merge['from']} into {merge['into']}: {json.dumps(merge['reason'], ensure_ascii=False)}")


def _story_or_merged(engine: Kabar, story_id: str) -> tuple[str, dict[str, Any] | None]:
    """A story by id, or the story it was merged into (said on stderr): (the id shown, the story or None)."""
    story = engine.story(story_id)
    merged = engine.merged_into(story_id) if story is None else None
    if merged is None:
        return story_id, story
    print(f"kabar: story {story_id} was merged into story {merged}; showing story {merged}", file=sys.stderr)
    return merged, engine.story(merged)


def cmd_story(args: argparse.Namespace) -> int:
    """Show one story (with --why: the evidence behind each article's assignment)."""
    with _open_existing(args.db) as engine:
        story_id, story = _story_or_merged(engine, args.id)
        why = engine.why(story_id) if story is not None and args.why else None
    if story is None:
        print(f"kabar: no story with id {args.id}", file=sys.stderr)
        return 2
    if why is not None:
        _print_json(why) if args.json else print_why(why)
        return 0
    if args.json:
        _print_json(story)
    else:
        print_story(story)
    return 0


def cmd_cluster(args: argparse.Namespace) -> int:
    """Cluster a JSONL file in a throw-away store; write {"id", "story"} per input article in input order (a record
    without an id is named by its source, ``file:line``).

    Story ids are read back after the whole file is in, so articles of stories merged later carry the merged id.
    """
    with tempfile.TemporaryDirectory() as folder, open(args.out, "w", encoding="utf-8") as out:
        engine = Kabar(SQLiteStore(str(Path(folder) / "cluster.db")))
        problems: list[str] = []

        def problem(source: str, message: str) -> None:
            problems.append(source)
            print(f"kabar: {source}: {message}", file=sys.stderr)

        documents = read_paths([args.input], problem)
        placed = [(o.input_id or o.source, o.article_id) for o in engine.ingest_documents(documents, problem)]
        for input_id, article_id in placed:
            article = engine.store.article(article_id) if article_id else None
            out.write(json.dumps({"id": input_id, "story": article.story_id if article else None}) + "\n")
        engine.close()
    return 1 if problems else 0


def cmd_search(args: argparse.Namespace) -> int:
    """Search the stored articles: every word of the query in any form, none of the ``-word``s; best first."""
    with _open_existing(args.db) as engine:
        total, hits = engine.search(args.query, args.limit, args.offset)
    if args.json:
        rows = [{**_article_line(article), "snippet": "".join(piece for piece, _ in pieces)} for article, pieces in hits]
        _print_json({"total": total, "articles": rows})
        return 0
    print(f"{total} articles match" if total != 1 else "1 article matches")
    for article, pieces in hits:
        line = _article_line(article)
        print(f"  {_short_date(line['published_at'])}  {line['outlet']:<22} {line['title']}  [story {line['story_id']}]")
        print("      " + " ".join("".join(f"[{piece}]" if hit else piece for piece, hit in pieces).split()))
    return 0


def _article_line(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published_at": article.published_at,
        "story_id": article.story_id,
    }


def cmd_recluster(args: argparse.Namespace) -> int:
    """Rebuild all stories from the stored articles."""
    with _open_existing(args.db) as engine:
        count = engine.recluster()
    print(f"reclustered into {count} stories")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export analysed stories (one, or all) as Markdown, JSON, JSONL or Parquet."""
    from kabar import export

    if args.format == "parquet" and not args.out:
        print("kabar: --format parquet needs --out PATH", file=sys.stderr)
        return 2
    with _open_existing(args.db) as engine:
        if args.story is not None:
            stories = [_story_or_merged(engine, args.story)[1]]
        else:
            stories = [engine.story(row["id"]) for row in engine.stories(limit=None)]
    if args.story is not None and stories[0] is None:
        print(f"kabar: no story with id {args.story}", file=sys.stderr)
        return 2
    if args.format == "parquet":
        export.write_parquet(stories, args.out)
        return 0
    writer = {"markdown": export.write_markdown, "json": export.write_json, "jsonl": export.write_jsonl}[args.format]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            writer(stories, out)
    else:
        writer(stories, sys.stdout)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the REST API and the web pages over the store."""
    import uvicorn

    from kabar.web import ServeOptions, create_app

    engine = Kabar.open(args.db)
    app = create_app(engine, ServeOptions(api_token=args.api_token or None))
    ingest = "on" if args.api_token else "off"
    print(f"kabar: serving {args.db} at http://{args.host}:{args.port}/ (ingest over HTTP {ingest})", file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        engine.close()
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract articles without storing them (one JSON object per line with --json)."""
    from kabar.extract.command import run_extract

    return run_extract(args.paths, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kabar`` command."""
    parser = argparse.ArgumentParser(prog="kabar", description="kabar: a news story engine, Indonesian first.")
    parser.add_argument("--db", default="kabar.db", help="store file (default: ./kabar.db)")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="ingest text, HTML, JSONL, RSS/Atom or WARC files, folders, or - for stdin")
    ingest.add_argument("paths", nargs="+")
    ingest.set_defaults(run=cmd_ingest)

    stories = commands.add_parser("stories", help="list stories, newest first")
    stories.add_argument("--limit", type=_whole_number, default=20)
    stories.add_argument("--offset", type=_whole_number, default=0)
    stories.add_argument("--min-articles", type=_whole_number, default=1, help="only stories with at least this many articles")
    stories.set_defaults(run=cmd_stories)

    story = commands.add_parser("story", help="show one story")
    story.add_argument("id")
    story.add_argument("--why", action="store_true", help="show the evidence behind each article's assignment")
    story.set_defaults(run=cmd_story)

    cluster = commands.add_parser("cluster", help="cluster a JSONL file in memory and write story ids")
    cluster.add_argument("input")
    cluster.add_argument("--out", required=True)
    cluster.set_defaults(run=cmd_cluster)

    search = commands.add_parser("search", help="search stored articles (every word; -word or NOT word excludes)")
    search.add_argument("query")
    search.add_argument("--limit", type=_whole_number, default=20)
    search.add_argument("--offset", type=_whole_number, default=0)
    search.set_defaults(run=cmd_search)

    recluster = commands.add_parser("recluster", help="rebuild all stories from stored articles")
    recluster.set_defaults(run=cmd_recluster)

    export = commands.add_parser("export", help="export analysed stories as markdown, json, jsonl or parquet")
    export.add_argument("--format", choices=("markdown", "json", "jsonl", "parquet"), default="markdown")
    export.add_argument("--story", help="only this story id (default: every story)")
    export.add_argument("--out", help="output file (default: standard output; required for parquet)")
    export.add_argument("--db", default=argparse.SUPPRESS, help="store file (default: ./kabar.db)")
    export.set_defaults(run=cmd_export)

    extract = commands.add_parser("extract", help="extract articles from files without storing: check extraction")
    extract.add_argument("paths", nargs="+")
    extract.set_defaults(run=cmd_extract)

    serve = commands.add_parser("serve", help="serve the REST API and web pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    token_help = "enable POST /articles, requiring this bearer token (default: $KABAR_API_TOKEN)"
    serve.add_argument("--api-token", default=os.environ.get("KABAR_API_TOKEN"), help=token_help)
    serve.set_defaults(run=cmd_serve)

    for sub in (ingest, stories, story, search, recluster, serve, extract):
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_argument("--db", default=argparse.SUPPRESS, help="store file (default: ./kabar.db)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kabar`` command."""
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return args.run(args)
    except StoreError as error:
        print(f"kabar: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a reader that stopped early (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # an output file that cannot be written, a store folder that cannot be made
        print(f"kabar: {error.filename}: {error.strerror}" if error.filename else f"kabar: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl-C: the open batch is rolled back and the worker processes stop."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
