"""Shared fixtures: the bundled sample articles and fresh stores."""

from __future__ import annotations

from pathlib import Path

import pytest

import kabar

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture
def seeds_dir() -> Path:
    """The five seed reports of one event (examples/seeds)."""
    return EXAMPLES / "seeds"


@pytest.fixture
def clickid_examples() -> Path:
    """The bundled CLICK-ID sample (examples/clickid-2019-09-10.jsonl)."""
    return EXAMPLES / "clickid-2019-09-10.jsonl"


@pytest.fixture
def engine(tmp_path: Path):
    """A kabar engine over a fresh SQLite store in a temp folder."""
    with kabar.open(tmp_path / "kabar.db") as instance:
        yield instance
