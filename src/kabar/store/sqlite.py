"""SQLite store: one file, WAL journal, versioned schema."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path
from typing import Any

from kabar.model import Article
from kabar.search import index_terms
from kabar.store.base import Store, StoreError, StoryFilter, article_search_terms

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    outlet TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    crawl_date TEXT,
    language TEXT NOT NULL DEFAULT '',
    authors TEXT NOT NULL DEFAULT '[]',
    furniture TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    date_note TEXT,
    duplicate_of TEXT,
    story_id TEXT,
    evidence TEXT
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
CREATE INDEX IF NOT EXISTS articles_copies ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE TABLE IF NOT EXISTS article_sources (source TEXT PRIMARY KEY, article_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    dirty INTEGER NOT NULL DEFAULT 1,
    data TEXT
);
CREATE TABLE IF NOT EXISTS story_merges (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    from_story TEXT NOT NULL,
    into_story TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state_rows (kind TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (kind, key));
CREATE TABLE IF NOT EXISTS outlet_articles (outlet TEXT PRIMARY KEY, n_articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outlet_lines (
    outlet TEXT NOT NULL,
    line TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    PRIMARY KEY (outlet, line)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outlet_lines_count ON outlet_lines(outlet, n_articles);
CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5(terms, content='', tokenize='unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS story_search USING fts5(terms, tokenize='unicode61 remove_diacritics 2');
"""
SEARCH_TABLES = ("article_search", "story_search")
"""FTS5 indexes of stemmed words (see kabar.search); rowid is articles.seq and stories.rowid. The article index is
contentless (its terms are not stored a second time, about 1 KB per article): rows are only ever added, or all cleared."""
ARTICLE_COLUMNS = (
    "id",
    "content_hash",
    "title",
    "text",
    "outlet",
    "url",
    "published_at",
    "crawl_date",
    "language",
    "authors",
    "furniture",
    "source",
    "date_note",
    "duplicate_of",
    "story_id",
    "evidence",
)
JSON_COLUMNS = {"authors", "furniture", "evidence"}
_article_values = attrgetter(*ARTICLE_COLUMNS)
"""An article's ARTICLE_COLUMNS, as a tuple."""
_JSON_POSITIONS = tuple(n for n, column in enumerate(ARTICLE_COLUMNS) if column in JSON_COLUMNS)
INSERT_ARTICLE = f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})"
_json = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps(value, ensure_ascii=False)`` without building an encoder per call."""
MARK_DIRTY = "INSERT INTO stories (id, dirty) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET dirty=1"


def _story_conditions(filters: StoryFilter | None) -> tuple[str, str, list[Any]]:
    """SQL to add to the story listing's WHERE and HAVING, and its parameters, for ``filters``."""
    where: list[str] = []
    having: list[str] = []
    params: list[Any] = []
    if filters is None:
        return "", "", params
    if filters.outlet:
        where.append("story_id IN (SELECT story_id FROM articles WHERE outlet = ?)")
        params.append(filters.outlet)
    if filters.entity:
        where.append(
            """story_id IN (SELECT s.id FROM stories s, json_each(s.data, '$.entities') e WHERE s.data IS NOT NULL AND
               (lower(json_extract(e.value, '$.name')) = lower(?)
                OR EXISTS (SELECT 1 FROM json_each(e.value, '$.aliases') alias WHERE lower(alias.value) = lower(?))))"""
        )
        params += [filters.entity, filters.entity]
    if filters.match:
        where.append(
            """story_id IN (SELECT a.story_id FROM article_search JOIN articles a ON a.seq = article_search.rowid
                            WHERE article_search MATCH ?
                            UNION SELECT s.id FROM story_search JOIN stories s ON s.rowid = story_search.rowid
                            WHERE story_search MATCH ?)"""
        )
        params += [filters.match, filters.match]
    if filters.since:
        having.append("substr(MAX(published_at), 1, 10) >= ?")
        params.append(filters.since)
    if filters.until:
        having.append("substr(MIN(published_at), 1, 10) <= ?")
        params.append(filters.until)
    if filters.min_articles > 1:
        having.append("COUNT(*) >= ?")
        params.append(filters.min_articles)
    return "".join(f" AND {clause}" for clause in where), (" HAVING " + " AND ".join(having)) if having else "", params


