"""Shared fixtures: the bundled sample articles and fresh stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kabar
from kabar.model import Article

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture
def seeds_dir() -> Path:
    """The five seed reports of one event (examples/seeds)."""
    return EXAMPLES / "seeds"


@pytest.fixture
def clickid_examples() -> Path:
    """The bundled CLICK-ID sample (examples/clickid-2019-09-10.jsonl)."""
    return EXAMPLES / "clickid-2019-09-10.jsonl"


@pytest.fixture
def engine(tmp_path: Path):
    """A kabar engine over a fresh SQLite store in a temp folder."""
    with kabar.open(tmp_path / "kabar.db") as instance:
        yield instance


HOSTILE_TITLE = '<script>alert(1)</script> Awas <img src=x onerror="window.__xss=1"> judul'
HOSTILE_TEXT = (
    'Paragraf pertama <script>window.__xss=2</script> membahas cuaca Jakarta yang panas. <img src=x onerror="window.__xss=3">\n\n'
    '<b onmouseover="window.__xss=4">Paragraf kedua</b> juga panjang; '
    '<a href="javascript:window.__xss=5">tautan</a> tidak boleh jalan.'
)


@pytest.fixture(scope="session")
def web_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store for the web tests: the seed story, 40 CLICK-ID articles, a near-copy of the first, and hostile HTML.

    ``clickid-copy`` is the first CLICK-ID article re-published by another outlet; ``xss-ingested`` came in
    through JSONL with script and event-attribute HTML in its title; ``xss-stored`` sits in the store with
    such HTML in its title and body and a javascript: URL, as a store filled by other tools may hold.
    """
    folder = tmp_path_factory.mktemp("web")
    lines = (EXAMPLES / "clickid-2019-09-10.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    original = json.loads(lines[0])
    copy = {
        **original,
        "id": "clickid-copy",
        "outlet": "cermin.example",
        "text": original["text"] + " Dikutip ulang oleh cermin.",
    }
    hostile = {
        "id": "xss-ingested",
        "outlet": "contoh.id",
        "published": "2022-09-08",
        "title": HOSTILE_TITLE,
        "text": HOSTILE_TEXT,
    }
    sample = folder / "sample.jsonl"
    sample.write_text("\n".join([*lines, json.dumps(copy), json.dumps(hostile)]) + "\n", encoding="utf-8")
    path = folder / "web.db"
    with kabar.open(path) as engine:
        engine.ingest([EXAMPLES / "seeds", sample])
        stored = Article(
            id="xss-stored", title=HOSTILE_TITLE, text=HOSTILE_TEXT, outlet="contoh.id", url="javascript:window.__xss=6"
        )
        with engine.store.transaction():
            engine.store.add_article(stored)
        engine.refresh()
    return path


@pytest.fixture(scope="session")
def web_engine(web_store: Path):
    """A kabar engine over the web test store, shared by the API, page and browser tests (read-only use)."""
    with kabar.open(web_store) as instance:
        yield instance
