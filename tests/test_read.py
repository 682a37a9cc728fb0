"""Readers and the ``kabar extract`` command on bad input: each gives one clear line naming the input, never a crash."""

from __future__ import annotations

import gzip
import io
import json
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from kabar.cli import main
from kabar.read import decode_text, read_bytes, read_paths, sniff_format

PARAGRAPH = "Banjir merendam ratusan rumah warga di Kecamatan Medan Maimun, Selasa (10/9/2019), kata petugas pemadam."


def _page(title: str, paragraphs: int = 4) -> str:
    body = "".join(f"<p>{PARAGRAPH} Paragraf {n}.</p>" for n in range(paragraphs))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def _warc(pages: int, paragraphs: int = 4) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for number in range(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        payload = io.BytesIO(_page(f"Banjir Besar Melanda Kota Medan Hari Ke {number}", paragraphs).encode())
        writer.write_record(
            writer.create_warc_record(f"https://contoh.id/{number}", "response", payload=payload, http_headers=headers)
        )
    return buffer.getvalue()


def _read(path):
    problems: list[tuple[str, str]] = []
    documents = list(read_paths([path], lambda source, message: problems.append((source, message))))
    return documents, problems


def _extract_cli(capsys, *paths) -> tuple[int, list[dict], list[str]]:
    status = main(["extract", "--json", *map(str, paths)])
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    return status, records, captured.err.splitlines()


def test_warc_records_come_with_url_and_crawl_date(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(_warc(3))
    documents, problems = _read(path)
    assert problems == []
    assert [d.hints["url"] for d in documents] == ["https://contoh.id/0", "https://contoh.id/1", "https://contoh.id/2"]
    assert all(len(d.hints["crawl_date"]) == 10 for d in documents)


def test_truncated_gzip_warc_keeps_whole_records_and_reports_the_rest(tmp_path):
    data = _warc(6, paragraphs=2000)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) * 2 // 3 - 100])
    documents, problems = _read(path)
    assert 1 <= len(documents) < 6
    assert all(d.content.endswith("</html>") for d in documents)
    assert len(problems) == 1
    source, message = problems[0]
    assert source == str(path)
    assert "truncated" in message


def test_fifty_megabyte_html_page_is_refused_quickly(tmp_path, capsys):
    path = tmp_path / "huge.html"
    filler = "<p>" + "kata " * 200 + "</p>\n"
    path.write_text("<html><body>" + filler * (50_000_000 // len(filler) + 1) + "</body></html>", encoding="utf-8")
    start = time.perf_counter()
    status, records, errors = _extract_cli(capsys, path)
    assert time.perf_counter() - start < 10
    assert (status, records) == (1, [])
    assert errors == [f"kabar: {path}: document is 50 MB, over the 10 MB limit; skipped"]


def test_page_over_the_html_limit_without_scripts_is_refused(tmp_path, capsys):
    path = tmp_path / "long.html"
    path.write_text("<html><body>" + f"<p>{PARAGRAPH}</p>" * 30_000 + "</body></html>", encoding="utf-8")
    status, records, errors = _extract_cli(capsys, path)
    assert (status, records) == (1, [])
    assert len(errors) == 1 and errors[0].startswith(f"kabar: {path}: HTML page is ") and "over the 2 MB limit" in errors[0]


def test_script_heavy_page_is_extracted(tmp_path, capsys):
    path = tmp_path / "scripts.html"
    path.write_text(
        _page("Banjir Besar Melanda Kota Medan").replace("<head>", "<head><script>" + "var x=1;" * 400_000 + "</script>")
    )
    status, records, errors = _extract_cli(capsys, path)
    assert (status, errors) == (0, [])
    assert records[0]["title"] == "Banjir Besar Melanda Kota Medan"


def test_page_with_no_text(tmp_path, capsys):
    path = tmp_path / "empty-page.html"
    path.write_text("<html><head><title>Kosong</title><script>var a = 1;</script></head><body><nav>Menu</nav></body></html>")
    status, records, errors = _extract_cli(capsys, path)
    assert (status, records) == (1, [])
    assert errors == [f"kabar: {path}: HTML page has no article text"]


def test_binary_and_empty_files(tmp_path, capsys):
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 10)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    status, records, errors = _extract_cli(capsys, binary, empty)
    assert (status, records) == (1, [])
    assert errors == [
        f"kabar: {binary}: binary file, not text, HTML, JSONL, feed or WARC; skipped",
        f"kabar: {empty}: empty input, skipped",
    ]


def test_invalid_json_lines_are_named_by_line_and_the_rest_is_read(tmp_path, capsys):
    path = tmp_path / "articles.jsonl"
    good = {"id": "a1", "title": "Banjir Medan", "text": PARAGRAPH, "outlet": "detik.com", "published": "2019-09-10"}
    path.write_text("\n".join([json.dumps(good), '{"id": "a2", "text": ', "[1, 2]", json.dumps({"id": "a3"})]) + "\n")
    status, records, errors = _extract_cli(capsys, path)
    assert status == 1
    assert [r["id"] for r in records] == ["a1"]
    assert records[0]["published"] == "2019-09-10T00:00:00+07:00"
    assert errors[0].startswith(f"kabar: {path}:2: invalid JSON")
    assert errors[1:] == [
        f"kabar: {path}:3: JSON line is not an object; skipped",
        f"kabar: {path}:4: record has no text/content/body or html field; skipped",
    ]


def test_cp1252_file_is_decoded_and_noted(tmp_path, capsys):
    path = tmp_path / "lama.txt"
    text = (
        "Harga Cabai Naik Tajam di Pasar Medan\n"
        "“Harga cabai naik dua kali lipat,” kata pedagang di Pasar Petisah, Selasa (10/9/2019). Café ramai.\n"
    )
    path.write_bytes(text.encode("cp1252"))
    status, records, errors = _extract_cli(capsys, path)
    assert status == 0
    assert errors == [f"kabar: {path}: not UTF-8; decoded as cp1252"]
    assert records[0]["text"].startswith("“Harga cabai naik dua kali lipat,” kata pedagang")
    assert "Café" in records[0]["text"]


def test_latin1_html_page_uses_its_declared_charset():
    page = '<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body>Caf\xe9 ramai</body></html>'
    text, encoding = decode_text(page.encode("latin-1"))
    assert encoding == "iso8859-1"
    assert "Café ramai" in text


def test_utf16_file_with_byte_order_mark_is_text_not_binary(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Judul Berita Banjir di Medan Hari Ini\n".encode("utf-16") + (PARAGRAPH + "\n").encode("utf-16-le"))
    documents, problems = _read(path)
    assert problems == []
    assert documents[0].content.startswith("Judul Berita Banjir")


def test_gzipped_jsonl_is_read(tmp_path):
    path = tmp_path / "articles.jsonl.gz"
    path.write_bytes(gzip.compress((json.dumps({"id": "x", "text": PARAGRAPH}) + "\n").encode()))
    documents, problems = _read(path)
    assert problems == [] and documents[0].hints["id"] == "x"


def test_missing_path_is_named(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    status, records, errors = _extract_cli(capsys, missing)
    assert (status, records, errors) == (1, [], [f"kabar: {missing}: no such file or folder"])


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<!DOCTYPE html><html>", "html"),
        ('{"id": 1}', "json"),
        ('[\n  {"id": 1}', "json"),
        ("[Foto] Banjir di Medan", "text"),
        ('<?xml version="1.0"?><rss>', "feed"),
        ("date 2022-09 Berita", "text"),
    ],
)
def test_format_is_sniffed_from_the_first_characters(head, expected):
    assert sniff_format(head) == expected


def test_extract_command_prints_the_documented_fields(capsys, tmp_path):
    path = tmp_path / "berita.txt"
    path.write_text(
        "date 2019-09\nBanjir Besar Melanda Kota Medan Hari Ini\nBaca juga: Judul Lain Soal Banjir\n" + PARAGRAPH + "\n"
    )
    status, records, errors = _extract_cli(capsys, path)
    assert (status, errors) == (0, [])
    record = records[0]
    assert {"title", "text", "outlet", "authors", "published", "crawl_date", "language", "url", "furniture"} <= set(record)
    assert record["title"] == "Banjir Besar Melanda Kota Medan Hari Ini"
    assert record["published"] == "2019-09-10T00:00:00+07:00"
    assert record["crawl_date"] == "2019-09"
    assert record["furniture"] == ["Baca juga: Judul Lain Soal Banjir"]
    assert main(["extract", str(path)]) == 0
    assert "title:     Banjir Besar Melanda Kota Medan Hari Ini" in capsys.readouterr().out


def test_cp1252_jsonl_line_is_decoded_not_skipped(tmp_path):
    path = tmp_path / "old.jsonl"
    record = {"id": "c1", "title": "Harga Cabai", "text": "“Harga cabai naik,” kata pedagang di Pasar Petisah – Medan."}
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("cp1252") + b"\n")
    documents, problems = _read(path)
    assert problems == []
    assert documents[0].content == record["text"]


def test_malformed_warc_record_is_reported(tmp_path):
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"))
    documents, problems = _read(path)
    assert documents == []
    assert len(problems) == 1 and problems[0][0] == str(path) and "unreadable or truncated" in problems[0][1]


def test_jsonl_fields_given_as_lists_or_objects_are_reduced_to_one_value():
    line = {
        "id": 7,
        "outlet": [],
        "source": {"name": "tempo.co"},
        "title": ["Judul Satu", "Judul Dua"],
        "text": ["Paragraf satu.", "Paragraf dua."],
    }
    problems: list[tuple[str, str]] = []
    documents = list(read_bytes((json.dumps(line) + "\n").encode(), "x.jsonl", lambda s, m: problems.append((s, m)), ".jsonl"))
    assert not problems
    assert documents[0].hints["outlet"] == "tempo.co"
    assert documents[0].hints["title"] == "Judul Satu"
    assert "Paragraf satu." in documents[0].content and "Paragraf dua." in documents[0].content


def test_folder_walk_skips_files_of_unknown_format_with_a_message(tmp_path):
    (tmp_path / "README.md").write_text("# Sample articles\n\nCredits go here.")
    (tmp_path / "a.txt").write_text("Banjir merendam ratusan rumah warga di Bekasi, Selasa (10/9/2019). Sungai meluap.")
    problems: list[tuple[str, str]] = []
    documents = list(read_paths([tmp_path], lambda s, m: problems.append((s, m))))
    assert [Path(d.source).name for d in documents] == ["a.txt"]
    assert problems and problems[0][0].endswith("README.md") and "unknown format" in problems[0][1]


def test_jsonl_files_are_read_line_by_line_with_the_same_checks(tmp_path):
    record = json.dumps({"id": "a", "text": "Banjir merendam rumah warga di Medan, Selasa."})
    late = tmp_path / "late.jsonl"
    late.write_text("\n" * 9000 + record + "\n{bad\n", encoding="utf-8")
    documents, problems = _read(late)
    assert [d.hints["id"] for d in documents] == ["a"] and problems[0][0] == f"{late}:9002"
    binary = tmp_path / "binary.jsonl"
    binary.write_bytes(record.encode() + b"\x00\n")
    assert _read(binary) == ([], [(str(binary), "binary file, not text, HTML, JSONL, feed or WARC; skipped")])
