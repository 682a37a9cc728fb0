"""Read stage: turn files, folders and stdin into RawDocuments, one reader per format.

Readers never raise on bad input: a problem is reported through ``on_problem(source, message)``
and the input (or the bad line) is skipped, so one broken file never stops an ingest.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kabar.model import RawDocument

MAX_DOCUMENT_BYTES = 10_000_000
"""Largest single document accepted; real article pages are well under 2 MB."""
MAX_UNPACKED_BYTES = 1_000_000_000
"""Largest gzipped input unpacked whole in memory (a .jsonl.gz file is streamed instead, so it has no such limit): a small
file can unpack to far more than memory holds."""
UNPACK_CHUNK = 1 << 20

ProblemHandler = Callable[[str, str], None]

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "maintext"),
    "html": ("html", "raw_html", "page"),
    "title": ("title", "headline"),
    "outlet": ("outlet", "source", "site", "publisher", "domain"),
    "published": ("published", "date", "published_at", "pubdate", "date_publish", "datetime"),
    "url": ("url", "link", "uri"),
    "id": ("id", "article_id", "doc_id", "guid"),
    "lang": ("lang", "language"),
    "crawl_date": ("crawl_date", "crawled_at", "date_download"),
}
SUFFIX_FORMATS: dict[str, str] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
}
"""Formats named by a file's suffix; other files (.txt, .text, none, or stdin) are sniffed from their content."""
WARC_SUFFIXES = {".warc", ".warc.gz", ".arc", ".arc.gz"}
STREAMED_SUFFIXES = {".jsonl", ".ndjson"}
"""Read line by line from the file rather than whole, so a large file never sits in memory."""
SNIFF_BYTES = 8192
"""Bytes looked at to tell a binary file (a NUL among them) from text, and to recognise a format."""
KNOWN_SUFFIXES = SUFFIX_FORMATS.keys() | WARC_SUFFIXES | {".txt", ".text", ""}
"""What a folder walk reads; a file named explicitly is read whatever its suffix (its format is sniffed)."""
GZIP_MAGIC = b"\x1f\x8b"
WARC_STARTS = (b"WARC/", b"filedesc://")
"""How a WARC (or an old ARC) file begins, once ungzipped."""
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
GZIP_ERRORS = (OSError, EOFError, zlib.error)
"""How gzip fails on data that is cut short (EOFError), corrupt (zlib.error) or not gzip (BadGzipFile, an OSError)."""
JSON_START_RE = re.compile(r"\{|\[\s*\{")
SURROGATE_RE = re.compile("[\ud800-\udfff]")
"""A JSON object, or an array of objects: text that merely starts with "[" ("[Foto] Banjir…") is not JSON."""


def readable(text: str) -> str:
    """Text with any lone surrogate (a JSON escape such as "\\ud800", or a file name that is not UTF-8) as U+FFFD:
    neither SQLite nor CLD2 nor a terminal takes one."""
    return text if text.isascii() or not SURROGATE_RE.search(text) else SURROGATE_RE.sub("\ufffd", text)


CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def path_name(path: Path | str) -> str:
    """A path as the name of an input: its text, readable even when the file system's bytes are not UTF-8, and with
    any control character (an escape sequence in a file name would reach the terminal) as U+FFFD."""
    return CONTROL_RE.sub("\ufffd", readable(str(path)))


def _stderr_problem(source: str, message: str) -> None:
    print(f"kabar: {source}: {message}", file=sys.stderr)


def read_paths(paths: Iterable[str | Path], on_problem: ProblemHandler = _stderr_problem) -> Iterator[RawDocument]:
    """Yield RawDocuments from files, folders (recursively, in sorted order) and ``-`` for stdin."""
    for path in paths:
        if str(path) == "-":
            yield from _read_input(sys.stdin.buffer.read(), "<stdin>", on_problem)
            continue
        path = Path(path)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as error:  # a path inside a folder this user cannot enter
            on_problem(path_name(path), f"cannot read ({error.strerror or error}); skipped")
            continue
        if is_dir:
            for child in _files_under(path, on_problem):
                if _suffix(child) in KNOWN_SUFFIXES:
                    yield from read_file(child, on_problem)
                else:
                    on_problem(path_name(child), f"unknown format ({_suffix(child) or 'no suffix'}) in a folder; skipped")
        elif is_file:
            yield from read_file(path, on_problem)
        else:
            on_problem(path_name(path), "no such file or folder")


