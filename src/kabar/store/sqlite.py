"""SQLite store: one file, WAL journal, versioned schema."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kabar.model import Article
from kabar.store.base import Store

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
CREATE TABLE IF NOT EXISTS outlet_articles (outlet TEXT PRIMARY KEY, n_articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outlet_lines (
    outlet TEXT NOT NULL,
    line TEXT NOT NULL,
    n_articles INTEGER NOT NULL,
    PRIMARY KEY (outlet, line)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outlet_lines_count ON outlet_lines(outlet, n_articles);
"""
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


class StoreError(RuntimeError):
    """The store file cannot be used (wrong schema version, not a kabar store, …)."""


class SQLiteStore(Store):
    """Store in one SQLite file; ``":memory:"`` gives a throw-away store."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a usable kabar store ({error})") from error
        self._check_version()
        self._depth = 0

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
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    def find_article_id(self, article_id: str, content_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE id=? UNION ALL SELECT id FROM articles WHERE content_hash=? LIMIT 1",
            (article_id, content_hash),
        ).fetchone()
        return row[0] if row else None

    def add_article(self, article: Article) -> None:
        values = [getattr(article, column) for column in ARTICLE_COLUMNS]
        values = [
            json.dumps(v, ensure_ascii=False) if c in JSON_COLUMNS and v is not None else v
            for c, v in zip(ARTICLE_COLUMNS, values, strict=True)
        ]
        self.db.execute(
            f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})", values
        )
        if article.story_id is not None:
            self.mark_stories_dirty({article.story_id})

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

    def record_merge(self, from_story: str, into_story: str, reason: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO story_merges (from_story, into_story, reason) VALUES (?, ?, ?)",
            (from_story, into_story, json.dumps(reason, ensure_ascii=False)),
        )
        self.db.execute("UPDATE articles SET story_id=? WHERE story_id=?", (into_story, from_story))
        self.db.execute("DELETE FROM stories WHERE id=?", (from_story,))
        self.mark_stories_dirty({into_story})

    def mark_stories_dirty(self, story_ids: set[str]) -> None:
        self.db.executemany(
            "INSERT INTO stories (id, dirty) VALUES (?, 1) ON CONFLICT(id) DO UPDATE SET dirty=1",
            [(story_id,) for story_id in story_ids],
        )

    def dirty_stories(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM stories WHERE dirty=1 ORDER BY id")]

    def save_story_data(self, story_id: str, data: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO stories (id, dirty, data) VALUES (?, 0, ?) ON CONFLICT(id) DO UPDATE SET dirty=0, data=excluded.data",
            (story_id, json.dumps(data, ensure_ascii=False)),
        )

    def story_data(self, story_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM stories WHERE id=?", (story_id,)).fetchone()
        if row is None:
            return None
        return json.loads(row[0]) if row[0] else {}

    def story_rows(self, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        query = """
            SELECT story_id,
                   COUNT(*) AS n_articles,
                   SUM(duplicate_of IS NULL) AS n_originals,
                   COUNT(DISTINCT CASE WHEN outlet != '' THEN outlet ELSE source END) AS n_outlets,
                   MIN(published_at) AS first_published,
                   MAX(published_at) AS last_published,
                   MIN(seq) AS first_seq
            FROM articles WHERE story_id IS NOT NULL
            GROUP BY story_id
            ORDER BY last_published IS NULL, last_published DESC, first_seq DESC
            LIMIT ? OFFSET ?"""
        rows = self.db.execute(query, (-1 if limit is None else limit, offset)).fetchall()
        names = ("story_id", "n_articles", "n_originals", "n_outlets", "first_published", "last_published", "first_seq")
        return [dict(zip(names, row, strict=True)) for row in rows]

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

    def clear_derived(self) -> None:
        with self.transaction():
            self.db.execute("UPDATE articles SET story_id=NULL, evidence=NULL, duplicate_of=NULL")
            self.db.execute("DELETE FROM stories")
            self.db.execute("DELETE FROM story_merges")
            self.db.execute("DELETE FROM state")

    def close(self) -> None:
        self.db.close()
