"""The clerk's dashboard: orders of the caller's départements, nearest open deadline first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from relais_events.catalogue.protection_orders import UtcInstant
from relais_events.vocabulary import DEPARTEMENT_PATTERN
from relais_kit.auth import NATIONAL, ensure_jurisdiction
from relais_kit.http.purpose import Purpose

from relais_protection_orders.application.dashboard import ALL_STATUSES
from relais_protection_orders.application.reads import read_dashboard
from relais_protection_orders.entrypoints.dependencies import Lister, ServiceDep, reading
from relais_protection_orders.entrypoints.schemas import DashboardRowOut
from relais_protection_orders.entrypoints.views import row_out

router = APIRouter(prefix="/v1/protection-orders", tags=["dashboard"])


@router.get("")
async def dashboard(  # noqa: PLR0917  (FastAPI query parameters)
    svc: ServiceDep,
    who: Lister,
    purpose: Purpose,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(ALL_STATUSES) + ")$")] = None,
    due_before: Annotated[UtcInstant | None, Query()] = None,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[DashboardRowOut]:
    """``status``: the order's stage; ``due_before``: only orders whose nearest open deadline
    falls before this instant. No national listing: one's own départements only. The purpose
    is required as for every read; one ``access.logged`` is written per case shown
    (``read_dashboard``) before the rows are answered."""
    if departement is not None:
        ensure_jurisdiction(who, departement)
        departements = [departement]
    else:
        departements = sorted(d for d in who.jurisdictions if d != NATIONAL)
    rows = await read_dashboard(
        reading(who, "protection_order.list", purpose),
        departements,
        status,
        due_before,
        limit,
        dashboard=svc.dashboard,
        access_log=svc.access_log,
    )
    return [row_out(r) for r in rows]