def _files_under(folder: Path, on_problem: ProblemHandler) -> list[Path]:
    """The files in a folder and its subfolders (not hidden ones, not through links to folders), sorted; a subfolder
    that cannot be read is reported."""

    def unreadable(error: OSError) -> None:
        on_problem(path_name(error.filename or folder), f"cannot read folder ({error.strerror or error}); skipped")

    files = []
    for top, _, names in os.walk(folder, onerror=unreadable):
        files += [Path(top, name) for name in names if not name.startswith(".")]
    return sorted(file for file in files if file.is_file())


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for double in (".warc.gz", ".arc.gz", ".jsonl.gz"):
        if name.endswith(double):
            return double
    return path.suffix.lower()


def read_file(path: Path, on_problem: ProblemHandler = _stderr_problem) -> Iterator[RawDocument]:
    """Yield the documents of one file, choosing the reader by suffix, else by sniffing."""
    source = path_name(path)
    suffix = _suffix(path)
    if suffix in WARC_SUFFIXES:
        from kabar.read.warc import read_warc

        yield from read_warc(path, on_problem)
        return
    if suffix == ".jsonl.gz":
        yield from _read_gzipped_lines(path, on_problem)
        return
    try:
        if suffix in STREAMED_SUFFIXES:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
                if head.strip() and not _is_binary(head) and not head.startswith(UTF16_BOMS):
                    handle.seek(0)
                    yield from _read_json_lines(handle, source, on_problem)
                    return
                data = head + handle.read()
        else:
            data = path.read_bytes()
    except OSError as error:
        on_problem(source, f"cannot read file ({error.strerror or error})")
        return
    if suffix.endswith(".gz") and not data.startswith(GZIP_MAGIC):
        on_problem(source, "not gzip data, though named .gz; skipped")
        return
    yield from _read_input(data, source, on_problem, suffix)


def _read_input(data: bytes, source: str, on_problem: ProblemHandler, suffix: str = "") -> Iterator[RawDocument]:
    """A file's or stdin's bytes: a WARC (gzipped or not) or other gzipped data is recognised by its first bytes.

    Only local input is unpacked this way; ``read_bytes`` alone (as for web requests) takes neither.
    """
    if gunzipped_head(data).startswith(WARC_STARTS):
        from kabar.read.warc import read_warc_stream

        yield from read_warc_stream(io.BytesIO(data), source, on_problem)
    elif data.startswith(GZIP_MAGIC):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacking:
                data = unpacking.read(MAX_UNPACKED_BYTES + 1)
        except GZIP_ERRORS as error:
            on_problem(source, _gzip_problem(error))
            return
        if len(data) > MAX_UNPACKED_BYTES:
            limit = MAX_UNPACKED_BYTES // 1_000_000
            on_problem(source, f"gzip data unpacks to over {limit} MB; skipped (unpack it first, or name JSON lines .jsonl.gz)")
            return
        yield from read_bytes(data, source, on_problem, suffix.removesuffix(".gz"))
    else:
        yield from read_bytes(data, source, on_problem, suffix)


def _gzip_problem(error: BaseException) -> str:
    return f"gzip data truncated or corrupt ({str(error)[:80]}); skipped"


def _read_gzipped_lines(path: Path, on_problem: ProblemHandler) -> Iterator[RawDocument]:
    """A .jsonl.gz file, line by line, never whole in memory: first unpacked once to the end and thrown away, because
    gzip's checksum comes last and a corrupt file would otherwise yield garbled records before it failed; then read.
    Content that is not JSON lines (binary, UTF-16, a WARC) is read whole as any gzipped input is."""
    source = path_name(path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GZIP_MAGIC))
    except OSError as error:
        on_problem(source, f"cannot read file ({error.strerror or error})")
        return
    if magic != GZIP_MAGIC:
        on_problem(source, "not gzip data, though named .gz; skipped")
        return
    try:
        with gzip.open(path) as unpacking:
            head = unpacking.read(SNIFF_BYTES)
            unpacked = len(head)
            while chunk := unpacking.read(UNPACK_CHUNK):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    on_problem(source, f"unpacks to over {MAX_UNPACKED_BYTES:,} bytes; skipped")
                    return
    except GZIP_ERRORS as error:
        on_problem(source, _gzip_problem(error))
        return
    if not head.strip() or _is_binary(head) or head.startswith(UTF16_BOMS) or head.startswith(WARC_STARTS):
        yield from _read_input(path.read_bytes(), source, on_problem, ".jsonl.gz")
        return
    try:
        with gzip.open(path) as unpacking:
            yield from _read_json_lines(unpacking, source, on_problem)
    except GZIP_ERRORS as error:  # changed on disk since it was checked
        on_problem(source, _gzip_problem(error))


