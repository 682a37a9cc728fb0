"""Outlet identification: canonical domain from a URL, an outlet hint, or text cues in the body."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

from kabar import lang

MIN_LITERAL_CHARS = 3
ESCAPE_OR_CLASS_RE = re.compile(r"\\.|\[(?:\\.|[^\]])*\]")
LETTER_RUN_RE = re.compile(r"[a-z0-9 ]+")


@cache
def _outlets() -> tuple[tuple[str, str, re.Pattern[str] | None], ...]:
    rows = []
    for row in lang.table("id", "outlets.tsv"):
        cue = re.compile(row[2], re.IGNORECASE | re.MULTILINE) if len(row) > 2 and row[2] else None
        rows.append((row[0], row[1], cue))
    return tuple(rows)


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case literals of which every match of ``pattern`` contains at least one, or None when unsure.

    One literal per top-level alternative: its longest run of letters outside groups, escapes, classes and
    quantified characters. A cheap ``in`` test on them skips most cue regexes (which cost ~1 ms a text).
    """
    literals = []
    for alternative in _top_level_alternatives(pattern):
        runs = [run.strip() for run in LETTER_RUN_RE.findall(_mandatory_text(alternative).lower())]
        best = max(runs, key=len, default="")
        if len(best) < MIN_LITERAL_CHARS:
            return None
        literals.append(best)
    return tuple(literals)


def _top_level_alternatives(pattern: str) -> list[str]:
    parts, depth, start, index = [], 0, 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*parts, pattern[start:]]


def _mandatory_text(alternative: str) -> str:
    """The alternative with groups, escapes, classes and any quantified character blanked out."""
    text = ESCAPE_OR_CLASS_RE.sub("\0", alternative)
    out, depth = [], 0
    for index, char in enumerate(text):
        depth += char == "("
        quantified = index + 1 < len(text) and text[index + 1] in "?*{"
        out.append(char if depth == 0 and not quantified and char not in "()^$.+?*{}" else "\0")
        depth -= char == ")"
    return "".join(out)


@cache
def _cue_literals() -> tuple[tuple[str, ...] | None, ...]:
    return tuple(required_literals(cue.pattern) if cue is not None else None for _domain, _name, cue in _outlets())


HOST_PREFIX_RE = re.compile(r"^(www\d?|m|mobile|amp)\.")


def domain_of(url: str) -> str:
    """The registrable-looking host of a URL without ``www.``/``m.`` and sub-sites of known outlets."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = HOST_PREFIX_RE.sub("", host.lower())
    for domain, _name, _cue in _outlets():
        if host == domain or host.endswith("." + domain):
            return domain
    return host


OUTLET_HINTS_CACHED = 1024
"""Outlet hints remembered with their canonical domain: a source names the same few outlets over and over."""


@lru_cache(maxsize=OUTLET_HINTS_CACHED)
def canonical_outlet(hint: str) -> str:
    """Map an outlet hint ("detik.com", "https://www.kompas.com/", "Tempo.co") to its canonical domain."""
    hint = hint.strip()
    if not hint:
        return ""
    if "." in hint and " " not in hint:
        return domain_of(hint)
    lowered = hint.lower()
    for domain, name, _cue in _outlets():
        if lowered in (name.lower(), domain.split(".")[0]):
            return domain
    return hint


def outlet_from_text(text: str, head_chars: int = 3000) -> str:
    """The outlet whose text cue (dateline, logo caption, widget) appears near the top or end of the text."""
    probe = text[:head_chars] + "\n" + text[-head_chars:]
    lowered = probe.lower()
    for (domain, _name, cue), literals in zip(_outlets(), _cue_literals(), strict=True):
        if cue is None or (literals is not None and not any(literal in lowered for literal in literals)):
            continue
        if cue.search(probe):
            return domain
    return ""


def outlet_name(domain: str) -> str:
    """Display name of an outlet domain (the domain itself when unknown)."""
    for known, name, _cue in _outlets():
        if known == domain:
            return name
    return domain
