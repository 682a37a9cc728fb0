"""Near-duplicate detection: syndicated copies with edits are linked; other reports of the event are not."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from kabar.dedup import COPY_SHARE, NearDuplicateIndex, copied_share, jaccard, signature

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _sample(n: int) -> list[dict]:
    lines = (EXAMPLES / "clickid-2019-09-10.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[:n]]


def _syndicated(text: str) -> str:
    """A wire copy keeping 85% of the text: its own lead, a tenth of the words in the middle dropped, a 'Baca juga' line."""
    words = text.split()
    cut = len(words) * 4 // 10
    kept = words[:cut] + words[cut + len(words) // 10 :]
    return "JAKARTA, KOMPAS - Dilansir dari kantor berita. " + " ".join(kept) + "\nBaca juga: Berita lain hari ini"


@pytest.fixture(scope="module")
def index_and_rows():
    rows = [r for r in _sample(120) if len(r["text"].split()) > 150]
    index = NearDuplicateIndex()
    for row in rows:
        index.add(row["id"], signature(row["text"]))
    return index, rows


def test_an_edited_syndicated_copy_finds_its_original(index_and_rows):
    index, rows = index_and_rows
    for row in rows[:20]:
        original, estimate = index.find_original(signature(_syndicated(row["text"])))
        assert original == row["id"]
        assert estimate >= 0.6


def test_articles_are_not_copies_of_each_other(index_and_rows):
    _, rows = index_and_rows
    fresh = NearDuplicateIndex()
    linked = []
    for row in rows:
        original, _ = fresh.find_original(signature(row["text"]))
        if original is not None:
            linked.append((row["id"], original))
        fresh.add(row["id"], signature(row["text"]))
    assert linked == []


def test_short_texts_get_no_signature_and_never_match():
    assert signature("Gempa mengguncang Lombok pagi ini.") is None
    assert NearDuplicateIndex().find_original(None) == (None, 0.0)


def test_signatures_are_stable_and_estimate_overlap():
    text = _sample(1)[0]["text"]
    first, second = signature(text), signature(text)
    assert first is not None and (first == second).all()
    assert jaccard(first, signature(_syndicated(text))) > 0.6
    assert jaccard(first, signature(_sample(2)[1]["text"])) < 0.1


def test_the_index_survives_pickling(index_and_rows):
    index, rows = index_and_rows
    restored = pickle.loads(pickle.dumps(index))
    copy = signature(_syndicated(rows[3]["text"]))
    assert restored.find_original(copy) == index.find_original(copy)


def test_the_engine_links_a_copy_to_its_original_in_the_same_story(engine, tmp_path):
    row = next(r for r in _sample(40) if len(r["text"].split()) > 150)
    copy = {**row, "id": "copy-1", "outlet": "cermin.example", "text": _syndicated(row["text"])}
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(row) + "\n" + json.dumps(copy) + "\n", encoding="utf-8")
    report = engine.ingest([path])
    assert report.near_duplicates == 1
    stored = engine.store.article("copy-1")
    assert stored.duplicate_of == row["id"]
    assert stored.story_id == engine.store.article(row["id"]).story_id
    story = engine.story(stored.story_id)
    assert story["n_articles"] == 2 and story["n_unique_articles"] == 1


def test_copied_share_counts_the_copy_s_text_found_in_the_original():
    first, second = [r["text"] for r in _sample(2)]
    assert copied_share(_syndicated(first), first) >= COPY_SHARE
    assert copied_share(first, first) == 1.0
    words, other = first.split(), second.split()
    rewrite = " ".join(words[: len(words) * 6 // 10] + other[: len(words) * 4 // 10])
    assert 0.4 < copied_share(rewrite, first) < COPY_SHARE


def test_the_engine_does_not_link_a_rewrite_that_keeps_only_part_of_the_text(engine, tmp_path):
    rows = [r for r in _sample(60) if len(r["text"].split()) > 150]
    original, other = rows[0], rows[-1]
    words = original["text"].split()
    half = len(words) * 6 // 10
    rewrite = {**original, "id": "rewrite-1", "text": " ".join(words[:half] + other["text"].split()[: len(words) - half])}
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(original) + "\n" + json.dumps(rewrite) + "\n", encoding="utf-8")
    engine.ingest([path])
    assert engine.store.article("rewrite-1").duplicate_of is None


def test_a_bounded_index_forgets_its_oldest_originals_from_every_bucket():
    rows = [r for r in _sample(120) if len(r["text"].split()) > 150][:40]
    index = NearDuplicateIndex(memory_articles=10)
    for row in rows:
        index.add(row["id"], signature(row["text"]))
    remembered = set(index.signatures)
    assert 10 <= len(remembered) <= 12 and rows[-1]["id"] in remembered
    assert {i for band in index.buckets for ids in band.values() for i in ids} == remembered
    assert index.find_original(signature(_syndicated(rows[0]["text"])))[0] is None
    assert index.find_original(signature(_syndicated(rows[-1]["text"])))[0] == rows[-1]["id"]
