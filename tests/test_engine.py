"""The local driver end to end: ingest, dedup on re-ingest, bad input, crash consistency, recluster."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import kabar
from kabar.cluster import Preview, StoryClusterer
from kabar.clustering import ClusteringProcess
from kabar.engine import FREQUENCY_ROWS, SIGNATURE_ROWS, STATE_NAME, STORY_ROWS
from kabar.model import RawDocument
from kabar.read import read_paths


def test_seed_reports_become_one_story_with_five_outlets(engine, seeds_dir):
    report = engine.ingest([seeds_dir])
    assert report.added == 5 and not report.problems
    stories = engine.stories()
    assert len(stories) == 1
    story = engine.story(stories[0]["id"])
    assert story["n_articles"] == 5
    assert len(story["outlets"]) == 5
    assert {"medcom.id", "inionline.id", "rmol.id", "tribunkaltim.co"} <= set(story["outlets"])
    headline = story["headline"].lower()
    assert "rusia" in headline and ("korea utara" in headline or "korut" in headline)
    assert 3 <= len(story["sentences"]) <= 7
    for sentence in story["sentences"]:
        assert sentence["outlets"], sentence


def test_reingesting_a_folder_changes_nothing(engine, seeds_dir):
    engine.ingest([seeds_dir])
    before_articles = [a.to_dict() for a in engine.store.articles()]
    before_stories = engine.stories()
    report = engine.ingest([seeds_dir])
    assert report.added == 0 and report.duplicates == 5
    assert [a.to_dict() for a in engine.store.articles()] == before_articles
    assert engine.stories() == before_stories


def test_one_path_may_be_given_alone(engine, seeds_dir):
    assert engine.ingest(str(seeds_dir)).added == 5
    assert engine.ingest(Path(seeds_dir)).duplicates == 5


def test_a_worker_exits_when_the_ingesting_process_is_gone(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    worker = subprocess.Popen(
        [sys.executable, "-c", f"import time, kabar.workers as w; w._start_worker({gone.stdout.strip()}, False); time.sleep(30)"]
    )
    assert worker.wait(timeout=15) == 1


def test_same_text_from_another_file_is_linked_not_added(engine, seeds_dir, tmp_path):
    engine.ingest([seeds_dir / "001_007ef922b28a0a10.txt"])
    copy = tmp_path / "mirror" / "copy-of-001.txt"
    copy.parent.mkdir()
    shutil.copy(seeds_dir / "001_007ef922b28a0a10.txt", copy)
    report = engine.ingest([copy])
    assert report.added == 0 and report.duplicates == 1
    assert engine.store.count_articles() == 1


def test_bad_inputs_are_reported_by_name_and_nothing_stored_is_lost(engine, seeds_dir, tmp_path):
    engine.ingest([seeds_dir])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (bad / "empty.txt").write_text("")
    good_line = json.dumps(
        {
            "id": "ok-1",
            "title": "Banjir Rendam Ratusan Rumah di Bekasi",
            "text": "Banjir merendam ratusan rumah warga di Bekasi, Jawa Barat, Selasa (10/9/2019). "
            "Hujan deras sejak malam membuat sungai meluap.",
        }
    )
    (bad / "mixed.jsonl").write_text('{"id": "broken", "text": "unterminated\n' + good_line + "\n[1, 2, 3]\n")
    (bad / "latin1.txt").write_bytes(
        "Harga cabai naik tajam di pasar Kramat Jati, kata pedagang Ibu Siti. Café dan warung mengeluh.".encode("cp1252")
    )
    problems: list[tuple[str, str]] = []
    report = engine.ingest([bad], on_problem=lambda source, message: problems.append((source, message)))
    messages = {Path(source.split(":")[0]).name: message for source, message in problems}
    assert "binary" in messages["photo.txt"]
    assert "empty" in messages["empty.txt"]
    assert any("mixed.jsonl:1" in source and "invalid JSON" in message for source, message in problems)
    assert any("mixed.jsonl:3" in source for source, _ in problems)
    assert "latin1.txt" not in messages  # a non-UTF-8 file is decoded by its detected charset, not refused
    decoded = next(a for a in engine.store.articles() if a.source.endswith("latin1.txt"))
    assert "Café dan warung" in decoded.text
    assert report.added == 2  # the good JSON line and the decoded cp1252 file
    stored_ids = {a.id for a in engine.store.articles()}
    assert "ok-1" in stored_ids
    assert engine.store.count_articles() == 7
    assert len(engine.stories()) >= 2


def test_crash_mid_ingest_leaves_the_store_as_of_the_last_commit(tmp_path, seeds_dir):
    path = tmp_path / "k.db"
    with kabar.open(path) as engine:
        engine.ingest([seeds_dir])
        state_before = _saved_state(engine)
        assert state_before[0] and state_before[1]

    def exploding_stream():
        yield RawDocument(
            source="a.txt",
            kind="text",
            content="Gempa magnitudo 5,2 mengguncang Lombok Utara, Senin (9/9/2019). Warga berhamburan keluar rumah.",
        )
        raise RuntimeError("disk unplugged")

    with kabar.open(path) as engine, pytest.raises(RuntimeError):
        list(engine.ingest_documents(exploding_stream(), lambda s, m: None))
    with kabar.open(path) as engine:
        assert engine.store.count_articles() == 5
        assert _saved_state(engine) == state_before
        report = engine.ingest([seeds_dir])
        assert report.duplicates == 5


@pytest.mark.parametrize("workers", [1, 2], ids=["in this process", "workers and clustering process"])
def test_an_engine_goes_on_from_its_store_after_an_ingest_fails(tmp_path, clickid_examples, monkeypatch, workers):
    import kabar.engine
    import kabar.workers

    monkeypatch.setattr(kabar.workers, "PARALLEL_MIN_DOCUMENTS", 10)  # read ahead 10 documents, not the whole input
    monkeypatch.setattr(kabar.workers, "WORKERS", workers)
    monkeypatch.setattr(kabar.workers, "CHUNK_DOCUMENTS", 5)  # workers read 20 documents ahead
    monkeypatch.setattr(kabar.engine, "BATCH_SIZE", 20)  # the failure comes after commits
    documents = list(read_paths([clickid_examples]))
    with kabar.open(tmp_path / "clean.db") as clean:
        list(clean.ingest_documents(documents, lambda s, m: None))
        expected, frequencies = _partition(clean), clean.state.clusterer.weights.document_frequency
        outlets = _outlet_counts(clean)

    def failing():
        yield from documents[:90]
        raise RuntimeError("disk unplugged")

    with kabar.open(tmp_path / "k.db") as engine:
        with pytest.raises(RuntimeError):
            list(engine.ingest_documents(failing(), lambda s, m: None))
        assert engine.store.count_articles() in (20, 40, 60, 80)  # the batches committed before the failure
        list(engine.ingest_documents(documents, lambda s, m: None))
        assert _partition(engine) == expected
        assert engine.state.clusterer.weights.document_frequency == frequencies  # the failed ingest's articles counted once
        assert _outlet_counts(engine) == outlets  # and once in what furniture learning counted


FAILING_INGEST_UNDER_THE_COMMAND = """
import signal, sys
import kabar, kabar.engine, kabar.workers
from kabar.cli import _interrupt
from kabar.read import read_paths

