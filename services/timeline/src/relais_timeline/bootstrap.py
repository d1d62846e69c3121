"""Composition root: the only place that builds adapters and wires them into the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient
from relais_kit.application import Clock
from relais_kit.ingress import RecordGate, record_gate
from relais_kit.runtime import Runtime, mongo_client

from relais_timeline.adapters.applied_events import AppliedRegistry
from relais_timeline.adapters.kafka_applied import KafkaAppliedFeed
from relais_timeline.adapters.mongo_meetings import MongoMeetingStore
from relais_timeline.adapters.mongo_timelines import MongoCommitteeCaseList, MongoTimelineStore
from relais_timeline.adapters.signatures import sodium_check
from relais_timeline.application.committees import Committees
from relais_timeline.application.projection import TimelineProjection
from relais_timeline.application.reads import TimelineReads
from relais_timeline.config import TimelineSettings


@dataclass
class Projecting:
    """What the worker and the rebuild need: the projection over one database."""

    client: AsyncMongoClient[dict[str, Any]]
    timelines: MongoTimelineStore
    committee_cases: MongoCommitteeCaseList
    projection: TimelineProjection
    # What the worker admits (signatures, size, replayed ids), fingerprints in this database.
    gate: RecordGate

    async def start(self) -> None:
        await self.committee_cases.ensure_indexes()

    async def stop(self) -> None:
        await self.client.close()


@dataclass
class Serving:
    """What the api needs: reads and committees over the kit's runtime (a lifespan resource)."""

    settings: TimelineSettings
    runtime: Runtime
    committee_cases: MongoCommitteeCaseList
    reads: TimelineReads
    committees: Committees
    applied: KafkaAppliedFeed

    async def start(self) -> None:
        await self.runtime.start()
        await self.applied.start()

    async def stop(self) -> None:
        await self.applied.stop()
        await self.runtime.stop()


def projecting(settings: TimelineSettings, database: str | None = None) -> Projecting:
    """``database`` overrides the settings' one (the auditor's rebuild uses an empty one)."""
    client = mongo_client(settings)
    db = client[database or settings.database]
    timelines, cases = MongoTimelineStore(db), MongoCommitteeCaseList(db)
    projection = TimelineProjection(timelines, cases, cache_size=settings.worker_cache_size)
    return Projecting(client, timelines, cases, projection, record_gate(settings, db, sodium_check))


def serving(settings: TimelineSettings, clock: Clock | None = None) -> Serving:
    runtime = Runtime.build(settings, clock=clock)
    db = runtime.database
    timelines, cases = MongoTimelineStore(db), MongoCommitteeCaseList(db)
    runtime.on_start(cases.ensure_indexes)
    registry = AppliedRegistry()
    reads = TimelineReads(timelines, runtime.access_log, registry, wait_s=settings.min_event_wait_s)
    committees = Committees(
        timelines, cases, MongoMeetingStore(db), runtime.write_path, runtime.access_log
    )
    feed = KafkaAppliedFeed(settings.kafka_bootstrap, settings.applied_topic, registry)
    return Serving(settings, runtime, cases, reads, committees, feed)
