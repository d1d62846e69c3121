"""The Kafka clients Relais uses, against the real broker: what the services rely on."""

from __future__ import annotations

import asyncio
import time

import faust
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from relais_infra.testing import Servers
from relais_kit.topics import TopicSettings, ensure_topics

pytestmark = pytest.mark.servers


def _topic(servers: Servers, base: str, partitions: int = 3) -> str:
    settings = TopicSettings(namespace=servers.topic_namespace, partitions=partitions)
    ensure_topics(servers.kafka_bootstrap, settings, [base])
    return settings.name(base)


def test_kafka_python_idempotent_producer_and_group_consumer_commit_offsets(
    servers: Servers,
) -> None:
    topic = _topic(servers, "kafka-python")
    producer = KafkaProducer(
        bootstrap_servers=servers.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    for i in range(30):
        producer.send(topic, key=f"case-{i % 5}".encode(), value=f"{i}".encode())
    producer.flush()
    producer.close()

    group = f"g-{servers.run_id}-kp"

    def consume(expected: int) -> list[bytes]:
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=servers.kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        values: list[bytes] = []
        deadline = time.monotonic() + 30
        while len(values) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                values.extend(r.value for r in records)
        consumer.commit()
        consumer.close()
        return values

    first = consume(30)
    assert sorted(int(v) for v in first) == list(range(30))
    # The group committed its offsets: a new member of the same group starts after them.
    assert consume(0) == []
    producer = KafkaProducer(bootstrap_servers=servers.kafka_bootstrap, acks="all")
    producer.send(topic, key=b"case-0", value=b"30")
    producer.flush()
    producer.close()
    assert consume(1) == [b"30"]


def test_kafka_python_keeps_order_per_key(servers: Servers) -> None:
    topic = _topic(servers, "per-key-order")
    producer = KafkaProducer(bootstrap_servers=servers.kafka_bootstrap, acks="all")
    for i in range(50):
        producer.send(topic, key=f"case-{i % 4}".encode(), value=f"{i}".encode())
    producer.flush()
    producer.close()
    consumer = KafkaConsumer(
        bootstrap_servers=servers.kafka_bootstrap, auto_offset_reset="earliest"
    )
    parts = [TopicPartition(topic, p) for p in range(3)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    seen: dict[bytes, list[int]] = {}
    deadline = time.monotonic() + 30
    while sum(map(len, seen.values())) < 50 and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=500).values():
            for r in records:
                seen.setdefault(r.key, []).append(int(r.value))
    consumer.close()
    assert sum(map(len, seen.values())) == 50
    for values in seen.values():
        assert values == sorted(values)


async def test_aiokafka_idempotent_producer_and_group_consumer(servers: Servers) -> None:
    topic = _topic(servers, "aiokafka")
    producer = AIOKafkaProducer(
        bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        # The broker gave this producer an id: its retries cannot write a record twice.
        assert producer._txn_manager is not None
        assert producer._txn_manager.producer_id >= 0
        for i in range(20):
            await producer.send_and_wait(topic, key=f"case-{i % 3}".encode(), value=b"%d" % i)
    finally:
        await producer.stop()

    group = f"g-{servers.run_id}-aio"

    async def consume(expected: int, wait_s: float) -> list[int]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=servers.kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        got: list[int] = []
        try:
            deadline = time.monotonic() + wait_s
            while len(got) < expected and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
                got.extend(int(r.value) for rs in batch.values() for r in rs)
            await consumer.commit()
        finally:
            await consumer.stop()
        return got

    assert sorted(await consume(20, 30)) == list(range(20))
    assert await consume(1, 3) == []  # offsets were committed for the group


async def test_faust_agent_consumes_a_real_topic(servers: Servers) -> None:
    topic_name = _topic(servers, "faust", partitions=1)
    app = faust.App(
        f"relais-test-{servers.run_id}",
        broker=f"kafka://{servers.kafka_bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_replication_factor=1,
        topic_partitions=1,
    )
    topic = app.topic(topic_name, key_type=bytes, value_type=bytes, value_serializer="raw")
    received: list[bytes] = []
    done = asyncio.Event()

    @app.agent(topic)
    async def collect(stream: faust.StreamT[bytes]) -> None:
        async for value in stream:
            received.append(value)
            if len(received) == 10:
                done.set()

    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for i in range(10):
            await producer.send_and_wait(topic_name, key=b"case-1", value=b"%d" % i)
    finally:
        await producer.stop()

    await app.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=60)
    finally:
        await app.stop()
    assert received == [b"%d" % i for i in range(10)]
