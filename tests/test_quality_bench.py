"""How bench/quality.py orders the stream it feeds the clusterer."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from quality import stream_rows


def _labelled() -> list[dict]:
    days = ["2019-09-16"] * 6 + ["2019-09-17"] * 6
    return [
        {"id": f"a{n}", "published": day, "title": f"Judul {n}", "text": "Isi berita.", "story": f"s{n % 3}"}
        for n, day in enumerate(days)
    ]


def test_a_shuffle_within_days_keeps_the_days_in_order_and_every_article():
    labelled = _labelled()
    orders = []
    for seed in range(5):
        rows = stream_rows(labelled, None, seed, within_day=True)
        assert [row["published"] for row in rows] == sorted(row["published"] for row in labelled)
        assert sorted(row["id"] for row in rows) == sorted(row["id"] for row in labelled)
        assert all("story" not in row for row in rows)
        orders.append([row["id"] for row in rows])
    assert len({tuple(order) for order in orders}) > 1  # the seeds give different orders within the days


def test_a_plain_shuffle_mixes_the_days():
    labelled = _labelled()
    days = [[row["published"] for row in stream_rows(labelled, None, seed)] for seed in range(5)]
    assert any(order != sorted(order) for order in days)
