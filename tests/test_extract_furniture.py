"""Page furniture: every line and inline pattern family, "Baca juga" cut inside CLICK-ID paragraphs, and the
per-outlet lines learned from the store. CLICK-ID snippets: William & Sari 2020, CC BY 4.0."""

from __future__ import annotations

import pytest

import kabar
from kabar.extract import extract
from kabar.extract.crawled import clean_crawled_text, cut_inline_furniture, is_furniture_line, line_key
from kabar.extract.furniture import OutletFurniture
from kabar.model import RawDocument
from kabar.store import SQLiteStore

NEWS = "Banjir merendam ratusan rumah warga di Kecamatan Medan Maimun, Selasa (10/9/2019), kata petugas."


@pytest.mark.parametrize(
    "line",
    [
        "Bagaimana tanggapan anda mengenai artikel ini?",
        "Happy",
        "Inspire",
        "Baca juga: Rusia Klaim Telah 3 Kali Luncurkan Rudal",
        "Baca Juga :",
        "ARTIKEL LAINNYA",
        "Berita Terkait",
        "Simak video berikut ini",
        "Tonton juga video pilihan",
        "(WIL)",
        "(fdn/fdn)",
        "EDITOR: RENI ERINA",
        "Sumber: Antara",
        "Temukan berita-berita hangat terpercaya dari Kantor Berita Politik RMOL di Google News.",
        "Untuk mengikuti silakan klik tanda bintang.",
        "Share",
        "Bagikan",
        "Internasional057 views",
        "2.345 kali dibaca",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "Berita Internasional Terkini",
        "Selamat Idul Fitri",
        "Dimensy.id Mobile",
        "loading...",
        "• Rabu, 07 September 2022, 07:47 WIB",
        "Foto: Dok. Humas Polri",
        "Pemandangan udara dari lapangan terbang di pangkalan militer Saki Rusia/Net",
        "Warga melintasi banjir di Medan, Selasa (10/9/2019)/ANTARA FOTO",
        "Ilustrasi (Shutterstock)",
    ],
)
def test_furniture_lines(line):
    assert is_furniture_line(line, "id")


@pytest.mark.parametrize(
    "line",
    [
        NEWS,
        "Korea Utara telah mengisyaratkan minat untuk mengirim pekerja konstruksi.",
        "Selasa (6/9/2022), laporan soal rencana pembelian roket diungkapkan.",
        "Baca buku itu, kata Menteri Pendidikan, adalah kewajiban setiap siswa.",
        "Sad but true, kata dia menirukan lagu itu.",
        "Editor senior itu kini memimpin redaksi baru di Jakarta.",
    ],
)
def test_news_lines_are_not_furniture(line):
    assert not is_furniture_line(line, "id")


@pytest.mark.parametrize(
    ("line", "kept", "cut"),
    [
        (
            "Inionline.id – Kementerian Pertahanan Rusia dilaporkan membeli roket.",
            ["Kementerian Pertahanan Rusia dilaporkan membeli roket."],
            ["Inionline.id –"],
        ),
        (
            "TRIBUNKALTIM.CO - Gara-gara terus memberikan bantuan persenjataan.",
            ["Gara-gara terus memberikan bantuan persenjataan."],
            ["TRIBUNKALTIM.CO -"],
        ),
        (
            "JAKARTA, KOMPAS.com - Presiden meresmikan jalan tol.",
            ["Presiden meresmikan jalan tol."],
            ["JAKARTA, KOMPAS.com -"],
        ),
        (
            "rmol news logo Klaim terbaru Pentagon menyebutkan hal itu.",
            ["Klaim terbaru Pentagon menyebutkan hal itu."],
            ["rmol news logo"],
        ),
        (
            "Bagaimana tanggapan anda mengenai artikel ini? Happy Inspire Confuse Sad Moskow: Rusia membeli roket.",
            ["Moskow: Rusia membeli roket."],
            ["Bagaimana tanggapan anda mengenai artikel ini? Happy Inspire Confuse Sad"],
        ),
        (
            "Warga mengungsi. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Petugas membuka dapur umum.",
            ["Warga mengungsi.", "Petugas membuka dapur umum."],
            ["ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT"],
        ),
        (
            "ujar Iskandar. googletag.cmd.push(function() { googletag.display('div-gpt-ad-1565950013898-0'); });"
            " (fdn/fdn) biromedan"
            " medan nasdem",
            ["ujar Iskandar."],
            [
                "googletag.cmd.push(function() { googletag.display('div-gpt-ad-1565950013898-0'); });",
                "(fdn/fdn) biromedan medan nasdem",
            ],
        ),
        (
            "Harga cabai naik dua kali lipat. Simak berita menarik lainnya di Google News.",
            ["Harga cabai naik dua kali lipat."],
            ["Simak berita menarik lainnya di Google News."],
        ),
        ("ujarnya.,,,loading...", ["ujarnya."], [",,,loading..."]),
        (
            "Gubernur Sumut Edy Rahmayadi (Foto: Khairul Ikhwan-detikcom) Medan - Ihwal hilangnya duit Pemprov.",
            ["Medan - Ihwal hilangnya duit Pemprov."],
            ["Gubernur Sumut Edy Rahmayadi (Foto: Khairul Ikhwan-detikcom)"],
        ),
        (
            "kata Erlinda.Eks Sekretaris KPAI, Erlinda (Foto: Ari Saputra/detikcom)Kritik KPAI ini membuat PB Djarum berhenti.",
            ["kata Erlinda.", "Kritik KPAI ini membuat PB Djarum berhenti."],
            ["Eks Sekretaris KPAI, Erlinda (Foto: Ari Saputra/detikcom)"],
        ),
        ("Massa membubarkan diri. View in Single Page 1 2", ["Massa membubarkan diri."], ["View in Single Page 1 2"]),
    ],
)
def test_inline_furniture_is_cut_and_recorded(line, kept, cut):
    removed: list[str] = []
    assert cut_inline_furniture(line, "id", removed) == kept
    assert removed == cut


