"""The FastAPI app: REST API (OpenAPI schema at /openapi.json), web pages and static files."""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from uvicorn import Config, Server

import kabar
from kabar.engine import Kabar
from kabar.web import api, pages
from kabar.web.library import Library, ServeOptions

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
"""Every response: no inline or foreign scripts, no framing; a second wall behind the templates' escaping."""
STARTUP_SECONDS = 15


def create_app(engine: Kabar, options: ServeOptions | None = None) -> FastAPI:
    """The web app serving ``engine``'s store: API routes, pages under / and files under /static."""
    app = FastAPI(
        title="kabar",
        version=kabar.__version__,
        summary="News stories from many outlets: summaries with sources, timelines, coverage comparison.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.library = Library(engine, options or ServeOptions())
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("kabar.web", "static")]), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


@contextmanager
def serve_in_background(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread (port 0: a free one); yields its base URL, stops on exit."""
    server = Server(Config(app, host=host, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="kabar-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"web server did not start on {host}:{port}")
        time.sleep(0.02)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
