"""The console app: ``uvicorn --factory relais_console.entrypoints.api:create_app --port 8100``.

Server-rendered pages (Jinja2) over the other services' HTTP APIs, called with the user's own
token. No I/O at import nor in the factory; the lifespan closes the HTTP clients.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from relais_kit.http.health import health_router
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from relais_console.bootstrap import Console, bootstrap
from relais_console.config import ConsoleSettings
from relais_console.entrypoints import (
    routes_committee,
    routes_dev_login,
    routes_home,
    routes_login,
    routes_orders,
    routes_referrals,
    routes_reports,
    routes_shelter,
)
from relais_console.entrypoints.errors import install_error_pages
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import SecurityHeaders

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent.parent / "static"
SESSION_COOKIE = "relais_console_session"


def create_app(console: Console | None = None) -> FastAPI:
    console = console or bootstrap(ConsoleSettings())
    settings = console.settings

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.dev_login:
            log.warning("development login is on: anyone can choose any role here")
        await console.start()
        try:
            yield
        finally:
            await console.stop()

    app = FastAPI(
        title="relais-console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.console = console
    app.include_router(health_router({}, settings.readiness_timeout_s))
    app.include_router(routes_login.router)
    if settings.dev_login:  # off: the routes do not exist at all
        app.include_router(routes_dev_login.router)
    for module in (
        routes_home,
        routes_committee,
        routes_orders,
        routes_reports,
        routes_shelter,
        routes_referrals,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_error_pages(app)
    app.add_exception_handler(RequestValidationError, _bad_address)
    app.add_middleware(
        SessionMiddleware,
        secret_key=console.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="strict",
        https_only=True,
    )
    app.add_middleware(SecurityHeaders)
    return app


async def _bad_address(request: Request, exc: Exception) -> Response:
    """A path or query parameter the services' alphabets refuse: nothing was asked of them."""
    return render(request, "introuvable.html", status=404)
