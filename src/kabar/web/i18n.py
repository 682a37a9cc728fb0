"""Interface text in the reader's language, from ``kabar/lang/<code>/interface.tsv`` (key, text)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache

from kabar import lang

DEFAULT_LANGUAGE = "id"
COOKIE = "kabar_lang"


@cache
def texts(language: str) -> Mapping[str, str]:
    """The interface texts of one language: key → text (may hold ``{name}`` placeholders)."""
    return {row[0]: row[1] for row in lang.table(language, "interface.tsv") if len(row) == 2}


@cache
def languages() -> tuple[str, ...]:
    """Codes of the languages the interface is written in, the default first."""
    found = [code for code in lang.all_languages() if texts(code)]
    return tuple(sorted(found, key=lambda code: (code != DEFAULT_LANGUAGE, code)))


def choose_language(asked: str | None, cookie: str | None, accept_language: str) -> str:
    """The interface language: the ``lang`` query parameter, else the cookie, else the browser's preference."""
    for candidate in (asked, cookie):
        if candidate in languages():
            return candidate
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in languages():
            return code
    return DEFAULT_LANGUAGE


def translator(language: str) -> Callable[..., str]:
    """A function giving the text for a key in ``language`` (else the default language, else the key).

    With ``n=1`` it takes the key's ``<key>_one`` form when the language has one ("1 article").
    """
    own, fallback = texts(language), texts(DEFAULT_LANGUAGE)

    def translate(key: str, **values: object) -> str:
        if values.get("n") == 1 and f"{key}_one" in own:
            key = f"{key}_one"
        text = own.get(key) or fallback.get(key) or key
        return text.format(**values) if values else text

    return translate
