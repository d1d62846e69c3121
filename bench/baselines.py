"""Baselines measured in the same run as the end-to-end bench, on the same machine.

(a) raw Kafka: an idempotent aiokafka producer (acks=all, as the outbox relay) sends records of
    the report's size at the same open-loop rate; a consumer in the same process records each
    record's latency from its intended send time.
(b) bare HTTP: ``bench.bare_app`` (uvicorn, 1 worker) under the same open-loop POST load.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from hdrh.histogram import HdrHistogram
from relais_kit.outbox import idempotent_producer

from bench.http_load import PostLoad
from bench.open_loop import LoadResult, histogram, run_open_loop
from bench.stack import Memory, Service, memory, uvicorn_argv

REPO = Path(__file__).resolve().parents[1]


@dataclass
class KafkaBaseline:
    sent: int
    received: int
    elapsed_s: float
    produce: LoadResult  # producer ack latency
    end_to_end_us: HdrHistogram  # produce (intended) -> consumed

    @property
    def throughput(self) -> float:
        return self.received / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, p: float) -> float:
        return float(self.end_to_end_us.get_value_at_percentile(p)) / 1000.0


async def raw_kafka(
    bootstrap: str,
    topic: str,
    *,
    rate: float,
    duration_s: float,
    record_bytes: int,
    partitions: int,
) -> KafkaBaseline:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    producer = idempotent_producer(bootstrap)
    await producer.start()
    latencies = histogram()
    total = int(rate * duration_s)
    received = 0
    last = 0.0
    try:
        # A fresh topic: every partition from offset 0.
        consumer.assign([TopicPartition(topic, p) for p in range(partitions)])
        padding = b"x" * max(0, record_bytes - 8)
        started = time.perf_counter()

        async def send(i: int) -> bool:
            value = struct.pack(">Q", i) + padding
            await (await producer.send(topic, value=value, key=str(i % 997).encode()))
            return True

        async def consume() -> None:
            nonlocal received, last
            while received < total:
                batches = await consumer.getmany(timeout_ms=200)
                now = time.perf_counter()
                for records in batches.values():
                    for record in records:
                        (i,) = struct.unpack(">Q", record.value[:8])
                        latency_us = int((now - started - i / rate) * 1_000_000)
                        latencies.record_value(max(1, latency_us))
                        received += 1
                        last = now

        consuming = asyncio.create_task(consume())
        produced = await run_open_loop(send, rate=rate, duration_s=duration_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(consuming, timeout=30)
    finally:
        await producer.stop()
        await consumer.stop()
    return KafkaBaseline(produced.sent, received, max(last - started, 1e-9), produced, latencies)


@dataclass
class HttpBaseline:
    load: LoadResult
    errors: dict[str, int]
    memory: Memory


async def bare_http(
    cwd: Path, env: dict[str, str], port: int, *, rate: float, duration_s: float, connections: int
) -> HttpBaseline:
    service = Service(
        "bare-fastapi",
        uvicorn_argv("bench.bare_app:app", port, factory=False, app_dir=REPO),
        cwd,
        env,
        port=port,
    )
    service.start()
    try:
        await service.wait_ready()
        load = PostLoad(
            f"{service.base_url}/v1/reports", {}, rate, duration_s, connections=connections
        )
        result = await load.run()
        used = memory(service.name, service.pid)
    finally:
        service.stop()
    return HttpBaseline(result, dict(load.errors), used)
