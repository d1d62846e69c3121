"""The clerk's dashboard: one row per order, nearest open deadline first.

Rows are written by the handler that won the commit (store rule 2) after the commit, from the
state it just decided. A lost write (crash right after the commit) is repaired by the next commit
on that order or by ``refresh`` (the process manager calls it on every order it visits).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from relais_protection_orders.application.order_stream import LoadedOrder
from relais_protection_orders.application.ports import Dashboard, DashboardRow
from relais_protection_orders.domain.schedule import open_deadlines


def row_for(loaded: LoadedOrder, now: datetime) -> DashboardRow:
    state = loaded.state
    deadlines = sorted(open_deadlines(state), key=lambda d: d.due_at)
    nearest = deadlines[0] if deadlines else None
    return DashboardRow(
        order_id=loaded.aggregate_id,
        case_id=state.case_id,
        departement=loaded.jurisdiction or "",
        status=state.stage.value,
        version=loaded.version,
        next_deadline=nearest.kind if nearest else None,
        next_due_at=nearest.due_at if nearest else None,
        flags=tuple(sorted(f.value for f in state.flags)),
        ruling_overdue=state.ruling_overdue_flagged,
        updated_at=now,
    )


async def refresh(dashboard: Dashboard, loaded: LoadedOrder, now: datetime) -> None:
    if loaded.exists:
        await dashboard.save(row_for(loaded, now))


async def list_orders(
    dashboard: Dashboard,
    departements: Sequence[str],
    status: str | None = None,
    due_before: datetime | None = None,
    limit: int = 200,
) -> list[DashboardRow]:
    """The caller's départements only: there is no national listing (DOMAIN.md, Cases)."""
    if not departements:
        return []
    return await dashboard.query(departements, status, due_before, limit)