signal.signal(signal.SIGTERM, _interrupt)  # as the kabar command does: its forked processes inherit it
kabar.workers.PARALLEL_MIN_DOCUMENTS = 10
kabar.workers.CHUNK_DOCUMENTS = 5
kabar.engine.BATCH_SIZE = 20
documents = list(read_paths([sys.argv[1]]))

def failing():
    yield from documents[:90]
    raise RuntimeError("disk unplugged")

with kabar.open(sys.argv[2]) as engine:
    try:
        list(engine.ingest_documents(failing(), lambda s, m: None))
    except RuntimeError:
        print("stored", engine.store.count_articles())
"""


def test_a_failed_ingest_under_the_command_stops_its_processes(tmp_path, clickid_examples):
    """The clustering process, forked from a process whose SIGTERM ends the command like Ctrl-C, used to wait forever to
    hand its queued replies to the failed ingest, and the ingest waited for it."""
    script = [sys.executable, "-c", FAILING_INGEST_UNDER_THE_COMMAND, str(clickid_examples), str(tmp_path / "k.db")]
    done = subprocess.run(script, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() in (["stored", "20"], ["stored", "40"], ["stored", "60"], ["stored", "80"])


def _outlet_counts(engine) -> list[tuple]:
    return engine.store.db.execute("SELECT outlet, n_articles FROM outlet_articles ORDER BY outlet").fetchall()


def _saved_state(engine) -> tuple:
    store = engine.store
    rows = (store.load_state_rows(kind) for kind in (STORY_ROWS, SIGNATURE_ROWS, FREQUENCY_ROWS))
    return store.load_state(STATE_NAME), *rows


def test_recluster_rebuilds_the_same_stories(engine, seeds_dir, clickid_examples):
    # Ingested in publication order (the 2019 sample, then the 2022 seeds), the order recluster replays: the
    # online pass depends on what came before (document frequencies), so only the same order promises the same stories.
    engine.ingest([clickid_examples, seeds_dir])
    partition = _partition(engine)
    assert len(partition) < engine.store.count_articles()
    engine.recluster()
    assert _partition(engine) == partition


def _partition(engine) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for article in engine.store.articles():
        groups.setdefault(article.story_id, set()).add(article.id)
    return {frozenset(group) for group in groups.values()}


def test_no_clickid_sample_article_joins_the_seed_story(engine, seeds_dir, clickid_examples):
    engine.ingest([seeds_dir, clickid_examples])
    seed_story = {a.story_id for a in engine.store.articles() if a.source.startswith(str(seeds_dir))}
    assert len(seed_story) == 1
    members = list(engine.store.articles(seed_story.pop()))
    assert len(members) == 5


def test_results_do_not_depend_on_batching(tmp_path, clickid_examples, monkeypatch):
    import kabar.engine

    with kabar.open(tmp_path / "one.db") as whole:
        whole.ingest([clickid_examples])
        expected = _partition(whole)
        frequencies = whole.state.clusterer.weights.document_frequency
    monkeypatch.setattr(kabar.engine, "BATCH_SIZE", 7)
    monkeypatch.setattr(kabar.engine, "FREQUENCY_SNAPSHOT_EVERY", 3)
    documents = list(read_paths([clickid_examples]))
    for start in range(0, len(documents), 50):
        with kabar.open(tmp_path / "many.db") as batched:
            list(batched.ingest_documents(documents[start : start + 50], lambda s, m: None))
            assert len(batched.store.load_state_rows(FREQUENCY_ROWS)) <= 3
    with kabar.open(tmp_path / "many.db") as batched:
        assert _partition(batched) == expected
        assert batched.state.clusterer.weights.document_frequency == frequencies


def test_a_store_saved_with_whole_frequencies_in_its_state_goes_on_from_them(tmp_path, clickid_examples):
    documents = list(read_paths([clickid_examples]))
    half = len(documents) // 2
    with kabar.open(tmp_path / "whole.db") as whole:
        list(whole.ingest_documents(documents, lambda s, m: None))
        expected, frequencies = _partition(whole), whole.state.clusterer.weights.document_frequency
    with kabar.open(tmp_path / "old.db") as old:
        list(old.ingest_documents(documents[:half], lambda s, m: None))
        # saved as kabar did before frequencies had rows of their own: whole, in the state
        clusterer_blob, deduper_settings, provisional = pickle.loads(old.store.load_state(STATE_NAME))
        clusterer_state = pickle.loads(clusterer_blob)
        clusterer_state["document_frequency"] = dict(old.state.clusterer.weights.document_frequency)
        with old.store.transaction():
            old.store.save_state(STATE_NAME, pickle.dumps((clusterer_state, deduper_settings, provisional)))
            old.store.save_state_rows(FREQUENCY_ROWS, {key: None for key, _ in old.store.load_state_rows(FREQUENCY_ROWS)})
    with kabar.open(tmp_path / "old.db") as old:
        list(old.ingest_documents(documents[half:], lambda s, m: None))
    with kabar.open(tmp_path / "old.db") as old:
        assert old.state.clusterer.weights.document_frequency == frequencies
        assert _partition(old) == expected


def _ingest_all(path: Path, documents: list[RawDocument]) -> tuple[list[tuple], list[tuple]]:
    """Outcomes of ingesting ``documents`` into a fresh store at ``path``, and the stored articles' fields."""
    with kabar.open(path) as engine:
        outcomes = [(o.status, o.article_id, o.story_id) for o in engine.ingest_documents(documents, lambda s, m: None)]
        articles = [(a.id, a.text, a.furniture, a.story_id, a.duplicate_of, a.evidence) for a in engine.store.articles()]
    return outcomes, articles


