"""Reading the context topics for the auditor's commands: kafka-python, from each partition's
beginning up to the end it had when the command started, with no consumer group (nothing is
committed, no other reader is disturbed). Records arrive in offset order per partition."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

# Large fetches: the auditor reads whole partitions, so fewer, bigger round trips pay.
_FETCH: dict[str, Any] = {
    "fetch_max_bytes": 64 * 1024 * 1024,
    "max_partition_fetch_bytes": 8 * 1024 * 1024,
    "max_poll_records": 5_000,
}


@dataclass(frozen=True)
class Span:
    """One partition's records to read: offsets [start, end)."""

    topic: str
    partition: int
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.end - self.start


def consumer(bootstrap: str) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        client_id="relais-audit",
        **_FETCH,
    )


def spans(bootstrap: str, topics: Sequence[str]) -> list[Span]:
    """Every partition of ``topics`` that exists, with its current beginning and end."""
    client = consumer(bootstrap)
    try:
        parts = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(client.partitions_for_topic(topic))
        ]
        if not parts:
            return []
        starts = client.beginning_offsets(parts)
        ends = client.end_offsets(parts)
        return [Span(tp.topic, tp.partition, starts[tp], ends[tp]) for tp in parts]
    finally:
        client.close()


Batch = tuple[Span, list[Any]]  # kafka-python ConsumerRecords of one partition, in offset order


def read(bootstrap: str, wanted: Sequence[Span], *, stall_s: float = 60.0) -> Iterator[Batch]:
    """The records of ``wanted``, batch by batch. TimeoutError when nothing arrives for
    ``stall_s`` while records are still expected (the broker stopped answering)."""
    remaining = {TopicPartition(s.topic, s.partition): s for s in wanted if s.size > 0}
    if not remaining:
        return
    client = consumer(bootstrap)
    try:
        client.assign(list(remaining))
        for tp, span in remaining.items():
            client.seek(tp, span.start)
        last_progress = time.monotonic()
        while remaining:
            polled = client.poll(timeout_ms=500)
            for tp, records in polled.items():
                wanted_span = remaining.get(tp)
                if wanted_span is None:
                    continue
                kept = [r for r in records if r.offset < wanted_span.end]
                if kept:
                    last_progress = time.monotonic()
                    yield wanted_span, kept
                if len(kept) < len(records) or client.position(tp) >= wanted_span.end:
                    client.pause(tp)
                    del remaining[tp]
            if remaining and time.monotonic() - last_progress > stall_s:
                late = ", ".join(f"{s.topic}/{s.partition}" for s in remaining.values())
                raise TimeoutError(f"no record arrived for {stall_s:.0f} s from {late}")
    finally:
        client.close()


def read_all(
    bootstrap: str, topics: Sequence[str], keep: Callable[[Any], bool] = lambda _: True
) -> Iterator[tuple[Span, Any]]:
    """Every record of ``topics`` (up to their ends now) that ``keep`` accepts."""
    for span, records in read(bootstrap, spans(bootstrap, topics)):
        for record in records:
            if keep(record):
                yield span, record