def _is_binary(data: bytes) -> bool:
    """A NUL byte near the start of something that is not UTF-16 text."""
    return b"\x00" in data[:SNIFF_BYTES] and not data.startswith(UTF16_BOMS)


def gunzipped_head(data: bytes) -> bytes:
    """The first bytes of ``data`` once ungzipped (``data`` itself when it is not gzip; empty when the gzip is broken)."""
    if not data.startswith(GZIP_MAGIC):
        return data[:SNIFF_BYTES]
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(data[:SNIFF_BYTES], SNIFF_BYTES)
    except zlib.error:
        return b""


def _head_text(data: bytes) -> str:
    """A document's first characters for sniffing; undecodable bytes become U+FFFD, never dropped (Shift-JIS hides '{' bytes)."""
    codec = "utf-16" if data.startswith(UTF16_BOMS) else "utf-8-sig"
    return data[:SNIFF_BYTES].decode(codec, errors="replace")


def sniff_format(text: str) -> str:
    """Guess a document's format from its first characters: json, feed, html or text."""
    head = text.lstrip()[:2000].lower()
    if JSON_START_RE.match(head):
        return "json"
    if head.startswith("<?xml") or head.startswith("<rss") or head.startswith("<feed"):
        return "feed" if ("<rss" in head or "<feed" in head or "<rdf" in head) else "html"
    if head.startswith("<!doctype html") or head.startswith("<html") or "<body" in head[:2000]:
        return "html"
    return "text"


def read_bytes(data: bytes, source: str, on_problem: ProblemHandler = _stderr_problem, suffix: str = "") -> Iterator[RawDocument]:
    """Yield the documents held in one blob of text bytes (a file's, stdin's or a web request's content).

    The format comes from ``suffix``, else from how the text starts.
    """
    if not data.strip():
        on_problem(source, "empty input, skipped")
        return
    if _is_binary(data):
        on_problem(source, "binary file, not text, HTML, JSONL, feed or WARC; skipped")
        return
    fmt = SUFFIX_FORMATS.get(suffix) or sniff_format(_head_text(data))
    if fmt in JSON_READERS:
        yield from JSON_READERS[fmt](data, source, on_problem)
        return
    if fmt in ("html", "text") and len(data) > MAX_DOCUMENT_BYTES:
        size, limit = len(data) // 1_000_000, MAX_DOCUMENT_BYTES // 1_000_000
        on_problem(source, f"document is {size} MB, over the {limit} MB limit; skipped")
        return
    decoded = decode_text(data)
    if decoded is None:
        on_problem(source, "not valid UTF-8 and no other text encoding fits; skipped")
        return
    text, encoding = decoded
    hints = {"encoding": encoding} if encoding != "utf-8" else {}
    if fmt == "feed":
        from kabar.read.feed import read_feed

        yield from read_feed(text, source, on_problem)
    else:
        yield RawDocument(source=source, kind=fmt, content=text, hints=hints)


