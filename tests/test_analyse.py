"""The analyse stage on small real-looking articles: entities, quotes, cited sources, timeline, coverage."""

from __future__ import annotations

from datetime import date

from kabar.analyse import analyse, unglue
from kabar.analyse.coverage import numbers
from kabar.analyse.quotes import QuoteFinder
from kabar.analyse.sources import credits
from kabar.analyse.timeline import dates_in
from kabar.model import Article

NARITA = (
    "Tokyo - Sekitar 17 ribu penumpang telantar semalaman di Bandara Narita di Tokyo, Jepang. "
    "Juru bicara Bandara Narita Kei Miyahara mengatakan, total 16.900 penumpang telantar di bandara itu "
    "pada Senin (9/9) waktu setempat. "
    '"Para penumpang kini mulai pergi ke rumah mereka atau ke tujuan akhir mereka," tutur Miyahara '
    "seperti dilansir kantor berita AFP, Selasa (10/9/2019). "
    '"Kami mengirimkan informasi dalam bahasa Inggris dan Jepang di papan tanda digital," ujarnya.'
)


def article(
    article_id: str, text: str, outlet: str = "detik.com", published: str | None = "2019-09-10T08:00:00+07:00", **extra: str
) -> Article:
    """An original article of a test story."""
    return Article(
        id=article_id,
        title=extra.get("title", text[:40]),
        text=text,
        outlet=outlet,
        published_at=published,
        language="id",
        duplicate_of=extra.get("duplicate_of"),
    )


def test_direct_and_indirect_quotes_resolve_pronoun_tags_to_the_last_speaker() -> None:
    quotes = QuoteFinder().quotes(NARITA)
    assert [(q.speaker, q.direct) for q in quotes] == [
        ("Juru bicara Bandara Narita Kei Miyahara", False),
        ("Miyahara", True),
        ("Miyahara", True),
    ]
    assert quotes[0].text.startswith("total 16.900 penumpang")
    assert quotes[2].text.startswith("Kami mengirimkan informasi")


def test_story_quotes_name_the_full_speaker_with_role() -> None:
    story = analyse([article("a", NARITA)])
    assert {q["speaker"] for q in story["quotes"]} == {"Kei Miyahara"}
    assert {q["role"] for q in story["quotes"]} == {"Juru bicara Bandara Narita"}
    entities = {e["name"]: e for e in story["entities"]}
    assert entities["Kei Miyahara"]["type"] == "person" and "Miyahara" in entities["Kei Miyahara"]["aliases"]
    assert entities["Bandara Narita"]["type"] == "place"
    assert "Inggris" not in entities, "a language ('bahasa Inggris') is not a place"


def test_noun_objects_and_beliefs_are_not_quotes() -> None:
    text = (
        "Duta Besar Korea Utara untuk Rusia bertemu utusan separatis. "
        "Ia menyatakan optimisme tentang kerja sama di bidang migrasi tenaga kerja. "
        "Para pejabat intelijen AS meyakini bahwa Rusia dapat membeli peralatan."
    )
    assert QuoteFinder().quotes(text) == []


def test_credits_are_canonical_media_after_a_cue_only() -> None:
    text = (
        "Temuan intelijen AS itu pertama dilaporkan oleh media terkemuka AS, New York Times. "
        "Intelijen AS dalam laporan New York Times dan Associated Press mengatakan hal itu. "
        "Rusia, menurut laporan Pentagon, telah mengimpor drone. Masalah itu wewenang Kepolisian Australia (AFP)."
    )
    found = credits(text)
    assert [(c.name, c.first_report) for c in found] == [("The New York Times", True), ("Associated Press", False)]


def test_dates_resolve_against_publication() -> None:
    published = date(2022, 9, 6)
    found = dates_in(
        "Rusia melancarkan invasi pada 24 Februari lalu dan temuan dirilis pada Senin (5/9), setelah drone tiba Agustus lalu.",
        published,
    )
    assert [(d.isoformat(), p) for d, p, _ in found] == [("2022-02-24", "day"), ("2022-09-05", "day"), ("2022-08-01", "month")]
    assert dates_in("Pada 30 Desember lalu banjir datang.", date(2023, 1, 3))[0][0] == date(2022, 12, 30)
    assert dates_in("Pada 30 Desember lalu banjir datang.", date(2022, 12, 10))[0][0] == date(2021, 12, 30)
    assert dates_in("Batasnya sampai tanggal 13 September.", date(2019, 9, 10))[0][0] == date(2019, 9, 13)
    assert dates_in("Sidang digelar pada 5 Januari.", date(2022, 12, 10))[0][0] == date(2023, 1, 5)


