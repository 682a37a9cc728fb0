"""The story clusterer's own cost per round of an edited stream: does it grow as the stream goes on?

    python bench/cluster_growth.py ../shared/data/clickid/articles.jsonl --rounds 10

The stream is bench/throughput.py's (the corpus repeated, every round edited, dates shifted 30 days per
round). Each article is extracted and its features computed outside the timer; only
``StoryClusterer.assign`` (with a ``take_changes`` every 1,000 arrivals, as the engine saves state) is
timed, in CPU seconds, and printed per round with the clusterer's memory (stories, index terms,
document frequencies). Equal rounds cost about the same when nothing grows with the stream.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from kabar.cluster import StoryClusterer
from kabar.extract import ExtractionError, extract
from kabar.features import article_features
from kabar.read import record_to_document
from throughput import edited_stream, rows

SAVE_EVERY = 1000


def main() -> int:
    """Print the clusterer's CPU time per round of the stream."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="JSONL articles, e.g. ../shared/data/clickid/articles.jsonl")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of the corpus in the stream")
    args = parser.parse_args()
    corpus_size = len(rows(args.corpus, None))
    clusterer = StoryClusterer()
    spent = 0.0
    for number, line in enumerate(edited_stream(args.corpus, corpus_size * args.rounds), start=1):
        document = record_to_document(json.loads(line), f"stream:{number}")
        try:
            features = article_features(extract(document)) if document else None
        except ExtractionError:
            features = None
        if features is not None:
            started = time.process_time()
            clusterer.assign(str(number), features)
            if clusterer.arrivals % SAVE_EVERY == 0:
                clusterer.take_changes()
            spent += time.process_time() - started
        if number % corpus_size == 0:
            print(
                f"round {number // corpus_size}: clustering {spent:.1f} s CPU; {len(clusterer.stories)} stories in memory, "
                f"{len(clusterer.postings)} index terms, {len(clusterer.weights.document_frequency)} document frequencies",
                flush=True,
            )
            spent = 0.0
    return 0


if __name__ == "__main__":
    sys.exit(main())
