"""Floors on the hand-checked gold set (tests/data/analysis_gold): a drop in quality fails the suite.

Scoring is bench/analysis.py's; the floors are the issue's targets (precision 0.9, recall 0.8).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from analysis import score  # noqa: E402

FLOORS = {"quotes": (0.9, 0.8), "cited sources": (0.9, 0.8), "entities (name+type)": (0.9, 0.8)}


@pytest.fixture(scope="module")
def scores() -> dict[str, tuple[float, float]]:
    """Precision and recall per task on the gold set."""
    return {name: (s.precision, s.recall) for name, s in score(REPO / "tests/data/analysis_gold").items()}


@pytest.mark.parametrize("task", sorted(FLOORS))
def test_precision_and_recall_meet_the_floor(scores: dict[str, tuple[float, float]], task: str) -> None:
    precision, recall = scores[task]
    assert precision >= FLOORS[task][0], f"{task} precision {precision:.3f}"
    assert recall >= FLOORS[task][1], f"{task} recall {recall:.3f}"
