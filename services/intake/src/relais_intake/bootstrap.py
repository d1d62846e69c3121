"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O but reading (or, on a developer's machine, creating) key files: the Mongo
client connects lazily, and the api's lifespan opens ``Intake`` (indexes, Kafka producer, relay)
and closes it on the way out.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pymongo import AsyncMongoClient
from relais_events.integrity import Signer
from relais_events.keyregistry import private_key_from_base64
from relais_kit.http.idempotency_stores import MongoIdempotencyStore
from relais_kit.keystore_mongo import MongoKeyStore
from relais_kit.outbox import OutboxRelay, relay_for
from relais_kit.store.mongo import MongoEventStore
from relais_kit.tracing import current_traceparent

from relais_intake.adapters.dev_keys import dev_person_key_secret, dev_signing_key
from relais_intake.adapters.mongo_link_suggestions import MongoLinkSuggestions
from relais_intake.application.ports import Clock
from relais_intake.application.services import IntakeServices
from relais_intake.application.streams import CaseStreams
from relais_intake.config import IntakeSettings

log = logging.getLogger(__name__)


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Intake:
    settings: IntakeSettings
    client: AsyncMongoClient[dict[str, Any]]
    store: MongoEventStore
    relay: OutboxRelay
    services: IntakeServices
    idempotency: MongoIdempotencyStore

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Intake]:
        try:
            await self.store.ensure_indexes()
            await self.relay.start()
            try:
                yield self
            finally:
                await self.relay.stop()
        finally:
            await self.client.close()


def signer_from(settings: IntakeSettings) -> Signer:
    if settings.signing_key is not None:
        private = private_key_from_base64(settings.signing_key.get_secret_value())
    else:
        log.warning("no signing key configured: using the dev key in %s", settings.keys_dir)
        private = dev_signing_key(
            settings.keys_dir, settings.key_registry, settings.service_name, settings.signing_key_id
        )
    return Signer(settings.service_name, settings.signing_key_id, private)


def person_key_secret_from(settings: IntakeSettings) -> bytes:
    if settings.person_key_secret is not None:
        return base64.b64decode(settings.person_key_secret.get_secret_value(), validate=True)
    return dev_person_key_secret(settings.keys_dir, settings.service_name)


def bootstrap(settings: IntakeSettings | None = None, *, clock: Clock = system_clock) -> Intake:
    settings = settings or IntakeSettings()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri, tz_aware=True)
    database = client[settings.database]
    store = MongoEventStore(database)
    relay = relay_for(store, settings)
    streams = CaseStreams(
        store,
        MongoKeyStore(database),
        signer_from(settings),
        on_commit=relay.notify,
        traceparent=current_traceparent,
    )
    services = IntakeServices(
        streams=streams,
        suggestions=MongoLinkSuggestions(database),
        clock=clock,
        person_key_secret=person_key_secret_from(settings),
    )
    return Intake(settings, client, store, relay, services, MongoIdempotencyStore(database))