def _with_copies(documents: list[RawDocument]) -> list[RawDocument]:
    """The documents with, right after every tenth one, the same article updated (its id, a sentence added), the same
    text under another id, and a near-duplicate copy (its own id, another sentence added): each arrives while its
    original may still wait for its story."""
    with_copies = []
    for n, document in enumerate(documents):
        with_copies.append(document)
        if n % 10 == 0:
            source, kind, content, hints = document.source, document.kind, document.content, document.hints
            with_copies += [
                RawDocument(f"{source}#updated", kind, content + " Artikel ini telah diperbarui.", hints),
                RawDocument(f"{source}#again", kind, content, {**hints, "id": f"again-{n}"}),
                RawDocument(
                    f"{source}#copy",
                    kind,
                    content + " Berita ini dimuat ulang oleh media mitra kami.",
                    {**hints, "id": f"copy-{n}"},
                ),
            ]
    return with_copies


def test_workers_and_the_clustering_process_give_the_results_of_one_by_one_ingest(tmp_path, clickid_examples, monkeypatch):
    import kabar.engine
    import kabar.workers

    documents = _with_copies(list(read_paths([clickid_examples])))
    expected = _ingest_all(tmp_path / "one.db", documents)
    assert sum(status == "duplicate" for status, *_ in expected[0]) >= 60
    assert sum(status == "near-duplicate" for status, *_ in expected[0]) >= 25  # the rest are too short to tell
    started = []
    monkeypatch.setattr(kabar.engine, "ClusteringProcess", lambda *args: started.append(args) or ClusteringProcess(*args))
    monkeypatch.setattr(kabar.workers, "PARALLEL_MIN_DOCUMENTS", 20)
    monkeypatch.setattr(kabar.workers, "CHUNK_DOCUMENTS", 9)
    monkeypatch.setattr(kabar.workers, "WORKERS", 2)
    monkeypatch.setattr(kabar.engine, "BATCH_SIZE", 40)
    assert _ingest_all(tmp_path / "workers.db", documents) == expected
    assert len(started) == 1


