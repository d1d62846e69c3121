"""Plain aiokafka replay of the context topics from offset 0 up to their current end.

No consumer group and no re-keying: one process reads every partition, so it is the single
writer of every case. Used by the auditor's rebuild; it needs no Faust.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from relais_events.catalogue.timeline import PartitionOffset
from relais_events.codec import UndecodableRecord

from relais_timeline.application.projection import TimelineProjection
from relais_timeline.entrypoints.records import ContextRecord, project_context_record

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
    timeout_s: float = 300.0,
) -> Replayed:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
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
        deadline = time.monotonic() + timeout_s
        remaining = dict(ends)
        while remaining:
            if time.monotonic() > deadline:
                raise TimeoutError(f"replay did not reach the end of {sorted(map(str, remaining))}")
            batches = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, batch in batches.items():
                for message in batch:
                    if message.offset >= ends[tp]:
                        break
                    records += 1
                    try:
                        await project_context_record(
                            projection, ContextRecord.of(message, message.timestamp)
                        )
                    except UndecodableRecord as error:
                        undecodable += 1
                        log.warning("skipping %s/%s: %s", tp, message.offset, error.reason)
                if await consumer.position(tp) >= ends[tp]:
                    remaining.pop(tp, None)
    finally:
        await consumer.stop()
    up_to = [
        PartitionOffset(topic=tp.topic, partition=tp.partition, offset=end - 1)
        for tp, end in sorted(ends.items())
    ]
    return Replayed(up_to=up_to, records=records, undecodable=undecodable)