def test_numbers_read_indonesian_thousands_and_scales() -> None:
    assert numbers("total 16.900 penumpang telantar") == {"penumpang": 16900.0}
    assert numbers("sekitar 17 ribu penumpang dan 2,5 juta orang pada 2019 lalu") == {"penumpang": 17000.0, "orang": 2500000.0}


def test_coverage_groups_facts_flags_unique_omitted_and_disagreements() -> None:
    shared = "Topan Faxai membuat {n} penumpang telantar semalaman di Bandara Narita di Tokyo pada Senin."
    a = article(
        "a",
        shared.format(n="16.900") + " Kereta bawah tanah di seluruh wilayah Tokyo belum dibuka hingga pukul delapan pagi.",
        "detik.com",
    )
    b = article(
        "b",
        shared.format(n="17.000") + " Pemerintah Jepang bersiap menjadi tuan rumah Piala Dunia Rugby akhir bulan ini.",
        "kompas.com",
    )
    c = article(
        "c", shared.format(n="16.900") + " Pihak bandara membagikan dua ribu botol air minum kepada penumpang.", "tempo.co"
    )
    coverage = analyse([a, b, c])["coverage"]
    main = next(f for f in coverage["facts"] if len(f["outlets"]) == 3)
    assert not main["unique"]
    assert len(coverage["by_outlet"]["kompas.com"]["unique"]) == 1
    assert coverage["by_outlet"]["detik.com"]["omitted"] == []
    (flag,) = coverage["disagreements"]
    assert flag["fact"] == main["id"] and flag["kind"] == "number"
    assert flag["values"] == {"detik.com": "16900 penumpang", "kompas.com": "17000 penumpang", "tempo.co": "16900 penumpang"}


def test_copies_are_read_once_but_their_outlet_carries_the_original() -> None:
    original = article("a", NARITA)
    copy = article("b", NARITA, outlet="cermin.example", duplicate_of="a")
    story = analyse([original, copy])
    (official,) = [q for q in story["quotes"] if q["text"].startswith("total 16.900")]
    assert official["outlets"] == ["detik.com", "cermin.example"] and official["articles"] == ["a"]
    assert story["entities"][0]["mentions"].keys() == {"detik.com"}
    assert [p["article"] for p in story["publications"]] == ["a", "b"]


def test_unglue_restores_paragraphs_joined_by_commas() -> None:
    assert (
        unglue('Ia pulang.,Sejumlah diplomat datang.,,"Kami siap," katanya.')
        == 'Ia pulang.\nSejumlah diplomat datang.\n"Kami siap," katanya.'
    )


def test_analysis_is_deterministic_and_fast_on_a_large_story(clickid_examples) -> None:
    import json
    import time

    rows = [json.loads(line) for line in clickid_examples.read_text(encoding="utf-8").splitlines()[:100]]
    articles = [article(r["id"], r["text"], r["outlet"], r["published"], title=r["title"]) for r in rows]
    started = time.perf_counter()
    first = analyse(articles)
    assert time.perf_counter() - started < 4.0
    reversed_order = analyse(list(reversed(articles)))
    assert {c["name"]: sorted(c["outlets"]) for c in reversed_order["cited_sources"]} == {
        c["name"]: sorted(c["outlets"]) for c in first["cited_sources"]
    }
    assert analyse(articles) == first


def test_english_articles_use_the_english_word_lists() -> None:
    text = (
        '"We are ready to talk," said John Smith on Monday. The ministry said that talks would resume in Geneva, '
        "according to Reuters. The talks began on 24 February."
    )
    story = analyse([Article(id="e", title="Talks", text=text, outlet="example.com", published_at="2022-09-06", language="en")])
    assert [(q["speaker"], q["direct"]) for q in story["quotes"]] == [("John Smith", True), ("the ministry", False)]
    assert [c["name"] for c in story["cited_sources"]] == ["Reuters"]
    assert [e["date"] for e in story["timeline"]] == ["2022-02-24"]
