"""WARC files: one RawDocument per HTML response record, with the target URI and crawl date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from kabar.model import RawDocument

MAX_RECORD_BYTES = 10_000_000


def read_warc(path: Path, on_problem: Callable[[str, str], None]) -> Iterator[RawDocument]:
    """Yield HTML responses from a (gzipped) WARC; a truncated or corrupt file is reported, not raised."""
    source = str(path)
    count = 0
    try:
        with path.open("rb") as stream:
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
                charset = content_type.lower().split("charset=")[-1].split(";")[0].strip() if "charset=" in content_type.lower() else "utf-8"
                try:
                    text = body.decode(charset, errors="replace")
                except LookupError:
                    text = body.decode("utf-8", errors="replace")
                hints = {"url": uri, "crawl_date": (record.rec_headers.get_header("WARC-Date") or "")[:10]}
                yield RawDocument(source=where, kind="html", content=text, hints={k: v for k, v in hints.items() if v})
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as error:
        on_problem(source, f"WARC file unreadable or truncated after {count} records ({error.__class__.__name__}); rest skipped")