def test_furniture_learned_while_workers_run_ahead_is_applied(tmp_path, monkeypatch):
    import kabar.engine
    import kabar.workers

    promo = "Dapatkan promo menarik dari toko kami"
    documents = [
        RawDocument(
            source=f"{n}.txt",
            kind="text",
            content=f"Judul Berita Tentang Banjir Hari Ini\nBanjir merendam rumah warga di Desa {village}, Selasa.\n{promo}\n",
            hints={"outlet": "contoh.id", "id": f"m{n}"},
        )
        for n, village in enumerate(f"{first}{second}" for first in "ABCDEFGH" for second in "abcdefgh")
    ]
    monkeypatch.setattr(kabar.engine, "BATCH_SIZE", 4)
    expected = _ingest_all(tmp_path / "one.db", documents)
    assert promo in expected[1][0][1] and promo not in expected[1][-1][1]  # learned after a few batches
    monkeypatch.setattr(kabar.workers, "PARALLEL_MIN_DOCUMENTS", 10)
    monkeypatch.setattr(kabar.workers, "CHUNK_DOCUMENTS", 5)
    monkeypatch.setattr(kabar.workers, "WORKERS", 2)
    assert _ingest_all(tmp_path / "workers.db", documents) == expected


def test_the_end_of_an_ingest_writes_where_settling_puts_its_articles(engine, seeds_dir):
    """With online joins switched off each seed report opens a story; the ingest's closing preview regroups them in the store."""
    clusterer = engine.state.clusterer
    clusterer.models = {lang: dict(m, join_threshold=0.999, merge_threshold=1.01) for lang, m in clusterer.models.items()}
    engine.ingest([seeds_dir])
    articles = list(engine.store.articles())
    stories = Counter(a.story_id for a in articles)
    assert len(articles) == 5 and max(stories.values()) >= 4, "one pass regroups at least four of the five"
    moved = [a for a in articles if a.evidence.get("settled") == "until the next settle"]
    assert len(moved) >= 3, "the moves are written to the store, with their evidence"
    assert len(clusterer.stories) == 5, "a preview changes no clusterer state"
    assert engine.store.count_stories() == len(stories)


