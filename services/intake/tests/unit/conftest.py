"""Handlers against the memory adapters: a fixed clock, a real signer and key store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from relais_events.integrity import Signer
from relais_events.keyregistry import KeyRegistry, empty_registry, new_key_pair
from relais_events.pii import MemoryKeyStore
from relais_intake.adapters.memory import MemoryLinkSuggestions
from relais_intake.application.services import IntakeServices
from relais_kit.application import ManualClock, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.store import EventStore, StoredCommit
from relais_kit.store.memory import MemoryEventStore

from .factories import NOW


@dataclass
class World:
    store: MemoryEventStore
    keystore: MemoryKeyStore
    suggestions: MemoryLinkSuggestions
    signer: Signer
    registry: KeyRegistry
    clock: ManualClock
    services: IntakeServices

    def over(self, store: EventStore) -> IntakeServices:
        """The same services writing through another store (one that loses races)."""
        write_path = WritePath(store, self.keystore, self.signer, self.clock)
        return IntakeServices(write_path, AccessLog(write_path), self.suggestions, b"secret")

    async def commits(self) -> list[StoredCommit]:
        """Every commit, in ``_id`` order (nothing is published in unit tests)."""
        return await self.store.unpublished(10_000)


@pytest.fixture
def world() -> World:
    private, entry = new_key_pair("intake-test", valid_from=NOW - dt.timedelta(days=1))
    store, keystore = MemoryEventStore(), MemoryKeyStore()
    signer = Signer("intake", entry.key_id, private)
    clock = ManualClock(NOW)
    suggestions = MemoryLinkSuggestions()
    write_path = WritePath(store, keystore, signer, clock)
    return World(
        store,
        keystore,
        suggestions,
        signer,
        empty_registry().with_key("intake", entry),
        clock,
        IntakeServices(write_path, AccessLog(write_path), suggestions, b"secret"),
    )
