"""End-to-end ingest speed (read → extract → dedup → cluster → store) and peak memory.

    python bench/throughput.py ../shared/data/clickid/articles.jsonl --sizes 1000 10000 all
    python bench/throughput.py ../shared/data/clickid/articles.jsonl --stream 200000

Each size runs in a fresh process on a fresh store (so peak RSS is that run's). ``--stream N`` builds
an N-article stream from the corpus repeated with light edits in every round (every fifth word dropped, a
tagline added) and, after the first round, new ids and dates shifted by 30 days per round; it ingests the
stream and compares the time of the last 10k articles with the first 10k: the cost per article must not
grow with the stream. It also prints the time the same corpus articles took in the first and second
rounds (to the nearest 1,000): the corpus is not uniform (its second 10k cost about 1.4x its first even in
the first round), so that comparison isolates growth; the second round is the fairer baseline (see
``growth``). ``--breakdown`` also prints where the ingest process spent its time (the store's article
reads and writes, saving the stages' state, weighing articles for the clusterer, near-duplicate lookup,
waiting for the clusterer's decisions, and the rest: results from the workers, taking documents in,
commits, learning furniture, the loop itself) and where the clustering process did (clustering, pickling
its changes for the store, previews, and the rest: messages in and out, waiting for them).
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WINDOW = 10_000
MARK_EVERY = 1000
EDIT_EVERY = 5


def rows(path: str, limit: int | None) -> list[str]:
    """The first ``limit`` lines of a JSONL file (all when None)."""
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip()]
    return lines if limit is None else lines[:limit]


def edited_stream(path: str, total: int) -> Iterator[str]:
    """The corpus repeated until ``total`` lines: each round after the first shifts dates by 30 days, and every
    round edits every text.

    Every fifth word is dropped: the words of the story stay (so clustering works as on fresh news) while
    almost every five-word shingle breaks, so repeats are not near-duplicates and take the full path. The
    first round is edited too, so every round is the same kind of text.
    """
    lines = rows(path, None)
    produced, round_number = 0, 0
    while produced < total:
        for line in lines:
            if produced >= total:
                return
            row = json.loads(line)
            if round_number:
                row["id"] = f"{row['id']}-r{round_number}"
                if row.get("published"):
                    shifted = date.fromisoformat(str(row["published"])[:10]) + timedelta(days=30 * round_number)
                    row["published"] = shifted.isoformat()
            words = str(row.get("text", "")).split()
            kept = [w for i, w in enumerate(words) if (i + round_number) % EDIT_EVERY]
            row["text"] = " ".join(kept) + f" (Edisi {round_number + 1})"
            row["title"] = f"{row.get('title', '')} ({round_number + 1})"
            produced += 1
            yield json.dumps(row, ensure_ascii=False) + "\n"
        round_number += 1


BREAKDOWN = {
    "store": [
        ("kabar.store.sqlite", "SQLiteStore", name)
        for name in ("add_article", "move_article", "record_merge", "find_article_id", "article", "link_source")
    ],
    "saving state": [("kabar.engine", "Kabar", "_save_state")],
    "weighing": [("kabar.features", "StreamWeights", "observe")],
    "near-duplicates": [("kabar.dedup", "NearDuplicateIndex", "find_original"), ("kabar.dedup", "NearDuplicateIndex", "add")],
    "waiting for the clusterer": [("kabar.clustering", "ClusteringProcess", "_wait")],
}
"""Parts of the ingest process's work timed by ``--breakdown``: (module, class or module in it, function) each."""
CLUSTERER_BREAKDOWN = {
    "clustering": [("kabar.cluster", "StoryClusterer", "assign_weighed")],
    "pickling state": [("kabar", "clustering", "pickled_changes")],
    "previews": [("kabar.cluster", "StoryClusterer", "preview")],
}
"""Parts of the clustering process's work timed by ``--breakdown`` (the rest: messages in and out, waiting for them)."""


