"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O when called: the Mongo client connects lazily, and ``Service.running``
(used as the api's lifespan resource and by the worker) creates indexes, starts the kit's outbox
relay and closes everything on the way out.
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
from relais_kit.outbox import OutboxRelay, relay_for
from relais_kit.store.mongo import MongoEventStore

from relais_protection_orders.adapters.clock import SystemClock
from relais_protection_orders.adapters.mongo_dashboard import MongoDashboard
from relais_protection_orders.adapters.mongo_schedule import (
    MongoDeadlineFirings,
    MongoDeadlineSchedule,
)
from relais_protection_orders.application.deadline_manager import DeadlineManager
from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.ports import Clock
from relais_protection_orders.application.reads import AccessLog
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
    store: MongoEventStore
    relay: OutboxRelay
    handler: OrderHandler
    manager: DeadlineManager
    schedule: MongoDeadlineSchedule
    dashboard: MongoDashboard
    idempotency: MongoIdempotencyStore
    access_log: AccessLog  # every read's ``access.logged``, through the same store and relay

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Service]:
        try:
            await self.store.ensure_indexes()
            await self.schedule.ensure_indexes()
            await self.dashboard.ensure_indexes()
            await self.relay.start()
            try:
                yield self
            finally:
                await self.relay.stop()
        finally:
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
    store = MongoEventStore(database)
    relay = relay_for(store, settings)
    schedule = MongoDeadlineSchedule(database)
    dashboard = MongoDashboard(database)
    clock = clock or SystemClock()
    signer = signer_from(settings)
    handler = OrderHandler(
        store=store,
        schedule=schedule,
        dashboard=dashboard,
        clock=clock,
        signer=signer,
        policy=settings.deadline_policy(),
        max_attempts=settings.max_command_attempts,
        on_commit=relay.notify,
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
        settings,
        client,
        store,
        relay,
        handler,
        manager,
        schedule,
        dashboard,
        MongoIdempotencyStore(database),
        AccessLog(store, signer, clock, on_commit=relay.notify),
    )
