"""Direct and indirect speech with its speaker, found with patterns (regular expressions work well here).

Forms read, in order of the text:
- direct: '"...," kata X' (quote tag then speaker), '"...," ujarnya' (the last named speaker),
  'X mengatakan, "..."' and a bare quotation right after a named speaker's quote or report;
- indirect: 'X mengatakan (kepada ...) bahwa ...' / 'X menyebut, ...' with a reporting verb,
  'menurut X, ...', and '..., kata X.' after unquoted text.
Speakers are cut at the first stop word or clause break, titles are kept apart as roles by the
entity stage, and pronouns ("ia", "-nya") resolve to the last named speaker of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kabar import lang
from kabar.textproc import sentences

QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"'})
DIRECT_RE = re.compile(r'"(?P<text>[^"\n]{12,}?)"')
TAG_RE = re.compile(r"\s*,?\s*(?P<tag>[^\W\d_]+)\b(?P<rest>[^.\n\"]{0,120})", re.UNICODE)
LEAD_IN_RE = re.compile(r"(?P<speaker>[^.\n\"]{2,120}?)\s+(?P<verb>[^\W\d_]+)\s*[,:]\s*$", re.UNICODE)
INLINE_TAG_RE = re.compile(
    r"^[^\"]{0,80}?,\s*(?P<tag>[^\W\d_]+)\s+(?P<speaker>[^,\"]{2,60}),\s*(?P<text>[^\"]{10,})$", re.UNICODE
)
TRAILING_TAG_RE = re.compile(r"^(?P<text>[^\"]{15,}),\s*(?P<tag>[^\W\d_]+)\s+(?P<speaker>[^,.\"]{2,60})\.?$", re.UNICODE)
NEVER = "(?!)"
BARE_QUOTE_START_RE = re.compile(r"(?:^|[.!?,\n])\s*$")
MIN_QUOTE_WORDS = 4
MIN_CLAUSE_WORDS = 5
MARKER_WINDOW = 8
"""Reported content without "bahwa" or a comma must show a predicate marker ("akan", "telah") in its first words."""
MAX_SPEAKER_WORDS = 12
MAX_NAME_WORDS = 4
MAX_VERB_GAP_WORDS = 8


@dataclass(slots=True)
class Quote:
    """One quotation in one article."""

    speaker: str
    text: str
    direct: bool
    start: int


def _words(name: str, language: str) -> frozenset[str]:
    return lang.words(language, name)


def _alternation(phrases: frozenset[str]) -> str:
    """A regular-expression alternation of phrases, longest first; one that never matches when there are none."""
    return "|".join(sorted((re.escape(p) for p in phrases), key=len, reverse=True)) or NEVER


class QuoteFinder:
    """Finds quotes in one language's texts."""

    def __init__(self, language: str = "id") -> None:
        self.tags = _words("quote_tags.txt", language)
        self.verbs = _words("reporting_verbs.txt", language)
        self.pronouns = _words("pronouns.txt", language)
        self.stops = _words("speaker_stops.txt", language)
        self.unnamed = _words("unnamed_speakers.txt", language)
        self.stopwords = _words("stopwords.txt", language) - self.pronouns - frozenset({"itu", "ini", "tersebut"})
        self.anaphors = lang.patterns(language, "speaker_anaphors.txt")
        connectives = _alternation(_words("speaker_connectives.txt", language))
        self.connectives_re = re.compile(rf"^(?:(?:{connectives})\s*,?\s*)+", re.IGNORECASE)
        times = "|".join(p.pattern for p in lang.patterns(language, "speaker_time_phrases.txt")) or NEVER
        self.times_re = re.compile(rf"\s*,?\s*\b(?:{times})\s*,?", re.IGNORECASE)
        self.breaks_re = re.compile(rf"\b(?:{_alternation(_words('clause_breaks.txt', language))})\b\s*", re.IGNORECASE)
        self.relative_re = re.compile(rf"\s+(?:{_alternation(_words('relative_markers.txt', language))})\s+", re.IGNORECASE)
        according = _alternation(_words("according_to.txt", language))
        pronouns = _alternation(_words("pronouns.txt", language))
        self.according_re = re.compile(
            rf"\b(?:{according})\s+(?P<speaker>[^,.\"]{{2,60}}),\s*(?P<text>[^\"]{{10,}})$", re.IGNORECASE
        )
        self.according_pronoun_re = re.compile(
            rf"\b(?:{according})(?:nya|\s+(?:{pronouns}))\b\s*,?\s*(?P<text>[^\"]{{10,}})$", re.IGNORECASE
        )
        self.not_names = _words("not_entities.txt", language) | frozenset(row[0] for row in lang.table(language, "months.tsv"))
        verbs = _alternation(self.verbs)
        that = _alternation(_words("complementisers.txt", language))
        self.verb_re = re.compile(rf"\b(?:{verbs})\b", re.IGNORECASE)
        self.connector_re = re.compile(
            rf"(?P<gap>(?:\s+[^\s,\"]+){{0,{MAX_VERB_GAP_WORDS}}}?)\s*(?:,\s*(?:(?:{that})\s+)?|\s+(?:{that})\s+|:\s*)",
            re.IGNORECASE,
        )
        self.clause_verbs = _words("clause_verbs.txt", language)
        self.markers = _words("clause_markers.txt", language)

    def _clean_speaker(self, raw: str) -> str:
        """The speaker named in the words before a reporting verb or after a quote tag."""
        speaker = self.times_re.sub(",", self.connectives_re.sub("", raw.strip(" ,")))
        parts = [p.strip() for p in speaker.split(",") if p.strip() and p.split()[0].lower() not in self.stops]
        named = [p for p in parts if any(w[:1].isupper() for w in p.split()[1:]) or (p[:1].isupper() and len(p.split()) == 1)]
        speaker = (named or parts or [""])[-1]
        speaker = self.breaks_re.split(self.relative_re.split(speaker)[0])[-1]
        speaker = self.connectives_re.sub("", speaker).strip(" ,")
        words = speaker.split()
        while len(words) > 1 and words[-1] in self.stopwords:
            words.pop()
        speaker = " ".join(words)
        if speaker and speaker.split()[0].lower() in self.unnamed:
            speaker = speaker[0].lower() + speaker[1:]
        return speaker

    def _speaker_after_tag(self, rest: str) -> str:
        """The words naming the speaker after a quote tag; 'juru bicara X, Abbas Mousavi,' keeps the name after the comma."""
        words: list[str] = []
        chunks = rest.split(",")
        for number, chunk in enumerate(chunks):
            if number and not self._is_name(chunk):
                break
            for word in chunk.split():
                if word.lower() in self.stops or (words and word[:1] == "("):
                    return " ".join(words[:MAX_SPEAKER_WORDS])
                words.append(word)
            if number:
                break
            words.append(",")
        return " ".join(words[:MAX_SPEAKER_WORDS]).rstrip(" ,").replace(" ,", ",")

    def _is_name(self, chunk: str) -> bool:
        words = chunk.split()
        return 0 < len(words) <= MAX_NAME_WORDS and all(w[:1].isupper() and w.lower() not in self.not_names for w in words)

    def _resolve(self, speaker: str, last: str | None) -> str | None:
        if not speaker or speaker.lower() in self.pronouns or any(p.search(speaker) for p in self.anaphors):
            return last
        if len(speaker.split()) > MAX_SPEAKER_WORDS:
            return None
        return speaker

    def quotes(self, text: str) -> list[Quote]:
        """Quotes of one article's text in reading order."""
        text = text.translate(QUOTE_CHARS)
        found: list[Quote] = []
        direct_spans: list[tuple[int, int]] = []
        for match in DIRECT_RE.finditer(text):
            quoted = match.group("text").strip(" ,")
            if len(quoted.split()) < MIN_QUOTE_WORDS:
                continue
            speaker = self._direct_speaker(text, match)
            if speaker is None and not BARE_QUOTE_START_RE.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            found.append(Quote(speaker or "", quoted, True, match.start()))
            direct_spans.append((match.start(), match.end()))
        found.extend(self._indirect(text, direct_spans))
        found.sort(key=lambda q: q.start)
        last: str | None = None
        resolved = []
        for quote in found:
            speaker = self._resolve(quote.speaker, last)
            if speaker is None:
                continue
            if speaker != last:
                last = speaker
            quote.speaker = speaker
            resolved.append(quote)
        return resolved

    def _direct_speaker(self, text: str, match: re.Match[str]) -> str | None:
        """The speaker a quote is attributed to ("" for a pronoun), or None when nothing attributes it."""
        tag = TAG_RE.match(text, match.end())
        if tag and tag.group("tag").lower() in self.tags:
            if tag.group("tag").lower().endswith("nya"):
                return ""
            return self._clean_speaker(self._speaker_after_tag(tag.group("rest")))
        before = text[max(0, match.start() - 160) : match.start()]
        lead = LEAD_IN_RE.search(before)
        if lead and (lead.group("verb").lower() in self.verbs or lead.group("verb").lower() in self.tags):
            return self._clean_speaker(lead.group("speaker"))
        if before.rstrip().endswith(":"):
            return self._clean_speaker(before.rstrip()[:-1].rsplit(".", 1)[-1])
        return None

    def _indirect(self, text: str, direct_spans: list[tuple[int, int]]) -> list[Quote]:
        found = []
        position = 0
        for sentence in sentences(text):
            start = text.find(sentence, position)
            position = max(position, start)
            if any(a <= start + len(sentence) // 2 < b for a, b in direct_spans) or '"' in sentence[:3]:
                continue
            quote = self._indirect_in(sentence)
            if quote:
                quote.start = start
                found.append(quote)
        return found

    def _indirect_in(self, sentence: str) -> Quote | None:
        for verb in self.verb_re.finditer(sentence):
            before = sentence[: verb.start()].strip()
            if not before or before.count('"') % 2 or before.split()[-1].lower() in self.stops:
                continue
            content = self._content(verb.group().lower(), sentence[verb.end() :])
            speaker = self._clean_speaker(before) if content else ""
            if speaker and len(speaker.split()) <= MAX_SPEAKER_WORDS:
                return Quote(speaker, content, False, 0)
        for pattern in (self.according_pronoun_re, self.according_re, INLINE_TAG_RE, TRAILING_TAG_RE):
            match = pattern.search(sentence)
            if not match or ("tag" in match.groupdict() and match.group("tag").lower() not in self.tags):
                continue
            raw = match.groupdict().get("speaker") or ""
            raw = (
                self._speaker_after_tag(raw)
                if "tag" in match.groupdict()
                else re.sub(r"^(?:laporan|keterangan)\s+", "", raw, flags=re.IGNORECASE)
            )
            return Quote(self._clean_speaker(raw), match.group("text").strip(), False, 0)
        return None

    def _content(self, verb: str, rest: str) -> str | None:
        """The reported content after a reporting verb, or None when the verb only takes an object."""
        connector = self.connector_re.match(rest)
        if connector and not any(w.lower() in self.verbs for w in connector.group("gap").split()):
            content = rest[connector.end() :].strip()
            return content if len(content.split()) >= MIN_QUOTE_WORDS and not content.startswith('"') else None
        words = rest.split()
        if len(words) < MIN_CLAUSE_WORDS or rest.lstrip().startswith('"'):
            return None
        first = words[0].strip(",")
        if (
            verb in self.clause_verbs
            or first[:1].isupper()
            or first.lower() in self.pronouns
            or any(w.lower() in self.markers for w in words[:MARKER_WINDOW])
        ):
            return rest.strip(" ,")
        return None