def test_story_merges_of_a_preview_are_provisional_and_a_settle_makes_them(tmp_path, seeds_dir):
    """Each seed report opens a story; the closing preview's consolidation shows them as one until the next ingest, whose
    settle merges them for real (recorded as merges), and a report of another strike stays apart."""
    with kabar.open(tmp_path / "kabar.db") as engine:
        clusterer = engine.state.clusterer
        clusterer.models = {lang: dict(m, join_threshold=0.999, settle_threshold=0.999) for lang, m in clusterer.models.items()}
        clusterer.merge_models = {"id": {"features": ["cosine"], "weights": [40.0], "bias": -16.0, "merge_threshold": 0.5}}
        clusterer.settle_every = 6
        for _ in range(2):  # the second ingest adds nothing: it undoes the provisional merges and makes them again
            engine.ingest([seeds_dir])
            articles = list(engine.store.articles())
            assert len({a.story_id for a in articles}) == 1 and engine.store.count_stories() == 1
            assert sum("provisional_merge_from" in a.evidence for a in articles) == 4
            assert len(clusterer.stories) == 5 and engine.store.merges() == [], "a preview changes no state, records no merge"

    with kabar.open(tmp_path / "kabar.db") as engine:
        assert len(engine.state.provisional) == 4, "provisional merges are saved with the stages' state"
        engine.ingest([Path(__file__).parent / "data" / "cluster" / "missile_strike_kharkiv.txt"])
        articles = list(engine.store.articles())
        by_story = Counter(a.story_id for a in articles)
        assert sorted(by_story.values()) == [1, 5] and engine.store.count_stories() == 2
        assert not any("provisional_merge_from" in a.evidence for a in articles)
        assert len(engine.store.merges()) == 4 and all(m["reason"]["consolidated"] for m in engine.store.merges())
        clusterer = engine.state.clusterer
        assert {clusterer.resolve(s) for s in clusterer.stories} == set(by_story)


