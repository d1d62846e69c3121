"""Who is using the console: the bearer token in the signed session cookie, verified on use.

The cookie is signed (itsdangerous, by Starlette's ``SessionMiddleware``), HttpOnly, Secure
and SameSite=Strict. It holds the user's token and the CSRF token, nothing else: roles,
organisation and départements are read from the token each time it is verified (the kit's
``TokenVerifier``, with the platform's ``RELAIS_AUTH_*``), so an expired token ends the session.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Annotated, Final, cast

from fastapi import Depends, Request
from relais_kit.auth import InvalidTokenError, Principal, Role, TokenVerifier

TOKEN: Final = "token"  # noqa: S105  (the session key the token is kept under)


@dataclass(frozen=True)
class User:
    token: str
    principal: Principal

    @property
    def departements(self) -> list[str]:
        return sorted(d for d in self.principal.jurisdictions if d != "*")

    def has(self, *roles: Role | str) -> bool:
        return self.principal.has_role(*(Role(r) for r in roles))

    @property
    def reporter(self) -> bool:
        return self.has(Role.POLICE, Role.HOTLINE, Role.ASSOCIATION, Role.REPORTING_POINT)


class LoginRequired(Exception):  # noqa: N818
    """No session, or its token no longer verifies: the person logs in (again)."""


def verifier(request: Request) -> TokenVerifier:
    return cast(TokenVerifier, request.app.state.console.verifier)


async def current_user(request: Request) -> User:
    token = request.session.get(TOKEN)
    if not isinstance(token, str):
        raise LoginRequired()
    try:
        # A JWKS fetch blocks: verify in a thread (cached keys make it quick afterwards).
        principal = await asyncio.to_thread(verifier(request).verify, token)
    except InvalidTokenError as error:
        request.session.clear()
        raise LoginRequired() from error
    return User(token=token, principal=principal)


async def optional_user(request: Request) -> User | None:
    try:
        return await current_user(request)
    except LoginRequired:
        return None


CurrentUser = Annotated[User, Depends(current_user)]
MaybeUser = Annotated[User | None, Depends(optional_user)]


def open_session(request: Request, token: str) -> None:
    """A new session for ``token``: the old one (and its CSRF token) is dropped first, so a
    session id planted before login is worth nothing after it."""
    request.session.clear()
    request.session[TOKEN] = token
    request.session["csrf"] = secrets.token_urlsafe(32)


def close_session(request: Request) -> None:
    request.session.clear()
