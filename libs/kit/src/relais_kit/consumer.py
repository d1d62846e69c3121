"""Running an event handler over Kafka records, from a Faust agent or a plain aiokafka consumer.

For each record: admit it through the kit's ``RecordGate`` (size, envelope, seal and signature
against the key registry, replayed ids: ``relais_kit.ingress``), skip an event this consumer
already applied, run the handler inside a consumer span (trace context from the headers), then
record it as applied. The claim is written AFTER the handler (see ``ProcessedEvents``): a crash in
between re-runs the handler, which must be idempotent, instead of losing its effect. A record
that can never be handled (refused by the gate, or a handler error that is not transient) goes to
the dead-letter topic with its reason and the original bytes (the first ones and their digest for
an oversized one), and the consumer moves on; a transient error (store or Kafka unavailable) is
retried in place, so the partition waits instead of skipping. Offsets are committed only after
the records are handled.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from opentelemetry.trace import SpanKind
from pymongo.errors import AutoReconnect, ConnectionFailure, ExecutionTimeout
from relais_events.envelope import Envelope
from relais_events.topics import DEADLETTER

from relais_kit.ingress import RecordGate, RegistryUnavailable
from relais_kit.store.ports import ProcessedEvents
from relais_kit.topics import TopicSettings
from relais_kit.tracing import extract, tracer

log = logging.getLogger(__name__)
# A letter carries the whole record up to this size; beyond, its first bytes and its digest (the
# record itself stays in its topic at the offset the letter names), so the letter always fits.
LETTER_VALUE_LIMIT: Final = 64 * 1024

Handler = Callable[[Envelope], Awaitable[None]]


class TransientError(Exception):
    """Raised by a handler for a failure that retrying can cure (a dependency is down)."""


TRANSIENT: tuple[type[BaseException], ...] = (
    TransientError,
    RegistryUnavailable,
    AutoReconnect,
    ConnectionFailure,
    ExecutionTimeout,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    asyncio.TimeoutError,
)


@dataclass(frozen=True)
class RawRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]] = ()
    timestamp_ms: int | None = None  # the log's timestamp of the record, when read from Kafka


class Outcome(StrEnum):
    HANDLED = "handled"
    DUPLICATE = "duplicate"
    DEAD_LETTERED = "dead_lettered"


class DeadLetters:
    """Where a record no consumer can use goes, with its original bytes and the reason."""

    def __init__(self, consumer: str, producer: AIOKafkaProducer, topics: TopicSettings) -> None:
        self._consumer, self._producer, self._topics = consumer, producer, topics

    async def send(self, record: RawRecord, reason: str, error: str) -> None:
        # Not claimed as processed: a fixed consumer can be re-driven from the dead letters.
        kept = record.value[:LETTER_VALUE_LIMIT]
        letter = {
            "consumer": self._consumer,
            "reason": reason,
            "error": error,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "key": base64.b64encode(record.key).decode() if record.key is not None else None,
            "value": base64.b64encode(kept).decode(),
            "value_bytes": len(record.value),
            "value_sha256": hashlib.sha256(record.value).hexdigest(),
            "value_truncated": len(kept) < len(record.value),
            "headers": [[k, base64.b64encode(v).decode()] for k, v in record.headers],
            "time": dt.datetime.now(dt.UTC).isoformat(),
        }
        await self._producer.send_and_wait(
            self._topics.name(DEADLETTER),
            key=record.key,
            value=orjson.dumps(letter),
            headers=[("relais_reason", reason.encode())],
        )


class EventRunner:
    """Handles records one at a time for the consumer named ``name`` (its claims' prefix)."""

    def __init__(
        self,
        name: str,
        handler: Handler,
        processed: ProcessedEvents,
        dead_letters: AIOKafkaProducer,
        topics: TopicSettings,
        *,
        gate: RecordGate,
        retry_backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.name = name
        self._handler = handler
        self._gate = gate
        self._processed = processed
        self._letters = DeadLetters(name, dead_letters, topics)
        self._backoff = (retry_backoff_s, max_backoff_s)

    async def handle(self, record: RawRecord) -> Outcome:
        delay = self._backoff[0]
        while True:
            try:
                return await self._handle_once(record)
            except TRANSIENT as error:
                log.warning("%s: transient %r at %s; retrying", self.name, error, where(record))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff[1])

    async def _handle_once(self, record: RawRecord) -> Outcome:
        admitted, refused = await self._gate.admit(self.name, [record])
        if refused:
            await self._dead_letter(record, refused[0].reason, refused[0].detail)
            return Outcome.DEAD_LETTERED
        envelope = admitted[0].envelope
        if await self._processed.is_claimed(self.name, envelope.id):
            return Outcome.DUPLICATE
        with tracer.start_as_current_span(
            f"{self.name} {envelope.type}",
            context=extract(record.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.destination.name": record.topic,
                "cloudevents.event_id": envelope.id,
            },
        ):
            try:
                await self._handler(envelope)
            except TRANSIENT:
                raise
            except Exception as error:
                log.exception("%s: handler failed at %s", self.name, where(record))
                await self._dead_letter(record, "handler_error", repr(error)[:1000])
                return Outcome.DEAD_LETTERED
        await self._processed.try_claim(self.name, envelope.id)
        return Outcome.HANDLED

    async def _dead_letter(self, record: RawRecord, reason: str, error: str) -> None:
        await self._letters.send(record, reason, error)


def where(record: RawRecord) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"


async def consume_forever(
    consumer: AIOKafkaConsumer,
    runner: EventRunner,
    batch_timeout_ms: int = 500,
    on_outcome: Callable[[RawRecord, Outcome], None] | None = None,
) -> None:
    """Plain aiokafka loop (``enable_auto_commit=False``): commit a partition after its batch."""
    while True:
        batches = await consumer.getmany(timeout_ms=batch_timeout_ms)
        for partition, records in batches.items():
            for message in records:
                record = RawRecord(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    key=message.key,
                    value=message.value,
                    headers=list(message.headers or ()),
                    timestamp_ms=message.timestamp,  # a revoked key is judged by it too
                )
                outcome = await runner.handle(record)
                if on_outcome is not None:
                    on_outcome(record, outcome)
            await consumer.commit({partition: records[-1].offset + 1})


__all__ = [
    "TRANSIENT",
    "DeadLetters",
    "EventRunner",
    "Handler",
    "Outcome",
    "RawRecord",
    "TransientError",
    "consume_forever",
]
