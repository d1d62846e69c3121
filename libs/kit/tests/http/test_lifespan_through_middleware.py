"""The app's lifespan as a server runs it: through every middleware, not around them."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from fastapi import APIRouter
from opentelemetry.sdk.trace import TracerProvider
from relais_kit.app import create_app
from relais_kit.auth import Policy, Role
from relais_kit.http.idempotency_stores import MemoryIdempotencyStore
from relais_kit.settings import ServiceSettings


class Resource:
    def __init__(self) -> None:
        self.events: list[str] = []

    async def start(self) -> None:
        self.events.append("start")

    async def stop(self) -> None:
        self.events.append("stop")


async def test_lifespan_starts_and_stops_resources_with_idempotency_on() -> None:
    """uvicorn sends `lifespan` scopes (no headers) through the whole middleware stack."""
    resource = Resource()
    app = create_app(
        ServiceSettings(service_name="kit-lifespan"),
        routers=[APIRouter()],
        policy=Policy({"report.file": {Role.POLICE}}),
        lifespan_resources=[resource],
        idempotency=MemoryIdempotencyStore(),
        tracer_provider=TracerProvider(),
    )
    incoming: list[MutableMapping[str, Any]] = [
        {"type": "lifespan.startup"},
        {"type": "lifespan.shutdown"},
    ]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert resource.events == ["start", "stop"]
