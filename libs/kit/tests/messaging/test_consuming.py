"""A worker's consumer loop on real Kafka: it handles every record, ``stop`` ends it, and the
next run of the same group starts after what was handled (offsets committed after handling)."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.topics import INTAKE
from relais_infra.testing import Servers
from relais_kit.consuming import consume_until
from relais_kit.topics import TopicSettings

from .conftest import eventually, report

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]


async def test_records_are_handled_once_across_a_stop_and_a_restart(
    servers: Servers, topics: TopicSettings, producer: AIOKafkaProducer
) -> None:
    handled: list[str] = []

    async def handler(envelope: Envelope) -> None:
        handled.append(envelope.id)

    async def publish(envelope: Envelope) -> None:
        record = to_record(envelope)
        await producer.send_and_wait(
            topics.name(INTAKE), key=record.key, value=record.value, headers=record.headers
        )

    async def run(stop: asyncio.Event) -> None:
        await consume_until(
            stop,
            name="learner",
            handler=handler,
            topics=[INTAKE],
            names=topics,
            bootstrap=servers.kafka_bootstrap,
            group=f"learner-{topics.namespace}",
        )

    first = [report(f"case-{n}", 1) for n in range(3)]
    for envelope in first:
        await publish(envelope)
    stop = asyncio.Event()
    running = asyncio.create_task(run(stop))
    await eventually(lambda: len(handled) == 3, 30, "the first three records")
    stop.set()
    await asyncio.wait_for(running, 30)  # stop ends the loop without an error
    assert sorted(handled) == sorted(e.id for e in first)

    later = report("case-9", 1)
    await publish(later)
    again = asyncio.Event()
    running = asyncio.create_task(run(again))
    await eventually(lambda: len(handled) == 4, 30, "the record published while stopped")
    await asyncio.sleep(0.5)  # a redelivery of the first three would land by now
    again.set()
    await asyncio.wait_for(running, 30)
    assert handled[3:] == [later.id]
