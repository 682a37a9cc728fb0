"""The kabar command as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kabar.cli import main, print_story_list, print_why
from kabar.engine import Kabar


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kabar", *args], capture_output=True, text=True, timeout=300)


def test_ingest_stories_story_round_trip(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    assert "added 5 articles" in capsys.readouterr().out
    assert main(["--db", db, "stories", "--json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert len(stories) == 1 and stories[0]["n_articles"] == 5 and stories[0]["n_outlets"] == 5
    assert main(["--db", db, "story", stories[0]["id"]]) == 0
    text = capsys.readouterr().out
    assert "rmol.id" in text and "tribunkaltim.co" in text
    assert main(["--db", db, "story", stories[0]["id"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == stories[0]["id"]


def test_unknown_story_is_a_clear_error(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    Kabar.open(db).close()
    assert main(["--db", db, "story", "999"]) == 2
    assert "no story with id 999" in capsys.readouterr().err


def test_a_merged_story_id_shows_the_story_it_joined(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    with Kabar.open(db) as engine:
        engine.ingest([seeds_dir])
        live = engine.stories()[0]["id"]
        with engine.store.transaction():
            engine.store.record_merge("old-1", "old-2", {"by": "test"})
            engine.store.record_merge("old-2", live, {"by": "test"})
        assert engine.merged_into("old-1") == live and engine.merged_into(live) is None
        assert engine.story("old-1") is None, "the Python API keeps ids exact; merged_into follows them"
    capsys.readouterr()
    assert main(["--db", db, "story", "old-1", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["id"] == live
    assert f"story old-1 was merged into story {live}" in captured.err
    assert main(["--db", db, "export", "--story", "old-2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == live
    assert main(["--db", db, "story", "old-3"]) == 2


def test_reading_commands_never_create_a_store(tmp_path, capsys):
    typo = tmp_path / "typo" / "kabr.db"
    for command in (["stories"], ["story", "1"], ["search", "roket"], ["export"], ["recluster"]):
        assert main(["--db", str(typo), *command]) == 2
        assert f"no store at {typo}" in capsys.readouterr().err
    assert not typo.parent.exists()


def test_output_that_cannot_be_written_is_one_line(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    capsys.readouterr()
    missing = tmp_path / "no-such-folder" / "out.json"
    assert main(["--db", db, "export", "--format", "json", "--out", str(missing)]) == 2
    assert capsys.readouterr().err == f"kabar: {missing}: No such file or directory\n"
    assert main(["--db", db, "export", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"kabar: {tmp_path}: Is a directory\n"
    assert main(["cluster", str(seeds_dir / "002_88669ab05aaa08cf.txt"), "--out", str(missing)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_search_finds_word_forms_and_honours_exclusions(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", "pembelian roket", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["total"] == 5 and len({hit["outlet"] for hit in found["articles"]}) == 5
    assert all(hit["story_id"] == found["articles"][0]["story_id"] for hit in found["articles"])
    assert main(["--db", db, "search", "roket", "--limit", "1"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "5 articles match" and len(text) == 3 and "[roket]" in text[2].lower()
    assert main(["--db", db, "search", "roket -Korea"]) == 0
    assert capsys.readouterr().out == "0 articles match\n"


def test_ingest_reports_bad_input_on_stderr_with_exit_code(tmp_path):
    bad = tmp_path / "garbage.bin"
    bad.write_bytes(bytes(range(256)) * 4)
    result = run_cli("--db", str(tmp_path / "k.db"), "ingest", str(bad))
    assert result.returncode == 1
    assert "garbage.bin" in result.stderr and "binary" in result.stderr
    assert "Traceback" not in result.stderr


def test_ingest_from_stdin(tmp_path, seeds_dir):
    text = (seeds_dir / "002_88669ab05aaa08cf.txt").read_text()
    result = subprocess.run(
        [sys.executable, "-m", "kabar", "--db", str(tmp_path / "k.db"), "ingest", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "added 1 articles" in result.stdout


def test_cluster_writes_one_line_per_input_in_input_order(tmp_path, seeds_dir):
    records = []
    for number, path in enumerate(sorted(Path(seeds_dir).glob("*.txt"))):
        records.append({"id": f"seed-{number}", "text": path.read_text()})
    records.insert(
        2,
        {
            "id": "other",
            "title": "Timnas Indonesia Kalah dari Thailand",
            "text": (
                "Timnas Indonesia kalah 0-3 dari Thailand pada laga kualifikasi Piala Dunia 2022 di Stadion Utama "
                "Gelora Bung Karno, Selasa (10/9/2019). Pelatih Simon McMenemy mengaku kecewa dengan hasil itu."
            ),
        },
    )
    records.append({"id": "seed-0", "text": records[0]["text"]})
    records.append({"text": records[1]["text"]})  # no id: named by its place in the file
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = tmp_path / "out.jsonl"
    assert main(["cluster", str(source), "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [r.get("id", f"{source}:{len(records)}") for r in records]
    seed_stories = {line["story"] for line in lines if line["id"].startswith("seed-")}
    assert len(seed_stories) == 1
    assert next(line["story"] for line in lines if line["id"] == "other") not in seed_stories


def test_story_why_explains_each_assignment(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "stories", "--json"]) == 0
    (story,) = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "story", story["id"], "--why"]) == 0
    lines = capsys.readouterr().out.splitlines()
    reasons = [line.strip() for line in lines if line.startswith("    ")]
    assert len(reasons) == 5
    assert sum(reason.startswith("opened the story") for reason in reasons) == 1
    assert sum("joined: score" in reason for reason in reasons) == 4
    assert sum("no date" in reason for reason in reasons) == 1  # the tribunkaltim.co copy gives no date
    assert not any("None" in reason for reason in reasons)


def test_why_names_the_story_a_provisionally_merged_article_came_from(capsys):
    evidence = {"score": 0.97, "cosine": 0.61, "provisional_merge_from": "12", "merge": {"merge_score": 0.93}}
    article = {
        "published_at": "2021-03-04T08:00:00+00:00",
        "outlet": "example.com",
        "title": "Footbridge collapses",
        "evidence": evidence,
    }
    print_why({"articles": [article], "merges": []})
    assert "shown here from story 12 until the next ingest (merge score 0.93)" in capsys.readouterr().out


def test_story_list_counts_read_naturally(capsys):
    listing = {"id": "7", "headline": "Rusia beli roket Korut", "first_published": "2022-09-06", "last_published": "2022-09-07"}
    print_story_list([{**listing, "n_articles": 1, "n_outlets": 1, "outlets": ["rmol.id"]}])
    print_story_list([{**listing, "n_articles": 5, "n_outlets": 2, "outlets": ["rmol.id", "tribunkaltim.co"]}])
    out = capsys.readouterr().out
    assert "1 article, 1 outlet (rmol.id)" in out
    assert "5 articles, 2 outlets (rmol.id, tribunkaltim.co)" in out


def test_why_says_when_an_article_reopened_a_quiet_story(capsys):
    evidence = {"score": 0.93, "cosine": 0.7, "title_cosine": 0.6, "shared_names": ["basarnas"], "gap_days": 4.5}
    article = {"published_at": "2021-03-09", "outlet": "example.com", "title": "Search resumes", "evidence": evidence}
    print_why({"articles": [article], "merges": []})
    assert "joined: score 0.93" in capsys.readouterr().out, "evidence stored before re-opens were marked reads as before"
    evidence["reopened"] = True
    print_why({"articles": [article], "merges": []})
    assert "re-opened the story after 4.5 quiet days: score 0.93" in capsys.readouterr().out


def test_reading_commands_leave_a_database_that_is_not_a_store_as_it_was(tmp_path, capsys):
    import sqlite3

    other = tmp_path / "notes.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (x)")
        connection.execute("INSERT INTO notes VALUES ('my data')")
    connection.close()
    empty = tmp_path / "empty.db"
    empty.touch()
    before = other.read_bytes()
    for db in (other, empty):
        for command in (["stories"], ["story", "1"], ["search", "roket"], ["export"]):
            assert main(["--db", str(db), *command]) == 2
            assert f"{db}: not a kabar store" in capsys.readouterr().err
    assert other.read_bytes() == before and empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "notes.db"]


def test_limits_out_of_range_are_usage_errors(tmp_path, seeds_dir, capsys):
    import pytest

    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    too_far = ["stories", "--limit", "99999999999999999999"]
    for arguments in (too_far, ["stories", "--offset", "-5"], ["search", "x", "--limit", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            main(["--db", db, *arguments])
        assert exit_.value.code == 2 and "must be from 0 to" in capsys.readouterr().err


def test_export_of_an_empty_story_id_is_not_every_story(tmp_path, seeds_dir, capsys):
    db = str(tmp_path / "k.db")
    assert main(["--db", db, "ingest", str(seeds_dir)]) == 0
    assert main(["--db", db, "export", "--story", "", "--format", "json"]) == 2
    assert "no story with id" in capsys.readouterr().err
