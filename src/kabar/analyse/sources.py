"""Upstream sources an article credits ("dilansir dari AFP", "pertama kali dilaporkan oleh The New York Times").

A credit is a cue phrase (``source_cues.txt``) followed, after at most a few filler words ("kantor
berita", "media terkemuka AS,"), by the name of a news medium known to ``media_sources.tsv``; lists
("New York Times dan Associated Press") give one credit per name. Only media count: "menurut laporan
Pentagon" credits no medium. Names are canonical (NYT → The New York Times, AP → Associated Press).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kabar import lang
from kabar.analyse.gazetteer import Gazetteer, gazetteer

NAME_TOKEN_RE = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?(?:\.(?:com|co\.id|co|id|net|org)\b)?|,|\.(?=\s|$|[A-Z])", re.UNICODE)
MAX_FILLERS = 5
MAX_NAME_TOKENS = 4
LIST_JOINERS = frozenset({"dan", "serta", "and", ","})


@dataclass(slots=True)
class Credit:
    """One medium credited by one article."""

    name: str
    first_report: bool
    start: int


@cache
def _cue_re(language: str) -> re.Pattern[str]:
    cues = sorted((p.pattern for p in lang.patterns(language, "source_cues.txt")), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(cues) + r")\b", re.IGNORECASE)


def credits(text: str, language: str = "id") -> list[Credit]:
    """Media an article's text credits, in order, each once (the first-report flag kept if any credit has it)."""
    gaz = gazetteer(language)
    fillers = lang.words(language, "source_fillers.txt")
    first_cues = lang.patterns(language, "first_report_cues.txt")
    found: dict[str, Credit] = {}
    for cue in _cue_re(language).finditer(text):
        first = any(p.search(cue.group()) for p in first_cues)
        tokens = list(NAME_TOKEN_RE.finditer(text, cue.end(), min(len(text), cue.end() + 160)))
        i, skipped = 0, 0
        while i < len(tokens) and tokens[i].group() != ".":
            k, name = _medium_at(gaz, text, tokens, i)
            if name:
                credit = found.setdefault(name, Credit(name, first, tokens[i].start()))
                credit.first_report = credit.first_report or first
                i += k
                if i < len(tokens) and tokens[i].group().lower() in LIST_JOINERS:
                    i += 1
                    continue
                break
            if tokens[i].group().lower() in fillers or tokens[i].group() == ",":
                skipped += 1
                if skipped > MAX_FILLERS:
                    break
                i += 1
                continue
            break
    return sorted(found.values(), key=lambda c: c.start)


def _medium_at(gaz: Gazetteer, text: str, tokens: list[re.Match[str]], i: int) -> tuple[int, str | None]:
    for k in range(min(MAX_NAME_TOKENS, len(tokens) - i), 0, -1):
        surface = text[tokens[i].start() : tokens[i + k - 1].end()]
        name = gaz.medium(surface.rstrip("."))
        if name:
            return k, name
    return 0, None
