"""Exports of analysed stories: Markdown report, JSON, JSONL, Parquet, and the ``kabar export`` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import kabar
from kabar.cli import main
from kabar.export import story_markdown, write_jsonl, write_parquet

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed story."""
    path = tmp_path_factory.mktemp("export") / "seed.db"
    with kabar.open(path) as engine:
        engine.ingest([REPO / "examples" / "seeds"])
    return path


@pytest.fixture(scope="module")
def story(seed_db: Path) -> dict:
    """The seed story's data."""
    with kabar.open(seed_db) as engine:
        return engine.story(engine.stories()[0]["id"])


def test_markdown_report_has_footnoted_summary_and_every_section(story: dict) -> None:
    report = story_markdown(story)
    assert report.startswith(f"# {story['headline']}\n")
    for heading in ("## Summary", "## Timeline", "## Quotes", "## Cited sources", "## Coverage", "## Sources"):
        assert heading in report
    footnotes = {outlet: number for number, outlet in enumerate(story["outlets"], start=1)}
    first = story["sentences"][0]
    assert f"- {first['text']}" + "".join(f"[^{footnotes[o]}]" for o in first["outlets"]) in report
    assert f"[^{footnotes['rmol.id']}]: rmol.id: Pentagon: Kabar Rusia" in report
    assert "**The New York Times** — first reported the story" in report
    assert "**Pat Ryder**, Sekretaris Pers Pentagon:" in report
    assert "| tribunkaltim.co |" in report


def test_jsonl_and_parquet_round_trip(story: dict, tmp_path: Path) -> None:
    out = io.StringIO()
    write_jsonl([story, story], out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and json.loads(lines[0]) == story
    write_parquet([story], tmp_path / "stories.parquet")
    table = pq.read_table(tmp_path / "stories.parquet")
    row = table.to_pylist()[0]
    assert row["id"] == story["id"] and row["first_reported_by"] == "The New York Times"
    assert row["summary"] == [s["text"] for s in story["sentences"]]
    assert json.loads(row["data"]) == story


def test_export_command_writes_each_format(
    seed_db: Path, story: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(seed_db), "export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [story]
    assert (
        main(["--db", str(seed_db), "export", "--format", "markdown", "--story", story["id"], "--out", str(tmp_path / "r.md")])
        == 0
    )
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == story_markdown(story)
    assert main(["--db", str(seed_db), "export", "--format", "parquet", "--out", str(tmp_path / "s.parquet")]) == 0
    assert pq.read_table(tmp_path / "s.parquet").num_rows == 1


def test_export_command_errors_name_the_input(seed_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(seed_db), "export", "--story", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "kabar: no story with id nope"
    assert main(["--db", str(seed_db), "export", "--format", "parquet"]) == 2
    assert "needs --out" in capsys.readouterr().err
