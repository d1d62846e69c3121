"""The shelter api over the session's real Kafka and FerretDB, in this process (ASGI), with the
worker's recovery sweep run as the worker runs it; other processes are started for the races
and the crash (``contender.py``). Cases are known before they are allocated: ``know`` writes
their facts as the worker learns them from intake (``test_cases_from_intake`` runs the worker
itself on intake's records)."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient
from relais_events import topics
from relais_events.codec import from_record
from relais_events.envelope import Envelope
from relais_infra.testing import Servers
from relais_kit.auth import mint_dev_token
from relais_kit.cases import CaseFacts
from relais_kit.settings import AuthSettings
from relais_kit.topics import TopicSettings, ensure_topics
from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints.api import create_app

Json = dict[str, Any]
NIGHT = dt.date(2026, 3, 2)
DEP = "93"
ORG = "chrs-93"
TOPICS = (topics.INTAKE, topics.SHELTER, topics.TIMELINE, topics.DEADLETTER)


def bearer(
    role: str, *departements: str, org: str = ORG, purpose: str = "case_follow_up"
) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(),
        sub=f"{org}-someone",
        roles=[role],
        org=org,
        jurisdictions=departements or (DEP,),
    )
    return {"Authorization": f"Bearer {token}", "X-Relais-Purpose": purpose}


OPERATOR = bearer("shelter_operator")
FUNDER = bearer("admin", org="prefecture-93")
OFFICER = bearer("police", org="pn-93")


def settings_for(
    servers: Servers, names: TopicSettings, database: str, **more: Any
) -> ShelterSettings:
    return ShelterSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=database,
        topics_namespace=names.namespace,
        **more,
    )


@dataclass
class Api:
    client: httpx.AsyncClient
    shelter: Shelter
    servers: Servers
    names: TopicSettings
    database: str

    async def know(self, *case_ids: str, departement: str = DEP, minor: bool = False) -> None:
        """The cases' facts as the worker writes them once intake's ``case.opened`` reached it
        (one at a time: the worker is their one writer)."""
        for case_id in case_ids:
            facts = CaseFacts(case_id, departement, minor_victim=minor, version=1)
            await self.shelter.services.cases.put(facts)

    async def post(
        self, path: str, body: Json, headers: dict[str, str] = OPERATOR
    ) -> httpx.Response:
        return await self.client.post(path, json=body, headers=headers)

    async def site(self, places: int, child_places: int = 0, address: str = "1 rue X") -> str:
        body = {
            "departement": DEP,
            "name": "Les Tilleuls",
            "address": address,
            "accepts_children": True,
        }
        answer = await self.post("/v1/sites", body)
        assert answer.status_code == 201, answer.text
        site_id: str = answer.json()["site_id"]
        capacity = {
            "first_night": NIGHT.isoformat(),
            "last_night": (NIGHT + dt.timedelta(days=29)).isoformat(),
            "places": places,
            "child_places": child_places,
        }
        answer = await self.post(f"/v1/sites/{site_id}/capacity", capacity)
        assert answer.status_code == 201, answer.text
        return site_id

    async def allocate(
        self, site_id: str, *adults: str, case_id: str = "case-1", nights: int = 1
    ) -> httpx.Response:
        body = {
            "case_id": case_id,
            "site_id": site_id,
            "first_night": NIGHT.isoformat(),
            "nights": nights,
            "adults": list(adults),
            "children": [],
            "consent_given": True,
        }
        return await self.post("/v1/allocations", body)

    async def envelope(self, nights: int, amount_cents: int = 0) -> str:
        body = {
            "departement": DEP,
            "period_start": NIGHT.isoformat(),
            "period_end": (NIGHT + dt.timedelta(days=60)).isoformat(),
            "nights": nights,
            "amount_cents": amount_cents,
        }
        answer = await self.post("/v1/envelopes", body, FUNDER)
        assert answer.status_code == 201, answer.text
        envelope_id: str = answer.json()["envelope_id"]
        return envelope_id

    async def free(self, night: dt.date = NIGHT) -> Json:
        answer = await self.client.get(
            "/v1/availability",
            params={"departement": DEP, "night": night.isoformat()},
            headers=OFFICER,
        )
        assert answer.status_code == 200, answer.text
        found: Json = answer.json()
        return found

    async def topic(self, base: str, enough: Callable[[list[Envelope]], bool]) -> list[Envelope]:
        """Every envelope of the namespaced topic ``base``, read until ``enough`` says so."""
        consumer = AIOKafkaConsumer(
            self.names.name(base),
            bootstrap_servers=self.servers.kafka_bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            group_id=f"reader-{secrets.token_hex(4)}",
        )
        await consumer.start()
        try:
            found: list[Envelope] = []
            async with asyncio.timeout(30):
                while not enough(found):
                    for batch in (await consumer.getmany(timeout_ms=300)).values():
                        found.extend(from_record(r.value, list(r.headers or ())) for r in batch)
            return found
        finally:
            await consumer.stop()


@asynccontextmanager
async def open_api(servers: Servers, names: TopicSettings, database: str) -> AsyncIterator[Api]:
    await asyncio.to_thread(ensure_topics, servers.kafka_bootstrap, names, TOPICS)
    # 150 claims in flight at once: above the admission limit's default of 64, which would
    # answer 503 to the rest (its own test is the kit's).
    shelter = bootstrap(settings_for(servers, names, database, max_in_flight=256))
    app = create_app(shelter=shelter)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://sh", timeout=60
            ) as client:
                yield Api(client, shelter, servers, names, database)
    finally:
        cleaner: AsyncMongoClient[Json] = AsyncMongoClient(servers.mongo_uri)
        await cleaner.drop_database(database)
        await cleaner.close()
