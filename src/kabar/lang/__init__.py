"""Language knowledge loaded from data files under ``kabar/lang/<code>/``.

Every file is plain UTF-8 text: one entry per line, ``#`` starts a comment, blank lines are ignored.
Tab-separated files give one record per line. Adding a language is adding a folder of files.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LANG_DIR = Path(__file__).parent


def _lines(language: str, name: str) -> list[str]:
    path = LANG_DIR / language / name
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            rows.append(line.rstrip("\n"))
    return rows


@cache
def words(language: str, name: str) -> frozenset[str]:
    """A lower-cased word set, e.g. ``words("id", "stopwords.txt")``."""
    return frozenset(line.strip().lower() for line in _lines(language, name))


@cache
def table(language: str, name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated data file, each a tuple of stripped fields."""
    return tuple(tuple(field.strip() for field in line.split("\t")) for line in _lines(language, name))


@cache
def patterns(language: str, name: str) -> tuple[re.Pattern[str], ...]:
    """Compiled case-insensitive regular expressions, one per line of the file."""
    return tuple(re.compile(line.strip(), re.IGNORECASE) for line in _lines(language, name))


def all_languages() -> list[str]:
    """Language codes that have a data folder."""
    return sorted(p.name for p in LANG_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
