"""Readers on broken, mislabelled or oddly encoded input: one problem line naming the input, and the other inputs still read."""

from __future__ import annotations

import gzip
import importlib.metadata
import io
import json
import sys
import tomllib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import kabar.read
from kabar.read import decode_text, read_bytes, read_paths

REPO = Path(__file__).resolve().parent.parent
PARAGRAPH = "Banjir merendam ratusan rumah warga di Kecamatan Medan Maimun, Selasa (10/9/2019), kata petugas pemadam."
RECORDS = [
    {"id": "a1", "title": "Banjir Medan", "text": PARAGRAPH, "outlet": "detik.com", "published": "2019-09-10"},
    {"id": "a2", "title": "Harga Cabai Naik", "text": "Harga cabai naik dua kali lipat di Pasar Petisah, kata pedagang."},
]


def _page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{PARAGRAPH}</p></article></body></html>"


def _warc(responses: list[tuple[str, str, bytes]], compress: bool = False) -> bytes:
    """A WARC of HTML responses given as (url, HTTP status line, body)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=compress)
    for url, status, body in responses:
        headers = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return buffer.getvalue()


def _pages(count: int) -> list[tuple[str, str, bytes]]:
    return [(f"https://contoh.id/{n}", "200 OK", _page(f"Banjir Besar di Medan Hari Ke {n}").encode()) for n in range(count)]


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _read(*paths: Path) -> tuple[list, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    documents = list(read_paths(paths, lambda source, message: problems.append((source, message))))
    return documents, problems


def _read_stdin(monkeypatch, data: bytes) -> tuple[list, list[tuple[str, str]]]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return _read("-")


def _read_request(data: bytes) -> tuple[list, list[tuple[str, str]]]:
    """Bytes read as the web API reads a request body (no suffix)."""
    problems: list[tuple[str, str]] = []
    documents = list(read_bytes(data, "request", lambda source, message: problems.append((source, message))))
    return documents, problems


def _flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize("damage", [lambda data: data[: len(data) // 2], _flip_middle_byte], ids=["cut", "bit-flipped"])
def test_broken_gzipped_jsonl_is_one_problem_and_the_next_file_is_read(tmp_path, damage):
    broken = tmp_path / "a-broken.jsonl.gz"
    broken.write_bytes(damage(gzip.compress(_jsonl(RECORDS * 20), mtime=0)))
    good = tmp_path / "b-good.jsonl"
    good.write_bytes(_jsonl(RECORDS))
    documents, problems = _read(broken, good)
    assert [d.hints["id"] for d in documents] == ["a1", "a2"]
    assert len(problems) == 1
    assert problems[0][0] == str(broken) and problems[0][1].startswith("gzip data truncated or corrupt (")


def test_jsonl_gz_is_streamed_past_the_unpacking_limit_and_other_gzip_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(kabar.read, "MAX_UNPACKED_BYTES", 2_000)
    packed = gzip.compress(_jsonl(RECORDS * 20))  # about 6 kB unpacked
    streamed, other = tmp_path / "a-big.jsonl.gz", tmp_path / "b-big.gz"
    streamed.write_bytes(packed)
    other.write_bytes(packed)
    documents, problems = _read(streamed, other)
    assert [d.hints["id"] for d in documents] == ["a1", "a2"] * 20
    assert all(d.source.startswith(f"{streamed}:") for d in documents)
    assert problems == [(str(other), "gzip data unpacks to over 0 MB; skipped (unpack it first, or name JSON lines .jsonl.gz)")]


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary" * 50], ids=["empty", "binary"])
def test_jsonl_gz_holding_no_json_lines_is_one_problem(tmp_path, content):
    path = tmp_path / "odd.jsonl.gz"
    path.write_bytes(gzip.compress(content))
    documents, problems = _read(path)
    assert documents == []
    assert len(problems) == 1 and problems[0][0] == str(path)
    assert problems[0][1].startswith(("empty input", "binary file"))


def test_jsonl_gz_that_is_not_gzip_is_named(tmp_path):
    path = tmp_path / "plain.jsonl.gz"
    path.write_bytes(_jsonl(RECORDS))
    assert _read(path) == ([], [(str(path), "not gzip data, though named .gz; skipped")])


def test_plain_warc_cut_inside_a_record_keeps_the_whole_ones(tmp_path):
    data = _warc(_pages(3))
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: data.rindex(b"</article>")])
    documents, problems = _read(path)
    assert [d.hints["url"] for d in documents] == ["https://contoh.id/0", "https://contoh.id/1"]
    assert all(d.content.endswith("</html>") for d in documents)
    assert len(problems) == 1
    assert problems[0][0] == f"{path}#https://contoh.id/2"
    assert problems[0][1].startswith("truncated WARC record")


def test_text_file_named_warc_is_one_problem_without_warcio_noise(tmp_path, capfd):
    path = tmp_path / "notes.warc"
    path.write_text("Catatan liputan banjir Medan\n" * 20)
    documents, problems = _read(path)
    assert (documents, problems) == ([], [(str(path), "not a WARC file (it does not start with a WARC/ header); skipped")])
    assert capfd.readouterr().err == ""


def test_json_array_gives_one_document_per_record(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([*RECORDS, {"id": "a3"}, "teks"]))
    documents, problems = _read(path)
    assert [(d.source, d.hints["id"], d.content) for d in documents] == [
        (f"{path}[1]", "a1", PARAGRAPH),
        (f"{path}[2]", "a2", RECORDS[1]["text"]),
    ]
    assert problems == [
        (f"{path}[3]", "record has no text/content/body or html field; skipped"),
        (f"{path}[4]", "JSON array item is not an object; skipped"),
    ]


def test_pretty_printed_json_object_is_one_record(tmp_path):
    path = tmp_path / "article.json"
    path.write_text(json.dumps(RECORDS[0], indent=2))
    documents, problems = _read(path)
    assert problems == []
    assert [(d.source, d.hints["title"], d.content) for d in documents] == [(str(path), "Banjir Medan", PARAGRAPH)]


def test_broken_pretty_printed_json_and_a_json_scalar_are_one_problem_each(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(RECORDS[0], indent=2).replace('"title":', '"title"'))
    scalar = tmp_path / "count.json"
    scalar.write_text("42\n")
    documents, problems = _read(broken, scalar)
    assert documents == []
    assert [source for source, _ in problems] == [str(broken), str(scalar)]
    assert problems[0][1] == "invalid JSON (Expecting ':' delimiter at line 3 column 11); skipped"
    assert problems[1][1] == "JSON document is not an object or an array of objects; skipped"


def test_jsonl_named_json_is_still_read_line_by_line(tmp_path):
    path = tmp_path / "lines.json"
    path.write_bytes(_jsonl(RECORDS[:1]) + b'{"id": "a2", "text": \n' + _jsonl(RECORDS[1:]))
    documents, problems = _read(path)
    assert [d.hints["id"] for d in documents] == ["a1", "a2"]
    assert len(problems) == 1 and problems[0][0] == f"{path}:2" and problems[0][1].startswith("invalid JSON")


def test_jsonl_with_utf8_bom_keeps_its_first_record(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(_jsonl(RECORDS).decode().replace("\n", "\r\n").encode("utf-8-sig"))
    documents, problems = _read(path)
    assert problems == []
    assert [d.hints["id"] for d in documents] == ["a1", "a2"]


def test_utf16_jsonl_is_decoded_like_text(tmp_path):
    path = tmp_path / "utf16.jsonl"
    path.write_bytes(_jsonl(RECORDS).decode().encode("utf-16"))
    documents, problems = _read(path)
    assert problems == []
    assert [(d.source, d.content) for d in documents] == [(f"{path}:1", PARAGRAPH), (f"{path}:2", RECORDS[1]["text"])]


def test_shift_jis_text_is_read_as_text_not_json(tmp_path):
    text = "日本の東京都は十日、大雨による洪水の被害状況を発表した。住民の避難は続いており、市は避難所を開設している。\n" * 8
    path = tmp_path / "tokyo.txt"
    path.write_bytes(text.encode("shift_jis"))
    documents, problems = _read(path)
    assert problems == []
    assert [(d.kind, d.content) for d in documents] == [("text", text)]


def test_latin1_page_declaring_utf8_falls_back_to_the_guess():
    page = f"<html><head><meta charset='utf-8'><title>Café</title></head><body><p>Café naïve. {PARAGRAPH}</p></body></html>"
    text, encoding = decode_text(page.encode("latin-1"))
    assert (text, encoding) == (page, "cp1252")


def test_warc_body_not_in_its_declared_charset_falls_back_to_the_guess(tmp_path):
    page = _page("Café Baru Dibuka di Medan").replace("<p>", "<p>Café naïve. ")
    path = tmp_path / "latin.warc"
    path.write_bytes(_warc([("https://contoh.id/kafe", "200 OK", page.encode("latin-1"))]))
    documents, problems = _read(path)
    assert problems == []
    assert [d.content for d in documents] == [page]


def test_warc_http_error_responses_are_skipped_by_name(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    missing = ("https://contoh.id/hilang", "404 Not Found", b"<html><body>Not found</body></html>")
    path.write_bytes(_warc([*_pages(1), missing, *_pages(2)[1:]], compress=True))
    documents, problems = _read(path)
    assert [d.hints["url"] for d in documents] == ["https://contoh.id/0", "https://contoh.id/1"]
    assert problems == [(f"{path}#https://contoh.id/hilang", "HTTP 404, skipped")]


@pytest.mark.parametrize(
    "data",
    [_warc(_pages(2), compress=True), _warc(_pages(2))],
    ids=["warc.gz", "warc"],
)
def test_warc_on_stdin_is_read_like_a_file(monkeypatch, data):
    documents, problems = _read_stdin(monkeypatch, data)
    assert problems == []
    assert [d.source for d in documents] == ["<stdin>#https://contoh.id/0", "<stdin>#https://contoh.id/1"]


def test_gzipped_jsonl_on_stdin_is_read(monkeypatch):
    documents, problems = _read_stdin(monkeypatch, gzip.compress(_jsonl(RECORDS)))
    assert problems == []
    assert [(d.source, d.hints["id"]) for d in documents] == [("<stdin>:1", "a1"), ("<stdin>:2", "a2")]


def test_cut_gzip_on_stdin_is_one_problem(monkeypatch):
    data = gzip.compress(_jsonl(RECORDS * 20))
    documents, problems = _read_stdin(monkeypatch, data[: len(data) // 2])
    assert documents == []
    assert len(problems) == 1 and problems[0][0] == "<stdin>" and "truncated or corrupt" in problems[0][1]


def test_pretty_printed_json_array_without_a_suffix_is_read_whole():
    documents, problems = _read_request(json.dumps(RECORDS, indent=2).encode())
    assert problems == []
    assert [d.hints["id"] for d in documents] == ["a1", "a2"]


def test_web_request_bytes_are_never_gunzipped():
    documents, problems = _read_request(gzip.compress(_jsonl(RECORDS)))
    assert (documents, problems) == ([], [("request", "binary file, not text, HTML, JSONL, feed or WARC; skipped")])


def test_lxml_html_clean_is_pinned_at_the_installed_version():
    """justext needs lxml.html.clean; pip < 24 ignores its lxml[html_clean] extra, so kabar names the package itself."""
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"lxml_html_clean=={importlib.metadata.version('lxml_html_clean')}" in dependencies


def _problems() -> tuple[list[tuple[str, str]], object]:
    problems: list[tuple[str, str]] = []
    return problems, lambda source, message: problems.append((source, message))


def test_a_lone_surrogate_in_json_text_is_replaced_and_the_other_lines_read(tmp_path):
    odd = {"id": "s", "title": "Gempa \ud800", "text": PARAGRAPH + " \udcff"}
    lines = [json.dumps(RECORDS[0]), json.dumps(odd), json.dumps(RECORDS[1])]
    path = tmp_path / "surrogates.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # json.dumps writes the surrogates as \u escapes
    problems, report = _problems()
    documents = list(read_paths([path], report))
    assert [d.hints["id"] for d in documents] == ["a1", "s", "a2"] and problems == []
    assert documents[1].hints["title"] == "Gempa \ufffd" and documents[1].content.endswith(" \ufffd")
    documents[1].content.encode("utf-8")  # what SQLite and CLD2 need


def test_a_file_name_that_is_not_utf8_is_read_under_a_readable_name(tmp_path, engine):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Banjir Medan\n\n{PARAGRAPH}\n", encoding="utf-8")
    with open(bytes(folder) + b"/b\xff.txt", "wb") as handle:  # a name in Latin-1 bytes
        handle.write(f"Harga Cabai Naik\n\n{RECORDS[1]['text']} Pedagang mengeluh pembeli sepi.\n".encode())
    documents = list(read_paths([folder]))
    assert len(documents) == 2 and documents[1].source.endswith("b\ufffd.txt")
    report = engine.ingest([folder])
    assert report.added == 2 and not report.problems


def test_json_nested_too_deeply_is_a_problem_line(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "deep.json").write_text(deep, encoding="utf-8")
    (tmp_path / "deep.jsonl").write_text(json.dumps(RECORDS[0]) + "\n" + '{"text": ' + deep + "}\n", encoding="utf-8")
    problems, report = _problems()
    documents = list(read_paths([tmp_path / "deep.json", tmp_path / "deep.jsonl"], report))
    assert [d.hints["id"] for d in documents] == ["a1"]
    messages = [message for _, message in problems]
    assert messages == ["invalid JSON (nested too deeply); skipped", "invalid JSON (nested too deeply); line skipped"]


def test_an_overlong_line_of_gzipped_jsonl_is_skipped_without_reading_it_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(kabar.read, "MAX_DOCUMENT_BYTES", 1000)
    monkeypatch.setattr(kabar.read, "UNPACK_CHUNK", 64)
    long_line = json.dumps({"id": "long", "text": "kata " * 5000})
    path = tmp_path / "long.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join([json.dumps(RECORDS[0]), long_line, json.dumps(RECORDS[1])]).encode() + b"\n"))
    problems, report = _problems()
    documents = list(read_paths([path], report))
    assert [d.hints["id"] for d in documents] == ["a1", "a2"]
    assert problems == [(f"{path}:2", "record over the size limit; skipped")]


def test_gzipped_jsonl_that_unpacks_too_far_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(kabar.read, "MAX_UNPACKED_BYTES", 10_000)
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(json.dumps(RECORDS[0]).encode() for _ in range(200)) + b"\n"))
    problems, report = _problems()
    assert list(read_paths([path], report)) == []
    assert problems == [(str(path), "unpacks to over 10,000 bytes; skipped")]


def test_a_path_that_cannot_be_looked_at_is_skipped_and_the_rest_read(tmp_path, monkeypatch):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(RECORDS[0]) + "\n", encoding="utf-8")
    locked = tmp_path / "locked" / "a.txt"
    is_dir = Path.is_dir

    def guarded(path: Path) -> bool:
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return is_dir(path)

    monkeypatch.setattr(Path, "is_dir", guarded)
    problems, report = _problems()
    assert [d.hints["id"] for d in read_paths([locked, good], report)] == ["a1"]
    assert problems == [(str(locked), "cannot read (Permission denied); skipped")]


def test_a_control_character_in_a_file_name_is_not_printed(tmp_path):
    odd = tmp_path / "a\x1b[2Jb.txt"
    odd.write_text(f"Banjir Medan\n\n{PARAGRAPH}\n", encoding="utf-8")
    (document,) = read_paths([odd])
    assert document.source == str(tmp_path / "a\ufffd[2Jb.txt")


def test_a_feed_without_entries_and_xml_that_is_no_feed_are_reported(tmp_path):
    empty = tmp_path / "empty.rss"
    empty.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Kanal</title></channel></rss>', encoding="utf-8")
    note = tmp_path / "note.xml"
    note.write_text(f'<?xml version="1.0"?><note><body>{PARAGRAPH}</body></note>', encoding="utf-8")
    problems, report = _problems()
    assert list(read_paths([empty, note], report)) == []
    assert problems == [
        (str(empty), "feed has no entries; skipped"),
        (str(note), "XML document, not an RSS/Atom feed, has no entries; skipped"),
    ]
