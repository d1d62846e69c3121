"""Plain aiokafka replay of the context topics from offset 0 up to their current end.

No consumer group and no re-keying: one process reads every partition, so it is the single
writer of every case. Used by the auditor's rebuild; it needs no Faust. Records are applied a
poll at a time (``project_all``: one read and one write per case of the batch, the timelines
kept in memory), so the replay waits on few round trips.

``timeout_s`` is a time WITHOUT progress, not a total: a long log takes as long as it takes,
and a stalled one fails. Progress is a record read or a batch written; every wait on the broker
or on the store is bounded by what is left of ``timeout_s`` since the last progress, so a
broker that stops sending and a store that stops answering both end in a ``ReplayStalled``
naming what was waited for, instead of a hang.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from relais_events.catalogue.timeline import PartitionOffset
from relais_events.codec import UndecodableRecord

from relais_timeline.application.projection import Arrival, TimelineProjection
from relais_timeline.entrypoints.records import ContextRecord, arrival_of

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReplayStalled(TimeoutError):  # noqa: N818 (a TimeoutError, named for what it means)
    """Nothing was read or written for ``timeout_s``."""


@dataclass(frozen=True)
class Replayed:
    up_to: list[PartitionOffset]  # the last offset read per partition (only non-empty ones)
    records: int
    undecodable: int  # what the live worker dead-lettered


class LogSource(Protocol):
    """The log the replay reads from its beginning (Kafka; a stalled fake in tests)."""

    async def open(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        """Position every partition of `topics` at its beginning; their end offsets (> 0)."""
        ...

    async def fetch(
        self, partitions: Sequence[TopicPartition], timeout_ms: int
    ) -> Mapping[TopicPartition, Sequence[Any]]:
        """The next records of `partitions` (ConsumerRecord-like), or none within `timeout_ms`."""
        ...

    async def position(self, partition: TopicPartition) -> int: ...

    async def close(self) -> None: ...


class KafkaLog:
    """The context topics of one cluster, read with no consumer group."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._consumer: AIOKafkaConsumer | None = None

    async def open(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        self._consumer = consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        # Without a subscription the consumer knows no topic: ask the cluster for all of them.
        cluster = await consumer._client.fetch_all_metadata()
        parts = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(cluster.partitions_for_topic(topic) or ())
        ]
        if not parts:
            raise LookupError(f"none of {list(topics)} exists on {self._bootstrap}")
        consumer.assign(parts)
        ends = {tp: o for tp, o in (await consumer.end_offsets(parts)).items() if o > 0}
        await consumer.seek_to_beginning(*parts)
        return ends

    async def fetch(
        self, partitions: Sequence[TopicPartition], timeout_ms: int
    ) -> Mapping[TopicPartition, Sequence[Any]]:
        assert self._consumer is not None, "open() the log first"
        batches: Mapping[TopicPartition, Sequence[Any]] = await self._consumer.getmany(
            *partitions, timeout_ms=timeout_ms, max_records=5000
        )
        return batches

    async def position(self, partition: TopicPartition) -> int:
        assert self._consumer is not None, "open() the log first"
        position: int = await self._consumer.position(partition)
        return position

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None


class _Watchdog:
    """How long is left of `timeout_s` since the last progress; every wait is bounded by it."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.last = time.monotonic()

    def progressed(self) -> None:
        self.last = time.monotonic()

    def left(self) -> float:
        return self.timeout_s - (time.monotonic() - self.last)

    async def bound(self, awaitable: Awaitable[T], waiting_for: str) -> T:
        try:
            return await asyncio.wait_for(awaitable, max(0.0, self.left()))
        except TimeoutError:
            raise ReplayStalled(
                f"replay made no progress for {self.timeout_s:.0f} s: {waiting_for}"
            ) from None


async def replay(
    bootstrap: str,
    topics: Sequence[str],
    projection: TimelineProjection,
    *,
    timeout_s: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
    source: LogSource | None = None,
    window: int = 20_000,
) -> Replayed:
    """``progress(records read, records in all)`` after each batch.

    Records are applied ``window`` at a time (a few fetches): the events of one case stand on
    several topics, and a case whose events all arrive in one window is inserted whole, where
    one split across windows is read back and replaced, which costs FerretDB about seven times
    as much (measured: 0.5 ms an insert, 3.4 ms a replace of a timeline). Memory holds at most
    one window of decoded events."""
    source = source or KafkaLog(bootstrap)
    watchdog = _Watchdog(timeout_s)
    try:
        ends = await watchdog.bound(source.open(topics), f"the broker at {bootstrap}")
        records = undecodable = 0
        total = sum(ends.values())
        if progress is not None:
            progress(0, total)
        remaining = dict(ends)
        arrivals: list[Arrival] = []
        while remaining:
            stalled = ", ".join(sorted(f"{tp.topic}/{tp.partition}" for tp in remaining))
            poll_ms = max(1, min(500, int(watchdog.left() * 1000)))
            batches = await watchdog.bound(
                source.fetch(list(remaining), poll_ms), f"records of {stalled}"
            )
            read_before, left_before = records, len(remaining)
            for tp, batch in batches.items():
                for message in batch:
                    if message.offset >= ends[tp]:
                        break
                    records += 1
                    try:
                        arrivals.append(arrival_of(ContextRecord.of(message, message.timestamp)))
                    except UndecodableRecord as error:
                        undecodable += 1
                        log.warning("skipping %s/%s: %s", tp, message.offset, error.reason)
                position = await watchdog.bound(source.position(tp), f"the position of {tp}")
                if position >= ends[tp]:
                    remaining.pop(tp, None)
            if records > read_before or len(remaining) < left_before:
                watchdog.progressed()
            elif watchdog.left() <= 0:
                raise ReplayStalled(
                    f"replay made no progress for {timeout_s:.0f} s: records of {stalled}"
                )
            if arrivals and (len(arrivals) >= window or not remaining):
                await watchdog.bound(
                    projection.project_all(arrivals),
                    f"the store, writing {len(arrivals)} records' timelines",
                )
                arrivals = []
                watchdog.progressed()
            if batches and progress is not None:
                progress(records, total)
    finally:
        await source.close()
    up_to = [
        PartitionOffset(topic=tp.topic, partition=tp.partition, offset=end - 1)
        for tp, end in sorted(ends.items())
    ]
    return Replayed(up_to=up_to, records=records, undecodable=undecodable)
