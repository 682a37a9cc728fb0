"""The summarise stage and the ROUGE scorer its benchmark uses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kabar.model import Article
from kabar.summarise import is_attribution, is_furniture, strip_dateline, summarise, summary_length

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from rouge import lcs_length, rouge

LEAD = (
    "Jakarta, CNN Indonesia - - Topan Faxai membuat ribuan penumpang telantar semalaman di Bandara Narita, Tokyo. "
    "Lebih dari seratus penerbangan dibatalkan dan jalur kereta menuju bandara terganggu parah. "
    "Temuan ini pertama kali dilaporkan oleh The New York Times. "
    "Baca juga: Topan Faxai Hantam Jepang, Penerbangan Dibatalkan "
    "Pihak bandara membagikan air minum, biskuit dan kasur gulung kepada penumpang yang telantar. "
    "Kereta bawah tanah di wilayah Tokyo belum beroperasi hingga pukul delapan pagi waktu setempat."
)


def story_article(article_id: str, text: str, outlet: str, duplicate_of: str | None = None) -> Article:
    """An article of a test story."""
    return Article(id=article_id, title=text.split(".")[0], text=text, outlet=outlet, language="id", duplicate_of=duplicate_of)


def test_one_article_summary_is_three_lead_sentences_without_dateline_attribution_or_furniture() -> None:
    result = summarise([story_article("a", LEAD, "cnnindonesia.com")])
    texts = [s["text"] for s in result["sentences"]]
    assert len(texts) == summary_length(1) == 3
    assert texts[0].startswith("Topan Faxai membuat ribuan penumpang")
    assert not any("New York Times" in t or "Baca juga" in t for t in texts)
    assert all(s["outlets"] == ["cnnindonesia.com"] for s in result["sentences"])


def test_sentences_shared_by_outlets_list_every_outlet_and_copies_count_once() -> None:
    other = (
        "Ribuan penumpang telantar semalaman di Bandara Narita Tokyo akibat Topan Faxai. "
        "Pemerintah Jepang bersiap menjadi tuan rumah Piala Dunia Rugby akhir bulan ini."
    )
    articles = [
        story_article("a", LEAD, "cnnindonesia.com"),
        story_article("b", other, "kompas.com"),
        story_article("c", LEAD, "cermin.example", duplicate_of="a"),
    ]
    result = summarise(articles)
    first = result["sentences"][0]
    assert set(first["outlets"]) == {"cnnindonesia.com", "cermin.example", "kompas.com"}
    assert set(first["articles"]) == {"a", "b"}


def test_summary_length_grows_with_outlets_within_three_to_seven() -> None:
    assert [summary_length(n) for n in (1, 2, 3, 5, 9, 40)] == [3, 3, 4, 5, 7, 7]


@pytest.mark.parametrize(
    ("sentence", "attribution"),
    [
        ("Temuan intelijen ini pertama kali dilaporkan oleh The New York Times.", True),
        ("Temuan intelijen AS itu pertama dilaporkan oleh media terkemuka AS, New York Times.", True),
        (
            "Dikutip dari Al Jazeera, hubungan tersebut mengundang kecaman dan sanksi internasional bagi Rusia.",
            False,
        ),
        ("Rusia membeli jutaan roket dari Korea Utara.", False),
    ],
)
def test_pure_attribution_is_recognised(sentence: str, attribution: bool) -> None:
    assert is_attribution(sentence) is attribution


def test_furniture_and_datelines() -> None:
    assert is_furniture("Baca juga: Rusia Klaim Telah 3 Kali Luncurkan Rudal Kinzhal di Ukraina")
    assert not is_furniture("Rusia membeli jutaan roket dari Korea Utara.")
    assert (
        strip_dateline("Merdeka.com - Hari-hari perancang busana itu kini terasa suram.")
        == "Hari-hari perancang busana itu kini terasa suram."
    )
    assert (
        strip_dateline("Moskow: Rusia sedang dalam proses membeli jutaan roket.")
        == "Rusia sedang dalam proses membeli jutaan roket."
    )
    assert strip_dateline("Rusia sedang membeli roket - kata pejabat itu.") == "Rusia sedang membeli roket - kata pejabat itu."


def test_rouge_matches_hand_computed_values() -> None:
    scores = rouge("the cat sat on the mat", "the cat lay on the mat")
    assert scores["rouge-1"] == pytest.approx(5 / 6)
    assert scores["rouge-2"] == pytest.approx(3 / 5)
    assert scores["rouge-l"] == pytest.approx(5 / 6)
    assert lcs_length(["a", "b", "c", "d"], ["b", "d", "a", "c"]) == 2
    assert rouge("", "apa saja")["rouge-1"] == 0.0
    assert rouge("Kucing kucing", "kucing")["rouge-1"] == pytest.approx(2 * (1 / 2) * 1 / (1 / 2 + 1))


def test_broken_pieces_of_quotations_are_never_chosen() -> None:
    text = (
        "Polisi melayangkan panggilan kedua kepada tersangka pada hari Selasa di Surabaya. "
        'Kasus itu secara persyaratan formil dan materiil sudah lengkap," terang Kapolda Jatim di Surabaya. '
        "Tersangka kini berada di luar negeri bersama suaminya menurut keterangan polisi setempat. "
        "Penyidik memberi kelonggaran waktu karena lokasi tempat tinggalnya cukup jauh dari Surabaya."
    )
    texts = [s["text"] for s in summarise([story_article("a", text, "kompas.com")])["sentences"]]
    assert len(texts) == 3 and not any('"' in t for t in texts)
