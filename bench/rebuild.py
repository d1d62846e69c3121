"""Catching up from offset 0 (a measurement, not a test).

    uv run python -m bench.rebuild [--records 100000]

Publishes ``--records`` signed events of many cases (case opened, report filed, order
requested: as ``relais_timeline.testing`` builds them) into a fresh namespace, then measures in
the same run: a raw aiokafka read of the same topics (the baseline); the auditor's rebuild
(``replay`` into an empty database); and a timeline worker of a new group catching up from
offset 0. Prints records/s of each and the ratios to the raw read, and checks on a sample of
cases that the rebuilt case hashes equal the worker's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import secrets
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from relais_events.codec import to_record
from relais_infra import servers
from relais_infra.layout import Layout
from relais_kit.producers import idempotent_producer
from relais_timeline.bootstrap import projecting
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints.replay import replay
from relais_timeline.entrypoints.worker import build_worker, provision
from relais_timeline.testing import case_history


async def publish(bootstrap: str, namespace: str, records: int) -> int:
    producer: AIOKafkaProducer = idempotent_producer(bootstrap, linger_ms=20)
    await producer.start()
    sent = 0
    try:
        pending = []
        for n in range(records // 3):
            for envelope in case_history(f"case-{n}"):
                record = to_record(envelope)
                pending.append(
                    await producer.send(
                        f"{namespace}{record.topic}", key=record.key, value=record.value,
                        headers=record.headers,
                    )
                )  # fmt: skip
                sent += 1
            if len(pending) > 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


async def raw_read(bootstrap: str, topics: list[str]) -> float:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        parts = [
            TopicPartition(t, p) for t in topics for p in cluster.partitions_for_topic(t) or ()
        ]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        total = sum(ends.values())
        await consumer.seek_to_beginning(*parts)
        started, read = time.perf_counter(), 0
        remaining = {tp: end for tp, end in ends.items() if end > 0}
        stalled_since = time.monotonic()
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=500, max_records=5000)
            for tp, batch in batches.items():
                read += len(batch)
                if await consumer.position(tp) >= remaining[tp]:
                    remaining.pop(tp)
            if batches:
                stalled_since = time.monotonic()
            elif time.monotonic() - stalled_since > 30:
                raise TimeoutError(f"raw read: {read}/{total} records, stalled on {remaining}")
        return read / (time.perf_counter() - started)
    finally:
        await consumer.stop()


async def worker_catch_up(settings: TimelineSettings, total: int) -> float:
    live = projecting(settings)
    await live.start()
    worker = build_worker(settings, live.projection)
    started = time.perf_counter()
    await worker.start()
    try:
        # Every case of ``publish`` holds three events: caught up when each timeline has them.
        applied = 0
        while applied < total // 3:
            await asyncio.sleep(0.5)
            applied = await live.timelines._timelines.count_documents({"entries": {"$size": 3}})
        return total / (time.perf_counter() - started)
    finally:
        await worker.stop()
        await live.stop()


async def main(options: argparse.Namespace) -> None:
    layout = Layout.from_env()
    started = servers.up(layout)
    run = secrets.token_hex(3)
    settings = TimelineSettings(
        kafka_bootstrap=layout.kafka_bootstrap,
        mongo_uri=layout.mongo_uri,
        topics_namespace=f"rebuild{run}.",
        database=f"bench_rebuild_live_{run}",
        worker_group=f"bench-rebuild-{run}",
    )
    try:
        await asyncio.to_thread(provision, settings)
        print(f"publishing {options.records} signed events...", flush=True)
        total = await publish(layout.kafka_bootstrap, settings.topics_namespace, options.records)
        print(f"published {total}", flush=True)
        raw = await raw_read(layout.kafka_bootstrap, settings.context_topics)
        print(f"raw aiokafka read: {raw:,.0f} records/s", flush=True)
        target = projecting(settings, f"bench_rebuild_{run}")
        await target.start()
        t0 = time.perf_counter()
        replayed = await replay(layout.kafka_bootstrap, settings.context_topics, target.projection)
        rebuild = replayed.records / (time.perf_counter() - t0)
        print(f"rebuild (replay): {rebuild:,.0f} records/s, ratio {rebuild / raw:.3f}", flush=True)
        caught = await worker_catch_up(settings, total)
        print(
            f"worker from offset 0: {caught:,.0f} records/s, ratio {caught / raw:.3f}", flush=True
        )
        live = projecting(settings)
        sample = random.Random(1).sample(range(total // 3), 500)
        same = 0
        for n in sample:
            a = await live.timelines.get(f"case-{n}")
            b = await target.timelines.get(f"case-{n}")
            same += a is not None and b is not None and a.case_hash == b.case_hash
        print(f"rebuilt case hash == worker's on {same}/{len(sample)} sampled cases")
        await live.stop()
        await target.client.drop_database(f"bench_rebuild_{run}")
        await target.client.drop_database(settings.database)
        await target.stop()
    finally:
        await asyncio.to_thread(delete_topics, layout.kafka_bootstrap, settings.topics_namespace)
        if started:
            servers.down(layout, set(started))


def delete_topics(bootstrap: str, namespace: str) -> Any:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="relais-bench")
    try:
        mine = [t for t in admin.list_topics() if t.startswith(namespace)]
        if mine:
            admin.delete_topics(mine, timeout_ms=30_000)
    finally:
        admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000)
    asyncio.run(main(parser.parse_args()))
