"""Login and logout. Production: OpenID Connect, authorization code flow with PKCE.

The session cookie is SameSite=Strict, so the browser does not send it when the provider sends
the person back (a navigation another site started). What the callback needs (state, nonce,
PKCE verifier) travels in a short-lived signed cookie of its own, SameSite=Lax and only for
the callback's path; the callback then opens the session and moves on with a same-site
navigation (a refresh, no script), on which the Strict cookie is sent.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Annotated, Final, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from relais_kit.auth import InvalidTokenError
from starlette.responses import Response

from relais_console.adapters.oidc import CALLBACK_PATH, LoginFailed, OidcProvider
from relais_console.bootstrap import Console
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import MaybeUser, close_session, open_session, verifier

router = APIRouter()
LOGIN_COOKIE: Final = "relais_console_login"
LOGIN_MAX_AGE_S: Final = 600


def _console(request: Request) -> Console:
    return cast(Console, request.app.state.console)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_console(request).session_secret, salt="relais-console-login")


@router.get("/connexion")
async def login_page(request: Request, user: MaybeUser) -> Response:
    if user is not None:
        return RedirectResponse("/", status_code=303)
    console = _console(request)
    return render(
        request,
        "connexion.html",
        oidc=console.oidc is not None,
        dev_login=console.settings.dev_login,
    )


@router.get("/connexion/oidc")
async def login_start(request: Request) -> Response:
    provider = _provider(request)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier_text = secrets.token_urlsafe(64)  # PKCE code_verifier: 86 characters
    url = await provider.authorization_url(state, nonce, verifier_text)
    answer = RedirectResponse(url, status_code=302)
    answer.set_cookie(
        LOGIN_COOKIE,
        _serializer(request).dumps({"state": state, "nonce": nonce, "verifier": verifier_text}),
        max_age=LOGIN_MAX_AGE_S,
        path=CALLBACK_PATH,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return answer


@router.get(CALLBACK_PATH)
async def login_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    provider = _provider(request)
    try:
        pending = _serializer(request).loads(
            request.cookies.get(LOGIN_COOKIE, ""), max_age=LOGIN_MAX_AGE_S
        )
    except BadSignature:
        return _login_failed(request)
    if not code or not state or not secrets.compare_digest(state, str(pending.get("state"))):
        return _login_failed(request)
    try:
        token = await provider.exchange(code, str(pending["verifier"]), str(pending["nonce"]))
        await asyncio.to_thread(verifier(request).verify, token)
    except (LoginFailed, InvalidTokenError):
        return _login_failed(request)
    open_session(request, token)
    answer = render(request, "connecte.html")
    answer.delete_cookie(LOGIN_COOKIE, path=CALLBACK_PATH, secure=True, httponly=True)
    return answer


@router.post("/deconnexion")
async def logout(request: Request, form: CheckedForm) -> Response:
    close_session(request)
    return RedirectResponse("/connexion", status_code=303)


def _provider(request: Request) -> OidcProvider:
    provider = _console(request).oidc
    if provider is None:
        raise LoginFailed("no identity provider is configured")
    return provider


def _login_failed(request: Request) -> Response:
    answer = render(request, "connexion_refusee.html", status=400)
    answer.delete_cookie(LOGIN_COOKIE, path=CALLBACK_PATH, secure=True, httponly=True)
    return answer
