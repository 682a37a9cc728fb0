"""Acceptance on the seed story: five outlets report that Russia buys rockets from North Korea (examples/seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kabar

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed_story(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stored data of the story the five seeds form."""
    with kabar.open(tmp_path_factory.mktemp("seed") / "seed.db") as engine:
        engine.ingest([REPO / "examples" / "seeds"])
        (listing,) = engine.stories()
        story = engine.story(listing["id"])
    assert story is not None
    return story


def test_cited_sources_name_every_upstream_medium_with_the_outlets_citing_it(seed_story: dict[str, Any]) -> None:
    cited = {c["name"]: set(c["outlets"]) for c in seed_story["cited_sources"]}
    assert {"The New York Times", "Reuters", "AFP", "Associated Press", "The Independent", "Al Jazeera"} <= set(cited)
    assert seed_story["first_reported_by"] == "The New York Times"
    assert {"inionline.id", "rmol.id", "tribunkaltim.co"} <= cited["The New York Times"]
    assert cited["AFP"] == {"rmol.id"}
    assert cited["Reuters"] == {"inionline.id"}
    assert cited["Al Jazeera"] == {"tribunkaltim.co"}
    assert cited["Associated Press"] == {"unknown (003_843654094cf6ca88)"}


def test_pat_ryder_is_quoted_with_his_role_by_rmol(seed_story: dict[str, Any]) -> None:
    ryder = [q for q in seed_story["quotes"] if q["speaker"] == "Pat Ryder"]
    assert any(q["direct"] and q["outlets"] == ["rmol.id"] for q in ryder)
    assert {q["role"] for q in ryder} == {"Sekretaris Pers Pentagon"}


def test_the_anonymous_officials_quote_is_one_quote_carried_by_several_outlets(seed_story: dict[str, Any]) -> None:
    official = [q for q in seed_story["quotes"] if q["speaker"] == "seorang pejabat AS" and "kekurangan pasokan" in q["text"]]
    assert len(official) == 1
    assert len(official[0]["outlets"]) >= 3


def test_timeline_has_the_invasion_and_the_intelligence_finding(seed_story: dict[str, Any]) -> None:
    days = {e["date"] for e in seed_story["timeline"] if e["precision"] == "day"}
    assert "2022-02-24" in days
    assert {"2022-09-05", "2022-09-06"} <= days
    assert [p["outlet"] for p in seed_story["publications"]][-1] == "tribunkaltim.co"


def test_facts_only_one_outlet_reports(seed_story: dict[str, Any]) -> None:
    coverage = seed_story["coverage"]
    facts = {f["id"]: f["text"] for f in coverage["facts"]}

    def unique_texts(outlet: str) -> str:
        return " ".join(facts[i] for i in coverage["by_outlet"][outlet]["unique"])

    assert "resolusi PBB" in unique_texts("rmol.id")
    assert "latihan militer bersama" in unique_texts("unknown (003_843654094cf6ca88)")
    assert "Uni Eropa semakin menipis" in unique_texts("tribunkaltim.co")
    assert all(f["unique"] == (len(f["outlets"]) == 1) for f in coverage["facts"])


def test_entities_merge_aliases_and_keep_the_capital_apart(seed_story: dict[str, Any]) -> None:
    entities = {e["name"]: e for e in seed_story["entities"]}
    assert {"Korut"} <= set(entities["Korea Utara"]["aliases"])
    assert "AS" in entities["Amerika Serikat"]["aliases"]
    assert entities["Moskow"]["type"] == "place" and "Moskow" not in entities["Rusia"]["aliases"]
    assert entities["Pat Ryder"]["roles"] == ["Sekretaris Pers Pentagon"]
    assert entities["Korea Utara"]["mentions"]["rmol.id"] >= 5


def test_summary_sentences_carry_their_outlets_and_skip_attribution(seed_story: dict[str, Any]) -> None:
    sentences = seed_story["sentences"]
    assert 3 <= len(sentences) <= 7
    assert max(len(s["outlets"]) for s in sentences) >= 3
    assert not any("pertama kali dilaporkan oleh" in s["text"] for s in sentences)
