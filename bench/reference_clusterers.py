"""Reference clusterers on a labelled JSONL set, to put bench/quality.py's scores in context.

    python bench/reference_clusterers.py ../shared/eval/ecbplus/dev.jsonl --tune ../shared/eval/ecbplus/train.jsonl

Prints B-cubed P/R/F1 of batch clusterers over TF-IDF vectors of title and text (kabar's stemmed terms,
sublinear term frequency, IDF from the set itself), all reading every article at once:

- k-means told the true number of stories (the issue's anchor: 0.968 on ECB+ test), over several seeds;
- agglomerative clustering (average and complete linkage, cosine distance) cut at the distance threshold
  that does best on the ``--tune`` set, so it needs no number of stories: a fair batch baseline.

kabar's online clusterer sees one article at a time and is never told the number of stories.
"""

from __future__ import annotations

import argparse
import json
import statistics

import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

from kabar.metrics import bcubed
from kabar.textproc import terms

SEEDS = 20
THRESHOLDS = [round(t, 2) for t in np.arange(0.3, 1.0, 0.05)]


def load(path: str) -> tuple[list[str], list[str], dict[str, str]]:
    """Ids, documents (stemmed terms joined by spaces) and gold stories of a labelled set."""
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    documents = [" ".join(terms(f"{r.get('title') or ''} {r.get('text') or ''}", r.get("lang") or "id")) for r in rows]
    return [str(r["id"]) for r in rows], documents, {str(r["id"]): str(r["story"]) for r in rows}


def tfidf(documents: list[str]) -> np.ndarray:
    """Dense unit TF-IDF rows (sublinear term frequency)."""
    return TfidfVectorizer(sublinear_tf=True).fit_transform(documents).toarray()


def score(ids: list[str], labels: np.ndarray, gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of cluster labels."""
    return bcubed(gold, {i: str(label) for i, label in zip(ids, labels, strict=True)})


def agglomerative(vectors: np.ndarray, linkage: str, threshold: float) -> np.ndarray:
    """Cluster labels of agglomerative clustering cut at a cosine distance."""
    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage=linkage, distance_threshold=threshold)
    return model.fit_predict(vectors)


def main() -> None:
    """Print the reference clusterers' scores on a labelled set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labelled", help="labelled JSONL set to score (id, title, text, story)")
    parser.add_argument("--tune", required=True, help="labelled JSONL set the agglomerative thresholds are chosen on")
    args = parser.parse_args()
    ids, documents, gold = load(args.labelled)
    vectors = tfidf(documents)
    stories = len(set(gold.values()))
    runs = [score(ids, KMeans(stories, n_init=10, random_state=seed).fit_predict(vectors), gold) for seed in range(SEEDS)]
    f1 = [run[2] for run in runs]
    print(f"{len(ids)} articles, {stories} stories")
    print(
        f"k-means told k={stories}, {SEEDS} seeds: P {statistics.mean(r[0] for r in runs):.3f} "
        f"R {statistics.mean(r[1] for r in runs):.3f} F1 {statistics.mean(f1):.3f} (min {min(f1):.3f}, max {max(f1):.3f})"
    )
    tune_ids, tune_documents, tune_gold = load(args.tune)
    tune_vectors = tfidf(tune_documents)
    for linkage in ("average", "complete"):
        _, threshold = max((score(tune_ids, agglomerative(tune_vectors, linkage, t), tune_gold)[2], t) for t in THRESHOLDS)
        p, r, f = score(ids, agglomerative(vectors, linkage, threshold), gold)
        print(f"agglomerative, {linkage} linkage, cut at {threshold} (best on --tune): P {p:.3f} R {r:.3f} F1 {f:.3f}")


if __name__ == "__main__":
    main()
