"""Reads of protection-order data, each one logged through the kit's access log first.

Who, role, organisation, what (``resource``: ``protection_order``), when and why (a purpose the
caller states): DESIGN.md section 6 and the CNIL's guidance on access logs, the same entry as
every service writes. No log, no data: when the entry cannot be written the read fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from relais_events.catalogue.timeline import AccessPurpose
from relais_events.vocabulary import AccessedResource
from relais_kit.application import Acting
from relais_kit.application.access_log import AccessLog, Shown

from relais_protection_orders.application.dashboard import list_orders
from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.order_stream import LoadedOrder, OrderNotFound
from relais_protection_orders.application.ports import Dashboard, DashboardRow

RESOURCE: Final[AccessedResource] = "protection_order"


async def read_order(
    order_id: str,
    reader: Acting,
    purpose: AccessPurpose,
    *,
    handler: OrderHandler,
    access_log: AccessLog,
) -> LoadedOrder:
    """One order, after its access is logged. Missing, or outside the reader's départements (it
    does not exist for them): ``OrderNotFound``, and nothing is logged, as nothing was shown."""
    loaded = await handler.load(order_id)
    if not loaded.exists or not reader.acts_for(loaded.jurisdiction):
        raise OrderNotFound(order_id)
    shown = Shown(loaded.state.case_id, loaded.jurisdiction, loaded.last_event_id)
    await access_log.record(reader, RESOURCE, purpose, [shown])
    return loaded


async def read_dashboard(  # noqa: PLR0917  (the dashboard's query, as the route takes it)
    reader: Acting,
    purpose: AccessPurpose,
    departements: Sequence[str],
    status: str | None,
    due_before: datetime | None,
    limit: int,
    *,
    dashboard: Dashboard,
    access_log: AccessLog,
) -> list[DashboardRow]:
    """The dashboard's rows, after ONE ``access.logged`` naming every case the page shows (two
    orders of one case are one access to that case's protection orders). Rows carry no event
    id, so the entry depends on nothing. An empty listing showed no case: it logs nothing."""
    rows = await list_orders(dashboard, departements, status, due_before, limit)
    if rows:
        shown = [Shown(row.case_id, row.departement or None) for row in rows]
        await access_log.record(reader, RESOURCE, purpose, shown)
    return rows
