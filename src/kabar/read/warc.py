"""WARC files: one RawDocument per HTML response record, with the target URI and crawl date."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from kabar.model import RawDocument
from kabar.read import GZIP_MAGIC, SNIFF_BYTES, WARC_STARTS, decode_text, gunzipped_head, path_name

MAX_RECORD_BYTES = 10_000_000
GUNZIP_CHUNK_BYTES = 1 << 16
CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


class TruncatedGzipError(Exception):
    """The gzip data ends inside a member: the file was cut short (not an EOFError, which warcio swallows)."""


class GunzipStream(io.RawIOBase):
    """A gzip file (one or many members, as WARCs are) read as a stream; raises when it ends early."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self.pending = b""
        self.offset = 0
        self.in_member = False

    def readable(self) -> bool:
        """Always: this is a read-only stream."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` with the next uncompressed bytes; 0 at the true end of the data."""
        while self.offset >= len(self.pending):
            self.pending, self.offset = b"", 0
            chunk = self.raw.read(GUNZIP_CHUNK_BYTES)
            if not chunk:
                if self.in_member:
                    raise TruncatedGzipError("gzip data ends inside a member")
                return 0
            while chunk:
                self.in_member = True
                self.pending += self.decompressor.decompress(chunk)
                chunk = self.decompressor.unused_data
                if self.decompressor.eof:
                    self.in_member = False
                    self.decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        size = min(len(buffer), len(self.pending) - self.offset)
        buffer[:size] = self.pending[self.offset : self.offset + size]
        self.offset += size
        return size


WARC_READ_ERRORS = (
    ArchiveLoadFailed,
    TruncatedGzipError,
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    AttributeError,
    KeyError,
    TypeError,
)
"""How warcio fails on a corrupt or malformed file (a record without a target URI ends in AttributeError)."""


class QuietArchiveIterator(ArchiveIterator):
    """warcio's iterator without its three-line stderr warning when a record is not followed by a blank line.

    That happens on a wrong Content-Length, and what follows then fails to parse and is reported as one problem.
    """

    INC_RECORD = ""


def _decode_body(body: bytes, content_type: str) -> str | None:
    """A response body as text: the charset its Content-Type header names if the bytes fit it, else detected like a file's."""
    declared = CHARSET_RE.search(content_type)
    if declared:
        try:
            return body.decode(declared.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode_text(body)
    return decoded[0] if decoded else None


def _is_cut_short(record: ArcWarcRecord) -> bool:
    """Whether the file ends before the record's declared Content-Length (warcio hands out the cut record as whole)."""
    stream = record.raw_stream
    while stream.read(GUNZIP_CHUNK_BYTES):
        pass
    return getattr(stream, "limit", 0) > 0


def _status(record: ArcWarcRecord) -> int:
    """The HTTP status code of a response record (0 when it has none)."""
    code = record.http_headers.get_statuscode() if record.http_headers else ""
    return int(code) if code and code.isdigit() else 0


def _skip_reason(record: ArcWarcRecord, body: bytes) -> str | None:
    """Why an HTML response record is not read as an article (over the size limit, cut short, an HTTP error), else None."""
    if len(body) > MAX_RECORD_BYTES:
        return "WARC record over the size limit; skipped"
    if _is_cut_short(record):
        return f"truncated WARC record (the file ends inside it, {record.length} bytes declared); skipped"
    status = _status(record)
    return f"HTTP {status}, skipped" if status >= 400 else None


def read_warc(path: Path, on_problem: Callable[[str, str], None]) -> Iterator[RawDocument]:
    """Yield HTML responses from a (gzipped) WARC file; see ``read_warc_stream``."""
    try:
        raw = path.open("rb")
    except OSError as error:
        on_problem(path_name(path), f"cannot read file ({error.strerror or error})")
        return
    with raw:
        yield from read_warc_stream(raw, path_name(path), on_problem)


def read_warc_stream(raw: BinaryIO, source: str, on_problem: Callable[[str, str], None]) -> Iterator[RawDocument]:
    """Yield HTML responses from a seekable (gzipped) WARC stream; a truncated or corrupt one is reported, not raised.

    Gzip is undone here (``GunzipStream``) rather than by warcio, which stops silently at a truncated
    member and hands out the cut record as if it were whole.
    """
    count = 0
    try:
        start = raw.read(SNIFF_BYTES)
        raw.seek(0)
        if not gunzipped_head(start).startswith(WARC_STARTS):
            on_problem(source, "not a WARC file (it does not start with a WARC/ header); skipped")
            return
        stream = GunzipStream(raw) if start.startswith(GZIP_MAGIC) else raw
        for record in QuietArchiveIterator(stream):
            if record.rec_type != "response":
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
            if "html" not in content_type.lower():
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            body = record.content_stream().read(MAX_RECORD_BYTES + 1)
            count += 1
            where = f"{source}#{uri or count}"
            reason = _skip_reason(record, body)
            if reason:
                on_problem(where, reason)
                continue
            text = _decode_body(body, content_type)
            if text is None:
                on_problem(where, "WARC record is not text in any known encoding; skipped")
                continue
            hints = {"url": uri, "crawl_date": (record.rec_headers.get_header("WARC-Date") or "")[:10]}
            yield RawDocument(source=where, kind="html", content=text, hints={k: v for k, v in hints.items() if v})
    except WARC_READ_ERRORS as error:
        kind = error.__class__.__name__
        on_problem(source, f"WARC file unreadable or truncated after {count} HTML record(s) ({kind}); rest skipped")
