"""Fixtures of the HTTP edge tests: dev tokens and a client that runs the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

Bearer = Callable[..., dict[str, str]]


@pytest.fixture
def bearer() -> Bearer:
    """`bearer("police", sub="u1")` -> an Authorization header with a dev token."""

    def header(
        *roles: str, sub: str = "u1", jurisdictions: tuple[str, ...] = ("75",)
    ) -> dict[str, str]:
        token = mint_dev_token(
            AuthSettings(),
            sub=sub,
            roles=roles or ("police",),
            org="org",
            jurisdictions=jurisdictions,
        )
        return {"Authorization": f"Bearer {token}"}

    return header


@asynccontextmanager
async def serving(app: FastAPI, **transport: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A client for `app`, with its lifespan run around it as a server would."""
    async with app.router.lifespan_context(app):
        asgi = httpx.ASGITransport(app, **transport)
        async with httpx.AsyncClient(transport=asgi, base_url="http://relais.test") as client:
            yield client


@pytest.fixture
def serve() -> Callable[..., Any]:
    return serving
