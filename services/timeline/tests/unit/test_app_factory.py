"""``create_app()`` does no I/O (no server is reachable here) and guards every route."""

from __future__ import annotations

import httpx
from relais_events.vocabulary import Role
from relais_timeline.bootstrap import serving
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints.api import create_app
from relais_timeline.testing import bearer

UNREACHABLE = TimelineSettings(
    mongo_uri="mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=200",
    kafka_bootstrap="127.0.0.1:9",
)


async def test_the_factory_builds_without_servers_and_routes_need_a_token() -> None:
    app = create_app(serving(UNREACHABLE))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://timeline") as client:
        assert (await client.get("/healthz")).status_code == 200
        anonymous = await client.get("/v1/cases/case-1/timeline")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        pharmacy = await client.get(
            "/v1/cases/case-1/timeline", headers=bearer(Role.REPORTING_POINT, "75")
        )
        assert pharmacy.status_code == 403
        police = await client.post("/v1/committees/75/meetings", headers=bearer(Role.POLICE, "75"))
        assert police.status_code == 403
        member = bearer(Role.COMMITTEE_MEMBER) | {"X-Relais-Purpose": "committee_review"}
        bad = await client.get("/v1/committees/20/cases", headers=member)
        assert bad.status_code == 422  # 20 is no département since 1976 (2A, 2B)
    assert UNREACHABLE.http_port == 8105
    assert UNREACHABLE.by_case_topic == "relais.timeline.by-case.v1"
