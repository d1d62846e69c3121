"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O when called: the Mongo client connects lazily, and ``Service.running``
(used as the api's lifespan resource and by the worker) creates indexes, starts the outbox relay
and closes everything on the way out.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo import AsyncMongoClient
from relais_events.integrity import Signer
from relais_kit.http.idempotency_stores import MongoIdempotencyStore

from relais_protection_orders.adapters.clock import SystemClock
from relais_protection_orders.adapters.kafka_outbox import KafkaOutbox
from relais_protection_orders.adapters.mongo_dashboard import MongoDashboard
from relais_protection_orders.adapters.mongo_events import MongoEventStore
from relais_protection_orders.adapters.mongo_schedule import (
    MongoDeadlineFirings,
    MongoDeadlineSchedule,
)
from relais_protection_orders.application.deadline_manager import DeadlineManager
from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.ports import Clock
from relais_protection_orders.config import ProtectionOrdersSettings

log = logging.getLogger(__name__)


def signer_from(settings: ProtectionOrdersSettings) -> Signer:
    seed = settings.signing_key_seed.get_secret_value()
    if not seed:
        log.warning("no signing key configured: a throwaway key signs this process's events")
        return Signer(settings.service_name, settings.signing_key_id, Ed25519PrivateKey.generate())
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed, validate=True))
    return Signer(settings.service_name, settings.signing_key_id, key)


@dataclass
class Service:
    settings: ProtectionOrdersSettings
    client: AsyncMongoClient[dict[str, Any]]
    handler: OrderHandler
    manager: DeadlineManager
    dashboard: MongoDashboard
    outbox: KafkaOutbox
    idempotency: MongoIdempotencyStore

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Service]:
        store = self.handler.store
        assert isinstance(store, MongoEventStore)
        schedule = self.manager.schedule
        assert isinstance(schedule, MongoDeadlineSchedule)
        for indexed in (store, schedule, self.dashboard):
            await indexed.ensure_indexes()
        await self.outbox.start()
        try:
            yield self
        finally:
            await self.outbox.stop()
            await self.client.close()


def bootstrap(
    settings: ProtectionOrdersSettings | None = None,
    *,
    clock: Clock | None = None,
    worker_name: str | None = None,
) -> Service:
    settings = settings or ProtectionOrdersSettings()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    database = client[settings.database]
    outbox = KafkaOutbox(
        database,
        settings.kafka_bootstrap,
        topic_namespace=settings.topics_namespace,
        sweep_interval_s=settings.outbox_sweep_interval_s,
    )
    schedule = MongoDeadlineSchedule(database)
    dashboard = MongoDashboard(database)
    handler = OrderHandler(
        store=MongoEventStore(database, on_commit=outbox.notify),
        schedule=schedule,
        dashboard=dashboard,
        clock=clock or SystemClock(),
        signer=signer_from(settings),
        policy=settings.deadline_policy(),
        max_attempts=settings.max_command_attempts,
    )
    manager = DeadlineManager(
        handler,
        schedule,
        MongoDeadlineFirings(database),
        owner=worker_name or settings.worker_name,
        lease=timedelta(seconds=settings.deadline_lease_s),
        batch=settings.deadline_batch,
    )
    return Service(
        settings, client, handler, manager, dashboard, outbox, MongoIdempotencyStore(database)
    )
