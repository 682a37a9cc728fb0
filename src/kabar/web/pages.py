"""Server-rendered pages: story list, story, article and search; readable without JavaScript.

Templates are Jinja2 with autoescaping on for every file, and nothing from a story or an article is
ever marked safe: stored text is shown as text whatever HTML it holds.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import ChainableUndefined, Environment, PackageLoader

from kabar.store import StoryFilter
from kabar.web import i18n, views
from kabar.web.library import ID_PATTERN, Library, library, story_filter

PAGE_SIZE = 20
STORY_SIZES = (1, 2, 3, 5, 10)
MAX_MIN_ARTICLES = 100_000
MAX_PAGE = 10_000
MAX_FIELD_CHARS = 200
ID_RE = re.compile(ID_PATTERN)

router = APIRouter(include_in_schema=False)
templates = Environment(
    loader=PackageLoader("kabar.web", "templates"),
    autoescape=True,
    undefined=ChainableUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(
    format_time=views.format_time,
    format_span=views.format_span,
    event_label=views.event_label,
    safe_url=views.safe_url,
    source_chips=views.source_chips,
)


def reader_language(request: Request) -> str:
    """The interface language for this request (query parameter, cookie, then browser preference)."""
    return i18n.choose_language(
        request.query_params.get("lang"), request.cookies.get(i18n.COOKIE), request.headers.get("accept-language", "")
    )


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page in the reader's language; a ``?lang=`` choice is remembered in a cookie."""
    asked = request.query_params.get("lang")
    language = reader_language(request)
    links = [(code, str(request.url.include_query_params(lang=code).replace(scheme="", netloc=""))) for code in i18n.languages()]
    html = templates.get_template(name).render(
        t=i18n.translator(language), lang=language, lang_links=links, q=context.pop("q", ""), **context
    )
    response = HTMLResponse(html, status_code=status_code)
    if asked in i18n.languages():
        response.set_cookie(i18n.COOKIE, asked, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def not_found(request: Request, what: str, item_id: str) -> HTMLResponse:
    """The 404 page for an unknown or malformed id."""
    return render(request, "error.html", status_code=404, what=what, item_id=item_id[:MAX_FIELD_CHARS])


def _text(value: str | None) -> str:
    return (value or "").strip()[:MAX_FIELD_CHARS]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _page(value: str | None) -> int:
    return min(int(value), MAX_PAGE) if value and value.isdigit() and int(value) > 0 else 1


@router.get("/", response_class=HTMLResponse)
def story_list(request: Request, lib: Annotated[Library, Depends(library)]) -> HTMLResponse:
    """The story list with search box and filters (date range, outlet, entity)."""
    params = request.query_params
    q, outlet, entity = _text(params.get("q")), _text(params.get("outlet")), _text(params.get("entity"))
    since, until = _date(params.get("since")), _date(params.get("until"))
    page = _page(params.get("page"))
    min_articles = min(_page(params.get("min_articles")), MAX_MIN_ARTICLES)
    filters = story_filter(since, until, outlet, entity, q, min_articles)
    total, stories = lib.stories(filters, q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    with lib.lock:
        outlets = [row["outlet"] for row in lib.engine.store.outlets()]
    filtered = filters != StoryFilter()
    return render(
        request,
        "stories.html",
        q=q,
        stories=stories,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        outlets=outlets,
        form={
            "outlet": outlet,
            "entity": entity,
            "since": since.isoformat() if since else "",
            "until": until.isoformat() if until else "",
            "min_articles": min_articles,
        },
        sizes=STORY_SIZES,
        filtered=filtered,
        page_link=lambda number: str(request.url.include_query_params(page=number).replace(scheme="", netloc="")),
    )


@router.get("/story/{story_id}", response_class=HTMLResponse, response_model=None)
def story_page(story_id: str, request: Request, lib: Annotated[Library, Depends(library)]) -> HTMLResponse | RedirectResponse:
    """One story: summary with source chips, timeline, coverage, quotes, cited sources, entities, articles."""
    if not ID_RE.match(story_id):
        return not_found(request, "story", story_id)
    with lib.lock:
        story = lib.engine.story(story_id)
    if story is None:
        merged = lib.merged_into(story_id)
        if merged is not None:
            return RedirectResponse(f"/story/{merged}", status_code=307)
        return not_found(request, "story", story_id)
    t = i18n.translator(reader_language(request))
    return render(
        request,
        "story.html",
        story=story,
        colours=views.outlet_colours(story.get("outlets") or []),
        publications=views.publication_chart(story, t),
        events=views.events_chart(story, t),
        undated=views.undated_outlets(story),
        coverage=views.coverage_table(story),
    )


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article_page(article_id: str, request: Request, lib: Annotated[Library, Depends(library)]) -> HTMLResponse:
    """One article: clean text, metadata, its story, what it copies and what copies it."""
    if not ID_RE.match(article_id):
        return not_found(request, "article", article_id)
    with lib.lock:
        article = lib.engine.store.article(article_id)
        if article is None:
            return not_found(request, "article", article_id)
        siblings = list(lib.engine.store.articles(article.story_id)) if article.story_id else []
        story = lib.engine.store.story_data(article.story_id) if article.story_id else None
    return render(
        request,
        "article.html",
        article=article,
        story=story or {},
        duplicates=[a for a in siblings if a.duplicate_of == article.id],
        original=next((a for a in siblings if a.id == article.duplicate_of), None),
        paragraphs=views.paragraphs(article.text),
    )


@router.get("/find", response_class=HTMLResponse)
def search_page(request: Request, lib: Annotated[Library, Depends(library)]) -> HTMLResponse:
    """Articles matching the search words, best first, with the matching words marked."""
    q = _text(request.query_params.get("q"))
    page = _page(request.query_params.get("page"))
    total, found = lib.search(q, PAGE_SIZE, (page - 1) * PAGE_SIZE) if q else (0, [])
    return render(
        request,
        "find.html",
        q=q,
        found=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        page_link=lambda number: str(request.url.include_query_params(page=number).replace(scheme="", netloc="")),
    )
