"""Headers every answer carries, and the CSRF token every form carries.

The Content-Security-Policy allows no inline script and no inline style: every script and
stylesheet is a file this app serves from ``/static`` (no CDN), forms post only here, and no
site may frame a page. Pages with case data are never cached (``no-store``).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Final

from fastapi import Depends, Request
from starlette.datastructures import FormData, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CSRF_FIELD: Final = "csrf_token"
_SESSION_KEY: Final = "csrf"


class SecurityHeaders:
    """ASGI middleware: the headers above on every answer; ``no-store`` but for static files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers[name] = value
                headers["Cache-Control"] = "public, max-age=3600" if static else "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also before login: the login form)."""
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


class CsrfRefused(Exception):  # noqa: N818
    """A form came back without this session's token: not sent from one of our pages."""


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (403 page otherwise)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(_SESSION_KEY)
    if not isinstance(sent, str) or not isinstance(expected, str):
        raise CsrfRefused()
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]
