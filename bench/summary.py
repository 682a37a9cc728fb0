"""ROUGE of kabar's summaries against Lead-3 on IndoSum dev (each article a one-article story).

Usage: python bench/summary.py [--data ../shared/data/indosum-dev/indosum_devfolds_unique.jsonl] [--limit N]

Both systems see the same detokenised article text and use kabar's sentence splitter; Lead-3 is the
first three sentences. Scores are F1 averaged over articles (ROUGE-1, ROUGE-2, ROUGE-L; bench/rouge.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from kabar.model import Article
from kabar.summarise import summarise
from kabar.textproc import sentences
from rouge import rouge

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/indosum-dev/indosum_devfolds_unique.jsonl"


def main() -> None:
    """Print mean ROUGE F1 of kabar and Lead-3."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    totals = {
        "kabar": {"rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0},
        "lead-3": {"rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0},
    }
    count = 0
    started = time.perf_counter()
    with args.data.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            article = Article(id=record["id"], title="", text=record["text"], outlet=record["source"], language="id")
            ours = " ".join(s["text"] for s in summarise([article])["sentences"])
            lead = " ".join(sentences(record["text"])[:3])
            for name, candidate in (("kabar", ours), ("lead-3", lead)):
                for metric, value in rouge(candidate, record["summary"]).items():
                    totals[name][metric] += value
            count += 1
            if args.limit and count >= args.limit:
                break
    elapsed = time.perf_counter() - started
    print(f"IndoSum dev: {count} articles, {elapsed:.1f} s")
    for name, scores in totals.items():
        print(f"{name:<7} " + "  ".join(f"{metric.upper()} {100 * value / count:.2f}" for metric, value in scores.items()))


if __name__ == "__main__":
    main()
