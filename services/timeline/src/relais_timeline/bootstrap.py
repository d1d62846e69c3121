"""Composition root: the only place that builds adapters and wires them into the use cases."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.integrity import Signer
from relais_kit.http.idempotency_stores import MongoIdempotencyStore
from relais_kit.outbox import OutboxRelay, relay_for
from relais_kit.store.mongo import MongoEventStore

from relais_timeline.adapters.kit_outbox import KitEventOutbox
from relais_timeline.adapters.mongo_meetings import MongoMeetingStore
from relais_timeline.adapters.mongo_timelines import MongoCommitteeCaseList, MongoTimelineStore
from relais_timeline.application.access_log import AccessLog
from relais_timeline.application.committees import Committees
from relais_timeline.application.ports import Clock
from relais_timeline.application.projection import TimelineProjection
from relais_timeline.application.reads import TimelineReads
from relais_timeline.config import TimelineSettings

log = logging.getLogger(__name__)


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Projecting:
    """What the worker and the rebuild need: the projection over one database."""

    client: AsyncMongoClient[dict[str, Any]]
    timelines: MongoTimelineStore
    committee_cases: MongoCommitteeCaseList
    projection: TimelineProjection

    async def start(self) -> None:
        await self.committee_cases.ensure_indexes()

    async def stop(self) -> None:
        await self.client.close()


@dataclass
class Serving:
    """What the api needs: reads, committees, the outbox; a lifespan resource of the app."""

    settings: TimelineSettings
    client: AsyncMongoClient[dict[str, Any]]
    committee_cases: MongoCommitteeCaseList
    events: MongoEventStore
    relay: OutboxRelay
    reads: TimelineReads
    committees: Committees
    idempotency: MongoIdempotencyStore

    async def start(self) -> None:
        await self.committee_cases.ensure_indexes()
        await self.events.ensure_indexes()
        await self.relay.start()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.client.close()


def _database(settings: TimelineSettings, name: str | None) -> AsyncDatabase[dict[str, Any]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    return client[name or settings.database]


def projecting(settings: TimelineSettings, database: str | None = None) -> Projecting:
    """``database`` overrides the settings' one (the auditor's rebuild uses an empty one)."""
    db = _database(settings, database)
    timelines, cases = MongoTimelineStore(db), MongoCommitteeCaseList(db)
    return Projecting(db.client, timelines, cases, TimelineProjection(timelines, cases))


def serving(settings: TimelineSettings, clock: Clock = system_clock) -> Serving:
    db = _database(settings, None)
    timelines, cases = MongoTimelineStore(db), MongoCommitteeCaseList(db)
    events = MongoEventStore(db)
    relay = relay_for(events, settings)
    outbox = KitEventOutbox(events, relay, _signer(settings))
    access_log = AccessLog(outbox)
    reads = TimelineReads(
        timelines,
        access_log,
        clock,
        wait_s=settings.min_event_wait_s,
        poll_s=settings.min_event_poll_s,
    )
    committees = Committees(timelines, cases, MongoMeetingStore(db), outbox, access_log, clock)
    return Serving(
        settings=settings,
        client=db.client,
        committee_cases=cases,
        events=events,
        relay=relay,
        reads=reads,
        committees=committees,
        idempotency=MongoIdempotencyStore(db),
    )


def _signer(settings: TimelineSettings) -> Signer | None:
    if settings.signing_key is None:
        log.warning("no RELAIS_TIMELINE_SIGNING_KEY: the timeline's events go out unsealed")
        return None
    raw = base64.b64decode(settings.signing_key.get_secret_value(), validate=True)
    key = Ed25519PrivateKey.from_private_bytes(raw)
    return Signer(service="timeline", key_id=settings.signing_key_id, private_key=key)
