"""Known names loaded from the language data files: aliases, countries, places, media, roles.

A surface form maps to one canonical name and a type. Short all-caps forms (``AS``, ``UE``) match
only as written; every other form matches case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from kabar import lang


@dataclass(frozen=True, slots=True)
class Known:
    """A canonical entity name and its type."""

    name: str
    type: str


def _is_strict(surface: str) -> bool:
    return surface.isupper() and len(surface) <= 4


@dataclass(slots=True)
class Gazetteer:
    """Surface form → Known, plus the word lists the analysis stages share."""

    strict: dict[str, Known]
    folded: dict[str, Known]
    media: dict[str, str]
    max_tokens: int

    def lookup(self, surface: str) -> Known | None:
        """The known entity a surface form names, or None."""
        return self.strict.get(surface) or (None if _is_strict(surface) else self.folded.get(surface.casefold()))

    def medium(self, surface: str) -> str | None:
        """The canonical name of a news medium, or None when the form is not a known medium."""
        if _is_strict(surface):
            known = self.strict.get(surface)
            return known.name if known and known.name in self.media.values() else None
        return self.media.get(surface.casefold())


def _add(gazetteer: Gazetteer, surface: str, known: Known) -> None:
    if _is_strict(surface):
        gazetteer.strict[surface] = known
    else:
        gazetteer.folded[surface.casefold()] = known
    gazetteer.max_tokens = max(gazetteer.max_tokens, len(surface.split()))


def _rows(language: str, name: str) -> tuple[tuple[str, ...], ...]:
    """A name file of the language, or the Indonesian one where the language has none (names travel)."""
    return lang.table(language, name) or lang.table("id", name)


@cache
def gazetteer(language: str = "id") -> Gazetteer:
    """The gazetteer of one language: later files override earlier ones (aliases win)."""
    result = Gazetteer({}, {}, {}, 1)
    for (place,) in _rows(language, "places.txt"):
        _add(result, place, Known(place, "place"))
    for row in _rows(language, "countries.tsv"):
        for surface in row:
            _add(result, surface, Known(row[0], "place"))
    for row in _rows(language, "media_sources.tsv"):
        known = Known(row[0], "organization")
        for surface in row:
            _add(result, surface, known)
            result.media[surface.casefold()] = row[0]
    for row in _rows(language, "aliases.tsv"):
        known = Known(row[0], row[1])
        for surface in (row[0], *row[2:]):
            _add(result, surface, known)
    return result
