"""The REST API: stories, articles, search, outlets, health, and (with a token) ingest."""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.formparsers import MultiPartException, MultiPartParser

import kabar
from kabar.model import RawDocument
from kabar.read import read_bytes, record_to_document
from kabar.search import match_expression
from kabar.store import StoryFilter
from kabar.web.library import ID_PATTERN, Library, library, story_filter

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_QUERY_CHARS = 200
STORY_HITS = 5
"""Stories listed with a search's article hits; the full list is GET /stories?q=."""
UPLOAD_SUFFIXES = {".txt", ".text", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson", ".json", ".rss", ".atom", ".xml"}
"""Uploaded file kinds the readers take from memory; WARC needs a file on disk (use ``kabar ingest``)."""
CONTENT_SUFFIXES = {
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/json": ".json",
    "text/html": ".html",
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "text/plain": ".txt",
}

READER_FAILURES = (IndexError, KeyError, TypeError, ValueError, AttributeError)
"""A reader that trips over an unexpected shape (e.g. ``"outlet": []``) means odd input: a 422, never a 500."""

router = APIRouter()
bearer = HTTPBearer(auto_error=False, description="The token `kabar serve --api-token` was started with.")
StoryId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128, description="A story id, e.g. 94")]
ArticleId = Annotated[str, Path(pattern=ID_PATTERN, max_length=128, description="An article id")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


class Error(BaseModel):
    """A request the API refused, and why."""

    detail: str
    problems: list[str] = []


class StoryListing(BaseModel):
    """One story in a listing."""

    id: str
    headline: str
    n_articles: int
    n_outlets: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None


class StoryPage(BaseModel):
    """One page of stories, newest first."""

    total: int
    limit: int
    offset: int
    stories: list[StoryListing]


class ArticleOut(BaseModel):
    """A stored article with its story and the articles that copy it."""

    id: str
    title: str
    text: str
    outlet: str
    url: str
    published_at: str | None
    crawl_date: str | None
    language: str
    authors: list[str]
    source: str
    date_note: str | None
    duplicate_of: str | None
    story_id: str | None
    evidence: dict[str, Any] | None
    duplicates: list[str]


class SearchHit(BaseModel):
    """An article that matches a search."""

    id: str
    title: str
    outlet: str
    published_at: str | None
    story_id: str | None
    snippet: str


class SearchPage(BaseModel):
    """One page of matching articles, best first, and the newest stories matching."""

    query: str
    total: int
    limit: int
    offset: int
    hits: list[SearchHit]
    stories_total: int
    stories: list[StoryListing]


class Outlet(BaseModel):
    """An outlet with its article and story counts."""

    outlet: str
    n_articles: int
    n_stories: int
    first_published: str | None
    last_published: str | None


class Health(BaseModel):
    """The server is up and its store is readable."""

    status: Literal["ok"]
    version: str
    articles: int
    stories: int


class IngestOutcome(BaseModel):
    """What happened to one ingested document."""

    source: str
    status: str
    article_id: str | None
    story_id: str | None
    message: str


class IngestReport(BaseModel):
    """The outcome of one ingest request."""

    added: int
    near_duplicates: int
    duplicates: int
    skipped: int
    results: list[IngestOutcome]


def _not_found(what: str, item_id: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no {what} with id {item_id!r}")


@router.get("/stories", response_model=StoryPage, tags=["stories"])
def get_stories(
    lib: Annotated[Library, Depends(library)],
    limit: Limit = 20,
    offset: Offset = 0,
    since: Annotated[date | None, Query(description="only stories with an article on or after this date")] = None,
    until: Annotated[date | None, Query(description="only stories with an article on or before this date")] = None,
    outlet: Annotated[str | None, Query(max_length=200, description="only stories this outlet reported")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="only stories naming this entity (name or alias)")] = None,
    q: Annotated[
        str | None, Query(max_length=MAX_QUERY_CHARS, description="only stories whose articles match these words")
    ] = None,
    min_articles: Annotated[int, Query(ge=1, le=100_000, description="only stories with at least this many articles")] = 1,
) -> dict[str, Any]:
    """Stories newest first, filtered by date range, outlet, entity, words and size."""
    total, stories = lib.stories(story_filter(since, until, outlet, entity, q, min_articles), q, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "stories": stories}


@router.get("/stories/{story_id}", response_model=dict[str, Any], responses={404: {"model": Error}}, tags=["stories"])
def get_story(story_id: StoryId, lib: Annotated[Library, Depends(library)]) -> dict[str, Any]:
    """One story: summary with sources, articles and its analysis (entities, quotes, timeline, coverage)."""
    with lib.lock:
        story = lib.engine.story(story_id)
    if story is None:
        merged = lib.merged_into(story_id)
        if merged is not None:
            raise HTTPException(status_code=404, detail=f"story {story_id!r} was merged into story {merged!r}")
        raise _not_found("story", story_id)
    return story


@router.get("/articles/{article_id}", response_model=ArticleOut, responses={404: {"model": Error}}, tags=["articles"])
def get_article(article_id: ArticleId, lib: Annotated[Library, Depends(library)]) -> dict[str, Any]:
    """One article: clean text, metadata, its story and its duplicates."""
    with lib.lock:
        article = lib.engine.store.article(article_id)
        if article is None:
            raise _not_found("article", article_id)
        duplicates = (
            [a.id for a in lib.engine.store.articles(article.story_id) if a.duplicate_of == article.id]
            if article.story_id
            else []
        )
    return {**article.to_dict(), "duplicates": duplicates}


@router.get("/search", response_model=SearchPage, tags=["search"])
def get_search(
    q: Annotated[
        str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="words; Indonesian word forms match their stem")
    ],
    lib: Annotated[Library, Depends(library)],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Full-text search over articles (best match first) and stories (newest first); SQLite FTS5 over stemmed words."""
    total, found = lib.search(q, limit, offset)
    stories_total, stories = lib.stories(StoryFilter(match=match_expression(q)), q, STORY_HITS, 0)
    hits = [
        {
            "id": article.id,
            "title": article.title,
            "outlet": article.outlet,
            "published_at": article.published_at,
            "story_id": article.story_id,
            "snippet": "".join(piece for piece, _ in pieces),
        }
        for article, pieces in found
    ]
    return {
        "query": q,
        "total": total,
        "limit": limit,
        "offset": offset,
        "hits": hits,
        "stories_total": stories_total,
        "stories": stories,
    }


@router.get("/outlets", response_model=list[Outlet], tags=["outlets"])
def get_outlets(lib: Annotated[Library, Depends(library)]) -> list[dict[str, Any]]:
    """Every named outlet with its article and story counts, most articles first."""
    with lib.lock:
        return lib.engine.store.outlets()


@router.get("/health", response_model=Health, tags=["health"])
def get_health(lib: Annotated[Library, Depends(library)]) -> dict[str, Any]:
    """Liveness and store size."""
    with lib.lock:
        return {
            "status": "ok",
            "version": kabar.__version__,
            "articles": lib.engine.store.count_articles(),
            "stories": lib.engine.store.count_stories(),
        }


def _refuse(status: int, detail: str, problems: list[str] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail, "problems": problems or []}, status_code=status, headers=headers)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _stream_of(body: bytes):  # noqa: ANN202 - async generator for the multipart parser
    yield body


def _json_array(body: bytes, problem: Any) -> list[RawDocument]:
    """Documents from a JSON array of article records (``[{"title": …, "text": …}, …]``)."""
    try:
        records = json.loads(body)
    except RecursionError:
        problem("request", "invalid JSON (nested too deeply)")
        return []
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problem("request", f"invalid JSON ({error.__class__.__name__}: {str(error)[:80]})")
        return []
    documents = []
    for number, record in enumerate(records, start=1):
        document = record_to_document(record, f"request[{number}]") if isinstance(record, dict) else None
        if document is None:
            problem(f"request[{number}]", "not an object with a text/content/body or html field")
        else:
            documents.append(document)
    return documents


async def _documents(request: Request, body: bytes, problem: Any) -> list[RawDocument] | JSONResponse:
    """Read the posted documents: a JSONL/JSON/HTML/feed/text body, or files in multipart/form-data."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and body.lstrip()[:1] == b"[":
        return _json_array(body, problem)
    if content_type != "multipart/form-data":
        return list(read_bytes(body, "request", problem, CONTENT_SUFFIXES.get(content_type, "")))
    try:
        form = await MultiPartParser(request.headers, _stream_of(body), max_files=10_000, max_fields=100).parse()
    except MultiPartException as error:
        return _refuse(400, f"malformed multipart body: {error.message}")
    documents: list[RawDocument] = []
    uploads = [value for _, value in form.multi_items() if not isinstance(value, str)]
    if not uploads:
        return _refuse(422, "multipart body holds no files; send them as file fields")
    for upload in uploads:
        name = PurePath((upload.filename or "upload").replace("\\", "/")).name[:200] or "upload"
        suffix = PurePath(name).suffix.lower()
        if suffix and suffix not in UPLOAD_SUFFIXES:
            return _refuse(415, f"{name}: {suffix} files are not taken over HTTP; use kabar ingest")
        documents.extend(read_bytes(await upload.read(), f"upload:{name}", problem, suffix))
    return documents


@router.post(
    "/articles",
    response_model=IngestReport,
    responses={code: {"model": Error} for code in (400, 401, 403, 413, 415, 422)},
    tags=["articles"],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                "text/plain": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                    }
                },
            },
        }
    },
)
async def post_articles(
    request: Request,
    lib: Annotated[Library, Depends(library)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Any:
    """Ingest JSONL records (one JSON object per line), HTML, feeds, crawled text, or uploaded files.

    Off unless the server was started with an API token; then the token must be sent as
    ``Authorization: Bearer TOKEN``. The request is read whole first: when any document cannot be
    read, nothing is ingested and the answer lists the problems.
    """
    options = lib.options
    if not options.api_token:
        return _refuse(403, "ingest over HTTP is off; start the server with kabar serve --api-token TOKEN")
    if credentials is None or not secrets.compare_digest(credentials.credentials.encode(), options.api_token.encode()):
        return _refuse(
            401, "missing or wrong API token; send Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"}
        )
    body = await _read_body(request, options.max_request_bytes)
    if body is None:
        return _refuse(413, f"request body over the {options.max_request_bytes} byte limit; send fewer documents per request")
    problems: list[str] = []
    try:
        documents = await _documents(request, body, lambda source, message: problems.append(f"{source}: {message}"))
    except READER_FAILURES as error:
        return _refuse(
            422, f"the documents could not be read ({error.__class__.__name__}: {str(error)[:120]}); nothing was ingested"
        )
    if isinstance(documents, JSONResponse):
        return documents
    if problems:
        return _refuse(422, f"{len(problems)} document(s) could not be read; nothing was ingested", problems)
    if not documents:
        return _refuse(422, "no documents in the request body")
    if len(documents) > options.max_documents:
        return _refuse(413, f"request holds {len(documents)} documents, over the limit of {options.max_documents}")
    outcomes = await run_in_threadpool(lib.ingest, documents)
    counts = {status: sum(o.status == status for o in outcomes) for status in ("added", "near-duplicate", "duplicate", "skipped")}
    return {
        "added": counts["added"] + counts["near-duplicate"],
        "near_duplicates": counts["near-duplicate"],
        "duplicates": counts["duplicate"],
        "skipped": counts["skipped"],
        "results": [
            {"source": o.source, "status": o.status, "article_id": o.article_id, "story_id": o.story_id, "message": o.message}
            for o in outcomes
        ],
    }
