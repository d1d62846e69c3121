"""The consumer runner on real Kafka: dead letters, redelivery, retries, commit after handling."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.topics import DEADLETTER, INTAKE
from relais_kit.consumer import EventRunner, Outcome, RawRecord, TransientError, consume_forever
from relais_kit.store.memory import MemoryProcessedEvents
from relais_kit.store.mongo import MongoProcessedEvents
from relais_kit.topics import TopicSettings

from .conftest import ConsumerFactory, eventually, gate, report

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]


async def _send(producer: AIOKafkaProducer, topic: str, value: bytes) -> tuple[int, int]:
    sent = await producer.send_and_wait(topic, key=b"case-1", value=value)
    return sent.partition, sent.offset


def _record(envelope: Envelope, offset: int = 0) -> RawRecord:
    kafka = to_record(envelope)
    return RawRecord(kafka.topic, 0, offset, kafka.key, kafka.value, kafka.headers)


async def test_poison_messages_are_dead_lettered_and_the_consumer_moves_on(
    topics: TopicSettings, producer: AIOKafkaProducer, consumer_of: ConsumerFactory
) -> None:
    intake = topics.name(INTAKE)
    unknown = orjson.dumps({**report("case-1", 1).model_dump(mode="json"), "type": "no.such"})
    poison = {b"{not json": await _send(producer, intake, b"{not json")}
    poison[unknown] = await _send(producer, intake, unknown)
    good = report("case-1", 1)
    await _send(producer, intake, to_record(good).value)

    handled: list[str] = []

    async def handler(envelope: Envelope) -> None:
        handled.append(envelope.id)

    runner = EventRunner("poison", handler, MemoryProcessedEvents(), producer, topics, gate=gate())
    consumer = await consumer_of(intake, "poison")
    consuming = asyncio.create_task(consume_forever(consumer, runner))
    try:
        await eventually(lambda: handled == [good.id], 30, "the good event after the poison")
    finally:
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)
        await consumer.stop()

    letters: list[dict[str, Any]] = []
    reader = await consumer_of(topics.name(DEADLETTER), "poison-reader")
    try:
        while len(letters) < 2:
            batch = await asyncio.wait_for(reader.getmany(timeout_ms=500), 30)
            letters += [orjson.loads(r.value) for rs in batch.values() for r in rs]
    finally:
        await reader.stop()
    assert len(letters) == 2
    by_value = {base64.b64decode(letter["value"]): letter for letter in letters}
    assert set(by_value) == set(poison)
    for original, (partition, offset) in poison.items():
        letter = by_value[original]
        assert (letter["topic"], letter["partition"], letter["offset"]) == (
            intake,
            partition,
            offset,
        )
        assert letter["consumer"] == "poison"
    assert by_value[b"{not json"]["reason"] == "bad_json"
    assert by_value[unknown]["reason"] == "unknown_type"


async def test_redelivery_of_an_event_is_a_no_op(
    topics: TopicSettings, producer: AIOKafkaProducer, database: AsyncDatabase[dict[str, Any]]
) -> None:
    calls: list[int] = []

    async def handler(envelope: Envelope) -> None:
        calls.append(envelope.aggregateversion)

    runner = EventRunner(
        "redelivery", handler, MongoProcessedEvents(database), producer, topics, gate=gate()
    )
    record = _record(report("case-1", 1))
    assert await runner.handle(record) == Outcome.HANDLED
    assert await runner.handle(record) == Outcome.DUPLICATE
    assert calls == [1]


async def test_transient_errors_are_retried_not_dead_lettered(
    topics: TopicSettings, producer: AIOKafkaProducer
) -> None:
    attempts: list[int] = []

    async def flaky(envelope: Envelope) -> None:
        attempts.append(envelope.aggregateversion)
        if len(attempts) < 3:
            raise TransientError("store unavailable")

    runner = EventRunner(
        "flaky", flaky, MemoryProcessedEvents(), producer, topics, gate=gate(), retry_backoff_s=0.01
    )
    assert await runner.handle(_record(report("case-1", 1))) == Outcome.HANDLED
    assert attempts == [1, 1, 1]


async def test_offsets_are_committed_only_after_the_handler(
    topics: TopicSettings,
    producer: AIOKafkaProducer,
    consumer_of: ConsumerFactory,
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    intake = topics.name(INTAKE)
    for version in (1, 2):
        await _send(producer, intake, to_record(report("case-1", version)).value)
    processed = MongoProcessedEvents(database)
    stuck = asyncio.Event()
    seen: list[int] = []

    async def crashing(envelope: Envelope) -> None:
        seen.append(envelope.aggregateversion)
        if envelope.aggregateversion == 2:
            stuck.set()
            await asyncio.Event().wait()  # the process dies here, mid-handler

    first = await consumer_of(intake, "crash")
    running = asyncio.create_task(
        consume_forever(
            first, EventRunner("crash", crashing, processed, producer, topics, gate=gate())
        )
    )
    await asyncio.wait_for(stuck.wait(), 30)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await first.stop()

    outcomes: list[tuple[int, Outcome]] = []

    async def healthy(envelope: Envelope) -> None:
        seen.append(envelope.aggregateversion)

    def note(record: RawRecord, outcome: Outcome) -> None:
        outcomes.append((record.offset, outcome))

    second = await consumer_of(intake, "crash")
    runner = EventRunner("crash", healthy, processed, producer, topics, gate=gate())
    rerun = asyncio.create_task(consume_forever(second, runner, on_outcome=note))
    try:
        await eventually(lambda: len(outcomes) == 2, 30, "the redelivery after the crash")
    finally:
        rerun.cancel()
        await asyncio.gather(rerun, return_exceptions=True)
        await second.stop()
    # Nothing was committed: both come back; the first is a known duplicate, the second runs.
    assert [o for _, o in outcomes] == [Outcome.DUPLICATE, Outcome.HANDLED]
    assert seen == [1, 2, 2]
