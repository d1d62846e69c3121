"""In-memory adapters of the deadline and dashboard ports, with the same contracts as the Mongo
ones (the contract suites in ``tests/integration`` run against both). The in-memory event store
is the kit's (``relais_kit.store.memory.MemoryEventStore``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from relais_protection_orders.application.ports import (
    DashboardRow,
    Firing,
    ScheduledDeadline,
)


class MemoryDeadlineSchedule:
    def __init__(self) -> None:
        self._entries: dict[str, ScheduledDeadline] = {}

    async def add(self, entries: Sequence[ScheduledDeadline]) -> None:
        for entry in entries:
            self._entries.setdefault(entry.key, entry)

    async def due(self, now: datetime, limit: int) -> list[ScheduledDeadline]:
        due = [e for e in self._entries.values() if e.due_at <= now]
        return sorted(due, key=lambda e: (e.due_at, e.key))[:limit]

    async def remove(self, key: str) -> None:
        self._entries.pop(key, None)

    def entries(self) -> list[ScheduledDeadline]:
        return sorted(self._entries.values(), key=lambda e: (e.due_at, e.key))


class MemoryDeadlineFirings:
    def __init__(self) -> None:
        self._firings: dict[str, Firing] = {}

    async def claim(self, firing: Firing) -> bool:
        if firing.key in self._firings:
            return False
        self._firings[firing.key] = firing
        return True

    async def get(self, key: str) -> Firing | None:
        return self._firings.get(key)

    async def complete(self, key: str, at: datetime) -> None:
        if key in self._firings:
            self._firings[key] = replace(self._firings[key], completed_at=at)


class MemoryDashboard:
    def __init__(self) -> None:
        self._rows: dict[str, DashboardRow] = {}

    async def save(self, row: DashboardRow) -> None:
        stored = self._rows.get(row.order_id)
        if stored is None or stored.version <= row.version:
            self._rows[row.order_id] = row

    async def get(self, order_id: str) -> DashboardRow | None:
        return self._rows.get(order_id)

    async def query(
        self,
        departements: Sequence[str],
        status: str | None,
        due_before: datetime | None,
        limit: int,
    ) -> list[DashboardRow]:
        rows = [
            r
            for r in self._rows.values()
            if r.departement in departements
            and (status is None or r.status == status)
            and (due_before is None or (r.next_due_at is not None and r.next_due_at < due_before))
        ]
        return sorted(rows, key=nearest_first)[:limit]


def nearest_first(row: DashboardRow) -> tuple[bool, datetime, str]:
    """Open deadlines first, earliest first; rows without one last, by id for a stable order."""
    return (row.next_due_at is None, row.next_due_at or row.updated_at, row.order_id)
