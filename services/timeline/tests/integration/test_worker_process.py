"""The worker as `make run` and the containers start it: its own process, stopped by a signal."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient
from relais_infra.testing import Servers
from relais_kit.outbox import idempotent_producer
from relais_timeline.adapters.mongo_timelines import MongoTimelineStore
from relais_timeline.testing import case_history, eventually, publish

pytestmark = pytest.mark.servers


async def test_the_worker_process_projects_a_case_and_stops_cleanly(servers: Servers) -> None:
    namespace = f"{servers.topic_namespace}wp."
    database = servers.database("timeline_wp")
    env = {
        **os.environ,
        "RELAIS_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
        "RELAIS_MONGO_URI": servers.mongo_uri,
        "RELAIS_TOPICS_NAMESPACE": namespace,
        "RELAIS_TIMELINE_DATABASE": database,
        "RELAIS_TIMELINE_WORKER_GROUP": f"wp-{servers.run_id}",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "relais_timeline.entrypoints.worker",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri, tz_aware=True)
    producer: AIOKafkaProducer = idempotent_producer(servers.kafka_bootstrap)
    try:
        await producer.start()
        history = case_history(f"case-wp-{servers.run_id}")
        await eventually(lambda: _topic_exists(producer, f"{namespace}relais.intake.v1"), "topics")
        await publish(producer, namespace, *history)
        timelines = MongoTimelineStore(client[database])

        async def projected() -> bool:
            timeline = await timelines.get(history[0].subject)
            return timeline is not None and len(timeline.entries) == len(history)

        await eventually(projected, "the case projected by the worker process", within_s=60)
    finally:
        await producer.stop()
        await client.drop_database(database)
        await client.close()
        worker.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(worker.communicate(), timeout=60)
    assert worker.returncode == 0, output.decode(errors="replace")[-3000:]
    assert b"Traceback" not in output, output.decode(errors="replace")[-3000:]


async def _topic_exists(producer: AIOKafkaProducer, topic: str) -> bool:
    return bool(await producer.partitions_for(topic))
