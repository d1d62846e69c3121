"""An api over real servers with a hand-moved clock, tokens per role, and a topic reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from relais_events.codec import from_record
from relais_events.envelope import Envelope
from relais_events.topics import PROTECTION_ORDERS
from relais_infra.testing import Servers
from relais_kit.application import ManualClock
from relais_kit.auth import mint_dev_token
from relais_kit.store import events_of
from relais_kit.topics import TopicSettings
from relais_protection_orders.bootstrap import Service, bootstrap
from relais_protection_orders.config import ProtectionOrdersSettings
from relais_protection_orders.domain.deadlines import PARIS
from relais_protection_orders.entrypoints.api import create_app

START = datetime(2025, 3, 3, 9, tzinfo=PARIS)
PURPOSE = {"X-Relais-Purpose": "case_follow_up"}  # every read states why (access.logged)


def paris(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def settings_for(
    servers: Servers, topics: TopicSettings, database: str
) -> ProtectionOrdersSettings:
    return ProtectionOrdersSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=database,
        topics_namespace=topics.namespace,
        deadline_lease_s=60,
    )


@dataclass
class Api:
    client: httpx.AsyncClient
    service: Service
    clock: ManualClock
    servers: Servers
    topics: TopicSettings

    def token(self, *roles: str, departements: tuple[str, ...] = ("69",)) -> dict[str, str]:
        token = mint_dev_token(
            self.service.settings.auth,
            sub=f"user-{'-'.join(roles)}",
            roles=roles,
            org="tj-lyon",
            jurisdictions=departements,
        )
        return {"Authorization": f"Bearer {token}"}

    async def post(self, path: str, body: Mapping[str, Any], *roles: str) -> httpx.Response:
        return await self.client.post(
            path, json=dict(body), headers=self.token(*roles or ("justice_clerk",))
        )

    async def get(
        self, path: str, *roles: str, params: dict[str, str] | None = None
    ) -> httpx.Response:
        headers = self.token(*roles or ("justice_clerk",)) | PURPOSE
        return await self.client.get(path, headers=headers, params=params)

    async def commits(self, order_id: str) -> int:
        """How many events the order's stream holds."""
        return len(events_of(await self.service.handler.store.load(order_id)))

    async def published(
        self, case_id: str, count: int, timeout_s: float = 30, topic: str = PROTECTION_ORDERS
    ) -> list[Envelope]:
        """The case's events on ``topic``, once ``count`` of them are there (or fail)."""
        topic = self.topics.name(topic)
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=self.servers.kafka_bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            found: list[Envelope] = []
            async with asyncio.timeout(timeout_s):
                while len(found) < count:
                    batches = await consumer.getmany(timeout_ms=500)
                    for records in batches.values():
                        for r in records:
                            if r.key == case_id.encode():
                                found.append(from_record(r.value, list(r.headers)))
            return found
        finally:
            await consumer.stop()


@asynccontextmanager
async def open_api(servers: Servers, topics: TopicSettings, database: str) -> AsyncIterator[Api]:
    clock = ManualClock(START)
    service = bootstrap(settings_for(servers, topics, database), clock=clock, worker_name="api")
    app = create_app(service)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://po.test") as client:
            yield Api(client, service, clock, servers, topics)
