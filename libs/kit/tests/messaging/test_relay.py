"""The relay on real Kafka and FerretDB: the log keeps each aggregate's order across processes, and
its memory stays bounded however many reads (one-commit access-log entries) go through it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.codec import from_record
from relais_events.topics import INTAKE
from relais_infra.testing import Servers
from relais_kit.outbox import OutboxRelay, RelaySettings, idempotent_producer
from relais_kit.store import NewCommit
from relais_kit.store.mongo import MongoEventStore
from relais_kit.topics import TopicSettings

from .conftest import report

pytestmark = pytest.mark.servers


def relay(
    servers: Servers, store: MongoEventStore, topics: TopicSettings, **kw: Any
) -> OutboxRelay:
    settings = RelaySettings(sweep_interval_s=3600, **kw)  # only what it is handed
    return OutboxRelay(
        store, lambda: idempotent_producer(servers.kafka_bootstrap), topics, settings
    )


async def read_all(servers: Servers, topic: str, count: int) -> list[tuple[str, int]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=servers.kafka_bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[tuple[str, int]] = []
    try:
        async with asyncio.timeout(60):
            while len(found) < count:
                for batch in (await consumer.getmany(timeout_ms=500)).values():
                    for r in batch:
                        envelope = from_record(r.value, list(r.headers))
                        found.append((envelope.aggregateid, envelope.aggregateversion))
    finally:
        await consumer.stop()
    return found


async def test_a_predecessor_nobody_published_goes_out_first(
    servers: Servers, topics: TopicSettings, database: AsyncDatabase[dict[str, Any]]
) -> None:
    store = MongoEventStore(database)
    first = await store.append(NewCommit.of([report("case-1", 1)]))
    # Appended by a process that crashed before its relay published it:
    second = await store.append(NewCommit.of([report("case-1", 2)], follows=first.id))
    third = await store.append(NewCommit.of([report("case-1", 3)], follows=second.id))
    async with relay(servers, store, topics) as live:
        live.notify(first)
        live.notify(third)  # the relay of the process that appended the third one
        log = await read_all(servers, topics.name(INTAKE), 3)
        await live.marked()
    assert log == [("case-1", 1), ("case-1", 2), ("case-1", 3)]
    assert await store.unpublished(10) == []


async def test_memory_stays_bounded_over_many_reads(
    servers: Servers, topics: TopicSettings, database: AsyncDatabase[dict[str, Any]]
) -> None:
    store = MongoEventStore(database)
    reads, bound = 5_000, 500
    commits = await asyncio.gather(
        *(store.append(NewCommit.of([report(f"access-{n}", 1)])) for n in range(reads))
    )
    async with relay(servers, store, topics, remember=bound) as live:
        started = time.monotonic()
        highest = 0
        for n, commit in enumerate(commits):
            live.notify(commit)
            if n % 250 == 0:
                await asyncio.sleep(0)
                highest = max(highest, live.remembered)
        while live.pending and time.monotonic() - started < 60:
            await asyncio.sleep(0.05)
            highest = max(highest, live.remembered)
        await live.marked()
        highest = max(highest, live.remembered)
    assert await database["commits_published"].count_documents({}) == reads  # all marked
    # Published ids are forgotten past ``remember``; waiting and unmarked ones are in flight.
    assert live.remembered <= bound
    assert highest <= bound + reads  # never more than what was in flight at once
