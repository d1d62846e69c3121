"""Plain aiokafka replay of the context topics from offset 0 up to their current end.

No consumer group and no re-keying: one process reads every partition, so it is the single
writer of every case. Used by the auditor's rebuild; it needs no Faust. Records are applied a
poll at a time (``project_all``: one read and one write per case of the batch, the timelines
kept in memory), so the replay waits on few round trips. ``timeout_s`` is a time WITHOUT
progress, not a total: a long log takes as long as it takes, a stalled one fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from relais_events.catalogue.timeline import PartitionOffset
from relais_events.codec import UndecodableRecord

from relais_timeline.application.projection import TimelineProjection
from relais_timeline.entrypoints.records import ContextRecord, arrival_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Replayed:
    up_to: list[PartitionOffset]  # the last offset read per partition (only non-empty ones)
    records: int
    undecodable: int  # what the live worker dead-lettered


async def replay(
    bootstrap: str,
    topics: Sequence[str],
    projection: TimelineProjection,
    *,
    timeout_s: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> Replayed:
    """``progress(records read, records in all)`` after each batch."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    try:
        # Without a subscription the consumer knows no topic: ask the cluster for all of them.
        cluster = await consumer._client.fetch_all_metadata()
        parts = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(cluster.partitions_for_topic(topic) or ())
        ]
        if not parts:
            raise LookupError(f"none of {list(topics)} exists on {bootstrap}")
        consumer.assign(parts)
        ends = {tp: o for tp, o in (await consumer.end_offsets(parts)).items() if o > 0}
        await consumer.seek_to_beginning(*parts)
        records = undecodable = 0
        total = sum(ends.values())
        deadline = time.monotonic() + timeout_s
        remaining = dict(ends)
        while remaining:
            if time.monotonic() > deadline:
                stalled = sorted(map(str, remaining))
                raise TimeoutError(f"replay made no progress for {timeout_s:.0f} s on {stalled}")
            batches = await consumer.getmany(*remaining, timeout_ms=500, max_records=5000)
            arrivals = []
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
                if await consumer.position(tp) >= ends[tp]:
                    remaining.pop(tp, None)
            if arrivals:
                await projection.project_all(arrivals)
            if batches:
                deadline = time.monotonic() + timeout_s
                if progress is not None:
                    progress(records, total)
    finally:
        await consumer.stop()
    up_to = [
        PartitionOffset(topic=tp.topic, partition=tp.partition, offset=end - 1)
        for tp, end in sorted(ends.items())
    ]
    return Replayed(up_to=up_to, records=records, undecodable=undecodable)
