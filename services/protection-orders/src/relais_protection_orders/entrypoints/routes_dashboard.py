"""The clerk's dashboard: orders of the caller's départements, nearest open deadline first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from relais_events.catalogue.protection_orders import UtcInstant
from relais_events.vocabulary import DEPARTEMENT_PATTERN
from relais_kit.http.purpose import Purpose

from relais_protection_orders.application.reads import read_dashboard
from relais_protection_orders.domain.state import Stage
from relais_protection_orders.entrypoints.dependencies import Lister, ServiceDep
from relais_protection_orders.entrypoints.schemas import DashboardRowOut
from relais_protection_orders.entrypoints.views import row_out

router = APIRouter(prefix="/v1/protection-orders", tags=["dashboard"])
# An order listed has a stage: every one but "none" (no application yet).
LISTED_STAGES = "|".join(s.value for s in Stage if s is not Stage.NONE)


@router.get("")
async def dashboard(  # noqa: PLR0917  (FastAPI query parameters)
    svc: ServiceDep,
    who: Lister,
    purpose: Purpose,
    status: Annotated[str | None, Query(pattern=f"^({LISTED_STAGES})$")] = None,
    due_before: Annotated[UtcInstant | None, Query()] = None,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[DashboardRowOut]:
    """``status``: the order's stage; ``due_before``: only orders whose nearest open deadline
    falls before this instant. No national listing: one's own départements only. The purpose
    is required as for every read; one ``access.logged`` is written per case shown
    (``read_dashboard``) before the rows are answered."""
    if departement is not None:
        who.ensure_acts_for(departement)
        departements = [departement]
    else:
        departements = who.departements()
    rows = await read_dashboard(
        who,
        purpose,
        departements,
        status,
        due_before,
        limit,
        dashboard=svc.dashboard,
        access_log=svc.access_log,
    )
    return [row_out(r) for r in rows]
