"""Publication dates from metadata, URLs and Indonesian/English text: every format family and the choice rules."""

from __future__ import annotations

from datetime import date

import pytest

from kabar.extract import extract
from kabar.extract.dates import date_from_url, find_dates, parse_date, publication_date
from kabar.model import RawDocument


def _published(text: str, crawl: date | None = None) -> str | None:
    found = publication_date(text, crawl)
    return found.value.isoformat() if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("• Rabu, 07 September 2022, 07:47 WIB", "2022-09-07T07:47:00+07:00"),
        ("Kamis, 8 September 2022 pukul 10.15 WITA", "2022-09-08T10:15:00+08:00"),
        ("Jumat, 9 Sep 2022 | 19:30 WIT", "2022-09-09T19:30:00+09:00"),
        ("dikutip Selasa (6/9/2022).", "2022-09-06T00:00:00+07:00"),
        ("kata dia, Selasa (6/9/22).", "2022-09-06T00:00:00+07:00"),
        ("ucap Zulkifli di Gedung DPR, Senin (27 / 3 / 2017).", "2017-03-27T00:00:00+07:00"),
        ("yang diguncang ledakan pada 6 September 2022.", "2022-09-06T00:00:00+07:00"),
        ("Jakarta, 17 Agustus 2019 - Upacara berlangsung khidmat.", "2019-08-17T00:00:00+07:00"),
        ("Published September 6, 2022 at the ministry.", "2022-09-06T00:00:00+07:00"),
        ("Updated Sept. 6, 2022, 10:05 by staff.", "2022-09-06T10:05:00+07:00"),
        ("Tempo, Jakarta - Jumat dinihari WIB, 20 September 2019.", "2019-09-20T00:00:00+07:00"),
        ("Kuala Lumpur, Khamis, 15 Ogos 2019 - Kerajaan berkata", "2019-08-15T00:00:00+07:00"),
        ("kata beliau pada Isnin (2/12/2019).", "2019-12-02T00:00:00+07:00"),
    ],
)
def test_text_date_formats(text, expected):
    assert _published(text) == expected


def test_yearless_date_takes_its_year_from_the_crawl_date():
    text = "Sekretaris Pers Pentagon mengatakan pada Selasa (6/9), bahwa"
    assert _published(text, date(2022, 9, 1)) == "2022-09-06T00:00:00+07:00"


def test_yearless_date_in_january_from_a_december_crawl_is_the_same_winter():
    assert _published("kata dia, Jumat (30/12).", date(2023, 1, 3)) == "2022-12-30T00:00:00+07:00"


def test_yearless_date_takes_its_year_from_a_full_date_in_the_same_text():
    text = "Selasa (6/9/2022), laporan itu dirilis ke publik pada Senin (5/9) waktu setempat, kata Ryder, Rabu (7/9)."
    assert _published(text) == "2022-09-07T00:00:00+07:00"


def test_yearless_date_without_any_year_is_not_guessed():
    assert _published("kata dia, Senin (23/9).") is None


def test_numbers_that_are_not_dates_are_ignored():
    assert find_dates("Skor akhir (2/1) dan harga naik 3/4 persen pada 2019 lalu, nomor 20190906.") == []


def test_report_dateline_after_a_comma_beats_an_earlier_event_date():
    text = (
        "Banjir mulai merendam kawasan itu sejak Minggu (8/9/2019) malam. Warga mengungsi ke masjid, "
        "kata Camat Medan Maimun, Selasa (10/9/2019)."
    )
    assert _published(text) == "2019-09-10T00:00:00+07:00"


def test_a_future_plan_is_not_the_publication_date():
    text = "Timnas Indonesia akan menghadapi Thailand di GBK, Selasa (10/9/2019) malam, ujar pelatih, Senin (9/9/2019)."
    assert _published(text) == "2019-09-09T00:00:00+07:00"


def test_yesterday_is_not_the_publication_date():
    text = "Harga emas turun dibandingkan kemarin, Rabu, 11 September 2019. Pada Kamis, 12 September 2019, harga Rp 761.000."
    assert _published(text) == "2019-09-12T00:00:00+07:00"


