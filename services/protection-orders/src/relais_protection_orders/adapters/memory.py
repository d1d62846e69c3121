"""The in-memory adapter of the dashboard port, with the same contract as the Mongo one (the
contract suite in ``tests/integration`` runs against both). The in-memory event store, deadline
schedule and firings are the kit's (``relais_kit.store.memory``, ``relais_kit.due.memory``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from relais_protection_orders.application.ports import DashboardRow


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
