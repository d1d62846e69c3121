"""The timeline worker (Faust): re-key every context topic by case, then project each case.

    python -m relais_timeline.entrypoints.worker

Two agents in one app and one consumer group (DESIGN.md section 5), each running records through
the kit's ``EventRunner`` (decode, trace, dead-letter what can never be handled, retry in place
what a dependency outage breaks):
- ``rekey_records`` reads the context topics and forwards each decoded record unchanged to the
  internal by-case topic keyed by case id, with its origin in headers. It waits for the broker's
  ack, so Faust commits a source offset only once its record is safely re-keyed.
- ``project_cases`` reads the by-case topic. Each case lives on one partition, so exactly one
  worker of the group writes its timeline at a time; the timeline document makes redelivery a
  no-op (``TimelineIsTheClaim``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust
from aiokafka import AIOKafkaProducer
from relais_events.envelope import Envelope
from relais_kit.consumer import EventRunner, Handler
from relais_kit.producers import idempotent_producer
from relais_kit.topics import ensure_topics

from relais_timeline.adapters.timeline_claims import TimelineIsTheClaim
from relais_timeline.application.projection import TimelineProjection
from relais_timeline.bootstrap import projecting
from relais_timeline.config import BY_CASE_TOPIC, TimelineSettings
from relais_timeline.entrypoints.records import ContextRecord, origin_of, rekeyed_headers

log = logging.getLogger(__name__)
REKEY, PROJECT = "timeline-rekey", "timeline"


class DeadLetters:
    """The kit runner's dead-letter producer, started in Faust's loop on first use."""

    def __init__(self, bootstrap: str) -> None:
        # Built on first use: aiokafka binds a producer to the running loop, Faust's, which does
        # not exist yet when the worker is assembled.
        self._bootstrap = bootstrap
        self.producer: AIOKafkaProducer | None = None
        self._lock: asyncio.Lock | None = None

    async def ready(self) -> AIOKafkaProducer:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self.producer is None:
                producer = idempotent_producer(self._bootstrap)
                await producer.start()
                self.producer = producer
        return self.producer

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None


def build_worker(settings: TimelineSettings, projection: TimelineProjection) -> faust.App:
    topics = settings.topics()
    app = faust.App(
        settings.worker_group,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_partitions=topics.partitions,
        topic_replication_factor=topics.replication_factor,
        topic_allow_declare=False,  # every topic is provisioned by `provision`
        topic_disable_leader=True,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
    )
    raw: dict[str, Any] = {"key_type": bytes, "value_type": bytes, "value_serializer": "raw"}
    context = app.topic(*settings.context_topics, **raw)
    by_case = app.topic(settings.by_case_topic, partitions=topics.partitions, **raw)
    dead_letters = DeadLetters(settings.kafka_bootstrap)
    claims = TimelineIsTheClaim()

    async def run(name: str, handler: Handler, record: ContextRecord) -> None:
        producer = await dead_letters.ready()
        await EventRunner(name, handler, claims, producer, topics).handle(record.raw)

    @app.agent(context)
    async def rekey_records(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            record = ContextRecord.of(event.message, round(event.message.timestamp * 1000))

            async def forward(envelope: Envelope, record: ContextRecord = record) -> None:
                sent = await by_case.send(
                    key=envelope.subject.encode(),
                    value=record.raw.value,
                    headers=rekeyed_headers(record),
                )
                await sent  # the broker's ack, before Faust may commit the source offset

            await run(REKEY, forward, record)

    @app.agent(by_case)
    async def project_cases(stream: faust.StreamT[bytes]) -> None:
        async for event in stream.events():
            record = ContextRecord.of(event.message, round(event.message.timestamp * 1000))

            async def apply(envelope: Envelope, record: ContextRecord = record) -> None:
                logged_at, origin = origin_of(record.raw.headers)
                await projection.project(envelope, logged_at, origin)

            await run(PROJECT, apply, record)

    async def stop_dead_letters(sender: Any, *args: Any, **kwargs: Any) -> None:
        await dead_letters.stop()

    # mode's stubs spell the handler type so that no async def matches it; this one is called.
    app.on_before_shutdown.connect(stop_dead_letters)  # type: ignore[arg-type]

    return app


def provision(settings: TimelineSettings) -> None:
    """Create the context, dead-letter and by-case topics if missing (blocking)."""
    from relais_events.topics import ALL_TOPICS

    ensure_topics(settings.kafka_bootstrap, settings.topics(), [*ALL_TOPICS, BY_CASE_TOPIC])


def main() -> None:
    logging.basicConfig(level=logging.INFO)
    settings = TimelineSettings()
    provision(settings)
    resources = projecting(settings)
    app = build_worker(settings, resources.projection)

    async def start_resources() -> None:
        await resources.start()

    app.task(start_resources)  # run once in Faust's loop when the worker starts

    # The Mongo client is not closed on shutdown: Faust stops the agents after its last hook, and
    # an agent still projecting must not find the client closed; the process exit closes it.
    faust.Worker(app, loglevel="info").execute_from_commandline()


if __name__ == "__main__":
    main()
