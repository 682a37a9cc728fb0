"""Story clustering quality on a labelled JSONL set: B-cubed P/R/F1, pairwise F1, NMI.

Runs ``kabar cluster`` on a copy of the set with the ``story`` labels stripped, then scores the output.

    python bench/quality.py ../shared/eval/ecbplus/dev.jsonl --shuffle-seed 13
    python bench/quality.py ../shared/eval/ecbplus/dev.jsonl --shuffle-seed $(seq 100 119)   # mean of 20 shuffles
    python bench/quality.py ../shared/eval/clickid-dev/articles.jsonl --stream-extra ../shared/data/clickid/articles.jsonl

``--stream-extra`` streams every article of that file published on the labelled set's days (in that
file's order, labelled ones included once) and scores only the labelled ids: how kabar runs for real.
``--late FRACTION`` holds back that share of the stream (chosen with ``--late-seed``) and feeds it after
the rest, as a crawl backfill would: whether late articles still land in their stories.

    python bench/quality.py ../shared/eval/clickid-dev/articles.jsonl --late 0.2 --late-seed 1 2 3

``--one-day`` gives every article the same publication time (ONE_DAY): a stress test of telling apart events of
one topic that happen on the same day (two matches of one evening, two earthquakes), and of leaning on dates. In
ECB+ the dates are an artifact: one event of each topic is almost all undated, the other mostly dated.

    python bench/quality.py ../shared/eval/ecbplus/dev.jsonl --one-day --shuffle-seed $(seq 100 119)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kabar.metrics import bcubed, nmi, pairwise


def load(path: str) -> list[dict]:
    """Rows of a JSONL file."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ONE_DAY = "2009-01-01T12:00:00+00:00"
"""The publication time every article gets with ``--one-day``."""


def stream_rows(
    labelled: list[dict],
    extra_path: str | None,
    shuffle_seed: int | None,
    late: float = 0.0,
    late_seed: int | None = None,
    one_day: bool = False,
    within_day: bool = False,
) -> list[dict]:
    """The articles to feed the clusterer, labels stripped (a ``late`` share of them moved to the end, in order; with
    ``one_day`` all published at ONE_DAY). With ``within_day`` a shuffle keeps the days in order and shuffles each day's
    articles: the order of a stream whose articles carry a date but no time of day."""
    rows = [{k: v for k, v in row.items() if k != "story"} for row in labelled]
    if extra_path:
        days = {row.get("published", "")[:10] for row in labelled}
        by_id = {row["id"]: row for row in rows}
        extra = [row for row in load(extra_path) if str(row.get("published", ""))[:10] in days]
        rows = [by_id.pop(row["id"], row) for row in extra] + list(by_id.values())
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(rows)
        if within_day:
            rows.sort(key=lambda row: str(row.get("published") or "")[:10])
    if late:
        held = set(random.Random(late_seed).sample(range(len(rows)), round(late * len(rows))))
        rows = [row for i, row in enumerate(rows) if i not in held] + [row for i, row in enumerate(rows) if i in held]
    if one_day:
        rows = [{**row, "published": ONE_DAY} for row in rows]
    return rows


def cluster(rows: list[dict]) -> tuple[dict[str, str], float]:
    """Run ``kabar cluster`` on rows (labels already stripped): predicted story by id, and seconds taken."""
    with tempfile.TemporaryDirectory() as folder:
        stripped, out = Path(folder) / "input.jsonl", Path(folder) / "out.jsonl"
        stripped.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kabar", "cluster", str(stripped), "--out", str(out)], check=False)
        elapsed = time.perf_counter() - started
        # an article kabar skipped has no story: scored as a story of its own, not lumped with the other skipped ones
        return {row["id"]: str(row["story"]) for row in load(str(out)) if row["story"] is not None}, elapsed


def main() -> int:
    """Cluster a labelled set with ``kabar cluster`` and print the scores (per shuffle, and their mean)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", help="JSONL with a story field")
    parser.add_argument(
        "--shuffle-seed", type=int, nargs="+", default=None, help="shuffle the stream with this seed (several: one run each)"
    )
    parser.add_argument("--stream-extra", default=None, help="JSONL of unlabelled articles to stream in (same days)")
    parser.add_argument("--late", type=float, default=0.0, help="share of the stream fed last, as a backfill")
    parser.add_argument("--late-seed", type=int, nargs="+", default=None, help="which articles come late (several: one run each)")
    parser.add_argument("--one-day", action="store_true", help="publish every article at the same time (a stress test)")
    parser.add_argument(
        "--within-day", action="store_true", help="with --shuffle-seed, keep the days in order and shuffle within each day"
    )
    args = parser.parse_args()
    if args.within_day and not args.shuffle_seed:
        parser.error("--within-day shuffles within days: give --shuffle-seed too")

    labelled = load(args.labelled)
    gold = {str(row["id"]): str(row["story"]) for row in labelled}
    name = Path(args.labelled).parent.name + "/" + Path(args.labelled).name
    scores = []
    runs = [(seed, None) for seed in args.shuffle_seed or [None]]
    if args.late:
        runs = [(seed, late_seed) for seed, _ in runs for late_seed in args.late_seed or [0]]
    for seed, late_seed in runs:
        rows = stream_rows(labelled, args.stream_extra, seed, args.late, late_seed, args.one_day, args.within_day)
        predicted, elapsed = cluster(rows)
        precision, recall, f1 = bcubed(gold, predicted)
        _, _, pair_f1 = pairwise(gold, predicted)
        mode = f" shuffle={seed}{' within days' if args.within_day else ''}" if seed is not None else ""
        mode += f" streamed={len(rows)}" if args.stream_extra else ""
        mode += f" late={args.late} late-seed={late_seed}" if args.late else ""
        mode += " one-day" if args.one_day else ""
        print(
            f"{name}{mode}: {len(gold)} labelled articles, {len(set(gold.values()))} gold stories, "
            f"{len({predicted.get(i) for i in gold})} predicted; {elapsed:.1f}s"
        )
        print(
            f"B-cubed P {precision:.4f} R {recall:.4f} F1 {f1:.4f} | pairwise F1 {pair_f1:.4f} | NMI {nmi(gold, predicted):.4f}"
        )
        scores.append(f1)
    if len(scores) > 1:
        print(
            f"B-cubed F1 over {len(scores)} runs: mean {statistics.mean(scores):.4f}, "
            f"min {min(scores):.4f}, max {max(scores):.4f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
