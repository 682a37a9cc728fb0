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

from kabar.model import RawDocument
from kabar.read import decode_text

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


def _decode_body(body: bytes, content_type: str) -> str | None:
    """A response body as text: the charset its Content-Type header names, else detected like a file's."""
    declared = CHARSET_RE.search(content_type)
    if declared:
        try:
            return body.decode(declared.group(1), errors="replace")
        except LookupError:
            pass
    decoded = decode_text(body)
    return decoded[0] if decoded else None


def read_warc(path: Path, on_problem: Callable[[str, str], None]) -> Iterator[RawDocument]:
    """Yield HTML responses from a (gzipped) WARC; a truncated or corrupt file is reported, not raised.

    Gzip is undone here (``GunzipStream``) rather than by warcio, which stops silently at a truncated
    member and hands out the cut record as if it were whole.
    """
    source = str(path)
    count = 0
    try:
        with path.open("rb") as raw:
            stream = GunzipStream(raw) if path.name.lower().endswith(".gz") else raw
            for record in ArchiveIterator(stream):
                if record.rec_type != "response":
                    continue
                content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
                if "html" not in content_type.lower():
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                body = record.content_stream().read(MAX_RECORD_BYTES + 1)
                count += 1
                where = f"{source}#{uri or count}"
                if len(body) > MAX_RECORD_BYTES:
                    on_problem(where, "WARC record over the size limit; skipped")
                    continue
                text = _decode_body(body, content_type)
                if text is None:
                    on_problem(where, "WARC record is not text in any known encoding; skipped")
                    continue
                hints = {"url": uri, "crawl_date": (record.rec_headers.get_header("WARC-Date") or "")[:10]}
                yield RawDocument(source=where, kind="html", content=text, hints={k: v for k, v in hints.items() if v})
    except WARC_READ_ERRORS as error:
        reason = error.__class__.__name__
        on_problem(source, f"WARC file unreadable or truncated after {count} HTML record(s) ({reason}); rest skipped")