PRAGMAS = ("cache_size=-65536", "wal_autocheckpoint=20000")
BUSY_SECONDS = 30.0
"""How long a write waits for another connection's write to end (an ingest commits every batch, a few seconds apart)."""
"""A 64 MiB page cache and a checkpoint every 20,000 WAL pages (about 80 MB). With SQLite's defaults (2 MiB, 1,000
pages) adding 10,000 articles took 2.8 times as long at 300,000 stored as at the start, most of the growth in commits;
with these the store's time at 250,000-300,000 articles is 23% lower."""


class SQLiteStore(Store):
    """Store in one SQLite file; ``":memory:"`` gives a throw-away store."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        """Open the store at ``path``, creating it unless ``create`` is False (then a file that is not a kabar store,
        an empty one included, is a StoreError and is left as it was)."""
        self.path = str(path)
        if self.path != ":memory:" and create:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
            if not create and not self.db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone():
                self.db.close()
                raise StoreError(f"{self.path}: not a kabar store (`kabar ingest` creates one; --db names another)")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            for pragma in PRAGMAS:
                self.db.execute(f"PRAGMA {pragma}")
            indexed = self.db.execute("SELECT COUNT(*) FROM sqlite_master WHERE name IN (?, ?)", SEARCH_TABLES).fetchone()[0]
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a usable kabar store ({error})") from error
        self._check_version()
        self._depth = 0
        if indexed < len(SEARCH_TABLES):
            self.rebuild_search_index()

    def _check_version(self) -> None:
        row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        elif int(row[0]) != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {row[0]}, this kabar reads version {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Nested calls join the outermost transaction."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            busy = f"{self.path}: the store is busy ({error}): another kabar is writing to it; try again later"
            raise StoreError(busy) from error
        self._depth = 1
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as error:
            if self.db.in_transaction:  # SQLite ends the transaction itself on some errors (a full disk)
                self.db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"{self.path}: {error}") from error
            raise
        finally:
            self._depth = 0

    def find_article_id(self, article_id: str, content_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE id=? UNION ALL SELECT id FROM articles WHERE content_hash=? LIMIT 1",
            (article_id, content_hash),
        ).fetchone()
        return row[0] if row else None

    def add_article(self, article: Article, search_terms: str | None = None) -> None:
        values = list(_article_values(article))
        for n in _JSON_POSITIONS:
            if values[n] is not None:
                values[n] = "[]" if values[n] == [] else _json(values[n])  # no authors, no furniture: most articles
        seq = self.db.execute(INSERT_ARTICLE, values).lastrowid
        terms = article_search_terms(article) if search_terms is None else search_terms
        self.db.execute("INSERT INTO article_search (rowid, terms) VALUES (?, ?)", (seq, terms))
        if article.story_id is not None:
            self.db.execute(MARK_DIRTY, (article.story_id,))

    def link_source(self, source: str, article_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO article_sources VALUES (?, ?)", (source, article_id))

    def _row_to_article(self, row: sqlite3.Row | tuple) -> Article:
        fields = dict(zip(ARTICLE_COLUMNS, row, strict=True))
        for column in JSON_COLUMNS:
            if fields[column] is not None:
                fields[column] = json.loads(fields[column])
        return Article(**fields)

    def article(self, article_id: str) -> Article | None:
        row = self.db.execute(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM articles WHERE id=?", (article_id,)).fetchone()
        return self._row_to_article(row) if row else None

    def story_of(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def articles(self, story_id: str | None = None) -> Iterator[Article]:
        columns = ", ".join(ARTICLE_COLUMNS)
        if story_id is None:
            cursor = self.db.execute(f"SELECT {columns} FROM articles ORDER BY seq")
        else:
            cursor = self.db.execute(f"SELECT {columns} FROM articles WHERE story_id=? ORDER BY seq", (story_id,))
        for row in cursor.fetchall():
            yield self._row_to_article(row)

    def count_articles(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def update_assignment(self, article: Article) -> None:
        old = self.db.execute("SELECT story_id FROM articles WHERE id=?", (article.id,)).fetchone()
        evidence = json.dumps(article.evidence, ensure_ascii=False) if article.evidence is not None else None
        self.db.execute(
            "UPDATE articles SET duplicate_of=?, story_id=?, evidence=? WHERE id=?",
            (article.duplicate_of, article.story_id, evidence, article.id),
        )
        stale = {old[0]} if old and old[0] else set()
        self.mark_stories_dirty(stale | ({article.story_id} if article.story_id else set()))

    def move_article(self, article_id: str, story_id: str, evidence: dict[str, Any]) -> None:
        old = self.db.execute("SELECT story_id FROM articles WHERE id=?", (article_id,)).fetchone()
        encoded = json.dumps(evidence, ensure_ascii=False)
        self.db.execute("UPDATE articles SET story_id=?, evidence=? WHERE id=?", (story_id, encoded, article_id))
        self.db.execute("UPDATE articles SET story_id=? WHERE duplicate_of=?", (story_id, article_id))
        self.mark_stories_dirty({story_id} | ({old[0]} if old and old[0] else set()))
        if old and old[0] and not self.db.execute("SELECT 1 FROM articles WHERE story_id=? LIMIT 1", (old[0],)).fetchone():
            self.db.execute("DELETE FROM story_search WHERE rowid IN (SELECT rowid FROM stories WHERE id=?)", (old[0],))
            self.db.execute("DELETE FROM stories WHERE id=?", (old[0],))

    def record_merge(self, from_story: str, into_story: str, reason: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO story_merges (from_story, into_story, reason) VALUES (?, ?, ?)",
            (from_story, into_story, json.dumps(reason, ensure_ascii=False)),
        )
        self.db.execute("UPDATE articles SET story_id=? WHERE story_id=?", (into_story, from_story))
        self.db.execute("DELETE FROM story_search WHERE rowid IN (SELECT rowid FROM stories WHERE id=?)", (from_story,))
        self.db.execute("DELETE FROM stories WHERE id=?", (from_story,))
        self.mark_stories_dirty({into_story})

    def mark_stories_dirty(self, story_ids: set[str]) -> None:
        self.db.executemany(MARK_DIRTY, [(story_id,) for story_id in story_ids])

    def dirty_stories(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM stories WHERE dirty=1 ORDER BY id")]

    def save_story_data(self, story_id: str, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO stories (id, dirty, data) VALUES (?, 0, ?) ON CONFLICT(id) DO UPDATE SET dirty=0, data=excluded.data",
            (story_id, json.dumps(data, ensure_ascii=False)),
        )
        self._index_story(story_id, data)

    def story_data(self, story_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            return None
        return json.loads(row[0]) if row[0] else {}

    def story_rows(self, limit: int | None = None, offset: int = 0, filters: StoryFilter | None = None) -> list[dict[str, Any]]:
        where, having, params = _story_conditions(filters)
        query = f"""
            SELECT story_id,
                   COUNT(*) AS n_articles,
                   SUM(duplicate_of IS NULL) AS n_originals,
                   COUNT(DISTINCT CASE WHEN outlet != '' THEN outlet ELSE source END) AS n_outlets,
                   MIN(published_at) AS first_published,
                   MAX(published_at) AS last_published,
                   MIN(seq) AS first_seq
            FROM articles WHERE story_id IS NOT NULL{where}
            GROUP BY story_id{having}
            ORDER BY last_published IS NULL, last_published DESC, first_seq DESC
            LIMIT ? OFFSET ?"""
        rows = self.db.execute(query, (*params, -1 if limit is None else limit, offset)).fetchall()
        names = ("story_id", "n_articles", "n_originals", "n_outlets", "first_published", "last_published", "first_seq")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def count_stories(self, filters: StoryFilter | None = None) -> int:
        where, having, params = _story_conditions(filters)
        query = f"SELECT COUNT(*) FROM (SELECT 1 FROM articles WHERE story_id IS NOT NULL{where} GROUP BY story_id{having})"
        return self.db.execute(query, params).fetchone()[0]

    def search_articles(self, match: str, limit: int = 20, offset: int = 0) -> tuple[int, list[str]]:
        total = self.db.execute("SELECT COUNT(*) FROM article_search WHERE article_search MATCH ?", (match,)).fetchone()[0]
        rows = self.db.execute(
            """SELECT a.id FROM article_search JOIN articles a ON a.seq = article_search.rowid
               WHERE article_search MATCH ? ORDER BY article_search.rank LIMIT ? OFFSET ?""",
            (match, limit, offset),
        ).fetchall()
        return total, [row[0] for row in rows]

    def outlets(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            """SELECT outlet, COUNT(*), COUNT(DISTINCT story_id), MIN(published_at), MAX(published_at)
               FROM articles WHERE outlet != '' GROUP BY outlet ORDER BY COUNT(*) DESC, outlet"""
        ).fetchall()
        names = ("outlet", "n_articles", "n_stories", "first_published", "last_published")
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _index_article(self, article: Article) -> None:
        seq = self.db.execute("SELECT seq FROM articles WHERE id=?", (article.id,)).fetchone()[0]
        self.db.execute("INSERT INTO article_search (rowid, terms) VALUES (?, ?)", (seq, article_search_terms(article)))

    def _index_story(self, story_id: str, data: dict[str, Any]) -> None:
        rowid = self.db.execute("SELECT rowid FROM stories WHERE id=?", (story_id,)).fetchone()[0]
        parts = [data.get("headline") or ""]
        parts += [sentence.get("text", "") for sentence in data.get("sentences") or []]
        for entity in data.get("entities") or []:
            parts += [entity.get("name") or "", *(entity.get("aliases") or [])]
        self.db.execute("DELETE FROM story_search WHERE rowid=?", (rowid,))
        self.db.execute("INSERT INTO story_search (rowid, terms) VALUES (?, ?)", (rowid, index_terms("\n".join(parts))))

    def _clear_search_table(self, table: str) -> None:
        """Empty an FTS5 table: a contentless one (``content=''``) takes no DELETE, only its 'delete-all' command."""
        sql = self.db.execute("SELECT sql FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
        if "content=''" in sql.replace(" ", ""):
            self.db.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")
        else:
            self.db.execute(f"DELETE FROM {table}")

    def rebuild_search_index(self) -> None:
        """Re-index every article and analysed story: for stores written before search existed."""
        with self.transaction():
            for table in SEARCH_TABLES:
                self._clear_search_table(table)
            for article in self.articles():
                self._index_article(article)
            for story_id, data in self.db.execute("SELECT id, data FROM stories WHERE data IS NOT NULL").fetchall():
                self._index_story(story_id, json.loads(data))

    def merges(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT from_story, into_story, reason FROM story_merges ORDER BY seq").fetchall()
        return [{"from": a, "into": b, "reason": json.loads(c)} for a, b, c in rows]

    def add_outlet_lines(self, articles: dict[str, int], lines: dict[str, Counter[str]]) -> None:
        add = "DO UPDATE SET n_articles=n_articles+excluded.n_articles"
        self.db.executemany(f"INSERT INTO outlet_articles VALUES (?, ?) ON CONFLICT(outlet) {add}", articles.items())
        self.db.executemany(
            f"INSERT INTO outlet_lines VALUES (?, ?, ?) ON CONFLICT(outlet, line) {add}",
            ((outlet, line, n) for outlet, counts in lines.items() for line, n in counts.items()),
        )

    def outlet_furniture(self, min_articles: int, min_share: float, outlets: list[str] | None = None) -> dict[str, set[str]]:
        query = (
            "SELECT l.outlet, l.line FROM outlet_articles a JOIN outlet_lines l ON l.outlet = a.outlet"
            " AND l.n_articles >= MAX(?, ? * a.n_articles)"
        )
        params: list[Any] = [min_articles, min_share]
        if outlets is not None:
            query += f" WHERE a.outlet IN ({', '.join('?' * len(outlets))})"
            params += outlets
        learned: dict[str, set[str]] = {}
        for outlet, line in self.db.execute(query, params):
            learned.setdefault(outlet, set()).add(line)
        return learned

    def save_state(self, name: str, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (name, value))

    def load_state(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT value FROM state WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def save_state_rows(self, kind: str, rows: Mapping[str, bytes | None]) -> None:
        written = [(kind, key, value) for key, value in rows.items() if value is not None]
        self.db.executemany("DELETE FROM state_rows WHERE kind=? AND key=?", [(kind, k) for k, v in rows.items() if v is None])
        self.db.executemany("INSERT OR REPLACE INTO state_rows VALUES (?, ?, ?)", written)

    def load_state_rows(self, kind: str) -> list[tuple[str, bytes]]:
        return self.db.execute("SELECT key, value FROM state_rows WHERE kind=? ORDER BY rowid", (kind,)).fetchall()

    def clear_derived(self) -> None:
        with self.transaction():
            self.db.execute("UPDATE articles SET story_id=NULL, evidence=NULL, duplicate_of=NULL")
            self.db.execute("DELETE FROM stories")
            self.db.execute("DELETE FROM story_search")
            self.db.execute("DELETE FROM story_merges")
            self.db.execute("DELETE FROM state")
            self.db.execute("DELETE FROM state_rows")

    def close(self) -> None:
        self.db.close()