@pytest.mark.parametrize(
    ("line", "kept", "cut"),
    [
        (
            "Bobby mengatakan kedatangannya merupakan silaturahmi. Baca juga: Pilwalkot Medan, Menantu Jokowi Masuk Radar"
            ' NasDem "Salah'
            ' satunya tali silaturahmi," ujarnya.',
            'Bobby mengatakan kedatangannya merupakan silaturahmi. "Salah satunya tali silaturahmi," ujarnya.',
            "Baca juga: Pilwalkot Medan, Menantu Jokowi Masuk Radar NasDem",
        ),
        (
            "meski jarak lokasi kejadian dengan rumah sekitar 100 meter. Baca juga: Bersihkan Lahan, Warga di Rembang Tewas"
            " TerbakarSaat itu ada dua warga yang melihat.",
            "meski jarak lokasi kejadian dengan rumah sekitar 100 meter. Saat itu ada dua warga yang melihat.",
            "Baca juga: Bersihkan Lahan, Warga di Rembang Tewas Terbakar",
        ),
        (
            "Jakarta, Jumat (10/9/2019).Baca juga: Aksi Awkarin Ajak Generasi Milenial Bersih-Bersih Pascademo"
            " Dimulai!Aksi itu diikuti"
            " ratusan orang.",
            "Jakarta, Jumat (10/9/2019).Aksi itu diikuti ratusan orang.",
            "Baca juga: Aksi Awkarin Ajak Generasi Milenial Bersih-Bersih Pascademo Dimulai!",
        ),
        (
            "dalam konferensi pers. Baca juga: Natan Pasomba Didakwa Suap Anggota DPR Sukiman Rp 2,6 Miliar"
            " Jaksa menyebut uang itu"
            " diberikan bertahap.",
            "dalam konferensi pers. Jaksa menyebut uang itu diberikan bertahap.",
            "Baca juga: Natan Pasomba Didakwa Suap Anggota DPR Sukiman Rp 2,6 Miliar",
        ),
        (
            "Mereka berdua menyerukan kerja sama antara kedua negara.Baca: Rusia Klaim Telah 3 Kali Luncurkan Rudal"
            " Kinzhal di Ukraina",
            "Mereka berdua menyerukan kerja sama antara kedua negara.",
            "Baca: Rusia Klaim Telah 3 Kali Luncurkan Rudal Kinzhal di Ukraina",
        ),
        (
            'Warga mengungsi. Baca Juga : Banjir Bandang Terjang Garut "Kami takut," kata warga.',
            'Warga mengungsi. "Kami takut," kata warga.',
            "Baca Juga : Banjir Bandang Terjang Garut",
        ),
        ("Baca juga buku panduannya sebelum berangkat.", "Baca juga buku panduannya sebelum berangkat.", None),
    ],
)
def test_read_also_links_glued_into_paragraphs_are_cut_precisely(line, kept, cut):
    removed: list[str] = []
    assert cut_inline_furniture(line, "id", removed) == [kept]
    assert removed == ([cut] if cut else [])