def time_parts(spent: dict[str, float], breakdown: dict[str, list[tuple[str, str, str]]]) -> None:
    """Wrap the methods of ``breakdown`` so that the seconds spent in each part add up in ``spent``."""
    for part, methods in breakdown.items():
        spent[part] = 0.0
        for module, owner, name in methods:
            cls = getattr(importlib.import_module(module), owner)
            original = getattr(cls, name)

            def timed(*args: Any, _original: Callable[..., Any] = original, _part: str = part, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    spent[_part] += time.perf_counter() - started

            setattr(cls, name, timed)


def time_clustering_process(report: Path) -> None:
    """Time the CLUSTERER_BREAKDOWN parts in the clustering process, which writes them to ``report`` when it stops."""
    import kabar.clustering

    serve = kabar.clustering._serve

    def timed_serve(*args: Any) -> None:
        spent: dict[str, float] = {}
        time_parts(spent, CLUSTERER_BREAKDOWN)
        started = time.perf_counter()
        serve(*args)
        spent["process"] = time.perf_counter() - started
        report.write_text(json.dumps(spent))

    kabar.clustering._serve = timed_serve


def run_one(input_path: str, marks: bool, breakdown: bool = False) -> dict:
    """Ingest one JSONL file into a fresh store in this process; timings and peak RSS (and the parts' seconds)."""
    from kabar.engine import Kabar
    from kabar.read import read_paths
    from kabar.store import SQLiteStore

    spent: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        clusterer_report = Path(folder) / "clustering-process.json"
        if breakdown:
            time_parts(spent, BREAKDOWN)
            time_clustering_process(clusterer_report)
        engine = Kabar(SQLiteStore(str(Path(folder) / "bench.db")))
        cpu_before = _cpu_seconds(resource.RUSAGE_SELF)
        started = time.perf_counter()
        stamps = []
        count = 0
        for _ in engine.ingest_documents(read_paths([input_path], lambda s, m: None), lambda s, m: None):
            count += 1
            if marks and count % MARK_EVERY == 0:
                stamps.append(time.perf_counter() - started)
        elapsed = time.perf_counter() - started
        engine.close()
        own_cpu = _cpu_seconds(resource.RUSAGE_SELF) - cpu_before
        clusterer_spent = json.loads(clusterer_report.read_text()) if clusterer_report.exists() else {}
    return {
        "articles": count,
        "seconds": elapsed,
        "window_stamps": stamps,
        "cpu_seconds": own_cpu,
        "children_cpu_seconds": _cpu_seconds(resource.RUSAGE_CHILDREN),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "parts": spent,
        "clusterer_parts": clusterer_spent,
    }


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def cpu(result: dict) -> str:
    """CPU seconds of the ingest process and of the processes it started (the workers and the clustering process): where
    the time went, by process."""
    own, children = result["cpu_seconds"], result["children_cpu_seconds"]
    if children < 0.5:
        return f"CPU {own:.0f}s"
    return f"CPU {own + children:.0f}s (ingest process {own:.0f}s, workers and clustering process {children:.0f}s)"


def memory(result: dict) -> str:
    """Peak RSS of the ingest process, and of the largest process it started (the clustering process or a worker)."""
    largest = result["worker_peak_rss_mb"]
    children = f" (+ the clustering process and workers, largest {largest:.0f} MB)" if largest else ""
    return f"peak RSS {result['peak_rss_mb']:.0f} MB{children}"


def measure(input_path: str, marks: bool = False, breakdown: bool = False) -> dict:
    """Run one ingest in a fresh Python process."""
    output = subprocess.run(
        [sys.executable, __file__, "--run-one", input_path]
        + (["--marks"] if marks else [])
        + (["--breakdown"] if breakdown else []),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def parts(result: dict) -> str:
    """Seconds per BREAKDOWN part of the ingest process and per CLUSTERER_BREAKDOWN part of the clustering process (when
    there was one), each with the rest, and their shares of the total."""
    if not result["parts"]:
        return ""
    total = result["seconds"]
    lines = [("ingest process", {**result["parts"], "rest": total - sum(result["parts"].values())})]
    clusterer = dict(result["clusterer_parts"])
    if clusterer:
        alive = clusterer.pop("process")
        lines.append(("clustering process", {**clusterer, "messages and waiting": alive - sum(clusterer.values())}))
    return "".join(
        f"\n    {name}: " + ", ".join(f"{part} {seconds:.1f}s ({seconds / total:.0%})" for part, seconds in shares.items())
        for name, shares in lines
    )


def growth(stamps: list[float], corpus_size: int) -> str:
    """The last WINDOW articles' time against the first WINDOW's (the target), and against the same corpus articles in
    the first and second rounds, which tells growth with the stream apart from how costly those articles are anyway.
    The second round is the fairer baseline: the first runs on an empty clusterer (no stories or frequencies of
    earlier rounds), which alone costs about 10% less per round than any later one."""
    seconds = [0.0, *stamps]  # seconds[i]: time when i * MARK_EVERY articles were in
    per_window = WINDOW // MARK_EVERY
    first, last = seconds[per_window], seconds[-1] - seconds[-1 - per_window]
    line = f"first {WINDOW} took {first:.1f}s, last {WINDOW} {last:.1f}s (ratio {last / first:.2f}, target <= 1.5)"
    offset = (len(seconds) - 1 - per_window) * MARK_EVERY % corpus_size
    if offset + WINDOW > corpus_size:
        return line
    for name, round_start in (("first", 0), ("second", corpus_size)):
        start = round((round_start + offset) / MARK_EVERY)
        if start + per_window < len(seconds) - per_window:
            same = seconds[start + per_window] - seconds[start]
            line += f"; the same corpus articles in the {name} round took {same:.1f}s (growth {last / same:.2f})"
    return line


def main() -> int:
    """Print articles/second and peak RSS per size, or the stream growth check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="JSONL articles, e.g. ../shared/data/clickid/articles.jsonl")
    parser.add_argument("--sizes", nargs="*", default=["1000", "10000", "all"], help="article counts, or all")
    parser.add_argument("--stream", type=int, default=None, help="also run an N-article stream growth check")
    parser.add_argument("--breakdown", action="store_true", help="print where the ingest process spent its time")
    parser.add_argument("--run-one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--marks", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one:
        print(json.dumps(run_one(args.corpus, args.marks, args.breakdown)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            path = Path(folder) / f"in-{size}.jsonl"
            path.write_text("".join(rows(args.corpus, None if size == "all" else int(size))), encoding="utf-8")
            result = measure(str(path), breakdown=args.breakdown)
            print(
                f"{result['articles']:>7} articles: {result['articles'] / result['seconds']:7.0f} articles/s "
                f"({result['seconds']:.1f}s), {cpu(result)}, {memory(result)}{parts(result)}",
                flush=True,
            )
        if args.stream:
            path = Path(folder) / "stream.jsonl"
            with open(path, "w", encoding="utf-8") as out:
                out.writelines(edited_stream(args.corpus, args.stream))
            result = measure(str(path), marks=True, breakdown=args.breakdown)
            print(
                f"{result['articles']:>7}-article stream: {result['articles'] / result['seconds']:.0f} articles/s, "
                f"{cpu(result)}, {memory(result)}; {growth(result['window_stamps'], len(rows(args.corpus, None)))}{parts(result)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
