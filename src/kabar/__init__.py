"""kabar: an open, self-hosted news story engine, Indonesian first.

>>> import kabar
>>> k = kabar.open("news.db")
>>> k.ingest(["examples/"])
>>> k.stories()
"""

from __future__ import annotations

from pathlib import Path

from kabar.engine import IngestReport, Kabar
from kabar.model import Article, RawDocument

__version__ = "0.1.0"


def open(location: str | Path = "kabar.db") -> Kabar:
    """Open (or create) a kabar store: an SQLite file path."""
    return Kabar.open(location)


__all__ = ["Article", "IngestReport", "Kabar", "RawDocument", "open"]
