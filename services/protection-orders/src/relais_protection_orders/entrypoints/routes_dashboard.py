"""The clerk's dashboard: orders of the caller's départements, nearest open deadline first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from relais_events.catalogue.protection_orders import UtcInstant
from relais_events.vocabulary import DEPARTEMENT_PATTERN
from relais_kit.auth import NATIONAL, ensure_jurisdiction

from relais_protection_orders.application.dashboard import ALL_STATUSES, list_orders
from relais_protection_orders.entrypoints.dependencies import Lister, ServiceDep
from relais_protection_orders.entrypoints.schemas import DashboardRowOut
from relais_protection_orders.entrypoints.views import row_out

router = APIRouter(prefix="/v1/protection-orders", tags=["dashboard"])


@router.get("")
async def dashboard(  # noqa: PLR0917  (FastAPI query parameters)
    svc: ServiceDep,
    who: Lister,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(ALL_STATUSES) + ")$")] = None,
    due_before: Annotated[UtcInstant | None, Query()] = None,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[DashboardRowOut]:
    """``status``: the order's stage; ``due_before``: only orders whose nearest open deadline
    falls before this instant. No national listing: one's own départements only."""
    if departement is not None:
        ensure_jurisdiction(who, departement)
        departements = [departement]
    else:
        departements = sorted(d for d in who.jurisdictions if d != NATIONAL)
    rows = await list_orders(svc.dashboard, departements, status, due_before, limit)
    return [row_out(r) for r in rows]
