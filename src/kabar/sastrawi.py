"""PySastrawi, the Indonesian stemmer, made cheaper for words it does not know, with the same stems.

Such a word (a name, mostly) costs PySastrawi about 230 µs as shipped: it tries every prefix rule up to a dozen
times, each a few regex calls on patterns passed as strings. Here it takes about 46 µs. tests/test_textproc.py
checks the stems against PySastrawi run untouched in a process of its own.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from kabar import lang


@cache
def stemmer():  # noqa: ANN201 - third-party type
    """PySastrawi's stemmer, once per process: without its own result cache (``textproc.stem_id`` caches, with a bound;
    PySastrawi's grows forever and costs a third more per word), its patterns compiled once (``_CompiledPatterns``)
    and its prefix rules run as ``_PrefixRules``."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    for name, module in list(sys.modules.items()):
        if name.startswith("Sastrawi.") and getattr(module, "re", None) is re:
            module.re = _CompiledPatterns()  # type: ignore[attr-defined]
    instance = Stemmer(ArrayDictionary(StemmerFactory().get_words()))
    visitors = instance.visitor_provider.prefix_visitors
    visitors[:] = [_PrefixRules(visitors, dict(lang.table("id", "sastrawi_guards.tsv")))]
    return instance


class _CompiledPatterns:
    """The two ``re`` functions PySastrawi calls, for its modules: each pattern compiled once and kept.

    PySastrawi passes patterns as strings, so every call looks its pattern up in the regex module's cache, and it
    removes an affix by using the word that remains as a pattern (``re.sub(result, "", word, count=1)``): a new
    pattern for every word, which evicts the others from that cache (512 patterns) and is compiled, used once and
    thrown away. Here a pattern of plain letters is replaced as the plain string it is, so only PySastrawi's own
    patterns are compiled, once each.
    """

    IGNORECASE = re.IGNORECASE
    MULTILINE = re.MULTILINE

    def __init__(self) -> None:
        self.compiled: dict[tuple[str, int], re.Pattern[str]] = {}

    def _pattern(self, pattern: str, flags: int) -> re.Pattern[str]:
        compiled = self.compiled.get((pattern, flags))
        if compiled is None:
            compiled = self.compiled[pattern, flags] = re.compile(pattern, flags)
        return compiled

    def match(self, pattern: str, string: str, flags: int = 0) -> re.Match[str] | None:
        """``re.match``."""
        return self._pattern(pattern, flags).match(string)

    def sub(self, pattern: str, repl: str, string: str, count: int = 0, flags: int = 0) -> str:
        """``re.sub``."""
        if not repl and not flags and pattern.isascii() and pattern.replace("-", "").isalnum():
            return string.replace(pattern, "", count or -1)  # letters, digits and hyphens match only themselves
        return self._pattern(pattern, flags).sub(repl, string, count)


class _PrefixRules:
    """PySastrawi's prefix visitors as one, which runs only those whose rules can apply to the word being stemmed
    (``lang/id/sastrawi_guards.tsv``), with the same stops between them as PySastrawi's own loop over them.

    A visitor none of whose rules applies to a word changes nothing, yet costs a few regex calls; a word the stemmer
    does not know (a name, mostly) meets every visitor up to a dozen times. So such a word takes about a fifth of
    the time, with the same stem.
    """

    def __init__(self, visitors: list[Any], guards: dict[str, str]) -> None:
        self.visitors: list[tuple[Any, Callable[[str], object]]] = []
        for visitor in visitors:
            rules = [type(rule).__name__ for rule in getattr(visitor, "disambiguators", [visitor])]
            guard = "|".join(f"(?:{guards[rule]})" for rule in rules) if all(rule in guards for rule in rules) else ""
            self.visitors.append((visitor, re.compile(guard).match))

    def visit(self, context: Any) -> None:  # context: PySastrawi's stemming context
        """Run the visitors that apply, in order, until one removes a prefix, leaves a dictionary word or stops."""
        removals, checked = len(context.removals), False
        for visitor, applies in self.visitors:
            if applies(context.current_word):
                visitor.visit(context)
            elif checked:
                continue  # nothing changed since the last check
            checked = True
            if context.dictionary.contains(context.current_word) or context.process_is_stopped:
                return
            if len(context.removals) > removals:
                return
