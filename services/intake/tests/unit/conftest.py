"""Handlers against the memory adapters: a fixed clock, a real signer and key store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from relais_events.integrity import Signer
from relais_events.keyregistry import KeyRegistry, empty_registry, new_key_pair
from relais_events.pii import MemoryKeyStore
from relais_intake.adapters.memory import MemoryLinkSuggestions
from relais_intake.application.streams import CaseStreams
from relais_kit.store import StoredCommit
from relais_kit.store.memory import MemoryEventStore

from .factories import NOW


@dataclass
class World:
    store: MemoryEventStore
    keystore: MemoryKeyStore
    suggestions: MemoryLinkSuggestions
    streams: CaseStreams
    registry: KeyRegistry

    def clock(self) -> dt.datetime:
        return NOW

    async def commits(self) -> list[StoredCommit]:
        """Every commit, in ``_id`` order (nothing is published in unit tests)."""
        return await self.store.unpublished(10_000)


@pytest.fixture
def world() -> World:
    private, entry = new_key_pair("intake-test", valid_from=NOW - dt.timedelta(days=1))
    store, keystore = MemoryEventStore(), MemoryKeyStore()
    signer = Signer("intake", entry.key_id, private)
    return World(
        store,
        keystore,
        MemoryLinkSuggestions(),
        CaseStreams(store, keystore, signer),
        empty_registry().with_key("intake", entry),
    )
