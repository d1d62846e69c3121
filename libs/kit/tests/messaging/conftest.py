"""Real Kafka topics and a real Mongo database per test, and envelopes to send through them."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.catalogue.intake import ReportFiled
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.keyregistry import empty_registry, new_key_pair
from relais_events.topics import DEADLETTER, INTAKE
from relais_events.vocabulary import Actor, Channel, Role
from relais_infra.testing import Servers
from relais_kit.ingress import KeyRegistrySource, MemoryFingerprints, RecordGate
from relais_kit.topics import TopicSettings, ensure_topics

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ACTOR = Actor(role=Role.POLICE, org="gn-brigade-75", jurisdiction="75")
_names = itertools.count()
# intake's key as these tests sign with it, and the registry the consumers check it against.
_PRIVATE, _ENTRY = new_key_pair("intake-test", valid_from=NOW - dt.timedelta(days=365))
SIGNER = Signer("intake", "intake-test", _PRIVATE)
REGISTRY = empty_registry().with_key("intake", _ENTRY)


def gate(max_bytes: int = 256 * 1024) -> RecordGate:
    """What a service's consumer admits, over this module's registry, fingerprints in memory."""
    return RecordGate(
        KeyRegistrySource(registry=REGISTRY), MemoryFingerprints(), max_bytes=max_bytes
    )


def report(case_id: str, version: int) -> Envelope:
    """intake's ``report.filed``, signed as intake signs it (not chained: each stands alone)."""
    return SIGNER.seal(unsigned_report(case_id, version), None)


def unsigned_report(case_id: str, version: int) -> Envelope:
    return new_envelope(
        ReportFiled(
            case_id=case_id,
            report_id=f"r-{version}",
            channel=Channel.SMS_114,
            kind="alert",
            departement="75",
            minor_victim=False,
            children_present=0,
        ),
        source="intake",
        subject=case_id,
        aggregate_id=case_id,
        aggregate_version=version,
        actor=ACTOR,
        jurisdiction="75",
        now=NOW + dt.timedelta(seconds=version),
    )


async def eventually(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Wait for ``check`` to hold, polling; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def topics(servers: Servers) -> TopicSettings:
    """The intake and dead-letter topics, in a namespace of this test's own."""
    settings = TopicSettings(namespace=f"{servers.topic_namespace}m{next(_names)}.", partitions=3)
    await asyncio.to_thread(ensure_topics, servers.kafka_bootstrap, settings, [INTAKE, DEADLETTER])
    return settings


@pytest.fixture
async def database(servers: Servers) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri, timeoutMS=15_000)
    name = servers.database(f"kit_messaging_{next(_names)}")
    yield client[name]
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def producer(servers: Servers) -> AsyncIterator[AIOKafkaProducer]:
    started = AIOKafkaProducer(
        bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await started.start()
    yield started
    await started.stop()


ConsumerFactory = Callable[[str, str], Awaitable[AIOKafkaConsumer]]


@pytest.fixture
def consumer_of(servers: Servers) -> ConsumerFactory:
    """``await consumer_of(topic, group)``: a started consumer that commits only when told."""

    async def start(topic: str, group: str) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=servers.kafka_bootstrap,
            group_id=f"{group}-{servers.run_id}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        return consumer

    return start