def test_today_cue_wins():
    text = (
        "Tagar itu ramai sejak Minggu (15/9/2019). Hingga hari ini, Senin (16/9/2019), tagar masih trending, "
        "Selasa (17/9/2019) ditutup."
    )
    assert _published(text) == "2019-09-16T00:00:00+07:00"


def test_cue_in_a_previous_sentence_does_not_leak():
    text = "Invasi dimulai pada 24 Februari lalu.\n\nSelasa (6/9/2022), laporan itu diungkapkan."
    assert _published(text) == "2022-09-06T00:00:00+07:00"


def test_weekday_that_contradicts_its_date_loses_to_a_consistent_one():
    found = find_dates("kata dia, Senin (16/8/2019). Data per Senin, 16 September 2019.")
    assert [d.weekday_matches for d in found] == [False, True]
    assert _published("kata dia, Senin (16/8/2019). Data per Senin, 16 September 2019.") == "2019-09-16T00:00:00+07:00"


def test_page_dateline_on_its_own_line_wins_with_its_time():
    head = "Menu\nLAPORAN: RENI ERINA\n  • Rabu, 07 September 2022, 07:47 WIB\n"
    text = head + "Isi berita. " * 40 + "dikutip dari AFP, Rabu (7/9)."
    assert _published(text) == "2022-09-07T07:47:00+07:00"


def test_never_a_date_after_the_crawl_date():
    text = "Laporan itu terbit Selasa (6/9/2022). Putusan dijadwalkan keluar Senin, 2 Oktober 2023."
    assert _published(text, date(2023, 9, 1)) == "2022-09-06T00:00:00+07:00"
    assert _published("Acara digelar Senin, 2 Oktober 2023.", date(2023, 9, 1)) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-09-06T07:47:00+07:00", "2022-09-06T07:47:00+07:00"),
        ("2016-02-16T02:10:56Z", "2016-02-16T02:10:56+00:00"),
        ("2016-02-16T02:10:56+0000", "2016-02-16T02:10:56+00:00"),
        ("2019-09-10", "2019-09-10T00:00:00+07:00"),
        ("Tue, 06 Sep 2022 07:47:00 +0700", "2022-09-06T07:47:00+07:00"),
        ("Rabu, 07 September 2022 07:47 WIB", "2022-09-07T07:47:00+07:00"),
        ("bukan tanggal", None),
    ],
)
def test_metadata_dates(value, expected):
    parsed = parse_date(value)
    assert (parsed.isoformat() if parsed else None) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://regional.kompas.com/read/2019/09/10/21485171/judul", "2019-09-10"),
        ("https://news.detik.com/berita/d-4700000/20190910/judul", "2019-09-10"),
        ("http://nasional.republika.co.id/berita/nasional/daerah/16/02/15/o2l07x284-judul", "2016-02-15"),
        ("https://www.antaranews.com/berita/527615/judul", None),
    ],
)
def test_url_dates(url, expected):
    found = date_from_url(url)
    assert (found.date().isoformat() if found else None) == expected


def test_a_full_crawl_date_bounds_the_text_date_to_that_day():
    document = RawDocument(
        source="x.json",
        kind="record",
        content="Rapat digelar Selasa (10/9/2019). Hasilnya diumumkan Kamis (12/9/2019), kata Ketua DPRD.",
        hints={"crawl_date": "2019-09-11", "title": "Rapat DPRD"},
    )
    assert extract(document).published_at == "2019-09-10T00:00:00+07:00"


def test_metadata_date_after_the_crawl_date_is_ignored_and_noted():
    document = RawDocument(
        source="x.json",
        kind="record",
        content="Banjir merendam rumah warga, kata petugas, Selasa (10/9/2019).",
        hints={"published": "2031-01-01", "crawl_date": "2019-09-11", "title": "Banjir Medan"},
    )
    article = extract(document)
    assert article.published_at == "2019-09-10T00:00:00+07:00"
    assert "metadata date 2031-01-01 is after the crawl date 2019-09-11; ignored" in article.date_note


def test_date_from_url_is_used_when_metadata_has_none():
    document = RawDocument(
        source="x.json",
        kind="record",
        content="Banjir merendam rumah warga, kata petugas.",
        hints={"url": "https://regional.kompas.com/read/2019/09/10/21485171/banjir", "title": "Banjir Medan"},
    )
    assert extract(document).published_at == "2019-09-10T00:00:00+07:00"
