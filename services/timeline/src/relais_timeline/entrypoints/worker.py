"""The timeline worker: re-key every context topic by case, then project each case.

    python -m relais_timeline.entrypoints.worker

Two members of two consumer groups in one process (DESIGN.md section 5), each taking records a
poll at a time and committing its offsets only after the batch is durable (the kit's
``GroupConsumer``):
- re-keying reads the context topics and forwards each record's bytes, unchanged and undecoded,
  to the internal by-case topic keyed by its case id (the context record's key: the relay keys
  every record by its envelope's subject), with its origin in headers; it waits for the broker's
  acks of the whole batch before committing the source offsets.
- projecting reads the by-case topic. Each case lives on one partition, so exactly one worker
  of the group writes its timeline at a time. A batch is decoded once, record by record (the
  kit's ``BatchRunner``: poison goes to the dead letters under its place in the context topic),
  applied with one read and one write per case touched, and announced on the applied topic,
  which the apis follow for ``?min_event=``. The worker keeps the timelines of the partitions it
  owns in memory, forgotten at every rebalance.
Why not Faust, which the first version used: with batches (``take_events``) its offsets were not
committed for the last batches before a clean stop, so a restart in the same group dead-lettered
poison twice; here what is committed is exactly what was written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
from aiokafka import AIOKafkaProducer
from relais_events.codec import UndecodableRecord
from relais_kit.batch_consumer import BatchRunner, Decoded
from relais_kit.consumer import DeadLetters, RawRecord
from relais_kit.group_consumer import GroupConsumer
from relais_kit.ingress import RecordGate
from relais_kit.producers import idempotent_producer
from relais_kit.runtime import run_until_signalled
from relais_kit.topics import ensure_topics

from relais_timeline.application.projection import Arrival, TimelineProjection
from relais_timeline.bootstrap import projecting
from relais_timeline.config import APPLIED_TOPIC, BY_CASE_TOPIC, TimelineSettings
from relais_timeline.entrypoints.records import (
    ContextRecord,
    Rekeyed,
    from_by_case,
    rekeyed_headers,
)

log = logging.getLogger(__name__)
REKEY, PROJECT = "timeline-rekey", "timeline"


@dataclass
class TimelineWorker:
    settings: TimelineSettings
    projection: TimelineProjection
    gate: RecordGate
    _producer: AIOKafkaProducer | None = None
    _members: list[GroupConsumer] = field(default_factory=list)

    async def start(self) -> None:
        s = self.settings
        self._producer = idempotent_producer(s.kafka_bootstrap, linger_ms=5)
        await self._producer.start()
        common = {"bootstrap": s.kafka_bootstrap, "max_records": s.worker_batch,
                  "wait_ms": round(s.worker_batch_wait_s * 1000)}  # fmt: skip
        self._members = [
            GroupConsumer(REKEY, s.context_topics, group=s.rekey_group,
                          handle=self._rekey, **common),  # type: ignore[arg-type]
            GroupConsumer(PROJECT, [s.by_case_topic], group=s.worker_group, handle=self._project,
                          on_revoked=self.projection.forget, **common),  # type: ignore[arg-type]
        ]  # fmt: skip
        for member in self._members:
            await member.start()

    async def stop(self) -> None:
        for member in reversed(self._members):
            await member.stop()
        self._members = []
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    def _letters(self, consumer: str) -> DeadLetters:
        assert self._producer is not None, "start() the worker first"
        return DeadLetters(consumer, self._producer, self.settings.topics())

    async def _rekey(self, records: Sequence[RawRecord]) -> None:
        """Forward a batch to the by-case topic, and wait for the broker's acks of all of it."""
        assert self._producer is not None
        sent = []
        for raw in records:
            if not raw.key:
                await self._letters(REKEY).send(raw, "no_key", "a context record without its case")
                continue
            record = ContextRecord(raw, raw.timestamp_ms or 0)
            sent.append(
                await self._producer.send(
                    self.settings.by_case_topic,
                    key=raw.key,
                    value=raw.value,
                    headers=rekeyed_headers(record),
                )
            )
        await asyncio.gather(*sent)

    async def _project(self, records: Sequence[RawRecord]) -> None:
        assert self._producer is not None
        places: dict[tuple[str, int, int], Rekeyed] = {}
        for raw in records:
            try:
                rekeyed = from_by_case(ContextRecord(raw, raw.timestamp_ms or 0))
            except UndecodableRecord as error:
                await self._letters(PROJECT).send(raw, error.reason, str(error))
                continue
            places[place(rekeyed.raw)] = rekeyed

        async def apply(items: Sequence[Decoded]) -> None:
            arrivals = []
            for item in items:
                where = places[place(item.record)]
                arrivals.append(Arrival(item.envelope, where.logged_at, where.origin))
            placed = await self.projection.project_all(arrivals)
            if placed and self._producer is not None:
                # A notice, not a record: losing one only makes a reader wait its full wait.
                notice = orjson.dumps({"placed": placed})
                await self._producer.send(self.settings.applied_topic, value=notice)

        runner = BatchRunner(PROJECT, apply, self._producer, self.settings.topics(), gate=self.gate)
        # Decoded once, dead-lettered (if poison) under its place in the context topic.
        await runner.handle([r.raw for r in places.values()])


def place(record: RawRecord) -> tuple[str, int, int]:
    return (record.topic, record.partition, record.offset)


def build_worker(
    settings: TimelineSettings, projection: TimelineProjection, gate: RecordGate
) -> TimelineWorker:
    return TimelineWorker(settings, projection, gate)


def provision(settings: TimelineSettings) -> None:
    """Create the context, dead-letter, by-case and applied topics if missing (blocking)."""
    from relais_events.topics import ALL_TOPICS

    ensure_topics(settings.kafka_bootstrap, settings.topics(), [*ALL_TOPICS, BY_CASE_TOPIC])
    # A notice is useful for seconds: an hour of them is plenty, and one partition enough.
    notices = settings.topics().model_copy(update={"partitions": 1})
    ensure_topics(settings.kafka_bootstrap, notices, [APPLIED_TOPIC], retention_ms=3_600_000)


async def run(settings: TimelineSettings, stop: asyncio.Event) -> None:
    resources = projecting(settings)
    await resources.start()
    worker = build_worker(settings, resources.projection, resources.gate)
    await worker.start()
    log.info("timeline worker running (group %s)", settings.worker_group)
    try:
        await stop.wait()
    finally:
        await worker.stop()
        await resources.stop()


def main() -> None:
    settings = TimelineSettings()
    provision(settings)
    run_until_signalled(lambda stop: run(settings, stop))


if __name__ == "__main__":
    main()
