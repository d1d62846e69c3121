"""In-process adapters of the due schedule and the firings, with the Mongo adapters' contract
(``tests/store/test_due_contract.py`` runs against both). No await happens between a check and
its write, so an insert-once is atomic in asyncio, as a unique ``_id`` is on the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Generic

from relais_kit.due.ports import E, Firing


class MemoryDueSchedule(Generic[E]):
    def __init__(self) -> None:
        self._entries: dict[str, E] = {}

    async def add(self, entries: Sequence[E]) -> None:
        for entry in entries:
            self._entries.setdefault(entry.key, entry)

    async def due(self, now: dt.datetime, limit: int) -> list[E]:
        due = [e for e in self._entries.values() if e.due_at <= now]
        return sorted(due, key=lambda e: (e.due_at, e.key))[:limit]

    async def remove(self, key: str) -> None:
        self._entries.pop(key, None)

    def entries(self) -> list[E]:
        """Every entry, due or not, earliest first (for tests)."""
        return sorted(self._entries.values(), key=lambda e: (e.due_at, e.key))


class MemoryFirings:
    def __init__(self) -> None:
        self._firings: dict[str, Firing] = {}

    async def claim(self, firing: Firing) -> bool:
        if firing.key in self._firings:
            return False
        self._firings[firing.key] = firing
        return True

    async def get(self, key: str) -> Firing | None:
        return self._firings.get(key)

    async def complete(self, key: str, at: dt.datetime) -> None:
        if key in self._firings:
            self._firings[key] = replace(self._firings[key], completed_at=at)
