"""A member of a consumer group that takes records a poll at a time and commits after them.

Each poll's records (of every partition this member owns) go to the handler together; the
partitions' offsets are committed only once the handler returned, so what is committed is
durable, and a crash or a rebalance redelivers at most the batch in flight (handlers are
idempotent). A handler that raises gets the same records again after a pause (the partitions
are sought back), so a failing dependency stalls the partitions instead of skipping records.
Rebalances wait for the batch in flight, then ``on_revoked`` runs (e.g. to forget what the
member kept in memory of cases that may now be another member's).

A broker that goes away and comes back (a restart, a ``kill -9``) can leave the member unknown to
its group: the commit of the batch in flight then fails (``CommitFailedError``). That is not the
member's end: the batch was handled but not committed, so its partitions are sought back to it and
the member polls on; it rejoins the group and the batch is delivered again (handlers are
idempotent). Before this, the polling task died on that error and the process went on running
with a member that consumed nothing (tests/reliability, Kafka ``kill -9``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError

from relais_kit.consumer import RawRecord

log = logging.getLogger(__name__)
Handle = Callable[[Sequence[RawRecord]], Awaitable[None]]


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, member: GroupConsumer) -> None:
        self._member = member

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        async with self._member.busy:  # the batch in flight finishes and commits first
            self._member.on_revoked()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("%s owns %d partitions", self._member.name, len(assigned))


class GroupConsumer:
    def __init__(
        self,
        name: str,
        topics: Sequence[str],
        *,
        group: str,
        bootstrap: str,
        handle: Handle,
        on_revoked: Callable[[], None] = lambda: None,
        max_records: int = 500,
        wait_ms: int = 20,
        retry_backoff_s: float = 1.0,
        new_consumer: Callable[..., AIOKafkaConsumer] = AIOKafkaConsumer,
    ) -> None:
        self.name, self._topics, self._group, self._bootstrap = name, topics, group, bootstrap
        self._handle, self.on_revoked = handle, on_revoked
        self._max, self._wait_ms, self._backoff = max_records, wait_ms, retry_backoff_s
        self._new_consumer = new_consumer
        self.busy = asyncio.Lock()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    async def start(self) -> None:
        self._consumer = self._new_consumer(
            bootstrap_servers=self._bootstrap,
            group_id=self._group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        self._consumer.subscribe(list(self._topics), listener=_Listener(self))
        await self._consumer.start()
        self._task = asyncio.create_task(self._run(), name=f"consume:{self.name}")

    async def stop(self) -> None:
        """Finish the batch in flight (and commit it), then leave the group."""
        self._stopping = True
        if self._task is not None:
            async with self.busy:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
        self._task = self._consumer = None

    async def _run(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not self._stopping:
            try:
                polled = await self._poll(consumer)
            except KafkaError:
                log.warning("%s: poll failed; polling again", self.name, exc_info=True)
                await asyncio.sleep(self._backoff)
                continue
            if polled:
                async with self.busy:
                    await self._apply(consumer, polled)

    async def _poll(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list]:  # type: ignore[type-arg]
        polled: dict[TopicPartition, list] = await consumer.getmany(  # type: ignore[type-arg]
            timeout_ms=max(self._wait_ms, 100), max_records=self._max
        )
        if polled and self._wait_ms and sum(map(len, polled.values())) < self._max:
            await asyncio.sleep(self._wait_ms / 1000)  # let a few more arrive, in bulk
            more = await consumer.getmany(timeout_ms=0, max_records=self._max)
            for tp, records in more.items():
                polled.setdefault(tp, []).extend(records)
        return polled

    async def _apply(self, consumer: AIOKafkaConsumer, polled: dict[TopicPartition, list]) -> None:  # type: ignore[type-arg]
        records = [
            RawRecord(
                topic=m.topic,
                partition=m.partition,
                offset=m.offset,
                key=m.key,
                value=m.value,
                headers=list(m.headers or ()),
                timestamp_ms=m.timestamp,
            )
            for batch in polled.values()
            for m in batch
        ]
        try:
            await self._handle(records)
        except Exception:
            log.exception(
                "%s: a batch of %d failed; it will be read again", self.name, len(records)
            )
            self._seek_back(consumer, polled)
            await asyncio.sleep(self._backoff)
            return
        try:
            await consumer.commit({tp: batch[-1].offset + 1 for tp, batch in polled.items()})
        except KafkaError:
            # Handled, not committed: delivered again once the member is back in its group.
            log.warning(
                "%s: commit of a batch of %d failed (the group moved on); it will be read again",
                self.name,
                len(records),
                exc_info=True,
            )
            self._seek_back(consumer, polled)

    @staticmethod
    def _seek_back(consumer: AIOKafkaConsumer, polled: dict[TopicPartition, list]) -> None:  # type: ignore[type-arg]
        owned = consumer.assignment()
        for tp, batch in polled.items():
            if tp in owned:  # a partition the rebalance took is read from its commit by its owner
                consumer.seek(tp, batch[0].offset)
