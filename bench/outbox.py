"""Throughput of the outbox path vs raw Kafka, on the local servers (not a test).

    uv run python bench/outbox.py --events 20000

Outbox: 4 writers append one-event commits (store insert) and notify the relay, which publishes
and marks them; a consumer counts arrivals. Raw: an idempotent aiokafka producer sends the same
record values straight to a topic and a consumer counts them. Both end when the consumer has all.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import Any

from aiokafka import AIOKafkaConsumer
from pymongo import AsyncMongoClient
from relais_events.catalogue.intake import ReportFiled
from relais_events.codec import to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.topics import INTAKE
from relais_events.vocabulary import Actor, Channel, Role
from relais_kit.outbox import OutboxRelay, RelaySettings, idempotent_producer
from relais_kit.store import NewCommit
from relais_kit.store.mongo import MongoEventStore
from relais_kit.topics import TopicSettings, ensure_topics

ACTOR = Actor(role=Role.POLICE, org="gn-brigade-75", jurisdiction="75")
START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
WRITERS = 4


def envelopes(count: int, aggregates: int) -> list[Envelope]:
    made = []
    for n in range(count):
        case_id, version = f"case-{n % aggregates:04d}", n // aggregates + 1
        event = ReportFiled(
            case_id=case_id,
            report_id=f"r-{version}",
            channel=Channel.SMS_114,
            kind="alert",
            departement="75",
            minor_victim=False,
            children_present=0,
        )
        made.append(
            new_envelope(
                event,
                source="intake",
                subject=case_id,
                aggregate_id=case_id,
                aggregate_version=version,
                actor=ACTOR,
                jurisdiction="75",
                now=START + dt.timedelta(seconds=n),
            )
        )
    return made


async def timed(
    bootstrap: str, topic: str, count: int, produce: Callable[[], Coroutine[Any, Any, None]]
) -> float:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"bench-{topic}", auto_offset_reset="earliest"
    )
    await consumer.start()
    started = time.perf_counter()
    producing = asyncio.create_task(produce())
    received = 0
    while received < count:
        batch = await consumer.getmany(timeout_ms=200)
        received += sum(len(records) for records in batch.values())
    elapsed = time.perf_counter() - started
    await producing
    await consumer.stop()
    return elapsed


async def main(events: int, aggregates: int, bootstrap: str, mongo_uri: str) -> None:
    run = secrets.token_hex(3)
    raw_topics = TopicSettings(namespace=f"bench{run}.raw.")
    outbox_topics = TopicSettings(namespace=f"bench{run}.outbox.")
    for settings in (raw_topics, outbox_topics):
        ensure_topics(bootstrap, settings, [INTAKE])
    payloads = envelopes(events, aggregates)

    async def raw() -> None:
        producer = idempotent_producer(bootstrap)
        await producer.start()
        sends = []
        for envelope in payloads:
            record = to_record(envelope)
            sends.append(
                await producer.send(
                    raw_topics.name(INTAKE),
                    key=record.key,
                    value=record.value,
                    headers=record.headers,
                )
            )
        await asyncio.gather(*sends)
        await producer.stop()

    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_uri)
    database = f"bench_outbox_{run}"
    store = MongoEventStore(client[database])
    await store.ensure_indexes()
    relay = OutboxRelay(
        store, lambda: idempotent_producer(bootstrap), outbox_topics, RelaySettings()
    )

    async def outbox() -> None:
        async def writer(share: list[Envelope]) -> None:
            for envelope in share:
                relay.notify(await store.append(NewCommit.of([envelope])))

        # Writer w owns every WRITERS-th aggregate: versions follow, no conflicts to retry.
        shares = [
            [e for e in payloads if hash(e.aggregateid) % WRITERS == w] for w in range(WRITERS)
        ]
        await asyncio.gather(*(writer(share) for share in shares))

    raw_s = await timed(bootstrap, raw_topics.name(INTAKE), events, raw)
    await relay.start()
    try:
        outbox_s = await timed(bootstrap, outbox_topics.name(INTAKE), events, outbox)
    finally:
        await relay.stop()
        await client.drop_database(database)
        await client.close()
    print(f"events: {events} over {aggregates} aggregates")
    print(f"raw aiokafka producer->consumer: {events / raw_s:9.0f} events/s ({raw_s:.2f}s)")
    print(f"store+relay+Kafka -> consumer:   {events / outbox_s:9.0f} events/s ({outbox_s:.2f}s)")
    print(f"ratio outbox/raw: {raw_s / outbox_s:.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--aggregates", type=int, default=100)
    parser.add_argument(
        "--bootstrap", default=os.environ.get("RELAIS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    )
    parser.add_argument(
        "--mongo-uri", default=os.environ.get("RELAIS_MONGO_URI", "mongodb://127.0.0.1:27017")
    )
    options = parser.parse_args()
    asyncio.run(main(options.events, options.aggregates, options.bootstrap, options.mongo_uri))
