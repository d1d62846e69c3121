"""A shelter allocation on the committee timeline: intake -> shelter -> timeline, every record
through the real broker.

A police officer of the 93 files a report (intake); the shelter worker learns the case from
intake's topic. A shelter operator acting for the 93 and the 94 registers a site of the 94 with
its address, declares places and allocates two nights to the case's victim. The
committee of the 93 reads the case's timeline and finds ``shelter.allocated`` with its nights
and the shelter's département (the envelope's jurisdiction), but never the site's id, name or
address: a planted address string is in no timeline document and in no Kafka value as
plaintext (it travels sealed in the ``pii`` of ``shelter.site_registered`` only).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from relais_events import topics
from relais_events.integrity import verify_log
from relais_events.keyregistry import load_registry
from relais_infra.testing import Servers
from relais_shelter.bootstrap import bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints.api import create_app
from relais_shelter.entrypoints.worker import run_worker
from relais_timeline.config import BY_CASE_TOPIC

from .harness import Json, Platform, Record, bearer, open_platform, types_of

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]

ADDRESS = f"14 passage des Acacias {secrets.token_hex(4)}"
SITE_NAME = f"Foyer Les Acacias {secrets.token_hex(4)}"
# The operator acts for the case's département too: a case of a département it does not act for
# is, to the shelter, a case it does not know (DOMAIN.md, no search across départements).
OPERATOR = bearer("shelter_operator", "94", "93", sub="gestionnaire-94", org="chrs-94")
COMMITTEE = bearer("committee_member", "93", sub="member-93", org="clav-93")


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys6", tmp_path_factory.mktemp("sys6-keys")) as opened:
        yield opened


@asynccontextmanager
async def open_shelter(platform: Platform, case_id: str) -> AsyncIterator[httpx.AsyncClient]:
    """The shelter api and worker in the platform's namespace, on the real clock, once the
    worker learnt ``case_id`` from intake's topic."""
    servers = platform.servers
    settings = ShelterSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database("sys6_shelter"),
        topics_namespace=platform.namespace,
        keys_dir=platform.keys,
        key_registry=platform.keys / "registry.json",
        worker_group=f"relais-shelter-{servers.run_id}-sys6",
    )
    shelter = bootstrap(settings)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(bootstrap(settings), stop))
    try:
        async with asyncio.timeout(60):
            while True:
                if await shelter.services.cases.get(case_id) is not None:
                    break
                await asyncio.sleep(0.1)
        app = create_app(shelter=shelter)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sh") as client:
                yield client
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)


async def ok(answer: httpx.Response, code: int = 200) -> Any:
    assert answer.status_code == code, answer.text
    return answer.json()


async def test_shelter_allocated_on_the_committee_timeline_without_the_address(
    platform: Platform,
) -> None:
    report: Json = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": "93",
        "minor_victim": False,
        "victim": {"last_name": "Lemaire", "first_name": "Sonia"},
        "narrative": "Menaces au domicile.",
    }
    filed = await platform.report(report, bearer("police", "93", sub="opj-93", org="pn-93"))
    case_id = filed["case_id"]
    async with open_shelter(platform, case_id) as shelter:
        site = await ok(
            await shelter.post(
                "/v1/sites",
                json={"departement": "94", "name": SITE_NAME, "address": ADDRESS},
                headers=OPERATOR,
            ),
            201,
        )
        capacity = {"first_night": "2026-03-02", "last_night": "2026-03-31", "places": 6}
        await ok(
            await shelter.post(
                f"/v1/sites/{site['site_id']}/capacity", json=capacity, headers=OPERATOR
            ),
            201,
        )
        allocation = await ok(
            await shelter.post(
                "/v1/allocations",
                json={
                    "case_id": case_id,
                    "site_id": site["site_id"],
                    "first_night": "2026-03-02",
                    "nights": 2,
                    "adults": [f"pk-{case_id}"],
                    "consent_given": True,
                },
                headers=OPERATOR,
            ),
            201,
        )

    answer = await platform.case_timeline(case_id, COMMITTEE, allocation["min_event"])
    timeline = await ok(answer)
    entries = timeline["entries"]
    assert types_of(entries)[:2] == ["case.opened", "report.filed"]
    types = types_of(entries)
    assert types.index("shelter.allocated") > types.index("report.filed")  # it depends on it
    [allocated] = [e for e in entries if e["type"] == "shelter.allocated"]
    assert allocated["jurisdiction"] == "94"  # the shelter's département
    assert allocated["data"]["nights"] == 2
    assert allocated["data"]["first_night"] == "2026-03-02"
    assert "site_id" not in allocated["data"]
    shown = str(timeline)
    assert site["site_id"] not in shown
    assert ADDRESS not in shown
    assert SITE_NAME not in shown

    # No timeline document anywhere holds the address, the name or the site id.
    client: AsyncMongoClient[Json] = AsyncMongoClient(platform.servers.mongo_uri)
    try:
        database = client[platform.timeline_settings.database]
        for name in await database.list_collection_names():
            async for document in database[name].find({}):
                text = str(document)
                assert ADDRESS not in text, name
                assert SITE_NAME not in text, name
    finally:
        await client.close()

    # No Kafka record holds them in clear: the site's own event carries them sealed.
    def has_site(found: list[Record]) -> bool:
        return any(b"shelter.allocated" in r.value for r in found)

    records = await platform.read(topics.SHELTER, has_site)
    records += await platform.read(topics.TIMELINE, lambda found: len(found) >= 1)  # access logs
    records += await platform.read(BY_CASE_TOPIC, has_site)  # the timeline's re-keyed copy
    assert any(b"shelter.site_registered" in r.value and b'"pii"' in r.value for r in records)
    for record in records:
        assert ADDRESS.encode() not in record.value
        assert SITE_NAME.encode() not in record.value

    # The shelter's events verify like every service's: hashes, chains, signatures, keys.
    shelter_log = [r.envelope() for r in records if r.topic == platform.topic(topics.SHELTER)]
    assert {e.service for e in shelter_log} == {"shelter"}
    assert verify_log(shelter_log, load_registry(platform.keys / "registry.json")) == []
