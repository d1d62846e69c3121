"""The intake api on the real servers: one app per module, its lifespan run, a Kafka tap."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from relais_events import topics
from relais_events.codec import from_record
from relais_events.envelope import Envelope
from relais_infra.testing import Servers
from relais_intake.bootstrap import bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app
from relais_kit.auth import mint_dev_token
from relais_kit.topics import TopicSettings, ensure_topics

Bearer = Callable[..., dict[str, str]]


@dataclass
class Tapped:
    value: bytes
    envelope: Envelope


@dataclass
class KafkaTap:
    """Reads a topic from the beginning in the background; tests wait for what they expect."""

    consumer: AIOKafkaConsumer
    records: list[Tapped] = field(default_factory=list)

    async def run(self) -> None:
        while True:
            batches = await self.consumer.getmany(timeout_ms=200)
            for batch in batches.values():
                self.records.extend(
                    Tapped(r.value, from_record(r.value, list(r.headers))) for r in batch
                )

    async def wait_for(self, case_id: str, count: int, timeout_s: float = 20.0) -> list[Tapped]:
        deadline = time.monotonic() + timeout_s
        while True:
            found = [t for t in self.records if t.envelope.subject == case_id]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def settings(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> IntakeSettings:
    ensure_topics(servers.kafka_bootstrap, TopicSettings(namespace=servers.topic_namespace))
    keys: Path = tmp_path_factory.mktemp("keys")
    return IntakeSettings(
        kafka_bootstrap=servers.kafka_bootstrap,
        mongo_uri=servers.mongo_uri,
        database=servers.database("intake"),
        topics_namespace=servers.topic_namespace,
        keys_dir=keys,
        key_registry=keys / "registry.json",
    )


@pytest.fixture(scope="module")
async def client(settings: IntakeSettings) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = create_app(intake=bootstrap(settings))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as c,
    ):
        yield c


@pytest.fixture(scope="module")
async def mongo(settings: IntakeSettings) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri)
    yield client[settings.database]
    await client.close()


async def _tap(settings: IntakeSettings, topic: str) -> AsyncIterator[KafkaTap]:
    name = settings.topics().name(topic)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
    )
    await consumer.start()
    # Created by ``settings`` with the configured count: no need to wait for metadata.
    partitions = [TopicPartition(name, p) for p in range(TopicSettings().partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    tap = KafkaTap(consumer)
    task = asyncio.create_task(tap.run())
    yield tap
    task.cancel()
    await consumer.stop()


@pytest.fixture(scope="module")
async def intake_topic(settings: IntakeSettings) -> AsyncIterator[KafkaTap]:
    async for tap in _tap(settings, topics.INTAKE):
        yield tap


@pytest.fixture(scope="module")
async def timeline_topic(settings: IntakeSettings) -> AsyncIterator[KafkaTap]:
    async for tap in _tap(settings, topics.TIMELINE):
        yield tap


@pytest.fixture(scope="module")
def bearer(settings: IntakeSettings) -> Bearer:
    def header(
        role: str,
        *,
        sub: str = "user-1",
        departements: tuple[str, ...] = ("93",),
        also: tuple[str, ...] = (),
    ) -> dict[str, str]:
        """A token for ``role`` (and the roles ``also`` granted on top of it)."""
        token = mint_dev_token(
            settings.auth,
            sub=sub,
            roles=[role, *also],
            org=f"org-{role}",
            jurisdictions=departements,
            now=dt.datetime.now(dt.UTC),
        )
        return {"Authorization": f"Bearer {token}"}

    return header
