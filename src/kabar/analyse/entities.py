"""Named entities from capitalisation, gazetteers and role patterns (no NER model runs offline for Indonesian).

Cascade, per run of capitalised words ("span"):
1. Leading words that occur in lower case elsewhere in the story (sentence-initial "Para", "Temuan")
   are dropped.
2. A span that starts with an organisation or place head word ("Kementerian ...", "Bandara ...")
   is one organisation or place, unless the gazetteer knows the whole span.
3. Otherwise the span is cut into the longest known names (aliases, countries, places, media),
   role words ("Sekretaris Pers") and unknown words. Unknown words after a role are a person with that
   role ("Sekretaris Pers Pentagon Pat Ryder" → Pat Ryder, role "Sekretaris Pers Pentagon"); a run of
   two or more unknown, uncommon words is a person; a lone acronym is an organisation; a lone
   unknown word counts only when it names a known person (a surname) or a quoted speaker.
Persons named by part of their name ("Miyahara") are merged into the full name the story gives.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from kabar import lang
from kabar.analyse.gazetteer import Known, gazetteer

TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?(?:\.(?:com|co\.id|co|id|net|org)\b)?", re.UNICODE)
ACRONYM_AFTER_RE = re.compile(r"\s*\(([A-Z]{2,6})\)")
NAME_PARTICLES = frozenset({"bin", "binti", "van", "von", "der", "de", "al", "el", "da", "dos", "la"})
SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;\n\"“”(]|\s[-–—])\s*$")
ACRONYM_RE = re.compile(r"^[A-Z]{2,6}$")
MAX_ROLE_WORDS = 4
MAX_NAME_WORDS = 4


@dataclass(slots=True)
class Mention:
    """One occurrence of an entity in one article's text."""

    name: str
    type: str
    start: int
    role: str | None = None
    surface: str = ""


@dataclass(slots=True)
class Entity:
    """An entity of a story with its aliases, per-outlet mention counts and roles."""

    name: str
    type: str
    aliases: set[str] = field(default_factory=set)
    mentions: Counter[str] = field(default_factory=Counter)
    roles: list[str] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)


def _phrases(language: str, name: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(line.split()) for line in lang.words(language, name))


