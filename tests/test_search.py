"""Full-text search: Indonesian-aware index terms, safe query expressions, snippets, the store's FTS5 index."""

from __future__ import annotations

import re
import sqlite3

import pytest

import kabar
from kabar.search import index_terms, match_expression, snippet
from kabar.store import StoryFilter


def test_word_forms_share_one_index_term():
    assert index_terms("pembelian membeli dibeli") == "beli beli beli"
    assert index_terms("Roket-peluru artileri 2022") == "roket peluru artileri 2022"
    assert "yang" not in index_terms("roket yang dibeli").split()


def test_query_words_are_quoted_so_no_user_text_is_fts_syntax():
    assert match_expression("Pembelian roket") == '("beli" OR "pembelian") AND ("roket")'
    expression = match_expression('"" OR NEAR(roket peluru) * AND korut ^ col:x')
    assert re.fullmatch(r'\("[^"]+"( OR "[^"]+")*\)( AND \("[^"]+"( OR "[^"]+")*\))*', expression), expression
    assert [group.split('"')[1] for group in expression.split(" AND ")] == ["near", "roket", "peluru", "korut", "col"]
    assert match_expression("yang dan di") is None


def test_minus_and_not_exclude_words():
    assert match_expression("roket -korut") == '(("roket")) NOT (("korut"))'
    assert match_expression("roket NOT pembelian") == '(("roket")) NOT (("beli" OR "pembelian"))'
    assert match_expression("-korut") is None  # nothing wanted: nothing to search
    assert match_expression("roket - korut") == '("roket") AND ("korut")'  # a lone dash excludes nothing


def test_excluded_words_remove_hits(engine, seeds_dir, tmp_path):
    engine.ingest([seeds_dir])
    other = tmp_path / "other.txt"
    other.write_text(
        "Rusia uji coba roket baru di Siberia\n\nMoskow - Rusia menguji roket balistik baru di Siberia pada Selasa, "
        "kata kementerian pertahanan Rusia. Uji coba roket itu disaksikan para pejabat militer.",
        encoding="utf-8",
    )
    engine.ingest([other])
    everything, _ = engine.store.search_articles(match_expression("Rusia roket"))
    without_korea, ids = engine.store.search_articles(match_expression("Rusia roket -Korea"))
    also, _ = engine.store.search_articles(match_expression("Rusia roket NOT korea"))
    assert everything == 6 and without_korea == 1 and also == 1
    assert "Siberia" in engine.store.article(ids[0]).text


@pytest.mark.parametrize("query", ['"', "a*", "NEAR(", "roket OR", "col:roket", "'); DROP TABLE articles; --", "\x00roket"])
def test_odd_queries_never_break_the_store(engine, seeds_dir, query):
    engine.ingest([seeds_dir])
    match = match_expression(query)
    if match is not None:
        total, ids = engine.store.search_articles(match)
        assert total == len(ids)
    assert engine.store.count_articles() == 5


def test_snippet_marks_every_form_of_the_query_words():
    text = "Awal berita. " * 20 + "Rusia membeli roket; pembelian itu besar. Akhir."
    pieces = snippet(text, "pembelian", words=12)
    assert [piece for piece, hit in pieces if hit] == ["membeli", "pembelian"]
    assert pieces[0] == ("… ", False)
    assert "".join(piece for piece, _ in pieces).replace("… ", "").replace(" …", "") in text


def test_search_and_story_filters_find_the_seed_story(engine, seeds_dir, clickid_examples):
    engine.ingest([seeds_dir])
    total, ids = engine.store.search_articles(match_expression("pembelian roket"))
    assert total == len(ids) == 5
    seed = engine.stories()[0]
    assert [s["id"] for s in engine.stories(filters=StoryFilter(match=match_expression("Korea Utara")))] == [seed["id"]]
    assert engine.stories(filters=StoryFilter(match=match_expression("sepak bola"))) == []
    first, last = seed["first_published"][:10], seed["last_published"][:10]
    assert engine.store.count_stories(StoryFilter(since=last, until=last)) == 1
    assert engine.store.count_stories(StoryFilter(until=first)) == 1
    assert engine.store.count_stories(StoryFilter(since=f"{int(last[:4]) + 1}-01-01")) == 0
    assert engine.store.count_stories(StoryFilter(until=f"{int(first[:4]) - 1}-12-31")) == 0


def test_stores_written_before_search_are_indexed_when_opened(tmp_path, seeds_dir):
    path = tmp_path / "old.db"
    with kabar.open(path) as engine:
        engine.ingest([seeds_dir])
        engine.refresh()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE article_search")
    db.execute("DROP TABLE story_search")
    db.commit()
    db.close()
    with kabar.open(path) as engine:
        total, _ = engine.store.search_articles(match_expression("roket"))
        assert total == 5
        assert engine.store.count_stories(StoryFilter(match=match_expression("Korut"))) == 1


def test_merged_and_recomputed_stories_leave_no_stale_index_rows(engine, seeds_dir):
    engine.ingest([seeds_dir])
    engine.refresh()
    engine.refresh()
    rows = engine.store.db.execute("SELECT COUNT(*) FROM story_search").fetchone()[0]
    assert rows == engine.store.count_stories() == 1
    engine.recluster()
    engine.refresh()
    assert engine.store.db.execute("SELECT COUNT(*) FROM story_search").fetchone()[0] == engine.store.count_stories()


def test_rebuilding_the_index_replaces_it_whichever_kind_of_table_holds_it(tmp_path, seeds_dir):
    path = tmp_path / "store.db"
    with kabar.open(path) as engine:
        engine.ingest([seeds_dir])
        for _ in range(2):
            engine.store.rebuild_search_index()
            assert engine.store.search_articles(match_expression("roket"))[0] == 5
    db = sqlite3.connect(path)  # the article index as an earlier kabar wrote it: its terms stored as well
    db.execute("DROP TABLE article_search")
    db.execute("CREATE VIRTUAL TABLE article_search USING fts5(terms, tokenize='unicode61 remove_diacritics 2')")
    db.commit()
    db.close()
    with kabar.open(path) as engine:
        for _ in range(2):
            engine.store.rebuild_search_index()
            assert engine.store.search_articles(match_expression("roket"))[0] == 5
