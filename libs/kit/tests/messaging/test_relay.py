"""The relay on real Kafka and FerretDB: the log keeps each aggregate's order across processes, and
its memory stays bounded however many reads (one-commit access-log entries) go through it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.codec import from_record
from relais_events.topics import INTAKE
from relais_infra.testing import Servers
from relais_kit.outbox import OutboxRelay, RelaySettings, idempotent_producer
from relais_kit.store import EventStore, NewCommit, StoredCommit
from relais_kit.store.delegating import DelegatingEventStore
from relais_kit.store.mongo import MongoEventStore
from relais_kit.store.ports import LedgerEntry, OutboxSession
from relais_kit.topics import TopicSettings

from .conftest import report

pytestmark = pytest.mark.servers


def relay(servers: Servers, store: EventStore, topics: TopicSettings, **kw: Any) -> OutboxRelay:
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
        highest = 0
        for n, commit in enumerate(commits):
            live.notify(commit)
            if n % 250 == 0:
                await asyncio.sleep(0)
                highest = max(highest, live.remembered)
        await asyncio.wait_for(live.drained(), 60)
        highest = max(highest, live.remembered)
    assert await database["commits_published"].count_documents({}) == reads  # all marked
    # Published ids are forgotten past ``remember``; waiting and unmarked ones are in flight.
    assert live.remembered <= bound
    assert highest <= bound + reads  # never more than what was in flight at once


class Counting(DelegatingEventStore):
    """Counts the reads a sweep makes (each one exact `_id` look-up or the small session list)."""

    def __init__(self, inner: MongoEventStore) -> None:
        super().__init__(inner)
        self.reads = 0

    async def outbox_sessions(self) -> list[OutboxSession]:
        self.reads += 1
        return await super().outbox_sessions()

    async def ledger_entry(self, session: str, number: int) -> LedgerEntry | None:
        self.reads += 1
        return await super().ledger_entry(session, number)

    async def get(self, commit_id: str) -> StoredCommit | None:
        self.reads += 2  # the commit and its marker
        return await super().get(commit_id)


async def test_a_stopped_process_s_commits_are_swept_in_order_by_another(
    servers: Servers, topics: TopicSettings, database: AsyncDatabase[dict[str, Any]]
) -> None:
    crashed = MongoEventStore(database)  # a process that appended, then died before publishing
    first = await crashed.append(NewCommit.of([report("case-1", 1)]))
    second = await crashed.append(NewCommit.of([report("case-1", 2)], follows=first.id))
    await crashed.append(NewCommit.of([report("case-2", 1)]))
    survivor = MongoEventStore(database)
    async with relay(servers, survivor, topics, stopped_after_s=0.5, grace_s=0) as live:
        await live.swept.wait()  # the start-up sweep: the session is too fresh to take over
        await asyncio.sleep(0.6)  # and now it has been silent long enough
        assert await live.sweep() == 3
        log = await read_all(servers, topics.name(INTAKE), 3)
        await live.marked()
        assert await live.sweep() == 0  # checkpointed: nothing published twice
        assert crashed.session not in {s.session for s in await survivor.outbox_sessions()}
    assert [e for e in log if e[0] == "case-1"] == [("case-1", 1), ("case-1", 2)]
    assert await survivor.get(second.id) is not None


async def test_a_sweep_costs_the_same_whatever_the_size_of_the_log(
    servers: Servers, topics: TopicSettings, database: AsyncDatabase[dict[str, Any]]
) -> None:
    store = Counting(MongoEventStore(database))
    costs = []
    async with relay(servers, store, topics, grace_s=0) as live:
        await live.swept.wait()
        for size in (200, 2_000):
            commits = await asyncio.gather(
                *(store.append(NewCommit.of([report(f"c{size}-{n}", 1)])) for n in range(size))
            )
            for commit in commits:
                live.notify(commit)
            await live.drained()
            store.reads = 0
            assert await live.sweep() == 0
            costs.append(store.reads)
    # The session list, then the one entry after the checkpoint (missing): not the log's size.
    assert costs == [2, 2]
