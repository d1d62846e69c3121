"""Follows the worker's notices of placed events (the applied topic), for ``?min_event=``.

No consumer group: every api process reads every notice, from the end of the topic at start
(a read that started earlier finds its event in the store itself). A broken connection is
retried; while it is down, reads wait their full wait and then read the store once more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from relais_timeline.adapters.applied_events import AppliedRegistry

log = logging.getLogger(__name__)


class KafkaAppliedFeed:
    def __init__(self, bootstrap: str, topic: str, registry: AppliedRegistry) -> None:
        self._bootstrap, self._topic, self._registry = bootstrap, topic, registry
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name="timeline-applied-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
            try:
                await consumer.start()
                partitions = await self._partitions(consumer)
                consumer.assign(partitions)
                await consumer.seek_to_end(*partitions)
                while True:
                    for batch in (await consumer.getmany(timeout_ms=1000)).values():
                        for record in batch:
                            self._read(record.value)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("applied notices unavailable; retrying", exc_info=True)
                await asyncio.sleep(1.0)
            finally:
                await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        found = consumer.partitions_for_topic(self._topic)
        while not found:
            await consumer._client.force_metadata_update()  # the topic may be new
            found = consumer.partitions_for_topic(self._topic)
            if not found:
                await asyncio.sleep(0.5)
        return [TopicPartition(self._topic, p) for p in sorted(found)]

    def _read(self, value: bytes | None) -> None:
        try:
            notice = orjson.loads(value or b"{}")
            placed = notice.get("placed", {})
            self._registry.announce(e for ids in placed.values() for e in ids)
        except (orjson.JSONDecodeError, AttributeError, TypeError):
            log.warning("an unreadable notice on %s is skipped", self._topic)
