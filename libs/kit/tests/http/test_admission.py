"""Back-pressure: beyond its bound an api answers 503 with Retry-After at once, never a queue."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter
from relais_kit.app import create_app
from relais_kit.auth import Policy, Role
from relais_kit.settings import ServiceSettings

from .conftest import serving


async def test_requests_beyond_the_bound_are_refused_at_once_and_the_others_served() -> None:
    release, both_in = asyncio.Event(), asyncio.Event()
    entered: list[int] = []
    router = APIRouter()

    @router.get("/slow")
    async def slow() -> dict[str, str]:
        entered.append(1)
        if len(entered) == 2:
            both_in.set()
        await release.wait()
        return {"done": "yes"}

    settings = ServiceSettings(max_in_flight=2)
    app = create_app(settings, routers=[router], policy=Policy({"x.read": {Role.POLICE}}))
    async with serving(app) as client:
        held = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), 10)
        started = time.monotonic()
        refused = await client.get("/slow")
        assert time.monotonic() - started < 0.5
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        assert (await client.get("/healthz")).status_code == 200  # probes always answer
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await client.get("/slow")).status_code == 200  # room again