@cache
def vocabulary() -> frozenset[str]:
    """Indonesian root words (the PySastrawi stemmer's dictionary): capitalised, they are rarely a person's name."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(StemmerFactory().get_words())


def lowercase_words(texts: list[str]) -> frozenset[str]:
    """Words that occur in lower case in the texts: capitalised, they start a sentence rather than a name."""
    return frozenset(w for text in texts for w in TOKEN_RE.findall(text) if w.islower())


class EntityFinder:
    """Finds entity mentions in texts of one story (holds the story's common-word set)."""

    def __init__(self, common: frozenset[str], language: str = "id") -> None:
        self.gaz = gazetteer(language)
        months = frozenset(row[0] for row in lang.table(language, "months.tsv"))
        self.common = common | lang.words(language, "stopwords.txt") | lang.words(language, "not_entities.txt") | months
        self.vocabulary = vocabulary() if language == "id" else frozenset()
        self.english = lang.words("en", "stopwords.txt")
        self.org_tails = lang.words(language, "organization_tails.txt")
        self.not_heads = lang.words(language, "not_entity_heads.txt")
        self.excluders = lang.words(language, "not_entity_after.txt")
        self.roles = _phrases(language, "roles.txt")
        self.org_heads = _phrases(language, "organization_heads.txt")
        self.place_heads = _phrases(language, "place_heads.txt")

    def spans(self, text: str) -> list[list[re.Match[str]]]:
        """Runs of capitalised tokens separated by single spaces (role words and name particles may be lower case)."""
        runs: list[list[re.Match[str]]] = []
        current: list[re.Match[str]] = []
        for match in TOKEN_RE.finditer(text):
            word = match.group()
            joined = bool(current) and text[current[-1].end() : match.start()] == " "
            if word[0].isupper() or (joined and self._continues(current, word)):
                if not joined and current:
                    runs.append(current)
                    current = []
                current.append(match)
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        return [self._trim(text, run) for run in self._join_conjoined(text, runs) if not self._after_excluder(text, run)]

    def _join_conjoined(self, text: str, runs: list[list[re.Match[str]]]) -> list[list[re.Match[str]]]:
        """Join "Departemen Kesehatan" + "dan" + "Lingkungan Kansas" when the first run is an organisation's name."""
        joined: list[list[re.Match[str]]] = []
        for run in runs:
            previous = joined[-1] if joined else None
            if (
                previous
                and text[previous[-1].end() : run[0].start()] == " dan "
                and self._head_type(tuple(m.group().lower() for m in previous))
                and not self._head_type(tuple(m.group().lower() for m in run))
            ):
                previous.extend(run)
            else:
                joined.append(run)
        return joined

    def _after_excluder(self, text: str, run: list[re.Match[str]]) -> bool:
        before = text[max(0, run[0].start() - 20) : run[0].start()].split()
        return bool(before) and before[-1].lower() in self.excluders

    def _continues(self, run: list[re.Match[str]], word: str) -> bool:
        if word in NAME_PARTICLES:
            return True
        tail = tuple(m.group().lower() for m in run[-MAX_ROLE_WORDS:])
        return any((*tail[i:], word) in self.roles for i in range(len(tail)))

    def _trim(self, text: str, run: list[re.Match[str]]) -> list[re.Match[str]]:
        at_start = SENTENCE_START_RE.search(text[max(0, run[0].start() - 3) : run[0].start()]) is not None
        while run and (
            run[0].group().lower() in self.common and (at_start or run[0].group().lower() in lang.words("id", "not_entities.txt"))
        ):
            if self._role_at(run, 0) or self.gaz.lookup(run[0].group()):
                break
            run = run[1:]
        while run and run[-1].group() in NAME_PARTICLES:
            run = run[:-1]
        return run

    def _role_at(self, run: list[re.Match[str]], i: int) -> int:
        words = tuple(m.group().lower() for m in run)
        return max((k for k in range(1, MAX_ROLE_WORDS + 1) if words[i : i + k] in self.roles and i + k <= len(words)), default=0)

    def _known_at(self, run: list[re.Match[str]], i: int) -> tuple[int, Known | None]:
        for k in range(min(self.gaz.max_tokens, len(run) - i), 0, -1):
            known = self.gaz.lookup(" ".join(m.group() for m in run[i : i + k]))
            if known:
                return k, known
        return 0, None

    def _is_common(self, word: str) -> bool:
        return word.lower() in self.common or word.lower() in self.vocabulary

    def _head_type(self, words: tuple[str, ...]) -> str | None:
        if words[-1] in self.org_tails and len(words) > 1:
            return "organization"
        if words[0] in self.not_heads:
            return "none"
        head = self._head(words)
        return head[0] if head else None

    def _head(self, words: tuple[str, ...]) -> tuple[str, int] | None:
        """The type a name's head words give it ("Bandara Narita" → place) and how many words the head has."""
        for k in (3, 2, 1):
            if words[:k] in self.org_heads and len(words) > k:
                return "organization", k
            if words[:k] in self.place_heads and len(words) > k:
                return "place", k
        return None

    def mentions(self, text: str, speakers: frozenset[str] = frozenset()) -> list[Mention]:
        """Entity mentions in one text, in order; ``speakers`` are names quotes attribute speech to."""
        found: list[Mention] = []
        defined: dict[str, Mention] = {}
        for run in self.spans(text):
            if not run:
                continue
            if (
                found
                and (acronym := ACRONYM_AFTER_RE.match(text, found[-1].start + len(found[-1].surface)))
                and acronym.start(1) == run[0].start()
            ):
                defined[acronym.group(1)] = found[-1]
            if run[0].group() in defined and len(run) == 1:
                previous = defined[run[0].group()]
                found.append(Mention(previous.name, previous.type, run[0].start(), surface=run[0].group()))
                continue
            found.extend(self._read_run(text, run, speakers))
        return found

    def _read_run(self, text: str, run: list[re.Match[str]], speakers: frozenset[str]) -> list[Mention]:
        surface = text[run[0].start() : run[-1].end()]
        whole = self.gaz.lookup(surface)
        if whole:
            return [Mention(whole.name, whole.type, run[0].start(), surface=surface)]
        head = self._head_type(tuple(m.group().lower() for m in run))
        if head == "none":
            return []
        if head:
            return self._headed(text, run, head, speakers)
        out: list[Mention] = []
        role_start: int | None = None
        unknown: list[re.Match[str]] = []
        i = 0

        def flush() -> None:
            nonlocal role_start
            head = self._head(tuple(m.group().lower() for m in unknown)) if role_start is not None else None
            if head and len(unknown) > head[1] + 1:
                named = unknown[: head[1] + 1]
                out.append(
                    Mention(
                        text[named[0].start() : named[-1].end()],
                        head[0],
                        named[0].start(),
                        surface=text[named[0].start() : named[-1].end()],
                    )
                )
                del unknown[: head[1] + 1]
            while role_start is not None and len(unknown) > 1 and self._is_common(unknown[0].group()):
                unknown.pop(0)
            if unknown:
                role = text[run[role_start].start() : unknown[0].start()].strip(" ,") if role_start is not None else None
                mention = self._unknown(text, unknown, speakers, role)
                if mention:
                    out.append(mention)
                    role_start = None
                unknown.clear()

        while i < len(run):
            k, known = self._known_at(run, i)
            if known:
                flush()
                role = (
                    text[run[role_start].start() : run[i].start()].strip(" ,")
                    if role_start is not None and known.type == "person"
                    else None
                )
                out.append(Mention(known.name, known.type, run[i].start(), role, text[run[i].start() : run[i + k - 1].end()]))
                i += k
                continue
            k = self._role_at(run, i)
            if k:
                flush()
                role_start = i if role_start is None else role_start
                i += k
                continue
            unknown.append(run[i])
            i += 1
        flush()
        return out

    def _headed(self, text: str, run: list[re.Match[str]], kind: str, speakers: frozenset[str]) -> list[Mention]:
        """A name with a head word; a person named after a place in it is split off ("Kementerian ... Sarawak Gary Theseira")."""
        for i in range(len(run) - 2, 0, -1):
            k, known = self._known_at(run, i)
            rest = run[i + k :]
            if known and known.type == "place" and len(rest) >= 2 and self._name_like([m.group().lower() for m in rest]):
                name = text[run[0].start() : run[i + k - 1].end()]
                role = name if kind == "organization" else None
                person = self._unknown(text, rest, speakers, role)
                return [Mention(name, kind, run[0].start(), surface=name), *([person] if person else [])]
        surface = text[run[0].start() : run[-1].end()]
        return [Mention(surface, kind, run[0].start(), surface=surface)]

    def _unknown(self, text: str, words: list[re.Match[str]], speakers: frozenset[str], role: str | None) -> Mention | None:
        surface = text[words[0].start() : words[-1].end()]
        lowered = [m.group().lower() for m in words]
        if any(w in self.common for w in lowered if w not in NAME_PARTICLES):
            return None
        if len(words) == 1 and ACRONYM_RE.match(surface):
            return Mention(surface, "organization", words[0].start(), surface=surface) if surface in speakers else None
        for heads, kind in ((self.org_heads, "organization"), (self.place_heads, "place")):
            if len(words) > 1 and any((w,) in heads for w in lowered[1:]):
                return Mention(surface, kind, words[0].start(), surface=surface)
        if not self._name_like(lowered):
            return None
        if len(words) >= 2 or role or surface in speakers:
            return Mention(surface, "person", words[0].start(), role, surface)
        return Mention(surface, "?", words[0].start(), surface=surface)

    def _name_like(self, lowered: list[str]) -> bool:
        """Whether words can be a person's name: mostly not dictionary words, no English function words, not too long."""
        in_dictionary = sum(w in self.vocabulary for w in lowered)
        return (
            len(lowered) <= MAX_NAME_WORDS and in_dictionary * 2 <= len(lowered) and not any(w in self.english for w in lowered)
        )


def merge_persons(entities: dict[str, Entity]) -> dict[str, Entity]:
    """Group person names whose words all occur in a longer person name ("Miyahara" in "Kei Miyahara").

    A group is named by its most mentioned variant of two words or more ("Veronica Koman", not a
    one-off "Postingan Veronica Koman"); lone words no person name contains are dropped.
    """
    by_length = sorted((e for e in entities.values() if e.type in ("person", "?")), key=lambda e: (-len(e.name.split()), e.name))
    groups: dict[str, list[Entity]] = {}
    for entity in by_length:
        parts = set(entity.name.split())
        home = next((root for root in groups if len(root.split()) > len(parts) and parts <= set(root.split())), None)
        if home is not None:
            groups[home].append(entity)
        elif entity.type == "person":
            groups[entity.name] = [entity]
    merged = {name: e for name, e in entities.items() if e.type not in ("person", "?")}
    for members in groups.values():
        named = [m for m in members if len(m.name.split()) >= 2] or members
        head = max(named, key=lambda m: (sum(m.mentions.values()), len(m.name.split())))
        person = Entity(head.name, "person")
        for member in members:
            person.aliases |= {member.name, *member.aliases}
            person.mentions.update(member.mentions)
            person.roles.extend(r for r in member.roles if r not in person.roles)
            person.articles |= member.articles
        person.aliases.discard(head.name)
        merged[head.name] = person
    return merged


def canonical_person(name: str, entities: dict[str, Entity]) -> str:
    """The story's full name for a person named in full or in part, else the name unchanged."""
    if name in entities:
        return name
    for entity in entities.values():
        if name in entity.aliases:
            return entity.name
    return name


def story_entities(finder: EntityFinder, texts: list[tuple[str, str, str]], speakers: frozenset[str]) -> dict[str, Entity]:
    """Entities of a story from (article id, outlet, text) triples, keyed by canonical name."""
    entities: dict[str, Entity] = {}
    for article_id, outlet, text in texts:
        for mention in finder.mentions(text, speakers):
            entity = entities.setdefault(mention.name, Entity(mention.name, mention.type))
            entity.mentions[outlet] += 1
            entity.articles.add(article_id)
            if mention.role and mention.role not in entity.roles:
                entity.roles.append(mention.role)
            if mention.surface and mention.surface != mention.name:
                entity.aliases.add(mention.surface)
    return merge_persons(entities)