def test_a_chain_of_provisional_merges_is_undone_to_the_stories_the_articles_came_from(engine, seeds_dir, monkeypatch):
    clusterer = engine.state.clusterer
    clusterer.models = {lang: dict(m, join_threshold=0.999, settle_threshold=0.999) for lang, m in clusterer.models.items()}
    clusterer.merge_models = {}
    clusterer.settle_every = 5  # all five settled: no preview decision moves them back
    engine.ingest([seeds_dir])
    apart = {a.id: a.story_id for a in engine.store.articles()}
    first, second, third, *_ = sorted(set(apart.values()), key=int)
    chain = [(second, first, {"merge_score": 1.0}), (first, third, {"merge_score": 1.0})]
    real_preview = StoryClusterer.preview
    monkeypatch.setattr(StoryClusterer, "preview", lambda self: Preview(real_preview(self).decisions, chain))
    engine.ingest([seeds_dir])  # adds nothing; its closing preview merges a story, then the story it merged into
    merged = {a.id: a.story_id for a in engine.store.articles()}
    assert sum(story == third for story in merged.values()) == 3
    monkeypatch.undo()
    engine.ingest([seeds_dir])
    assert {a.id: a.story_id for a in engine.store.articles()} == apart
    assert not any("provisional_merge_from" in a.evidence for a in engine.store.articles())


def test_an_engine_reads_the_state_another_engine_saved_before_it_ingests(tmp_path, clickid_examples):
    """Two engines on one store (a server and the command, say) take turns: each ingest starts from the stories as
    stored, so the result is that of one engine ingesting all three parts (before, the first engine's stale story
    numbers collided with the second's)."""
    documents = list(read_paths([clickid_examples]))
    parts = documents[:30], documents[30:60], documents[60:90]
    with kabar.open(tmp_path / "one.db") as alone:
        for part in parts:
            list(alone.ingest_documents(part, lambda s, m: None))
        expected = _partition(alone)
    with kabar.open(tmp_path / "k.db") as first:
        list(first.ingest_documents(parts[0], lambda s, m: None))
        with kabar.open(tmp_path / "k.db") as second:
            list(second.ingest_documents(parts[1], lambda s, m: None))
        list(first.ingest_documents(parts[2], lambda s, m: None))
        assert _partition(first) == expected


def test_an_ingest_stops_when_another_engine_writes_between_its_batches(tmp_path, clickid_examples, monkeypatch):
    from kabar.store import StoreError

    monkeypatch.setattr(kabar.engine, "BATCH_SIZE", 20)
    documents = list(read_paths([clickid_examples]))
    with kabar.open(tmp_path / "k.db") as first:
        outcomes = first.ingest_documents(documents[:60], lambda s, m: None)
        next(outcomes)  # the first batch is committed
        with kabar.open(tmp_path / "k.db") as second:
            list(second.ingest_documents(documents[100:110], lambda s, m: None))
        with pytest.raises(StoreError, match="another kabar wrote to this store"):
            list(outcomes)
        assert first.store.count_articles() == 30, "the first batch and the other engine's articles are kept"
        list(first.ingest_documents(documents[:60], lambda s, m: None))
        assert first.store.count_articles() == 70


def test_a_busy_store_is_a_clear_error(tmp_path, seeds_dir, monkeypatch):
    import kabar.store.sqlite
    from kabar.store import StoreError

    monkeypatch.setattr(kabar.store.sqlite, "BUSY_SECONDS", 0.1)
    with kabar.open(tmp_path / "k.db") as writing, writing.store.transaction():
        writing.store.save_state("held", b"by an ingest's batch")
        with kabar.open(tmp_path / "k.db") as other, pytest.raises(StoreError, match="the store is busy"):
            other.ingest([seeds_dir])


def test_a_full_disk_is_a_store_error_and_loses_nothing_stored(tmp_path, seeds_dir, clickid_examples):
    from kabar.store import StoreError

    with kabar.open(tmp_path / "k.db") as engine:
        engine.ingest([seeds_dir])
        pages = engine.store.db.execute("PRAGMA page_count").fetchone()[0]
        engine.store.db.execute(f"PRAGMA max_page_count={pages + 5}")  # the disk fills during the next ingest
        with pytest.raises(StoreError, match="database or disk is full"):
            engine.ingest([clickid_examples])
    with kabar.open(tmp_path / "k.db") as engine:
        assert engine.store.count_articles() == 5
        report = engine.ingest([clickid_examples])
        assert report.added > 300 and engine.store.count_articles() == 5 + report.added
