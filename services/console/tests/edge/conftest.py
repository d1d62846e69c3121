"""The console alone over ASGI (no service behind it): its edge, sessions and forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from relais_console.bootstrap import bootstrap
from relais_console.config import ConsoleSettings
from relais_console.entrypoints.api import create_app

# Nothing listens on port 9 (discard) on loopback: every service call fails to connect.
NOWHERE = "http://127.0.0.1:9"
Open = Callable[..., Awaitable[httpx.AsyncClient]]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
async def console() -> AsyncIterator[Open]:
    """Opens a console with the given settings; an https base URL so Secure cookies flow."""
    opened: list[tuple[Any, httpx.AsyncClient]] = []

    async def open_console(**settings: Any) -> httpx.AsyncClient:
        defaults: dict[str, Any] = {
            "intake_url": NOWHERE,
            "protection_orders_url": NOWHERE,
            "timeline_url": NOWHERE,
            "service_timeout_s": 2.0,
        }
        app = create_app(bootstrap(ConsoleSettings.model_validate(defaults | settings)))
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://console.test"
        )
        opened.append((lifespan, client))
        return client

    yield open_console
    for lifespan, client in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


async def dev_login(client: httpx.AsyncClient, role: str = "justice_clerk") -> httpx.Response:
    page = await client.get("/connexion/dev")
    return await client.post(
        "/connexion/dev",
        data={
            "csrf_token": csrf_of(page.text),
            "role": role,
            "sub": "clerk-1",
            "org": "tj-93",
            "departements": "93",
        },
    )
