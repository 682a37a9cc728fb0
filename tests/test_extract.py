"""Extraction of the five seed reports and of real HTML pages: body, furniture, title, outlet, authors, dates."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from kabar.extract import ExtractionError, clean_authors, extract, fix_mojibake
from kabar.extract.html import clean_title, trim_edges
from kabar.extract.language import detect_language
from kabar.extract.outlets import canonical_outlet, domain_of, outlet_from_text, required_literals
from kabar.model import RawDocument
from kabar.read import read_paths

DATA = Path(__file__).parent / "data" / "extract"

SEEDS = {
    "000_acfcdcd93f99e5b3.txt": {
        "title": "Rusia saat ini sedang dalam proses membeli jutaan roket dan artileri dari Korea Utara (Korut)"
        " untuk dipakai dalam invasi di Ukraina.",
        "outlet": "medcom.id",
        "published": "2022-09-06T00:00:00+07:00",
        "crawl_date": "2022-09",
        "authors": [],
        "paragraphs": ["Moskow: Rusia saat ini sedang dalam proses membeli jutaan ro"],
        "last_words": "strategis dan taktis antara kedua negara.",
        "furniture": [
            "Bagaimana tanggapan anda mengenai artikel ini? Happy",
            "Inspire",
            "Confuse",
            "Sad",
            "(WIL)",
            "Baca: Rusia Klaim Telah 3 Kali Luncurkan Rudal Kinzhal di Ukraina",
        ],
    },
    "001_007ef922b28a0a10.txt": {
        "title": "Rusia Akan Membeli Jutaan Roket-Peluru Artileri dari Korea Utara",
        "outlet": "inionline.id",
        "published": "2022-09-06T00:00:00+07:00",
        "crawl_date": None,
        "authors": [],
        "paragraphs": [
            "Kementerian Pertahanan Rusia dilaporkan sedang dalam proses ",
            "Selasa (6/9/2022), laporan soal rencana pembelian roket dan ",
            "Seorang pejabat AS yang tidak bisa disebut identitasnya kare",
            "Para pejabat intelijen AS meyakini bahwa Rusia bisa saja mem",
            "Temuan intelijen itu mencuat setelah pemerintahan Presiden A",
            "Gedung Putih, pekan lalu, mengatakan bahwa Rusia menghadapi ",
            "Rusia, menurut laporan Pentagon, telah mengimpor dua jenis d",
            "Pemerintah Biden menyebut itu kemungkinan menjadi bagian dar",
            "Sementara terkait Korut, seperti dilansir Reuters, Presiden ",
            "Putin menyatakan hubungan yang lebih erat akan menjadi kepen",
        ],
        "last_words": "dan kawasan Asia Timur Laut.",
        "furniture": ["Internasional057 views", "Inionline.id –"],
    },
    "002_88669ab05aaa08cf.txt": {
        "title": "Pentagon: Kabar Rusia Borong Roket dari Korut adalah Tanda Sesuatu Tidak Berjalan Baik bagi Moskow",
        "outlet": "rmol.id",
        "published": "2022-09-07T07:47:00+07:00",
        "crawl_date": None,
        "authors": ["Reni Erina"],
        "paragraphs": [
            "Klaim terbaru Pentagon menyebutkan bahwa saat ini Rusia seda",
            "Sekretaris Pers Pentagon Pat Ryder mengatakan kepada wartawa",
            "“Tentu saja kami menilai bahwa segala sesuatunya tidak berja",
            "“Jadi, fakta bahwa mereka berusaha menjangkau Korea Utara ad",
            "Pejabat intelijen AS percaya bahwa Rusia dapat membeli peral",
            "Pejabat AS itu tidak merinci berapa banyak persenjataan yang",
            "Temuan itu muncul setelah pemerintahan Presiden AS Joe Biden",
            "Sebelumnya, Gedung Putih mengatakan pekan lalu bahwa Rusia t",
            "Rusia mengambil kendaraan udara tak berawak Mohajer-6 dan Sh",
            "Korea Utara telah berusaha untuk mempererat hubungan dengan ",
            "Korea Utara telah mengisyaratkan minat untuk mengirim pekerj",
            "Duta Besar Korea Utara untuk Moskow baru-baru ini bertemu de",
            "Juli lalu, Korea Utara menjadi satu-satunya negara selain Ru",
            "Ekspor senjata Pyongyang ke Rusia akan menjadi pelanggaran r",
            "Kemungkinan pengiriman tenaga kerja ke wilayah yang dikuasai",
        ],
        "last_words": "dari tanah mereka pada tahun 2019.",
        "furniture": [
            "Selamat Idul Fitri",
            "Selamat Idul Fitri Mobile",
            "Dimensy.id Mobile",
            "LAPORAN: RENI ERINA",
            "LAPORAN: RENI ERINA",
            "• Rabu, 07 September 2022, 07:47 WIB",
            "Pemandangan udara dari lapangan terbang di pangkalan militer Saki Rusia, yang diguncang oleh serangkaian ledakan"
            " pada Selasa 6 September 2022/Net",
            "rmol news logo",
            "rmol news logo article",
            "EDITOR: RENI ERINA",
            "Temukan berita-berita hangat terpercaya dari Kantor Berita Politik RMOL di Google News.",
            "Untuk mengikuti silakan klik tanda bintang.",
            "ARTIKEL LAINNYA",
            "Dimensy.id",
            "Apollo Solar Panel",
            "Pentagon: Kabar Rusia  Borong  Roket dari Korut adalah Tanda Sesuatu Tidak Berjalan Baik bagi Moskow",
        ],
    },
    "003_843654094cf6ca88.txt": {
        "title": "Korea Utara atau Korut menjadi pemasok senjata dengan menjual jutaan peluru artileri dan roket kepada Rusia.",
        "outlet": "",
        "published": "2022-09-06T00:00:00+07:00",
        "crawl_date": "2023-09",
        "authors": [],
        "paragraphs": [
            "Korea Utara atau Korut menjadi pemasok senjata dengan menjua",
            "Intelijen Amerika Serikat (AS) dalam laporan New York Times ",
            '"Langkah Rusia untuk membeli persenjataan dari Korut, sebuah',
            "Krisis di Rusia ini terjadi setelah pihak Ukraina kembali me",
            "Rusia sendiri saat ini mulai akrab dengan negara-negara yang",
            "Kedekatan Korea Utara juga terlihat dari sikap mereka yang m",
            "Sebagai informasi, Rusia telah menginvansi Ukraina sejak 24 ",
        ],
        "last_words": "kebijakan embargo dari negara barat.",
        "furniture": ["Baca Juga: Ukraina Kini Bisa Cetak Suku Cadang Militer Sendiri dengan Printer 3D"],
    },
    "004_1fa40684b5ce94dc.txt": {
        "title": "Ukraina Buat Stok Senjata Uni Eropa Menipis, Rusia Justru Bakal Dapat Roket dari Korea Utara",
        "outlet": "tribunkaltim.co",
        "published": None,
        "crawl_date": None,
        "authors": [],
        "paragraphs": [
            "Bantuan untuk Ukraina membuat senjata negara-negara Uni Erop",
            "Gara-gara terus memberikan bantuan persenjataan kepada Ukrai",
            "Di tengah perang yang masih berkecamuk di Ukraina, Rusia bak",
            "Kondisi kedekatan Rusia dengan Korea Utara itu membuat Ameri",
            "Ya, perang semakin panas yang melibatkan banyak negara, namu",
            "Terkait dengan senjata canggih dari Korea Utara untuk Rusia,",
            "Dikutip dari The New York Times, laporan terkait hal tersebu",
            "Di luar roket jarak pendek dan peluru artileri, Rusia diperk",
            "Langkah Rusia untuk membeli persenjataan dari Korea Utara me",
            "Rusia telah memperdalam hubungan dengan negara-negara termas",
            "Dikutip dari Al Jazeera, hubungan tersebut mengundang kecama",
            "AS sebelumnya mengatakan bahwa Moskow telah membeli drone da",
            "Pada bulan Juli, Ukraina memutuskan hubungan dengan Korea Ut",
            "Akibat sanksi yang diterima Rusia dari Barat, membuat Presid",
            "Juru bicara Kremlin, Dmitry Peskov mengatakan, di tengah put",
            "Negara beruang merah itu pun mulai intens menjalin kerjasama",
        ],
        "last_words": "seperti China, India, Iran, dan Korea Utara.",
        "furniture": [
            "Berita Internasional Terkini",
            "TRIBUNKALTIM.CO -",
            "Baca juga: Belum Usai Serangan di Ukraina, Rusia Kembali Meluncurkan Invasi di Eropa Timur yang Mengerikan",
            "Baca juga: Di Tengah Kecaman dan Sanksi Akibat Perang di Ukraina, Rusia Justru Dipuji Presiden Turki Erdogan",
            "Baca juga: Klaim Terbaru Zelensky, Pasukan Ukraina Rebut 3 Wilayah yang Dicaplok Tentara Rusia",
        ],
    },
}


def _seed(name: str):
    (document,) = list(read_paths([DATA / "seeds" / name]))
    return extract(document)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_keeps_every_news_paragraph_and_drops_every_furniture_line(name):
    expected = SEEDS[name]
    article = _seed(name)
    paragraphs = article.text.split("\n\n")
    assert [p[: len(start)] for p, start in zip(paragraphs, expected["paragraphs"], strict=True)] == expected["paragraphs"]
    assert article.text.endswith(expected["last_words"])
    assert Counter(article.furniture) == Counter(expected["furniture"])
    for line in expected["furniture"]:
        assert " ".join(line.split()) not in " ".join(article.text.split())


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata(name):
    expected = SEEDS[name]
    article = _seed(name)
    assert article.title == expected["title"]
    assert article.outlet == expected["outlet"]
    assert article.published_at == expected["published"]
    assert article.crawl_date == expected["crawl_date"]
    assert article.authors == expected["authors"]
    assert article.language == "id"


def test_article_date_beats_crawl_date_and_the_disagreement_is_recorded():
    article = _seed("003_843654094cf6ca88.txt")
    assert article.published_at.startswith("2022-09-06")
    assert article.date_note == "crawl date 2023-09 differs from the article's own date 2022-09-06; the article's date is used"


def test_outlet_datelines_are_cut_from_the_lead_only():
    inionline = _seed("001_007ef922b28a0a10.txt")
    tribun = _seed("004_1fa40684b5ce94dc.txt")
    assert inionline.text.startswith("Kementerian Pertahanan Rusia dilaporkan")
    assert tribun.text.split("\n\n")[1].startswith("Gara-gara terus memberikan")


def _html(name: str, url: str):
    html = (DATA / "html" / name).read_text(encoding="utf-8", errors="replace")
    return extract(RawDocument(source=name, kind="html", content=html, hints={"url": url}))


def test_html_page_title_without_site_name_date_and_body():
    article = _html(
        "kompas-singlepage.html",
        "http://regional.kompas.com/read/2015/11/04/21040031/Polres.Lhokseumawe.Serahkan.Anggota.Di.Minimi.ke.Kejaksaan",
    )
    assert article.title == "Polres Lhokseumawe Serahkan Anggota Di Minimi ke Kejaksaan"
    assert article.outlet == "kompas.com"
    assert article.published_at.startswith("2015-11-04")
    assert article.language == "id"
    assert "Kepolisian Resor Lhokseumawe" in article.text or "Lhokseumawe" in article.text
    assert "Kompas.com Regional" not in article.title


def test_html_related_article_list_is_trimmed_off_the_body():
    article = _html(
        "detik-singlepage.html", "http://inet.detik.com/read/2015/11/05/100026/3062623/323/google-umbar-kelemahan-galaxy-s6-edge"
    )
    assert article.title == "Google Umbar Kelemahan Galaxy S6 Edge"
    assert article.text.startswith("Galaxy S6 Edge, dengan material premium")
    assert "Ini Dia Tempat Terbasah di Dunia" not in article.text
    assert "- Kamis, 05/11/2015 09:25 WIB" in article.furniture
    assert article.published_at.startswith("2015-11-05")
    assert article.authors == ["Fino Yurio Kristo"]


def test_english_page_is_detected_as_english():
    article = _html(
        "tempoen-singlepage.html",
        "http://en.tempo.co/read/news/2015/11/04/055715684,uk.html/Indonesia-can-Learn-from-Finlands-Peatland-Fire-Case-Pratikno",
    )
    assert article.language == "en"
    assert article.title == "Indonesia can Learn from Finland`s Peatland Fire Case: Pratikno"
    assert article.published_at.startswith("2015-11-04")


@pytest.mark.parametrize(
    ("title", "site", "host", "expected"),
    [
        ("Samsul Arif Tak Beban Lawan Arema - Kompas.com", "KOMPAS.com", "kompas.com", "Samsul Arif Tak Beban Lawan Arema"),
        ("KapanLagi.com: Bikin Gaduh Kota", "KapanLagi.com", "kapanlagi.com", "Bikin Gaduh Kota"),
        ("Jamaah Haji Ikuti Pemeriksaan | ihram.co.id", "ihram.co.id", "republika.co.id", "Jamaah Haji Ikuti Pemeriksaan"),
        ("Cara Jaga Keromantisan : Okezone Celebrity", "celebrity.okezone.com", "okezone.com", "Cara Jaga Keromantisan"),
        (
            "Tri Indonesia: Broadband Dorong Ekosistem",
            "liputan6.com",
            "liputan6.com",
            "Tri Indonesia: Broadband Dorong Ekosistem",
        ),
    ],
)
def test_site_name_is_stripped_from_page_titles(title, site, host, expected):
    assert clean_title(title, site, host) == expected


def test_trim_edges_keeps_the_prose_span():
    text = "Kamis, 05/11/2015 09:25 WIB Ini Dia Tempat Terbasah\nFotografer: Grandyos\n" + (
        "PT PLN hari ini resmi mengoperasikan Gardu Induk Milenium beserta jaringannya.\nRedaksi: redaksi[at]detik.com"
    )
    body, removed = trim_edges(text)
    assert body == "PT PLN hari ini resmi mengoperasikan Gardu Induk Milenium beserta jaringannya."
    assert removed == [
        "Kamis, 05/11/2015 09:25 WIB Ini Dia Tempat Terbasah",
        "Fotografer: Grandyos",
        "Redaksi: redaksi[at]detik.com",
    ]


def test_authors_are_people_not_organisations():
    names = [
        "Pewarta Nur Imansyah",
        "Kompas Cyber Media",
        "PT VIVA MEDIA BARU",
        "RENI ERINA",
        "Reni Erina",
        "Budi Budiman dan Agus S",
    ]
    assert clean_authors(names) == ["Nur Imansyah", "Reni Erina", "Budi Budiman", "Agus S"]


def test_credit_lines_become_authors_and_editors():
    text = "Judul Berita Tentang Banjir Besar di Kota\nPenulis: Budi Santoso\nReporter: Ani Lestari, Dedi\n" + (
        "Banjir merendam ratusan rumah warga di Kecamatan Medan Maimun, Selasa (10/9/2019).\n"
        "Penulis: Andi Hartik | Editor: Siti Aminah"
    )
    article = extract(RawDocument(source="banjir.txt", kind="text", content=text))
    assert article.authors == ["Budi Santoso", "Ani Lestari", "Dedi", "Andi Hartik", "Siti Aminah"]
    assert "Penulis" not in article.text and "Editor" not in article.text


def test_mojibake_is_repaired_and_clean_text_left_alone():
    assert fix_mojibake("Korut disebut â€˜militer Rusiaâ€™ dan cafÃ©") == "Korut disebut 'militer Rusia' dan café"
    clean = "“Tentu saja,” kata Ryder di Kafé."
    assert fix_mojibake(clean) is clean


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kementerian Pertahanan Rusia dilaporkan sedang dalam proses untuk membeli jutaan unit roket dari Korea Utara.", "id"),
        (
            "The Russian defence ministry is buying millions of rockets and artillery shells from North Korea, officials said.",
            "en",
        ),
        (
            "Kementerian Pertahanan Malaysia berkata kerajaan akan membeli lebih banyak kapal kerana ancaman semakin meningkat.",
            "ms",
        ),
    ],
)
def test_language_is_detected_offline(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("hint", "expected"),
    [
        ("https://www.kompas.com/read/x", "kompas.com"),
        ("Tempo.co", "tempo.co"),
        ("detik.com", "detik.com"),
        ("m.detik.com", "detik.com"),
    ],
)
def test_outlet_hints_map_to_canonical_domains(hint, expected):
    assert canonical_outlet(hint) == expected


def test_outlet_from_subdomain_and_text_cues():
    assert domain_of("http://regional.kompas.com/read/2015/11/04/x") == "kompas.com"
    assert outlet_from_text("TRIBUNKALTIM.CO - Gara-gara terus memberikan bantuan") == "tribunkaltim.co"
    assert outlet_from_text("rmol news logo Klaim terbaru Pentagon") == "rmol.id"
    assert outlet_from_text("Bagaimana tanggapan anda mengenai artikel ini? Happy") == "medcom.id"
    assert outlet_from_text("Berita tanpa tanda apa pun.") == ""


def test_text_with_only_furniture_gives_a_clear_error():
    with pytest.raises(ExtractionError, match="no article text left"):
        extract(RawDocument(source="menu.txt", kind="text", content="ADVERTISEMENT\nBaca juga: Judul Lain\nShare\n"))


def test_html_snippet_from_a_feed_keeps_every_paragraph():
    snippet = (
        "<p>Banjir merendam rumah.</p><p>Warga mengungsi ke masjid terdekat sejak pagi tadi, kata Camat &amp; Lurah.</p>"
        "<script>track()</script>Baca juga: Banjir Lain di Kota Lain<br>ADVERTISEMENT"
    )
    document = RawDocument(source="feed.xml#1", kind="html", content=snippet, hints={"title": "Banjir Medan"})
    article = extract(document)
    assert article.text == "Banjir merendam rumah.\n\nWarga mengungsi ke masjid terdekat sejak pagi tadi, kata Camat & Lurah."
    assert article.furniture == ["Baca juga: Banjir Lain di Kota Lain", "ADVERTISEMENT"]


def test_whole_page_inside_a_jsonl_record(tmp_path):
    page = (DATA / "html" / "kompas-singlepage.html").read_text(encoding="utf-8", errors="replace")
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": "k1", "html": page, "url": "http://regional.kompas.com/read/2015/11/04/21040031/x"}) + "\n")
    (document,) = list(read_paths([path]))
    article = extract(document)
    assert (article.id, article.outlet) == ("k1", "kompas.com")
    assert article.title == "Polres Lhokseumawe Serahkan Anggota Di Minimi ke Kejaksaan"
    assert article.published_at.startswith("2015-11-04")


def test_page_dateline_gives_the_time_and_the_editor_line_an_author():
    paragraphs = "".join(
        f"<p>Calon jamaah haji dari {place} mengikuti pemeriksaan kesehatan tahap pertama di puskesmas setempat.</p>"
        for place in ("Banjarmasin", "Banjarbaru", "Martapura")
    )
    html = (
        "<html><head><title>Jamaah Haji Ikuti Pemeriksaan Kesehatan | ihram.co.id</title>"
        '<meta property="article:published_time" content="2017-02-17"></head><body><article>'
        "<p>Jumat , 17 February 2017, 13:16 WIB</p><h1>Jamaah Haji Ikuti Pemeriksaan Kesehatan</h1>"
        + paragraphs
        + "<p>Pemeriksaan berlangsung sampai 25 Februari 2017 pukul 15.00 WITA, kata Kepala Kantor Kementerian Agama.</p>"
        + "<p>Editor: Ade Marboen</p></article></body></html>"
    )
    article = extract(RawDocument(source="haji.html", kind="html", content=html))
    assert article.published_at == "2017-02-17T13:16:00+07:00"
    assert article.authors == ["Ade Marboen"]
    assert article.text.startswith("Calon jamaah haji dari Banjarmasin")


@pytest.mark.parametrize(
    ("pattern", "literals"),
    [
        (r"\bKOMPAS\.com\s*[-–—]", ("kompas",)),
        (r"^\s*(?:\w+ )?-?\s*detik(?:com|news)\b", ("detik",)),
        (r"\brmol news logo\b|\bRMOL\.ID\b", ("rmol news logo", "rmol")),
        (r"\b(?:ANTARA|Antaranews)\s*[-–—]", None),
        (r"\bEra\.id\s*[-–—]", ("era",)),
        (r"\bA\.B\s*-", None),
        (r"\bAntaranews?\s*-", ("antaranew",)),
    ],
)
def test_cue_literals_are_what_every_match_contains(pattern, literals):
    assert required_literals(pattern) == literals


def test_ids_that_are_urls_are_hashed_into_safe_ids():
    from kabar.extract import article_id

    assert article_id("7213d1e09fc233bd", "hash") == "7213d1e09fc233bd"
    assert article_id(None, "abc123") == "abc123"
    hashed = article_id("https://example.com/berita/2019/09/10/../../etc/passwd", "x")
    assert hashed.startswith("h") and "/" not in hashed
    assert hashed == article_id("https://example.com/berita/2019/09/10/../../etc/passwd", "y")


def test_a_one_sentence_brief_whose_body_equals_its_title_is_kept():
    sentence = "Dr Mark Vinar, 43, is presumed dead after disappearing off Zurbriggens Ridge, on Mt Cook, on Thursday."
    article = extract(
        RawDocument(source="brief.jsonl:1", kind="record", content=sentence, hints={"title": sentence, "lang": "en"})
    )
    assert article.text == sentence


def test_control_characters_never_reach_the_article():
    text = "Banjir merendam ratusan rumah\x00 warga di Medan, Selasa (10/9/2019).\x1b[2J\n\nAir mulai surut sore harinya."
    raw = RawDocument("x.jsonl:1", "record", text, {"title": "Banjir \x1b]0;pwned\x07Medan", "outlet": "detik.com"})
    article = extract(raw)
    assert article.title == "Banjir ]0;pwnedMedan"
    assert "\x00" not in article.text and "\x1b" not in article.text and "rumah warga" in article.text
