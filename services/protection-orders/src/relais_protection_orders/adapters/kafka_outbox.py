"""Publishes commits to Kafka and marks them published (DESIGN.md section 3, steps 4 and rule 4).

Stand-in until the kit's ``OutboxRelay`` lands: the store hands each new commit ``_id`` here;
one task publishes commits in the order they were handed (so per order, in version order
within this process) with an idempotent producer and ``acks=all``, then marks the commit by
``_id`` (this relay is its one writer). A sweep at start and every ``sweep_interval_s``
republishes what a crashed process left unpublished; consumers dedupe by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.codec import to_record
from relais_events.envelope import Envelope

from relais_protection_orders.adapters.mongo_events import COMMITS

log = logging.getLogger(__name__)


class KafkaOutbox:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        bootstrap: str,
        *,
        topic_namespace: str = "",
        sweep_interval_s: float = 180.0,
    ) -> None:
        self._commits = database[COMMITS]
        self._bootstrap, self._namespace = bootstrap, topic_namespace
        self._sweep_interval_s = sweep_interval_s
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._producer: AIOKafkaProducer | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def notify(self, commit_id: str) -> None:
        self._queue.put_nowait(commit_id)

    async def start(self) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._bootstrap, enable_idempotence=True, acks="all"
        )
        await self._producer.start()
        await self.sweep()
        self._tasks = [
            asyncio.create_task(self._publish_loop()),
            asyncio.create_task(self._sweeps()),
        ]

    async def stop(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), timeout=10)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()

    async def drain(self) -> None:
        """Wait until every commit handed so far is published (tests, shutdown)."""
        await self._queue.join()

    async def sweep(self) -> None:
        # `_id` order is version order within an order (zero-padded versions).
        async for doc in self._commits.find({"published": False}, {"_id": 1}).sort("_id", 1):
            self.notify(str(doc["_id"]))

    async def _sweeps(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval_s)
            await self.sweep()

    async def _publish_loop(self) -> None:
        while True:
            identifier = await self._queue.get()
            try:
                await self._publish(identifier)
            except Exception:
                log.exception("commit %s not published; the sweep retries it", identifier)
            finally:
                self._queue.task_done()

    async def _publish(self, identifier: str) -> None:
        doc = await self._commits.find_one({"_id": identifier})
        if doc is None or doc.get("published"):
            return
        assert self._producer is not None, "started"
        for raw in doc["events"]:
            record = to_record(Envelope.model_validate(raw))
            await self._producer.send_and_wait(
                self._namespace + record.topic,
                record.value,
                key=record.key,
                headers=record.headers,
            )
        await self._commits.update_one({"_id": identifier}, {"$set": {"published": True}})