def test_menu_lines_above_the_title_are_dropped_and_the_title_found():
    cleaned = clean_crawled_text("Selamat Idul Fitri\nHome\nNasional\nBanjir Besar Melanda Kota Medan Hari Ini\n" + NEWS)
    assert cleaned.title == "Banjir Besar Melanda Kota Medan Hari Ini"
    assert cleaned.text == NEWS
    assert cleaned.furniture == ["Selamat Idul Fitri", "Home", "Nasional"]


def test_line_key_ignores_case_spacing_and_numbers():
    assert line_key("  Internasional057   Views ") == line_key("internasional 1.203 views".replace(" 1.203", "123"))


PLACES = [
    f"{a} {b}"
    for a in ("Medan", "Binjai", "Deli", "Langkat", "Karo", "Asahan", "Dairi")
    for b in ("Utara", "Selatan", "Barat", "Timur", "Tengah", "Hulu")
]


def _article(number: int, extra: str) -> RawDocument:
    place = PLACES[number % len(PLACES)]
    text = (
        f"Judul Berita Tentang Kejadian di {place} Hari Ini\n"
        f"Warga {place} melaporkan kejadian itu kepada polisi setempat, Selasa (10/9/2019).\n"
        f"{extra}\n"
        f"Polisi masih menyelidiki kejadian di {place}, kata juru bicara.\n"
    )
    return RawDocument(source=f"{place}.txt", kind="text", content=text, hints={"outlet": "contoh.id", "id": f"m{number}"})


PROMO = "Dapatkan promo menarik dari toko kami"


def test_lines_an_outlet_repeats_are_learned_as_furniture(tmp_path):
    with kabar.open(tmp_path / "k.db") as engine:
        list(engine.ingest_documents([_article(n, PROMO) for n in range(6)], lambda s, m: None))
        assert line_key(PROMO) in engine.furniture.known["contoh.id"]
        list(engine.ingest_documents([_article(99, PROMO)], lambda s, m: None))
        stored = engine.store.article("m99")
    assert PROMO not in stored.text
    assert PROMO in stored.furniture
    assert f"Polisi masih menyelidiki kejadian di {PLACES[99 % len(PLACES)]}" in stored.text


def test_learned_lines_survive_a_restart_and_stay_per_outlet(tmp_path):
    with kabar.open(tmp_path / "k.db") as engine:
        list(engine.ingest_documents([_article(n, PROMO) for n in range(6)], lambda s, m: None))
    with kabar.open(tmp_path / "k.db") as engine:
        assert line_key(PROMO) in engine.furniture.known["contoh.id"]
        other = RawDocument(
            source="o.txt",
            kind="text",
            content=f"Judul Lain Dari Outlet Lain Sekali\n{NEWS}\n{PROMO}",
            hints={"outlet": "lain.id"},
        )
        assert PROMO in extract(other, engine.furniture.known).text


def test_a_line_in_few_of_an_outlets_articles_stays_news():
    store = SQLiteStore(":memory:")
    learner = OutletFurniture(store)
    with store.transaction():
        for number in range(40):
            extra = "Sebagai informasi, banjir serupa terjadi tahun lalu" if number < 6 else f"Catatan dari {PLACES[number]}."
            article = extract(_article(number, extra))
            learner.observe(article)
        learner.flush()
    assert line_key("Sebagai informasi, banjir serupa terjadi tahun lalu") not in learner.known["contoh.id"]
    assert learner.known["contoh.id"] == frozenset()


@pytest.mark.parametrize(
    "line",
    [
        "Iklan rokok dilarang tayang di televisi sebelum pukul 21.30, kata KPI.",
        "Bagikan sembako kepada warga terdampak banjir, Wali Kota turun langsung ke lokasi pengungsian.",
        "Berita terkait penangkapan itu sudah beredar luas di media sosial sejak pagi.",
        "Bagaimana tanggapan anda soal rencana itu, tanya wartawan kepada Menteri Keuangan dalam konferensi pers kemarin?",
    ],
)
def test_news_that_starts_like_furniture_is_kept(line):
    assert not is_furniture_line(line, "id")
