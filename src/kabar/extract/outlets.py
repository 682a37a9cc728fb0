"""Outlet identification: canonical domain from a URL, an outlet hint, or text cues in the body."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from kabar import lang


@cache
def _outlets() -> tuple[tuple[str, str, re.Pattern[str] | None], ...]:
    rows = []
    for row in lang.table("id", "outlets.tsv"):
        cue = re.compile(row[2], re.IGNORECASE | re.MULTILINE) if len(row) > 2 and row[2] else None
        rows.append((row[0], row[1], cue))
    return tuple(rows)


def domain_of(url: str) -> str:
    """The registrable-looking host of a URL without ``www.``/``m.`` and sub-sites of known outlets."""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    host = re.sub(r"^(www\d?|m|mobile|amp)\.", "", host.lower())
    for domain, _name, _cue in _outlets():
        if host == domain or host.endswith("." + domain):
            return domain
    return host


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
    for domain, _name, cue in _outlets():
        if cue is not None and cue.search(probe):
            return domain
    return ""


def outlet_name(domain: str) -> str:
    """Display name of an outlet domain (the domain itself when unknown)."""
    for known, name, _cue in _outlets():
        if known == domain:
            return name
    return domain