DECLARED_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}charset\s*=\s*["']?([\w.:-]{2,40})""", re.IGNORECASE)
SINGLE_BYTE_WESTERN = {
    "cp775",
    "cp850",
    "cp1250",
    "cp1252",
    "cp1254",
    "cp1257",
    "latin_1",
    "iso8859_2",
    "iso8859_9",
    "iso8859_15",
    "mac_roman",
}
"""charset_normalizer's guesses for text whose only non-ASCII bytes are quotes, dashes and accents: cp1252 is
what Indonesian (and other Latin-script) pages that are not UTF-8 actually use, and it decodes the same
quotes and letters correctly."""


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode a document's bytes; returns (text, encoding) or None when no text encoding fits.

    Order: a UTF-16/UTF-8 byte-order mark, UTF-8, the charset an HTML page declares (when the bytes fit it), then
    charset_normalizer's guess (Western single-byte guesses read as cp1252).
    """
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, codec in boms:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec.removesuffix("-sig")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = DECLARED_CHARSET_RE.search(data[:4096])
    if declared:
        try:
            codec = codecs.lookup(declared.group(1).decode("ascii")).name
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        return None
    codec = "cp1252" if best.encoding in SINGLE_BYTE_WESTERN else best.encoding
    return data.decode(codec, errors="replace"), codec


def _plain_value(value: Any) -> Any:
    """A JSON field reduced to one plain value: the first of a list, a dict's name/title, else itself."""
    if isinstance(value, list):
        value = next((item for item in value if item not in (None, "")), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or value.get("value")
    return value


def record_to_document(record: dict[str, Any], source: str) -> RawDocument | None:
    """Map a JSON record with the usual field names to a RawDocument, or None if it has no body."""
    hints: dict[str, Any] = {}
    for name, aliases in FIELD_ALIASES.items():
        for alias in aliases:
            raw = record.get(alias)
            value = raw if name == "text" and isinstance(raw, list) else _plain_value(raw)
            if value not in (None, ""):
                hints[name] = value
                break
    hints = {name: readable(value) if isinstance(value, str) else value for name, value in hints.items()}
    body = hints.pop("text", None)
    html = hints.pop("html", None)
    if isinstance(body, list):
        body = readable("\n\n".join(str(part) for part in body))
    if isinstance(body, str) and body.strip():
        kind = "html" if sniff_format(body) == "html" else "record"
        return RawDocument(source=source, kind=kind, content=body, hints=hints)
    if isinstance(html, str) and html.strip():
        return RawDocument(source=source, kind="html", content=html, hints=hints)
    return None


def _json_text(line: bytes) -> str | bytes:
    """JSON bytes as text: UTF-8 (BOM dropped), else their detected charset (old cp1252 exports), else the bytes as they are."""
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = decode_text(line)
        return decoded[0] if decoded else line


def read_json(data: bytes, source: str, on_problem: ProblemHandler = _stderr_problem) -> Iterator[RawDocument]:
    """Yield the records of a whole JSON document (an object, or an array of objects); JSON Lines are read line by line.

    A document that fails to parse is JSON Lines when more follows its first value, or when its first line is bad.
    """
    try:
        document = json.loads(_json_text(data))
    except RecursionError:
        on_problem(source, "invalid JSON (nested too deeply); skipped")
        return
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        if not isinstance(error, json.JSONDecodeError) or error.msg == "Extra data" or error.lineno == 1:
            yield from read_jsonl(data, source, on_problem)
        else:
            on_problem(source, f"invalid JSON ({error.msg} at line {error.lineno} column {error.colno}); skipped")
        return
    if isinstance(document, dict):
        records = [(source, document)]
    elif isinstance(document, list):
        records = [(f"{source}[{number}]", record) for number, record in enumerate(document, start=1)]
    else:
        on_problem(source, "JSON document is not an object or an array of objects; skipped")
        return
    for where, record in records:
        item = _record_document(record, where, "JSON array item", on_problem)
        if item is not None:
            yield item


def read_jsonl(data: bytes, source: str, on_problem: ProblemHandler = _stderr_problem) -> Iterator[RawDocument]:
    """Yield one document per JSON line; bad lines are reported with their line number and skipped."""
    if data.startswith(UTF16_BOMS):
        data = data.decode("utf-16", errors="replace").encode()
    yield from _read_json_lines(io.BytesIO(data), source, on_problem)


JSON_READERS: dict[str, Callable[[bytes, str, ProblemHandler], Iterator[RawDocument]]] = {"json": read_json, "jsonl": read_jsonl}


def _bounded_lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """The lines of a binary file, each read at most MAX_DOCUMENT_BYTES at a time: a longer line is None, its rest
    read past in pieces (one line of a gigabyte never sits in memory)."""
    while line := handle.readline(MAX_DOCUMENT_BYTES + 1):
        if len(line) <= MAX_DOCUMENT_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := handle.readline(UNPACK_CHUNK)) and not rest.endswith(b"\n"):
            pass
        yield None


def _read_json_lines(handle: BinaryIO, source: str, on_problem: ProblemHandler) -> Iterator[RawDocument]:
    for number, line in enumerate(_bounded_lines(handle), start=1):
        where = f"{source}:{number}"
        if line is None or len(line) > MAX_DOCUMENT_BYTES:
            on_problem(where, "record over the size limit; skipped")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(_json_text(line))
        except RecursionError:
            on_problem(where, "invalid JSON (nested too deeply); line skipped")
            continue
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            on_problem(where, f"invalid JSON ({error.__class__.__name__}: {str(error)[:80]}); line skipped")
            continue
        document = _record_document(record, where, "JSON line", on_problem)
        if document is not None:
            yield document


def _record_document(record: Any, where: str, what: str, on_problem: ProblemHandler) -> RawDocument | None:
    """The document of one parsed JSON record, or None after reporting why there is none."""
    if not isinstance(record, dict):
        on_problem(where, f"{what} is not an object; skipped")
        return None
    document = record_to_document(record, where)
    if document is None:
        on_problem(where, "record has no text/content/body or html field; skipped")
    return document
